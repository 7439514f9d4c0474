import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dateRange } from '../../../../shared/domain/dates'
import { batchOf } from '../../sync/connectors/page-decode'
import type { RemoteDailyRow } from '../../sync/connectors/types'
import { createTestCore } from '../../test-support'
import { adMonthMismatches, lcg, seedAccount } from '../repos/testing'
import { ChunkWriter } from './chunk-writer'
import type { EntityIds } from './entity-writer'

type TestCore = ReturnType<typeof createTestCore>
let core: TestCore
let accountId = 0
let ids: EntityIds

beforeAll(() => {
  core = createTestCore({ startJobs: false })
  const ws = core.workspaces.create('Chunks', 'USD')
  const seeded = seedAccount(core.store.sqlite, ws, 'acc', 3)
  accountId = seeded.accountId
  ids = {
    campaigns: new Map(seeded.campaigns.map((c, i) => [`c${i}`, c.campaignId])),
    adSets: new Map(seeded.campaigns.map((c, i) => [`s${i}`, c.adSetId])),
    ads: new Map(seeded.campaigns.map((c, i) => [`a${i}`, c.adId])),
  }
})
afterAll(() => core.close())

const rnd = lcg(7)
/**
 * Rows of three ads over [from, to]: ad 0 skips some days, ad 1 moves to ad set 2 (and campaign 2)
 * from the 10th of every month, so one ad has two groups within a month; some rows have negative
 * spend and no clicks (a refund) or negative clicks, as platforms may send (`ad_month.negative_rows`).
 */
function rows(from: string, to: string): RemoteDailyRow[] {
  const out: RemoteDailyRow[] = []
  for (const date of dateRange(from, to))
    for (let a = 0; a < 3; a++) {
      if (a === 0 && Number(date.slice(8)) % 5 === 0) continue
      const moved = a === 1 && Number(date.slice(8)) >= 10
      const refund = a === 2 && Number(date.slice(8)) % 7 === 3
      const negativeClicks = a === 0 && Number(date.slice(8)) % 11 === 4
      const row = {
        adExternalId: `a${a}`,
        adSetExternalId: moved ? 's2' : `s${a}`,
        campaignExternalId: moved ? 'c2' : `c${a}`,
        date,
        spendMicros: Math.round(rnd() * 1e8),
        impressions: Math.round(rnd() * 1e4),
        clicks: Math.round(rnd() * 100),
        reach: Math.round(rnd() * 5e3),
        conversions: Math.round(rnd() * 30) / 7,
        conversionValueMicros: Math.round(rnd() * 3e8),
        videoViews: Math.round(rnd() * 50),
      }
      if (refund) Object.assign(row, { spendMicros: -row.spendMicros, clicks: 0 })
      if (negativeClicks) row.clicks = -row.clicks - 1
      out.push(row)
    }
  return out
}

describe('ChunkWriter and ad_month', () => {
  it('keeps the per-ad monthly sums equal to the rows through a backfill and re-written windows', () => {
    const s = core.store.sqlite
    const writer = new ChunkWriter(s)
    const write = (from: string, to: string, keep: (r: RemoteDailyRow) => boolean = () => true): number =>
      writer.write({
        accountId,
        from,
        to,
        provisionalFrom: '2027-01-01',
        batches: [batchOf(rows(from, to).filter(keep))],
        ids,
      })
    // A backfill's windows (a short lead window, then 31 days straddling month ends): each adds to
    // months that already hold earlier windows' days.
    const windows: [string, string][] = [
      ['2026-01-20', '2026-01-23'],
      ['2026-01-24', '2026-02-23'],
      ['2026-02-24', '2026-03-26'],
      ['2026-03-27', '2026-04-10'],
    ]
    for (const [from, to] of windows) {
      expect(write(from, to)).toBeGreaterThan(0)
      expect(adMonthMismatches(s)).toEqual([])
    }
    // The backfill's sums (added, not rebuilt) count the rows with negative clicks or spend too.
    expect(s.prepare('SELECT sum(negative_rows) FROM ad_month').pluck().get()).toBeGreaterThan(0)
    const before = s.prepare("SELECT * FROM ad_month WHERE month = '2026-02' ORDER BY ad_id, ad_set_id").all()
    expect(before.length).toBe(4)
    // A window written again (a restatement) that lost ad 2's rows and some of ad 0's: its months
    // are right afterwards, also the parts outside the window.
    write(
      '2026-02-15',
      '2026-03-05',
      (r) => r.adExternalId !== 'a2' && !(r.adExternalId === 'a0' && r.date > '2026-02-27'),
    )
    expect(adMonthMismatches(s)).toEqual([])
    // A window before the first one, then a gap filled later: sums add to months whose rows start
    // after them.
    write('2026-01-05', '2026-01-08')
    write('2026-04-20', '2026-04-25')
    write('2026-04-12', '2026-04-15')
    expect(adMonthMismatches(s)).toEqual([])
    const jan = s
      .prepare(
        "SELECT first_date, last_date, days FROM ad_month WHERE month = '2026-01' AND ad_id = ? AND ad_set_id = ?",
      )
      .get(ids.ads.get('a2'), ids.adSets.get('s2')) as { first_date: string; last_date: string; days: number }
    expect(jan).toEqual({ first_date: '2026-01-05', last_date: '2026-01-31', days: 16 })
  })
})
