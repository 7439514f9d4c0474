import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays, endOfMonth, startOfMonth } from '../../../shared/domain/dates'
import type { Core } from '../core'
import { AnalyticsRepo, type RawBucket } from '../store/repos/analytics-repo'
import { AdMonthRollup } from '../store/repos/ad-month-rollup'
import { CreativesRepo } from '../store/repos/creatives-repo'
import { createTestCore, TEST_CALLER } from '../test-support'

// The Creatives page's per-ad sums come from the per-ad monthly sums plus (or minus) some days of
// rows; they must equal summing every ad-day row of the range, for every shape of range.
let core: Core
let to: string
let first: string
let accounts: { id: number; currency: string }[]

beforeAll(async () => {
  core = createTestCore({ seedDemo: true, demo: { campaigns: 8, days: 100 } })
  expect((await core.jobs.waitFor(core.startupJobId as number)).status).toBe('succeeded')
  to = (core.jobs.result<{ to: string }>(core.startupJobId as number) as { to: string }).to
  first = addDays(to, -99)
  accounts = core.store.sqlite.prepare('SELECT id, currency FROM ad_accounts ORDER BY id').all() as typeof accounts
})
afterAll(() => core.close())

type Sums = Map<string, Omit<RawBucket, 'key' | 'period' | 'provisional'>>
const byAdMonth = (buckets: RawBucket[]): Sums => {
  const m: Sums = new Map()
  for (const b of buckets) {
    const k = `${b.key}|${b.month}|${b.currency}`
    expect(m.has(k)).toBe(false)
    const { key: _k, period: _p, provisional: _v, ...rest } = b
    m.set(k, { ...rest, conversions: Math.round(rest.conversions * 1e6) / 1e6 })
  }
  return m
}

describe('creatives: per-ad sums of a range', () => {
  it('equal the sums of the ad-day rows for whole months, short and long partial months and ranges past the data', () => {
    const rows = new AnalyticsRepo(core.store.sqlite)
    const creatives = new CreativesRepo(core.store.sqlite)
    const midMonth = addDays(startOfMonth(to), -20)
    const ranges: [string, string][] = [
      [addDays(to, -29), to], // the default: most of the last month (month minus a few days) or two pieces
      [addDays(to, -6), to],
      [startOfMonth(midMonth), endOfMonth(midMonth)], // one whole month
      [addDays(startOfMonth(midMonth), 1), addDays(endOfMonth(midMonth), -1)], // month minus two days
      [addDays(startOfMonth(midMonth), 3), addDays(startOfMonth(midMonth), 9)], // a few days inside a month
      [addDays(first, -40), addDays(to, 30)], // beyond the data on both sides
      [first, first],
    ]
    const ids = accounts.map((a) => a.id)
    for (const [from, until] of ranges) {
      const want = byAdMonth(rows.buckets('ad', 'month', ids, from, until).map((b) => ({ ...b, period: '' })))
      const got = byAdMonth(creatives.adRangeBuckets(accounts, from, until))
      expect([...got.keys()].sort(), `${from}..${until}`).toEqual([...want.keys()].sort())
      for (const [k, w] of want) expect(got.get(k), `${k} in ${from}..${until}`).toEqual(w)
    }
  })

  it('lists the creatives and their fatigue from the same sums (the page and its answer stay whole)', async () => {
    const range = { from: addDays(to, -29), to }
    const env = await core.dispatch('analytics:listCreatives', { workspaceId: 1, range, limit: 20 }, TEST_CALLER)
    if (!env.ok) throw new Error(env.error.message)
    const list = env.value as { rows: { adId: number; totals: { spendMicros: number } }[] }
    expect(list.rows.length).toBe(20)
    const spends = list.rows.map((r) => r.totals.spendMicros)
    expect([...spends].sort((a, b) => b - a)).toEqual(spends)
    const days = new CreativesRepo(core.store.sqlite).adDays([list.rows[0]?.adId as number], to)
    const scan = core.store.sqlite
      .prepare('SELECT ad_id, date, impressions, clicks FROM daily_metrics WHERE ad_id = ? AND date <= ? ORDER BY date')
      .all(list.rows[0]?.adId, to)
    expect(days).toEqual(scan)
  })
  it("reads each ad's days up to a date as a scan of its rows (a gap inside a month; dates inside, before and past the data)", () => {
    const sqlite = core.store.sqlite
    const creatives = new CreativesRepo(sqlite)
    const ids = (sqlite.prepare('SELECT id FROM ads ORDER BY id').pluck().all() as number[]).filter(
      (_, i) => i % 3 === 0,
    )
    const scan = sqlite.prepare(
      `SELECT d.ad_id, d.date, d.impressions, d.clicks FROM daily_metrics d JOIN ads x ON x.id = d.ad_id
       WHERE d.account_id = x.account_id AND d.date <= ? ORDER BY d.ad_id, d.date`,
    )
    // An ad that stopped and started again within a month: three days of its rows gone mid-month
    // (ad_month rebuilt as a writer does), so its month's [first, last] days include days without rows.
    const ad = ids[1] as number
    const [account, month] = sqlite
      .prepare('SELECT account_id, month FROM ad_month WHERE ad_id = ? AND days >= 20 ORDER BY month')
      .raw()
      .get(ad) as [number, string]
    const gap = [10, 11, 12].map((d) => `${month}-${String(d)}`)
    sqlite
      .transaction(() => {
        sqlite
          .prepare(`DELETE FROM daily_metrics WHERE account_id = ? AND ad_id = ? AND date IN (?, ?, ?)`)
          .run(account, ad, ...gap)
        new AdMonthRollup(sqlite).refresh(account, `${month}-01`, endOfMonth(`${month}-01`))
      })
      .immediate()
    const m = sqlite
      .prepare('SELECT days, first_date, last_date FROM ad_month WHERE account_id = ? AND month = ? AND ad_id = ?')
      .get(account, month, ad) as { days: number; first_date: string; last_date: string }
    expect(m.first_date < gap[0]! && m.last_date > gap[2]!).toBe(true)
    const midMonth = addDays(startOfMonth(to), -20)
    for (const until of [to, addDays(to, 40), midMonth, endOfMonth(midMonth), addDays(first, 2), addDays(first, -1)]) {
      const want = (scan.all(until) as { ad_id: number }[]).filter((r) => ids.includes(r.ad_id))
      expect(creatives.adDays([...ids].reverse(), until), until).toEqual(want)
    }
  })
})
