import { alertStateAt, atLeast, type Alert, type AlertSeverity } from '../../../shared/domain/alerts'

/** What the tray needs of an alert. */
export type TrayAlert = Pick<
  Alert,
  'id' | 'severity' | 'title' | 'link' | 'lastRaisedAt' | 'acknowledgedAt' | 'snoozedUntil' | 'resolvedAt'
>

export interface TrayState {
  /** Unread WARNING+ alerts: not acknowledged, not snoozed (at `now`), not resolved. */
  count: number
  /** The most severe unread severity, for the icon state; null when nothing is unread. */
  worst: AlertSeverity | null
  /** Newest unread WARNING+ alerts first, at most `limit`, for the tray menu. */
  latest: TrayAlert[]
  /** First tooltip line. */
  summary: string
}

/** The tray's badge and menu from the alerts the store holds (pure; the caller passes `now`). */
export function computeTrayState(alerts: TrayAlert[], now: Date, limit = 5): TrayState {
  const unread = alerts
    .filter((a) => atLeast(a.severity, 'warning') && alertStateAt(a, now) === 'open')
    .sort((a, b) => b.lastRaisedAt.localeCompare(a.lastRaisedAt) || b.id - a.id)
  const worst = unread.reduce<AlertSeverity | null>(
    (w, a) => (w === null || atLeast(a.severity, w) ? a.severity : w),
    null,
  )
  const n = unread.length
  return {
    count: n,
    worst,
    latest: unread.slice(0, limit),
    summary: n === 0 ? 'No unread alerts' : `${n} unread alert${n === 1 ? '' : 's'}: ${unread[0]!.title}`,
  }
}
