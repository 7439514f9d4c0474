import { describe, expect, it } from 'vitest'
import { PLATFORMS, type PlatformId } from '../../../../shared/domain/entities'
import { byAdDay, collectRows, simConnector, testPlatforms, totals } from './test-support'
import { ConnectorError, type RemoteDailyRow } from './types'

/**
 * Chaos: random 429s, 5xx, timeouts, malformed and truncated bodies injected with a seeded RNG.
 * A full-range fetch must either return exactly the clean run's rows (same totals to the micro, no
 * duplicate ad-day) or throw a ConnectorError; never a silently different result.
 */
const RANGE = ['2025-01-15', '2025-03-31'] as const
const SEEDS = [1, 2, 3, 4]
const RATES = { rate_limit: 0.08, server_error: 0.08, timeout: 0.04, malformed: 0.05, truncated: 0.05 }

async function fetchAll(platform: PlatformId, sim: ReturnType<typeof testPlatforms>): Promise<RemoteDailyRow[]> {
  const c = simConnector(platform, sim, { retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 3, timeoutMs: 60 } })
  const out: RemoteDailyRow[] = []
  for (const account of await c.listAccounts())
    out.push(...(await collectRows(c.fetchDaily(account, RANGE[0], RANGE[1]))))
  return out
}

describe('connector chaos', () => {
  for (const platform of PLATFORMS) {
    it(`${platform}: faulty runs equal the clean run or fail with a ConnectorError`, async () => {
      // Small pages and a Meta async job that needs polls make every run cross many requests.
      const opts = {
        pageSize: { meta: 100, google_ads: 40, tiktok: 40, snapchat: 20 },
        faults: { metaAsyncPolls: 2, hangMs: 2000 },
      }
      const clean = await fetchAll(platform, testPlatforms(opts))
      const cleanMap = byAdDay(clean)
      expect(clean.length).toBeGreaterThan(500)
      let completed = 0
      let injected = 0
      for (const seed of SEEDS) {
        const sim = testPlatforms({ ...opts, faults: { ...opts.faults, seed, rates: RATES } })
        try {
          const rows = await fetchAll(platform, sim)
          expect(totals(rows)).toEqual(totals(clean))
          expect(byAdDay(rows)).toEqual(cleanMap)
          completed++
        } catch (e) {
          if (!(e instanceof ConnectorError)) throw e
          expect(['rate_limit', 'transient', 'invalid_response']).toContain(e.kind)
        }
        injected += Object.values(sim.state.faults.injected).reduce((a, b) => a + b, 0)
      }
      expect(injected).toBeGreaterThan(2 * SEEDS.length)
      expect(completed).toBeGreaterThan(0)
    })
  }
})
