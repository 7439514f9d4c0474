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
