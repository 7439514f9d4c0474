import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { dateRange } from '../../../../shared/domain/dates'
import { createTestCore } from '../../test-support'
import { buildPendingAdMonthDays } from './ad-month-days-build'
import { AdMonthRollup, AdMonthSums } from './ad-month-rollup'
import { CreativesRepo } from './creatives-repo'
import { MetricsRepo, type DailyMetricInput } from './metrics-repo'
import { RecommendationsRepo } from './recommendations-repo'
import { ReportAdsRepo } from './report-ads-repo'
import { adMonthDaysMismatches, adMonthMismatches, backfill, lcg, seedAccount, type SeededCampaign } from './testing'

type TestCore = ReturnType<typeof createTestCore>
let core: TestCore
let accountId = 0
let other = 0
const campaigns: SeededCampaign[] = []
const others: SeededCampaign[] = []

beforeAll(() => {
  core = createTestCore({ startJobs: false })
  const ws = core.workspaces.create('Days', 'USD')
  const seeded = seedAccount(core.store.sqlite, ws, 'd', 5)
  accountId = seeded.accountId
  campaigns.push(...seeded.campaigns)
  const o = seedAccount(core.store.sqlite, ws, 'o', 2)
  other = o.accountId
  others.push(...o.campaigns)
})
afterAll(() => core.close())

const rnd = lcg(7)
function rows(
  account: number,
  ads: SeededCampaign[],
  from: string,
  to: string,
  skip?: (c: number, d: string) => boolean,
): DailyMetricInput[] {
  return ads.flatMap((c, i) =>
    dateRange(from, to)
      .filter((d) => !skip?.(i, d))
      .map((date) => ({
        adId: c.adId,
        date,
        accountId: account,
        campaignId: c.campaignId,
        adSetId: c.adSetId,
        spendMicros: Math.round(rnd() * 1e8),
        // Zero impressions, negative clicks (a platform's correction) and large counts round-trip.
        impressions: i === 4 ? 0 : Math.round(rnd() * 1e7),
        clicks: i === 3 && date.endsWith('7') ? -2 : Math.round(rnd() * 100),
        reach: 0,
        conversions: 0,
        conversionValueMicros: 0,
        videoViews: 0,
        provisional: false,
        source: 'sync' as const,
      })),
  )
}

/** The oracle: the ads' rows of their own accounts up to `to`, by ad then date, scanned from daily_metrics. */
function scan(
  ids: number[],
  to: string,
  from = '',
): { ad_id: number; date: string; impressions: number; clicks: number }[] {
  return core.store.sqlite
    .prepare(
      `SELECT d.ad_id, d.date, d.impressions, d.clicks FROM daily_metrics d JOIN ads x ON x.id = d.ad_id AND x.account_id = d.account_id
       WHERE d.ad_id IN (${ids.map(() => '?').join(',')}) AND d.date BETWEEN ? AND ? ORDER BY d.ad_id, d.date`,
    )
    .all(...ids, from, to) as { ad_id: number; date: string; impressions: number; clicks: number }[]
}

/** Every reader of ad days answers what a scan of daily_metrics gives. */
function readersMatchScan(): void {
  const s = core.store.sqlite
  const ids = [...campaigns, ...others].map((c) => c.adId).reverse()
  for (const to of ['2026-03-20', '2026-03-01', '2026-02-09', '2026-01-31', '2026-01-10', '2026-12-31']) {
    expect(new ReportAdsRepo(s).adDays(ids, to)).toEqual(scan(ids, to))
    // The Creatives page's read stops at the accounts' last day.
    expect(new CreativesRepo(s).adDays(ids, to)).toEqual(scan(ids, to < '2026-03-20' ? to : '2026-03-20'))
  }
  // The recommendations' read: one account, its ads, from a launch date.
  const recs = new RecommendationsRepo(s)
  const mine = campaigns.map((c) => c.adId)
  for (const from of [null, '2026-01-01', '2026-02-11', '2026-03-02']) {
    const got = recs.adDays(accountId, [...mine, others[0]?.adId as number], '2026-03-15', from)
    const want = scan(mine, '2026-03-15', from ?? '')
    for (const id of mine)
      expect(got.get(id)).toEqual(want.filter((r) => r.ad_id === id).map(({ ad_id: _, ...d }) => d))
    // Another account's ad has no days in this account.
    expect(got.get(others[0]?.adId as number)).toEqual([])
  }
}

describe('ad_month_days (each ad’s days packed per month)', () => {
  it('stays equal to daily_metrics through backfills, restatements, gaps and deletions, and the readers answer as a scan', () => {
    const s = core.store.sqlite
    const m = new MetricsRepo(s)
    // A backfill in chunks, the later window first: February's text then gets its first days
    // appended after its later ones (out of date order), as when an account's history is pulled back.
    s.transaction(() =>
      backfill(m, accountId, rows(accountId, campaigns, '2026-02-15', '2026-03-20'), '2026-02-15', '2026-03-20'),
    ).immediate()
    s.transaction(() =>
      backfill(
        m,
        accountId,
        // Gaps: ad 1 has no rows before 02-10, ad 2 none on even days of February.
        rows(
          accountId,
          campaigns,
          '2026-01-25',
          '2026-02-14',
          (c, d) => (c === 1 && d < '2026-02-10') || (c === 2 && d < '2026-03' && Number(d.slice(8)) % 2 === 0),
        ),
        '2026-01-25',
        '2026-02-14',
      ),
    ).immediate()
    s.transaction(() =>
      backfill(m, other, rows(other, others, '2026-02-01', '2026-03-20'), '2026-02-01', '2026-03-20'),
    ).immediate()
    // The account-day rollup the readers take the accounts' first and last days from.
    s.transaction(() => {
      m.refreshAccountDays(accountId, '2026-01-25', '2026-03-20')
      m.refreshAccountDays(other, '2026-02-01', '2026-03-20')
    }).immediate()
    expect(adMonthMismatches(s)).toEqual([])
    expect(
      s
        .prepare("SELECT days FROM ad_month_days WHERE account_id = ? AND month = '2026-02' AND ad_id = ?")
        .pluck()
        .get(accountId, campaigns[0]?.adId),
    ).toMatch(/^15:.*,01:/)
    readersMatchScan()
    // A restatement across the month end that loses rows and changes others (sync chunks, imports).
    s.transaction(() => {
      s.prepare('DELETE FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ?').run(
        accountId,
        '2026-02-25',
        '2026-03-04',
      )
      m.upsert(
        rows(accountId, campaigns, '2026-02-25', '2026-03-04', (c, d) => c === 0 || (c === 3 && d === '2026-03-01')),
      )
      m.refreshRollups(accountId, '2026-02-25', '2026-03-04')
    }).immediate()
    expect(adMonthMismatches(s)).toEqual([])
    // An upsert over existing days (an import), then its months rebuilt.
    s.transaction(() => {
      m.upsert(rows(accountId, campaigns.slice(1, 3), '2026-03-10', '2026-03-12'))
      m.refreshRollups(accountId, '2026-03-10', '2026-03-12')
    }).immediate()
    expect(adMonthMismatches(s)).toEqual([])

    readersMatchScan()
  })

  it('is what the build of a store migrated to 0021 (the accounts left pending by 0022) makes from the rows', () => {
    const s = core.store.sqlite
    // The migration adds the table empty (one statement over every row sorted it all in memory).
    const sql = readFileSync(join(process.cwd(), 'resources/migrations/0021_ad_month_days.sql'), 'utf8')
    expect(sql).not.toMatch(/INSERT/i)
    const unpacked = (): string[] =>
      (
        s.prepare('SELECT account_id, month, ad_id, days FROM ad_month_days').raw().all() as [
          number,
          string,
          number,
          string,
        ][]
      )
        .flatMap(([a, month, ad, days]) => days.split(',').map((d) => `${a}|${month}|${ad}|${d}`))
        .sort()
    const before = unpacked()
    expect(before.length).toBeGreaterThan(0)
    s.prepare('DELETE FROM ad_month_days').run()
    expect(adMonthDaysMismatches(s).length).toBeGreaterThan(0)
    s.prepare('INSERT INTO ad_month_days_pending (account_id) SELECT DISTINCT account_id FROM account_daily').run()
    expect(buildPendingAdMonthDays(s).accounts).toBe(2)
    expect(s.prepare('SELECT count(*) FROM ad_month_days_pending').pluck().get()).toBe(0)
    expect(adMonthDaysMismatches(s)).toEqual([])
    expect(unpacked()).toEqual(before)
    // Nothing pending: nothing to do.
    expect(buildPendingAdMonthDays(s)).toMatchObject({ accounts: 0, pieces: 0 })
    expect(unpacked()).toEqual(before)
  })

  it('appends one row per month and ad when an ad moved to another ad set within the month', () => {
    // PostgreSQL refuses an INSERT ... ON CONFLICT that meets one key twice: the moved ad's two groups
    // (one per ad set) go in as one row.
    const s = core.store.sqlite
    const rollup = new AdMonthRollup(s)
    const dates = dateRange('2027-05-01', '2027-05-04')
    const sums = new AdMonthSums(['2027-05'], dates)
    const v = new Float64Array([1, 10, 2, 0, 0, 0, 0])
    for (const [day, set] of [
      [0, 1],
      [1, 1],
      [2, 2],
    ] as const)
      sums.add(0, day, 777_001, set, set, v, 0)
    expect(sums.n).toBe(2)
    const rows = vi.spyOn((rollup as unknown as { addDays: { slot(): number } }).addDays, 'slot')
    s.exec('SAVEPOINT moved')
    try {
      rollup.add(accountId, sums)
      expect(rows).toHaveBeenCalledTimes(1)
      expect(
        s
          .prepare("SELECT days FROM ad_month_days WHERE account_id = ? AND month = '2027-05' AND ad_id = 777001")
          .pluck()
          .get(accountId),
      ).toBe('01:10:2,02:10:2,03:10:2')
    } finally {
      s.exec('ROLLBACK TO moved')
      s.exec('RELEASE moved')
    }
  })

  it('rebuilds a month an ad at a time or a range of ads at a time: ranges covering every ad give what refresh gives', () => {
    const s = core.store.sqlite
    const rollup = new AdMonthRollup(s)
    const ads = s.prepare('SELECT id FROM ads WHERE account_id = ? ORDER BY id').pluck().all(accountId) as number[]
    expect(ads.length).toBeGreaterThan(4)
    // One ad each (a CSV import slice's fallback), then two ranges meeting between two ads.
    const mid = ads[2] as number
    const pieces: [number, number][][] = [
      ads.map((id) => [id, id]),
      [
        [Number.MIN_SAFE_INTEGER, mid],
        [mid + 1, Number.MAX_SAFE_INTEGER],
      ],
    ]
    const table = (name: string): unknown[][] =>
      s.prepare(`SELECT * FROM ${name} WHERE account_id = ? ORDER BY month, ad_id`).raw().all(accountId) as unknown[][]
    // The days of a month's text in date order (a backfill's appends and a rebuild's scan order differ).
    const days = (): unknown[][] =>
      table('ad_month_days').map((r) => [...r.slice(0, 3), String(r[3]).split(',').sort().join(',')])
    const before = [table('ad_month'), days()]
    s.exec('SAVEPOINT pieces')
    try {
      for (const ranges of pieces) {
        // Both months wrong (rows gone, a sum changed), then rebuilt piece by piece.
        s.prepare("DELETE FROM ad_month_days WHERE account_id = ? AND month = '2026-02'").run(accountId)
        s.prepare("UPDATE ad_month SET clicks = clicks + 1 WHERE account_id = ? AND month = '2026-03'").run(accountId)
        expect(adMonthMismatches(s).length).toBeGreaterThan(0)
        for (const month of ['2026-02', '2026-03'])
          for (const [lo, hi] of ranges) s.transaction(() => rollup.refreshAds(accountId, month, lo, hi)).immediate()
        expect(adMonthMismatches(s)).toEqual([])
        // Row for row what the writers built.
        expect([table('ad_month'), days()]).toEqual(before)
      }
    } finally {
      s.exec('ROLLBACK TO pieces')
      s.exec('RELEASE pieces')
    }
  })

  it('finds a day missing, changed or twice in the packed text', () => {
    const s = core.store.sqlite
    const row = s.prepare('SELECT account_id, month, ad_id, days FROM ad_month_days LIMIT 1').raw().get() as [
      number,
      string,
      number,
      string,
    ]
    const set = s.prepare('UPDATE ad_month_days SET days = ? WHERE account_id = ? AND month = ? AND ad_id = ?')
    const [a, month, ad, days] = row
    const first = days.split(',')[0] as string
    for (const tampered of [
      days.split(',').slice(1).join(','),
      `${days},${first}`,
      days.replace(/^(\d+):(\d+)/, (_, d: string, i: string) => `${d}:${Number(i) + 1}`),
    ]) {
      set.run(tampered, a, month, ad)
      expect(adMonthDaysMismatches(s).length).toBeGreaterThan(0)
    }
    set.run(days, a, month, ad)
    expect(adMonthDaysMismatches(s)).toEqual([])
  })

  it('goes with its account', () => {
    const s = core.store.sqlite
    expect(s.prepare('SELECT count(*) FROM ad_month_days WHERE account_id = ?').pluck().get(other)).toBeGreaterThan(0)
    s.prepare('DELETE FROM ad_accounts WHERE id = ?').run(other)
    expect(s.prepare('SELECT count(*) FROM ad_month_days WHERE account_id = ?').pluck().get(other)).toBe(0)
    expect(adMonthMismatches(s)).toEqual([])
  })
})
