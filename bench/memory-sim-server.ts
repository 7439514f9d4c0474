import { createServer } from 'node:http'
import { demoSimulatedFetch } from '../electron/main/sync/real-connectors'
import type { SimulatedFetchFactory } from '../electron/main/sync/sync-service'

/**
 * The demo's simulated platforms served over HTTP on 127.0.0.1 from their own process (the memory
 * bench): the same factory the core's simulator thread runs (`demoSimulatedFetch`), so the measured
 * process syncs the large demo as it would a user's real platforms, with none of the simulated
 * world in its memory. Each request carries its real URL (`x-target`), the connection's world
 * (`x-sim`, JSON) and the core's clock (`x-now`). Sends `{ port }` to its parent once listening.
 */
const factory = demoSimulatedFetch()
const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    void (async () => {
      try {
        const sim = JSON.parse(String(req.headers['x-sim'])) as Parameters<SimulatedFetchFactory>[0]
        const f = factory(sim, new Date(String(req.headers['x-now'])))
        const headers = new Headers()
        for (const [k, v] of Object.entries(req.headers))
          if (typeof v === 'string' && !k.startsWith('x-') && k !== 'host' && k !== 'content-length') headers.set(k, v)
        const answer = await f(String(req.headers['x-target']), {
          method: req.method ?? 'GET',
          headers,
          body: chunks.length ? Buffer.concat(chunks) : undefined,
        })
        const out = Buffer.from(await answer.arrayBuffer())
        const h: Record<string, string> = {}
        answer.headers.forEach((v, k) => {
          if (k !== 'content-length' && k !== 'transfer-encoding') h[k] = v
        })
        res.writeHead(answer.status, h).end(out)
      } catch (e) {
        res.writeHead(598, { 'content-type': 'text/plain' }).end(String(e))
      }
    })()
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  const addr = server.address()
  process.send?.({ port: typeof addr === 'object' && addr ? addr.port : 0 })
})
process.on('disconnect', () => process.exit(0))
