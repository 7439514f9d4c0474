import { z } from 'zod'
import {
  classifyStatus,
  retryAfterHeaderMs,
  type ErrorSignal,
  type HttpExchange,
  type PlatformProtocol,
} from '../protocol'
import type { RetryPolicy } from '../types'

/** Graph API error body: `{"error":{"message","type","code","error_subcode","is_transient"}}`. */
export const MetaErrorSchema = z.looseObject({
  error: z.looseObject({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    is_transient: z.boolean().optional(),
  }),
})

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613])
/** "Please reduce the amount of data you're asking for" and the insights time-outs that mean the same. */
const TOO_LARGE_SUBCODES = new Set([1487534, 1504018, 1504038])

/** Classify a Graph API response into our error kinds (null = success). */
export function classifyMeta(ex: HttpExchange): ErrorSignal | null {
  const parsed = MetaErrorSchema.safeParse(ex.json)
  if (!parsed.success) {
    if (ex.status >= 200 && ex.status < 300) return null
    return classifyStatus(ex.status, `HTTP ${ex.status}`)
  }
  const e = parsed.data.error
  const code = e.code ?? ex.status
  const sub = e.error_subcode
  // Graph's own text usually starts with "(#80000)": the code is said once, with the subcode added.
  const text = (e.message ?? 'Graph API error').replace(/^\(#\d+\)\s*/, '')
  const message = `(#${code}${sub !== undefined ? `/${sub}` : ''}) ${text}`
  const retryAfterMs = usageRegainMs(ex.headers) ?? retryAfterHeaderMs(ex.headers)
  const withRetry = retryAfterMs !== undefined ? { retryAfterMs } : {}
  if (sub !== undefined && TOO_LARGE_SUBCODES.has(sub)) return { kind: 'too_large', message, code }
  if (RATE_LIMIT_CODES.has(code) || (code >= 80000 && code <= 80014))
    return { kind: 'rate_limit', message, code, ...withRetry }
  if (code === 190 || code === 102) return { kind: 'auth', message, code }
  if (code === 10 || code === 200 || (code >= 200 && code <= 299) || (code === 100 && sub === 33))
    return { kind: 'permission', message, code }
  if (e.is_transient === true || code === 1 || code === 2 || code === 99 || ex.status >= 500)
    return { kind: 'transient', message, code }
  return { kind: 'bad_request', message, code }
}

const UsageEntrySchema = z.looseObject({
  call_count: z.number().optional(),
  total_cputime: z.number().optional(),
  total_time: z.number().optional(),
  acc_id_util_pct: z.number().optional(),
  estimated_time_to_regain_access: z.number().optional(),
})

function parseHeader(headers: Headers, name: string): unknown {
  const v = headers.get(name)
  if (v === null) return undefined
  try {
    return JSON.parse(v)
  } catch {
    return undefined
  }
}

/** Every usage entry from X-App-Usage, X-Ad-Account-Usage and X-Business-Use-Case-Usage. */
function usageEntries(headers: Headers): z.infer<typeof UsageEntrySchema>[] {
  const out: z.infer<typeof UsageEntrySchema>[] = []
  for (const name of ['x-app-usage', 'x-ad-account-usage']) {
    const p = UsageEntrySchema.safeParse(parseHeader(headers, name))
    if (p.success) out.push(p.data)
  }
  const buc = parseHeader(headers, 'x-business-use-case-usage')
  if (buc && typeof buc === 'object') {
    for (const list of Object.values(buc as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue
      for (const item of list) {
        const p = UsageEntrySchema.safeParse(item)
        if (p.success) out.push(p.data)
      }
    }
  }
  return out
}

/** `estimated_time_to_regain_access` (minutes) from the usage headers, in ms. */
function usageRegainMs(headers: Headers): number | undefined {
  let minutes = 0
  for (const u of usageEntries(headers)) minutes = Math.max(minutes, u.estimated_time_to_regain_access ?? 0)
  return minutes > 0 ? minutes * 60_000 : undefined
}

/** Highest usage percentage reported by any usage header (0-100+). */
export function metaUsagePct(headers: Headers): number {
  let pct = 0
  for (const u of usageEntries(headers))
    pct = Math.max(pct, u.call_count ?? 0, u.total_cputime ?? 0, u.total_time ?? 0, u.acc_id_util_pct ?? 0)
  return pct
}

/**
 * Pause after a success when usage runs high: nothing below 75 %, then growing linearly to
 * maxDelayMs at 100 %, so we slow down before Meta starts refusing calls.
 */
export function metaThrottle(ex: HttpExchange, policy: RetryPolicy): number {
  const regain = usageRegainMs(ex.headers)
  if (regain !== undefined) return Math.min(regain, policy.maxDelayMs)
  const pct = metaUsagePct(ex.headers)
  if (pct < 75) return 0
  return Math.round(((Math.min(pct, 100) - 75) / 25) * policy.maxDelayMs)
}

export const META_PROTOCOL: PlatformProtocol = { platform: 'meta', classify: classifyMeta, throttleAfter: metaThrottle }

/** Meta's currency offsets: these bill in whole units (offset 1), everything else in hundredths. */
const META_OFFSET_ONE = new Set(['CLP', 'COP', 'CRC', 'HUF', 'ISK', 'IDR', 'JPY', 'KRW', 'PYG', 'TWD', 'VND'])

/**
 * Decimals of Meta's budget minor unit for a currency. Differs from ISO for HUF/IDR/TWD (Meta
 * uses offset 1 there), which is why shared/domain/money's table is not used here.
 */
export function metaMinorDigits(currency: string): number {
  return META_OFFSET_ONE.has(currency.toUpperCase()) ? 0 : 2
}

/** Micros to Meta budget minor units (cents; yen for JPY), rounding half up. */
export function microsToMetaMinor(micros: number, currency: string): number {
  return Math.round(micros / 10 ** (6 - metaMinorDigits(currency)))
}

/** Meta budget minor units ("600", 600.0) to micros. */
export function metaMinorToMicros(minor: string | number, currency: string): number {
  const n = typeof minor === 'number' ? minor : Number(minor)
  if (!Number.isFinite(n) || !Number.isInteger(n)) throw new Error(`Not a budget in minor units: ${String(minor)}`)
  return n * 10 ** (6 - metaMinorDigits(currency))
}

/** Default purchase action types, first present wins (never summed). */
export const DEFAULT_PURCHASE_ACTION_TYPES = ['omni_purchase', 'purchase', 'offsite_conversion.fb_pixel_purchase']
