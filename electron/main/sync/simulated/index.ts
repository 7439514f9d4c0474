import { getResponse, type HttpHandler } from 'msw'
import { PLATFORM_BASE_URLS, PLATFORM_TOKEN_URLS } from '../connectors/defaults'
import { googleAdsHandlers } from './google-ads'
import { metaHandlers } from './meta'
import { snapchatHandlers } from './snapchat'
import { tiktokHandlers } from './tiktok'
import { SimulatedState, type SimulatedPlatformsOptions } from './state'

export type { FaultKind, FaultOptions } from './faults'
export { SimulatedState, type SimulatedPlatformsOptions, type SimWrittenState } from './state'

/** Base URLs the simulated platforms answer on by default: the real ones, so connectors run unchanged. */
export const SIMULATED_BASE_URLS = PLATFORM_BASE_URLS
export const SIMULATED_TOKEN_URLS = PLATFORM_TOKEN_URLS

/** The four platform APIs simulated over a SimWorld: msw handlers plus the mutable state behind them. */
export interface SimulatedPlatforms {
  handlers: HttpHandler[]
  state: SimulatedState
}

/** Build msw handlers for Meta, Google Ads, TikTok and Snapchat backed by the simulator. */
export function createSimulatedPlatforms(opts: SimulatedPlatformsOptions): SimulatedPlatforms {
  const state = new SimulatedState(opts)
  const base = { ...PLATFORM_BASE_URLS, ...opts.baseUrls }
  const tokens = { ...PLATFORM_TOKEN_URLS, ...opts.tokenUrls }
  const handlers: HttpHandler[] = [
    ...metaHandlers(state, base.meta),
    ...googleAdsHandlers(state, base.google_ads, tokens.google_ads ?? ''),
    ...tiktokHandlers(state, base.tiktok),
    ...snapchatHandlers(state, base.snapchat, tokens.snapchat ?? ''),
  ]
  return { handlers, state }
}

/**
 * A `fetch` that answers from msw handlers without global interception (so only the demo
 * workspace's connectors see the simulated platforms). Unmatched requests fail like a network
 * error; the request's abort signal is honoured even while a handler hangs.
 */
export function simulatedFetch(handlers: HttpHandler[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init)
    const signal = request.signal
    signal.throwIfAborted()
    let onAbort: (() => void) | undefined
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
    })
    try {
      const res = await Promise.race([getResponse(handlers, request), aborted])
      if (!res) throw new TypeError(`fetch failed: no simulated handler for ${request.method} ${request.url}`)
      return res
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort)
    }
  }
}
