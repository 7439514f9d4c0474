import { addDays, dateRange, daysBetween, endOfMonth, startOfMonth } from '../../../../shared/domain/dates'
import { onAccountSnapshots } from './account-snapshots'
import type { Sqlite } from '../db'
import { inChunks, marks } from '../id-lists'
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

/**
 * Entities of one window, columnar and in ascending id order: entity i's sums are
 * `v[i * 6 .. i * 6 + 5]` (spend, revenue, conversions, impressions, clicks, reach).
 */
export interface WindowColumns {
  ids: number[]
  campaignIds: number[]
  days: number[]
  v: Float64Array
}

/** Per-ad-set and per-campaign sums of one window, columnar (`WindowColumns`). */
export interface WindowTotalsColumns {
  adSets: WindowColumns
  campaigns: WindowColumns
}

/** spend, revenue, conversions, impressions, clicks, reach */
const N = 6
const CONV = 2

/**
 * Sums per id in the order ids were first seen, columnar: one Map from id to slot and a few arrays,
 * not an object and a Float64Array per entity (an account's reads at 10,000 campaigns made ~250 MB of
 * those per generation, most of it kept across young-generation collections).
 */
class Sums {
  readonly slots = new Map<number, number>()
  readonly ids: number[] = []
  readonly campaignIds: number[] = []
  /** Days with rows as bits from the piece's first day (bit k: day k); -1: not known (read exactly). */
  readonly masks: number[] = []
  v = new Float64Array(N * 64)

  get size(): number {
    return this.ids.length
  }

  /** The slot of `id`, added (zero sums, empty mask) when new. */
  slot(id: number, campaignId: number): number {
    let i = this.slots.get(id)
    if (i === undefined) {
      i = this.ids.length
      this.slots.set(id, i)
      this.ids.push(id)
      this.campaignIds.push(campaignId)
      this.masks.push(0)
      if ((i + 1) * N > this.v.length) {
        const w = new Float64Array(this.v.length * 2)
        w.set(this.v)
        this.v = w
      }
    }
    return i
  }
}

/**
 * One window's sums per ad set and per campaign, built piece by piece (a piece: the window's days
 * in one month). A campaign's days in a piece are the union of its ad sets' days.
 */
class WindowAcc {
  readonly adSets = new Sums()
  readonly campaigns = new Sums()
  private readonly adSetDays: number[] = []
  private readonly campaignDays: number[] = []
  /** Union of the current piece's ad-set masks per campaign slot, and the slots it touched. */
  private readonly pieceMasks: number[] = []
  private readonly touched: number[] = []

  /** Add one ad set's part of the current piece (`mask` non-zero). */
  add(id: number, campaignId: number, mask: number, v: Float64Array, at: number): void {
    const days = popcount(mask)
    if (days === 0) return
    const a = this.adSets.slot(id, campaignId)
    if (a === this.adSetDays.length) this.adSetDays.push(0)
    const c = this.campaigns.slot(campaignId, campaignId)
    if (c === this.campaignDays.length) {
      this.campaignDays.push(0)
      this.pieceMasks.push(0)
    }
    const av = this.adSets.v
    const cv = this.campaigns.v
    for (let k = 0; k < N; k++) {
      av[a * N + k] = (av[a * N + k] as number) + (v[at + k] as number)
      cv[c * N + k] = (cv[c * N + k] as number) + (v[at + k] as number)
    }
    this.adSetDays[a] = (this.adSetDays[a] as number) + days
    if (this.pieceMasks[c] === 0) this.touched.push(c)
    this.pieceMasks[c] = (this.pieceMasks[c] as number) | mask
  }

  /** Add every ad set of `r` (sums of the current piece, masks from its first day). */
  addAll(r: Sums): void {
    for (let i = 0; i < r.size; i++)
      this.add(r.ids[i] as number, r.campaignIds[i] as number, r.masks[i] as number, r.v, i * N)
  }

  /**
   * Add the current piece (`len` days from day `off` of the month) as the month's sums of each ad
   * set minus its rows of the month's other days (`before`, `after`: the ranges before and after the
   * piece). Returns the ad sets whose days the month cannot tell (mask -1): they are read exactly.
   */
  addMonthPiece(month: Sums, before: Sums | null, after: Sums | null, off: number, len: number): number[] {
    const v = new Float64Array(N)
    const unknown: number[] = []
    for (let i = 0; i < month.size; i++) {
      const id = month.ids[i] as number
      const mask = month.masks[i] as number
      if (mask === -1) {
        unknown.push(id)
        continue
      }
      // The ad set's days of the month moved to the piece's first day, cut at its last.
      const cut = (mask >>> off) & bits(0, len - 1)
      if (cut === 0) continue
      for (let k = 0; k < N; k++) v[k] = month.v[i * N + k] as number
      for (const o of [before, after]) {
        const j = o?.slots.get(id)
        if (o && j !== undefined) for (let k = 0; k < N; k++) v[k] = (v[k] as number) - (o.v[j * N + k] as number)
      }
      this.add(id, month.campaignIds[i] as number, cut, v, 0)
    }
    return unknown
  }

  /** The current piece is complete: its campaigns' days counted. */
  endPiece(): void {
    for (const c of this.touched) {
      this.campaignDays[c] = (this.campaignDays[c] as number) + popcount(this.pieceMasks[c] as number)
      this.pieceMasks[c] = 0
    }
    this.touched.length = 0
  }

  result(): WindowTotalsColumns {
    return {
      adSets: sortedColumns(this.adSets, this.adSetDays),
      campaigns: sortedColumns(this.campaigns, this.campaignDays),
    }
  }
}

/** A window's entities in ascending id order, conversions rounded to 1e-6. */
function sortedColumns(s: Sums, days: number[]): WindowColumns {
  const order = Array.from(s.ids.keys()).sort((x, y) => (s.ids[x] as number) - (s.ids[y] as number))
  const v = new Float64Array(order.length * N)
  const out: WindowColumns = { ids: [], campaignIds: [], days: [], v }
  order.forEach((i, j) => {
    out.ids.push(s.ids[i] as number)
    out.campaignIds.push(s.campaignIds[i] as number)
    out.days.push(days[i] as number)
    for (let k = 0; k < N; k++) v[j * N + k] = s.v[i * N + k] as number
    v[j * N + CONV] = Math.round((v[j * N + CONV] as number) * 1e6) / 1e6
  })
  return out
}

/** One window's columns as objects (`read`). */
function entities(c: WindowColumns): Map<number, EntityWindow> {
  const m = new Map<number, EntityWindow>()
  c.ids.forEach((id, i) =>
    m.set(id, {
      id,
      campaignId: c.campaignIds[i] as number,
      days: c.days[i] as number,
      spendMicros: c.v[i * N] as number,
      revenueMicros: c.v[i * N + 1] as number,
      conversions: c.v[i * N + 2] as number,
      impressions: c.v[i * N + 3] as number,
      clicks: c.v[i * N + 4] as number,
      reach: c.v[i * N + 5] as number,
    }),
  )
  return m
}

/**
 * A month is read from `ad_month` instead of its days when that skips at least this many days
 * of ad rows (a month's rows are about one day's worth of ad rows, plus their grouping).
 */
const MONTH_COST_DAYS = 3

/** Ad sets whose days one keyed read takes, and the most ads it binds (SQLite takes 32,766 variables). */
const SETS_PER_READ = 1_000
const ADS_PER_READ = 30_000

/** Adds rows of (ad set, campaign, day mask, the N sums) into `into`. */
function addRows(into: Sums, rows: unknown[][]): void {
  for (const r of rows) {
    const i = into.slot(r[0] as number, r[1] as number)
    const v = into.v
    into.masks[i] = (into.masks[i] as number) | (r[2] as number)
    for (let k = 0; k < N; k++) v[i * N + k] = (v[i * N + k] as number) + (r[3 + k] as number)
  }
}

/**
 * Rows one step of the window sums reads at most, of `ad_month` (`month`) and of ad rows (`range`):
 * a step of 3,000 / 6,000 at 10,000 campaigns takes ~6 ms on a quiet machine (an account-month of
 * `ad_month` in one read: 40–50 ms, two days of ad rows: 33–39 ms; session 20).
 */
const MONTH_ROWS_PER_READ = 3_000
const RANGE_ROWS_PER_READ = 6_000

/** Set bits of a day mask (masks span at most 31 days, one month: bits 0..30, non-negative int32). */
const popcount = (x: number): number => {
  let n = 0
  for (let v = x; v !== 0; v &= v - 1) n++
  return n
}

/** Bits [lo, hi] set (0 <= lo <= hi <= 30). */
const bits = (lo: number, hi: number): number => (hi < lo ? 0 : 2 ** (hi + 1) - 2 ** lo)

/**
 * Reads of an account's ads a step at a time, by id: `next(after)` is the last ad id of the next
 * step, after `after` (the first step: 0), so that `(after, next]` holds about `n` of the
 * account-month's rows of `ad_month` (about one per ad with rows that month; its key's next column
 * after the month is the ad's id); null: the step takes every ad after `after`. The steps cover
 * every id above 0, that is every id (ids are positive autoincrement), so a read by these ranges
 * misses no row whatever `ad_month` holds.
 */
export function adMonthSteps(
  sqlite: Sqlite,
  accountId: number,
  month: string,
  n: number,
): (after: number) => number | null {
  const st = sqlite
    .prepare(
      'SELECT ad_id FROM ad_month WHERE account_id = ? AND month = ? AND ad_id > ? ORDER BY ad_id LIMIT 1 OFFSET ?',
    )
    .pluck()
  return (after) => (st.get(accountId, month, after, Math.max(1, n) - 1) as number | undefined) ?? null
}

/**
 * Reads an account's ads in the id ranges `next` cuts (`adMonthSteps`: `(0, next(0)]`, then from
 * there, the last range open-ended), one `read(after, upTo)` per step with a step boundary between
 * them (none after the last).
 */
export function* idRangeSteps(
  next: (after: number) => number | null,
  read: (after: number, upTo: number) => void,
): Generator<void, void> {
  // Ids are positive (autoincrement): the first range starts after 0.
  for (let after = 0; ;) {
    const upTo = next(after)
    read(after, upTo ?? Number.MAX_SAFE_INTEGER)
    if (upTo === null) return
    after = upTo
    yield
  }
}

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
  constructor(
    private readonly sqlite: Sqlite,
    /** Most ads a keyed read of some ad sets binds (above: those ad sets' days are scanned); tests use 0. */
    private readonly adsPerRead = ADS_PER_READ,
    /** Rows of `ad_month` one step of a month's sums reads (tests use a few). */
    private readonly monthRowsPerRead = MONTH_ROWS_PER_READ,
    /** Ad rows one step of a range's sums reads at most (tests use a few). */
    private readonly rangeRowsPerRead = RANGE_ROWS_PER_READ,
  ) {}

  private span(accountId: number): { first: string; last: string } | null {
    const r = this.sqlite
      .prepare('SELECT min(date), max(date) FROM account_daily WHERE account_id = ?')
      .raw()
      .get(accountId) as [string | null, string | null]
    return r[0] !== null && r[1] !== null ? { first: r[0], last: r[1] } : null
  }

  /**
   * Per ad set over [from, to] (inside one month), only the ad sets `only`, added into `into` (day
   * masks from `from`): one scan of every ad row of the account in those days.
   */
  private range(accountId: number, from: string, to: string, into: Sums, only: number[]): void {
    const rows = inChunks(
      only,
      (chunk, m) =>
        this.sqlite
          .prepare(
            `SELECT ad_set_id, campaign_id,
               sum(DISTINCT 1 << (CAST(substr(date, 9, 2) AS INTEGER) - ?)),
               sum(spend_micros), sum(conversion_value_micros), sum(conversions), sum(impressions), sum(clicks), sum(reach)
             FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ? AND ad_set_id IN (${m})
             GROUP BY ad_set_id, campaign_id`,
          )
          .raw()
          .all(Number(from.slice(8, 10)), accountId, from, to, ...chunk) as unknown[][],
    )
    addRows(into, rows)
  }

  /**
   * Per ad set over [from, to] (inside one month), added into `into` (day masks from `from`), a step
   * per read of about `rangeRowsPerRead` ad rows: the account-month's ads in id order (from
   * `ad_month`), as many as fit in it at a row per day of the range, each read by key (the range's
   * days as a list, the ads as an id range). Grouping two days of every ad per step took 33–39 ms a
   * step at 10,000 campaigns (session 20); a group per ad set per read over all the range's days
   * also outputs fewer groups.
   */
  private *rangeSteps(accountId: number, from: string, to: string, into: Sums): Generator<void, void> {
    const days = dateRange(from, to)
    const next = adMonthSteps(this.sqlite, accountId, from.slice(0, 7), Math.floor(this.rangeRowsPerRead / days.length))
    const read = this.sqlite
      .prepare(
        `SELECT ad_set_id, campaign_id,
           sum(DISTINCT 1 << (CAST(substr(date, 9, 2) AS INTEGER) - ?)),
           sum(spend_micros), sum(conversion_value_micros), sum(conversions), sum(impressions), sum(clicks), sum(reach)
         FROM daily_metrics WHERE account_id = ? AND date IN (${marks(days.length)}) AND ad_id > ? AND ad_id <= ?
         GROUP BY ad_set_id, campaign_id`,
      )
      .raw()
    yield* idRangeSteps(next, (after, upTo) =>
      addRows(into, read.all(Number(from.slice(8, 10)), accountId, ...days, after, upTo) as unknown[][]),
    )
  }

  /**
   * Per ad set over [from, to] (inside `month`) for some ad sets only, added into `into` (day masks
   * from `from`): the same rows and sums as `range` with its ad-set filter, but found by key (each
   * day's rows of these ad sets' ads, their ads from `ad_month`) instead of a scan of every ad row
   * of the account in those days (a 20-odd-day piece's scan was one ~200 ms step at 10,000 campaigns).
   */
  private rangeOfSets(accountId: number, month: string, from: string, to: string, into: Sums, sets: number[]): void {
    const sorted = [...new Set(sets)].sort((x, y) => x - y)
    for (let c = 0; c < sorted.length; c += SETS_PER_READ) {
      // Whole ad sets per statement: each ad set's rows are summed in one read, in (date, ad) order.
      const chunk = sorted.slice(c, c + SETS_PER_READ)
      const m = marks(chunk.length)
      const ads = this.sqlite
        .prepare(`SELECT DISTINCT ad_id FROM ad_month WHERE account_id = ? AND month = ? AND ad_set_id IN (${m})`)
        .pluck()
        .all(accountId, month, ...chunk) as number[]
      if (ads.length > this.adsPerRead) {
        // Too many ads to bind: the scan.
        this.range(accountId, from, to, into, chunk)
        continue
      }
      if (!ads.length) continue
      // The piece's days (31 at most) bound as a list, read in date order (CROSS JOIN keeps `d` outer).
      const days = dateRange(from, to)
      const rows = this.sqlite
        .prepare(
          `WITH d(date) AS (VALUES ${days.map(() => '(?)').join(', ')})
           SELECT m.ad_set_id, m.campaign_id,
             sum(DISTINCT 1 << (CAST(substr(m.date, 9, 2) AS INTEGER) - ?)),
             sum(m.spend_micros), sum(m.conversion_value_micros), sum(m.conversions), sum(m.impressions), sum(m.clicks), sum(m.reach)
           FROM d CROSS JOIN daily_metrics m
             ON m.account_id = ? AND m.date = d.date AND m.ad_id IN (${marks(ads.length)}) AND m.ad_set_id IN (${m})
           GROUP BY m.ad_set_id, m.campaign_id`,
        )
        .raw()
        .all(...days, Number(from.slice(8, 10)), accountId, ...ads, ...chunk) as unknown[][]
      addRows(into, rows)
    }
  }

  /**
   * Per ad set of one month (ad_month): sums, and the day mask from the month's first day when known
   * (else -1). Read `monthRowsPerRead` rows of `ad_month` per step (by ad id: an ad set's ads can fall
   * in several steps, their parts combined: sums add, first and last days take the min and max), the
   * masks and the walk once every step is in.
   */
  private *month(accountId: number, month: string): Generator<void, Sums> {
    const out = new Sums()
    const m0 = `${month}-01`
    // A day of the month as a bit of its mask (the same as daysBetween(m0, d) for any date).
    const dayOf = (d: string): number => (d.startsWith(month) ? Number(d.slice(8, 10)) - 1 : daysBetween(m0, d))
    // Per ad: its day run is whole when it has a row on every day from its first to its last
    // (`days` = its span). Whole runs and no gap between them: the ad set has rows on every day of
    // its span. No gap when every run starts by the day after the earliest end (they all meet);
    // else the runs are walked by start (a gap: a run starting after every earlier-starting one
    // has ended), for those ad sets only. A window function over every ad of the month did the
    // walk for all of them: twice the CPU of this grouping (docs/performance.md, session 15).
    // Per slot: min(first_date), max(last_date), every run whole, max(first_date), min(last_date).
    const first: string[] = []
    const last: string[] = []
    const whole: boolean[] = []
    const lastStart: string[] = []
    const firstEnd: string[] = []
    const next = adMonthSteps(this.sqlite, accountId, month, this.monthRowsPerRead)
    const read = this.sqlite
      .prepare(
        `SELECT ad_set_id, campaign_id, min(first_date), max(last_date),
           min(days = julianday(last_date) - julianday(first_date) + 1), max(first_date), min(last_date),
           sum(spend_micros), sum(conversion_value_micros), sum(conversions), sum(impressions), sum(clicks), sum(reach)
         FROM ad_month WHERE account_id = ? AND month = ? AND ad_id > ? AND ad_id <= ?
         GROUP BY ad_set_id, campaign_id`,
      )
      .raw()
    yield* idRangeSteps(next, (after, upTo) => {
      const rows = read.all(accountId, month, after, upTo) as unknown[][]
      for (const r of rows) {
        const i = out.slot(r[0] as number, r[1] as number)
        const f = r[2] as string
        const l = r[3] as string
        const fMax = r[5] as string
        const lMin = r[6] as string
        if (i === first.length) {
          first.push(f)
          last.push(l)
          whole.push(!!r[4])
          lastStart.push(fMax)
          firstEnd.push(lMin)
        } else {
          // The ad set's ads in an earlier step, or its rows under another campaign id: its parts combined.
          if (f < (first[i] as string)) first[i] = f
          if (l > (last[i] as string)) last[i] = l
          if (!r[4]) whole[i] = false
          if (fMax > (lastStart[i] as string)) lastStart[i] = fMax
          if (lMin < (firstEnd[i] as string)) firstEnd[i] = lMin
        }
        for (let k = 0; k < N; k++) out.v[i * N + k] = (out.v[i * N + k] as number) + (r[7 + k] as number)
      }
    })
    const walk: number[] = []
    for (let i = 0; i < out.size; i++) {
      out.masks[i] = whole[i] ? bits(dayOf(first[i] as string), dayOf(last[i] as string)) : -1
      if (whole[i] && dayOf(lastStart[i] as string) - dayOf(firstEnd[i] as string) > 1) walk.push(out.ids[i] as number)
    }
    walk.sort((x, y) => x - y)
    for (let c = 0; c < walk.length; c += SETS_PER_READ) {
      yield
      const chunk = walk.slice(c, c + SETS_PER_READ)
      const runs = this.sqlite
        .prepare(
          `SELECT ad_set_id, first_date, last_date FROM ad_month
           WHERE account_id = ? AND month = ? AND ad_set_id IN (${marks(chunk.length)}) ORDER BY ad_set_id, first_date`,
        )
        .raw()
        .all(accountId, month, ...chunk) as [number, string, string][]
      let set = -1
      let end = ''
      for (const [id, first, last] of runs) {
        if (id !== set) {
          set = id
          end = last
          continue
        }
        if (daysBetween(end, first) > 1) out.masks[out.slots.get(id) as number] = -1
        if (last > end) end = last
      }
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
  *steps(accountId: number, windows: { from: string; to: string }[]): Generator<void, WindowTotalsColumns[]> {
    return yield* onAccountSnapshots(this.sqlite, accountId, () => this.stepsOnSnapshots(accountId, windows), [])
  }

  /** `steps` without the data mark: each step's reads must be on one snapshot, all steps on the same state. */
  private *stepsOnSnapshots(
    accountId: number,
    windows: { from: string; to: string }[],
  ): Generator<void, WindowTotalsColumns[]> {
    const span = this.span(accountId)
    if (!span) return windows.map(() => new WindowAcc().result())
    const ranges = new Map<string, Sums>()
    const months = new Map<string, Sums>()
    const rangeOf = function* (self: WindowSumsReader, from: string, to: string): Generator<void, Sums> {
      const key = `${from}|${to}`
      let r = ranges.get(key)
      if (!r) {
        r = new Sums()
        yield
        yield* self.rangeSteps(accountId, from, to, r)
        ranges.set(key, r)
      }
      return r
    }
    const out: WindowTotalsColumns[] = []
    for (const w of windows) {
      const acc = new WindowAcc()
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
        if (len <= rest + MONTH_COST_DAYS) acc.addAll(yield* rangeOf(this, a, b))
        else {
          let month = months.get(m0)
          if (!month) {
            yield
            month = yield* this.month(accountId, m0.slice(0, 7))
            months.set(m0, month)
          }
          const before = mFrom < a ? yield* rangeOf(this, mFrom, addDays(a, -1)) : null
          const after = b < mTo ? yield* rangeOf(this, addDays(b, 1), mTo) : null
          const unknown = acc.addMonthPiece(month, before, after, daysBetween(m0, a), len)
          if (unknown.length) {
            yield
            const exact = new Sums()
            this.rangeOfSets(accountId, m0.slice(0, 7), a, b, exact, unknown)
            acc.addAll(exact)
          }
        }
        acc.endPiece()
      }
      out.push(acc.result())
    }
    return out
  }

  /** `steps` run to the end at once, as objects per entity. */
  read(accountId: number, windows: { from: string; to: string }[]): WindowTotals[] {
    return runSteps(this.steps(accountId, windows)).map((t) => ({
      adSets: entities(t.adSets),
      campaigns: entities(t.campaigns),
    }))
  }
}
