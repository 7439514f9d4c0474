import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { RemoteAd, RemoteAdSet, RemoteCampaign } from '../../sync/connectors/types'
import { createTestCore } from '../../test-support'
import { seedAccount } from '../repos/testing'
import { STRUCTURE_PART_ENTITIES, ThreadSink, type WriteMessage } from './chunk-sink'

const dir = mkdtempSync(join(tmpdir(), 'me-sink-'))
let core: ReturnType<typeof createTestCore>
beforeAll(() => {
  core = createTestCore({ startJobs: false, dbPath: join(dir, 'store.db') })
})
afterAll(async () => {
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

describe("the sync writer thread's structure upsert", () => {
  it('writes a structure larger than one message, sent in pieces, whole and in order', async () => {
    const s = core.store.sqlite
    const { accountId } = seedAccount(s, core.workspaces.create('Sink', 'USD'), 'big', 0)
    const campaigns: RemoteCampaign[] = Array.from({ length: 30 }, (_, i) => ({
      externalId: `c${i}`,
      name: `C${i}`,
      objective: 'sales',
      status: 'active',
      dailyBudgetMicros: null,
      startDate: null,
      endDate: null,
    }))
    const adSets: RemoteAdSet[] = Array.from({ length: 300 }, (_, i) => ({
      externalId: `s${i}`,
      campaignExternalId: `c${i % 30}`,
      name: `S${i}`,
      status: 'active',
      dailyBudgetMicros: null,
    }))
    const ads: RemoteAd[] = Array.from({ length: 2 * STRUCTURE_PART_ENTITIES + 5 }, (_, i) => ({
      externalId: `a${i}`,
      adSetExternalId: `s${i % 300}`,
      campaignExternalId: `c${i % 30}`,
      name: `A${i}`,
      status: 'active',
      creative: { externalId: `cr${i % 7}`, format: 'image', headline: null, thumbnailUrl: null },
      launchDate: null,
    }))
    const sink = ThreadSink.start(s)
    expect(sink).not.toBeNull()
    const worker = (sink as unknown as { worker: Worker }).worker
    const posted = vi.spyOn(worker, 'postMessage')
    try {
      const ids = await sink!.upsertStructure({ accountId, campaigns, adSets, ads, at: '2026-12-05T00:00:00Z' })
      // The entities went in pieces of at most STRUCTURE_PART_ENTITIES (30 campaigns, 300 ad sets, then
      // the ads in three), the structure itself without entities.
      const messages = posted.mock.calls.map((c) => c[0] as WriteMessage)
      const parts = messages.flatMap((m) => ('structurePart' in m ? [m.structurePart] : []))
      expect(parts.map((p) => p.campaigns.length + p.adSets.length + p.ads.length)).toEqual([
        30,
        300,
        STRUCTURE_PART_ENTITIES,
        STRUCTURE_PART_ENTITIES,
        5,
      ])
      const last = messages.at(-1) as Extract<WriteMessage, { structure: unknown }>
      expect(last.structure.ads).toEqual([])
      expect([ids.campaigns.size, ids.adSets.size, ids.ads.size]).toEqual([30, 300, ads.length])
      const rows = s
        .prepare(
          `SELECT x.id, x.external_id AS ad, st.external_id AS adSet, c.external_id AS campaign FROM ads x
           JOIN ad_sets st ON st.id = x.ad_set_id JOIN campaigns c ON c.id = x.campaign_id
           WHERE x.account_id = ? ORDER BY x.id`,
        )
        .all(accountId) as { id: number; ad: string; adSet: string; campaign: string }[]
      // Every ad under its ad set and campaign, inserted in the order listed, with the ids answered.
      expect(rows.map((r) => [r.ad, r.adSet, r.campaign])).toEqual(
        ads.map((a) => [a.externalId, a.adSetExternalId, a.campaignExternalId]),
      )
      expect(rows.every((r) => ids.ads.get(r.ad) === r.id)).toBe(true)
      // An ad added later under the maps the thread answered: the maps are named, not sent again.
      posted.mockClear()
      const more = await sink!.upsertStructure({
        accountId,
        campaigns: [],
        adSets: [],
        ads: [{ ...(ads[0] as RemoteAd), externalId: 'late', adSetExternalId: 's7', campaignExternalId: 'c7' }],
        parents: ids,
        at: '2026-12-05T00:00:00Z',
      })
      const sent = (posted.mock.calls[0] as unknown[])[0] as Extract<WriteMessage, { structure: unknown }>
      expect(sent.structure.parents).toBeUndefined()
      expect(sent.structure.parentsKept).toBe(true)
      const late = s.prepare('SELECT ad_set_id AS adSet FROM ads WHERE id = ?').get(more.ads.get('late')) as {
        adSet: number
      }
      expect(late.adSet).toBe(ids.adSets.get('s7'))
    } finally {
      await sink!.close()
    }
  })
})
