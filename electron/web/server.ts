import { randomBytes, timingSafeEqual } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { userInfo } from 'node:os'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { userContext, type CallContext } from '../../shared/domain/caller'
import type { Core } from '../main/core'
import { maxBodyBytes } from '../../shared/ipc/limits'
import type { ErrorCode } from '../../shared/ipc/result'

/** Same CSP as renderer/index.html, sent as a header too. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
  "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
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

/** Past the limit a body is drained (so the client reads the 413) up to this much more, then cut off. */
const DRAIN_MAX = 256 * 1024 * 1024

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
  /** The URL that logs the browser in: the page takes `?token=` from it and removes it from the address bar. */
  loginUrl: string
  token: string
  close(): Promise<void>
}

/**
 * The token travels only in the `x-me-token` header, which a page of another origin cannot set
 * without a CORS preflight (which this server never grants). Not in a cookie: cookies are shared
 * by every port of 127.0.0.1, so any local server the browser visits would receive it. Not in the
 * query string: the login URL's `?token=` is read by the page's script and removed at once.
 */
function tokenFrom(req: IncomingMessage): string | null {
  const header = req.headers['x-me-token']
  return typeof header === 'string' && header !== '' ? header : null
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

class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`Request body over ${limit} bytes`)
  }
}

/**
 * The body as text, at most `limit` bytes. A larger body is read to its end without being kept
 * (so the client gets the 413 instead of a reset), up to DRAIN_MAX more, then the socket is cut.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0)
    let size = 0
    let over = declared > limit
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > limit) over = true
      if (over) {
        chunks.length = 0
        if (size > limit + DRAIN_MAX) req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => (over ? reject(new BodyTooLarge(limit)) : resolveBody(Buffer.concat(chunks).toString('utf8'))))
    req.on('error', reject)
  })
}

/** `application/json`, with or without parameters (charset). */
function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json'
}

/**
 * Whether a request to the API comes from the preview's own page. Browsers send `Origin` on
 * every POST and `Sec-Fetch-Site` to loopback origins; both must name this origin. A page on
 * another port of 127.0.0.1 is "same-site" but not same-origin, so it is refused. Clients that
 * are not browsers (the CLI, tests) send neither and still need the token.
 */
export function foreignOrigin(headers: IncomingMessage['headers'], ownOrigins: readonly string[]): string | null {
  const site = headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin') return `Sec-Fetch-Site is ${JSON.stringify(site)}`
  const origin = headers.origin
  if (origin !== undefined && !ownOrigins.includes(origin)) return `Origin ${JSON.stringify(origin)} is not the preview`
  return null
}

/** Percent-decoding that answers null instead of throwing on a malformed escape. */
function decodePath(s: string): string | null {
  try {
    return decodeURIComponent(s)
  } catch {
    return null
  }
}

/**
 * The browser-preview host: the real core behind `POST /api/<channel>` and Server-Sent Events on
 * `/api/events`, with the built renderer beside it. Loopback only, Host checked (DNS rebinding);
 * the API answers only requests from the preview's own origin that carry the per-launch token in
 * the `x-me-token` header (the page takes it from the login URL once), JSON bodies only, bounded
 * by the contract (413 past it).
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
      if (!res.headersSent)
        sendJson(res, 500, { ok: false, error: { code: 'INTERNAL', message: 'The preview host failed; see its log' } })
      else res.end()
    })
  })

  const refuse = (res: ServerResponse, status: number, code: ErrorCode, message: string): void =>
    sendJson(res, status, { ok: false, error: { code, message } })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS-rebinding guard: only our own loopback origin may talk to us.
    const host = req.headers.host ?? ''
    const own = [`http://127.0.0.1:${port}`, `http://localhost:${port}`]
    if (!own.includes(`http://${host}`)) return refuse(res, 403, 'FORBIDDEN', 'Unexpected Host header')
    let url: URL
    try {
      url = new URL(req.url ?? '/', `http://${host}`)
    } catch {
      return refuse(res, 400, 'VALIDATION', 'Malformed request URL')
    }
    const path = decodePath(url.pathname)
    if (path === null) return refuse(res, 400, 'VALIDATION', 'Malformed percent-escape in the URL')
    if (!path.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end()
        return
      }
      serveStatic(path, res)
      return
    }
    // The API: only the preview's own page (or a non-browser client) with the token.
    const foreign = foreignOrigin(req.headers, own)
    if (foreign) return refuse(res, 403, 'FORBIDDEN', `Cross-origin request refused (${foreign})`)
    const given = tokenFrom(req)
    if (!given || !safeEqual(given, token))
      return refuse(res, 401, 'UNAUTHORIZED', 'Missing or wrong token: open the URL printed by npm run web')
    if (path === '/api/events' && req.method === 'GET') {
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
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST')
      return refuse(res, 405, 'VALIDATION', 'Use POST for /api/<channel>')
    }
    if (!isJson(req.headers['content-type']))
      return refuse(res, 415, 'VALIDATION', 'Send the request body as Content-Type: application/json')
    const channel = path.slice('/api/'.length)
    let input: unknown
    try {
      const body = await readBody(req, maxBodyBytes(channel))
      input = body.trim() === '' ? {} : JSON.parse(body)
    } catch (err) {
      if (err instanceof BodyTooLarge)
        return refuse(res, 413, 'VALIDATION', `The request body is larger than ${channel} accepts (${err.limit} bytes)`)
      return refuse(res, 400, 'VALIDATION', `Body is not valid JSON: ${(err as Error).message}`)
    }
    const envelope = await opts.core.dispatch(channel, input, caller)
    sendJson(res, envelope.ok ? 200 : (STATUS[envelope.error.code] ?? 400), envelope)
  }

  /** The built renderer: no data in it, so served without the token (the API needs it). */
  function serveStatic(path: string, res: ServerResponse): void {
    const rel = path === '/' ? 'index.html' : path.replace(/^\/+/, '')
    const file = normalize(join(root, rel))
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found')
      return
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'referrer-policy': 'no-referrer',
      'cache-control': file.endsWith('.html') ? 'no-store' : 'max-age=3600',
    })
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
