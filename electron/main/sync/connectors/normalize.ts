import { z } from 'zod'
import { decimalToMicros } from '../../../../shared/domain/money'
import { addDays, daysBetween, fromEpochDay, toEpochDay } from '../../../../shared/domain/dates'
import type { EntityStatus, Objective, PlatformId } from '../../../../shared/domain/entities'
import { BATCH_VALUES, selectRows, type DailyBatch } from './daily-batch'
import { ConnectorError } from './types'

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
 *
 * Repeats are rare (only after a split or a platform fault), so the common path costs one map
 * lookup per distinct ad of a batch and a bit test per row; the (ad, day) -> row lookup needed to
 * compare numbers is built only at the first repeat. Each batch's days and values are copied (a
 * few memcpy) so the yielded batch may be transferred to another thread meanwhile.
 */
export class SeenRows {
  private readonly adIndex = new Map<string, number>()
  private readonly base: number
  private readonly span: number
  private readonly words: number
  private masks = new Uint32Array(0)
  private readonly kept: { g: Int32Array; day: Int32Array; values: Float64Array }[] = []
  /** First occurrence of each (ad, day) by key: [batch, row]; built at the first in-window repeat. */
  private lookup: Map<number, [number, number]> | null = null
  /** Rows dated outside [from, to] (never expected): always looked up. */
  private readonly outside = new Map<number, [number, number]>()

  constructor(
    private readonly platform: PlatformId,
    from: string,
    to: string,
  ) {
    this.base = toEpochDay(from)
    this.span = Math.max(1, daysBetween(from, to) + 1)
    this.words = Math.ceil(this.span / 32)
  }

  private key(g: number, day: number): number {
    return g * 16_777_216 + (day - this.base + 8_388_608)
  }

  /** The rows of `b` not yet yielded (`b` itself when nothing repeats); throws invalid_response on a conflicting duplicate ad-day. */
  fresh(b: DailyBatch): DailyBatch {
    const n = b.n
    const l2g = new Int32Array(b.ads.length)
    for (let k = 0; k < b.ads.length; k++) {
      const id = b.ads[k] as string
      let g = this.adIndex.get(id)
      if (g === undefined) {
        g = this.adIndex.size
        this.adIndex.set(id, g)
      }
      l2g[k] = g
    }
    const need = this.adIndex.size * this.words
    if (need > this.masks.length) {
      const grown = new Uint32Array(Math.max(need, this.masks.length * 2))
      grown.set(this.masks)
      this.masks = grown
    }
    const bi = this.kept.length
    const g = new Int32Array(n)
    const masks = this.masks
    let keep: Uint8Array | null = null
    for (let i = 0; i < n; i++) {
      const gi = l2g[b.ad[i] as number] as number
      g[i] = gi
      const day = b.day[i] as number
      const off = day - this.base
      let prev: [number, number] | undefined
      if (off >= 0 && off < this.span) {
        const w = gi * this.words + (off >>> 5)
        const bit = 1 << (off & 31)
        if (((masks[w] as number) & bit) === 0) {
          masks[w] = (masks[w] as number) | bit
          this.lookup?.set(this.key(gi, day), [bi, i])
          continue
        }
        prev = (this.lookup ?? this.buildLookup(b, g, i)).get(this.key(gi, day))
      } else {
        prev = this.outside.get(this.key(gi, day))
        if (prev === undefined) {
          this.outside.set(this.key(gi, day), [bi, i])
          continue
        }
      }
      if (prev === undefined) throw new Error('SeenRows: repeat without a first occurrence')
      const pv = prev[0] === bi ? b.values : (this.kept[prev[0]] as { values: Float64Array }).values
      if (!sameValues(pv, prev[1], b.values, i))
        throw new ConnectorError(
          'invalid_response',
          this.platform,
          `The platform returned ad ${b.ads[b.ad[i] as number]} on ${fromEpochDay(day)} twice with different values`,
          { code: 'duplicate_ad_day' },
        )
      if (!keep) keep = new Uint8Array(n).fill(1)
      keep[i] = 0
    }
    this.kept.push({ g, day: b.day.slice(), values: b.values.slice() })
    return keep ? selectRows(b, keep) : b
  }

  /** (ad, day) -> first row, over the batches kept so far and rows [0, upto) of the current one. */
  private buildLookup(b: DailyBatch, g: Int32Array, upto: number): Map<number, [number, number]> {
    const lookup = new Map<number, [number, number]>()
    const add = (bi: number, gs: Int32Array, days: Int32Array, count: number): void => {
      for (let r = 0; r < count; r++) {
        const day = days[r] as number
        const off = day - this.base
        if (off < 0 || off >= this.span) continue
        const k = this.key(gs[r] as number, day)
        if (!lookup.has(k)) lookup.set(k, [bi, r])
      }
    }
    this.kept.forEach((kb, bi) => add(bi, kb.g, kb.day, kb.g.length))
    add(this.kept.length, g, b.day, upto)
    this.lookup = lookup
    return lookup
  }
}

function sameValues(a: Float64Array, ai: number, b: Float64Array, bi: number): boolean {
  const ao = ai * BATCH_VALUES
  const bo = bi * BATCH_VALUES
  for (let k = 0; k < BATCH_VALUES; k++) if (a[ao + k] !== b[bo + k]) return false
  return true
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
