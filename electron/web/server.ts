import { randomBytes, timingSafeEqual } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { userInfo } from 'node:os'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { userContext, type CallContext } from '../../shared/domain/caller'
import type { Core } from '../main/core'
import type { ErrorCode } from '../../shared/ipc/result'

/** Same CSP as renderer/index.html, sent as a header too. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
  "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  VALIDATION: 400,
  UNKNOWN_CHANNEL: 404,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  INTERNAL: 500,
}

const MAX_BODY = 2 * 1024 * 1024
const COOKIE = 'me_token'

export interface WebServerOptions {
  core: Core
  /** Folder with the built renderer (out/renderer). */
  staticDir: string
  port?: number
  /** Per-launch token; random when omitted. */
  token?: string
  /** Who the token stands for (default: the OS user who started the preview, admin). */
  caller?: CallContext
}

/** The token's owner: the local user who started `npm run web`. */
function tokenOwner(): CallContext {
  let name = 'web user'
  try {
    name = userInfo().username || name
  } catch {
    // no passwd entry (containers): keep the generic name
  }
  return userContext('web', { id: name, name })
}

export interface WebServer {
  server: Server
  url: string
  /** The URL that logs the browser in (carries the token once; a cookie keeps it). */
  loginUrl: string
  token: string
  close(): Promise<void>
}

function tokenFrom(req: IncomingMessage, url: URL): string | null {
  const header = req.headers['x-me-token']
  if (typeof header === 'string') return header
  const q = url.searchParams.get('token')
  if (q) return q
  const cookie = req.headers.cookie ?? ''
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === COOKIE) return decodeURIComponent(v.join('='))
  }
  return null
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(data)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    let size = 0
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(new Error(`Request body over ${MAX_BODY} bytes`))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/**
 * The browser-preview host: the real core behind `POST /api/<channel>` and Server-Sent Events on
 * `/api/events`, with the built renderer beside it. Loopback only; every request without the
 * per-launch token (header, query or the cookie set by the login URL) gets 401 before routing.
 */
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url')
  const caller = opts.caller ?? tokenOwner()
  const root = resolve(opts.staticDir)
  const clients = new Set<ServerResponse>()
  const unsubscribe = opts.core.events.onAny((event, payload) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`
    for (const c of clients) c.write(frame)
  })
  let port = 0

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      console.error('[web] request failed', err)
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'INTERNAL', message: String(err) } })
      else res.end()
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    // DNS-rebinding guard: only our own loopback origin may talk to us.
    const host = req.headers.host ?? ''
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      sendJson(res, 403, { ok: false, error: { code: 'FORBIDDEN', message: 'Unexpected Host header' } })
      return
    }
    const given = tokenFrom(req, url)
    if (!given || !safeEqual(given, token)) {
      sendJson(res, 401, {
        ok: false,
        error: { code: 'UNAUTHORIZED', message: 'Missing or wrong token: open the URL printed by npm run web' },
      })
      return
    }
    if (url.pathname === '/api/events' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
      res.write(': connected\n\n')
      clients.add(res)
      const beat = setInterval(() => res.write(': keep-alive\n\n'), 15_000)
      req.on('close', () => {
        clearInterval(beat)
        clients.delete(res)
      })
      return
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') {
        sendJson(res, 405, { ok: false, error: { code: 'VALIDATION', message: 'Use POST for /api/<channel>' } })
        return
      }
      const channel = decodeURIComponent(url.pathname.slice('/api/'.length))
      let input: unknown
      try {
        const body = await readBody(req)
        input = body.trim() === '' ? {} : JSON.parse(body)
      } catch (err) {
        sendJson(res, 400, {
          ok: false,
          error: { code: 'VALIDATION', message: `Body is not valid JSON: ${(err as Error).message}` },
        })
        return
      }
      const envelope = await opts.core.dispatch(channel, input, caller)
      sendJson(res, envelope.ok ? 200 : (STATUS[envelope.error.code] ?? 400), envelope)
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end()
      return
    }
    serveStatic(url, res)
  }

  function serveStatic(url: URL, res: ServerResponse): void {
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '')
    const file = normalize(join(root, rel))
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found')
      return
    }
    const headers: Record<string, string> = {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': file.endsWith('.html') ? 'no-store' : 'max-age=3600',
    }
    // The login URL carries the token once; a strict cookie keeps assets and the API authorised.
    if (url.searchParams.get('token'))
      headers['set-cookie'] = `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`
    res.writeHead(200, headers)
    res.end(readFileSync(file))
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolveListen())
  })
  const addr = server.address()
  port = typeof addr === 'object' && addr ? addr.port : 0
  const url = `http://127.0.0.1:${port}/`
  return {
    server,
    url,
    loginUrl: `${url}?token=${token}`,
    token,
    close: () =>
      new Promise<void>((r) => {
        unsubscribe()
        for (const c of clients) c.end()
        server.close(() => r())
        server.closeAllConnections()
      }),
  }
}
