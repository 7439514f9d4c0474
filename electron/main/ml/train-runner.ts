import { startWorker, workerEntryUrl } from '../worker-entry'
import type { WorkspaceSeries } from '../store/repos/dataset-repo'
import { trainForecast, type TrainOptions, type TrainResult } from './forecast'

export type TrainMode = 'worker' | 'inline'

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
  const url = mode === 'worker' ? workerEntryUrl(import.meta.url, 'train-worker') : null
  if (!url) return { ...trainForecast(ws, options), ranIn: 'inline' }
  const worker = startWorker(url, { ws, options })
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
