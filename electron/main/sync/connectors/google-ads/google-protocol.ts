import { z } from 'zod'
import {
  classifyStatus,
  retryAfterHeaderMs,
  type ErrorSignal,
  type HttpExchange,
  type PlatformProtocol,
} from '../protocol'

const GoogleErrorSchema = z.looseObject({
  error: z.looseObject({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z.array(z.unknown()).optional(),
  }),
})
type GoogleError = z.infer<typeof GoogleErrorSchema>['error']

/** The error object of a REST body, or of the first error element of a searchStream array. */
function findError(json: unknown): GoogleError | undefined {
  const items = Array.isArray(json) ? json : [json]
  for (const it of items) {
    const p = GoogleErrorSchema.safeParse(it)
    if (p.success) return p.data.error
  }
  return undefined
}

/** Every value of `key` anywhere inside `v` (retryDelay, errorCode...). */
function collect(v: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(v)) for (const x of v) collect(x, key, out)
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      if (k === key) out.push(x)
      collect(x, key, out)
    }
  return out
}

/** "60s" / "1.5s" durations in ms. */
export function parseDurationMs(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined
  const m = /^(\d+(?:\.\d+)?)s$/.exec(v.trim())
  return m ? Math.round(Number(m[1]) * 1000) : undefined
}

/** Error families and values from GoogleAdsFailure details: [["quotaError","RESOURCE_EXHAUSTED"], ...]. */
function errorCodes(e: GoogleError): [string, string][] {
  const out: [string, string][] = []
  for (const ec of collect(e.details, 'errorCode'))
    if (ec && typeof ec === 'object') for (const [k, v] of Object.entries(ec)) out.push([k, String(v)])
  return out
}

/**
 * Google's own messages of the GoogleAdsFailure errors ("Unrecognized field in the query:
 * 'metrics.video_views'."): the top-level message is usually the generic "Request contains an
 * invalid argument.", so these are what names the field or the problem.
 */
function failureMessages(e: GoogleError): string[] {
  const out: string[] = []
  for (const errors of collect(e.details, 'errors'))
    if (Array.isArray(errors))
      for (const x of errors) {
        const m = (x as { message?: unknown } | null)?.message
        if (typeof m === 'string' && m && !out.includes(m)) out.push(m)
      }
  return out
}

/** Classify a Google Ads REST response (status, `error.status`, GoogleAdsFailure error codes). */
export function classifyGoogle(ex: HttpExchange): ErrorSignal | null {
  const e = findError(ex.json)
  if (!e) return classifyStatus(ex.status, `HTTP ${ex.status}`)
  const codes = errorCodes(e)
  const family = new Set(codes.map(([k]) => k))
  const first = codes[0]
  const code = first ? `${first[0]}.${first[1]}` : (e.status ?? e.code ?? ex.status)
  const detail = [...new Set(codes.map(([k, v]) => `${k}=${v}`))].join(', ')
  const specific = failureMessages(e)
  const text = specific.length > 0 ? specific.join(' ') : (e.message ?? 'Google Ads API error')
  const message = `${e.status ?? `HTTP ${ex.status}`}: ${text}${detail ? ` (${detail})` : ''}`
  const delays = collect(e.details, 'retryDelay')
    .map(parseDurationMs)
    .filter((d): d is number => d !== undefined)
  const retryAfterMs = delays.length > 0 ? Math.max(...delays) : retryAfterHeaderMs(ex.headers)
  if (e.status === 'UNAUTHENTICATED' || ex.status === 401 || family.has('authenticationError'))
    return { kind: 'auth', message, code }
  if (e.status === 'PERMISSION_DENIED' || ex.status === 403 || family.has('authorizationError'))
    return { kind: 'permission', message, code }
  if (e.status === 'RESOURCE_EXHAUSTED' || ex.status === 429 || family.has('quotaError'))
    return { kind: 'rate_limit', message, code, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }
  if (ex.status >= 500 || e.status === 'UNAVAILABLE' || e.status === 'INTERNAL' || e.status === 'DEADLINE_EXCEEDED')
    return { kind: 'transient', message, code }
  return { kind: 'bad_request', message, code }
}

export const GOOGLE_PROTOCOL: PlatformProtocol = { platform: 'google_ads', classify: classifyGoogle }

const OAuthErrorSchema = z.looseObject({ error: z.string(), error_description: z.string().optional() })

/** OAuth token endpoint errors (RFC 6749 `{"error":"invalid_grant"}`): grant problems are auth errors. */
export function classifyOAuth(platform: PlatformProtocol['platform']): PlatformProtocol {
  return {
    platform,
    classify(ex) {
      if (ex.status >= 200 && ex.status < 300) return null
      const p = OAuthErrorSchema.safeParse(ex.json)
      const message = p.success
        ? `OAuth ${p.data.error}${p.data.error_description ? `: ${p.data.error_description}` : ''}`
        : `OAuth HTTP ${ex.status}`
      if (p.success && /invalid_grant|invalid_client|unauthorized_client|invalid_token/.test(p.data.error))
        return { kind: 'auth', message, code: p.data.error }
      if (ex.status === 400 || ex.status === 401) return { kind: 'auth', message, code: ex.status }
      return classifyStatus(ex.status, message)
    },
  }
}

export const TokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().optional(),
  token_type: z.string().optional(),
  refresh_token: z.string().optional(),
})
