import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createCore } from '../electron/main/core'
import { loadWorkspaceSeries, type WorkspaceSeries } from '../electron/main/store/repos/dataset-repo'
import { cutoffOrigins, rollingOrigin, type BacktestRows, type TargetBacktest } from '../electron/main/ml/forecast'
import { createNodePlatform } from '../electron/main/platform/node'

/**
 * Rolling-origin figures of the forecast models on the demo world (120 campaigns x 548 days, the
 * production recipe: 200 point trees, 100 per quantile model): per metric the model's and the
 * seasonal baseline's MAE on the same windows, and the 80% interval's coverage per spend tier —
 * calibrated per tier, beside the previous recipe (absolute target, point trees of depth 6 at rate 0.1,
 * one pooled conformal quantile) on the same windows. The window sums, the seasonal
 * baseline and the MAE/coverage figures are recomputed independently by numpy from the raw daily
 * series (Debian's /usr/bin/python3; skipped with a note when numpy is missing).
 */

export interface TargetFigures {
  model_mae: number
  naive_mae: number
  model_better: boolean
  coverage: number
  coverage_by_tier: TargetBacktest['coverageByTier']
  /** The previous recipe on the same windows: absolute target, depth 6, rate 0.1, one pooled conformal quantile. */
  before_model_mae: number
  before_coverage_by_tier: TargetBacktest['coverageByTier']
  baseline_coverage_by_tier: TargetBacktest['coverageByTier']
  rows_by_tier: TargetBacktest['rowsByTier']
  entities: number
  entities_on_baseline: number
}

export interface ForecastFigures {
  demo: string
  cutoffs: string[]
  horizons: number[]
  tier_bounds_daily_spend: [number, number]
  rows: number
  train_s: number
  conversions: TargetFigures
  revenue: TargetFigures
  reference: Record<string, unknown>
}

const PY = `
import json, sys
import numpy as np
d = json.load(open(sys.argv[1]))
out = {}
for k in ("conversions", "revenue"):
    r = d["rows"][k]
    ser = {e: np.array(v) for e, v in d["series"][k].items()}
    a = np.array(r["actual"]); m = np.array(r["model"]); nv = np.array(r["naive"])
    # Recompute each window total and its seasonal naive (each weekday's mean over the 4 weeks before the origin) from the raw days.
    act = np.array([ser[e][o:o + h].sum() for e, o, h in zip(r["entity"], r["origin"], r["horizon"])])
    naive = np.array([sum(ser[e][o + (j % 7) - 7 * w] for w in range(1, 5) for j in range(h)) / 4 for e, o, h in zip(r["entity"], r["origin"], r["horizon"])])
    lo = np.array(r["lower"]); hi = np.array(r["upper"]); tier = np.array(r["tier"])
    inside = (a >= lo - 1e-9) & (a <= hi + 1e-9)
    out[k] = {
        "max_abs_diff_actual": float(np.max(np.abs(act - a))),
        "max_abs_diff_naive": float(np.max(np.abs(naive - nv))),
        "model_mae": float(np.mean(np.abs(act - m))),
        "naive_mae": float(np.mean(np.abs(act - naive))),
        "coverage_by_tier": {t: float(np.mean(inside[tier == t])) for t in ("low", "mid", "high")},
    }
print(json.dumps({"numpy": np.__version__, **out}))
`

function toFigures(t: TargetBacktest, pooled: TargetBacktest): TargetFigures {
  return {
    model_mae: t.modelMae,
    naive_mae: t.naiveMae,
    model_better: t.modelBetter,
    coverage: t.coverage,
    coverage_by_tier: t.coverageByTier,
    before_model_mae: pooled.modelMae,
    before_coverage_by_tier: pooled.coverageByTier,
    baseline_coverage_by_tier: t.baselineCoverageByTier,
    rows_by_tier: t.rowsByTier,
    entities: t.entities,
    entities_on_baseline: t.entitiesOnBaseline,
  }
}

function reference(
  tmpDir: string,
  ws: WorkspaceSeries,
  detail: { conversions: BacktestRows; revenue: BacktestRows },
  figures: { conversions: TargetBacktest; revenue: TargetBacktest },
): Record<string, unknown> {
  const series = (k: 'conversions' | 'revenue'): Record<string, number[]> =>
    Object.fromEntries(ws.series.map((s) => [`${s.entityType}:${s.id}`, Array.from(s[k])]))
  const file = join(tmpDir, 'rolling-origin.json')
  writeFileSync(
    file,
    JSON.stringify({ rows: detail, series: { conversions: series('conversions'), revenue: series('revenue') } }),
  )
  let py: Record<string, { model_mae: number; naive_mae: number; coverage_by_tier: Record<string, number> }> & {
    numpy?: string
  }
  try {
    py = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY, file], { encoding: 'utf8' }).trim()) as typeof py
  } catch (err) {
    return { skipped: `numpy reference not run: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` }
  }
  const close = (a: number, b: number, tol: number): boolean => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b))
  const agree = (['conversions', 'revenue'] as const).every((k) => {
    const p = py[k] as { model_mae: number; naive_mae: number; coverage_by_tier: Record<string, number> } & {
      max_abs_diff_actual: number
      max_abs_diff_naive: number
    }
    return (
      p.max_abs_diff_actual < 1e-6 * Math.max(1, figures[k].naiveMae) &&
      p.max_abs_diff_naive < 1e-6 * Math.max(1, figures[k].naiveMae) &&
      close(p.model_mae, figures[k].modelMae, 1e-4) &&
      close(p.naive_mae, figures[k].naiveMae, 1e-4) &&
      (['low', 'mid', 'high'] as const).every((t) =>
        close(p.coverage_by_tier[t] as number, figures[k].coverageByTier[t], 1e-3),
      )
    )
  })
  return { numpy_agrees: agree, numpy: py }
}

export async function forecastFigures(tmpDir: string, log: (m: string) => void): Promise<ForecastFigures> {
  const platform = createNodePlatform({ host: 'cli', dataDir: tmpDir })
  const core = createCore(platform, { dbPath: join(tmpDir, 'bench-ml-forecast.db') })
  try {
    const demo = { campaigns: 120, days: 548, endDate: '2026-10-31' }
    const id = core.jobs.enqueue('demo:build', demo)
    const job = await core.jobs.waitFor(id)
    if (job.status !== 'succeeded') throw new Error(`demo build failed: ${job.error}`)
    const { workspaceId } = core.jobs.result<{ workspaceId: number }>(id) as { workspaceId: number }
    const ws = loadWorkspaceSeries(core.store.sqlite, workspaceId)
    if (!ws) throw new Error('no data')
    log(
      `  forecast: rolling origin over ${cutoffOrigins(ws.settledDays).length} cut-offs, ${ws.series.length} campaigns`,
    )
    const opts = { nTrees: 200, quantileTrees: 100 }
    const t0 = performance.now()
    const after = rollingOrigin(ws, opts)
    const trainS = (performance.now() - t0) / 1000
    log(
      '  forecast: the previous recipe on the same windows (absolute target, depth 6, rate 0.1, one pooled conformal quantile)',
    )
    const before = rollingOrigin(ws, {
      ...opts,
      point: { maxDepth: 6, learningRate: 0.1 },
      absoluteTarget: true,
      pooledIntervals: true,
    })
    const bt = after.backtest
    return {
      demo: `${demo.campaigns} campaigns x ${demo.days} days to ${demo.endDate}`,
      cutoffs: bt.cutoffs,
      horizons: bt.horizons,
      tier_bounds_daily_spend: [Math.round(bt.tierBounds[0] * 100) / 100, Math.round(bt.tierBounds[1] * 100) / 100],
      rows: after.rows,
      train_s: Math.round(trainS * 100) / 100,
      conversions: toFigures(bt.conversions, before.backtest.conversions),
      revenue: toFigures(bt.revenue, before.backtest.revenue),
      reference: reference(tmpDir, ws, after.detail, bt),
    }
  } finally {
    await core.close()
  }
}
