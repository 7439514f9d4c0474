import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dateRange } from '../../../../shared/domain/dates'
import { createTestCore } from '../../test-support'
import { rebuildMissingAdMonths } from './ad-month-rollup'
import { MetricsRepo, RollupAccumulator, type DailyMetricInput } from './metrics-repo'
import { adMonthMismatches, lcg, seedAccount, type SeededCampaign } from './testing'

type TestCore = ReturnType<typeof createTestCore>
let core: TestCore
let accountId = 0
let other = 0
const campaigns: SeededCampaign[] = []

beforeAll(() => {
  core = createTestCore({ startJobs: false })
  const ws = core.workspaces.create('Months', 'USD')
  const seeded = seedAccount(core.store.sqlite, ws, 'm', 4)
  accountId = seeded.accountId
  campaigns.push(...seeded.campaigns)
  other = seedAccount(core.store.sqlite, ws, 'o', 2).accountId
})
afterAll(() => core.close())

const rnd = lcg(11)
function rows(account: number, from: string, to: string, skip?: (c: number, d: string) => boolean): DailyMetricInput[] {
  return campaigns.flatMap((c, i) =>
    dateRange(from, to)
      .filter((d) => !skip?.(i, d))
      .map((date) => ({
        adId: c.adId,
        date,
        accountId: account,
        campaignId: c.campaignId,
        adSetId: c.adSetId,
        // Campaign 2 has a refund (negative spend, no clicks) on a few days: `negative_rows`.
        spendMicros: Math.round(rnd() * 1e8) * (i === 2 && Number(date.slice(8)) % 9 === 2 ? -1 : 1),
        impressions: Math.round(rnd() * 1e4),
        clicks: i === 2 && Number(date.slice(8)) % 9 === 2 ? 0 : Math.round(rnd() * 100),
        reach: Math.round(rnd() * 5e3),
        conversions: Math.round(rnd() * 30) / 7,
        conversionValueMicros: Math.round(rnd() * 3e8),
        videoViews: Math.round(rnd() * 50),
        provisional: false,
        source: 'import' as const,
      })),
  )
}

const count = (): number => core.store.sqlite.prepare('SELECT count(*) FROM ad_month').pluck().get() as number

describe('ad_month (per-ad monthly sums)', () => {
  it('follows row writes, replacements and restatements that straddle months', () => {
    const s = core.store.sqlite
    const m = new MetricsRepo(s)
    // The import path: upsert then refresh from the rows.
    s.transaction(() => {
      m.upsert(rows(accountId, '2026-01-20', '2026-03-10', (c, d) => c === 1 && d < '2026-02-05'))
      m.refreshRollups(accountId, '2026-01-20', '2026-03-10')
    })()
    expect(count()).toBeGreaterThan(0)
    expect(adMonthMismatches(s)).toEqual([])
    expect(
      s.prepare('SELECT sum(negative_rows) FROM ad_month WHERE account_id = ?').pluck().get(accountId),
    ).toBeGreaterThan(0)
    // The demo path: rollups replaced from in-memory sums of the rows written.
    const acc = new RollupAccumulator()
    const demo = rows(other, '2026-02-25', '2026-04-02')
    for (const r of demo) acc.add(r)
    s.transaction(() => {
      m.upsert(demo)
      m.replaceRollups(other, '2026-02-25', '2026-04-02', acc)
    })()
    expect(adMonthMismatches(s)).toEqual([])
    // A restatement of a window across a month end that loses rows (a sync's chunk replaces the
    // window): February's and March's sums are rebuilt whole, January's stay.
    const jan = s
      .prepare("SELECT * FROM ad_month WHERE account_id = ? AND month = '2026-01' ORDER BY ad_id")
      .all(accountId)
    s.transaction(() => {
      s.prepare('DELETE FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ?').run(
        accountId,
        '2026-02-20',
        '2026-03-03',
      )
      m.upsert(rows(accountId, '2026-02-20', '2026-03-03', (c) => c === 3))
      m.refreshRollups(accountId, '2026-02-20', '2026-03-03')
    })()
    expect(adMonthMismatches(s)).toEqual([])
    expect(
      s.prepare("SELECT * FROM ad_month WHERE account_id = ? AND month = '2026-01' ORDER BY ad_id").all(accountId),
    ).toEqual(jan)
    // Campaign 3's ad lost every row of the window but keeps its other February days.
    const lost = campaigns[3] as SeededCampaign
    const feb = s
      .prepare(
        "SELECT days, first_date, last_date FROM ad_month WHERE account_id = ? AND month = '2026-02' AND ad_id = ?",
      )
      .get(accountId, lost.adId)
    expect(feb).toEqual({ days: 19, first_date: '2026-02-01', last_date: '2026-02-19' })
  })

  it('is rebuilt on open for accounts that have rows but no monthly sums (a store migrated to 0015)', () => {
    const s = core.store.sqlite
    const before = s.prepare('SELECT * FROM ad_month ORDER BY account_id, month, ad_id').all()
    s.prepare('DELETE FROM ad_month WHERE account_id = ?').run(accountId)
    expect(adMonthMismatches(s).length).toBeGreaterThan(0)
    rebuildMissingAdMonths(s)
    expect(adMonthMismatches(s)).toEqual([])
    expect(s.prepare('SELECT * FROM ad_month ORDER BY account_id, month, ad_id').all()).toEqual(before)
  })

  it("goes with its account (a removed account's months are deleted with its rows)", () => {
    const s = core.store.sqlite
    expect(s.prepare('SELECT count(*) FROM ad_month WHERE account_id = ?').pluck().get(other)).toBeGreaterThan(0)
    s.prepare('DELETE FROM ad_accounts WHERE id = ?').run(other)
    expect(s.prepare('SELECT count(*) FROM ad_month WHERE account_id = ?').pluck().get(other)).toBe(0)
    expect(adMonthMismatches(s)).toEqual([])
  })
})
