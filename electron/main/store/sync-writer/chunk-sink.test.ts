import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TransferListItem, Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { RemoteAd, RemoteAdSet, RemoteCampaign } from '../../sync/connectors/types'
import { createTestCore } from '../../test-support'
import { seedAccount } from '../repos/testing'
import { dateRange } from '../../../../shared/domain/dates'
import { packRows } from '../../sync/connectors/daily-batch'
import type { RemoteDailyRow } from '../../sync/connectors/types'
import { CHUNK_PART_IDS, STRUCTURE_PART_ENTITIES, ThreadSink, type WriteMessage } from './chunk-sink'

const dir = mkdtempSync(join(tmpdir(), 'me-sink-'))
let core: ReturnType<typeof createTestCore>
beforeAll(() => {
  core = createTestCore({ startJobs: false, dbPath: join(dir, 'store.db') })
})
afterAll(async () => {
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Campaigns, ad sets and ads as a listing returns them: ad i in ad set i % sets, ad set j in campaign j % campaigns. */
function structureOf(nCampaigns: number, nSets: number, nAds: number) {
  const campaigns: RemoteCampaign[] = Array.from({ length: nCampaigns }, (_, i) => ({
    externalId: `c${i}`,
    name: `C${i}`,
    objective: 'sales',
    status: 'active',
    dailyBudgetMicros: null,
    startDate: null,
    endDate: null,
  }))
  const adSets: RemoteAdSet[] = Array.from({ length: nSets }, (_, i) => ({
    externalId: `s${i}`,
    campaignExternalId: `c${i % nCampaigns}`,
    name: `S${i}`,
    status: 'active',
    dailyBudgetMicros: null,
  }))
  const ads: RemoteAd[] = Array.from({ length: nAds }, (_, i) => ({
    externalId: `a${i}`,
    adSetExternalId: `s${i % nSets}`,
    campaignExternalId: `c${(i % nSets) % nCampaigns}`,
    name: `A${i}`,
    status: 'active',
    creative: { externalId: `cr${i % 7}`, format: 'image', headline: null, thumbnailUrl: null },
    launchDate: null,
  }))
  return { campaigns, adSets, ads }
}

describe("the sync writer thread's structure upsert", () => {
  it('writes a structure larger than one message, sent in pieces, whole and in order', async () => {
    const s = core.store.sqlite
    const { accountId } = seedAccount(s, core.workspaces.create('Sink', 'USD'), 'big', 0)
    const { campaigns, adSets, ads } = structureOf(30, 300, 2 * STRUCTURE_PART_ENTITIES + 5)
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

/** An account of 6,000 ads under two ad sets, and a window's pages as a connector hands them over. */
function bigAccount(name: string) {
  const s = core.store.sqlite
  const { accountId } = seedAccount(s, core.workspaces.create(name, 'USD'), name, 0)
  const { campaigns, adSets, ads } = structureOf(2, 2, 6000)
  // 500 rows a page, every page naming its own ads: 8 days are 96 pages, ~48,400 ids (over CHUNK_PART_IDS).
  const pages = (from: string, to: string): RemoteDailyRow[][] => {
    const rows = dateRange(from, to).flatMap((date) =>
      ads.map((a, i) => ({
        adExternalId: a.externalId,
        adSetExternalId: a.adSetExternalId,
        campaignExternalId: a.campaignExternalId,
        date,
        spendMicros: (i + 1) * 1_000_000 + Number(date.slice(8)),
        impressions: 100,
        clicks: 3,
        reach: 50,
        conversions: 1,
        conversionValueMicros: 2_000_000,
        videoViews: 0,
      })),
    )
    const out: RemoteDailyRow[][] = []
    for (let i = 0; i < rows.length; i += 500) out.push(rows.slice(i, i + 500))
    return out
  }
  const stored = (): { ad: string; date: string; spend: number }[] =>
    s
      .prepare(
        `SELECT x.external_id AS ad, m.date, m.spend_micros AS spend FROM daily_metrics m JOIN ads x ON x.id = m.ad_id
         WHERE m.account_id = ? ORDER BY m.date, x.id`,
      )
      .all(accountId) as { ad: string; date: string; spend: number }[]
  return { accountId, structure: { accountId, campaigns, adSets, ads, at: '2026-12-05T00:00:00Z' }, pages, stored }
}

describe("the sync writer thread's chunks", () => {
  it('writes chunks larger than one message, sent in pieces, whole; two chunks issued at once do not mix', async () => {
    const { accountId, structure, pages, stored } = bigAccount('Chunks')
    const windows: [string, string][] = [
      ['2026-11-01', '2026-11-08'],
      ['2026-11-09', '2026-11-16'],
    ]
    const expected = windows.map(([from, to]) => pages(from, to).flat())
    const sink = ThreadSink.start(core.store.sqlite)
    expect(sink).not.toBeNull()
    const worker = (sink as unknown as { worker: Worker }).worker
    try {
      const ids = await sink!.upsertStructure(structure)
      const posted = vi.spyOn(worker, 'postMessage')
      // Both chunks issued before either is answered (the engine keeps several in flight).
      const written = await Promise.all(
        windows.map(([from, to]) =>
          sink!.write(
            { accountId, from, to, provisionalFrom: '2027-01-01', batches: pages(from, to).map(packRows), ids },
            [],
          ),
        ),
      )
      expect(written).toEqual(expected.map((rows) => rows.length))
      // Each chunk went as pieces of at most CHUNK_PART_IDS ids, then its own message (which counts
      // them); the second chunk's pieces only after the first chunk's message.
      const messages = posted.mock.calls.map((c) => c[0] as WriteMessage)
      const shape = messages.map((m) => ('chunkPart' in m ? `part:${m.chunkPart.forId}` : 'w' in m ? `w:${m.id}` : '?'))
      const chunks = messages.flatMap((m) => ('w' in m ? [m] : []))
      expect(chunks).toHaveLength(2)
      const [first, second] = chunks.map((m) => m.id) as [number, number]
      const firstParts = shape.indexOf(`w:${first}`)
      expect(firstParts).toBeGreaterThanOrEqual(1)
      expect(shape.slice(0, firstParts).every((x) => x === `part:${first}`)).toBe(true)
      expect(shape.slice(firstParts + 1, -1).every((x) => x === `part:${second}`)).toBe(true)
      expect(shape.at(-1)).toBe(`w:${second}`)
      expect(chunks.map((m) => m.partsSent)).toEqual([firstParts, shape.length - firstParts - 2])
      for (const m of messages)
        if ('chunkPart' in m) {
          const n = m.chunkPart.batches.reduce((k, b) => k + b.ads.length + b.adSets.length + b.campaigns.length, 0)
          expect(n).toBeLessThanOrEqual(CHUNK_PART_IDS)
        }
      // Every row stored once, with its own values.
      expect(stored()).toEqual(expected.flat().map((r) => ({ ad: r.adExternalId, date: r.date, spend: r.spendMicros })))
    } finally {
      await sink!.close()
    }
  })

  it('stores nothing of a chunk whose piece could not be sent, or was lost on the way', async () => {
    const { accountId, structure, pages, stored } = bigAccount('Lost pieces')
    const sink = ThreadSink.start(core.store.sqlite)
    expect(sink).not.toBeNull()
    const worker = (sink as unknown as { worker: Worker }).worker
    const post = worker.postMessage.bind(worker)
    try {
      const ids = await sink!.upsertStructure(structure)
      const chunk = (from: string, to: string) => ({
        accountId,
        from,
        to,
        provisionalFrom: '2027-01-01',
        batches: pages(from, to).map(packRows),
        ids,
      })
      // A piece that cannot be sent (postMessage throws, as for a transfer list it refuses): the
      // write fails and the chunk's own message is never sent.
      let sentChunks = 0
      const refused = vi
        .spyOn(worker, 'postMessage')
        .mockImplementation((m: unknown, t?: readonly TransferListItem[]) => {
          if ('chunkPart' in (m as WriteMessage)) throw new Error('DataCloneError: the piece could not be copied')
          if ('w' in (m as WriteMessage)) sentChunks++
          post(m, t as TransferListItem[])
        })
      await expect(sink!.write(chunk('2026-11-01', '2026-11-08'), [])).rejects.toThrow(/could not be copied/)
      expect(sentChunks).toBe(0)
      refused.mockRestore()
      // A piece lost on the way (Node drops a message whose transfer list holds a detached buffer):
      // the thread counts the pieces and refuses the chunk.
      let dropped = false
      vi.spyOn(worker, 'postMessage').mockImplementation((m: unknown, t?: readonly TransferListItem[]) => {
        if ('chunkPart' in (m as WriteMessage) && !dropped) {
          dropped = true
          return
        }
        post(m, t as TransferListItem[])
      })
      await expect(sink!.write(chunk('2026-11-09', '2026-11-16'), [])).rejects.toThrow(
        /0 of its 1 pieces|1 of its 2 pieces/,
      )
      expect(dropped).toBe(true)
      expect(stored()).toEqual([])
    } finally {
      vi.restoreAllMocks()
      await sink!.close()
    }
  })
})
