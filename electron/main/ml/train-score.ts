import type { WorkspaceSeries } from '../store/repos/dataset-repo'
import {
  evaluateArtifact,
  forecastBasis,
  forecastEntity,
  trainForecast,
  type ForecastArtifact,
  type TrainOptions,
  type TrainResult,
} from './forecast'

/** Horizon of the stored prediction badges. */
export const BADGE_HORIZON_DAYS = 14

/** Lower is better: MAE relative to the naive baseline, summed over the two targets. */
export function relativeScore(m: {
  conversions: { mae: number; naiveMae: number }
  revenue: { mae: number; naiveMae: number }
}): number {
  const rel = (x: { mae: number; naiveMae: number }): number => x.mae / Math.max(1e-9, x.naiveMae)
  return rel(m.conversions) + rel(m.revenue)
}

/** One stored prediction badge (a 14-day forecast at the recent active spend). */
export interface BadgeRow {
  entityType: 'campaign' | 'ad_set'
  entityId: number
  horizonDays: number
  value: {
    currency: string
    dailySpendMicros: number
    conversions: ReturnType<typeof forecastEntity>['conversions']
    revenue: ReturnType<typeof forecastEntity>['revenue']
    status: string
    reasons: string[]
  }
}

export interface TrainOutcome {
  result: TrainResult
  series: number
  days: number
  /** The new version's score and the active one's on the same held-out windows (null: none usable). */
  newScore: number
  activeScore: number | null
  /** The badges to store when the new version wins (it is activated), else null. */
  badges: BadgeRow[] | null
}

const toMicros = (units: number): number => Math.round(units * 1e6)

/** Badges for every entity with a forecast (new or idle ones get none; fallbacks carry their reasons). */
export function badgeRows(artifact: ForecastArtifact, ws: WorkspaceSeries): BadgeRow[] {
  const rows: BadgeRow[] = []
  for (const s of ws.series) {
    const basis = forecastBasis(artifact, s)
    if (basis.status === 'none') continue
    const f = forecastEntity(artifact, s, BADGE_HORIZON_DAYS, basis)
    rows.push({
      entityType: s.entityType,
      entityId: s.id,
      horizonDays: BADGE_HORIZON_DAYS,
      value: {
        currency: s.currency,
        dailySpendMicros: toMicros(basis.currentDailySpend),
        conversions: f.conversions,
        revenue: f.revenue,
        status: basis.status,
        reasons: basis.reasons,
      },
    })
  }
  return rows
}

/**
 * The whole training over loaded series: fit, score against the active version like for like
 * (the same latest settled windows) and, when the new version wins, its badges. Runs in the
 * training worker (or inline), so none of it holds the core's thread.
 */
export function trainAndScore(ws: WorkspaceSeries, options: TrainOptions, activeArtifact: string | null): TrainOutcome {
  const result = trainForecast(ws, options)
  let activeScore: number | null = null
  if (activeArtifact !== null) {
    try {
      activeScore = relativeScore(evaluateArtifact(JSON.parse(activeArtifact) as ForecastArtifact, ws))
    } catch {
      activeScore = null // an incompatible old artifact loses to any working one
    }
  }
  const newScore = relativeScore(evaluateArtifact(result.artifact, ws))
  const activate = activeScore === null || newScore < activeScore
  return {
    result,
    series: ws.series.length,
    days: ws.days,
    newScore,
    activeScore,
    badges: activate ? badgeRows(result.artifact, ws) : null,
  }
}

/**
 * A training's outcome as the core's thread takes it from the training worker: the artifact and
 * each badge's value already JSON (what the store keeps), the badges' keys in typed arrays. Posting
 * the objects (the artifact and ~42,000 badges at 10,000 campaigns) made the core's thread rebuild
 * them when the message arrived and serialise them again: one ~275 ms stretch at the training's end
 * (issue 18 item 3); strings and typed arrays are copied, not rebuilt.
 */
export interface PackedOutcome {
  result: Omit<TrainResult, 'artifact'> & { features: ForecastArtifact['features'] }
  artifactJson: string
  series: number
  days: number
  newScore: number
  activeScore: number | null
  /** Null when the new version is not activated. */
  badges: PackedBadges | null
}

/** Badges in columns: badge i is (`types[i]` 0 campaign / 1 ad set, `ids[i]`, `horizons[i]`, the i-th line of `values`). */
export interface PackedBadges {
  types: Uint8Array
  ids: Float64Array
  horizons: Uint16Array
  /** Each badge's value as JSON, one per line (JSON has no raw line break). */
  values: string
}

/** A badge ready to store: its value as JSON. */
export interface StoredBadge {
  entityType: 'campaign' | 'ad_set'
  entityId: number
  horizonDays: number
  valueJson: string
}

export function packOutcome(o: TrainOutcome): PackedOutcome {
  const { artifact, ...rest } = o.result
  const b = o.badges
  return {
    result: { ...rest, features: artifact.features },
    artifactJson: JSON.stringify(artifact),
    series: o.series,
    days: o.days,
    newScore: o.newScore,
    activeScore: o.activeScore,
    badges: b && {
      types: Uint8Array.from(b, (r) => (r.entityType === 'campaign' ? 0 : 1)),
      ids: Float64Array.from(b, (r) => r.entityId),
      horizons: Uint16Array.from(b, (r) => r.horizonDays),
      values: b.map((r) => JSON.stringify(r.value)).join('\n'),
    },
  }
}

/** Reads packed badges a slice at a time (`next(n)`: the next n, fewer at the end). */
export class BadgeReader {
  private i = 0
  private at = 0

  constructor(private readonly b: PackedBadges) {}

  get total(): number {
    return this.b.ids.length
  }

  next(n: number): StoredBadge[] {
    const out: StoredBadge[] = []
    const { types, ids, horizons, values } = this.b
    for (; out.length < n && this.i < ids.length; this.i++) {
      const end = values.indexOf('\n', this.at)
      const stop = end === -1 ? values.length : end
      out.push({
        entityType: types[this.i] === 0 ? 'campaign' : 'ad_set',
        entityId: ids[this.i] as number,
        horizonDays: horizons[this.i] as number,
        valueJson: values.slice(this.at, stop),
      })
      this.at = stop + 1
    }
    return out
  }
}
