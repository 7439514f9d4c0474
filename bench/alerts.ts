import { join } from 'node:path'
import { setImmediate as yieldNow } from 'node:timers/promises'
import { Webhook } from 'standardwebhooks'
import { systemContext } from '../shared/domain/caller'
import { SeededRandom } from '../shared/experiments/random'
import { AlertService } from '../electron/main/alerts/alert-service'
import { startHttpReceiver } from '../electron/main/alerts/testing/receivers'
import { createCore } from '../electron/main/core'
import { startTestSmtpServer } from '../electron/main/email/testing/smtp-server'
import { createNodePlatform } from '../electron/main/platform/node'
import type { Bench } from './types'

const ALERTS = 1000
const FAIL_RATE = 0.1

const p95 = (xs: number[]): number => {
  if (!xs.length) return 0
  const s = [...xs].sort((a, b) => a - b)
  return Math.round(s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!)
}

/**
 * A burst of 1,000 alerts routed to three real receivers on loopback (an SMTP server parsing every
 * mail, a Slack-shaped and a Standard Webhooks receiver verifying every signature), 10% of attempts
 * refused at random (HTTP 503, SMTP 451). The store is a SQLite file; the clock is moved forward to
 * each retry time instead of waiting. `lost`: (alert, channel) pairs never accepted; `duplicates`:
 * accepted twice after dedupe by webhook-id (Slack and email by the alert they carry);
 * `p95_delivery_ms`: send-to-answer time of first attempts that succeeded (the engine's recorded
 * latency); `p95_raise_to_accept_ms`: from raise() to the receiver accepting it, which in a burst
 * includes waiting behind the earlier alerts (4 messages in flight per channel).
 */
export const alertsBench: Bench = {
  name: 'alerts',
  description: '1,000 alerts to email, Slack and webhook receivers on loopback, 10% of attempts failing',
  async run({ tmpDir, log }) {
    // The same failures on every run.
    const fail = new SeededRandom(14)
    // Real time at the start (receivers check webhook-timestamp against their own clock).
    let clock = new Date()
    const platform = createNodePlatform({ host: 'test', ephemeral: true, dataDir: tmpDir, now: () => clock })
    const core = createCore(platform, { dbPath: join(tmpDir, 'bench.db'), startJobs: false })
    // The module's own delivery timer is stopped: this bench drives its own service and clock.
    await core.services.alerts.stop()
    const alerts = new AlertService(core, { autoDeliver: true })
    const ctx = systemContext('bench')
    core.store.sqlite.prepare("INSERT INTO workspaces (name) VALUES ('Bench')").run()

    const raisedAt = new Map<number, number>()
    const accepted = new Map<string, number[]>() // `${kind}:${alertId}` → acceptance times
    const accept = (kind: string, alertId: number): void => {
      const k = `${kind}:${alertId}`
      accepted.set(k, [...(accepted.get(k) ?? []), performance.now()])
    }
    let attempts = 0
    let refused = 0
    let badSignatures = 0
    const refuse = (): boolean => {
      attempts++
      const r = fail.next() < FAIL_RATE
      if (r) refused++
      return r
    }

    const smtp = await startTestSmtpServer({
      security: 'none',
      dataReplyFor: (raw) => {
        if (refuse()) return 451
        const id = /X-Marketing-Engine-Message-Id: alert-(\d+)/i.exec(raw.toString('utf8'))
        if (id) accept('email', Number(id[1]))
        return null
      },
    })
    const slack = await startHttpReceiver((req, res) => {
      if (refuse()) return res.writeHead(503).end('busy')
      const m = /Bench alert (\d+)\b/.exec(req.body)
      if (m) accept('slack', Number(m[1]))
      res.writeHead(200).end('ok')
    })
    let secret = ''
    const hook = await startHttpReceiver((req, res) => {
      if (refuse()) return res.writeHead(503).end()
      try {
        new Webhook(secret).verify(req.body, {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        })
      } catch {
        badSignatures++
        return res.writeHead(400).end()
      }
      const id = /^alert-(\d+)$/.exec(String(req.headers['webhook-id']))
      if (id) accept('webhook', Number(id[1]))
      res.writeHead(204).end()
    })
    try {
      await alerts.addChannel(
        {
          name: 'Mail',
          settings: {
            kind: 'email',
            smtp: { host: '127.0.0.1', port: smtp.port, security: 'none', from: 'alerts@example.com' },
            to: ['team@example.com'],
          },
        },
        ctx,
      )
      await alerts.addChannel(
        { name: 'Slack', settings: { kind: 'slack' }, secret: `${slack.url}/services/T/B/x` },
        ctx,
      )
      const h = await alerts.addChannel({ name: 'Hook', settings: { kind: 'webhook', url: `${hook.url}/in` } }, ctx)
      secret = h.createdSecret!
      alerts.start()

      const t0 = performance.now()
      for (let i = 1; i <= ALERTS; i++) {
        const r = alerts.raise({
          source: 'anomaly',
          severity: i % 10 === 0 ? 'critical' : 'warning',
          workspaceId: 1,
          entity: { level: 'campaign', id: i, name: `Campaign ${i}` },
          title: `Bench alert ${i}`,
          body: 'CPA doubled overnight.',
          numbers: [{ label: 'CPA', value: 48_200_000, unit: 'money_micros', currency: 'USD', previous: 24_100_000 }],
          dedupeKey: `bench:${i}`,
          link: '/alerts',
        })!
        raisedAt.set(r.alert.id, performance.now())
        if (i % 25 === 0) await yieldNow()
      }
      const raiseMs = performance.now() - t0
      log(`raised ${ALERTS} alerts in ${Math.round(raiseMs)} ms`)
      // First attempts go out on the service's timer; wait until none is left without an attempt.
      const firstDone = (): boolean =>
        alerts.repo.list({ limit: ALERTS }, clock).every((a) => a.deliveries.every((d) => d.attempts.length > 0))
      while (!firstDone()) await new Promise((r) => setTimeout(r, 50))
      await alerts.stop()
      log(`first attempts done in ${Math.round(performance.now() - t0)} ms; retrying on a moved clock`)
      // Retries: move the clock to each next wake-up and deliver.
      for (let round = 0; round < 20_000; round++) {
        const wake = alerts.repo.nextWakeAt()
        if (!wake) break
        clock = new Date(Math.max(clock.getTime(), wake.getTime()))
        await alerts.deliverDue()
      }

      const list = alerts.repo.list({ limit: ALERTS }, clock)
      let lost = 0
      let duplicates = 0
      const firstOk: number[] = []
      const raiseToAccept: number[] = []
      for (const a of list)
        for (const d of a.deliveries) {
          const times = accepted.get(`${d.channelKind}:${a.id}`) ?? []
          if (times.length === 0) lost++
          duplicates += Math.max(0, times.length - 1)
          if (d.attempts[0]?.ok && times[0] !== undefined) {
            firstOk.push(d.attempts[0].latencyMs)
            raiseToAccept.push(times[0] - raisedAt.get(a.id)!)
          }
        }
      const delivered = list.reduce((n, a) => n + a.deliveries.filter((d) => d.status === 'delivered').length, 0)
      return {
        alerts: list.length,
        delivered,
        lost,
        duplicates,
        p95_delivery_ms: p95(firstOk),
        p95_raise_to_accept_ms: p95(raiseToAccept),
        deliveries_expected: list.length * 3,
        attempts,
        attempts_refused: refused,
        bad_signatures: badSignatures,
        raise_ms: Math.round(raiseMs),
      }
    } finally {
      await alerts.close()
      await core.close()
      await smtp.close()
      await slack.close()
      await hook.close()
    }
  },
}
