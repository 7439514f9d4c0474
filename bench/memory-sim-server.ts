import { demoSimulatedFetch } from '../electron/main/sync/real-connectors'
import type { SimulatedFetchFactory } from '../electron/main/sync/sync-service'
import { forwardedHeaders, serveOnLoopback } from './loopback-server'

/**
 * The demo's simulated platforms served over HTTP on 127.0.0.1 from their own process (the memory
 * bench): the same factory the core's simulator thread runs (`demoSimulatedFetch`), so the measured
 * process syncs the large demo as it would a user's real platforms, with none of the simulated
 * world in its memory. Each request carries its real URL (`x-target`), the connection's world
 * (`x-sim`, JSON) and the core's clock (`x-now`). Sends `{ port }` to its parent once listening.
 */
const factory = demoSimulatedFetch()
serveOnLoopback(async (req) => {
  const sim = JSON.parse(String(req.headers['x-sim'])) as Parameters<SimulatedFetchFactory>[0]
  const f = factory(sim, new Date(String(req.headers['x-now'])))
  return f(String(req.headers['x-target']), {
    method: req.method,
    headers: forwardedHeaders(req.headers, (k) => k.startsWith('x-')),
    body: req.body,
  })
})
