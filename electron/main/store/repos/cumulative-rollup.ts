import { addDays, daysBetween, fromEpochDay, startOfMonth, toEpochDay } from '../../../../shared/domain/dates'
import type { Sqlite } from '../db'

/**
 * Values per campaign-day in a CampaignDays matrix and per campaign in a campaign_cum row: spend
 * micros, impressions, clicks, conversions, conversion value micros, video views.
 */
export const CUM_N = 6
const CONV = 3

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6

/**
 * Campaign-day sums of one account over [from, from + span): per campaign a Float64Array of
 * span x CUM_N values (spend micros, impressions, clicks, conversions, value micros, video views)
 * indexed by day offset. Built in memory by the sync's chunk writer (no read-back) or from
 * `daily_metrics`.
 */
export class CampaignDays {
  readonly daily = new Map<number, Float64Array>()
  readonly fromDay: number

  constructor(
    readonly from: string,
    readonly span: number,
  ) {
    this.fromDay = toEpochDay(from)
  }

  /** Round every campaign-day's conversions to 1e-6, as every rollup keeps them (after summing rows). */
  roundConversions(): void {
    for (const arr of this.daily.values())
      for (let k = CONV; k < arr.length; k += CUM_N) arr[k] = round6(arr[k] as number)
  }

  /** The campaign's row (created zeroed); write values at `off * CUM_N`. */
  row(campaignId: number): Float64Array {
    let arr = this.daily.get(campaignId)
    if (!arr) {
      arr = new Float64Array(this.span * CUM_N)
      this.daily.set(campaignId, arr)
    }
    return arr
  }
}

/** One account-day of running totals: campaign ids ascending, CUM_N sums per campaign (same order). */
export interface CumDay {
  ids: Int32Array
  sums: Float64Array
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

function requireLittleEndian(): void {
  // The blobs are the typed arrays' bytes; every platform Electron ships for is little-endian.
  if (!LITTLE_ENDIAN) throw new Error('campaign_cum blobs are little-endian; this host is big-endian')
}

/** The bytes of a typed array as a Buffer (no copy; SQLite copies bound blobs). */
function bytesOf(a: Int32Array | Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength)
}

/** A stored account-day row back into arrays; throws on blobs that do not fit together. */
export function unpackCum(accountId: number, date: string, ids: Uint8Array, sums: Uint8Array): CumDay {
  requireLittleEndian()
  const n = ids.byteLength / 4
  if (!Number.isInteger(n) || sums.byteLength !== n * CUM_N * 8)
    throw new Error(
      `campaign_cum of account ${accountId} on ${date} is damaged (${ids.byteLength} id bytes, ${sums.byteLength} sum bytes): rebuild it with a full re-sync`,
    )
  // Typed-array views need aligned offsets; blobs from the driver normally start at 0.
  const idBytes = ids.byteOffset % 4 === 0 ? ids : ids.slice()
  const sumBytes = sums.byteOffset % 8 === 0 ? sums : sums.slice()
  return {
    ids: new Int32Array(idBytes.buffer, idBytes.byteOffset, n),
    sums: new Float64Array(sumBytes.buffer, sumBytes.byteOffset, n * CUM_N),
  }
}

/**
 * Reads running totals. They restart on the first of every month: the row of (account, d) holds
 * each campaign's sums over [first of d's month, d], for the campaigns with activity in that month
 * by d. So a row never carries a campaign that stopped before its month, whatever the account's
 * history (issue 12: the store must not grow with campaigns ever seen x days). Rows are written
 * densely within a month from the account's first active day in it; a day without a row carries
 * the last totals before it in the same month, and a month without rows is all zero.
 */
export class CumulativeReader {
  private readonly atOrBefore

  constructor(sqlite: Sqlite) {
    this.atOrBefore = sqlite
      .prepare(
        'SELECT campaign_ids, sums FROM campaign_cum WHERE account_id = ? AND date BETWEEN ? AND ? ORDER BY date DESC LIMIT 1',
      )
      .raw()
  }

  /** Running totals over [first of the month, `date`] (account-local), or null when none (all zero). */
  at(accountId: number, date: string): CumDay | null {
    const r = this.atOrBefore.get(accountId, startOfMonth(date), date) as [Uint8Array, Uint8Array] | undefined
    return r ? unpackCum(accountId, date, r[0], r[1]) : null
  }

  /**
   * The two rows whose difference is each campaign's sums over [from, to], a range inside one month:
   * `hi` at `to`, `lo` the day before `from` (null when `from` is the first of the month).
   */
  piece(accountId: number, from: string, to: string): { hi: CumDay | null; lo: CumDay | null } {
    if (startOfMonth(from) !== startOfMonth(to) || from > to)
      throw new Error(`A running-total piece is a range inside one month: ${from}..${to}`)
    const hi = this.at(accountId, to)
    return { hi, lo: hi && from !== startOfMonth(from) ? this.at(accountId, addDays(from, -1)) : null }
  }

  /**
   * Per-campaign sums over any range [from, to] (month pieces added), CUM_N values each, in
   * ascending id order within each month; conversions unrounded (callers round once at the end).
   */
  rangeSums(accountId: number, from: string, to: string): Map<number, Float64Array> {
    const out = new Map<number, Float64Array>()
    for (const [a, b] of monthSplits(from, to)) {
      const { hi, lo } = this.piece(accountId, a, b)
      if (!hi) continue
      let j = 0
      for (let i = 0; i < hi.ids.length; i++) {
        const id = hi.ids[i] as number
        while (lo && j < lo.ids.length && (lo.ids[j] as number) < id) j++
        const acc = out.get(id) ?? new Float64Array(CUM_N)
        out.set(id, acc)
        for (let k = 0; k < CUM_N; k++) {
          const before = lo && lo.ids[j] === id ? (lo.sums[j * CUM_N + k] as number) : 0
          acc[k] = (acc[k] as number) + (hi.sums[i * CUM_N + k] as number) - before
        }
      }
    }
    return out
  }
}

/** [from, to] cut at month boundaries: the ranges running totals are read over. */
export function monthSplits(from: string, to: string): [string, string][] {
  const out: [string, string][] = []
  for (let m = startOfMonth(from); m <= to; m = nextMonth(m)) {
    const end = addDays(nextMonth(m), -1)
    out.push([m < from ? from : m, end < to ? end : to])
  }
  return out
}

/** The first day of the month after `month`'s (YYYY-MM-01). */
function nextMonth(date: string): string {
  const y = Number(date.slice(0, 4))
  const m = Number(date.slice(5, 7))
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`
}

/**
 * Maintains `campaign_cum` (per-campaign running totals that restart every month, one packed row
 * per account-day; see CumulativeReader). `campaign_daily` is a view over `daily_metrics`; this
 * table serves range totals per campaign. Runs inside the caller's write transaction after
 * `daily_metrics` and `account_daily` of the span were rewritten; idempotent.
 */
export class CumulativeRollup {
  private readonly lastDay
  private readonly reader
  private readonly dailyRows
  private readonly del
  private readonly ins

  constructor(sqlite: Sqlite) {
    this.lastDay = sqlite.prepare('SELECT max(date) FROM account_daily WHERE account_id = ?').pluck()
    this.reader = new CumulativeReader(sqlite)
    // The rows in key order (account, date, ad), summed per campaign-day in memory: no grouping sort.
    this.dailyRows = sqlite
      .prepare(
        `SELECT date, campaign_id, spend_micros, impressions, clicks, conversions, conversion_value_micros, video_views
         FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ?`,
      )
      .raw()
    this.del = sqlite.prepare('DELETE FROM campaign_cum WHERE account_id = ? AND date >= ?')
    this.ins = sqlite.prepare('INSERT INTO campaign_cum (account_id, date, campaign_ids, sums) VALUES (?, ?, ?, ?)')
  }

  /** The account's last day with rows (account_daily), or null. */
  lastDate(accountId: number): string | null {
    return this.lastDay.get(accountId) as string | null
  }

  /**
   * Add the account's rows of [from, to] into `days` (summed per campaign-day; call
   * `days.roundConversions()` once every window is in). Lets a caller read a long span in short
   * windows and then `refresh` with it as `known`.
   */
  accumulate(days: CampaignDays, accountId: number, from: string, to: string): void {
    let lastDate = ''
    let o = 0
    for (const r of this.dailyRows.iterate(accountId, from, to) as Iterable<(number | string)[]>) {
      if (r[0] !== lastDate) {
        lastDate = r[0] as string
        o = toEpochDay(lastDate) - days.fromDay
      }
      const arr = days.row(r[1] as number)
      const k = o * CUM_N
      for (let m = 0; m < CUM_N; m++) arr[k + m] = (arr[k + m] as number) + (r[2 + m] as number)
    }
  }

  /**
   * Recompute the account's running totals from `from` (account-local date) to its last day. With
   * `known` starting at `from` and covering through the account's last day (a backfill appends
   * oldest first), the daily values come from memory instead of being read back.
   */
  refresh(accountId: number, from: string, known?: CampaignDays): void {
    if (!Number.isSafeInteger(accountId)) throw new Error(`Not an account id: ${accountId}`)
    requireLittleEndian()
    this.del.run(accountId, from)
    const last = this.lastDay.get(accountId) as string | null
    if (last === null || last < from) return
    const span = daysBetween(from, last) + 1
    // Running totals carried in from earlier days of `from`'s month (none on the first of a month).
    const empty = { ids: new Int32Array(0), sums: new Float64Array(0) }
    const base = from === startOfMonth(from) ? empty : (this.reader.at(accountId, addDays(from, -1)) ?? empty)
    let days: CampaignDays
    if (known && known.from === from && known.span >= span) days = known
    else {
      days = new CampaignDays(from, span)
      this.accumulate(days, accountId, from, last)
      days.roundConversions()
    }
    // Every campaign of the base row or the span, ascending.
    const baseIndex = new Map<number, number>()
    for (let i = 0; i < base.ids.length; i++) baseIndex.set(base.ids[i] as number, i)
    const merged = [...base.ids]
    for (const id of days.daily.keys()) if (!baseIndex.has(id)) merged.push(id)
    const ids = Int32Array.from(merged).sort()
    const n = ids.length
    const daily: (Float64Array | undefined)[] = ids.length ? Array.from(ids, (id) => days.daily.get(id)) : []
    // Per campaign: running totals of the current month, and the offset it joins the month's rows
    // (its first day with activity in the month; day 0 for the campaigns carried in).
    const runs = new Float64Array(n * CUM_N)
    const starts = new Int32Array(n)
    let active = new Int32Array(0)
    let idBytes = bytesOf(new Int32Array(0))
    let monthStart = 0
    let monthEnd = 0
    // How many campaigns join the month's rows on each of its days (the id list is rebuilt then).
    let joins = new Int32Array(0)
    for (let off = 0; off < span; off++) {
      if (off === monthEnd) {
        // A new month (or the span's first day): totals restart, campaigns join on their first
        // day with activity in it.
        const date = fromEpochDay(days.fromDay + off)
        monthEnd = Math.min(span, off + daysBetween(date, addDays(nextMonth(date), -1)) + 1)
        monthStart = off
        joins = new Int32Array(monthEnd - off)
        for (let i = 0; i < n; i++) {
          let start = monthEnd
          if (off === 0 && baseIndex.has(ids[i] as number)) {
            const at = baseIndex.get(ids[i] as number) as number
            runs.set(base.sums.subarray(at * CUM_N, (at + 1) * CUM_N), i * CUM_N)
            start = 0
          } else {
            runs.fill(0, i * CUM_N, (i + 1) * CUM_N)
            const d = daily[i]
            if (d)
              for (let o = off; o < monthEnd; o++) {
                const k = o * CUM_N
                if (d[k] || d[k + 1] || d[k + 2] || d[k + 3] || d[k + 4] || d[k + 5]) {
                  start = o
                  break
                }
              }
          }
          starts[i] = start
          if (start < monthEnd) joins[start - off] = (joins[start - off] as number) + 1
        }
        active = new Int32Array(0)
      }
      if (joins[off - monthStart]) {
        const list: number[] = []
        for (let i = 0; i < n; i++) if ((starts[i] as number) <= off) list.push(i)
        active = Int32Array.from(list)
        idBytes = bytesOf(Int32Array.from(list, (i) => ids[i] as number))
      }
      if (!active.length) continue
      const sums = new Float64Array(active.length * CUM_N)
      const o = off * CUM_N
      for (let k = 0; k < active.length; k++) {
        const i = active[k] as number
        const r = i * CUM_N
        const d = daily[i]
        if (d) {
          runs[r] = (runs[r] as number) + (d[o] as number)
          runs[r + 1] = (runs[r + 1] as number) + (d[o + 1] as number)
          runs[r + 2] = (runs[r + 2] as number) + (d[o + 2] as number)
          runs[r + 3] = (runs[r + 3] as number) + (d[o + 3] as number)
          runs[r + 4] = (runs[r + 4] as number) + (d[o + 4] as number)
          runs[r + 5] = (runs[r + 5] as number) + (d[o + 5] as number)
        }
        const w = k * CUM_N
        sums[w] = runs[r] as number
        sums[w + 1] = runs[r + 1] as number
        sums[w + 2] = runs[r + 2] as number
        sums[w + CONV] = round6(runs[r + CONV] as number)
        sums[w + 4] = runs[r + 4] as number
        sums[w + 5] = runs[r + 5] as number
      }
      this.ins.run(accountId, fromEpochDay(days.fromDay + off), idBytes, bytesOf(sums))
    }
  }
}

/**
 * Rebuild the running totals of accounts that have day rows but none (after migration 0004, which
 * repacked the table, or a rebuild a crash interrupted: it is one transaction). Cheap when nothing
 * is missing: both sides are read by key only.
 */
export function rebuildMissingCampaignCum(sqlite: Sqlite): void {
  const missing = sqlite
    .prepare(
      `SELECT account_id, min(date) FROM account_daily GROUP BY account_id
       HAVING NOT EXISTS (SELECT 1 FROM campaign_cum c WHERE c.account_id = account_daily.account_id)`,
    )
    .raw()
    .all() as [number, string][]
  if (!missing.length) return
  const rollup = new CumulativeRollup(sqlite)
  sqlite
    .transaction(() => {
      for (const [accountId, first] of missing) rollup.refresh(accountId, first)
    })
    .immediate()
}
