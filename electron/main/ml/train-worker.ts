import { parentPort, workerData } from 'node:worker_threads'
import type { WorkspaceSeries } from '../store/repos/dataset-repo'
import { trainForecast, type TrainOptions } from './forecast'

// Worker entry: receives plain data (typed arrays survive structured clone), returns the trained
// bundle as JSON-able objects. No store, no events: the job on the main thread owns those.
const input = workerData as { ws: WorkspaceSeries; options: TrainOptions }
try {
  parentPort?.postMessage({ ok: true, result: trainForecast(input.ws, input.options) })
} catch (err) {
  parentPort?.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) })
}
