import { parentPort, workerData } from 'node:worker_threads'
import { connectReadOnly } from '../store/connect'
import { driversTree } from './drivers'

// Worker entry: the drivers tree (one aggregate read over the range's ad-day rows, then CART) on the
// worker's own read-only connection (a WAL snapshot), so neither blocks the core's thread.
const { path, workspaceId, days } = workerData as { path: string; workspaceId: number; days: number }
const sqlite = connectReadOnly(path)
try {
  parentPort?.postMessage({ ok: true, value: driversTree(sqlite, workspaceId, days) })
} catch (err) {
  parentPort?.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) })
} finally {
  sqlite.close()
}
