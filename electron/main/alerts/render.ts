import {
  absoluteAppLink,
  ALERT_SOURCE_LABELS,
  formatAlertNumber,
  SEVERITY_COLOURS,
  SEVERITY_LABELS,
  severityRank,
  type Alert,
  type AlertSeverity,
} from '../../../shared/domain/alerts'
import type { AlertMessage, RenderOptions } from './types'

/**
 * Alerts written for people outside the app: email subject, plain text and HTML. Every string that
 * came from a platform or a user (campaign names, titles, bodies) is escaped in the HTML; the plain
 * text carries the same words and numbers.
 */

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

const ENTITY_LABELS: Record<NonNullable<Alert['entity']>['level'], string> = {
  workspace: 'Workspace',
  account: 'Ad account',
  campaign: 'Campaign',
  ad_set: 'Ad set',
  ad: 'Ad',
  rule: 'Rule',
  change: 'Change',
  report: 'Report',
  channel: 'Channel',
  model: 'Model',
}

/** The highest severity of a message (a digest is as severe as its worst alert). */
export function messageSeverity(message: AlertMessage): AlertSeverity {
  return message.alerts.reduce<AlertSeverity>(
    (max, a) => (severityRank(a.severity) > severityRank(max) ? a.severity : max),
    'info',
  )
}

/** "2026-12-04 13:05 CET" in the user's time zone. */
export function formatInstant(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(new Date(iso))
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${get('timeZoneName')}`
}

function oneLine(s: string, max: number): string {
  const flat = s.replace(/[\r\n\t]+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

export function entityLine(a: Alert): string | null {
  return a.entity ? `${ENTITY_LABELS[a.entity.level]}: ${a.entity.name}` : null
}

/** "3 times since 2026-12-04 09:00 UTC" for an alert the dedupe window folded. */
function repeatLine(a: Alert, opts: RenderOptions): string {
  const at = formatInstant(a.lastRaisedAt, opts.timeZone)
  return a.count > 1
    ? `Raised ${a.count} times, first ${formatInstant(a.raisedAt, opts.timeZone)}, last ${at}`
    : `Raised ${at}`
}

export function alertSubject(message: AlertMessage, opts: Pick<RenderOptions, 'appName'>): string {
  const sev = SEVERITY_LABELS[messageSeverity(message)]
  if (message.digest || message.alerts.length !== 1) {
    const counts = new Map<AlertSeverity, number>()
    for (const a of message.alerts) counts.set(a.severity, (counts.get(a.severity) ?? 0) + 1)
    const parts = [...counts.entries()]
      .sort((x, y) => severityRank(y[0]) - severityRank(x[0]))
      .map(([s, n]) => `${n} ${SEVERITY_LABELS[s]}`)
    return `[${sev}] ${opts.appName}: ${message.alerts.length} alerts (${parts.join(', ')})`
  }
  const a = message.alerts[0]!
  return `[${sev}] ${oneLine(a.title, 180)}${a.count > 1 ? ` (×${a.count})` : ''}`
}

function alertTextBlock(a: Alert, opts: RenderOptions): string {
  const lines = [`${SEVERITY_LABELS[a.severity]} · ${ALERT_SOURCE_LABELS[a.source]}`, a.title, '', a.body]
  if (a.numbers.length) {
    lines.push('')
    for (const n of a.numbers) lines.push(`  ${n.label}: ${formatAlertNumber(n)}`)
  }
  lines.push('')
  const entity = entityLine(a)
  if (entity) lines.push(entity)
  lines.push(repeatLine(a, opts))
  lines.push(`Open in ${opts.appName}: ${absoluteAppLink(a.link, opts.appUrl)}`)
  return lines.join('\n')
}

export function alertText(message: AlertMessage, opts: RenderOptions): string {
  const blocks = message.alerts.map((a) => alertTextBlock(a, opts))
  const head =
    message.digest || message.alerts.length !== 1
      ? [`${message.alerts.length} alerts from ${opts.appName}, most severe first.`, '']
      : []
  return [...head, blocks.join('\n\n────────────────────────\n\n'), '', `— ${opts.appName}`].join('\n')
}

/** Alerts of a digest, most severe first, then newest first. */
export function digestOrder(alerts: Alert[]): Alert[] {
  return [...alerts].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || b.lastRaisedAt.localeCompare(a.lastRaisedAt),
  )
}

function alertHtmlBlock(a: Alert, opts: RenderOptions): string {
  const colour = SEVERITY_COLOURS[a.severity]
  const numbers = a.numbers.length
    ? `<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:12px 0 4px 0">${a.numbers
        .map(
          (n) =>
            `<tr><td style="padding:4px 16px 4px 0;color:#4b5563;font-size:14px">${escapeHtml(n.label)}</td>` +
            `<td style="padding:4px 0;font-size:14px;font-weight:600;color:#111827">${escapeHtml(formatAlertNumber(n))}</td></tr>`,
        )
        .join('')}</table>`
    : ''
  const entity = entityLine(a)
  const href = escapeHtml(absoluteAppLink(a.link, opts.appUrl))
  return (
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:0 0 16px 0;border-left:4px solid ${colour};background:#ffffff">` +
    `<tr><td style="padding:16px 20px">` +
    `<div style="font-size:12px;font-weight:700;letter-spacing:0.05em;color:${colour}">${SEVERITY_LABELS[a.severity]} · ${escapeHtml(ALERT_SOURCE_LABELS[a.source])}</div>` +
    `<h2 style="margin:6px 0 8px 0;font-size:18px;line-height:24px;color:#111827">${escapeHtml(a.title)}</h2>` +
    `<div style="font-size:14px;line-height:21px;color:#1f2937">${escapeHtml(a.body).replace(/\r?\n/g, '<br>')}</div>` +
    numbers +
    (entity ? `<div style="margin-top:8px;font-size:13px;color:#4b5563">${escapeHtml(entity)}</div>` : '') +
    `<div style="margin-top:4px;font-size:12px;color:#6b7280">${escapeHtml(repeatLine(a, opts))}</div>` +
    `<div style="margin-top:14px"><a href="${href}" style="display:inline-block;padding:8px 14px;background:${colour};color:#ffffff;text-decoration:none;border-radius:4px;font-size:14px">Open in ${escapeHtml(opts.appName)}</a></div>` +
    `</td></tr></table>`
  )
}

/** A simple table layout with inline styles: reads the same in Gmail, Outlook and Apple Mail. */
export function alertHtml(message: AlertMessage, opts: RenderOptions): string {
  const alerts = message.digest ? digestOrder(message.alerts) : message.alerts
  const intro =
    message.digest || alerts.length !== 1
      ? `<p style="margin:0 0 16px 0;font-size:14px;color:#374151">${alerts.length} alerts, most severe first.</p>`
      : ''
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${escapeHtml(alertSubject(message, opts))}</title></head>` +
    `<body style="margin:0;padding:0;background:#f3f4f6;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;background:#f3f4f6"><tr><td align="center" style="padding:24px 12px">` +
    `<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="border-collapse:collapse;max-width:600px;width:100%"><tr><td>` +
    intro +
    alerts.map((a) => alertHtmlBlock(a, opts)).join('') +
    `<p style="margin:8px 0 0 0;font-size:12px;color:#6b7280">Sent by ${escapeHtml(opts.appName)}. Change which alerts reach this address in Settings › Alerts.</p>` +
    `</td></tr></table></td></tr></table></body></html>`
  )
}
