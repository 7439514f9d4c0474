import { addDays, daysBetween, weekday } from '../../../shared/domain/dates'
import type { AnomalyMetric } from '../../../shared/ipc/contracts/analytics-insights'

/** One day of an entity's additive parts (money in micros of one currency). */
export interface DayParts {
  date: string
  spend: number
  revenue: number
  impressions: number
  clicks: number
  conversions: number
}

/** The detector's view of one day: value, baseline and robust score (null when not assessable). */
export interface ScoredDay {
  date: string
  actual: number | null
  expected: number | null
  lower: number | null
  upper: number | null
  score: number | null
  flagged: boolean
  /** Flagged by the three-day conversion test (a sustained shift rather than a one-day jump). */
  sustained?: boolean
  /**
   * `last_year`: judged against the same days a year earlier (the retail season, see
   * `inRetailSeason`); `season_no_history`: a retail-season day without last year's season to
   * compare with, judged by the weeks before (widened to the whole 8 weeks before, peaks left out,
   * when the last 4 are mostly peaks), so the season's own rise is not accounted for; absent for
   * the usual baseline outside the season; `young`: an entity launched within the lookback, judged
   * against its own `baselineDays` days since its learning phase.
   */
  basis?: 'last_year' | 'season_no_history' | 'young'
  /** Days behind a `young` baseline. */
  baselineDays?: number
  /** Conversions of this day are still arriving (only for conversion metrics; see ScoreOptions). */
  settling?: boolean
}

/** Days of history behind each baseline: 8 weeks for weekday shapes, the last 4 for the level. */
export const LOOKBACK = 56
const LEVEL_DAYS = 28
/** Days with data needed in the lookback (three weeks: new campaigns are watched once past launch). */
const MIN_HISTORY = 21
/** Robust z above which a day can be flagged. */
const Z_MIN = 4
/** Sustained (3-day) conversion shifts: Poisson-like counts, so a lighter overdispersion and bar. */
const SUSTAINED_DISPERSION = 1.3
const SUSTAINED_Z = 4
/** A season day judged against last year must also differ this much (log) from its own last 7 days. */
const LOCAL_MIN = Math.log(1.25)
/** Floor on the log-scale spread so near-constant series do not flag tiny wobbles. */
const MIN_SCALE = 0.06

interface MetricRule {
  /** log-scale value of the day, or null when the day cannot be assessed. */
  value(d: DayParts): number | null
  /** Natural value for display. */
  natural(d: DayParts): number | null
  /** Back-transform of the log value to natural units. */
  back(y: number): number
  /** Smallest ratio move (actual/expected) worth reporting, up and down. */
  up: number
  down: number
}

const M = 1e6
const RULES: Record<AnomalyMetric, MetricRule> = {
  spend: {
    value: (d) => (d.spend > 0 ? Math.log(d.spend / M + 1) : null),
    natural: (d) => d.spend / M,
    back: (y) => Math.exp(y) - 1,
    up: 1.8,
    down: 0.45,
  },
  conversions: {
    value: (d) => (d.spend > 0 && d.clicks > 0 ? Math.log(d.conversions + 1) : null),
    natural: (d) => d.conversions,
    back: (y) => Math.exp(y) - 1,
    up: 2.2,
    down: 0.4,
  },
  cpa: {
    value: (d) => (d.spend > 0 && d.clicks > 0 ? Math.log((d.spend / M + 1) / (d.conversions + 1)) : null),
    natural: (d) => (d.conversions > 0 ? d.spend / M / d.conversions : null),
    back: (y) => Math.exp(y),
    up: 1.6,
    down: 0.5,
  },
  ctr: {
    value: (d) => (d.impressions >= 500 ? Math.log((d.clicks + 1) / d.impressions) : null),
    natural: (d) => (d.impressions > 0 ? d.clicks / d.impressions : null),
    back: (y) => Math.exp(y),
    up: 1.6,
    down: 0.65,
  },
  roas: {
    value: (d) => (d.spend > 0 ? Math.log((d.revenue / M + 1) / (d.spend / M + 1)) : null),
    natural: (d) => (d.spend > 0 ? d.revenue / d.spend : null),
    back: (y) => Math.exp(y),
    up: 1.8,
    down: 0.55,
  },
}

/** Variance-stabilised (Anscombe) z of an observed count against its expectation, with overdispersion. */
export function countZ(observed: number, expected: number, dispersion: number): number {
  return (2 * (Math.sqrt(observed + 3 / 8) - Math.sqrt(Math.max(0, expected) + 3 / 8))) / Math.sqrt(dispersion)
}

/**
 * Ratios built on small counts swing by chance: the move must also be significant in the counts
 * behind it (conversions for conversions/CPA/ROAS, clicks for CTR), not only in the log series.
 */
function countsAgree(
  metric: AnomalyMetric,
  day: DayParts,
  recent: DayParts[],
  expected: number,
  score: number,
): boolean {
  const sum = (f: (d: DayParts) => number): number => recent.reduce((a, d) => a + f(d), 0)
  if (metric === 'spend') return true
  if (metric === 'ctr') {
    const z = countZ(day.clicks, day.impressions * expected, 4)
    return Math.sign(z) === Math.sign(score) && Math.abs(z) >= Z_MIN
  }
  let lambda: number
  if (metric === 'conversions') lambda = expected
  else {
    const spend = sum((d) => d.spend)
    lambda = spend > 0 ? (day.spend * sum((d) => d.conversions)) / spend : 0
  }
  const z = countZ(day.conversions, lambda, 2)
  // CPA moves opposite to conversions; ROAS and conversions move with them.
  const want = metric === 'cpa' ? -Math.sign(score) : Math.sign(score)
  return Math.sign(z) === want && Math.abs(z) >= Z_MIN
}

/**
 * Conversions of the last three days against what their spend bought over the baseline (Anscombe
 * z), or null when the three days are not a clear multi-day move (below 55% / above 200%).
 */
function sustainedConversionShift(last3: DayParts[], recent: DayParts[]): number | null {
  if (last3.length < 3 || last3.some((d) => d.spend <= 0)) return null
  const spend = recent.reduce((a, d) => a + d.spend, 0)
  if (spend <= 0) return null
  const perSpend = recent.reduce((a, d) => a + d.conversions, 0) / spend
  const lambda = last3.reduce((a, d) => a + d.spend * perSpend, 0)
  const k = last3.reduce((a, d) => a + d.conversions, 0)
  if (lambda < 12) return null
  const ratio = k / lambda
  if (ratio > 0.55 && ratio < 2) return null
  return countZ(k, lambda, SUSTAINED_DISPERSION)
}

/** Minimum baseline volume per day for a metric to be assessed (noise would dominate below). */
function enoughVolume(metric: AnomalyMetric, window: DayParts[]): boolean {
  const v = volumeOf(metric)
  return median(window.map(v.value)) >= v.floor
}

/** Scratch for `median`: selection works in place, so one buffer serves every call. */
let scratch = new Float64Array(64)

/** The k-th smallest of the first `n` values in `a` (Hoare's selection; reorders `a`). */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0
  let hi = n - 1
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1] as number
    let i = lo
    let j = hi
    while (i <= j) {
      while ((a[i] as number) < pivot) i++
      while ((a[j] as number) > pivot) j--
      if (i <= j) {
        const tmp = a[i] as number
        a[i] = a[j] as number
        a[j] = tmp
        i++
        j--
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else return a[k] as number
  }
  return a[k] as number
}

/**
 * Median (the mean of the two middle values of an even count). Selection instead of a full sort:
 * the anomaly scan takes about a dozen medians per entity, metric and day.
 */
export function median(xs: readonly number[]): number {
  const n = xs.length
  if (!n) return NaN
  if (n > scratch.length) scratch = new Float64Array(n * 2)
  for (let i = 0; i < n; i++) scratch[i] = xs[i] as number
  const mid = n >> 1
  const hi = select(scratch, n, mid)
  if (n % 2) return hi
  // After selecting `mid`, everything before it is <= it: the lower middle is their maximum.
  let lo = scratch[0] as number
  for (let i = 1; i < mid; i++) if ((scratch[i] as number) > lo) lo = scratch[i] as number
  return (lo + hi) / 2
}

/** Calendar facts of a date the scan asks for every entity and metric: computed once per date. */
interface DateFacts {
  weekday: number
  peak: boolean
  season: boolean
}
const dateFacts = new Map<string, DateFacts>()
function factsOf(date: string): DateFacts {
  let f = dateFacts.get(date)
  if (!f) {
    if (dateFacts.size >= 20_000) dateFacts.clear()
    f = { weekday: weekday(date), peak: isSeasonalPeak(date), season: inRetailSeason(date) }
    dateFacts.set(date, f)
  }
  return f
}

/** The per-day value `enoughVolume` takes the median of, and the floor that median must reach. */
function volumeOf(metric: AnomalyMetric): { value: (d: DayParts) => number; floor: number } {
  if (metric === 'ctr') return { value: (d) => d.clicks, floor: 20 }
  if (metric === 'spend') return { value: (d) => d.spend / M, floor: 10 }
  return { value: (d) => d.conversions, floor: 4 }
}

/** Metrics built on conversions, which keep arriving for days after the day they belong to. */
export const CONVERSION_METRICS: ReadonlySet<AnomalyMetric> = new Set<AnomalyMetric>(['conversions', 'cpa', 'roas'])
/**
 * The smallest share of a settling day's final conversions assumed to have arrived already (the
 * newest day of a sync holds a third to two thirds of them): a fall is flagged on a settling day
 * only if it still is with the day's conversions and conversion value tripled.
 */
export const SETTLING_FLOOR = 1 / 3
/** An entity's first days (the platforms' learning phase, a launch's ramp) are no baseline. */
export const LEARNING_DAYS = 7
/** Days after the learning phase a young entity needs before it is judged (against those days). */
export const YOUNG_MIN_DAYS = 7

export interface ScoreOptions {
  /**
   * Index of the first day whose conversions are still arriving (see CONVERSION_SETTLE_DAYS);
   * conversion metrics on it and after: rises as usual, falls only beyond what lag explains.
   */
  settleFrom?: number
}

/** What one series' scoring shares across days. */
interface SeriesCtx {
  metric: AnomalyMetric
  rule: MetricRule
  wds: number[]
  peak: boolean[]
  /** Days usable as a baseline for this metric (conversions of settling days are not). */
  baseEnd: number
  /** Index of the entity's first day with delivery (days.length when none). */
  firstIdx: number
  /** Calendar facts of each day. */
  facts: DateFacts[]
  /** Running count of days at the metric's volume floor: atFloor[i] counts days before index i. */
  atFloor: Int32Array
}

/**
 * Score each day of `days` (consecutive dates, oldest first) against a baseline from the 56 days
 * before it: log values, weekday offsets (median per weekday minus the overall median), a level
 * (median of the last 28 seasonally adjusted days) and a spread (1.4826 x MAD of those 28).
 * Medians keep a short anomaly from polluting its own baseline. Days before index LOOKBACK are
 * context only. An entity younger than three weeks is judged against its own days since its
 * learning phase (`young`). Conversion metrics on settling days (`opts.settleFrom`) are flagged
 * for rises as usual and for falls only beyond what late conversions explain. Pure and deterministic.
 */
export function scoreSeries(
  days: DayParts[],
  metric: AnomalyMetric,
  fromIndex = LOOKBACK,
  opts: ScoreOptions = {},
): ScoredDay[] {
  const rule = RULES[metric]
  const ys = days.map((d) => rule.value(d))
  const settleFrom = Math.min(opts.settleFrom ?? days.length, days.length)
  const lagged = CONVERSION_METRICS.has(metric) && settleFrom < days.length
  let firstIdx = days.findIndex((d) => d.spend > 0 || d.impressions > 0)
  if (firstIdx < 0) firstIdx = days.length
  const facts = days.map((d) => factsOf(d.date))
  const vol = volumeOf(metric)
  const atFloor = new Int32Array(days.length + 1)
  for (let i = 0; i < days.length; i++)
    atFloor[i + 1] = (atFloor[i] as number) + (vol.value(days[i] as DayParts) >= vol.floor ? 1 : 0)
  const ctx: SeriesCtx = {
    metric,
    rule,
    wds: facts.map((f) => f.weekday),
    // Known retail peaks are not "usual": leaving them out keeps the weeks after them from looking low.
    peak: facts.map((f) => f.peak),
    baseEnd: lagged ? settleFrom : days.length,
    firstIdx,
    facts,
    atFloor,
  }
  // The settling days as they would be if only SETTLING_FLOOR of their conversions had arrived.
  const full = lagged
    ? days.map((d, i) =>
        i >= settleFrom
          ? { ...d, conversions: d.conversions / SETTLING_FLOOR, revenue: d.revenue / SETTLING_FLOOR }
          : d,
      )
    : days
  const fullYs = lagged ? full.map((d) => rule.value(d)) : ys
  // Better: more conversions, lower CPA, higher ROAS (late conversions only add to these).
  const better = (s: ScoredDay): boolean => (s.score ?? 0) * (metric === 'cpa' ? -1 : 1) > 0
  const out: ScoredDay[] = []
  for (let t = Math.max(fromIndex, LOOKBACK); t < days.length; t++) {
    const raw = scoreDay(ctx, days, ys, t)
    if (!lagged || t < settleFrom) {
      out.push(raw)
      continue
    }
    const settling = { settling: true as const }
    if (raw.flagged && better(raw)) {
      out.push({ ...raw, ...settling })
      continue
    }
    const { sustained: _s, ...quiet } = raw
    const c = scoreDay(ctx, full, fullYs, t)
    // Shown with the stored (incomplete) numbers; the score is the completed day's.
    if (c.flagged && !better(c))
      out.push({ ...quiet, score: c.score, flagged: true, ...(c.sustained ? { sustained: true } : {}), ...settling })
    else out.push({ ...quiet, flagged: false, ...settling })
  }
  return out
}

/** One day of a series scored (see scoreSeries). */
function scoreDay(ctx: SeriesCtx, days: DayParts[], ys: (number | null)[], t: number): ScoredDay {
  const { rule, wds, peak, baseEnd } = ctx
  const day = days[t] as DayParts
  const actual = rule.natural(day)
  const empty: ScoredDay = {
    date: day.date,
    actual,
    expected: null,
    lower: null,
    upper: null,
    score: null,
    flagged: false,
  }
  const y = ys[t]
  const usable = (k: number): boolean => k < baseEnd && ys[k] !== null && ys[k] !== undefined
  // Baseline days for counts and volume: the 28 before, settling conversions left out.
  const levelDays = days.slice(t - LEVEL_DAYS, Math.min(t, baseEnd))
  const season = (ctx.facts[t] as DateFacts).season
  // In the retail season the weeks before say little about a day: compare with last year's season.
  if (season) {
    const yoy = lastYearDay(ctx, days, ys, t, usable, levelDays)
    if (yoy) return yoy
  }
  const winIdx: number[] = []
  for (let k = t - LOOKBACK; k < t; k++) if (usable(k) && !peak[k]) winIdx.push(k)
  // An entity needs a mostly continuous history (launches and pauses are not anomalies), or,
  // launched within the lookback, a week of days after its learning phase.
  if (winIdx.length < MIN_HISTORY) return youngDay(ctx, days, ys, t, usable) ?? empty
  if (!levelVolume(ctx, t, levelDays)) return empty
  const all = winIdx.map((k) => ys[k] as number)
  const overall = median(all)
  const byWeekday: number[][] = [[], [], [], [], [], [], []]
  for (const k of winIdx) (byWeekday[wds[k] as number] as number[]).push(ys[k] as number)
  const wdOffset = new Float64Array(7)
  for (let w = 0; w < 7; w++) {
    const same = byWeekday[w] as number[]
    wdOffset[w] = same.length >= 4 ? median(same) - overall : 0
  }
  let recent = winIdx.filter((k) => k >= t - LEVEL_DAYS)
  // Early December without last year: the 4 weeks before are mostly cyber week (left out), so the
  // level comes from every usual day of the 8 weeks before (the weeks before the season).
  if (recent.length < LEVEL_DAYS / 2 && season) recent = winIdx
  const adj = recent.map((k) => (ys[k] as number) - (wdOffset[wds[k] as number] as number))
  if (adj.length < LEVEL_DAYS / 2) return empty
  const basis = season ? { basis: 'season_no_history' as const } : {}
  const level = median(adj)
  const scale = Math.max(MIN_SCALE, 1.4826 * median(adj.map((a) => Math.abs(a - level))))
  // Conversion rates to test counts against: in the season, the same usual days as the level
  // (cyber week's deal-driven rates would make every December day look weak).
  const recentDays = season ? recent.map((k) => days[k] as DayParts) : levelDays
  return judge(ctx, days, t, y, level + (wdOffset[wds[t] as number] as number), scale, recentDays, basis)
}

/**
 * `enoughVolume` of the level days (the 28 before `t`, settling days left out), settled from the
 * running count where it can be: the median of n days reaches the floor only if the upper middle
 * day does, and surely does when the lower middle does too. Only a window whose middle straddles
 * the floor takes the median.
 */
function levelVolume(ctx: SeriesCtx, t: number, levelDays: DayParts[]): boolean {
  const len = levelDays.length
  if (len === 0) return false
  const from = t - LEVEL_DAYS
  const n = (ctx.atFloor[from + len] as number) - (ctx.atFloor[from] as number)
  const mid = len >> 1
  if (len % 2) return n >= len - mid
  if (n > len - mid) return true
  if (n < len - mid) return false
  return enoughVolume(ctx.metric, levelDays)
}

/**
 * A day scored against `expY` (log) with spread `scale`: flagged when the robust z, the size of
 * the move and the counts behind it agree, or when the last three days are a clear shift together.
 */
function judge(
  ctx: SeriesCtx,
  days: DayParts[],
  t: number,
  y: number | null | undefined,
  expY: number,
  scale: number,
  recentDays: DayParts[],
  extra: Partial<ScoredDay>,
): ScoredDay {
  const { metric, rule } = ctx
  const day = days[t] as DayParts
  const expected = rule.back(expY)
  const lower = rule.back(expY - 3 * scale)
  const upper = rule.back(expY + 3 * scale)
  const base = { date: day.date, actual: rule.natural(day), expected, lower, upper, ...extra }
  if (y === null || y === undefined) return { ...base, score: null, flagged: false }
  const score = (y - expY) / scale
  const ratio = Math.exp(y - expY)
  let flagged =
    Math.abs(score) >= Z_MIN &&
    (ratio >= rule.up || ratio <= rule.down) &&
    countsAgree(metric, day, recentDays, expected, score)
  let reported = score
  let sustained = false
  if (!flagged && metric !== 'spend' && metric !== 'ctr') {
    // A sustained shift: three days that are each only a little off can be clearly off together.
    const z3 = sustainedConversionShift(days.slice(t - 2, t + 1), recentDays)
    const want = metric === 'cpa' ? -1 : 1
    if (z3 !== null && Math.abs(z3) >= SUSTAINED_Z && Math.sign(z3) * want === Math.sign(score)) {
      flagged = true
      sustained = true
      reported = Math.sign(score) * Math.max(Math.abs(score), Math.abs(z3))
    }
  }
  return { ...base, score: reported, flagged, ...(sustained ? { sustained } : {}) }
}

/**
 * A day of an entity launched within the lookback, judged against its own days after the
 * learning phase (at least YOUNG_MIN_DAYS of them, usual days preferred; a campaign launched for
 * cyber week has only peak days, and those are its usual). No weekday pattern is known yet, and
 * the spread is widened for the few days behind it. Null when the entity is not young or has too
 * few days (it is not judged: launches and pauses are not anomalies).
 */
function youngDay(
  ctx: SeriesCtx,
  days: DayParts[],
  ys: (number | null)[],
  t: number,
  usable: (k: number) => boolean,
): ScoredDay | null {
  const { metric, peak, firstIdx } = ctx
  if (firstIdx <= t - LOOKBACK || firstIdx >= t) return null
  const from = firstIdx + LEARNING_DAYS
  if (t - from < YOUNG_MIN_DAYS) return null
  let idx: number[] = []
  for (let k = from; k < t; k++) if (usable(k) && !peak[k]) idx.push(k)
  if (idx.length < YOUNG_MIN_DAYS) {
    idx = []
    for (let k = from; k < t; k++) if (usable(k)) idx.push(k)
  }
  // Mostly continuous since launch (a campaign that ran a day and paused is not judged).
  if (idx.length < YOUNG_MIN_DAYS || idx.length < 0.7 * (t - from)) return null
  const base = idx.map((k) => days[k] as DayParts)
  if (!enoughVolume(metric, base)) return null
  const vals = idx.map((k) => ys[k] as number)
  const level = median(vals)
  const widen = Math.sqrt(MIN_HISTORY / idx.length)
  const scale = widen * Math.max(MIN_SCALE, 1.4826 * median(vals.map((v) => Math.abs(v - level))))
  return judge(ctx, days, t, ys[t], level, scale, base, { basis: 'young', baselineDays: idx.length })
}

/**
 * Days back to the same season a year earlier: 52 or 53 weeks (weekdays stay aligned), whichever
 * puts last year's Black Friday on this year's. January belongs to the season that began in November.
 */
export function lastYearLag(date: string): number {
  const year = Number(date.slice(0, 4))
  const season = date.slice(5, 7) === '01' ? year - 1 : year
  return daysBetween(blackFriday(season - 1), blackFriday(season))
}

/**
 * The retail season, from ten days before Black Friday to January 20: the peaks themselves and the
 * weeks after them, whose usual baseline (the 28 days before, peaks left out) is too thin or too
 * mixed to judge by.
 */
export function inRetailSeason(date: string): boolean {
  const md = date.slice(5)
  if (md >= '12-01' || md <= '01-20') return true
  return date >= addDays(blackFriday(Number(date.slice(0, 4))), -10)
}

/**
 * A day of the retail season scored against the same day last year (`lastYearLag` back), moved by
 * this year's growth: the median log difference between this year and last year over the usual
 * (non-peak) days of the 56 before it, with the spread of those differences. Null when last year's
 * data is missing (a history shorter than a year): the caller falls back to the usual baseline.
 */
function lastYearDay(
  ctx: SeriesCtx,
  days: DayParts[],
  ys: (number | null)[],
  t: number,
  usable: (k: number) => boolean,
  levelDays: DayParts[],
): ScoredDay | null {
  const { metric, peak } = ctx
  const day = days[t] as DayParts
  const lag = lastYearLag(day.date)
  const prev = ys[t - lag]
  if (t - lag - LOOKBACK < 0 || prev === null || prev === undefined) return null
  const diffs: number[] = []
  for (let k = t - 1; k >= t - LOOKBACK && diffs.length < LEVEL_DAYS; k--) {
    const b = ys[k - lag]
    if (!peak[k] && usable(k) && b !== null && b !== undefined) diffs.push((ys[k] as number) - b)
  }
  if (diffs.length < LEVEL_DAYS / 2 || !enoughVolume(metric, levelDays)) return null
  const growth = median(diffs)
  // Two noisy days make each difference: the spread of the differences already carries both.
  const scale = Math.max(MIN_SCALE, 1.4826 * median(diffs.map((d) => Math.abs(d - growth))))
  // Conversion rates of last year's same week, scaled by nothing: counts are checked against them.
  const lastYearWeek = days.slice(t - lag - 3, t - lag + 4)
  const scored = judge(ctx, days, t, ys[t], prev + growth, scale, lastYearWeek, { basis: 'last_year' })
  const y = ys[t]
  if (!scored.flagged || y === null || y === undefined) return scored
  // Last year's portfolio was not this year's (campaigns launched or ended at other times): a day
  // is only off if it also stands out from its own week, the same way.
  const week = ys.slice(t - 7, t).filter((v): v is number => v !== null && v !== undefined)
  const local = week.length >= 5 ? y - median(week) : 0
  if (Math.sign(local) !== Math.sign(scored.score ?? 0) || Math.abs(local) < LOCAL_MIN) {
    const { sustained: _s, ...rest } = scored
    return { ...rest, flagged: false }
  }
  return scored
}

/**
 * Days of history `scoreSeries` needs before the first day of `range` to score it: the usual 56,
 * and a year more when the range reaches into the retail season (last year's season is its baseline).
 */
export function historyDays(range: { from: string; to: string }): number {
  const to = range.to
  let d = range.from
  // At most one season per year: look at the range's season days (scan stops at the first).
  for (let i = 0; d <= to && i < 400; i++, d = addDays(d, 1))
    if (inRetailSeason(d)) return LOOKBACK + lastYearLag(d) + 7
  return LOOKBACK
}

/** A run of flagged days (gaps of one day are bridged). */
export interface Run {
  startDate: string
  endDate: string
  peak: ScoredDay
  /** Days of the run flagged by the sustained (three-day) test. */
  sustainedDays: number
  /** Flagged days of the run whose conversions are still arriving. */
  settlingDays: string[]
}

/** Group flagged days into runs; the peak is the day with the largest |score|. */
export function runs(scored: ScoredDay[]): Run[] {
  const out: Run[] = []
  let cur: Run | null = null
  for (const d of scored) {
    if (!d.flagged) continue
    if (cur && addDays(cur.endDate, 2) >= d.date && Math.sign(d.score ?? 0) === Math.sign(cur.peak.score ?? 0)) {
      cur.endDate = d.date
      if (d.sustained) cur.sustainedDays++
      if (d.settling) cur.settlingDays.push(d.date)
      if (Math.abs(d.score ?? 0) > Math.abs(cur.peak.score ?? 0)) cur.peak = d
    } else {
      const settlingDays = d.settling ? [d.date] : []
      cur = { startDate: d.date, endDate: d.date, peak: d, sustainedDays: d.sustained ? 1 : 0, settlingDays }
      out.push(cur)
    }
  }
  return out
}

/**
 * Severity from the peak's robust score and the size of the move; a conversion shift that held
 * for several days is at least a warning (it is costing money every day it lasts), and so is spend
 * at three times its level (a budget typo), even where a short or wide baseline keeps the score low.
 */
export function severity(
  score: number,
  ratio: number,
  sustainedDays = 0,
  metric?: AnomalyMetric,
): 'info' | 'warning' | 'critical' {
  const move = ratio >= 1 ? ratio : 1 / ratio
  if (Math.abs(score) >= 8 && move >= 2) return 'critical'
  if (Math.abs(score) >= 5.5 || sustainedDays >= 2 || (metric === 'spend' && ratio >= 3)) return 'warning'
  return 'info'
}

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const LABEL: Record<AnomalyMetric, string> = {
  spend: 'Spend',
  conversions: 'Conversions',
  cpa: 'CPA',
  ctr: 'CTR',
  roas: 'ROAS',
}

/** "Spend 3.1x the usual Tuesday level" / "CTR 48% below the usual Thursday level", with values. */
export function explain(metric: AnomalyMetric, run: Run, fmt: (metric: AnomalyMetric, v: number) => string): string {
  const p = run.peak
  const span0 = run.startDate === run.endDate ? `on ${run.startDate}` : `from ${run.startDate} to ${run.endDate}`
  if (p.actual === null) {
    return `No ${LABEL[metric]} ${span0}: spend but no conversions, against an expected ${LABEL[metric]} of ${fmt(metric, p.expected ?? 0)}.${notes(metric, run)}`
  }
  const actual = p.actual
  const expected = p.expected ?? 0
  const ratio = expected > 0 ? actual / expected : Infinity
  const day = DAY_NAMES[weekday(p.date)] as string
  const level =
    p.basis === 'last_year'
      ? `the level of the same ${day} last year (grown as this year has)`
      : p.basis === 'young'
        ? 'its post-launch level'
        : `the usual ${day} level`
  const move =
    ratio >= 1.5
      ? `${ratio === Infinity ? 'far above' : `${ratio.toFixed(1)}x`} ${level}`
      : ratio >= 1
        ? `${Math.round((ratio - 1) * 100)}% above ${level}`
        : `${Math.round((1 - ratio) * 100)}% below ${level}`
  const span =
    run.startDate === run.endDate ? `on ${run.startDate}` : `from ${run.startDate} to ${run.endDate} (peak ${p.date})`
  return `${LABEL[metric]} ${move} ${span}: ${fmt(metric, actual)} against an expected ${fmt(metric, expected)}.${notes(metric, run)}`
}

/** The sentences after an explanation: what its baseline could not know, what is still settling. */
function notes(metric: AnomalyMetric, run: Run): string {
  const p = run.peak
  let out = ''
  if (p.basis === 'young')
    out += ` It started recently: judged against its ${p.baselineDays ?? YOUNG_MIN_DAYS} days after its first week (the learning phase is left out), with no weekday pattern yet and a wider band.`
  if (p.basis === 'season_no_history' || (p.basis === 'young' && inRetailSeason(p.date)))
    out +=
      " Without last year's season to compare with (less than a year of history), this retail-season day is judged by the weeks before, so the season itself is not accounted for."
  const s = run.settlingDays
  if (s.length) {
    const which = s.length === 1 ? `${s[0]} is` : `${s[0]} to ${s[s.length - 1]} are`
    const better = (p.score ?? 0) * (metric === 'cpa' ? -1 : 1) > 0
    out += better
      ? ` Conversions for ${which} still arriving: late conversions only add to this.`
      : ` Conversions for ${which} still arriving, but the fall is deeper than late conversions explain (it would stand even if only a third had arrived).`
  }
  return out
}

/** Known retail peaks where big moves are expected: cyber week and the Christmas/New Year stretch. */
export function isSeasonalPeak(date: string): boolean {
  const md = date.slice(5)
  if (md >= '12-20' || md <= '01-03') return true
  const bf = blackFriday(Number(date.slice(0, 4)))
  return date >= addDays(bf, -10) && date <= addDays(bf, 4)
}

/** The day after the fourth Thursday of November. */
export function blackFriday(year: number): string {
  const nov1 = `${String(year).padStart(4, '0')}-11-01`
  const firstThu = (4 - weekday(nov1) + 7) % 7
  return addDays(nov1, firstThu + 22)
}
