import { parentPort, workerData } from 'node:worker_threads'
import { runSteps } from '../scheduler/slices'
import { lowerThreadPriority } from '../thread-priority'
import { connectStore } from './connect'
import { AdMonthDaysBuild } from './repos/ad-month-days-build'
import type { AdDaysMessage } from './ad-days-build-job'

// Worker entry: the `store:upgrade` job's build of the packed ad days (`AdMonthDaysBuild`) on a
// connection of its own, a piece per transaction, so its CPU never lands on the core's thread.
const { path, nice } = workerData as { path: string; nice?: number }
// Below the core thread's priority (thread-priority.ts): the core's thread answers the UI first.
lowerThreadPriority(nice)
const post = (m: AdDaysMessage): void => parentPort?.postMessage(m)
const sqlite = connectStore(path)
// A background thread may wait longer than the core's thread for the write lock (an edit, a change's
// transition): waiting never blocks the UI here, and a busy error would fail the job's attempt.
sqlite.pragma('busy_timeout = 60000')
try {
  const build = new AdMonthDaysBuild(sqlite)
  const result = runSteps(
    build.steps((index, accounts, piece) => post({ kind: 'progress', index, accounts, month: piece.month })),
  )
  post({ kind: 'done', result })
} catch (err) {
  post({ kind: 'failed', message: err instanceof Error ? err.message : String(err) })
} finally {
  sqlite.close()
}
