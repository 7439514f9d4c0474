import { z } from 'zod'
import { decimalToMicros } from '../../../../shared/domain/money'
import { addDays, daysBetween } from '../../../../shared/domain/dates'
import type { CreativeFormat, EntityStatus, Objective, PlatformId } from '../../../../shared/domain/entities'
import { ConnectorError, type RemoteDailyRow } from './types'

/** Platform status words to ours (ACTIVE/ENABLED/ENABLE -> active, ...). Unknown -> null. */
export function normaliseStatus(raw: string | null | undefined): EntityStatus | null {
  if (!raw) return null
  const s = raw.toUpperCase().replace(/^(CAMPAIGN|ADGROUP|AD)_STATUS_/, '')
  if (s === 'ACTIVE' || s === 'ENABLED' || s === 'ENABLE') return 'active'
  if (s === 'PAUSED' || s === 'DISABLE' || s === 'DISABLED') return 'paused'
  if (s === 'ARCHIVED' || s === 'DELETED' || s === 'DELETE' || s === 'REMOVED') return 'archived'
  // Meta effective statuses (used when `status` is absent): paused by a parent, or set active.
  if (s.endsWith('_PAUSED')) return 'paused'
  if (/^(IN_PROCESS|WITH_ISSUES|PENDING_REVIEW|DISAPPROVED|PREAPPROVED|PENDING_BILLING_INFO)$/.test(s)) return 'active'
  return null
}

/** Like normaliseStatus but a specific error for a status we cannot map. */
export function requireStatus(platform: PlatformId, raw: string | null | undefined, what: string): EntityStatus {
  const s = normaliseStatus(raw)
  if (s === null)
    throw new ConnectorError('invalid_response', platform, `${what}: unknown status ${JSON.stringify(raw)}`)
  return s
}

const OBJECTIVE_WORDS: [RegExp, Objective][] = [
  [/APP/, 'app_installs'],
  [/LEAD/, 'leads'],
  [/SALES|CONVERSION|PURCHASE|CATALOG|SHOPPING|STORE/, 'sales'],
  [/TRAFFIC|LINK_CLICK|CLICK/, 'traffic'],
  [/AWARENESS|REACH|VIDEO|ENGAGEMENT|BRAND/, 'awareness'],
]

/**
 * Platform objective names (Meta OUTCOME_SALES, TikTok PRODUCT_SALES, Snapchat WEB_CONVERSION...)
 * into OBJECTIVES. Anything unrecognised counts as awareness: an objective never blocks a sync.
 */
export function normaliseObjective(raw: string | null | undefined): Objective {
  const s = (raw ?? '').toUpperCase()
  for (const [re, o] of OBJECTIVE_WORDS) if (re.test(s)) return o
  return 'awareness'
}

/** Type guard for our normalised creative formats. */
export function isCreativeFormat(v: string): v is CreativeFormat {
  return v === 'image' || v === 'video' || v === 'carousel' || v === 'collection'
}

/** A count that platforms encode as "185", "116.0", 185 or null (null/absent -> 0). */
export function parseCount(v: string | number | null | undefined): number {
  if (v === null || v === undefined || v === '') return 0
  const n = typeof v === 'number' ? v : Number(v)
  if (typeof v === 'string' && !/^-?\d+(\.\d+)?$/.test(v.trim())) throw new Error(`Not a count: ${JSON.stringify(v)}`)
  if (!Number.isFinite(n)) throw new Error(`Not a count: ${JSON.stringify(v)}`)
  return n
}

const PLAIN_AMOUNT = /^(\d{1,9})(?:\.(\d{1,6}))?$/

/**
 * `decimalToMicros` with an exact integer fast path for the common plain amounts ("12.34": at
 * most 9 whole and 6 fraction digits, so every step stays an exact double); anything else
 * (signs, spaces, more digits, numbers) goes through `decimalToMicros` and its errors.
 */
export function amountToMicros(v: string | number): number {
  if (typeof v === 'string') {
    const m = PLAIN_AMOUNT.exec(v)
    if (m) {
      const frac = m[2]
      return Number(m[1]) * 1_000_000 + (frac ? Number(frac) * 10 ** (6 - frac.length) : 0)
    }
  }
  return decimalToMicros(v)
}

/** Strict integer count ("10505.0" ok, "10.5" refused). */
export function parseIntCount(v: string | number | null | undefined): number {
  const n = parseCount(v)
  if (!Number.isInteger(n)) throw new Error(`Not an integer count: ${JSON.stringify(v)}`)
  return n
}

/** A JSON value that is an id: string or (already big-int-safe) number -> string. */
export const IdSchema = z.union([z.string(), z.number()]).transform((v) => String(v))
/** A numeric field encoded as string, number or null. */
export const NumLike = z.union([z.string(), z.number(), z.null()]).optional()

/** Wrap a row-normalisation failure into a specific invalid_response error. */
export function rowError(platform: PlatformId, what: string, e: unknown): ConnectorError {
  if (e instanceof ConnectorError) return e
  return new ConnectorError('invalid_response', platform, `${what}: ${e instanceof Error ? e.message : String(e)}`)
}

/** [from, to] cut into consecutive windows of at most `days` days. */
export function splitWindows(from: string, to: string, days: number): [string, string][] {
  const out: [string, string][] = []
  for (let a = from; daysBetween(a, to) >= 0; a = addDays(a, days)) {
    const b = addDays(a, days - 1)
    out.push([a, daysBetween(b, to) < 0 ? to : b])
  }
  return out
}

/** Halves of [from, to] (at least one day each); null for a single day. */
export function halve(from: string, to: string): [[string, string], [string, string]] | null {
  const span = daysBetween(from, to)
  if (span < 1) return null
  const mid = addDays(from, Math.floor(span / 2))
  return [
    [from, mid],
    [addDays(mid, 1), to],
  ]
}

/**
 * Exactly-once guard for one date window: a window that is split after some pages were yielded
 * (too large mid-way) re-reads rows already handed out; identical re-reads are dropped here. The
 * same ad-day with different numbers is a platform error (e.g. an unexpected breakdown), never
 * silently dropped.
 */
export class SeenRows {
  private readonly seen = new Map<string, RemoteDailyRow>()

  constructor(private readonly platform: PlatformId) {}

  /** Rows not yet yielded; throws invalid_response on a conflicting duplicate ad-day. */
  fresh(rows: RemoteDailyRow[]): RemoteDailyRow[] {
    const out: RemoteDailyRow[] = []
    for (const r of rows) {
      const k = `${r.adExternalId}|${r.date}`
      const prev = this.seen.get(k)
      if (prev !== undefined && sameNumbers(prev, r)) continue
      if (prev !== undefined)
        throw new ConnectorError(
          'invalid_response',
          this.platform,
          `The platform returned ad ${r.adExternalId} on ${r.date} twice with different values`,
          { code: 'duplicate_ad_day' },
        )
      this.seen.set(k, r)
      out.push(r)
    }
    return out
  }
}

function sameNumbers(a: RemoteDailyRow, b: RemoteDailyRow): boolean {
  return (
    a.spendMicros === b.spendMicros &&
    a.impressions === b.impressions &&
    a.clicks === b.clicks &&
    a.reach === b.reach &&
    a.conversions === b.conversions &&
    a.conversionValueMicros === b.conversionValueMicros &&
    a.videoViews === b.videoViews
  )
}

/** Raised when a write-back was accepted but reading the object back shows another value. */
export class WriteNotAppliedError extends ConnectorError {
  constructor(platform: PlatformId, message: string) {
    super('invalid_response', platform, message, { code: 'write_not_applied' })
    this.name = 'WriteNotAppliedError'
  }
}

/** Throw WriteNotAppliedError unless `actual` equals `expected`. */
export function assertApplied<T>(platform: PlatformId, what: string, expected: T, actual: T): void {
  if (expected !== actual)
    throw new WriteNotAppliedError(
      platform,
      `${what}: the platform accepted the change but reads back ${JSON.stringify(actual)} instead of ${JSON.stringify(expected)}`,
    )
}

/** Validate list items one by one so a bad item is named (invalid_response, not retried). */
export function parseItems<T>(platform: PlatformId, data: unknown[], item: z.ZodType<T>, what: string): T[] {
  return data.map((d, i) => {
    const p = item.safeParse(d)
    if (!p.success) {
      const issue = p.error.issues[0]
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape'
      throw new ConnectorError('invalid_response', platform, `${what}: item ${i} ${where}`, { code: 'invalid_shape' })
    }
    return p.data
  })
}
