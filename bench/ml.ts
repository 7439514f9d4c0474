import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { join, resolve } from 'node:path'
import Papa from 'papaparse'
import { createCore } from '../electron/main/core'
import { loadWorkspaceSeries } from '../electron/main/store/repos/dataset-repo'
import { buildRows, emptyCodes, N_FEATURES } from '../electron/main/ml/features'
import { HORIZONS } from '../electron/main/ml/forecast'
import { predictGbm, trainGbm } from '../electron/main/ml/gbm/gbm'
import { r2Score } from '../electron/main/ml/metrics'
import { createNodePlatform } from '../electron/main/platform/node'
import { forecastFigures } from './ml-forecast'
import { median, type Bench } from './types'

/**
 * ML bench (issue: engine choice). Trains our histogram GBM and scikit-learn's
 * HistGradientBoostingRegressor with the same settings (200 trees, depth 6, learning rate 0.1,
 * min 20 rows per leaf, no L2, 255 bins, no early stopping, no leaf-count limit) on the same
 * float64 matrices and scores R² on a time-ordered held-out part. sklearn runs as a subprocess of
 * the Debian interpreter /usr/bin/python3 (package python3-sklearn); it is never an app dependency.
 */

const PARAMS = { nTrees: 200, maxDepth: 6, learningRate: 0.1, minSamplesLeaf: 20, l2: 0 }

const SKLEARN = `
import json, sys, time, numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import r2_score
d = sys.argv[1]; f = int(sys.argv[2])
xtr = np.fromfile(d + '/xtr.bin').reshape(-1, f); ytr = np.fromfile(d + '/ytr.bin')
xte = np.fromfile(d + '/xte.bin').reshape(-1, f); yte = np.fromfile(d + '/yte.bin')
m = HistGradientBoostingRegressor(max_iter=200, max_depth=6, learning_rate=0.1, early_stopping=False,
    max_leaf_nodes=None, min_samples_leaf=20, l2_regularization=0.0, max_bins=255)
runs = int(sys.argv[3]); times = []
for _ in range(runs):
    t = time.perf_counter(); m.fit(xtr, ytr); times.append(time.perf_counter() - t)
s = sorted(times)[len(times) // 2]
import sklearn, os
print(json.dumps({"train_s": s, "r2": r2_score(yte, m.predict(xte)), "version": sklearn.__version__,
    "threads": os.cpu_count()}))
`

interface Split {
  xtr: Float64Array
  ytr: Float64Array
  xte: Float64Array
  yte: Float64Array
  f: number
}

function compare(
  name: string,
  s: Split,
  tmpDir: string,
  log: (m: string) => void,
): Record<string, number | string | boolean> {
  const ntr = s.ytr.length
  const nte = s.yte.length
  log(`  ${name}: ${ntr} train x ${s.f} features, ${nte} held out`)
  // Small sets are timed as the median of 3 fits (both engines) so one scheduler hiccup on a
  // shared machine does not decide the comparison.
  const runs = ntr < 20_000 ? 3 : 1
  const times: number[] = []
  let model = trainGbm(s.xtr, s.ytr, ntr, s.f, PARAMS)
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now()
    model = trainGbm(s.xtr, s.ytr, ntr, s.f, PARAMS)
    times.push((performance.now() - t0) / 1000)
  }
  const engineS = median(times)
  const engineR2 = r2Score(s.yte, predictGbm(model, s.xte, nte))
  for (const [k, v] of Object.entries({ xtr: s.xtr, ytr: s.ytr, xte: s.xte, yte: s.yte })) {
    writeFileSync(join(tmpDir, `${k}.bin`), new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
  }
  const sklearn = (env: NodeJS.ProcessEnv): { train_s: number; r2: number; version: string; threads: number } => {
    const out = execFileSync('/usr/bin/python3', ['-c', SKLEARN, tmpDir, String(s.f), String(runs)], {
      encoding: 'utf8',
      env,
    })
    return JSON.parse(out.trim().split('\n').pop() as string) as {
      train_s: number
      r2: number
      version: string
      threads: number
    }
  }
  const sk = sklearn(process.env)
  // sklearn's OpenMP threads spin-wait; on a busy shared box one thread is the steadier reference.
  const sk1 = sklearn({ ...process.env, OMP_NUM_THREADS: '1' })
  const r = (v: number, d = 4): number => Math.round(v * 10 ** d) / 10 ** d
  return {
    train_rows: ntr,
    test_rows: nte,
    features: s.f,
    engine_train_s: r(engineS, 3),
    sklearn_train_s: r(sk.train_s, 3),
    engine_r2: r(engineR2),
    sklearn_r2: r(sk.r2),
    sklearn_1thread_train_s: r(sk1.train_s, 3),
    r2_target_met: engineR2 >= sk.r2 - 0.02,
    // Against the faster of the two sklearn runs: the stricter reading of the target.
    speed_target_met: engineS <= 3 * Math.min(sk.train_s, sk1.train_s),
    sklearn_version: sk.version,
    sklearn_threads: sk.threads,
    timed_runs: runs,
  }
}

/** (a) 50,000 x 20 rows of forecast features from a demo-sized simulator world; revenue per day target. */
async function simulatorSplit(tmpDir: string, rows: number): Promise<Split> {
  const platform = createNodePlatform({ host: 'cli', dataDir: tmpDir })
  const core = createCore(platform, { dbPath: join(tmpDir, 'bench-ml.db') })
  try {
    const id = core.jobs.enqueue('demo:build', { campaigns: 120, days: 548, endDate: '2026-10-31' })
    const job = await core.jobs.waitFor(id)
    if (job.status !== 'succeeded') throw new Error(`demo build failed: ${job.error}`)
    const { workspaceId } = core.jobs.result<{ workspaceId: number }>(id) as { workspaceId: number }
    const ws = loadWorkspaceSeries(core.store.sqlite, workspaceId, { adSets: true })
    if (!ws) throw new Error('no data')
    const L = ws.days - 1
    const codes = emptyCodes()
    const all = buildRows(ws.series, HORIZONS, 0, L - 28, 1, codes)
    const test = buildRows(ws.series, HORIZONS, L - 27, L, 1, codes)
    if (all.n < rows) throw new Error(`simulator gave only ${all.n} rows`)
    const f = N_FEATURES
    const xtr = new Float64Array(rows * f)
    const ytr = new Float64Array(rows)
    for (let k = 0; k < rows; k++) {
      const i = Math.floor((k * all.n) / rows)
      xtr.set(all.x.subarray(i * f, i * f + f), k * f)
      ytr[k] = all.yRevenue[i] as number
    }
    return { xtr, ytr, xte: test.x, yte: test.yRevenue, f }
  } finally {
    await core.close()
  }
}

const MONTHS: Record<string, number> = { April: 4, May: 5, June: 6 }

/** (b) the public online-advertising rows: revenue target, last 20% of days held out. */
function onlineAdsSplit(): Split {
  // A copy of the public data set (see bench/fixtures/SOURCES.md), gzipped.
  const path = resolve(process.cwd(), 'bench/fixtures/online_advertising_performance_data.csv.gz')
  const text = gunzipSync(readFileSync(path)).toString('utf8')
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true })
  const codes = new Map<string, Map<string, number>>()
  const cat = (col: string, v: string): number => {
    const m = codes.get(col) ?? new Map<string, number>()
    codes.set(col, m)
    if (!m.has(v)) m.set(v, m.size)
    return m.get(v) as number
  }
  const rows = parsed.data.map((r) => {
    const month = MONTHS[r.month ?? ''] ?? 0
    const doy = Math.round((Date.UTC(2020, month - 1, Number(r.day)) - Date.UTC(2020, 0, 1)) / 86_400_000)
    const x = [
      doy,
      doy % 7,
      cat('campaign', r.campaign_number ?? ''),
      cat('engagement', r.user_engagement ?? ''),
      cat('banner', r.banner ?? ''),
      cat('placement', r.placement ?? ''),
      Number(r.displays),
      Number(r.cost),
      Number(r.clicks),
    ]
    return { doy, x, y: Number(r.revenue) }
  })
  rows.sort((a, b) => a.doy - b.doy)
  const days = [...new Set(rows.map((r) => r.doy))]
  const cut = days[Math.floor(days.length * 0.8)] as number
  const tr = rows.filter((r) => r.doy < cut)
  const te = rows.filter((r) => r.doy >= cut)
  const f = 9
  return {
    xtr: Float64Array.from(tr.flatMap((r) => r.x)),
    ytr: Float64Array.from(tr.map((r) => r.y)),
    xte: Float64Array.from(te.flatMap((r) => r.x)),
    yte: Float64Array.from(te.map((r) => r.y)),
    f,
  }
}

export const mlBench: Bench = {
  name: 'ml',
  description:
    'histogram GBM vs sklearn HistGradientBoostingRegressor (simulator 50k x 20, online-ads revenue); forecast rolling-origin MAE vs seasonal baseline and coverage by spend tier',
  async run({ tmpDir, log }) {
    // ME_BENCH_ML_PARTS=forecast runs only the rolling-origin figures (engine = only the sklearn comparison).
    const parts = (process.env.ME_BENCH_ML_PARTS ?? 'engine,forecast').split(',')
    const out: Record<string, unknown> = {}
    if (parts.includes('engine')) {
      const rows = Number(process.env.ME_BENCH_ML_ROWS ?? 50_000)
      out.settings = '200 trees, depth 6, lr 0.1, min leaf 20, l2 0, 255 bins, no early stopping'
      out.simulator = compare('simulator', await simulatorSplit(tmpDir, rows), tmpDir, log)
      out.online_advertising = compare('online_advertising', onlineAdsSplit(), tmpDir, log)
    }
    if (parts.includes('forecast')) out.forecast = await forecastFigures(tmpDir, log)
    return out
  },
}
