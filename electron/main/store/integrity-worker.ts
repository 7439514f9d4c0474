import { parentPort, workerData } from 'node:worker_threads'
import { checkFile } from './backups'

// Worker entry: PRAGMA integrity_check of the store file on its own read-only connection (a WAL
// snapshot), so reading every page of a large store never blocks the core's thread.
parentPort?.postMessage(checkFile((workerData as { path: string }).path))
