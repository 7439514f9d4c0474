import { Webhook } from 'standardwebhooks'
import { afterEach, describe, expect, it } from 'vitest'
import { WebhookPayloadSchema, type AlertDraftInput } from '../../../shared/domain/alerts'
import type { AlertRaised } from '../../../shared/domain/alerts'
import { startTestSmtpServer, TEST_CA_PEM, type TestSmtpServer } from '../email/testing/smtp-server'
import { AuditRepo } from '../store/repos/audit-repo'
import { createTestCore, TEST_CALLER } from '../test-support'
import { startHttpReceiver, type HttpReceiver } from './testing/receivers'

let core: TestCore | null = null
let receiver: HttpReceiver | null = null
let smtp: TestSmtpServer | null = null
afterEach(async () => {
  await core?.close()
  await receiver?.close()
  await smtp?.close()
  core = null
  receiver = null
  smtp = null
})

const draft = (over: Partial<AlertDraftInput> = {}): AlertDraftInput => ({
  source: 'sync',
  severity: 'error',
  workspaceId: 1,
  entity: { level: 'account', id: 1, name: 'Meta <main> & co' },
  title: 'Meta account needs reconnecting',
  body: 'The access token expired 3 days ago; nothing has synced since.',
  numbers: [{ label: 'Hours since last sync', value: 72, unit: 'hours' }],
  dedupeKey: 'sync:credentials:1',
  link: '/connections',
  ...over,
})

type TestCore = ReturnType<typeof createTestCore>

function boot(now: () => Date = () => new Date()): TestCore {
  core = createTestCore({ now })
  core.store.sqlite.prepare("INSERT INTO workspaces (name) VALUES ('Shop')").run()
  return core
}

describe('alert service', () => {
  it('raises, stores, routes and delivers a signed webhook and an email; secrets stay out of the database', async () => {
    const c = boot()
    const alerts = c.services.alerts
    receiver = await startHttpReceiver((_r, res) => res.writeHead(204).end())
    smtp = await startTestSmtpServer({ security: 'starttls', login: { user: 'me', pass: 'pa55-word' } })
    const hook = await alerts.addChannel(
      { name: 'Ops hook', settings: { kind: 'webhook', url: `${receiver.url}/in` } },
      TEST_CALLER,
    )
    expect(hook.createdSecret).toMatch(/^whsec_/)
    const mail = await alerts.addChannel(
      {
        name: 'Team mail',
        settings: {
          kind: 'email',
          smtp: {
            host: 'localhost',
            port: smtp.port,
            security: 'starttls',
            username: 'me',
            from: 'alerts@example.com',
            caPem: TEST_CA_PEM,
          },
          to: ['team@example.com'],
        },
        secret: 'pa55-word',
      },
      TEST_CALLER,
    )
    expect(mail.channel).toMatchObject({ kind: 'email', hasSecret: true, enabled: true })
    // Neither secret is in the database file's tables.
    const dump = JSON.stringify(c.store.sqlite.prepare('SELECT * FROM alert_channels').all())
    expect(dump).not.toContain('pa55-word')
    expect(dump).not.toContain(hook.createdSecret!)
    expect(JSON.stringify(await alerts.channels())).not.toContain('pa55-word')

    const events: AlertRaised[] = []
    c.events.on('alert:raised', (e) => events.push(e))
    const r = alerts.raise(draft())!
    expect(r.merged).toBe(false)
    expect(events).toEqual([
      expect.objectContaining({ id: r.alert.id, severity: 'error', source: 'sync', merged: false }),
    ])
    expect(r.alert.deliveries.map((d) => [d.channelKind, d.status])).toEqual([
      ['webhook', 'pending'],
      ['email', 'pending'],
    ])

    const req = await receiver.next()
    const headers = {
      'webhook-id': String(req.headers['webhook-id']),
      'webhook-timestamp': String(req.headers['webhook-timestamp']),
      'webhook-signature': String(req.headers['webhook-signature']),
    }
    expect(headers['webhook-id']).toBe(`alert-${r.alert.id}`)
    const payload = WebhookPayloadSchema.parse(new Webhook(hook.createdSecret!).verify(req.body, headers))
    expect(payload.data.alerts[0]).toMatchObject({ title: 'Meta account needs reconnecting', severity: 'error' })
    const m = await smtp.next()
    expect(m.subject).toContain('Meta account needs reconnecting')
    expect(m.text).toContain('72 h')
    expect(m.envelopeTo).toEqual(['team@example.com'])

    await alerts.deliverDue()
    const stored = alerts.get(r.alert.id)
    expect(stored.deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered'])
    expect(stored.deliveries[0]!.attempts[0]).toMatchObject({ ok: true, statusCode: 204 })

    // The same key within the window: one alert with a count, nothing sent again.
    const again = alerts.raise(draft({ numbers: [{ label: 'Hours since last sync', value: 80, unit: 'hours' }] }))!
    expect(again).toMatchObject({ merged: true, alert: { id: r.alert.id, count: 2 } })
    await alerts.deliverDue()
    expect(receiver.count).toBe(1)
    expect(smtp.received).toBe(1)

    // Higher severity: sent again under a new message id.
    alerts.raise(draft({ severity: 'critical' }))
    const second = await receiver.next()
    expect(second.headers['webhook-id']).toBe(`alert-${r.alert.id}-3`)
  })

  it('acknowledge, snooze and resolve are audited mutations; a cleared condition resolves by key', async () => {
    let now = new Date('2026-12-04T12:00:00Z')
    const c = boot(() => now)
    const alerts = c.services.alerts
    const a = alerts.raise(draft())!.alert
    const b = alerts.raise(draft({ dedupeKey: 'budget:1', source: 'budget', severity: 'warning' }))!.alert
    expect(c.platform.badge.count).toBe(2)

    expect(await alerts.acknowledge([a.id], TEST_CALLER)).toEqual([a.id])
    expect(await alerts.acknowledge([a.id], TEST_CALLER)).toEqual([])
    expect(alerts.get(a.id).state).toBe('acknowledged')
    expect(c.platform.badge.count).toBe(1)

    await expect(alerts.snooze([b.id], new Date('2026-12-04T11:00:00Z'), TEST_CALLER)).rejects.toThrow(/future/)
    await alerts.snooze([b.id], new Date('2026-12-04T13:00:00Z'), TEST_CALLER)
    expect(alerts.list({ state: ['snoozed'] }).map((x) => x.id)).toEqual([b.id])
    now = new Date('2026-12-04T13:00:01Z')
    expect(alerts.list({ state: ['open'] }).map((x) => x.id)).toEqual([b.id])

    await alerts.resolve([b.id], TEST_CALLER)
    expect(alerts.resolveByKey(1, 'sync:credentials:1')).toEqual([a.id])
    expect(alerts.list({ state: ['resolved'] }).map((x) => x.id)).toEqual([b.id, a.id])
    // A new raise of a resolved condition is a new alert.
    expect(alerts.raise(draft())!.alert.id).not.toBe(a.id)

    const audit = new AuditRepo(c.store.sqlite).list('alerts.%').map((r) => [r.action, r.actor])
    expect(audit).toEqual([
      ['alerts.acknowledge', 'user:tester (test)'],
      ['alerts.acknowledge', 'user:tester (test)'],
      ['alerts.snooze', 'user:tester (test)'],
      ['alerts.resolve', 'user:tester (test)'],
    ])
    await expect(alerts.acknowledge([999], TEST_CALLER)).rejects.toThrow(/No alert 999/)
  })

  it('a source turned off raises nothing; bad drafts and channel settings are refused with specific errors', async () => {
    const c = boot()
    const alerts = c.services.alerts
    await alerts.updateSettings({ sources: { anomaly: false } }, TEST_CALLER)
    expect(alerts.settings().sources).toMatchObject({ anomaly: false, sync: true })
    expect(alerts.raise(draft({ source: 'anomaly' }))).toBeNull()
    expect(alerts.list({})).toHaveLength(0)
    expect(() => alerts.raise(draft({ link: 'javascript:alert(1)' }))).toThrow(/Invalid alert/)

    await expect(
      alerts.addChannel({ name: 'x', settings: { kind: 'webhook', url: 'ftp://example.com/hook' } }, TEST_CALLER),
    ).rejects.toThrow(/url/)
    await expect(alerts.addChannel({ name: 'x', settings: { kind: 'slack' } }, TEST_CALLER)).rejects.toThrow(
      /incoming-webhook URL/,
    )
    await expect(
      alerts.addChannel({ name: 'x', settings: { kind: 'slack' }, secret: 'http://hooks.slack.com/x' }, TEST_CALLER),
    ).rejects.toThrow(/Slack webhook URL/)
  })

  it('an email channel with a daily digest: alerts wait for 08:00 Berlin and go as one mail; CRITICAL at once', async () => {
    // 11:00 in Berlin on Friday: the next digest is Saturday 08:00 (07:00 UTC).
    let now = new Date('2026-12-04T10:00:00Z')
    const c = boot(() => now)
    const alerts = c.services.alerts
    smtp = await startTestSmtpServer({ security: 'none' })
    const smtpSettings = { host: '127.0.0.1', port: smtp.port, security: 'none' as const, from: 'alerts@example.com' }
    const added = await alerts.addChannel(
      {
        name: 'Morning digest',
        settings: { kind: 'email', smtp: smtpSettings, to: ['team@example.com'] },
        policy: { dailyDigest: { at: '08:00', timeZone: 'Europe/Berlin' } },
      },
      TEST_CALLER,
    )
    expect(added.channel.policy.dailyDigest).toEqual({ at: '08:00', timeZone: 'Europe/Berlin', criticalAtOnce: true })
    const raised = [1, 2, 3].map(
      (i) => alerts.raise(draft({ severity: 'warning', dedupeKey: `digest:${i}`, title: `Pacing ${i} is off` }))!.alert,
    )
    for (const a of raised)
      expect(a.deliveries[0]).toMatchObject({
        status: 'held',
        nextAttemptAt: '2026-12-05T07:00:00.000Z',
        note: 'Waits for the daily digest at 08:00 (Europe/Berlin), 2026-12-05T07:00:00.000Z',
      })
    await alerts.deliverDue()
    expect(smtp.received).toBe(0)
    // CRITICAL does not wait.
    const critical = alerts.raise(
      draft({ severity: 'critical', dedupeKey: 'digest:critical', title: 'Token expired' }),
    )!
    expect((await smtp.next()).subject).toContain('Token expired')
    expect(alerts.get(critical.alert.id).deliveries[0]!.status).toBe('delivered')
    // At 08:00 Berlin the three go as one mail.
    now = new Date('2026-12-05T07:00:00Z')
    await alerts.deliverDue()
    const digest = await smtp.next()
    expect(smtp.received).toBe(2)
    for (const i of [1, 2, 3]) {
      expect(digest.text).toContain(`Pacing ${i} is off`)
      expect(digest.html || '').toContain(`Pacing ${i} is off`)
    }
    expect(digest.subject).toMatch(/3 alerts/)
    for (const a of raised) expect(alerts.get(a.id).deliveries[0]!.status).toBe('delivered')
    // A digest is an email option only.
    await expect(
      alerts.addChannel(
        { name: 'x', settings: { kind: 'desktop' }, policy: { dailyDigest: { at: '08:00', timeZone: 'UTC' } } },
        TEST_CALLER,
      ),
    ).rejects.toThrow('dailyDigest: a daily digest is an option of email channels')
    await expect(
      alerts.updateChannel(
        added.channel.id,
        { policy: { dailyDigest: { at: '8am', timeZone: 'Europe/Berlin' } } },
        TEST_CALLER,
      ),
    ).rejects.toThrow(/dailyDigest\.at: Expected a time as HH:MM/)
  })
})
