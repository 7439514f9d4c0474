import { describe, expect, it } from 'vitest'
import type { TrayAlert } from './alerts/tray-state'
import { appRouteOf, trayMenu } from './tray-menu'

const now = new Date('2026-12-04T12:00:00Z')
const alert = (id: number, over: Partial<TrayAlert> = {}): TrayAlert => ({
  id,
  severity: 'warning',
  title: `Alert ${id}`,
  link: `/alerts?id=${id}`,
  lastRaisedAt: `2026-12-04T10:${String(id).padStart(2, '0')}:00Z`,
  acknowledgedAt: null,
  snoozedUntil: null,
  resolvedAt: null,
  ...over,
})
const base = { now, automationPaused: false, pendingApprovals: 0 }

describe('tray menu', () => {
  it('lists the latest unread WARNING+ alerts, newest first, each opening its page', () => {
    const alerts = [
      alert(1, { severity: 'info' }),
      alert(2, { acknowledgedAt: '2026-12-04T11:00:00Z' }),
      alert(3, { snoozedUntil: '2026-12-05T00:00:00Z' }),
      alert(4, { resolvedAt: '2026-12-04T11:00:00Z' }),
      alert(5, {
        severity: 'critical',
        title: 'Spend of "Spring & Summer" jumped to 259% of normal',
        link: '/campaigns?workspace=1&id=7',
      }),
      alert(6, { severity: 'error', link: 'https://evil.example/' }),
      // A snooze that ended counts again.
      alert(7, { snoozedUntil: '2026-12-04T11:00:00Z' }),
    ]
    const menu = trayMenu({ ...base, alerts })
    expect(menu.filter((i) => i.kind === 'note')).toEqual([{ kind: 'note', label: '3 unread alerts' }])
    expect(menu.filter((i) => i.kind === 'alert')).toEqual([
      { kind: 'alert', alertId: 7, label: 'WARNING · Alert 7', link: '/alerts?id=7' },
      // Never a URL: an alert whose link is not an app route opens the Alerts page.
      { kind: 'alert', alertId: 6, label: 'ERROR · Alert 6', link: '/alerts' },
      {
        kind: 'alert',
        alertId: 5,
        label: 'CRITICAL · Spend of "Spring && Summer" jumped to 259% of normal',
        link: '/campaigns?workspace=1&id=7',
      },
    ])
    expect(menu.map((i) => (i.kind === 'separator' ? '—' : i.label))).toEqual([
      'Open Marketing Engine',
      'Sync now',
      '—',
      '3 unread alerts',
      'WARNING · Alert 7',
      'ERROR · Alert 6',
      'CRITICAL · Spend of "Spring && Summer" jumped to 259% of normal',
      'All alerts…',
      '—',
      'Pause all automation',
      '—',
      'Quit',
    ])
  })

  it('at most five, then "All N alerts…"; approvals and the pause state; nothing unread says so', () => {
    const many = Array.from({ length: 8 }, (_, i) => alert(i + 1, { title: `A long title ${'x'.repeat(80)} ${i}` }))
    const menu = trayMenu({ ...base, alerts: many, automationPaused: true, pendingApprovals: 2 })
    const listed = menu.filter((i) => i.kind === 'alert')
    expect(listed.map((i) => i.alertId)).toEqual([8, 7, 6, 5, 4])
    for (const i of listed) expect(i.label.length).toBeLessThanOrEqual('WARNING · '.length + 60)
    expect(menu).toContainEqual({ kind: 'action', action: 'alerts', label: 'All 8 alerts…' })
    expect(menu).toContainEqual({ kind: 'action', action: 'approvals', label: 'Review 2 proposed changes…' })
    expect(menu).toContainEqual({
      kind: 'toggle',
      action: 'pauseAutomation',
      label: 'Pause all automation',
      checked: true,
    })
    // The badge's count when only the newest are passed.
    const newest = trayMenu({ ...base, alerts: many.slice(2), unread: 40 })
    expect(newest).toContainEqual({ kind: 'note', label: '40 unread alerts' })
    expect(newest).toContainEqual({ kind: 'action', action: 'alerts', label: 'All 40 alerts…' })
    const none = trayMenu({ ...base, alerts: [] })
    expect(none).toContainEqual({ kind: 'note', label: 'No unread alerts' })
    expect(none.some((i) => i.kind === 'alert' || (i.kind === 'action' && i.action === 'approvals'))).toBe(false)
  })

  it('a notification or menu click opens only app routes', () => {
    expect(appRouteOf('/alerts?id=3')).toBe('/alerts?id=3')
    expect(appRouteOf('/automation?tab=approvals')).toBe('/automation?tab=approvals')
    expect(appRouteOf(undefined)).toBe('/alerts')
    expect(appRouteOf('javascript:alert(1)')).toBe('/alerts')
    expect(appRouteOf('//evil.example/x')).toBe('/alerts')
  })
})
