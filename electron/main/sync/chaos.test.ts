import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Core } from '../core'
import { buildWorld } from './simulator'
import { syncNow } from './sync-engine/testing/setup'
import { checkIntegrity, FAST_RETRY, simWorkspace, storedRows } from './testing/sim-setup'
import type { PlatformId } from '../../../shared/domain/entities'

const NOW = new Date('2026-06-15T12:00:00Z')
const END = '2026-06-14'
/** Every platform: real connectors against the simulated APIs. */
const PLATFORMS: PlatformId[] = ['meta', 'google_ads', 'tiktok', 'snapchat']
const cores: Core[] = []
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close()
})

const world = buildWorld({ seed: 11, campaigns: 16, days: 45, endDate: END })

let clean = new Map<string, string>()
beforeAll(async () => {
  const w = await simWorkspace(PLATFORMS, { world }, { now: () => NOW })
  expect((await syncNow(w.core, w.workspaceId)).status).toBe('succeeded')
  clean = storedRows(w.core, w.workspaceId)
  await w.core.close()
})

describe('chaos: random 429s, 5xx, timeouts, malformed and truncated JSON', () => {
  it.each([1, 2, 3])(
    'seed %i: each account completes with the clean totals or fails cleanly; a clean re-sync heals',
    async (seed) => {
      expect(clean.size).toBeGreaterThan(500)
      const w = await simWorkspace(
        PLATFORMS,
        {
          world,
          faults: {
            seed,
            hangMs: 2_000,
            rates: { rate_limit: 0.08, server_error: 0.08, timeout: 0.03, malformed: 0.04, truncated: 0.04 },
          },
        },
        { now: () => NOW },
      )
      cores.push(w.core)
      await syncNow(w.core, w.workspaceId)
      const injected = Object.values(w.state.faults.injected).reduce((a, b) => a + b, 0)
      expect(injected).toBeGreaterThan(0)
      const got = storedRows(w.core, w.workspaceId)
      for (const acc of w.core.workspaces.accounts(w.workspaceId)) {
        const mine = (m: Map<string, string>): [string, string][] =>
          [...m].filter(([k]) => k.startsWith(`${acc.externalId}|`))
        if (acc.status === 'active') {
          expect(new Map(mine(got))).toEqual(new Map(mine(clean)))
        } else {
          // Failed cleanly: a specific message, and what was stored is exactly the clean data up to the cursor.
          expect(acc.statusMessage).toBeTruthy()
          const st = w.core.store.sqlite
            .prepare('SELECT synced_through FROM sync_state WHERE account_id = ?')
            .get(acc.id) as { synced_through: string | null } | undefined
          const through = st?.synced_through ?? '0000-00-00'
          const expected = mine(clean).filter(([k]) => (k.split('|')[2] as string) <= through)
          expect(new Map(mine(got))).toEqual(new Map(expected))
        }
      }
      expect(checkIntegrity(w.core, w.workspaceId)).toEqual({ duplicates: 0, rollupMismatches: 0 })
      w.state.faults.set({})
      w.useRetry(FAST_RETRY)
      expect((await syncNow(w.core, w.workspaceId, { mode: 'full' })).status).toBe('succeeded')
      expect(storedRows(w.core, w.workspaceId)).toEqual(clean)
      expect(checkIntegrity(w.core, w.workspaceId)).toEqual({ duplicates: 0, rollupMismatches: 0 })
    },
  )
})
