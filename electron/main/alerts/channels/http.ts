import type { DeliveryResult } from '../../../../shared/domain/alerts'
import { outboundUrlProblem } from '../../../../shared/domain/urls'

/** POSTs for Slack and webhooks: https (or loopback), no redirects, a timeout, classified answers. */

export interface HttpDeps {
  fetch: typeof globalThis.fetch
  /** Wall clock (Retry-After dates). */
  now: () => Date
  /** Monotonic milliseconds for latency. */
  monotonic?: () => number
  timeoutMs?: number
}

/** Retry-After as delay seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (!value) return null
  const v = value.trim()
  if (/^\d+$/.test(v)) return Number(v) * 1000
  const at = Date.parse(v)
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime())
}

export interface PostOutcome {
  /** The answer, when one came. */
  status: number | null
  body: string
  retryAfterMs: number | null
  latencyMs: number
  /** Network failure or timeout (no answer). */
  networkError: string | null
}

/** Where a URL points, for messages: scheme, host and the first path segment (never a token). */
export function describeUrl(raw: string): string {
  try {
    const u = new URL(raw)
    return `${u.protocol}//${u.host}`
  } catch {
    return 'the URL'
  }
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'the connection was reset',
  UND_ERR_SOCKET: 'the connection was closed',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
}

export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  deps: HttpDeps,
): Promise<PostOutcome> {
  const mono = deps.monotonic ?? ((): number => performance.now())
  const started = mono()
  const timeout = AbortSignal.timeout(deps.timeoutMs ?? 15_000)
  try {
    const res = await deps.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.any([signal, timeout]),
    })
    const text = (await res.text()).slice(0, 2000)
    return {
      status: res.status,
      body: text,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), deps.now()),
      latencyMs: Math.round(mono() - started),
      networkError: null,
    }
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } }
    const code = e.cause?.code ?? ''
    const why = signal.aborted
      ? 'cancelled'
      : timeout.aborted
        ? `no answer within ${Math.round((deps.timeoutMs ?? 15_000) / 1000)} s`
        : (NETWORK_ERRORS[code] ??
          (/CERT|certificate/i.test(`${code} ${e.cause?.message ?? ''}`)
            ? `its TLS certificate was refused: ${e.cause?.message ?? code}`
            : `${e.cause?.message ?? e.message}${code ? ` (${code})` : ''}`))
    return { status: null, body: '', retryAfterMs: null, latencyMs: Math.round(mono() - started), networkError: why }
  }
}

/** A URL the app refuses to send to, as a permanent result (before any connection). */
export function refusedUrl(url: string, what: string): DeliveryResult | null {
  const problem = outboundUrlProblem(url)
  return problem
    ? {
        ok: false,
        latencyMs: 0,
        statusCode: null,
        errorKind: 'permanent',
        error: `${what}: ${problem}`,
        retryAfterMs: null,
      }
    : null
}

/**
 * The common reading of an HTTP answer: 2xx delivered; 408, 425, 429 and 5xx transient; 3xx (we
 * never follow redirects with a signed body) and other 4xx permanent; no answer transient.
 */
export function classifyHttp(
  out: PostOutcome,
  what: string,
  where: string,
  explain4xx?: (status: number, body: string) => string | null,
): DeliveryResult {
  if (out.networkError !== null)
    return {
      ok: false,
      latencyMs: out.latencyMs,
      statusCode: null,
      errorKind: 'transient',
      error: `${what}: could not reach ${where} (${out.networkError})`,
      retryAfterMs: null,
    }
  const status = out.status ?? 0
  const said = out.body.trim() ? `: ${out.body.trim().slice(0, 200)}` : ''
  if (status >= 200 && status < 300)
    return { ok: true, latencyMs: out.latencyMs, statusCode: status, detail: `${status}${said}` }
  const transient = status === 408 || status === 425 || status === 429 || status >= 500
  let error: string
  if (status === 429)
    error = `${what}: ${where} asked to slow down (429)${out.retryAfterMs !== null ? `, retry after ${Math.ceil(out.retryAfterMs / 1000)} s` : ''}`
  else if (status >= 300 && status < 400)
    error = `${what}: ${where} answered with a redirect (${status}); use the final URL`
  else error = explain4xx?.(status, out.body.trim()) ?? `${what}: ${where} answered ${status}${said}`
  return {
    ok: false,
    latencyMs: out.latencyMs,
    statusCode: status,
    errorKind: transient ? 'transient' : 'permanent',
    error,
    retryAfterMs: out.retryAfterMs,
  }
}
