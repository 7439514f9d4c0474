import { parentPort, workerData } from 'node:worker_threads'
import { connectStore } from '../store/connect'
import { loadWorkspaceSeries, type WorkspaceSeries } from '../store/repos/dataset-repo'
import type { TrainOptions } from './forecast'
import { packOutcome, trainAndScore } from './train-score'

// Worker entry: reads the workspace's series on its own connection to the store file (or gets them
// from the caller for an in-memory store), trains, scores and builds the badges; returns plain data.
// It writes nothing: the job on the main thread owns the registry and the events. The outcome goes
// packed (train-score.ts `PackedOutcome`): JSON strings and typed arrays, nothing to rebuild there.
const input = workerData as {
  source: { ws: WorkspaceSeries } | { dbPath: string; workspaceId: number }
  options: TrainOptions
  activeArtifact: string | null
}
try {
  let ws: WorkspaceSeries | null
  if ('ws' in input.source) ws = input.source.ws
  else {
    const sqlite = connectStore(input.source.dbPath)
    try {
      ws = loadWorkspaceSeries(sqlite, input.source.workspaceId)
    } finally {
      sqlite.close()
    }
  }
  if (!ws) parentPort?.postMessage({ ok: false, notFound: true, error: 'no daily data' })
  else {
    // This thread's V8 heap (MB) after reading and after training: what a training costs in memory.
    const heapMb = (): number => Math.round(process.memoryUsage().heapUsed / 1024 / 1024)
    const loadedHeapMb = heapMb()
    parentPort?.postMessage({ type: 'loaded', series: ws.series.length, days: ws.days })
    const outcome = packOutcome(trainAndScore(ws, input.options, input.activeArtifact))
    parentPort?.postMessage({ ok: true, outcome, heapMb: Math.max(loadedHeapMb, heapMb()) })
  }
} catch (err) {
  parentPort?.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) })
}
