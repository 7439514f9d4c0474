import { fromEpochDay } from '../../../shared/domain/dates'
import { predictRow, trainGbm, type GbmModel } from './gbm/gbm'
import {
  buildOriginRows,
  buildRows,
  forEachChunk,
  listRows,
  dataStatus,
  emptyCodes,
  FEATURE_NAMES,
  IDLE_AFTER_DAYS,
  N_FEATURES,
  NEW_ENTITY_DAYS,
  prefixes,
  writeFeatures,
  type CategoryCodes,
  type DataStatus,
  type EntitySeries,
  type FeatureSet,
  type RowList,
} from './features'
import type { WorkspaceSeries } from '../store/repos/dataset-repo'
import { metricSummary, type MetricSummary } from './metrics'

/**
 * The forecast bundle: per metric (conversions, revenue) a squared-loss GBM for the point and two
 * pinball-loss GBMs (10% and 90%) whose band width scales a normalised split-conformal interval
 * around the point, calibrated separately per spend tier (conformal by group), so the stated 80%
 * interval holds for small and big spenders alike, not only on average.
 *
 * Evaluation is by rolling origin: CUTOFFS forecast origins a week apart in the settled history
 * (the last one leaves a whole 28-day window before the last settled day L). A model fitted with
 * the production recipe on data before the first origin (train, then CAL_DAYS of calibration) is
 * scored at every origin and horizon against the seasonal naive baseline on the same windows. The
 * model is used for a metric only if it beats the baseline overall; per entity the baseline is used
 * wherever the model did worse on that entity's windows. The production bundle is then refitted
 * with the same recipe on the newest data (train before L-CAL_DAYS, calibrate on the last
 * CAL_DAYS settled days).
 *
 * Baseline ("seasonal naive"): each future day = the mean of the same weekday over the last 4
 * weeks; for the 7/14/28-day horizons this equals the 28-day daily mean x horizon. Its interval is
 * conformal too (relative residuals, per tier).
 */

export const HORIZONS = [7, 14, 28] as const
export const INTERVAL_LEVEL = 0.8
/** Rolling-origin cut-offs and their spacing. */
export const CUTOFFS = 8
export const CUTOFF_STEP_DAYS = 7
const CAL_DAYS = 56
/** The latest origin leaves a 28-day window inside the settled days. */
const LAST_WINDOW = 28
/** Spend tiers (by the entity's mean daily spend over the 28 days before the origin). */
export const TIERS = ['low', 'mid', 'high'] as const
export type SpendTier = (typeof TIERS)[number]
/** Calibration rows a tier needs for its own conformal quantile (else the pooled one is used). */
const MIN_GROUP_ROWS = 30
const SPEND_28D = FEATURE_NAMES.indexOf('spend_28d')
/** Point-model settings (the quantile models keep the engine defaults). */
export const POINT_DEFAULTS = { maxDepth: 4, learningRate: 0.05 }

export interface MetricModels {
  point: GbmModel
  lower: GbmModel
  upper: GbmModel
  /** Pooled conformal half-width in units of the quantile-band width. */
  conformalQ: number
  /** The same per spend tier (low, mid, high). */
  conformalQByTier: number[]
  /** Floor of the band width used to normalise scores. */
  minWidth: number
  /** Baseline interval: half-width = q x max(baseline, baselineFloor), per tier. */
  baselineQByTier: number[]
  baselineFloor: number
  /**
   * The models learn the difference from this feature (the 28-day daily mean of the metric, i.e. the
   * seasonal baseline for weekly horizons): point = feature + tree output. -1: none.
   */
  offsetFeature: number
}

export type ForecastMethod = 'model' | 'baseline'

/** Artifact format; bump when the meaning of stored fields changes (older ones must be retrained). */
export const FORECAST_ARTIFACT_KIND = 'forecast-v4'

export interface ForecastArtifact {
  kind: typeof FORECAST_ARTIFACT_KIND
  features: string[]
  codes: CategoryCodes
  horizons: number[]
  conversions: MetricModels
  revenue: MetricModels
  /** Upper bounds of the low and mid tiers (mean daily spend over 28 days, account units). */
  tierBounds: [number, number]
  /** Per metric: did the model beat the baseline overall in the rolling-origin evaluation? */
  use: { conversions: boolean; revenue: boolean }
  /** Per metric: entities ("campaign:12") where the model lost to the baseline on their own windows. */
  baselineEntities: { conversions: string[]; revenue: string[] }
  /** Last settled day the bundle saw (account-local). */
  dataTo: string
}

/** Rolling-origin figures of one metric (window totals). */
export interface TargetBacktest {
  rows: number
  modelMae: number
  naiveMae: number
  modelBetter: boolean
  /** Share of windows inside the model's 80% interval, overall and per tier. */
  coverage: number
  coverageByTier: Record<SpendTier, number>
  /** The same for the baseline's interval (what a fallback shows). */
  baselineCoverageByTier: Record<SpendTier, number>
  rowsByTier: Record<SpendTier, number>
  entities: number
  entitiesOnBaseline: number
}

export interface Backtest {
  /** Forecast origins (first forecast day of each cut-off), oldest first. */
  cutoffs: string[]
  horizons: number[]
  tierBounds: [number, number]
  conversions: TargetBacktest
  revenue: TargetBacktest
}

export interface ForecastMetrics {
  /** Rolling-origin accuracy of the model (all cut-offs and horizons). */
  conversions: MetricSummary
  revenue: MetricSummary
  trainRows: number
  calibrationRows: number
  testRows: number
  intervalLevel: number
  backtest: Backtest
}

export interface TrainOptions {
  nTrees?: number
  quantileTrees?: number
  /** Cap on training rows (anchors are thinned by a stride to meet it). */
  maxRows?: number
  /** Point-model settings other than the tree count (defaults: POINT_DEFAULTS, 20 rows per leaf). */
  point?: { maxDepth?: number; learningRate?: number; minSamplesLeaf?: number }
  /** Learn the absolute target instead of the difference from the 28-day mean (the bench's before). */
  absoluteTarget?: boolean
  /** One conformal quantile for all tiers (the pre-tier calibration; for the bench's before/after). */
  pooledIntervals?: boolean
  /** Badges written per transaction after the training (default PREDICTION_ROWS_PER_WRITE; tests pass a few). */
  predictionRowsPerWrite?: number
}

/** Per-row rolling-origin results of one metric (window totals), for independent re-computation. */
export interface BacktestRows {
  actual: number[]
  model: number[]
  lower: number[]
  upper: number[]
  naive: number[]
  naiveLower: number[]
  naiveUpper: number[]
  tier: SpendTier[]
  entity: string[]
  origin: number[]
  horizon: number[]
}

export interface TrainResult {
  artifact: ForecastArtifact
  metrics: ForecastMetrics
  dataFrom: string
  dataTo: string
}

/** Settled days training needs: history + training span + calibration + the cut-offs + a window. */
export const MIN_TRAIN_DAYS = 28 + 56 + CAL_DAYS + (CUTOFFS - 1) * CUTOFF_STEP_DAYS + LAST_WINDOW

/**
 * The ⌈q·n⌉-th smallest value (q in (0, 1]). A typed array sorts numerically in a copy of its own
 * size (calibration: 660,195 scores at 10,000 campaigns), written into `scratch` when one as long is given.
 */
export function quantile(values: readonly number[] | Float64Array, q: number, scratch?: Float64Array): number {
  if (!values.length) return 0
  const s =
    values instanceof Float64Array
      ? scratch && scratch.length >= values.length
        ? sortedInto(values, scratch)
        : values.slice().sort()
      : [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number
}

function sortedInto(values: Float64Array, scratch: Float64Array): Float64Array {
  const s = scratch.subarray(0, values.length)
  s.set(values)
  return s.sort()
}

/** Split-conformal quantile of scores: the ⌈(n+1)·level⌉-th smallest (finite-sample valid). */
export function conformalQuantile(
  scores: readonly number[] | Float64Array,
  level = INTERVAL_LEVEL,
  scratch?: Float64Array,
): number {
  const n = scores.length
  return n ? quantile(scores, Math.min(1, Math.ceil((n + 1) * level) / n), scratch) : 0
}

export function tierOf(dailySpend28: number, bounds: [number, number]): number {
  return dailySpend28 <= bounds[0] ? 0 : dailySpend28 <= bounds[1] ? 1 : 2
}

const rowTier = (set: FeatureSet, i: number, bounds: [number, number]): number =>
  tierOf(set.x[i * N_FEATURES + SPEND_28D] as number, bounds)

/** Tertiles of the rows' 28-day daily spend (rows with spend). */
function tierBoundsOf(spend28: Float64Array): [number, number] {
  const v: number[] = []
  for (const s of spend28) if (s > 0) v.push(s)
  return [quantile(v, 1 / 3), quantile(v, 2 / 3)]
}

interface RowBand {
  point: number
  lower: number
  upper: number
}

/**
 * Band centred on the point model: half-width = the tier's conformal quantile x the width of the
 * 10-90% quantile models (floored), so the width adapts per row while the point always lies inside.
 */
function predictBand(m: MetricModels, x: Float64Array, offset: number, tier: number): RowBand {
  const point = predictRow(m.point, x, offset) + offsetOf(m, x, offset)
  const w = Math.max(Math.abs(predictRow(m.upper, x, offset) - predictRow(m.lower, x, offset)), m.minWidth)
  const q = m.conformalQByTier[tier] ?? m.conformalQ
  return { point, lower: point - q * w, upper: point + q * w }
}

const offsetOf = (m: Pick<MetricModels, 'offsetFeature'>, x: Float64Array, offset: number): number =>
  m.offsetFeature >= 0 ? (x[offset + m.offsetFeature] as number) : 0

function baselineBand(m: MetricModels, naive: number, tier: number): RowBand {
  const q = m.baselineQByTier[tier] ?? 0
  const w = Math.max(naive, m.baselineFloor)
  return { point: naive, lower: Math.max(0, naive - q * w), upper: naive + q * w }
}

/** Per-tier conformal quantiles (pooled where a tier has too few rows). */
function byTier(
  scores: Float64Array,
  tiers: Uint8Array,
  work: { sort: Float64Array; tier: Float64Array },
): { pooled: number; perTier: number[] } {
  const pooled = conformalQuantile(scores, INTERVAL_LEVEL, work.sort)
  const perTier = TIERS.map((_, t) => {
    // The tier's scores in row order (as `scores.filter` would give them), in the work space.
    let m = 0
    for (let i = 0; i < scores.length; i++) if (tiers[i] === t) work.tier[m++] = scores[i] as number
    const own = work.tier.subarray(0, m)
    return own.length >= MIN_GROUP_ROWS ? conformalQuantile(own, INTERVAL_LEVEL, work.sort) : pooled
  })
  return { pooled, perTier }
}

type FittedModels = Pick<MetricModels, 'point' | 'lower' | 'upper' | 'offsetFeature'>

/** The point and quantile models of one metric, fitted on the training set. */
function fitModels(
  train: FeatureSet,
  y: Float64Array,
  o: TrainOptions,
  offsetName: 'conversions_28d' | 'revenue_28d',
): FittedModels {
  const nTrees = o.nTrees ?? 200
  const qTrees = o.quantileTrees ?? 100
  const a = (1 - INTERVAL_LEVEL) / 2
  // Shallower, slower-learning trees than the engine's defaults: chosen by the rolling-origin
  // evaluation on two demo worlds (docs/ml.md), where depth 6 / rate 0.1 lost to the baseline on revenue.
  // Boost from the baseline: the trees learn the difference from the 28-day mean, so where the
  // features carry no signal the forecast stays at the baseline instead of wandering off.
  const offsetFeature = o.absoluteTarget ? -1 : FEATURE_NAMES.indexOf(offsetName)
  const target = new Float64Array(train.n)
  for (let i = 0; i < train.n; i++) target[i] = (y[i] as number) - offsetOf({ offsetFeature }, train.x, i * N_FEATURES)
  const point = trainGbm(train.x, target, train.n, N_FEATURES, { nTrees, ...POINT_DEFAULTS, ...o.point })
  const lower = trainGbm(train.x, target, train.n, N_FEATURES, { nTrees: qTrees, loss: 'quantile', alpha: a })
  const upper = trainGbm(train.x, target, train.n, N_FEATURES, {
    nTrees: qTrees,
    loss: 'quantile',
    alpha: 1 - a,
  })
  return { point, lower, upper, offsetFeature }
}

/** What calibration needs of one metric's models on each calibration row. */
interface MetricCalRows {
  /** The point model's prediction (with its offset). */
  point: Float64Array
  /** Width of the 10-90% quantile models' band. */
  width: Float64Array
  y: Float64Array
  naive: Float64Array
}

/** What calibration needs of each calibration row, both metrics (9 numbers a row instead of the set's 29). */
interface CalRows {
  n: number
  /** The row's 28-day daily spend (its spend tier). */
  spend28: Float64Array
  conversions: MetricCalRows
  revenue: MetricCalRows
}

/**
 * Both metrics' models scored on the listed calibration rows, written a chunk at a time
 * (`forEachChunk`): no calibration-sized feature set is ever held (~140 MB at 10,000 campaigns).
 * The numbers are those the models give on the whole set.
 */
function scoreCalRows(
  series: EntitySeries[],
  rows: RowList,
  codes: CategoryCodes,
  models: { conversions: FittedModels; revenue: FittedModels },
): CalRows {
  const n = rows.n
  // The nine columns in one buffer (48 MB at 10,000 campaigns): one block over glibc's mmap threshold
  // gets a mapping of its own, returned whole when collected, where nine 5 MB blocks stayed resident
  // in the training thread's malloc arena (docs/performance.md, session 18).
  const buf = new Float64Array(9 * n)
  let k = 0
  const column = (): Float64Array => buf.subarray(n * k, n * ++k)
  const metric = (): MetricCalRows => ({ point: column(), width: column(), y: column(), naive: column() })
  const out: CalRows = { n, spend28: column(), conversions: metric(), revenue: metric() }
  forEachChunk(series, rows, codes, (set, first) => {
    for (let i = 0; i < set.n; i++) {
      const off = i * N_FEATURES
      const r = first + i
      out.spend28[r] = set.x[off + SPEND_28D] as number
      for (const [m, into, y, naive] of [
        [models.conversions, out.conversions, set.yConversions, set.naiveConversions],
        [models.revenue, out.revenue, set.yRevenue, set.naiveRevenue],
      ] as const) {
        into.width[r] = Math.abs(predictRow(m.upper, set.x, off) - predictRow(m.lower, set.x, off))
        into.point[r] = predictRow(m.point, set.x, off) + offsetOf(m, set.x, off)
        into.y[r] = y[i] as number
        into.naive[r] = naive[i] as number
      }
    }
  })
  return out
}

/** Conformal calibration (per spend tier) of fitted models on a calibration set's scored rows. */
function calibrate(
  models: FittedModels,
  cal: MetricCalRows,
  spend28: Float64Array,
  bounds: [number, number],
  o: TrainOptions,
): MetricModels {
  const { point, lower, upper, offsetFeature } = models
  const n = spend28.length
  const widths = cal.width
  // Typed arrays of the rows' size: no garbage of growing arrays, a calibration at a time. The five
  // Float64 ones (with the sorts' and the tiers' work space) in one buffer, over glibc's mmap threshold
  // at 10,000 campaigns (26 MB), as in scoreCalRows.
  const tiers = new Uint8Array(n)
  const work = new Float64Array(5 * n)
  const positive = work.subarray(0, n)
  const scores = work.subarray(n, 2 * n)
  const bScores = work.subarray(2 * n, 3 * n)
  const space = { sort: work.subarray(3 * n, 4 * n), tier: work.subarray(4 * n) }
  let nPositive = 0
  for (let i = 0; i < n; i++) {
    tiers[i] = tierOf(spend28[i] as number, bounds)
    if ((cal.naive[i] as number) > 0) positive[nPositive++] = cal.naive[i] as number
  }
  const minWidth = Math.max(1e-9, quantile(widths, 0.1, space.sort))
  const baselineFloor = Math.max(1e-9, quantile(positive.subarray(0, nPositive), 0.1, space.sort))
  // Normalised split-conformal scores: |residual| / band width (model) or / baseline level.
  for (let i = 0; i < n; i++) {
    scores[i] = Math.abs((cal.y[i] as number) - (cal.point[i] as number)) / Math.max(widths[i] as number, minWidth)
    const nb = cal.naive[i] as number
    bScores[i] = Math.abs((cal.y[i] as number) - nb) / Math.max(nb, baselineFloor)
  }
  const model = byTier(scores, tiers, space)
  const base = byTier(bScores, tiers, space)
  if (o.pooledIntervals) {
    model.perTier = model.perTier.map(() => model.pooled)
    base.perTier = base.perTier.map(() => base.pooled)
  }
  return {
    point,
    lower,
    upper,
    conformalQ: model.pooled,
    conformalQByTier: model.perTier,
    minWidth,
    baselineQByTier: base.perTier,
    baselineFloor,
    offsetFeature,
  }
}

interface Bundle {
  conversions: MetricModels
  revenue: MetricModels
  tierBounds: [number, number]
}

function strideFor(ws: WorkspaceSeries, trainTo: number, maxRows: number): number {
  const span = Math.max(1, trainTo - 28)
  return Math.max(1, Math.ceil((ws.series.length * HORIZONS.length * span) / maxRows))
}

/**
 * Fit the bundle with the training recipe: training rows (windows ending by `calFrom - 1`), then
 * calibration rows (windows inside [calFrom, calTo]) scored a chunk at a time. Only the models and
 * the row counts outlive it.
 */
function fitRecipe(
  ws: WorkspaceSeries,
  codes: CategoryCodes,
  calFrom: number,
  calTo: number,
  o: TrainOptions,
): { bundle: Bundle; trainRows: number; calibrationRows: number } {
  const trainTo = calFrom - 1
  let train: FeatureSet | null = buildRows(
    ws.series,
    HORIZONS,
    0,
    trainTo,
    strideFor(ws, trainTo, o.maxRows ?? 60_000),
    codes,
  )
  // Calibrate on the rows the app forecasts with the model (data status ok), as evaluated.
  const calRows = listRows(ws.series, HORIZONS, calFrom, calTo, 1, true)
  const trainRows = train.n
  if (trainRows < 200 || calRows.n < 20) {
    throw new Error(`Too little delivery to train (train ${trainRows}, calibration ${calRows.n} rows)`)
  }
  const models = {
    conversions: fitModels(train, train.yConversions, o, 'conversions_28d'),
    revenue: fitModels(train, train.yRevenue, o, 'revenue_28d'),
  }
  train = null // garbage before the calibration rows are scored
  const cal = scoreCalRows(ws.series, calRows, codes, models)
  const tierBounds = tierBoundsOf(cal.spend28)
  return {
    bundle: {
      conversions: calibrate(models.conversions, cal.conversions, cal.spend28, tierBounds, o),
      revenue: calibrate(models.revenue, cal.revenue, cal.spend28, tierBounds, o),
      tierBounds,
    },
    trainRows,
    calibrationRows: calRows.n,
  }
}

const zeroTiers = (): Record<SpendTier, number> => ({ low: 0, mid: 0, high: 0 })

function scoreTarget(
  modelsAt: (origin: number) => MetricModels,
  set: FeatureSet,
  y: Float64Array,
  naive: Float64Array,
  bounds: [number, number],
  series: EntitySeries[],
): { summary: MetricSummary; backtest: TargetBacktest; baselineEntities: string[]; rows: BacktestRows } {
  const detail: BacktestRows = {
    actual: [],
    model: [],
    lower: [],
    upper: [],
    naive: [],
    naiveLower: [],
    naiveUpper: [],
    tier: [],
    entity: [],
    origin: [],
    horizon: [],
  }
  const actual: number[] = []
  const pred: number[] = []
  const lo: number[] = []
  const hi: number[] = []
  const base: number[] = []
  const inModel = zeroTiers()
  const inBase = zeroTiers()
  const rows = zeroTiers()
  const errModel = new Map<number, number>()
  const errBase = new Map<number, number>()
  for (let i = 0; i < set.n; i++) {
    const h = set.horizon[i] as number
    const t = rowTier(set, i, bounds)
    const tier = TIERS[t] as SpendTier
    const m = modelsAt(set.anchor[i] as number)
    const b = predictBand(m, set.x, i * N_FEATURES, t)
    const nb = baselineBand(m, naive[i] as number, t)
    // Compare window totals, the quantity a marketer plans with.
    const a = (y[i] as number) * h
    const p = Math.max(0, b.point) * h
    const l = Math.max(0, b.lower) * h
    const u = Math.max(0, b.upper) * h
    actual.push(a)
    pred.push(p)
    lo.push(l)
    hi.push(u)
    base.push(nb.point * h)
    rows[tier]++
    if (a >= l - 1e-9 && a <= u + 1e-9) inModel[tier]++
    if (a >= nb.lower * h - 1e-9 && a <= nb.upper * h + 1e-9) inBase[tier]++
    const e = set.entity[i] as number
    const es = series[e] as EntitySeries
    detail.actual.push(a)
    detail.model.push(p)
    detail.lower.push(l)
    detail.upper.push(u)
    detail.naive.push(nb.point * h)
    detail.naiveLower.push(nb.lower * h)
    detail.naiveUpper.push(nb.upper * h)
    detail.tier.push(tier)
    detail.entity.push(`${es.entityType}:${es.id}`)
    detail.origin.push(set.anchor[i] as number)
    detail.horizon.push(h)
    errModel.set(e, (errModel.get(e) ?? 0) + Math.abs(a - p))
    errBase.set(e, (errBase.get(e) ?? 0) + Math.abs(a - nb.point * h))
  }
  const summary = metricSummary(actual, pred, lo, hi, base)
  const r = (v: number): number => Math.round(v * 10_000) / 10_000
  const share = (k: Record<SpendTier, number>): Record<SpendTier, number> => ({
    low: rows.low ? r(k.low / rows.low) : 0,
    mid: rows.mid ? r(k.mid / rows.mid) : 0,
    high: rows.high ? r(k.high / rows.high) : 0,
  })
  const baselineEntities: string[] = []
  for (const [e, err] of errModel) {
    if (err > (errBase.get(e) ?? 0)) {
      const s = series[e] as EntitySeries
      baselineEntities.push(`${s.entityType}:${s.id}`)
    }
  }
  return {
    summary,
    baselineEntities,
    rows: detail,
    backtest: {
      rows: set.n,
      modelMae: summary.mae,
      naiveMae: summary.naiveMae,
      modelBetter: summary.mae < summary.naiveMae,
      coverage: summary.coverage,
      coverageByTier: share(inModel),
      baselineCoverageByTier: share(inBase),
      rowsByTier: rows,
      entities: errModel.size,
      entitiesOnBaseline: baselineEntities.length,
    },
  }
}

/** Forecast origins of the rolling-origin evaluation (indices), oldest first. */
export function cutoffOrigins(settledDays: number): number[] {
  const L = settledDays - 1
  const last = L - LAST_WINDOW + 1
  return Array.from({ length: CUTOFFS }, (_, k) => last - (CUTOFFS - 1 - k) * CUTOFF_STEP_DAYS)
}

/**
 * Rolling-origin evaluation of the training recipe: fit on data before the first origin, score the
 * model and the seasonal baseline at every origin and horizon on the entities the app would
 * forecast with a number there (data status `ok`).
 */
export function rollingOrigin(
  ws: WorkspaceSeries,
  o: TrainOptions = {},
): {
  backtest: Backtest
  conversions: MetricSummary
  revenue: MetricSummary
  baselineEntities: { conversions: string[]; revenue: string[] }
  rows: number
  detail: { conversions: BacktestRows; revenue: BacktestRows }
} {
  const origins = cutoffOrigins(ws.settledDays)
  const first = origins[0] as number
  const codes = emptyCodes()
  const { bundle } = fitRecipe(ws, codes, first - CAL_DAYS, first - 1, o)
  const test = buildOriginRows(ws.series, HORIZONS, origins, ws.settledDays - 1, codes)
  if (test.n < 20) throw new Error(`Too little delivery to evaluate (${test.n} rolling-origin rows)`)
  // As the app recalibrates at every training, the intervals are recalibrated at every origin on
  // the CAL_DAYS before it (windows after the model's training data, so the scores stay out of sample).
  const recal = new Map<number, { conversions: MetricModels; revenue: MetricModels }>()
  for (const a of origins) {
    const k = scoreCalRows(ws.series, listRows(ws.series, HORIZONS, a - CAL_DAYS, a - 1, 1, true), codes, bundle)
    recal.set(a, {
      conversions: calibrate(bundle.conversions, k.conversions, k.spend28, bundle.tierBounds, o),
      revenue: calibrate(bundle.revenue, k.revenue, k.spend28, bundle.tierBounds, o),
    })
  }
  const at = (a: number): { conversions: MetricModels; revenue: MetricModels } => recal.get(a) ?? bundle
  const c = scoreTarget(
    (a) => at(a).conversions,
    test,
    test.yConversions,
    test.naiveConversions,
    bundle.tierBounds,
    ws.series,
  )
  const r = scoreTarget((a) => at(a).revenue, test, test.yRevenue, test.naiveRevenue, bundle.tierBounds, ws.series)
  const fromDay = ws.series[0]?.fromDay ?? 0
  return {
    backtest: {
      cutoffs: origins.map((a) => fromEpochDay(fromDay + a)),
      horizons: [...HORIZONS],
      tierBounds: bundle.tierBounds,
      conversions: c.backtest,
      revenue: r.backtest,
    },
    conversions: c.summary,
    revenue: r.summary,
    baselineEntities: { conversions: c.baselineEntities, revenue: r.baselineEntities },
    rows: test.n,
    detail: { conversions: c.rows, revenue: r.rows },
  }
}

/** Train and evaluate a forecast bundle on a workspace's series (pure: runs in the worker). */
export function trainForecast(ws: WorkspaceSeries, o: TrainOptions = {}): TrainResult {
  if (ws.settledDays < MIN_TRAIN_DAYS) {
    throw new Error(`Need at least ${MIN_TRAIN_DAYS} settled days of data to train, found ${ws.settledDays}`)
  }
  const evaluation = rollingOrigin(ws, o)
  const L = ws.settledDays - 1
  const codes = emptyCodes()
  const { bundle, trainRows, calibrationRows } = fitRecipe(ws, codes, L - CAL_DAYS + 1, L, o)
  const dataTo = fromEpochDay((ws.series[0]?.fromDay ?? 0) + L)
  const artifact: ForecastArtifact = {
    kind: FORECAST_ARTIFACT_KIND,
    features: [...FEATURE_NAMES],
    codes,
    horizons: [...HORIZONS],
    conversions: bundle.conversions,
    revenue: bundle.revenue,
    tierBounds: bundle.tierBounds,
    use: {
      conversions: evaluation.backtest.conversions.modelBetter,
      revenue: evaluation.backtest.revenue.modelBetter,
    },
    baselineEntities: evaluation.baselineEntities,
    dataTo,
  }
  return {
    artifact,
    metrics: {
      conversions: evaluation.conversions,
      revenue: evaluation.revenue,
      trainRows,
      calibrationRows,
      testRows: evaluation.rows,
      intervalLevel: INTERVAL_LEVEL,
      backtest: evaluation.backtest,
    },
    dataFrom: ws.from,
    dataTo,
  }
}

/**
 * Score an artifact's point models on the windows inside the last 28 settled days (to compare a
 * challenger with the active version on the same data; both point models were fitted on earlier
 * windows).
 */
export function evaluateArtifact(
  artifact: ForecastArtifact,
  ws: WorkspaceSeries,
): { conversions: MetricSummary; revenue: MetricSummary } {
  if (artifact.kind !== FORECAST_ARTIFACT_KIND)
    throw new Error(`Unsupported forecast artifact ${String(artifact.kind)}`)
  const codes: CategoryCodes = JSON.parse(JSON.stringify(artifact.codes)) as CategoryCodes
  const L = ws.settledDays - 1
  // The windows of the last 28 settled days (~380,000 rows at 10,000 campaigns), a chunk at a time.
  const rows = listRows(ws.series, HORIZONS, L - 27, L, 1)
  // Ten columns of the rows' size in one buffer (30 MB at 10,000 campaigns, mapped apart and returned
  // whole), instead of ten growing arrays in the training thread's heap.
  const n = rows.n
  const buf = new Float64Array(10 * n)
  let k = 0
  const column = (): Float64Array => buf.subarray(n * k, n * ++k)
  const scored = (): Record<'a' | 'p' | 'lo' | 'hi' | 'b', Float64Array> => ({
    a: column(),
    p: column(),
    lo: column(),
    hi: column(),
    b: column(),
  })
  const conversions = scored()
  const revenue = scored()
  forEachChunk(ws.series, rows, codes, (test, first) => {
    for (let i = 0; i < test.n; i++) {
      const h = test.horizon[i] as number
      const tier = rowTier(test, i, artifact.tierBounds)
      const r = first + i
      for (const [m, into, y, naive] of [
        [artifact.conversions, conversions, test.yConversions, test.naiveConversions],
        [artifact.revenue, revenue, test.yRevenue, test.naiveRevenue],
      ] as const) {
        const band = predictBand(m, test.x, i * N_FEATURES, tier)
        into.a[r] = (y[i] as number) * h
        into.p[r] = Math.max(0, band.point) * h
        into.lo[r] = Math.max(0, band.lower) * h
        into.hi[r] = Math.max(0, band.upper) * h
        into.b[r] = (naive[i] as number) * h
      }
    }
  })
  const summary = (r: ReturnType<typeof scored>): MetricSummary => metricSummary(r.a, r.p, r.lo, r.hi, r.b)
  return { conversions: summary(conversions), revenue: summary(revenue) }
}

export interface Band {
  point: number
  lower: number
  upper: number
}

/** How a forecast was made, and why, for the page and for consumers (recommendations). */
export interface ForecastBasis {
  /** `model`: the model for both metrics; `fallback`: the baseline for at least one; `none`: no forecast. */
  status: 'model' | 'fallback' | 'none'
  dataStatus: DataStatus
  methods: { conversions: ForecastMethod; revenue: ForecastMethod }
  tier: SpendTier
  /** Plain-language reasons (empty when the model is used without caveat). */
  reasons: string[]
  /** Recent *active* daily spend (account units): the mean of the last 7 days with spend. */
  currentDailySpend: number
}

/** Seasonal naive total over `days` from origin `end`: each day = mean of its weekday over the 4 weeks before. */
function seasonalNaive(v: Float64Array, end: number, days: number): number {
  let total = 0
  for (let d = 0; d < days; d++) {
    let sum = 0
    for (let k = 1; k <= 4; k++) {
      const i = end + (d % 7) - 7 * k
      sum += i >= 0 && i < end ? (v[i] as number) : 0
    }
    total += sum / 4
  }
  return total
}

/**
 * How an entity is forecast at the end of its series: data status (new, paused, idle), the
 * model or baseline per metric, its spend tier, and the reasons in words.
 */
export function forecastBasis(artifact: ForecastArtifact, s: EntitySeries): ForecastBasis {
  const n = s.spend.length
  const st = dataStatus(s, n)
  const date = (i: number): string => fromEpochDay(s.fromDay + i)
  const kind = s.entityType === 'ad_set' ? 'ad set' : 'campaign'
  const P = prefixes(s)
  const ref = st.status === 'paused' ? st.lastSpendIndex + 1 : n
  const spend28 = Math.max(0, (P.spend[ref] as number) - (P.spend[Math.max(0, ref - 28)] as number)) / 28
  const tier = TIERS[tierOf(spend28, artifact.tierBounds)] as SpendTier
  const reasons: string[] = []
  const base = { dataStatus: st.status, tier, currentDailySpend: st.activeDailySpend }
  if (st.status === 'idle') {
    reasons.push(
      st.lastSpendIndex < 0
        ? `No forecast: this ${kind} has never spent.`
        : `No forecast: this ${kind} has not spent since ${date(st.lastSpendIndex)} (idle for ${IDLE_AFTER_DAYS}+ days).`,
    )
    return { ...base, status: 'none', methods: { conversions: 'baseline', revenue: 'baseline' }, reasons }
  }
  if (st.status === 'new') {
    reasons.push(
      `No forecast yet: this ${kind} has ${st.historyDays} days of history; forecasts start after ${NEW_ENTITY_DAYS}.`,
    )
    return { ...base, status: 'none', methods: { conversions: 'baseline', revenue: 'baseline' }, reasons }
  }
  if (st.status === 'paused') {
    reasons.push(
      `Paused: no spend since ${date(st.lastSpendIndex)}. Seasonal baseline of its last 28 days before the pause, assuming it restarts at its recent active spend; the model is not used.`,
    )
    return { ...base, status: 'fallback', methods: { conversions: 'baseline', revenue: 'baseline' }, reasons }
  }
  const key = `${s.entityType}:${s.id}`
  const method = (m: 'conversions' | 'revenue'): ForecastMethod => {
    if (!artifact.use[m]) {
      reasons.push(
        `${m === 'conversions' ? 'Conversions' : 'Revenue'}: the model did not beat the seasonal baseline over the last ${CUTOFFS} cut-offs, so the baseline is used.`,
      )
      return 'baseline'
    }
    if (artifact.baselineEntities[m].includes(key)) {
      reasons.push(
        `${m === 'conversions' ? 'Conversions' : 'Revenue'}: for this ${kind} the model did worse than the seasonal baseline over the last ${CUTOFFS} cut-offs, so the baseline is used.`,
      )
      return 'baseline'
    }
    return 'model'
  }
  const methods = { conversions: method('conversions'), revenue: method('revenue') }
  const status = methods.conversions === 'model' && methods.revenue === 'model' ? 'model' : 'fallback'
  return { ...base, status, methods, reasons }
}

/**
 * Forecast totals of one entity for the `days` after its last data day at its recent active daily
 * spend (see `forecastBasis`; `none` gives zero bands that must not be shown as a forecast). The
 * spend what-if is applied on top by the service, through the response curve.
 */
export function forecastEntity(
  artifact: ForecastArtifact,
  s: EntitySeries,
  days: number,
  basis: ForecastBasis = forecastBasis(artifact, s),
): { conversions: Band; revenue: Band } {
  const zero = { point: 0, lower: 0, upper: 0 }
  if (basis.status === 'none') return { conversions: zero, revenue: zero }
  const n = s.spend.length
  const st = dataStatus(s, n)
  const end = basis.dataStatus === 'paused' ? st.lastSpendIndex + 1 : n
  const t = TIERS.indexOf(basis.tier)
  const codes: CategoryCodes = JSON.parse(JSON.stringify(artifact.codes)) as CategoryCodes
  const x = new Float64Array(N_FEATURES)
  writeFeatures(x, 0, s, prefixes(s), n, days, basis.currentDailySpend, codes)
  const out = (m: MetricModels, method: ForecastMethod, v: Float64Array): Band => {
    if (method === 'baseline') {
      const b = baselineBand(m, seasonalNaive(v, end, days) / days, t)
      return { point: b.point * days, lower: b.lower * days, upper: b.upper * days }
    }
    const b = predictBand(m, x, 0, t)
    const point = Math.max(0, b.point) * days
    return {
      point,
      lower: Math.min(point, Math.max(0, b.lower) * days),
      upper: Math.max(point, Math.max(0, b.upper) * days),
    }
  }
  return {
    conversions: out(artifact.conversions, basis.methods.conversions, s.conversions),
    revenue: out(artifact.revenue, basis.methods.revenue, s.revenue),
  }
}
