import { parentPort, workerData } from 'node:worker_threads'
import { upgradeHere, type UpgradeMessage } from './upgrade'

// Worker entry: the store's first open after an update (restore, backup, migrations) on a connection
// of its own, so the desktop app's main thread keeps its "updating your data" window responsive.
const { path, migrationsFolder } = workerData as { path: string; migrationsFolder: string }
let answer: UpgradeMessage
try {
  answer = { ok: true, value: upgradeHere(path, migrationsFolder) }
} catch (err) {
  answer = { ok: false, message: err instanceof Error ? err.message : String(err) }
}
parentPort?.postMessage(answer)
