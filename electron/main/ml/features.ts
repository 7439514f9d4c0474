/**
 * Leakage-free features for the forecast models. A row describes one entity (campaign or ad set)
 * at an anchor day `a`: every feature uses days strictly before `a`, except the planned daily
 * spend, which is the input a marketer chooses for the window [a, a + H - 1]. Targets are the
 * mean conversions and revenue per day over that window.
 */

export const FEATURE_NAMES = [
  'horizon_days',
  'planned_daily_spend',
  'planned_vs_spend_7d',
  'spend_7d',
  'spend_28d',
  'conversions_1d',
  'conversions_7d',
  'conversions_prev_7d',
  'conversions_28d',
  'revenue_7d',
  'revenue_28d',
  'conversions_per_spend_28d',
  'revenue_per_spend_28d',
  'ctr_28d',
  'days_since_launch',
  'log_cumulative_spend',
  'day_of_week',
  'platform',
  'objective',
  'creative_format',
] as const
export const N_FEATURES = FEATURE_NAMES.length

/** Days of history a row needs before its anchor. */
export const MIN_HISTORY_DAYS = 28

/** A dense daily series of one entity: index 0 is `from`; money in account-currency units. */
export interface EntitySeries {
  entityType: 'campaign' | 'ad_set'
  id: number
  name: string
  campaignId: number
  currency: string
  platform: string
  objective: string
  format: string
  /** Epoch day of `from`. */
  fromDay: number
  /** Launch as an index into the series (may be negative: launched before the loaded range). */
  launchIndex: number
  spend: Float64Array
  conversions: Float64Array
  revenue: Float64Array
  impressions: Float64Array
  clicks: Float64Array
}

/** Stable numeric codes for categorical features (unknown values get a new code, never reused). */
export interface CategoryCodes {
  platform: Record<string, number>
  objective: Record<string, number>
  format: Record<string, number>
}

export function emptyCodes(): CategoryCodes {
  return { platform: {}, objective: {}, format: {} }
}

function code(map: Record<string, number>, key: string): number {
  const v = map[key]
  if (v !== undefined) return v
  const next = Object.keys(map).length
  map[key] = next
  return next
}

/** Prefix sums so any window sum is O(1). */
export interface Prefix {
  spend: Float64Array
  conversions: Float64Array
  revenue: Float64Array
  impressions: Float64Array
  clicks: Float64Array
}

function prefix(a: Float64Array): Float64Array {
  const p = new Float64Array(a.length + 1)
  for (let i = 0; i < a.length; i++) p[i + 1] = (p[i] as number) + (a[i] as number)
  return p
}

export function prefixes(s: EntitySeries): Prefix {
  return {
    spend: prefix(s.spend),
    conversions: prefix(s.conversions),
    revenue: prefix(s.revenue),
    impressions: prefix(s.impressions),
    clicks: prefix(s.clicks),
  }
}

/** Sum of days [from, to) of a prefix array, clamped to the series. */
export function win(p: Float64Array, from: number, to: number): number {
  const n = p.length - 1
  const a = Math.max(0, Math.min(n, from))
  const b = Math.max(0, Math.min(n, to))
  return b > a ? (p[b] as number) - (p[a] as number) : 0
}

/**
 * Write the feature row of `s` at anchor index `a` with horizon `h` and planned daily spend into
 * `out` at `offset`. Reads only days before `a` (plus the plan).
 */
export function writeFeatures(
  out: Float64Array,
  offset: number,
  s: EntitySeries,
  p: Prefix,
  a: number,
  h: number,
  plannedDaily: number,
  codes: CategoryCodes,
): void {
  const spend7 = win(p.spend, a - 7, a) / 7
  const spend28 = win(p.spend, a - 28, a) / 28
  const conv28sum = win(p.conversions, a - 28, a)
  const rev28sum = win(p.revenue, a - 28, a)
  const spend28sum = spend28 * 28
  const impr28 = win(p.impressions, a - 28, a)
  const f = [
    h,
    plannedDaily,
    spend7 > 0 ? plannedDaily / spend7 : plannedDaily > 0 ? 10 : 1,
    spend7,
    spend28,
    win(p.conversions, a - 1, a),
    win(p.conversions, a - 7, a) / 7,
    win(p.conversions, a - 14, a - 7) / 7,
    conv28sum / 28,
    win(p.revenue, a - 7, a) / 7,
    rev28sum / 28,
    spend28sum > 0 ? conv28sum / spend28sum : NaN,
    spend28sum > 0 ? rev28sum / spend28sum : NaN,
    impr28 > 0 ? win(p.clicks, a - 28, a) / impr28 : NaN,
    a - s.launchIndex,
    Math.log1p(win(p.spend, 0, a)),
    (((s.fromDay + a + 3) % 7) + 7) % 7,
    code(codes.platform, s.platform),
    code(codes.objective, s.objective),
    code(codes.format, s.format),
  ]
  for (let j = 0; j < N_FEATURES; j++) out[offset + j] = f[j] as number
}

/** A supervised data set: row-major features, per-day targets and the row's bookkeeping. */
export interface FeatureSet {
  n: number
  x: Float64Array
  /** Mean conversions per day over the window. */
  yConversions: Float64Array
  /** Mean revenue per day over the window (account-currency units). */
  yRevenue: Float64Array
  /** Per row: horizon, entity index, anchor index, 28-day naive baselines per day. */
  horizon: Int32Array
  entity: Int32Array
  anchor: Int32Array
  naiveConversions: Float64Array
  naiveRevenue: Float64Array
}

/**
 * The rows (entity, anchor, horizon) of a feature set in the order they are written, packed in
 * growing Int32Arrays: 12 bytes a row (a calibration set at 10,000 campaigns has ~660,000 rows).
 */
export class RowList {
  n = 0
  e = new Int32Array(1024)
  a = new Int32Array(1024)
  h = new Int32Array(1024)

  push(e: number, a: number, h: number): void {
    if (this.n === this.e.length) {
      const grow = (x: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
        const y = new Int32Array(x.length * 2)
        y.set(x)
        return y
      }
      this.e = grow(this.e)
      this.a = grow(this.a)
      this.h = grow(this.h)
    }
    this.e[this.n] = e
    this.a[this.n] = a
    this.h[this.n] = h
    this.n++
  }
}

/** `prefix(a)` written into `out` (length a.length + 1), reused from entity to entity. */
function prefixInto(a: Float64Array, out: Float64Array): Float64Array {
  out[0] = 0
  for (let i = 0; i < a.length; i++) out[i + 1] = (out[i] as number) + (a[i] as number)
  return out
}

/**
 * One entity's prefix sums at a time, in buffers reused from entity to entity: the feature sets
 * used to compute every series' five prefix arrays at once (146 MB at 10,000 campaigns x 365 days,
 * again for each of the ~13 sets a training builds). The values are the same as `prefixes(s)`.
 */
class PrefixScratch {
  private buf: Prefix | null = null

  of(s: EntitySeries): Prefix {
    const n = s.spend.length + 1
    const b =
      this.buf && this.buf.spend.length === n
        ? this.buf
        : (this.buf = {
            spend: new Float64Array(n),
            conversions: new Float64Array(n),
            revenue: new Float64Array(n),
            impressions: new Float64Array(n),
            clicks: new Float64Array(n),
          })
    prefixInto(s.spend, b.spend)
    prefixInto(s.conversions, b.conversions)
    prefixInto(s.revenue, b.revenue)
    prefixInto(s.impressions, b.impressions)
    prefixInto(s.clicks, b.clicks)
    return b
  }
}

/**
 * The rows for every entity, horizon and anchor whose window [a, a+h-1] lies inside [fromIdx, toIdx]
 * (inclusive indices shared by all series), stepping anchors by `stride`. Rows of an entity with
 * no spend in the 28 days before and none planned carry no signal and are skipped.
 */
export function listRows(
  series: EntitySeries[],
  horizons: readonly number[],
  fromIdx: number,
  toIdx: number,
  stride: number,
  /** Keep only rows whose entity has data status `ok` at the anchor (calibration sets). */
  onlyForecastable = false,
): RowList {
  const rows = new RowList()
  let spend = new Float64Array(0)
  series.forEach((s, e) => {
    if (spend.length !== s.spend.length + 1) spend = new Float64Array(s.spend.length + 1)
    const P = prefixInto(s.spend, spend)
    for (const h of horizons) {
      const first = Math.max(fromIdx, MIN_HISTORY_DAYS)
      // Align anchors to the end so the latest windows are always included.
      for (let a = toIdx - h + 1; a >= first; a -= stride) {
        if (a - s.launchIndex < 0) break
        if (win(P, a - 28, a) <= 0 && win(P, a, a + h) <= 0) continue
        if (onlyForecastable && dataStatus(s, a).status !== 'ok') continue
        rows.push(e, a, h)
      }
    }
  })
  return rows
}

/** The feature set of `listRows` (every row written at once). */
export function buildRows(
  series: EntitySeries[],
  horizons: readonly number[],
  fromIdx: number,
  toIdx: number,
  stride: number,
  codes: CategoryCodes,
  onlyForecastable = false,
): FeatureSet {
  return materialise(series, listRows(series, horizons, fromIdx, toIdx, stride, onlyForecastable), codes)
}

/**
 * Rolling-origin rows: for every forecast origin (anchor index) and horizon, one row per entity
 * whose data status at that origin is `ok` (the entities the app forecasts with a number; see
 * `dataStatus`), with the whole window inside the series.
 */
export function buildOriginRows(
  series: EntitySeries[],
  horizons: readonly number[],
  origins: readonly number[],
  lastIdx: number,
  codes: CategoryCodes,
): FeatureSet {
  const rows = new RowList()
  series.forEach((s, e) => {
    for (const a of origins) {
      if (a < MIN_HISTORY_DAYS || dataStatus(s, a).status !== 'ok') continue
      for (const h of horizons) if (a + h - 1 <= lastIdx) rows.push(e, a, h)
    }
  })
  return materialise(series, rows, codes)
}

function emptySet(n: number): FeatureSet {
  return {
    n,
    x: new Float64Array(n * N_FEATURES),
    yConversions: new Float64Array(n),
    yRevenue: new Float64Array(n),
    horizon: new Int32Array(n),
    entity: new Int32Array(n),
    anchor: new Int32Array(n),
    naiveConversions: new Float64Array(n),
    naiveRevenue: new Float64Array(n),
  }
}

/**
 * Writes rows of a list into a feature set, in the list's order: an entity's prefix sums are
 * computed once per run of its rows, also across calls (the rows of a chunk continue the previous one).
 */
class RowWriter {
  private readonly scratch = new PrefixScratch()
  private current = -1
  private P: Prefix | null = null

  constructor(
    private readonly series: EntitySeries[],
    private readonly rows: RowList,
    private readonly codes: CategoryCodes,
  ) {}

  /** Rows [start, end) of the list into `fs` from its row 0; sets `fs.n`. */
  write(fs: FeatureSet, start: number, end: number): void {
    const { rows, series, codes } = this
    for (let r = start; r < end; r++) {
      const i = r - start
      const e = rows.e[r] as number
      const a = rows.a[r] as number
      const h = rows.h[r] as number
      const s = series[e] as EntitySeries
      if (e !== this.current || !this.P) {
        this.P = this.scratch.of(s)
        this.current = e
      }
      const P = this.P
      const planned = win(P.spend, a, a + h) / h
      writeFeatures(fs.x, i * N_FEATURES, s, P, a, h, planned, codes)
      fs.yConversions[i] = win(P.conversions, a, a + h) / h
      fs.yRevenue[i] = win(P.revenue, a, a + h) / h
      fs.horizon[i] = h
      fs.entity[i] = e
      fs.anchor[i] = a
      fs.naiveConversions[i] = win(P.conversions, a - 28, a) / 28
      fs.naiveRevenue[i] = win(P.revenue, a - 28, a) / 28
    }
    fs.n = end - start
  }
}

/** The feature set of the listed rows, in their order. */
function materialise(series: EntitySeries[], rows: RowList, codes: CategoryCodes): FeatureSet {
  const fs = emptySet(rows.n)
  new RowWriter(series, rows, codes).write(fs, 0, rows.n)
  return fs
}

/** Rows a chunk of `forEachChunk` holds: 8,192 x 20 features = 1.3 MB of `x`. */
export const CHUNK_ROWS = 8192

/**
 * The listed rows written `chunkRows` at a time into one reused feature set, in the list's order:
 * `fn(set, first)` sees rows [first, first + set.n) of the list as the set's rows 0..n-1, and must
 * not keep the set (its arrays are overwritten by the next chunk). A caller that only needs a few
 * numbers per row (predictions, targets) then never holds a whole set: a calibration set at 10,000
 * campaigns is ~660,000 rows, ~140 MB written at once. The rows and their values are those of
 * `materialise` (the same writer).
 */
export function forEachChunk(
  series: EntitySeries[],
  rows: RowList,
  codes: CategoryCodes,
  fn: (set: FeatureSet, first: number) => void,
  chunkRows = CHUNK_ROWS,
): void {
  const fs = emptySet(Math.min(chunkRows, rows.n))
  const writer = new RowWriter(series, rows, codes)
  for (let start = 0; start < rows.n; start += chunkRows) {
    const end = Math.min(rows.n, start + chunkRows)
    writer.write(fs, start, end)
    fn(fs, start)
  }
}

/** Days of history (since the first spend) before an entity is forecast. */
export const NEW_ENTITY_DAYS = 28
/** No spend for this many days (up to the origin): paused; the forecast falls back to the baseline. */
export const PAUSED_AFTER_DAYS = 3
/** No spend for this many days: long idle, no forecast. */
export const IDLE_AFTER_DAYS = 28

export type DataStatus = 'ok' | 'new' | 'paused' | 'idle'

export interface EntityDataStatus {
  status: DataStatus
  /** Index of the last day with spend before the origin (-1 if none). */
  lastSpendIndex: number
  /** Days from the first spend to the origin. */
  historyDays: number
  /** Mean daily spend over the last 7 days with spend (within the 28 before the last spend). */
  activeDailySpend: number
}

/**
 * How forecastable an entity is at origin `a` (the first forecast day), from its spend alone:
 * `idle` when it never spent or not in the last IDLE_AFTER_DAYS days, `new` with fewer than
 * NEW_ENTITY_DAYS days since its first spend, `paused` with no spend in the last
 * PAUSED_AFTER_DAYS days, else `ok`. "Current spend" is the recent *active* spend: the mean of the
 * last 7 days that had spend, so a paused entity keeps the spend it had before the pause.
 */
export function dataStatus(s: EntitySeries, a: number): EntityDataStatus {
  const end = Math.min(a, s.spend.length)
  let last = -1
  for (let i = end - 1; i >= 0; i--) {
    if ((s.spend[i] as number) > 0) {
      last = i
      break
    }
  }
  let first = -1
  for (let i = 0; i < end; i++) {
    if ((s.spend[i] as number) > 0) {
      first = i
      break
    }
  }
  let sum = 0
  let days = 0
  for (let i = last; i >= 0 && i > last - 28 && days < 7; i--) {
    const v = s.spend[i] as number
    if (v > 0) {
      sum += v
      days++
    }
  }
  const activeDailySpend = days ? sum / days : 0
  const historyDays = first < 0 ? 0 : a - first
  const since = last < 0 ? Number.POSITIVE_INFINITY : a - 1 - last
  const status: DataStatus =
    last < 0 || since >= IDLE_AFTER_DAYS
      ? 'idle'
      : historyDays < NEW_ENTITY_DAYS
        ? 'new'
        : since >= PAUSED_AFTER_DAYS
          ? 'paused'
          : 'ok'
  return { status, lastSpendIndex: last, historyDays, activeDailySpend }
}
