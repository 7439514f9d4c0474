import { fromEpochDay } from '../../../shared/domain/dates'
import { predictRow, trainGbm, type GbmModel } from './gbm/gbm'
import {
  buildRows,
  emptyCodes,
  FEATURE_NAMES,
  N_FEATURES,
  prefixes,
  writeFeatures,
  type CategoryCodes,
  type EntitySeries,
  type FeatureSet,
} from './features'
import type { WorkspaceSeries } from '../store/repos/dataset-repo'
import { metricSummary, type MetricSummary } from './metrics'

/**
 * The forecast bundle: per metric (conversions, revenue) a squared-loss GBM for the point and two
 * pinball-loss GBMs (10% and 90%) whose band width scales a conformal interval around the point
 * (normalised split-conformal on a calibration split), so the stated 80% interval has measured
 * coverage. Time split with
 * L = the last settled day: train on windows ending before day L-83, calibrate on windows inside
 * [L-83, L-28] (56 days: a 28-day calibration under-covered revenue on the demo, 73%), evaluate on
 * windows inside the last 28 settled days [L-27, L].
 */

export const HORIZONS = [7, 14, 28] as const
export const INTERVAL_LEVEL = 0.8
const TEST_DAYS = 28
const CAL_DAYS = 56

export interface MetricModels {
  point: GbmModel
  lower: GbmModel
  upper: GbmModel
  /** Conformal half-width of the interval in units of the quantile-band width. */
  conformalQ: number
  /** Floor of the band width used to normalise scores. */
  minWidth: number
}

/** Artifact format; bump when the meaning of stored fields changes (older ones must be retrained). */
export const FORECAST_ARTIFACT_KIND = 'forecast-v2'

export interface ForecastArtifact {
  kind: typeof FORECAST_ARTIFACT_KIND
  features: string[]
  codes: CategoryCodes
  horizons: number[]
  conversions: MetricModels
  revenue: MetricModels
}

export interface ForecastMetrics {
  conversions: MetricSummary
  revenue: MetricSummary
  trainRows: number
  calibrationRows: number
  testRows: number
  intervalLevel: number
}

export interface TrainOptions {
  nTrees?: number
  quantileTrees?: number
  /** Cap on training rows (anchors are thinned by a stride to meet it). */
  maxRows?: number
}

export interface TrainResult {
  artifact: ForecastArtifact
  metrics: ForecastMetrics
  dataFrom: string
  dataTo: string
}

function quantile(values: number[], q: number): number {
  if (!values.length) return 0
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number
}

/**
 * Band centred on the point model: half-width = conformalQ x the width of the 10-90% quantile
 * models (floored), so the width adapts per row while the point always lies inside the band, also
 * when a what-if spend takes the quantile models somewhere the point model extrapolates differently.
 */
function predictBand(
  m: MetricModels,
  x: Float64Array,
  offset: number,
): { point: number; lower: number; upper: number } {
  const point = predictRow(m.point, x, offset)
  const w = Math.max(Math.abs(predictRow(m.upper, x, offset) - predictRow(m.lower, x, offset)), m.minWidth)
  return { point, lower: point - m.conformalQ * w, upper: point + m.conformalQ * w }
}

function fitMetric(
  train: FeatureSet,
  y: Float64Array,
  cal: FeatureSet,
  yCal: Float64Array,
  o: TrainOptions,
): MetricModels {
  const nTrees = o.nTrees ?? 200
  const qTrees = o.quantileTrees ?? 100
  const a = (1 - INTERVAL_LEVEL) / 2
  const point = trainGbm(train.x, y, train.n, N_FEATURES, { nTrees })
  const lower = trainGbm(train.x, y, train.n, N_FEATURES, { nTrees: qTrees, loss: 'quantile', alpha: a })
  const upper = trainGbm(train.x, y, train.n, N_FEATURES, { nTrees: qTrees, loss: 'quantile', alpha: 1 - a })
  const m: MetricModels = { point, lower, upper, conformalQ: 0, minWidth: 0 }
  const widths: number[] = []
  for (let i = 0; i < cal.n; i++) {
    const lo = predictRow(lower, cal.x, i * N_FEATURES)
    const hi = predictRow(upper, cal.x, i * N_FEATURES)
    widths.push(Math.abs(hi - lo))
  }
  m.minWidth = Math.max(1e-9, quantile(widths, 0.1))
  // Normalised split-conformal scores: |residual of the point model| / quantile-band width.
  const scores: number[] = []
  for (let i = 0; i < cal.n; i++) {
    const w = Math.max(
      Math.abs(predictRow(upper, cal.x, i * N_FEATURES) - predictRow(lower, cal.x, i * N_FEATURES)),
      m.minWidth,
    )
    scores.push(Math.abs((yCal[i] as number) - predictRow(point, cal.x, i * N_FEATURES)) / w)
  }
  // Finite-sample conformal quantile: ceil((n+1)·level)/n.
  const n = scores.length
  m.conformalQ = n ? quantile(scores, Math.min(1, Math.ceil((n + 1) * INTERVAL_LEVEL) / n)) : 0
  return m
}

function evaluate(m: MetricModels, set: FeatureSet, y: Float64Array, naive: Float64Array): MetricSummary {
  const actual: number[] = []
  const pred: number[] = []
  const lo: number[] = []
  const hi: number[] = []
  const base: number[] = []
  for (let i = 0; i < set.n; i++) {
    const h = set.horizon[i] as number
    const b = predictBand(m, set.x, i * N_FEATURES)
    // Compare window totals, the quantity a marketer plans with.
    actual.push((y[i] as number) * h)
    pred.push(Math.max(0, b.point) * h)
    lo.push(Math.max(0, b.lower) * h)
    hi.push(Math.max(0, b.upper) * h)
    base.push((naive[i] as number) * h)
  }
  return metricSummary(actual, pred, lo, hi, base)
}

/** Row sets of the time split; `codes` is filled as categories are met. */
export function splitRows(
  ws: WorkspaceSeries,
  codes: CategoryCodes,
  maxRows: number,
): { train: FeatureSet; cal: FeatureSet; test: FeatureSet } {
  // Evaluate on the last 28 settled days: provisional days are still gaining late conversions.
  const L = ws.settledDays - 1
  const trainTo = L - TEST_DAYS - CAL_DAYS
  const span = Math.max(1, trainTo - 28)
  const stride = Math.max(1, Math.ceil((ws.series.length * HORIZONS.length * span) / maxRows))
  return {
    train: buildRows(ws.series, HORIZONS, 0, trainTo, stride, codes),
    cal: buildRows(ws.series, HORIZONS, trainTo + 1, L - TEST_DAYS, 1, codes),
    test: buildRows(ws.series, HORIZONS, L - TEST_DAYS + 1, L, 1, codes),
  }
}

/** Train and evaluate a forecast bundle on a workspace's series (pure: runs in the worker). */
export function trainForecast(ws: WorkspaceSeries, o: TrainOptions = {}): TrainResult {
  if (ws.settledDays < 28 + TEST_DAYS + CAL_DAYS + 28) {
    throw new Error(
      `Need at least ${28 + TEST_DAYS + CAL_DAYS + 28} settled days of data to train, found ${ws.settledDays}`,
    )
  }
  const codes = emptyCodes()
  const { train, cal, test } = splitRows(ws, codes, o.maxRows ?? 60_000)
  if (train.n < 200 || cal.n < 20 || test.n < 20) {
    throw new Error(`Too little delivery to train (train ${train.n}, calibration ${cal.n}, test ${test.n} rows)`)
  }
  const conversions = fitMetric(train, train.yConversions, cal, cal.yConversions, o)
  const revenue = fitMetric(train, train.yRevenue, cal, cal.yRevenue, o)
  const artifact: ForecastArtifact = {
    kind: FORECAST_ARTIFACT_KIND,
    features: [...FEATURE_NAMES],
    codes,
    horizons: [...HORIZONS],
    conversions,
    revenue,
  }
  return {
    artifact,
    metrics: {
      conversions: evaluate(conversions, test, test.yConversions, test.naiveConversions),
      revenue: evaluate(revenue, test, test.yRevenue, test.naiveRevenue),
      trainRows: train.n,
      calibrationRows: cal.n,
      testRows: test.n,
      intervalLevel: INTERVAL_LEVEL,
    },
    dataFrom: ws.from,
    dataTo: fromEpochDay((ws.series[0]?.fromDay ?? 0) + ws.settledDays - 1),
  }
}

/** Score an existing artifact on the current held-out split (to compare with a challenger). */
export function evaluateArtifact(
  artifact: ForecastArtifact,
  ws: WorkspaceSeries,
): { conversions: MetricSummary; revenue: MetricSummary } {
  if (artifact.kind !== FORECAST_ARTIFACT_KIND)
    throw new Error(`Unsupported forecast artifact ${String(artifact.kind)}`)
  const codes: CategoryCodes = JSON.parse(JSON.stringify(artifact.codes)) as CategoryCodes
  const { test } = splitRows(ws, codes, 1)
  return {
    conversions: evaluate(artifact.conversions, test, test.yConversions, test.naiveConversions),
    revenue: evaluate(artifact.revenue, test, test.yRevenue, test.naiveRevenue),
  }
}

export interface Band {
  point: number
  lower: number
  upper: number
}

/** Forecast totals of one entity for the `days` after its last data day at `dailySpend` per day. */
export function forecastEntity(
  artifact: ForecastArtifact,
  s: EntitySeries,
  days: number,
  dailySpend: number,
): { conversions: Band; revenue: Band } {
  const codes: CategoryCodes = JSON.parse(JSON.stringify(artifact.codes)) as CategoryCodes
  const x = new Float64Array(N_FEATURES)
  writeFeatures(x, 0, s, prefixes(s), s.spend.length, days, dailySpend, codes)
  const out = (m: MetricModels): Band => {
    const b = predictBand(m, x, 0)
    const point = Math.max(0, b.point) * days
    return {
      point,
      lower: Math.min(point, Math.max(0, b.lower) * days),
      upper: Math.max(point, Math.max(0, b.upper) * days),
    }
  }
  return { conversions: out(artifact.conversions), revenue: out(artifact.revenue) }
}
