import type { PlatformId } from '../../../../shared/domain/entities'
import type { FaultKind } from './faults'
import type { SimulatedState } from './state'

/** A simulated response before it becomes a fetch Response. */
export interface SimResponse {
  status: number
  body: string
  headers?: Record<string, string>
}

const RAW = '@@raw@@'

/** Mark a numeric string to be emitted as a bare JSON number (big ids, TikTok decimals). */
export function raw(n: string): string {
  return `${RAW}${n}`
}

/** JSON response; values made with `raw()` become unquoted numbers (possibly beyond 2^53). */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): SimResponse {
  const encoded = JSON.stringify(value)
  const text = encoded.includes(RAW) ? encoded.replace(/"@@raw@@(-?\d+(?:\.\d+)?)"/g, '$1') : encoded
  return { status, body: text, headers: { 'content-type': 'application/json', ...headers } }
}

/** The platform's own response for an injected fault. */
export function faultResponse(
  platform: PlatformId,
  kind: Exclude<FaultKind, 'timeout' | 'malformed' | 'truncated'>,
  /** Meta's `estimated_time_to_regain_access` (minutes) on a rate-limit fault. */
  regainMinutes = 0,
): SimResponse {
  switch (platform) {
    case 'meta':
      if (kind === 'rate_limit')
        return json(
          400,
          {
            error: {
              message: '(#80000) There have been too many calls from this ad-account. Wait a bit and try again.',
              type: 'OAuthException',
              code: 80000,
              error_subcode: 2446079,
              fbtrace_id: 'sim',
            },
          },
          {
            'x-business-use-case-usage': JSON.stringify({
              '1': [
                {
                  type: 'ads_insights',
                  call_count: 100,
                  total_cputime: 30,
                  total_time: 30,
                  estimated_time_to_regain_access: regainMinutes,
                },
              ],
            }),
          },
        )
      if (kind === 'server_error')
        return json(500, {
          error: {
            message: 'An unexpected error has occurred. Please retry your request later.',
            type: 'OAuthException',
            code: 2,
            is_transient: true,
          },
        })
      return json(400, {
        error: {
          message: 'Error validating access token: Session has expired',
          type: 'OAuthException',
          code: 190,
          error_subcode: 463,
        },
      })
    case 'google_ads': {
      if (kind === 'rate_limit')
        return json(429, {
          error: {
            code: 429,
            message: 'Resource has been exhausted (e.g. check quota).',
            status: 'RESOURCE_EXHAUSTED',
            details: [
              {
                '@type': 'type.googleapis.com/google.ads.googleads.v21.errors.GoogleAdsFailure',
                errors: [
                  {
                    errorCode: { quotaError: 'RESOURCE_TEMPORARILY_EXHAUSTED' },
                    message: 'Too many requests.',
                    details: {
                      quotaErrorDetails: { rateScope: 'ACCOUNT', rateName: 'Requests per account', retryDelay: '0s' },
                    },
                  },
                ],
                requestId: 'sim',
              },
            ],
          },
        })
      if (kind === 'server_error')
        return json(503, {
          error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' },
        })
      return json(401, {
        error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' },
      })
    }
    case 'tiktok':
      if (kind === 'rate_limit')
        return json(200, {
          code: 40100,
          message: 'Too many requests. Please retry in some time.',
          request_id: 'sim',
          data: {},
        })
      if (kind === 'server_error')
        return json(200, { code: 50000, message: 'System error.', request_id: 'sim', data: {} })
      return json(200, {
        code: 40105,
        message: 'Access token is incorrect or has been revoked.',
        request_id: 'sim',
        data: {},
      })
    case 'snapchat':
      if (kind === 'rate_limit')
        return json(429, { request_status: 'ERROR', request_id: 'sim', msg: 'Rate limit exceeded' })
      if (kind === 'server_error')
        return json(503, { request_status: 'ERROR', request_id: 'sim', msg: 'Service unavailable' })
      return json(401, { request_status: 'ERROR', request_id: 'sim', msg: 'Unauthorized' })
  }
}

function toResponse(r: SimResponse): Response {
  return new Response(r.body, { status: r.status, headers: r.headers ?? {} })
}

/**
 * Serve a request: count it, inject the next fault for reads (random faults never hit writes; a
 * scripted write fault applies the write and loses its answer), else produce the real response.
 * 'auth' requests (OAuth token refreshes) are never faulted.
 */
export async function serve(
  state: SimulatedState,
  platform: PlatformId,
  request: Request,
  mode: 'read' | 'write' | 'auth',
  real: () => SimResponse | Promise<SimResponse>,
): Promise<Response> {
  state.requestCount[platform]++
  if (mode === 'write' && state.faults.nextWrite() === 'error_after_apply') {
    try {
      await real()
    } catch (e) {
      if (!(e instanceof SimHttpError)) throw e
    }
    return toResponse(faultResponse(platform, 'server_error'))
  }
  const fault = mode === 'read' ? state.faults.next(platform) : null
  if (fault === 'timeout') {
    await hang(request.signal, state.faults.options.hangMs ?? 30_000)
    return toResponse({ status: 504, body: '' })
  }
  if (fault === 'malformed')
    return toResponse({
      status: 200,
      body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
      headers: { 'content-type': 'text/html' },
    })
  if (fault && fault !== 'truncated')
    return toResponse(faultResponse(platform, fault, state.faults.options.metaRegainMinutes ?? 0))
  let res: SimResponse
  try {
    res = await real()
  } catch (e) {
    if (e instanceof SimHttpError) res = e.response
    else throw e
  }
  if (fault === 'truncated') res = { ...res, body: res.body.slice(0, Math.max(1, Math.floor(res.body.length / 2))) }
  return toResponse(res)
}

/** Thrown inside handlers to answer with a specific error response. */
export class SimHttpError extends Error {
  constructor(readonly response: SimResponse) {
    super(`simulated HTTP ${response.status}`)
  }
}

function hang(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t)
        resolve()
      },
      { once: true },
    )
  })
}

/** Bearer token of a request, or null. */
export function bearer(request: Request): string | null {
  const h = request.headers.get('authorization')
  const m = h ? /^Bearer\s+(.+)$/i.exec(h) : null
  return m?.[1] ?? null
}
