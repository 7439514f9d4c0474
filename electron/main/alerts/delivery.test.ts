import { afterEach, describe, expect, it } from 'vitest'
import type { Alert, ChannelPolicy } from '../../../shared/domain/alerts'
import { startTestSmtpServer, type TestSmtpServer } from '../email/testing/smtp-server'
import { createNodePlatform } from '../platform/node'
import { channelTarget, createChannels, testMessage, type StoredChannel } from './channels'
import { generateWebhookSecret } from './channels/webhook'
import { DeliveryEngine, MemoryDeliveryStore } from './delivery'
import { sampleAlert, startHttpReceiver, type HttpReceiver } from './testing/receivers'
import type { ChannelTarget } from './delivery'

const t0 = new Date('2026-12-04T12:00:00Z')
const plus = (ms: number): Date => new Date(t0.getTime() + ms)
const noPolicy: ChannelPolicy = { quietHours: null, rateLimit: null }

let smtp: TestSmtpServer | null = null
let receiver: HttpReceiver | null = null
afterEach(async () => {
  await smtp?.close()
  await receiver?.close()
  smtp = null
  receiver = null
})

function setup(stored: StoredChannel[], secrets: Record<number, string | null> = {}) {
  let now = t0
  const platform = createNodePlatform({ host: 'test', ephemeral: true, now: () => now })
  const set = createChannels({
    platform,
    render: { appUrl: 'marketing-engine://open/', appName: 'Marketing Engine', timeZone: 'UTC' },
  })
  const alerts = new Map<number, Alert>()
  const store = new MemoryDeliveryStore((ids) => ids.flatMap((id) => (alerts.has(id) ? [alerts.get(id)!] : [])))
  const targets = new Map<number, ChannelTarget>(
    stored.map((s) => [s.id, channelTarget(s, secrets[s.id] ?? null, set)]),
  )
  const engine = new DeliveryEngine(store, (id) => targets.get(id) ?? null, { random: () => 0.5 })
  const raise = (over: Partial<Alert>, channelIds: number[]): Alert => {
    const a = sampleAlert({ raisedAt: now.toISOString(), lastRaisedAt: now.toISOString(), ...over })
    alerts.set(a.id, a)
    engine.enqueue(a, channelIds, now)
    return a
  }
  const record = (alertId: number, channelId: number) => store.records.get(`${alertId}:${channelId}`)!.record
  return {
    engine,
    store,
    alerts,
    targets,
    platform,
    raise,
    record,
    setNow: (d: Date) => {
      now = d
    },
  }
}

describe('delivery engine (outbox → channels on loopback)', () => {
  it('retries a transient failure with backoff and the same webhook-id; receivers can drop duplicates', async () => {
    receiver = await startHttpReceiver((_r, res, i) =>
      i === 0 ? res.writeHead(503).end('busy') : res.writeHead(200).end(),
    )
    const secret = generateWebhookSecret()
    const s = setup([{ id: 1, name: 'hook', settings: { kind: 'webhook', url: receiver.url }, policy: noPolicy }], {
      1: secret,
    })
    s.raise({ id: 7 }, [1])
    const first = await s.engine.tick(t0)
    expect(first.sent).toHaveLength(1)
    expect(first.sent[0]!.result).toMatchObject({ ok: false, errorKind: 'transient', statusCode: 503 })
    expect(s.record(7, 1)).toMatchObject({ status: 'pending', nextAttemptAt: '2026-12-04T12:00:30.000Z' })
    expect(first.nextWakeAt).toEqual(plus(30_000))
    expect((await s.engine.tick(plus(10_000))).sent).toHaveLength(0)
    const second = await s.engine.tick(plus(30_000))
    expect(second.sent[0]!.result).toMatchObject({ ok: true, statusCode: 200 })
    expect(s.record(7, 1)).toMatchObject({ status: 'delivered', deliveredAt: '2026-12-04T12:00:30.000Z' })
    expect(s.record(7, 1).attempts.map((a) => a.statusCode)).toEqual([503, 200])
    const ids = [(await receiver.next()).headers['webhook-id'], (await receiver.next()).headers['webhook-id']]
    expect(ids).toEqual(['alert-7', 'alert-7'])
    expect(second.nextWakeAt).toBeNull()
  })

  it('rate limit: 10 alerts become 2 mails and one digest; later ones wait for the window, then go as a digest', async () => {
    smtp = await startTestSmtpServer({ security: 'none' })
    const s = setup([
      {
        id: 2,
        name: 'mail',
        settings: {
          kind: 'email',
          smtp: { host: '127.0.0.1', port: smtp.port, security: 'none', from: 'a@example.com' },
          to: ['m@example.com'],
        },
        policy: { quietHours: null, rateLimit: { max: 3, perMinutes: 60 } },
      },
    ])
    for (let i = 1; i <= 10; i++)
      s.raise({ id: i, title: `Alert ${i}`, severity: i === 5 ? 'critical' : 'warning' }, [2])
    const burst = await s.engine.tick(t0)
    expect(burst.sent.map((m) => m.alertIds.length)).toEqual([1, 1, 8])
    expect(burst.sent[0]!.alertIds).toEqual([5])
    expect(burst.sent.every((m) => m.result.ok)).toBe(true)
    // Sent side by side: compare what arrived, not the order it arrived in.
    const subjects = [(await smtp.next()).subject, (await smtp.next()).subject, (await smtp.next()).subject]
    expect(subjects.sort()).toEqual([
      '[CRITICAL] Alert 5',
      '[WARNING] Alert 1',
      '[WARNING] Marketing Engine: 8 alerts (8 WARNING)',
    ])
    expect(s.record(9, 2)).toMatchObject({ status: 'delivered', messageId: 'digest-2-2-10-8' })

    s.setNow(plus(5 * 60_000))
    s.raise({ id: 11, title: 'Alert 11' }, [2])
    s.raise({ id: 12, title: 'Alert 12' }, [2])
    const full = await s.engine.tick(plus(5 * 60_000))
    expect(full).toMatchObject({ sent: [], held: 2, nextWakeAt: plus(60 * 60_000) })
    expect(s.record(11, 2)).toMatchObject({ status: 'held' })
    const later = await s.engine.tick(plus(60 * 60_000))
    expect(later.sent.map((m) => [m.alertIds, m.messageId])).toEqual([[[11, 12], 'digest-2-11-12-2']])
    expect((await smtp.next()).subject).toBe('[WARNING] Marketing Engine: 2 alerts (2 WARNING)')
    expect(smtp.received).toBe(4)
  })

  it('quiet hours: a WARNING waits for the morning, a CRITICAL breaks through', async () => {
    receiver = await startHttpReceiver()
    const quiet: ChannelPolicy = {
      quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin', criticalBreaksThrough: true },
      rateLimit: null,
    }
    const s = setup([{ id: 3, name: 'slack', settings: { kind: 'slack' }, policy: quiet }], {
      3: `${receiver.url}/services/x`,
    })
    const night = new Date('2026-12-04T23:00:00Z')
    s.setNow(night)
    s.raise({ id: 1, severity: 'warning', title: 'Pacing over plan' }, [3])
    s.raise({ id: 2, severity: 'critical', title: 'Token expired' }, [3])
    expect(s.record(1, 3)).toMatchObject({ status: 'held', nextAttemptAt: '2026-12-05T06:00:00.000Z' })
    const now = await s.engine.tick(night)
    expect(now.sent.map((m) => m.alertIds)).toEqual([[2]])
    expect(JSON.parse((await receiver.next()).body).text).toBe('[CRITICAL] Token expired')
    expect(now.nextWakeAt).toEqual(new Date('2026-12-05T06:00:00Z'))
    const morning = await s.engine.tick(new Date('2026-12-05T06:00:00Z'))
    expect(morning.sent.map((m) => m.alertIds)).toEqual([[1]])
    expect(JSON.parse((await receiver.next()).body).text).toBe('[WARNING] Pacing over plan')
  })

  it('permanent errors fail at once with the reason; resolved-before-sent and removed channels are skipped', async () => {
    receiver = await startHttpReceiver((_r, res) => res.writeHead(404).end('no_service'))
    const s = setup(
      [
        { id: 3, name: 'slack', settings: { kind: 'slack' }, policy: noPolicy },
        { id: 4, name: 'hook', settings: { kind: 'webhook', url: 'https://example.com/h' }, policy: noPolicy },
        { id: 5, name: 'desktop', settings: { kind: 'desktop' }, policy: noPolicy },
      ],
      { 3: `${receiver.url}/services/x` },
    )
    s.raise({ id: 1 }, [3, 4])
    const resolved = s.raise({ id: 2 }, [5])
    s.alerts.set(2, { ...resolved, resolvedAt: t0.toISOString(), state: 'resolved' })
    s.raise({ id: 3 }, [5])
    s.targets.delete(5)
    await s.engine.tick(t0)
    expect(s.record(1, 3)).toMatchObject({
      status: 'failed',
      note: 'Slack answered 404 no_service: this Slack webhook no longer exists: create a new incoming webhook and paste its URL',
    })
    expect(s.record(1, 4)).toMatchObject({
      status: 'failed',
      note: 'The signing secret of this channel is missing from the secret store: create a new one',
    })
    expect(s.record(2, 5)).toMatchObject({ status: 'skipped' })
    expect(s.record(3, 5)).toMatchObject({ status: 'skipped', note: 'The channel was removed' })
    expect(s.store.nextWakeAt()).toBeNull()
    expect(s.platform.notifications).toEqual([])
  })

  it('"send a test" goes through the same channel with a sample alert', async () => {
    receiver = await startHttpReceiver()
    const s = setup([{ id: 3, name: 'Team channel', settings: { kind: 'slack' }, policy: noPolicy }], {
      3: `${receiver.url}/s`,
    })
    const res = await s.targets.get(3)!.send(testMessage('Team channel', t0), new AbortController().signal)
    expect(res).toMatchObject({ ok: true })
    const body = JSON.parse((await receiver.next()).body) as { text: string }
    expect(body.text).toBe('[INFO] Test alert for "Team channel"')
  })
})
