import type { PlatformId } from '../../../../shared/domain/entities'
import {
  createSimulatedPlatforms,
  simulatedFetch,
  type SimulatedPlatforms,
  type SimulatedPlatformsOptions,
} from '../simulated'
import type { SimConfig } from '../simulator'
import { unpackBatch, type DailyBatch } from './daily-batch'
import { PLATFORM_BASE_URLS, PLATFORM_TOKEN_URLS } from './defaults'
import { createConnector } from './index'
import type { Connector, ConnectorContext, RemoteAccount, RemoteDailyRow, RetryPolicy } from './types'

/** Small world for connector tests: 24 campaigns over 90 days. */
export const TEST_CONFIG: SimConfig = { seed: 11, campaigns: 24, days: 90, endDate: '2025-03-31' }

/** Tiny delays so retries cost nothing in tests. */
export const FAST_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4, timeoutMs: 200 }

export const TEST_CREDENTIALS: Record<PlatformId, Record<string, string>> = {
  meta: { accessToken: 'meta-token' },
  google_ads: { developerToken: 'dev-token', refreshToken: 'refresh', clientId: 'cid', clientSecret: 'secret' },
  tiktok: { accessToken: 'tt-token', appId: 'app', secret: 'secret' },
  snapchat: { refreshToken: 'refresh', clientId: 'cid', clientSecret: 'secret' },
}

/** Simulated platforms over TEST_CONFIG (or the given options). */
export function testPlatforms(opts: Partial<SimulatedPlatformsOptions> = {}): SimulatedPlatforms {
  return createSimulatedPlatforms({ config: TEST_CONFIG, ...opts })
}

/** Connector context routed to the simulated platforms. */
export function simContext(
  platform: PlatformId,
  sim: SimulatedPlatforms,
  extra: Partial<ConnectorContext> = {},
): ConnectorContext {
  const tokenUrl = PLATFORM_TOKEN_URLS[platform]
  return {
    fetch: simulatedFetch(sim.handlers),
    baseUrl: PLATFORM_BASE_URLS[platform],
    ...(tokenUrl ? { tokenUrl } : {}),
    credentials: TEST_CREDENTIALS[platform],
    retry: FAST_RETRY,
    ...extra,
  }
}

export function simConnector(
  platform: PlatformId,
  sim: SimulatedPlatforms,
  extra: Partial<ConnectorContext> = {},
): Connector {
  return createConnector(platform, simContext(platform, sim, extra))
}

/** Every row of a fetchDaily run (batches unpacked; an empty batch is a contract violation). */
export async function collectRows(gen: AsyncGenerator<DailyBatch>): Promise<RemoteDailyRow[]> {
  const out: RemoteDailyRow[] = []
  for await (const page of gen) {
    if (page.n === 0) throw new Error('fetchDaily yielded an empty batch')
    for (const r of unpackBatch(page)) out.push(r)
  }
  return out
}

/** The simulated account behind a RemoteAccount. */
export function accountKeyOf(sim: SimulatedPlatforms, platform: PlatformId, account: RemoteAccount): string {
  const a = sim.state.account(platform, account.externalId)
  if (!a) throw new Error(`no simulated account ${account.externalId}`)
  return a.key
}

/** Totals that must match to the micro between two runs. */
export function totals(rows: RemoteDailyRow[]): Record<string, number> {
  const t = {
    rows: rows.length,
    spendMicros: 0,
    impressions: 0,
    clicks: 0,
    conversionsX100: 0,
    conversionValueMicros: 0,
    videoViews: 0,
    reach: 0,
  }
  for (const r of rows) {
    t.spendMicros += r.spendMicros
    t.impressions += r.impressions
    t.clicks += r.clicks
    t.conversionsX100 += Math.round(r.conversions * 100)
    t.conversionValueMicros += r.conversionValueMicros
    t.videoViews += r.videoViews
    t.reach += r.reach
  }
  return t
}

/** Rows keyed by ad|date; throws on a duplicate ad-day. */
export function byAdDay(rows: RemoteDailyRow[]): Map<string, RemoteDailyRow> {
  const m = new Map<string, RemoteDailyRow>()
  for (const r of rows) {
    const k = `${r.adExternalId}|${r.date}`
    if (m.has(k)) throw new Error(`duplicate ad-day ${k}`)
    m.set(k, r)
  }
  return m
}
