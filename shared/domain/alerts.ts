import { z } from 'zod'
import { ENTITY_LEVELS } from './entities'
import { formatMoney } from './money'
import { isLoopbackHost, outboundUrlProblem } from './urls'

/**
 * Alerts (issue 14): what the core raises when a marketer should hear about something, how it is
 * delivered (channels), and how it moves from raised to resolved. Plain data: the core stores it,
 * the renderer shows it, channels render it into email, Slack and webhook messages.
 */

// ── Severity and source ────────────────────────────────────────────────────────────────────────

export const ALERT_SEVERITIES = ['info', 'warning', 'error', 'critical'] as const
export const AlertSeveritySchema = z.enum(ALERT_SEVERITIES)
export type AlertSeverity = z.infer<typeof AlertSeveritySchema>

/** How a severity is written to people (INFO, WARNING, ERROR, CRITICAL). */
export const SEVERITY_LABELS: Record<AlertSeverity, string> = {
  info: 'INFO',
  warning: 'WARNING',
  error: 'ERROR',
  critical: 'CRITICAL',
}

/** One colour per severity for every channel (tray, email, Slack). */
export const SEVERITY_COLOURS: Record<AlertSeverity, string> = {
  info: '#2563eb',
  warning: '#d97706',
  error: '#dc2626',
  critical: '#7f1d1d',
}

/** info < warning < error < critical. */
export function severityRank(s: AlertSeverity): number {
  return ALERT_SEVERITIES.indexOf(s)
}

export function atLeast(s: AlertSeverity, min: AlertSeverity): boolean {
  return severityRank(s) >= severityRank(min)
}

/** Who raised the alert; each source has a setting to turn it off. */
export const ALERT_SOURCES = ['anomaly', 'sync', 'budget', 'automation', 'report', 'ml', 'system'] as const
export const AlertSourceSchema = z.enum(ALERT_SOURCES)
export type AlertSource = z.infer<typeof AlertSourceSchema>

export const ALERT_SOURCE_LABELS: Record<AlertSource, string> = {
  anomaly: 'Anomaly',
  sync: 'Sync health',
  budget: 'Budget pacing',
  automation: 'Automation',
  report: 'Report delivery',
  ml: 'Forecast models',
  system: 'App health',
}

// ── What an alert is about ─────────────────────────────────────────────────────────────────────

export const ALERT_ENTITY_LEVELS = [
  'workspace',
  'account',
  ...ENTITY_LEVELS,
  'rule',
  'change',
  'report',
  'channel',
  'model',
] as const
export const AlertEntitySchema = z.object({
  level: z.enum(ALERT_ENTITY_LEVELS),
  id: z.number().int().positive(),
  /** The name as the platform or the user wrote it (rendered escaped everywhere). */
  name: z.string().max(500),
  /** The ad account it belongs to, for routing by account. */
  accountId: z.number().int().positive().optional(),
})
export type AlertEntity = z.infer<typeof AlertEntitySchema>

export const ALERT_NUMBER_UNITS = ['money_micros', 'count', 'ratio', 'percent', 'hours', 'days'] as const

/**
 * A number behind the alert, e.g. CPA $48.20 (was $24.10). Money is integer micros with its
 * currency; a percent is a fraction (0.125 = 12.5%); a ratio is shown as is (ROAS 2.35).
 */
export const AlertNumberSchema = z
  .object({
    label: z.string().min(1).max(80),
    value: z.number().finite(),
    unit: z.enum(ALERT_NUMBER_UNITS),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    /** The value it is compared with (previous period, plan, threshold). */
    previous: z.number().finite().optional(),
    /** What `previous` is: "last week", "plan", "threshold". */
    previousLabel: z.string().max(40).optional(),
    /**
     * How `previous` relates: an earlier value of the same number (`was`, the default: "was $24.10
     * last week") or a reference it is measured against (`against`: "against €9,000 budget").
     */
    compare: z.enum(['was', 'against']).optional(),
  })
  .refine((n) => n.unit !== 'money_micros' || (n.currency !== undefined && Number.isInteger(n.value)), {
    message: 'Money is integer micros with a currency',
  })
export type AlertNumber = z.infer<typeof AlertNumberSchema>

function formatValue(n: AlertNumber, v: number): string {
  switch (n.unit) {
    case 'money_micros':
      return formatMoney(Math.round(v), n.currency ?? 'USD')
    case 'count':
      return new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(v)
    case 'ratio':
      return new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v)
    case 'percent':
      return `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(v * 100)}%`
    case 'hours':
      return `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(v)} h`
    case 'days':
      return `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(v)} d`
  }
}

/**
 * "$48.20 (was $24.10 last week, +100%)" or "€10,200 (against €9,000 budget, +13%)": the same text
 * in every channel.
 */
export function formatAlertNumber(n: AlertNumber): string {
  const now = formatValue(n, n.value)
  if (n.previous === undefined) return now
  const word = n.compare ?? 'was'
  const was = `${formatValue(n, n.previous)}${n.previousLabel ? ` ${n.previousLabel}` : ''}`
  if (n.previous === 0) return `${now} (${word} ${was})`
  const pct = ((n.value - n.previous) / Math.abs(n.previous)) * 100
  const sign = pct > 0 ? '+' : pct < 0 ? '−' : '±'
  return `${now} (${word} ${was}, ${sign}${Math.abs(pct).toFixed(Math.abs(pct) < 10 ? 1 : 0)}%)`
}

/**
 * A place in the app, as the part after `#` of the app's address: `/campaigns?workspace=1&id=42`.
 * Channels that leave the app make it absolute with the app's base URL.
 */
export const AppLinkSchema = z
  .string()
  .max(500)
  .regex(
    /^\/[a-z][a-z-]*(\/[A-Za-z0-9._~%-]+)*(\?[A-Za-z0-9._~%&=+-]*)?$/,
    'Expected an app route such as /alerts?id=3',
  )
export type AppLink = z.infer<typeof AppLinkSchema>

/** Base for app links outside the app (the desktop app's protocol handler). */
export const DEFAULT_APP_URL = 'marketing-engine://open/'

export function absoluteAppLink(link: AppLink, appUrl: string = DEFAULT_APP_URL): string {
  return `${appUrl.replace(/#.*$/, '')}#${link}`
}

// ── The alert ──────────────────────────────────────────────────────────────────────────────────

/** What a source hands to `raise`. */
export const AlertDraftSchema = z
  .object({
    source: AlertSourceSchema,
    severity: AlertSeveritySchema,
    workspaceId: z.number().int().positive(),
    entity: AlertEntitySchema.nullable().default(null),
    /** Plain language, one line: "CPA of Spring Sale doubled overnight". */
    title: z.string().trim().min(1).max(200),
    /** Plain language, a few sentences: what happened, why it matters, what to do. */
    body: z.string().trim().min(1).max(4000),
    numbers: z.array(AlertNumberSchema).max(12).default([]),
    /** The same key within the dedupe window makes one alert with a count. */
    dedupeKey: z.string().min(1).max(200),
    link: AppLinkSchema,
  })
  .strict()
export type AlertDraft = z.output<typeof AlertDraftSchema>
export type AlertDraftInput = z.input<typeof AlertDraftSchema>

export const ALERT_STATES = ['open', 'acknowledged', 'snoozed', 'resolved'] as const
export const AlertStateSchema = z.enum(ALERT_STATES)
export type AlertState = z.infer<typeof AlertStateSchema>

export const CHANNEL_KINDS = ['desktop', 'email', 'slack', 'webhook'] as const
export const ChannelKindSchema = z.enum(CHANNEL_KINDS)
export type ChannelKind = z.infer<typeof ChannelKindSchema>

export const DELIVERY_STATUSES = [
  /** Waiting for its first attempt or a retry (`nextAttemptAt`). */
  'pending',
  /** Held by quiet hours or the channel's rate limit; goes out later, or in a digest. */
  'held',
  'delivered',
  /** Permanent error, or transient errors past the retry horizon. */
  'failed',
  /** Not sent on purpose (desktop notifications turned off, alert resolved before delivery). */
  'skipped',
] as const
export const DeliveryStatusSchema = z.enum(DELIVERY_STATUSES)
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>

export const ErrorKindSchema = z.enum(['transient', 'permanent'])
export type ErrorKind = z.infer<typeof ErrorKindSchema>

/** One try at sending a message to a channel. */
export const DeliveryAttemptSchema = z.object({
  at: z.string(),
  ok: z.boolean(),
  latencyMs: z.number().int().nonnegative(),
  /** HTTP status or SMTP reply code when the other side answered. */
  statusCode: z.number().int().nullable(),
  errorKind: ErrorKindSchema.nullable(),
  error: z.string().nullable(),
})
export type DeliveryAttempt = z.infer<typeof DeliveryAttemptSchema>

/** An alert's delivery to one channel. */
export const DeliveryRecordSchema = z.object({
  channelId: z.number().int(),
  channelKind: ChannelKindSchema,
  status: DeliveryStatusSchema,
  /** The idempotency key sent with it (`webhook-id`): the alert's, or the digest's that carried it. */
  messageId: z.string(),
  attempts: z.array(DeliveryAttemptSchema),
  nextAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  /** Why it is held, skipped or failed, in plain language. */
  note: z.string().nullable(),
})
export type DeliveryRecord = z.infer<typeof DeliveryRecordSchema>

/** A stored alert with its history. Times are ISO instants. */
export const AlertSchema = AlertDraftSchema.safeExtend({
  id: z.number().int().positive(),
  state: AlertStateSchema,
  /** How many raises the dedupe window folded into this alert. */
  count: z.number().int().positive(),
  raisedAt: z.string(),
  lastRaisedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  snoozedUntil: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  deliveries: z.array(DeliveryRecordSchema),
})
export type Alert = z.infer<typeof AlertSchema>

/** The `alert:raised` event: a new alert, or a raise folded into an existing one (`merged`). */
export const AlertRaisedSchema = z.object({
  id: z.number().int(),
  workspaceId: z.number().int(),
  source: AlertSourceSchema,
  severity: AlertSeveritySchema,
  title: z.string(),
  body: z.string(),
  link: z.string(),
  count: z.number().int(),
  merged: z.boolean(),
})
export type AlertRaised = z.infer<typeof AlertRaisedSchema>

/** The state an alert is in at `now` (a snooze ends by itself). */
export function alertStateAt(a: Pick<Alert, 'acknowledgedAt' | 'snoozedUntil' | 'resolvedAt'>, now: Date): AlertState {
  if (a.resolvedAt) return 'resolved'
  if (a.snoozedUntil && Date.parse(a.snoozedUntil) > now.getTime()) return 'snoozed'
  if (a.acknowledgedAt) return 'acknowledged'
  return 'open'
}

// ── Channels ───────────────────────────────────────────────────────────────────────────────────

const EmailAddress = z.email({ message: 'Expected an email address' })
/** `alerts@example.com` or `Marketing Engine <alerts@example.com>`. */
const FromAddress = z
  .string()
  .max(320)
  .refine((s) => {
    const m = /^\s*(?:"?[^"<>\r\n]*"?\s*<([^<>\s]+)>|([^<>\s]+))\s*$/.exec(s)
    const address = m?.[1] ?? m?.[2]
    return address !== undefined && EmailAddress.safeParse(address).success
  }, 'Expected an email address, optionally with a name: Name <name@example.com>')

/**
 * SMTP settings stored in the database; the password lives in the secret store. `none` (no TLS)
 * is only allowed to a server on this machine (a local mail catcher).
 */
export const SmtpSettingsSchema = z
  .object({
    host: z.string().trim().min(1).max(255),
    port: z.number().int().min(1).max(65535),
    /** `tls`: TLS from the first byte (port 465); `starttls`: upgrade required (port 587). */
    security: z.enum(['tls', 'starttls', 'none']),
    username: z.string().max(255).optional(),
    from: FromAddress,
    /** Extra CA certificate (PEM) for a company relay with its own CA. */
    caPem: z.string().max(20_000).optional(),
  })
  .strict()
  .refine((s) => s.security !== 'none' || isLoopbackHost(s.host), {
    message: 'An SMTP server outside this machine needs TLS or STARTTLS',
    path: ['security'],
  })
export type SmtpSettings = z.infer<typeof SmtpSettingsSchema>

const HttpsOrLoopbackUrl = z
  .string()
  .max(2000)
  .superRefine((u, ctx) => {
    const problem = outboundUrlProblem(u)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })

/** Per-kind, non-secret channel settings. The secret of each kind is named in `CHANNEL_SECRETS`. */
export const ChannelSettingsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('desktop') }).strict(),
  z.object({ kind: z.literal('email'), smtp: SmtpSettingsSchema, to: z.array(EmailAddress).min(1).max(50) }).strict(),
  /** The incoming-webhook URL is the secret. */
  z.object({ kind: z.literal('slack') }).strict(),
  z.object({ kind: z.literal('webhook'), url: HttpsOrLoopbackUrl }).strict(),
])
export type ChannelSettings = z.infer<typeof ChannelSettingsSchema>

export const CHANNEL_SECRETS: Record<ChannelKind, string | null> = {
  desktop: null,
  email: 'SMTP password',
  slack: 'Slack incoming-webhook URL',
  webhook: 'Signing secret (whsec_…)',
}

// ── Routing ────────────────────────────────────────────────────────────────────────────────────

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Expected a time as HH:MM')

/** Hours a channel stays silent, in a time zone; CRITICAL may break through. */
export const QuietHoursSchema = z
  .object({
    start: HHMM,
    end: HHMM,
    timeZone: z.string().refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz })
        return true
      } catch {
        return false
      }
    }, 'Unknown time zone'),
    criticalBreaksThrough: z.boolean().default(true),
  })
  .strict()
export type QuietHours = z.infer<typeof QuietHoursSchema>

/** At most `max` messages per `perMinutes`; what is held back goes out as one digest. */
export const RateLimitSchema = z
  .object({ max: z.number().int().min(1).max(1000), perMinutes: z.number().int().min(1).max(1440) })
  .strict()
export type RateLimit = z.infer<typeof RateLimitSchema>

/** Which alerts go to which channels. Empty lists mean "any". */
export const RoutingRuleSchema = z
  .object({
    id: z.number().int().positive(),
    enabled: z.boolean().default(true),
    minSeverity: AlertSeveritySchema,
    sources: z.array(AlertSourceSchema).default([]),
    workspaceIds: z.array(z.number().int().positive()).default([]),
    accountIds: z.array(z.number().int().positive()).default([]),
    channelIds: z.array(z.number().int().positive()).min(1),
  })
  .strict()
export type RoutingRule = z.infer<typeof RoutingRuleSchema>

/**
 * An email channel's daily digest: alerts wait and go out as one mail at a local time in a time
 * zone (CRITICAL at once unless turned off).
 */
export const DailyDigestSchema = z
  .object({
    at: HHMM,
    timeZone: QuietHoursSchema.shape.timeZone,
    criticalAtOnce: z.boolean().default(true),
  })
  .strict()
export type DailyDigest = z.infer<typeof DailyDigestSchema>

/** Delivery policy of one channel. */
export const ChannelPolicySchema = z
  .object({
    quietHours: QuietHoursSchema.nullable().default(null),
    rateLimit: RateLimitSchema.nullable().default(null),
    /** Email channels only: one digest a day instead of a mail per alert. */
    dailyDigest: DailyDigestSchema.nullable().optional(),
  })
  .strict()
export type ChannelPolicy = z.infer<typeof ChannelPolicySchema>

// ── Delivery results ───────────────────────────────────────────────────────────────────────────

/**
 * What one send to a channel (or one email through the SMTP transport) came to. A transient error
 * is worth retrying (network, 4xx SMTP replies, HTTP 429/5xx); a permanent one is not (refused
 * login, 5xx SMTP replies, HTTP 4xx, bad settings) and needs the user.
 */
export type DeliveryResult =
  | {
      ok: true
      latencyMs: number
      statusCode: number | null
      /** The other side's answer ("250 2.0.0 queued"), or why nothing was sent (`skipped`). */
      detail: string | null
      /** Set when the channel decided not to send (e.g. desktop notifications turned off). */
      skipped?: boolean
    }
  | {
      ok: false
      latencyMs: number
      statusCode: number | null
      errorKind: ErrorKind
      /** Specific and plain: what failed, against which host, and what to check. */
      error: string
      /** The other side asked to wait this long (HTTP Retry-After). */
      retryAfterMs: number | null
    }

// ── Webhook payload (a stable, versioned interface for receivers) ──────────────────────────────

/** One alert as webhook receivers get it; `numbers[].text` is the formatted value. */
export const WebhookAlertSchema = z.object({
  id: z.number().int(),
  source: AlertSourceSchema,
  severity: AlertSeveritySchema,
  workspaceId: z.number().int(),
  entity: AlertEntitySchema.nullable(),
  title: z.string(),
  body: z.string(),
  numbers: z.array(
    z.object({
      label: z.string(),
      value: z.number(),
      unit: z.enum(ALERT_NUMBER_UNITS),
      currency: z.string().nullable(),
      previous: z.number().nullable(),
      text: z.string(),
    }),
  ),
  dedupeKey: z.string(),
  count: z.number().int(),
  state: AlertStateSchema,
  raisedAt: z.string(),
  lastRaisedAt: z.string(),
  /** The app route, and the same as an absolute link. */
  link: z.string(),
  url: z.string(),
})

/**
 * The JSON body of every webhook (Standard Webhooks shape: type, timestamp, data). `alert.raised`
 * carries one alert, `alert.digest` the alerts held back by quiet hours or the rate limit. Fields
 * are only ever added; `schemaVersion` changes if one is removed or changes meaning.
 */
export const WebhookPayloadSchema = z.object({
  type: z.enum(['alert.raised', 'alert.digest']),
  timestamp: z.string(),
  data: z.object({ schemaVersion: z.literal(1), alerts: z.array(WebhookAlertSchema).min(1) }),
})
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>
