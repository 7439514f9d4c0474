import { Cron } from 'croner'
import {
  atLeast,
  severityRank,
  type Alert,
  type AlertSeverity,
  type ChannelPolicy,
  type DeliveryRecord,
  type DeliveryResult,
  type DailyDigest,
  type QuietHours,
  type RateLimit,
  type RoutingRule,
} from '../../../shared/domain/alerts'

/**
 * Routing and delivery decisions, all pure: which channels an alert goes to, quiet hours in a time
 * zone, dedupe, per-channel rate limits with digests, and retries with backoff. Every function
 * takes `now` (from the injected clock); none reads the time itself.
 */

// ── Rules ──────────────────────────────────────────────────────────────────────────────────────

/** Channels an alert goes to: the union of the enabled rules it matches, in id order. */
export function routeAlert(
  alert: Pick<Alert, 'severity' | 'source' | 'workspaceId' | 'entity'>,
  rules: RoutingRule[],
): number[] {
  const out = new Set<number>()
  for (const r of rules) {
    if (!r.enabled || !atLeast(alert.severity, r.minSeverity)) continue
    if (r.sources.length && !r.sources.includes(alert.source)) continue
    if (r.workspaceIds.length && !r.workspaceIds.includes(alert.workspaceId)) continue
    if (r.accountIds.length) {
      const account = alert.entity?.level === 'account' ? alert.entity.id : alert.entity?.accountId
      if (account === undefined || !r.accountIds.includes(account)) continue
    }
    for (const c of r.channelIds) out.add(c)
  }
  return [...out].sort((a, b) => a - b)
}

// ── Quiet hours ────────────────────────────────────────────────────────────────────────────────

function wallClock(at: Date, timeZone: string): { y: number; mo: number; d: number; h: number; mi: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(at)
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0)
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute') }
}

/** Minutes the zone's wall clock is ahead of UTC at `at`. */
function offsetMinutes(at: Date, timeZone: string): number {
  const w = wallClock(at, timeZone)
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi)
  return Math.round((asUtc - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000)
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/**
 * When the quiet hours that contain `now` end, or null when `now` is outside them. The window is
 * [start, end) in the zone's wall-clock time and may cross midnight; start = end is no window.
 * Across a DST change the end is the first instant the wall clock reads `end` (or later, if that
 * time is skipped: when the clock jumps past it).
 */
export function quietHoursEnd(now: Date, qh: QuietHours): Date | null {
  const start = toMinutes(qh.start)
  const end = toMinutes(qh.end)
  if (start === end) return null
  const inside = (t: Date): boolean => {
    const w = wallClock(t, qh.timeZone)
    const m = w.h * 60 + w.mi
    return start < end ? m >= start && m < end : m >= start || m < end
  }
  if (!inside(now)) return null
  const w = wallClock(now, qh.timeZone)
  const wallDelta = (end - (w.h * 60 + w.mi) + 1440) % 1440
  const startOfMinute = Math.floor(now.getTime() / 60_000) * 60_000
  let candidate = new Date(startOfMinute + wallDelta * 60_000)
  // Correct for an offset change between now and the candidate (DST).
  const shift = offsetMinutes(candidate, qh.timeZone) - offsetMinutes(now, qh.timeZone)
  if (shift !== 0) candidate = new Date(candidate.getTime() - shift * 60_000)
  // A skipped wall time (spring forward) has no instant: the window ends when the clock jumps.
  while (candidate.getTime() - 60_000 > now.getTime() && !inside(new Date(candidate.getTime() - 60_000)))
    candidate = new Date(candidate.getTime() - 60_000)
  while (inside(candidate)) candidate = new Date(candidate.getTime() + 60_000)
  return candidate
}

/** The next time of the daily digest after `now` (the local time in its zone, across DST). */
export function nextDigestAt(now: Date, digest: DailyDigest): Date {
  const [h, m] = digest.at.split(':').map(Number) as [number, number]
  const next = new Cron(`${m} ${h} * * *`, { paused: true, timezone: digest.timeZone }).nextRun(now)
  if (!next) throw new Error(`No next run for the daily digest at ${digest.at} ${digest.timeZone}`)
  return next
}

/**
 * Hold a delivery for quiet hours or the channel's daily digest? Returns when it may go, or null to
 * send now. An alert held for the digest goes out with the others that waited, as one message.
 */
export function quietHold(severity: AlertSeverity, policy: ChannelPolicy, now: Date): Date | null {
  const digest =
    policy.dailyDigest && !(severity === 'critical' && policy.dailyDigest.criticalAtOnce)
      ? nextDigestAt(now, policy.dailyDigest)
      : null
  const quiet =
    policy.quietHours && !(severity === 'critical' && policy.quietHours.criticalBreaksThrough)
      ? quietHoursEnd(now, policy.quietHours)
      : null
  if (digest && quiet) return digest > quiet ? digest : quiet
  return digest ?? quiet
}

// ── Dedupe ─────────────────────────────────────────────────────────────────────────────────────

export const DEFAULT_DEDUPE_WINDOW_MS = 6 * 3600_000

export type DedupeDecision =
  | { action: 'new' }
  /** Fold into the existing alert (count + 1); `notify` when the severity went up. */
  | { action: 'merge'; id: number; severity: AlertSeverity; notify: boolean }

/**
 * The same dedupe key within the window (since the existing alert was last raised) becomes one
 * alert with a count; a resolved alert is never reopened: the condition came back, so it is new.
 */
export function dedupeDecision(
  existing: Pick<Alert, 'id' | 'severity' | 'lastRaisedAt' | 'resolvedAt'> | null,
  incoming: AlertSeverity,
  now: Date,
  windowMs = DEFAULT_DEDUPE_WINDOW_MS,
): DedupeDecision {
  if (!existing || existing.resolvedAt) return { action: 'new' }
  if (now.getTime() - Date.parse(existing.lastRaisedAt) >= windowMs) return { action: 'new' }
  const up = severityRank(incoming) > severityRank(existing.severity)
  return { action: 'merge', id: existing.id, severity: up ? incoming : existing.severity, notify: up }
}

// ── Rate limit and digests ─────────────────────────────────────────────────────────────────────

/** When the channel may send again: now, or when the oldest send in the window leaves it. */
export function rateLimitFreeAt(
  sentAt: Date[],
  limit: RateLimit | null,
  now: Date,
): { allowed: number; freeAt: Date | null } {
  if (!limit) return { allowed: Number.POSITIVE_INFINITY, freeAt: null }
  const windowMs = limit.perMinutes * 60_000
  const inWindow = sentAt
    .filter((t) => now.getTime() - t.getTime() < windowMs)
    .sort((a, b) => a.getTime() - b.getTime())
  const allowed = Math.max(0, limit.max - inWindow.length)
  if (allowed > 0) return { allowed, freeAt: null }
  return { allowed: 0, freeAt: new Date(inWindow[inWindow.length - limit.max]!.getTime() + windowMs) }
}

/** An alert waiting for one channel. `held` when quiet hours or the rate limit kept it back. */
export interface Waiting {
  alertId: number
  severity: AlertSeverity
  raisedAt: string
  /** Earliest time it may go (quiet hours); null: now. */
  notBefore: Date | null
  held: boolean
}

export interface PlannedMessage {
  alertIds: number[]
  digest: boolean
}

export interface ChannelPlan {
  /** Messages to send now, in order. */
  send: PlannedMessage[]
  /** Alerts that stay waiting (quiet hours or rate limit); they are marked held. */
  hold: number[]
  /** When to look at this channel again; null: nothing waits. */
  wakeAt: Date | null
}

/**
 * What one channel sends now. Alerts that were held (overnight, or over the rate limit) go out as
 * one digest; fresh ones one by one, most severe first; when that exceeds the rate limit the last
 * allowed message becomes a digest of everything left — one mail instead of fifty.
 */
export function planChannel(waiting: Waiting[], sentAt: Date[], policy: ChannelPolicy, now: Date): ChannelPlan {
  const due = waiting.filter((w) => !w.notBefore || w.notBefore.getTime() <= now.getTime())
  const later = waiting.filter((w) => w.notBefore && w.notBefore.getTime() > now.getTime())
  const laterWake = later.reduce<Date | null>((m, w) => (!m || w.notBefore! < m ? w.notBefore! : m), null)
  if (due.length === 0) return { send: [], hold: later.map((w) => w.alertId), wakeAt: laterWake }
  const { allowed, freeAt } = rateLimitFreeAt(sentAt, policy.rateLimit, now)
  if (allowed === 0) {
    const wake = [freeAt, laterWake].filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0]
    return { send: [], hold: waiting.map((w) => w.alertId), wakeAt: wake ?? null }
  }
  const bySeverity = (a: Waiting, b: Waiting): number =>
    severityRank(b.severity) - severityRank(a.severity) || a.raisedAt.localeCompare(b.raisedAt) || a.alertId - b.alertId
  const held = due.filter((w) => w.held).sort(bySeverity)
  const fresh = due.filter((w) => !w.held).sort(bySeverity)
  const messages: PlannedMessage[] = []
  if (held.length > 1) messages.push({ alertIds: held.map((w) => w.alertId), digest: true })
  else if (held.length === 1) messages.push({ alertIds: [held[0]!.alertId], digest: false })
  for (const w of fresh) messages.push({ alertIds: [w.alertId], digest: false })
  if (messages.length > allowed) {
    const keep = messages.slice(0, allowed - 1)
    const rest = messages.slice(allowed - 1).flatMap((m) => m.alertIds)
    keep.push({ alertIds: rest, digest: rest.length > 1 })
    return { send: keep, hold: later.map((w) => w.alertId), wakeAt: laterWake }
  }
  return { send: messages, hold: later.map((w) => w.alertId), wakeAt: laterWake }
}

// ── Retries ────────────────────────────────────────────────────────────────────────────────────

export interface RetryPolicy {
  /** First retry after about this long. */
  baseMs: number
  factor: number
  maxDelayMs: number
  /** Give up this long after the first attempt (the 24 hours). */
  horizonMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 30_000, factor: 2, maxDelayMs: 3600_000, horizonMs: 24 * 3600_000 }

/**
 * When to try again after a failed attempt, or null to give up: permanent errors never retry;
 * transient ones back off exponentially (±20% jitter from `random`), at least as long as the other
 * side's Retry-After, until the horizon since the first attempt.
 */
export function nextAttemptAt(
  result: DeliveryResult,
  attempts: number,
  firstAttemptAt: Date,
  now: Date,
  policy: RetryPolicy = DEFAULT_RETRY,
  random: () => number = Math.random,
): Date | null {
  if (result.ok || result.errorKind === 'permanent') return null
  const exp = Math.min(policy.maxDelayMs, policy.baseMs * policy.factor ** Math.max(0, attempts - 1))
  const delay = Math.max(Math.round(exp * (0.8 + 0.4 * random())), result.retryAfterMs ?? 0)
  const at = now.getTime() + delay
  if (at > firstAttemptAt.getTime() + policy.horizonMs) return null
  return new Date(at)
}

/** Attempts kept per delivery record (the first ones and the latest). */
const MAX_ATTEMPTS_KEPT = 20

/** The delivery record after one attempt: delivered, waiting for a retry, or failed (with why). */
export function recordAttempt(
  record: DeliveryRecord,
  result: DeliveryResult,
  now: Date,
  policy: RetryPolicy = DEFAULT_RETRY,
  random: () => number = Math.random,
): DeliveryRecord {
  const attempt = {
    at: now.toISOString(),
    ok: result.ok,
    latencyMs: result.latencyMs,
    statusCode: result.statusCode,
    errorKind: result.ok ? null : result.errorKind,
    error: result.ok ? null : result.error,
  }
  const all = [...record.attempts, attempt]
  const attempts = all.length > MAX_ATTEMPTS_KEPT ? [...all.slice(0, 5), ...all.slice(-(MAX_ATTEMPTS_KEPT - 5))] : all
  const tried = record.attempts.length + 1
  if (result.ok)
    return {
      ...record,
      attempts,
      status: result.skipped ? 'skipped' : 'delivered',
      nextAttemptAt: null,
      deliveredAt: result.skipped ? null : now.toISOString(),
      note: result.skipped ? result.detail : null,
    }
  const first = record.attempts[0] ? new Date(record.attempts[0].at) : now
  const next = nextAttemptAt(result, tried, first, now, policy, random)
  if (next) return { ...record, attempts, status: 'pending', nextAttemptAt: next.toISOString(), note: result.error }
  const why =
    result.errorKind === 'permanent'
      ? result.error
      : `Gave up after ${tried} attempts over ${Math.round((now.getTime() - first.getTime()) / 3600_000)} h: ${result.error}`
  return { ...record, attempts, status: 'failed', nextAttemptAt: null, note: why }
}

// ── Channel health ─────────────────────────────────────────────────────────────────────────────

/**
 * A channel that keeps failing is disabled (with an alert saying so): its last `n` deliveries all
 * failed, or it has not delivered anything for the retry horizon while attempts kept failing.
 */
export function channelKeepsFailing(
  recent: Pick<DeliveryRecord, 'status' | 'attempts'>[],
  now: Date,
  opts: { consecutive: number; horizonMs: number } = { consecutive: 10, horizonMs: DEFAULT_RETRY.horizonMs },
): boolean {
  const finished = recent.filter((r) => r.status === 'delivered' || r.status === 'failed')
  const lastN = finished.slice(-opts.consecutive)
  if (lastN.length === opts.consecutive && lastN.every((r) => r.status === 'failed')) return true
  const attempts = recent.flatMap((r) => r.attempts).sort((a, b) => a.at.localeCompare(b.at))
  const lastOk = [...attempts].reverse().find((a) => a.ok)
  const since = lastOk ? Date.parse(lastOk.at) : attempts[0] ? Date.parse(attempts[0].at) : null
  const lastFailed = attempts.length > 0 && !attempts[attempts.length - 1]!.ok
  return since !== null && lastFailed && now.getTime() - since >= opts.horizonMs
}
