import { createHash, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { z } from 'zod'

export const GOOGLE_AUTH_URL = 'https://accounts.google.com/o/oauth2/v2/auth'
export const GOOGLE_ADS_SCOPE = 'https://www.googleapis.com/auth/adwords'

const b64url = (b: Buffer): string => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

/** PKCE pair (RFC 7636, S256). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = b64url(randomBytes(48))
  return { verifier, challenge: b64url(createHash('sha256').update(verifier).digest()) }
}

export interface GoogleOAuthOptions {
  clientId: string
  clientSecret: string
  tokenUrl: string
  authUrl?: string
  /** Opens the consent page in the user's browser (platform.openExternal). */
  openExternal(url: string): Promise<void>
  fetch?: typeof fetch
  /** Give up waiting for the browser after this long (default 5 minutes). */
  timeoutMs?: number
  /** Aborting stops waiting and closes the loopback listener at once (a newer sign-in supersedes this one). */
  signal?: AbortSignal
}

const TokenSchema = z.object({ refresh_token: z.string().min(1), access_token: z.string().optional() })

const PAGE = (msg: string): string =>
  `<!doctype html><meta charset="utf-8"><title>Marketing Engine</title><body style="font-family:sans-serif;padding:2rem"><p>${msg}</p></body>`

/**
 * OAuth for installed apps: a loopback redirect on an ephemeral 127.0.0.1 port with PKCE, then
 * the code exchange for a refresh token (access_type=offline, prompt=consent). The refresh token
 * goes straight to the caller (who stores it in platform.secrets); it never reaches the renderer.
 */
export async function googleLoopbackOAuth(o: GoogleOAuthOptions): Promise<{ refreshToken: string }> {
  const { verifier, challenge } = pkcePair()
  const state = b64url(randomBytes(16))
  let server: Server | null = null
  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  const code = await new Promise<{ code: string; redirectUri: string }>((resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error('Google sign-in timed out: no answer from the browser')),
      o.timeoutMs ?? 300_000,
    )
    onAbort = () => reject(new Error('Google sign-in was replaced by a newer sign-in request'))
    if (o.signal?.aborted) return onAbort()
    o.signal?.addEventListener('abort', onAbort, { once: true })
    let redirectUri = ''
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      if (url.pathname !== '/') {
        res.writeHead(404).end()
        return
      }
      const err = url.searchParams.get('error')
      const got = url.searchParams.get('code')
      if (url.searchParams.get('state') !== state) {
        res
          .writeHead(400, { 'content-type': 'text/html' })
          .end(PAGE('This sign-in link does not belong to this request.'))
        return
      }
      if (err || !got) {
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(PAGE('Sign-in was cancelled. You can close this window.'))
        reject(new Error(`Google sign-in failed: ${err ?? 'no authorisation code'}`))
        return
      }
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(PAGE('Signed in. You can close this window and return to Marketing Engine.'))
      resolve({ code: got, redirectUri })
    })
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      redirectUri = `http://127.0.0.1:${(server?.address() as AddressInfo).port}`
      const auth = new URL(o.authUrl ?? GOOGLE_AUTH_URL)
      const q = auth.searchParams
      q.set('client_id', o.clientId)
      q.set('redirect_uri', redirectUri)
      q.set('response_type', 'code')
      q.set('scope', GOOGLE_ADS_SCOPE)
      q.set('code_challenge', challenge)
      q.set('code_challenge_method', 'S256')
      q.set('state', state)
      q.set('access_type', 'offline')
      q.set('prompt', 'consent')
      o.openExternal(auth.toString()).catch(reject)
    })
  }).finally(() => {
    // Whatever ended the wait, the listener, the timer and the abort hook go with it.
    clearTimeout(timer)
    if (onAbort) o.signal?.removeEventListener('abort', onAbort)
    const s = server as Server | null
    s?.close()
    s?.closeIdleConnections()
    server = null
  })
  const res = await (o.fetch ?? fetch)(o.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: code.code,
      client_id: o.clientId,
      client_secret: o.clientSecret,
      redirect_uri: code.redirectUri,
      code_verifier: verifier,
    }).toString(),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`Google token exchange failed (HTTP ${res.status}): ${text.slice(0, 200)}`)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new Error('Google token exchange answered something that is not JSON')
  }
  const parsed = TokenSchema.safeParse(body)
  if (!parsed.success)
    throw new Error(
      'Google returned no refresh token: remove the app from your Google account permissions and try again',
    )
  return { refreshToken: parsed.data.refresh_token }
}
