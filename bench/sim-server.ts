import { createServer } from 'node:http'
import { getResponse } from 'msw'
import { createSimulatedPlatforms } from '../electron/main/sync/simulated'
import { benchConfig, buildWorld } from '../electron/main/sync/simulator'

/**
 * The simulated platform APIs served over real HTTP on 127.0.0.1, in their own process (the ingest
 * bench's ME_BENCH_API=loopback). The bench's fetch sends each request here with its real URL in
 * `x-target`; this process answers it with the msw handlers, so the connectors read real sockets
 * and the pages' building costs none of the measured process's CPU. Prints nothing; sends
 * `{ port }` to its parent once listening, and `{ requests }` when asked for `'count'`.
 */
export interface SimServerArgs {
  campaigns: number
  days: number
  endDate: string
  churnEveryDays?: number
  pageSize: Record<string, number>
}

const args = JSON.parse(process.argv[2] ?? '{}') as SimServerArgs
const world = buildWorld(benchConfig(args.endDate, args.campaigns, args.days, args.churnEveryDays))
const sim = createSimulatedPlatforms({ world, pageSize: args.pageSize })
let requests = 0

const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    void (async () => {
      requests++
      const target = String(req.headers['x-target'] ?? '')
      const headers = new Headers()
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'x-target' && k !== 'host' && k !== 'content-length') headers.set(k, v)
      const body = chunks.length ? Buffer.concat(chunks) : undefined
      const request = new Request(target, { method: req.method, headers, body })
      try {
        const answer = await getResponse(sim.handlers, request)
        if (!answer) {
          res.writeHead(599, { 'content-type': 'text/plain' }).end(`no simulated handler for ${req.method} ${target}`)
          return
        }
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
process.on('message', (m) => {
  if (m === 'count') process.send?.({ requests })
  if (m === 'stop') server.close(() => process.exit(0))
})
process.on('disconnect', () => process.exit(0))
