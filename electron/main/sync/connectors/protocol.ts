import type { PlatformId } from '../../../../shared/domain/entities'
import type { z } from 'zod'
import type { ConnectorErrorKind, RetryPolicy } from './types'

/**
 * The platform-neutral reading of HTTP exchanges shared by HttpClient (main thread) and the page
 * decoders (worker threads): kept apart from http.ts so a worker loads no fetch/retry code.
 */

/** A finished HTTP exchange as the classifiers see it (`json` undefined when the body is not JSON). */
export interface HttpExchange {
  status: number
  headers: Headers
  text: string
  json: unknown
}

/**
 * A success answer's body checked against its schema, with the errors HttpClient and the decode
 * threads both give: an empty or non-JSON body (`invalid_json`), a shape the schema refuses
 * (`invalid_shape`, naming the first path).
 */
export function parseBody<T>(
  schema: z.ZodType<T>,
  text: string,
  json: unknown,
): { ok: true; data: T } | { ok: false; error: ErrorSignal } {
  if (json === undefined) {
    const why = text.trim() === '' ? 'empty body' : 'body is not valid JSON (malformed or truncated)'
    return { ok: false, error: { kind: 'invalid_response', message: why, code: 'invalid_json' } }
  }
  const parsed = schema.safeParse(json)
  if (parsed.success) return { ok: true, data: parsed.data }
  const issue = parsed.error.issues[0]
  const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape'
  return {
    ok: false,
    error: { kind: 'invalid_response', message: `unexpected response shape at ${where}`, code: 'invalid_shape' },
  }
}

/** What a platform's error signal means for us. */
export interface ErrorSignal {
  kind: ConnectorErrorKind
  message: string
  code?: string | number
  retryAfterMs?: number
}

/** Platform-specific reading of responses. */
export interface PlatformProtocol {
  platform: PlatformId
  /** The error carried by this response (status or body), or null for a success. */
  classify(ex: HttpExchange): ErrorSignal | null
  /** Milliseconds to pause before the next request after a success (usage headers); 0 = none. */
  throttleAfter?(ex: HttpExchange, policy: RetryPolicy): number
}

/** Retry-After header (seconds or HTTP date) in ms, or undefined. */
export function retryAfterHeaderMs(headers: Headers, now = Date.now()): number | undefined {
  const v = headers.get('retry-after')
  if (v === null) return undefined
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000)
  const at = Date.parse(v)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** Status-only fallback shared by the platform classifiers. */
export function classifyStatus(status: number, message: string): ErrorSignal | null {
  if (status >= 200 && status < 300) return null
  if (status === 401) return { kind: 'auth', message, code: status }
  if (status === 403) return { kind: 'permission', message, code: status }
  if (status === 429) return { kind: 'rate_limit', message, code: status }
  if (status === 408 || status >= 500) return { kind: 'transient', message, code: status }
  return { kind: 'bad_request', message, code: status }
}
