import { parentPort, workerData } from 'node:worker_threads'
import { residentByKind } from './smaps'

/**
 * The memory bench's sampler, on a thread of its own so that neither its samples nor its reads stall
 * the core's thread, whose stalls the bench measures: the process's RSS every 50 ms, its peak kept in
 * `workerData` (an Int32Array over a SharedArrayBuffer), and bench/smaps.ts's breakdown on request
 * (reading /proc/self/smaps takes 60-110 ms at 10,000 campaigns).
 */
const peak = workerData as Int32Array
setInterval(() => {
  const r = Math.round(process.memoryUsage.rss() / 1048576)
  if (r > Atomics.load(peak, 0)) Atomics.store(peak, 0, r)
}, 50)
parentPort?.on('message', (id: number) => parentPort?.postMessage({ id, resident: residentByKind() }))
