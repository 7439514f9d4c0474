import { afterEach, describe, expect, it } from 'vitest'
import { addDays } from '../../../shared/domain/dates'
import { PLATFORMS, type PlatformId } from '../../../shared/domain/entities'
import type { Core } from '../core'
import type { SimConfig } from './simulator'
import { syncNow } from './sync-engine/testing/setup'
import { checkIntegrity, simWorkspace } from './testing/sim-setup'

// 200 days: campaigns that ended more than 120 days before the end are archived (deleted) but spent early on.
const CONFIG: SimConfig = { seed: 5, campaigns: 24, days: 200, endDate: '2026-05-31' }
const NOW = new Date('2026-06-01T18:00:00Z')

let core: Core | null = null
afterEach(async () => {
  await core?.close()
  core = null
})

interface Totals {
  spend: number
  rows: number
}
const stored = (c: Core, workspaceId: number, platform: PlatformId): Totals =>
  c.store.sqlite
    .prepare(
      `SELECT coalesce(sum(d.spend_micros), 0) AS spend, count(*) AS rows FROM daily_metrics d
       JOIN ad_accounts a ON a.id = d.account_id WHERE a.workspace_id = ? AND a.platform = ?`,
    )
    .get(workspaceId, platform) as Totals

describe('deleted and archived entities: listed, stored with their status, their spend counted, never failing the account', () => {
  for (const platform of PLATFORMS)
    it(`${platform}: lists deleted entities, and rows of an ad the platform no longer lists go to a placeholder`, async () => {
      const w = await simWorkspace([platform], { config: CONFIG }, { now: () => NOW })
      core = w.core
      const accounts = w.state.accountsOf(platform)
      const first = addDays(CONFIG.endDate, 1 - CONFIG.days)
      const expected = accounts
        .flatMap((a) => w.state.rows(a.key, first, CONFIG.endDate))
        .reduce((t, r) => ({ spend: t.spend + r.spendMicros, rows: t.rows + 1 }), { spend: 0, rows: 0 })
      const archivedWithSpend = new Set(
        accounts
          .flatMap((a) => w.state.rows(a.key, first, CONFIG.endDate))
          .filter((r) => w.state.ads.get(r.adExternalId)?.status === 'archived')
          .map((r) => r.adExternalId),
      )
      expect(archivedWithSpend.size).toBeGreaterThan(0)

      // The platform purges some ads that spent (TikTok deletes old ads on its own): not even the
      // deleted-entities listing returns them, yet their report rows keep coming.
      const purged = [...archivedWithSpend].slice(0, 2)
      for (const id of purged) w.state.ads.delete(id)

      const run = await syncNow(w.core, w.workspaceId, { mode: 'full' })
      expect(run.status).toBe('succeeded')
      expect(stored(w.core, w.workspaceId, platform)).toEqual(expected)
      expect(checkIntegrity(w.core, w.workspaceId)).toEqual({ duplicates: 0, rollupMismatches: 0 })

      const ads = new Map(
        (
          w.core.store.sqlite
            .prepare(
              `SELECT x.external_id AS id, x.status, x.name FROM ads x JOIN ad_accounts a ON a.id = x.account_id
               WHERE a.workspace_id = ?`,
            )
            .all(w.workspaceId) as { id: string; status: string; name: string }[]
        ).map((r) => [r.id, r]),
      )
      // Deleted ads the platform lists (with its deleted-entities filter) are stored as archived.
      for (const id of archivedWithSpend) {
        expect(ads.get(id)?.status).toBe('archived')
        if (!purged.includes(id)) expect(ads.get(id)?.name).not.toContain('not listed')
      }
      // Purged ones are placeholders named after their id.
      for (const id of purged)
        expect(ads.get(id)).toMatchObject({ status: 'archived', name: `Ad ${id} (not listed by the platform)` })
    })
})
