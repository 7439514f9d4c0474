import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { WorkspaceSeries } from './dataset-repo'
import { trainForecast, type TrainOptions, type TrainResult } from './forecast'

export type TrainMode = 'worker' | 'inline'

/** Where the worker entry lives: beside this file as .ts (tsx, vitest) or .js (a bundle that emits it). */
function workerUrl(): URL | null {
  for (const name of ['./train-worker.js', './train-worker.ts']) {
    const url = new URL(name, import.meta.url)
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return url
  }
  return null
}

/**
 * A worker running a .ts entry: on Node 20 `--import tsx` in a worker's execArgv does not reach
 * the worker's loader, so a tiny ESM bootstrap registers tsx's hooks inside the worker first.
 */
function tsWorker(url: URL, workerData: unknown): Worker {
  // require.resolve finds the CommonJS build; its ESM twin sits beside it.
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api')
  const mjs = cjs.replace(/\.cjs$/, '.mjs')
  const api = existsSync(mjs) ? pathToFileURL(mjs).href : 'tsx/esm/api'
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}) })`
  return new Worker(boot, { eval: true, workerData })
}

/**
 * Train a forecast bundle off the main thread so IPC and the UI stay responsive. The worker gets
 * only plain data; under tsx or vitest the .ts entry is loaded through tsx's register API. When no worker
 * entry exists beside the code (a bundle that did not emit one) or `mode` is 'inline', training
 * runs synchronously here instead (documented in docs/ml.md). Abort terminates the worker.
 */
export async function trainInWorker(
  ws: WorkspaceSeries,
  options: TrainOptions,
  signal: AbortSignal,
  mode: TrainMode = 'worker',
): Promise<TrainResult & { ranIn: TrainMode }> {
  const url = mode === 'worker' ? workerUrl() : null
  if (!url) return { ...trainForecast(ws, options), ranIn: 'inline' }
  const worker = url.pathname.endsWith('.ts')
    ? tsWorker(url, { ws, options })
    : new Worker(url, { workerData: { ws, options } })
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      void worker.terminate()
      reject(new Error('Cancelled'))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    worker.once('message', (m: { ok: true; result: TrainResult } | { ok: false; error: string }) => {
      signal.removeEventListener('abort', onAbort)
      void worker.terminate()
      if (m.ok) resolve({ ...m.result, ranIn: 'worker' })
      else reject(new Error(m.error))
    })
    worker.once('error', (err) => {
      signal.removeEventListener('abort', onAbort)
      reject(err)
    })
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`Training worker exited with code ${code}`))
    })
  })
}
