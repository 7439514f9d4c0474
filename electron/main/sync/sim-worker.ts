import { parentPort, workerData } from 'node:worker_threads'
import { demoSimulatedFetch } from './real-connectors'
import type { SimRequest, SimAnswer } from './sim-thread'

// Worker entry: the demo's simulated platforms (msw handlers over the simulator's world) answer here,
// off the core's thread. Requests and answers are plain data (see sim-thread.ts); write-backs are kept
// in the data folder's simulated-platforms.json exactly as when the platforms ran inline.
const { dataDir } = workerData as { dataDir?: string }
const factory = demoSimulatedFetch(dataDir)
const port = parentPort
if (!port) throw new Error('sim-worker must run as a worker thread')

const heapMb = (): number => Math.round(process.memoryUsage().heapUsed / 1024 / 1024)

port.on('message', (m: SimRequest) => {
  void answer(m).then(
    (a) => port.postMessage(a, a.ok && a.body ? [a.body] : []),
    (err: unknown) =>
      port.postMessage({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  )
})

async function answer(m: SimRequest): Promise<SimAnswer> {
  const f = factory(m.sim, new Date(m.now))
  const res = await f(m.url, {
    method: m.method,
    headers: m.headers,
    body: m.body === null ? undefined : m.body,
  })
  const body = res.body === null ? null : await res.arrayBuffer()
  return {
    id: m.id,
    ok: true,
    status: res.status,
    statusText: res.statusText,
    headers: [...res.headers.entries()],
    body,
    heapMb: heapMb(),
  }
}
