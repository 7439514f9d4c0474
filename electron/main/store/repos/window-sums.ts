import { addDays, daysBetween, endOfMonth, startOfMonth } from '../../../../shared/domain/dates'
import { accountDataMark } from './ad-month-rollup'
import type { Sqlite } from '../db'
import { inChunks } from '../id-lists'
import { runSteps } from '../../scheduler/slices'
import { monthSplits } from './cumulative-rollup'

/** Sums of one ad set or campaign over a window (micros of the account currency), as rows carry them. */
export interface EntityWindow {
  id: number
  campaignId: number
  /** Days with at least one row of the entity in the window. */
  days: number
  spendMicros: number
  revenueMicros: number
  conversions: number
  impressions: number
  clicks: number
  /** Sum of daily reach. */
  reach: number
}

/** Per-ad-set and per-campaign sums of one window, each map in ascending id order. */
export interface WindowTotals {
  adSets: Map<number, EntityWindow>
  campaigns: Map<number, EntityWindow>
}

/** Per ad set of a range or month: campaign, day set and the six sums. */
interface Part {
  campaignId: number
  /** Days with rows as bits from the piece's first day (bit k: day k); null: not known (read exactly). */
  mask: number | null
  v: Float64Array
}

/** spend, revenue, conversions, impressions, clicks, reach */
const N = 6
const CONV = 2

/**
 * A month is read from `ad_month` instead of its days when that skips at least this many days
 * of ad rows (a month's rows are about one day's worth of ad rows, plus their grouping).
 */
const MONTH_COST_DAYS = 3

/** Days of ad rows one step reads (a step stays well under 50 ms at 10,000 campaigns). */
const RANGE_STEP_DAYS = 2

/** Set bits of a day mask (masks span at most 31 days, one month: bits 0..30, non-negative int32). */
const popcount = (x: number): number => {
  let n = 0
  for (let v = x; v !== 0; v &= v - 1) n++
  return n
}

/** Bits [lo, hi] set (0 <= lo <= hi <= 30). */
const bits = (lo: number, hi: number): number => (hi < lo ? 0 : 2 ** (hi + 1) - 2 ** lo)

/**
 * Sums per ad set and per campaign of one account over several windows, read mostly from the
 * maintained monthly rollup: a window's piece in a month is read from `daily_metrics` when it is
 * short, else as the month's `ad_month` sums minus the month's other days (read from
 * `daily_metrics`; ranges read once for all windows), so a 28-day window reads a few days of ad
 * rows instead of 28 (issue 16: `generate_s` at 10,000 campaigns; grouping every window's ad rows
 * was 4.5 s of 15 s in a profile of two generations). Day counts stay exact: an ad set's days in a
 * month are one unbroken run when each of its ads has a row on every day from its first to its
 * last and no ad starts after all earlier ones ended (`ad_month` has each ad's days and first and
 * last day); the ad sets where that does not hold are counted from their rows. A campaign's days
 * are the union of its ad sets' days (bit masks per month). The same numbers as grouping the
 * window's ad rows (`window-sums.test.ts`), conversions to 1e-6.
 *
 * `steps` is a generator: one bounded read per step, so a caller can give the event loop a turn
 * between them.
 */
export class WindowSumsReader {
  constructor(private readonly sqlite: Sqlite) {}

  private span(accountId: number): { first: string; last: string } | null {
    const r = this.sqlite
      .prepare('SELECT min(date), max(date) FROM account_daily WHERE account_id = ?')
      .raw()
      .get(accountId) as [string | null, string | null]
    return r[0] !== null && r[1] !== null ? { first: r[0], last: r[1] } : null
  }

  /**
   * Per ad set over [from, to] (inside one month: a day's bit is its day of the month minus
   * `from`'s), optionally only some ad sets, with day masks.
   */
  private range(accountId: number, from: string, to: string, only?: number[]): Map<number, Part> {
    const out = new Map<number, Part>()
    const read = (filter: string, bind: number[]): unknown[][] =>
      this.sqlite
        .prepare(
          `SELECT ad_set_id, campaign_id,
             sum(DISTINCT 1 << (CAST(substr(date, 9, 2) AS INTEGER) - ?)),
             sum(spend_micros), sum(conversion_value_micros), sum(conversions), sum(impressions), sum(clicks), sum(reach)
           FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ? ${filter}
           GROUP BY ad_set_id, campaign_id`,
        )
        .raw()
        .all(Number(from.slice(8, 10)), accountId, from, to, ...bind) as unknown[][]
    const rows = only ? inChunks(only, (chunk, m) => read(`AND ad_set_id IN (${m})`, chunk)) : read('', [])
    for (const r of rows) {
      const v = new Float64Array(N)
      for (let k = 0; k < N; k++) v[k] = r[3 + k] as number
      out.set(r[0] as number, { campaignId: r[1] as number, mask: r[2] as number, v })
    }
    return out
  }

  /** Per ad set of one month (ad_month): sums, and the day mask from the month's first day when known. */
  private month(accountId: number, month: string): Map<number, Part> {
    const out = new Map<number, Part>()
    const m0 = `${month}-01`
    // Per ad: its day run is whole when it has a row on every day from its first to its last
    // (`dense`); a gap between an ad set's runs shows as an ad starting after every earlier-starting
    // ad has ended (`gap`). Whole runs and no gap: the ad set has rows on every day of its span.
    const rows = this.sqlite
      .prepare(
        `SELECT ad_set_id, campaign_id, min(first_date), max(last_date), min(dense) AND NOT max(gap),
           sum(spend_micros), sum(conversion_value_micros), sum(conversions), sum(impressions), sum(clicks), sum(reach)
         FROM (
           SELECT ad_set_id, campaign_id, first_date, last_date,
             days = julianday(last_date) - julianday(first_date) + 1 AS dense,
             coalesce(julianday(first_date) > 1 + max(julianday(last_date)) OVER (
               PARTITION BY ad_set_id ORDER BY first_date ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS gap,
             spend_micros, conversion_value_micros, conversions, impressions, clicks, reach
           FROM ad_month WHERE account_id = ? AND month = ?)
         GROUP BY ad_set_id, campaign_id`,
      )
      .raw()
      .all(accountId, month) as unknown[][]
    for (const r of rows) {
      const lo = daysBetween(m0, r[2] as string)
      const hi = daysBetween(m0, r[3] as string)
      const v = new Float64Array(N)
      for (let k = 0; k < N; k++) v[k] = r[5 + k] as number
      out.set(r[0] as number, { campaignId: r[1] as number, mask: r[4] ? bits(lo, hi) : null, v })
    }
    return out
  }

  /**
   * Sums of each window (same order as `windows`), one bounded read per step. A piece can be a
   * month's sums minus the month's other days, read in different steps: each step reads on a
   * snapshot and first compares the account's data mark taken at the first step (`accountDataMark`);
   * if its metrics were written in between, the account is read again whole on one snapshot (in that
   * step), so month sums and day rows always come from one state of the account's data.
   */
  *steps(accountId: number, windows: { from: string; to: string }[]): Generator<void, WindowTotals[]> {
    const snapshot = <T>(fn: () => T): T => this.sqlite.transaction(fn).deferred()
    const it = this.stepsOnSnapshots(accountId, windows)
    let mark = 0
    const first = snapshot(() => {
      mark = accountDataMark(this.sqlite, accountId)
      return it.next()
    })
    if (first.done) return first.value
    for (;;) {
      yield
      const r = snapshot(() => (accountDataMark(this.sqlite, accountId) === mark ? it.next() : null))
      if (r === null) {
        it.return([])
        return snapshot(() => runSteps(this.stepsOnSnapshots(accountId, windows)))
      }
      if (r.done) return r.value
    }
  }

  /** `steps` without the data mark: each step's reads must be on one snapshot, all steps on the same state. */
  private *stepsOnSnapshots(
    accountId: number,
    windows: { from: string; to: string }[],
  ): Generator<void, WindowTotals[]> {
    const empty = (): WindowTotals[] => windows.map(() => ({ adSets: new Map(), campaigns: new Map() }))
    const span = this.span(accountId)
    if (!span) return empty()
    const ranges = new Map<string, Map<number, Part>>()
    const months = new Map<string, Map<number, Part>>()
    const rangeOf = function* (self: WindowSumsReader, from: string, to: string): Generator<void, Map<number, Part>> {
      const key = `${from}|${to}`
      let r = ranges.get(key)
      if (!r) {
        // A few days per read (one step each), their masks moved to the range's first day.
        r = new Map<number, Part>()
        for (let a = from, off = 0; a <= to; a = addDays(a, RANGE_STEP_DAYS), off += RANGE_STEP_DAYS) {
          const b = addDays(a, RANGE_STEP_DAYS - 1) < to ? addDays(a, RANGE_STEP_DAYS - 1) : to
          yield
          for (const [id, p] of self.range(accountId, a, b)) {
            const q = r.get(id)
            const mask = (p.mask as number) * 2 ** off
            if (!q) r.set(id, { ...p, mask })
            else {
              q.mask = (q.mask as number) | mask
              for (let k = 0; k < N; k++) q.v[k] = (q.v[k] as number) + (p.v[k] as number)
            }
          }
        }
        ranges.set(key, r)
      }
      return r
    }
    const out: WindowTotals[] = []
    for (const w of windows) {
      const adSets = new Map<number, EntityWindow>()
      const campaigns = new Map<number, EntityWindow>()
      const from = w.from > span.first ? w.from : span.first
      const to = w.to < span.last ? w.to : span.last
      for (const [a, b] of from <= to ? monthSplits(from, to) : []) {
        const m0 = startOfMonth(a)
        // The month's days with data, and the piece's length: read directly or subtract the rest?
        const mFrom = m0 > span.first ? m0 : span.first
        const mEnd = endOfMonth(a)
        const mTo = mEnd < span.last ? mEnd : span.last
        const len = daysBetween(a, b) + 1
        const rest = daysBetween(mFrom, mTo) + 1 - len
        let parts: Map<number, Part>
        if (len <= rest + MONTH_COST_DAYS) parts = yield* rangeOf(this, a, b)
        else {
          let month = months.get(m0)
          if (!month) {
            yield
            month = this.month(accountId, m0.slice(0, 7))
            months.set(m0, month)
          }
          const before = mFrom < a ? yield* rangeOf(this, mFrom, addDays(a, -1)) : null
          const after = b < mTo ? yield* rangeOf(this, addDays(b, 1), mTo) : null
          const off = daysBetween(m0, a)
          parts = new Map()
          const unknown: number[] = []
          for (const [id, p] of month) {
            const v = Float64Array.from(p.v)
            for (const o of [before, after]) {
              const q = o?.get(id)
              if (q) for (let k = 0; k < N; k++) v[k] = (v[k] as number) - (q.v[k] as number)
            }
            if (p.mask === null) unknown.push(id)
            else {
              // The ad set's days of the month moved to the piece's first day, cut at its last.
              const mask = (p.mask >>> off) & bits(0, len - 1)
              if (mask !== 0) parts.set(id, { campaignId: p.campaignId, mask, v })
            }
          }
          if (unknown.length) {
            yield
            for (const [id, p] of this.range(accountId, a, b, unknown)) parts.set(id, p)
          }
        }
        addPiece(parts, adSets, campaigns)
      }
      for (const m of [adSets, campaigns])
        for (const e of m.values()) e.conversions = Math.round(e.conversions * 1e6) / 1e6
      out.push({ adSets: sortedById(adSets), campaigns: sortedById(campaigns) })
    }
    return out
  }

  /** `steps` run to the end at once. */
  read(accountId: number, windows: { from: string; to: string }[]): WindowTotals[] {
    return runSteps(this.steps(accountId, windows))
  }
}

/** Add one month piece (ad sets with rows in it) into the window's ad-set and campaign sums. */
function addPiece(parts: Map<number, Part>, adSets: Map<number, EntityWindow>, campaigns: Map<number, EntityWindow>) {
  const campaignMasks = new Map<number, number>()
  for (const [id, p] of parts) {
    const days = popcount(p.mask as number)
    if (days === 0) continue
    for (const [key, m] of [
      [id, adSets],
      [p.campaignId, campaigns],
    ] as const) {
      let e = m.get(key)
      if (!e) {
        e = {
          id: key,
          campaignId: p.campaignId,
          days: 0,
          spendMicros: 0,
          revenueMicros: 0,
          conversions: 0,
          impressions: 0,
          clicks: 0,
          reach: 0,
        }
        m.set(key, e)
      }
      e.spendMicros += p.v[0] as number
      e.revenueMicros += p.v[1] as number
      e.conversions += p.v[CONV] as number
      e.impressions += p.v[3] as number
      e.clicks += p.v[4] as number
      e.reach += p.v[5] as number
    }
    ;(adSets.get(id) as EntityWindow).days += days
    // A campaign's days: the union of its ad sets' days.
    campaignMasks.set(p.campaignId, (campaignMasks.get(p.campaignId) ?? 0) | (p.mask as number))
  }
  for (const [id, mask] of campaignMasks) (campaigns.get(id) as EntityWindow).days += popcount(mask)
}

function sortedById<T>(m: Map<number, T>): Map<number, T> {
  return new Map([...m.entries()].sort((x, y) => x[0] - y[0]))
}
