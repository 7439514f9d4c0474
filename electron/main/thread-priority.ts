import { getPriority, setPriority } from 'node:os'
import { isMainThread } from 'node:worker_threads'
import { intFromEnv } from './env-settings'

/**
 * Background threads of a sync (the page decoders, the chunk writer) run at a lower priority than the
 * core's thread, so the core's thread gets a CPU first and answers the UI while a sync keeps every core
 * busy (issue 12, `ipc_p99_ms`). Measured on the 2-core machine: when the core's thread woke a busy
 * decoder, the decoder often took the core's CPU on the spot, and each hand-over of a page (a
 * postMessage of microseconds in isolation) held the core's thread 2-3 ms on average, about a second
 * in a 2,000-campaign sync (docs/performance.md, session 12).
 *
 * How much nicer than the core's thread the background threads are (0-19, default 10: about a tenth
 * of its share of a busy CPU; ME_BACKGROUND_NICE=0 keeps them at the core's priority). Read on the core's thread, where a wrong value is a specific error, and handed to
 * the threads as they start.
 */
export function backgroundNice(): number {
  return intFromEnv('ME_BACKGROUND_NICE', 0, 19) ?? 10
}

/**
 * Lower the calling worker thread's priority by `nice` (capped at 19). Linux only: there a nice value belongs to a
 * thread (setpriority on "process" 0 changes the calling thread). On macOS and Windows the same call
 * changes the whole process, the core's thread with it, so nothing is done there; nor on the main
 * thread anywhere. Returns whether the priority was changed.
 */
export function lowerThreadPriority(nice: number | undefined): boolean {
  if (!nice || isMainThread || process.platform !== 'linux') return false
  try {
    setPriority(Math.min(19, getPriority() + nice))
    return true
  } catch {
    // Not allowed here (a sandbox): the thread keeps its priority.
    return false
  }
}
