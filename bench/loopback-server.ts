import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { SimulatedFetchFactory } from '../electron/main/sync/sync-service'

/** A request as the loopback server hands it over: its method, headers and body. */
export interface LoopbackRequest {
  method: string
  headers: IncomingHttpHeaders
  body: Buffer | undefined
}

/**
 * An HTTP server on 127.0.0.1 in a bench's child process that answers each request with the fetch
 * `Response` that `answer` builds (the simulated platforms), so the measured process reads real
 * sockets. A thrown error answers 598 with its text. Sends `{ port }` to the parent once listening
 * and exits when the parent goes.
 */
export function serveOnLoopback(answer: (req: LoopbackRequest) => Promise<Response>): Server {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        try {
          const out = await answer({
            method: req.method ?? 'GET',
            headers: req.headers,
            body: chunks.length ? Buffer.concat(chunks) : undefined,
          })
          const body = Buffer.from(await out.arrayBuffer())
          const h: Record<string, string> = {}
          out.headers.forEach((v, k) => {
            if (k !== 'content-length' && k !== 'transfer-encoding') h[k] = v
          })
          res.writeHead(out.status, h).end(body)
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
  return server
}

/** The request's headers to pass on to the simulated API, without the loopback's own. */
export function forwardedHeaders(headers: IncomingHttpHeaders, skip: (name: string) => boolean): Headers {
  const out = new Headers()
  for (const [k, v] of Object.entries(headers))
    if (typeof v === 'string' && k !== 'host' && k !== 'content-length' && !skip(k)) out.set(k, v)
  return out
}

/**
 * The core's side of `memory-sim-server.ts`: demo connections fetch from the simulated platforms' own
 * process on `port`, each request carrying its real URL (`x-target`), the world (`x-sim`) and the clock (`x-now`).
 */
export function simulatedFetchOverLoopback(port: number): SimulatedFetchFactory {
  const origin = `http://127.0.0.1:${port}/`
  return (world, now) => async (input, init) => {
    const req = new Request(input, init)
    const headers = new Headers(req.headers)
    headers.set('x-target', req.url)
    headers.set('x-sim', JSON.stringify(world))
    headers.set('x-now', now.toISOString())
    const body = req.body ? await req.arrayBuffer() : undefined
    return fetch(origin, { method: req.method, headers, body, signal: req.signal, redirect: 'manual' })
  }
}
