import { afterEach, describe, expect, it } from 'vitest'
import { AlertDraftSchema } from '../../shared/domain/alerts'
import { AlertsRepo } from './store/repos/alerts-repo'
import type { Core } from './core'
import { createTestCore } from './test-support'
import { ago } from './tray-status'

let core: (Core & { platform: { badge: { count: number; tooltip: string } } }) | null = null
afterEach(async () => {
  await core?.close()
  core = null
})

describe('tray status', () => {
  it('shows unread alerts as the badge and the last sync in the tooltip', () => {
    const now = new Date('2026-11-26T12:00:00Z')
    core = createTestCore({ now: () => now })
    expect(core.platform.badge).toEqual({ count: 0, tooltip: 'Not synced yet' })
    const db = core.store.sqlite
    db.prepare("INSERT INTO workspaces (name) VALUES ('W')").run()
    db.prepare(
      "INSERT INTO sync_runs (workspace_id, mode, status, finished_at) VALUES (1, 'incremental', 'succeeded', '2026-11-26T11:55:00Z')",
    ).run()
    const alerts = new AlertsRepo(db)
    const draft = AlertDraftSchema.parse({
      source: 'automation',
      severity: 'warning',
      workspaceId: 1,
      title: 'High CPA',
      body: 'CPA above $40',
      dedupeKey: 'rule:1',
      link: '/automation',
    })
    alerts.insert(draft, now)
    alerts.insert({ ...draft, severity: 'info', title: 'Info only', dedupeKey: 'i' }, now)
    alerts.acknowledge([alerts.insert({ ...draft, title: 'Read', dedupeKey: 'r' }, now)], now)
    alerts.snooze(alerts.insert({ ...draft, title: 'Later', dedupeKey: 's' }, now), new Date('2026-11-26T13:00:00Z'))
    // What `AlertService.raise` (and acknowledge, snooze, resolve) emits after writing.
    core.events.emit('data:changed', { tables: ['alerts', 'alert_deliveries'], workspaceId: 1 })
    expect(core.platform.badge).toEqual({ count: 1, tooltip: 'Last sync 5 min ago' })
  })

  it('formats ages', () => {
    const now = new Date('2026-11-26T12:00:00Z')
    expect(ago('2026-11-26T11:59:30Z', now)).toBe('just now')
    expect(ago('2026-11-26T09:00:00Z', now)).toBe('3 h ago')
    expect(ago('2026-11-24T12:00:00Z', now)).toBe('2 d ago')
  })
})
