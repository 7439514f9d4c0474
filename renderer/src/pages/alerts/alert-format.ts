import {
  ALERT_SOURCE_LABELS,
  SEVERITY_LABELS,
  type Alert,
  type AlertSeverity,
  type AlertState,
} from '../../../../shared/domain/alerts'
import type { ChannelView } from '../../../../shared/ipc/contracts/alerts'
import { formatTimestamp } from '../../lib/format'

export const SEVERITY_BADGE: Record<AlertSeverity, string> = {
  info: 'badge badge--info',
  warning: 'badge badge--warning',
  error: 'badge badge--negative',
  critical: 'badge badge--critical',
}

export const STATE_LABELS: Record<AlertState, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  snoozed: 'Snoozed',
  resolved: 'Resolved',
}

export { ALERT_SOURCE_LABELS, SEVERITY_LABELS }

/** "just now", "5 min ago", "3 h ago", "2 d ago", then the date. */
export function timeAgo(iso: string, now: Date): string {
  const s = Math.round((now.getTime() - Date.parse(iso)) / 1000)
  if (!Number.isFinite(s)) return iso
  if (s < 45) return 'just now'
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`
  if (s < 7 * 86_400) return `${Math.round(s / 86_400)} d ago`
  return formatTimestamp(iso)
}

/** What the alert is about, in a few words: "campaign Spring Sale". */
export function entityText(a: Alert): string | null {
  if (!a.entity) return null
  const level = a.entity.level === 'ad_set' ? 'ad set' : a.entity.level
  return `${level} ${a.entity.name}`
}

/** Where the alert's link goes, as a button label. */
export function linkLabel(link: string): string {
  const page = /^\/([a-z-]+)/.exec(link)?.[1] ?? ''
  const names: Record<string, string> = {
    campaigns: 'Open the campaign',
    anomalies: 'Open anomalies',
    dashboard: 'Open the dashboard',
    connections: 'Open connections',
    predictions: 'Open predictions',
    automation: 'Open the rule',
    reports: 'Open the report',
    alerts: 'Open channel settings',
    diagnostics: 'Open diagnostics',
    settings: 'Open settings',
  }
  return names[page] ?? 'Open in the app'
}

export interface HistoryEvent {
  at: string
  /** Sort key tie-break: raised before deliveries before people's actions. */
  order: number
  kind: 'raised' | 'again' | 'attempt' | 'acknowledged' | 'snoozed' | 'resolved' | 'next'
  text: string
  detail?: string
  ok?: boolean
}

function channelName(channels: ChannelView[], id: number, kind: string): string {
  const c = channels.find((x) => x.id === id)
  return c ? `${c.name} (${c.kind})` : `${kind} channel #${id} (removed)`
}

/** The alert's history, oldest first: raised, every delivery attempt per channel, acknowledged, resolved. */
export function alertHistory(a: Alert, channels: ChannelView[]): HistoryEvent[] {
  const out: HistoryEvent[] = [{ at: a.raisedAt, order: 0, kind: 'raised', text: `Raised (${a.severity})` }]
  if (a.count > 1)
    out.push({
      at: a.lastRaisedAt,
      order: 1,
      kind: 'again',
      text: `Raised again: ${a.count} times in all`,
    })
  for (const d of a.deliveries) {
    const name = channelName(channels, d.channelId, d.channelKind)
    d.attempts.forEach((t, i) => {
      const parts = [
        t.statusCode !== null ? `status ${t.statusCode}` : null,
        `${t.latencyMs} ms`,
        d.messageId ? `message ${d.messageId}` : null,
      ].filter(Boolean)
      out.push({
        at: t.at,
        order: 2,
        kind: 'attempt',
        ok: t.ok,
        text: t.ok
          ? `Delivered to ${name}${i > 0 ? ` (attempt ${i + 1})` : ''}`
          : `Delivery to ${name} failed${i > 0 ? ` (attempt ${i + 1})` : ''}`,
        detail: [t.error, parts.join(' · ')].filter(Boolean).join(' — '),
      })
    })
    if (d.attempts.length === 0 || d.status === 'pending' || d.status === 'held' || d.status === 'skipped') {
      const last = d.attempts[d.attempts.length - 1]?.at ?? a.raisedAt
      const label =
        d.status === 'pending'
          ? d.nextAttemptAt
            ? `${name}: next attempt ${formatTimestamp(d.nextAttemptAt)}`
            : `${name}: waiting to be sent`
          : d.status === 'held'
            ? `${name}: held${d.nextAttemptAt ? ` until ${formatTimestamp(d.nextAttemptAt)}` : ''}`
            : d.status === 'skipped'
              ? `${name}: not sent`
              : d.status === 'failed'
                ? `${name}: failed`
                : `${name}: ${d.status}`
      out.push({ at: last, order: 3, kind: 'next', text: label, ...(d.note ? { detail: d.note } : {}) })
    } else if (d.status === 'failed' && d.note) {
      const last = d.attempts[d.attempts.length - 1]?.at ?? a.raisedAt
      out.push({ at: last, order: 3, kind: 'next', ok: false, text: `${name}: gave up`, detail: d.note })
    }
  }
  if (a.acknowledgedAt) out.push({ at: a.acknowledgedAt, order: 4, kind: 'acknowledged', text: 'Acknowledged' })
  if (a.snoozedUntil)
    out.push({
      at: a.snoozedUntil,
      order: 5,
      kind: 'snoozed',
      text: `Snoozed until ${formatTimestamp(a.snoozedUntil)}`,
    })
  if (a.resolvedAt) out.push({ at: a.resolvedAt, order: 6, kind: 'resolved', text: 'Resolved' })
  return out.sort((x, y) => x.at.localeCompare(y.at) || x.order - y.order)
}

/** Snooze choices: an instant in the future from `now`. */
export const SNOOZE_CHOICES = [
  { id: '1h', label: '1 hour' },
  { id: '4h', label: '4 hours' },
  { id: 'tomorrow', label: 'Until tomorrow 9:00' },
  { id: 'week', label: '1 week' },
  { id: 'custom', label: 'Until…' },
] as const
export type SnoozeChoice = (typeof SNOOZE_CHOICES)[number]['id']

export function snoozeUntil(choice: Exclude<SnoozeChoice, 'custom'>, now: Date): Date {
  switch (choice) {
    case '1h':
      return new Date(now.getTime() + 3600_000)
    case '4h':
      return new Date(now.getTime() + 4 * 3600_000)
    case 'week':
      return new Date(now.getTime() + 7 * 86_400_000)
    case 'tomorrow': {
      const d = new Date(now)
      d.setDate(d.getDate() + 1)
      d.setHours(9, 0, 0, 0)
      return d
    }
  }
}
