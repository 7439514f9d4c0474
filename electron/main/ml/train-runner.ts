import { AppError } from '../../../shared/ipc/result'
import { startWorker, workerEntryUrl } from '../worker-entry'
import type { Sqlite } from '../store/connect'
import { loadWorkspaceSeries, type WorkspaceSeries } from '../store/repos/dataset-repo'
import type { TrainOptions } from './forecast'
import { packOutcome, trainAndScore, type PackedOutcome } from './train-score'

export type TrainMode = 'worker' | 'inline'

/** What a training reads: the workspace in a store (a file the worker opens itself, or memory). */
export interface TrainSource {
  sqlite: Sqlite
  workspaceId: number
  /** The active version's artifact (JSON) to score against, or null. */
  activeArtifact: string | null
}

type Message =
  | { type: 'loaded'; series: number; days: number }
  | { ok: true; outcome: PackedOutcome; heapMb: number }
  | { ok: false; error: string; notFound?: boolean }

const noData = (workspaceId: number): AppError =>
  new AppError('NOT_FOUND', `Workspace ${workspaceId} has no daily data to train on`)

/**
 * Train, score and build the badges off the main thread so IPC and the UI stay responsive: for a
 * store file the worker also reads the history on its own connection (on the large demo that read
 * alone held the core's thread for ~20 s); an in-memory store's history is read here and handed
 * over. Under tsx or vitest the .ts entry is loaded through tsx's register API. When no worker
 * entry exists beside the code or `mode` is 'inline', everything runs synchronously here instead
 * (documented in docs/ml.md). Abort terminates the worker.
 */
export async function trainInWorker(
  src: TrainSource,
  options: TrainOptions,
  signal: AbortSignal,
  mode: TrainMode = 'worker',
  onLoaded: (series: number, days: number) => void = () => undefined,
): Promise<PackedOutcome & { ranIn: TrainMode; workerHeapMb: number | null }> {
  const url = mode === 'worker' ? workerEntryUrl(import.meta.url, 'train-worker') : null
  const load = (): WorkspaceSeries => {
    const ws = loadWorkspaceSeries(src.sqlite, src.workspaceId)
    if (!ws) throw noData(src.workspaceId)
    onLoaded(ws.series.length, ws.days)
    return ws
  }
  if (!url)
    return { ...packOutcome(trainAndScore(load(), options, src.activeArtifact)), ranIn: 'inline', workerHeapMb: null }
  const source = src.sqlite.memory ? { ws: load() } : { dbPath: src.sqlite.name, workspaceId: src.workspaceId }
  const worker = startWorker(url, { source, options, activeArtifact: src.activeArtifact })
  return new Promise((resolve, reject) => {
    // Messages already posted still arrive after an abort or the result terminated the worker:
    // once settled, they are dropped (a late 'loaded' would report progress for a finished job).
    let settled = false
    const onAbort = (): void => {
      settled = true
      void worker.terminate()
      reject(new Error('Cancelled'))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    worker.on('message', (m: Message) => {
      if (settled) return
      if ('type' in m) {
        if (!('ws' in source)) onLoaded(m.series, m.days)
        return
      }
      settled = true
      signal.removeEventListener('abort', onAbort)
      void worker.terminate()
      if (m.ok) resolve({ ...m.outcome, ranIn: 'worker', workerHeapMb: m.heapMb })
      else reject(m.notFound ? noData(src.workspaceId) : new Error(m.error))
    })
    worker.once('error', (err) => {
      settled = true
      signal.removeEventListener('abort', onAbort)
      reject(err)
    })
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`Training worker exited with code ${code}`))
    })
  })
}
