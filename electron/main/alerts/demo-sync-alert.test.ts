import { Webhook } from 'standardwebhooks'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebhookPayloadSchema, type Alert } from '../../../shared/domain/alerts'
import { addDays } from '../../../shared/domain/dates'
import { startTestSmtpServer, TEST_CA_PEM, type TestSmtpServer } from '../email/testing/smtp-server'
import { syncNow } from '../sync/sync-engine/testing/setup'
import { createTestCore, TEST_CALLER } from '../test-support'
import { trayMenu, TRAY_ALERTS } from '../tray-menu'
import { computeTrayState } from './tray-state'
import { startHttpReceiver, type HttpReceiver } from './testing/receivers'

type TestCore = ReturnType<typeof createTestCore>
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

/**
 * Issue 14's "done when": in the demo, a sync that brings an anomaly raises an alert that shows in
 * the tray state, the Alerts page, an email caught by a local SMTP server and a signed webhook.
 */
describe('the demo: a sync that brings an anomaly', () => {
  it('raises an alert shown in the tray state and the Alerts page, mailed over SMTP and sent as a signed webhook', async () => {
    const now = new Date('2026-06-17T10:00:00Z')
    core = createTestCore({ now: () => now })
    const c = core
    // The demo as it stood five days ago: its current spend spike (the last three days) not yet synced.
    const last = '2026-06-16'
    const build = c.jobs.enqueue('demo:build', { campaigns: 20, days: 60, endDate: last, through: addDays(last, -5) })
    expect((await c.jobs.waitFor(build)).status).toBe('succeeded')
    await c.services.alertSources.idle()
    const ws = c.workspaces.list().find((w) => w.isDemo)!.id
    const spike = c.store.sqlite
      .prepare(
        "SELECT e.end_date AS endDate, c.name FROM simulator_events e JOIN campaigns c ON c.id = e.campaign_id WHERE e.kind = 'spend_spike'",
      )
      .get() as { endDate: string; name: string }
    expect(spike.endDate > addDays(last, -5)).toBe(true)
    const isSpike = (a: Alert): boolean =>
      a.source === 'anomaly' && a.title.startsWith(`Spend of ${spike.name} jumped`) && a.workspaceId === ws
    expect(c.services.alerts.list({ workspaceId: ws }).some(isSpike)).toBe(false)

    // A signed webhook and an email channel (STARTTLS with a login) on loopback.
    receiver = await startHttpReceiver((_r, res) => res.writeHead(204).end())
    smtp = await startTestSmtpServer({ security: 'starttls', login: { user: 'ops', pass: 'smtp-pa55' } })
    const add = async (input: unknown): Promise<{ createdSecret?: string }> => {
      const env = await c.dispatch('channels:add', input, TEST_CALLER)
      if (!env.ok) throw new Error(env.error.message)
      return env.value as { createdSecret?: string }
    }
    const hook = await add({ name: 'Ops webhook', settings: { kind: 'webhook', url: `${receiver.url}/alerts` } })
    await add({
      name: 'Team mail',
      settings: {
        kind: 'email',
        smtp: {
          host: 'localhost',
          port: smtp.port,
          security: 'starttls',
          username: 'ops',
          from: 'alerts@example.com',
          caPem: TEST_CA_PEM,
        },
        to: ['marketing@example.com'],
      },
      secret: 'smtp-pa55',
    })

    // "Sync now": the real connectors against the simulated platforms bring the held-back days.
    expect((await syncNow(c, ws)).status).toBe('succeeded')
    await c.services.alertSources.idle()
    const raised = c.services.alerts.list({ workspaceId: ws, source: ['anomaly'] }).filter(isSpike)
    expect(raised.length).toBeGreaterThan(0)
    const alert = raised.find((a) => a.severity === 'warning' || a.severity === 'critical')!
    expect(alert.body).toContain(spike.name)
    expect(alert.body).toMatch(/Spend \d+(\.\d)?x the usual \w+day level/)

    // Tray: the badge counts the unread WARNING+ alerts, this one among them; the menu (as the app
    // builds it: the newest unread) says how many and lists the newest, each opening its page.
    const open = c.services.alerts.list({ severity: ['warning', 'error', 'critical'], state: ['open'], limit: 500 })
    expect(computeTrayState([alert], now).count).toBe(1)
    expect(c.platform.badge.count).toBe(computeTrayState(open, now).count)
    const menu = trayMenu({
      alerts: open.slice(0, TRAY_ALERTS + 1),
      unread: c.platform.badge.count,
      now,
      automationPaused: false,
      pendingApprovals: 0,
    })
    expect(menu).toContainEqual({ kind: 'note', label: `${c.platform.badge.count} unread alerts` })
    const listed = menu.filter((i) => i.kind === 'alert')
    expect(listed.length).toBe(Math.min(TRAY_ALERTS, open.length))
    if (open.indexOf(open.find((a) => a.id === alert.id)!) < TRAY_ALERTS)
      expect(listed).toContainEqual(expect.objectContaining({ alertId: alert.id, link: alert.link }))

    // The Alerts page's channel lists it with its numbers.
    const page = await c.dispatch('alerts:list', { workspaceId: ws, source: ['anomaly'] }, TEST_CALLER)
    if (!page.ok) throw new Error(page.error.message)
    expect(JSON.stringify(page.value)).toContain(alert.title)

    // Delivered: a signed webhook that verifies with `standardwebhooks`, and an email.
    await c.services.alerts.deliverDue()
    const verified: { id: string; titles: string[] }[] = []
    for (let i = receiver.count; i > 0; i--) {
      const req = await receiver.next()
      const headers = {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      }
      // Signed at the core's clock (2026-06-17): the receiver checks the timestamp against its own.
      vi.useFakeTimers({ toFake: ['Date'], now })
      const payload = WebhookPayloadSchema.parse(new Webhook(hook.createdSecret!).verify(req.body, headers))
      vi.useRealTimers()
      verified.push({ id: headers['webhook-id'], titles: payload.data.alerts.map((a) => a.title) })
    }
    expect(verified.find((h) => h.titles.includes(alert.title))?.id).toMatch(new RegExp(`^alert-${alert.id}(-\\d+)?$`))
    const mails: { subject: string; text: string; to: string[] }[] = []
    for (let i = smtp.received; i > 0; i--) {
      const m = await smtp.next()
      mails.push({ subject: m.subject ?? '', text: m.text ?? '', to: m.envelopeTo })
    }
    const mail = mails.find((m) => m.subject.includes(alert.title) || m.text.includes(alert.title))
    expect(mail?.to).toEqual(['marketing@example.com'])
    expect(mail?.text).toContain(spike.name)
    const stored = c.services.alerts.get(alert.id)
    expect(stored.deliveries.map((d) => [d.channelKind, d.status]).sort()).toEqual([
      ['email', 'delivered'],
      ['webhook', 'delivered'],
    ])
  }, 180_000)
})
