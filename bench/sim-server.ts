import { getResponse } from 'msw'
import { createSimulatedPlatforms } from '../electron/main/sync/simulated'
import { benchConfig, buildWorld } from '../electron/main/sync/simulator'
import { forwardedHeaders, serveOnLoopback } from './loopback-server'

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

const server = serveOnLoopback(async (req) => {
  requests++
  const target = String(req.headers['x-target'] ?? '')
  const request = new Request(target, {
    method: req.method,
    headers: forwardedHeaders(req.headers, (k) => k === 'x-target'),
    body: req.body,
  })
  const answer = await getResponse(sim.handlers, request)
  return (
    answer ??
    new Response(`no simulated handler for ${req.method} ${target}`, {
      status: 599,
      headers: { 'content-type': 'text/plain' },
    })
  )
})
process.on('message', (m) => {
  if (m === 'count') process.send?.({ requests })
  if (m === 'stop') server.close(() => process.exit(0))
})
