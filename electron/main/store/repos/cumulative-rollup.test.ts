import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays, dateRange } from '../../../../shared/domain/dates'
import { createTestCore } from '../../test-support'
import { CumulativeReader, CumulativeRollup, unpackCum } from './cumulative-rollup'
import { AnalyticsRepo } from './analytics-repo'
import { MetricsRepo, RollupAccumulator, type DailyMetricInput } from './metrics-repo'
import { lcg, seedAccount, type SeededCampaign } from './testing'

type TestCore = ReturnType<typeof createTestCore>
let core: TestCore
let accountId = 0
const campaigns: SeededCampaign[] = []
const START = '2026-01-01'
const DAYS = 70

/** One ad-day of random metrics for campaign `c` (fractional conversions exercise the 1e-6 rounding). */
function randomRow(
  c: SeededCampaign,
  accountId: number,
  date: string,
  provisional: boolean,
  rnd: () => number,
): DailyMetricInput {
  return {
    adId: c.adId,
    date,
    accountId,
    campaignId: c.campaignId,
    adSetId: c.adSetId,
    spendMicros: Math.round(rnd() * 1e8),
    impressions: Math.round(rnd() * 1e4),
    clicks: Math.round(rnd() * 100),
    reach: 0,
    conversions: Math.round(rnd() * 1000) / 7,
    conversionValueMicros: Math.round(rnd() * 3e8),
    videoViews: 0,
    provisional,
    source: 'sync',
  }
}

beforeAll(() => {
  core = createTestCore({ startJobs: false })
  const s = core.store.sqlite
  const ws = core.workspaces.create('Cum', 'USD')
  const seeded = seedAccount(s, ws, 'a', 5)
  accountId = seeded.accountId
  campaigns.push(...seeded.campaigns)
})
afterAll(() => core.close())

describe('campaign running totals', () => {
  it('give the same range totals as summing the days, whatever order windows are written in', () => {
    const rnd = lcg(7)
    const m = new MetricsRepo(core.store.sqlite)
    const dates = dateRange(START, addDays(START, DAYS - 1))
    // Campaigns start on different days and pause for a while: gaps must carry totals forward.
    const rows = (from: string, to: string, version: number): DailyMetricInput[] =>
      campaigns.flatMap((c, i) =>
        dateRange(from, to)
          .filter((d) => d >= addDays(START, i * 5) && !(i === 2 && d >= '2026-02-01' && d <= '2026-02-10'))
          .map((date) => ({
            adId: c.adId,
            date,
            accountId,
            campaignId: c.campaignId,
            adSetId: c.adSetId,
            spendMicros: Math.round(rnd() * 1e8) + version,
            impressions: Math.round(rnd() * 1e4),
            clicks: Math.round(rnd() * 100),
            reach: 0,
            conversions: Math.round(rnd() * 10) / 2,
            conversionValueMicros: Math.round(rnd() * 3e8),
            videoViews: 0,
            provisional: false,
            source: 'import',
          })),
      )
    const write = (from: string, to: string, version: number): void =>
      core.store.sqlite.transaction(() => {
        m.upsert(rows(from, to, version))
        m.refreshRollups(accountId, from, to)
      })()
    // Newest window first, then an older backfill, then a restatement in the middle.
    write('2026-02-15', dates[DAYS - 1] as string, 1)
    write(START, '2026-02-14', 2)
    write('2026-02-05', '2026-02-20', 3)
    const s = core.store.sqlite
    for (const [from, to] of [
      [START, dates[DAYS - 1] as string],
      ['2026-01-10', '2026-01-31'],
      ['2026-02-03', '2026-02-09'],
      // Ends inside campaign 2's pause: its running total must still exist on those days.
      ['2026-01-25', '2026-02-07'],
      ['2026-02-12', '2026-03-05'],
    ] as const) {
      const direct = s
        .prepare(
          `SELECT campaign_id AS id, sum(spend_micros) AS spend, sum(conversions) AS conv FROM daily_metrics
           WHERE account_id = ? AND date BETWEEN ? AND ? GROUP BY campaign_id`,
        )
        .all(accountId, from, to) as { id: number; spend: number; conv: number }[]
      const sums = new CumulativeReader(s).rangeSums(accountId, from, to)
      const cum = [...sums].map(([id, v]) => ({ id, spend: v[0] as number, conv: v[3] as number }))
      const byId = new Map(cum.map((r) => [r.id, r]))
      expect(direct.length).toBeGreaterThan(0)
      for (const d of direct) {
        expect(byId.get(d.id)?.spend, `campaign ${d.id} ${from}..${to}`).toBe(d.spend)
        expect(byId.get(d.id)?.conv).toBeCloseTo(d.conv, 6)
      }
    }
    // The campaign_daily view holds exactly the campaign-days the rows have, with their sums;
    // paused days are absent, not zero rows.
    const view = s
      .prepare(
        'SELECT campaign_id, date, spend_micros, impressions, clicks, conversions FROM campaign_daily WHERE account_id = ? ORDER BY campaign_id, date',
      )
      .raw()
      .all(accountId) as number[][]
    const fromRows = s
      .prepare(
        `SELECT campaign_id, date, sum(spend_micros), sum(impressions), sum(clicks), round(sum(conversions), 6) FROM daily_metrics
         WHERE account_id = ? GROUP BY campaign_id, date ORDER BY campaign_id, date`,
      )
      .raw()
      .all(accountId) as number[][]
    expect(view.length).toBe(fromRows.length)
    view.forEach((v, i) => {
      const r = fromRows[i] as number[]
      expect(v.slice(0, 5)).toEqual(r.slice(0, 5))
      expect(v[5]).toBeCloseTo(r[5] as number, 6)
    })
  })

  it('are the same when a backfill feeds them from memory (oldest chunk first) as when read back from daily_metrics', () => {
    const s = core.store.sqlite
    const m = new MetricsRepo(s)
    const rnd = lcg(11)
    // Fractional conversions exercise the 1e-6 rounding both paths must share.
    const rows = (from: string, to: string): DailyMetricInput[] =>
      campaigns.flatMap((c, i) =>
        dateRange(from, to)
          .filter((d) => d >= addDays(START, i * 7) && !(i === 1 && d >= '2026-01-20' && d <= '2026-01-29'))
          .map((date) => randomRow(c, accountId, date, date >= '2026-03-01', rnd)),
      )
    const snapshot = (): unknown[] =>
      (
        s
          .prepare('SELECT date, campaign_ids, sums FROM campaign_cum WHERE account_id = ? ORDER BY date')
          .raw()
          .all(accountId) as [string, Buffer, Buffer][]
      ).map(([date, ids, sums]) => {
        const d = unpackCum(accountId, date, ids, sums)
        return [date, [...d.ids], [...d.sums]]
      })
    const reset = (): void => {
      for (const t of ['daily_metrics', 'account_daily', 'campaign_cum'])
        s.prepare(`DELETE FROM ${t} WHERE account_id = ?`).run(accountId)
    }
    const chunks: [string, string][] = [
      [START, '2026-01-31'],
      ['2026-02-01', '2026-02-28'],
      ['2026-03-01', addDays(START, DAYS - 1)],
    ]
    const data = chunks.map(([from, to]) => rows(from, to))
    const backfill = (readBack: boolean): unknown[] => {
      reset()
      chunks.forEach(([from, to], i) =>
        s.transaction(() => {
          const acc = new RollupAccumulator()
          for (const r of data[i] as DailyMetricInput[]) acc.add(r)
          m.upsert(data[i] as DailyMetricInput[])
          m.replaceRollups(accountId, from, to, acc)
          // The reference: running totals recomputed from the rows daily_metrics now holds.
          if (readBack) new CumulativeRollup(s).refresh(accountId, from)
        })(),
      )
      return snapshot()
    }
    const fromSql = backfill(true)
    const fromMemory = backfill(false)
    // One row per account-day, dense from the first day.
    expect(fromSql.length).toBe(DAYS)
    expect(fromMemory).toEqual(fromSql)
    reset()
  })

  it('carry totals across whole windows without rows, so a range starting in such a gap is right', () => {
    const s = core.store.sqlite
    const m = new MetricsRepo(s)
    const c = campaigns[0] as (typeof campaigns)[number]
    const reset = (): void => {
      for (const t of ['daily_metrics', 'account_daily', 'campaign_cum'])
        s.prepare(`DELETE FROM ${t} WHERE account_id = ?`).run(accountId)
    }
    reset()
    const row = (date: string, spend: number): DailyMetricInput => ({
      adId: c.adId,
      date,
      accountId,
      campaignId: c.campaignId,
      adSetId: c.adSetId,
      spendMicros: spend,
      impressions: 10,
      clicks: 1,
      reach: 0,
      conversions: 0.5,
      conversionValueMicros: 2 * spend,
      videoViews: 0,
      provisional: false,
      source: 'sync',
    })
    // A backfill in monthly windows: January has rows, February none (the campaign was off), March has rows.
    const windows: [string, string][] = [
      ['2026-01-01', '2026-01-31'],
      ['2026-02-01', '2026-02-28'],
      ['2026-03-01', '2026-03-31'],
    ]
    for (const [from, to] of windows)
      s.transaction(() => {
        const rows = from === '2026-02-01' ? [] : dateRange(from, to).map((d) => row(d, 1_000_000))
        const acc = new RollupAccumulator()
        for (const r of rows) acc.add(r)
        m.upsert(rows)
        m.replaceRollups(accountId, from, to, acc)
      })()
    const repo = new AnalyticsRepo(s)
    for (const [lo, hi, days] of [
      ['2026-02-09', '2026-03-15', 15],
      ['2026-02-27', '2026-02-28', 0],
      ['2026-01-30', '2026-03-01', 2],
    ] as const) {
      const got = repo.campaignSums([{ accountId, from: addDays(lo, 1), to: hi, rate: 1 }])
      expect(
        got.map((r) => [r.id, r.spend]),
        `${lo}..${hi}`,
      ).toEqual(days ? [[c.campaignId, days * 1_000_000]] : [])
    }
    reset()
  })

  it('restart every month, so a row never carries campaigns that stopped before its month (churn stays bounded)', () => {
    const s = core.store.sqlite
    const ws = core.workspaces.create('Churn', 'USD')
    // 4 campaigns live at any time: 2 always on, 2 slots whose campaign is replaced every 30 days.
    const seeded = seedAccount(s, ws, 'churn', 2 + 2 * 4)
    const acct = seeded.accountId
    const m = new MetricsRepo(s)
    const rnd = lcg(23)
    const from = '2026-01-01'
    const to = '2026-04-30'
    const days = dateRange(from, to)
    const liveOn = (i: number, d: number): boolean => i < 2 || Math.floor(d / 30) === Math.floor((i - 2) / 2)
    const rows: DailyMetricInput[] = []
    days.forEach((date, d) =>
      seeded.campaigns.forEach((c, i) => {
        if (!liveOn(i, d)) return
        rows.push(randomRow(c, acct, date, false, rnd))
      }),
    )
    // Written in monthly chunks oldest first from memory, as a backfill does.
    for (const [a, b] of [
      [from, '2026-01-31'],
      ['2026-02-01', '2026-02-28'],
      ['2026-03-01', '2026-03-31'],
      ['2026-04-01', to],
    ] as const)
      s.transaction(() => {
        const chunk = rows.filter((r) => r.date >= a && r.date <= b)
        const acc = new RollupAccumulator()
        for (const r of chunk) acc.add(r)
        m.upsert(chunk)
        m.replaceRollups(acct, a, b, acc)
      })()
    // Every row holds only campaigns with activity in its month by its day: at most the 4 live ones
    // plus those replaced earlier in the same month, never all 10 ever seen.
    const stored = s
      .prepare('SELECT date, campaign_ids, sums FROM campaign_cum WHERE account_id = ? ORDER BY date')
      .raw()
      .all(acct) as [string, Buffer, Buffer][]
    expect(stored.length).toBe(days.length)
    for (const [date, ids, sums] of stored) {
      const d = unpackCum(acct, date, ids, sums)
      const month = date.slice(0, 7)
      const activeInMonth = new Set(
        rows.filter((r) => r.date.slice(0, 7) === month && r.date <= date).map((r) => r.campaignId),
      )
      expect(
        [...d.ids].sort((x, y) => x - y),
        date,
      ).toEqual([...activeInMonth].sort((x, y) => x - y))
      expect(d.ids.length).toBeLessThanOrEqual(6)
    }
    // Range answers equal the rows' sums (conversions rounded per campaign-day, as every rollup
    // keeps them: the campaign_daily view), across month boundaries and inside months.
    const repo = new AnalyticsRepo(s)
    const ranges: [string, string][] = [
      [from, to],
      ['2026-01-15', '2026-02-14'],
      ['2026-02-01', '2026-02-01'],
      ['2026-01-31', '2026-03-01'],
      ['2026-03-10', '2026-04-30'],
    ]
    for (let k = 0; k < 12; k++) {
      const a = Math.floor(rnd() * days.length)
      const b = a + Math.floor(rnd() * (days.length - a))
      ranges.push([days[a] as string, days[b] as string])
    }
    for (const [a, b] of ranges) {
      const direct = s
        .prepare(
          `SELECT campaign_id AS id, sum(spend_micros) AS spend, sum(impressions) AS impressions, sum(conversions) AS conv
           FROM campaign_daily WHERE account_id = ? AND date BETWEEN ? AND ? GROUP BY campaign_id ORDER BY campaign_id`,
        )
        .all(acct, a, b) as { id: number; spend: number; impressions: number; conv: number }[]
      const got = repo.campaignSums([{ accountId: acct, from: a, to: b, rate: 1 }])
      expect(
        got.map((r) => [r.id, r.spend, r.impressions]),
        `${a}..${b}`,
      ).toEqual(direct.map((r) => [r.id, r.spend, r.impressions]))
      got.forEach((r, i) => expect(r.conversions).toBeCloseTo((direct[i] as { conv: number }).conv, 6))
    }
    // A restatement in the middle of a month rewrites the rows from its first day (the month's
    // earlier days are carried in) and the answers stay the rows' sums.
    s.transaction(() => {
      const chunk = rows
        .filter((r) => r.date >= '2026-02-10' && r.date <= '2026-02-20')
        .map((r) => ({ ...r, spendMicros: r.spendMicros + 7 }))
      const acc = new RollupAccumulator()
      for (const r of chunk) acc.add(r)
      m.upsert(chunk)
      m.replaceRollups(acct, '2026-02-10', '2026-02-20', acc)
    })()
    const after = repo.campaignSums([{ accountId: acct, from: '2026-02-05', to: '2026-02-15', rate: 1 }])
    const direct = s
      .prepare(
        `SELECT campaign_id AS id, sum(spend_micros) AS spend FROM daily_metrics
         WHERE account_id = ? AND date BETWEEN '2026-02-05' AND '2026-02-15' GROUP BY campaign_id ORDER BY campaign_id`,
      )
      .all(acct) as { id: number; spend: number }[]
    expect(after.map((r) => [r.id, r.spend])).toEqual(direct.map((r) => [r.id, r.spend]))
  })

  it('refuse a damaged row with a specific error instead of misreading it', () => {
    const s = core.store.sqlite
    s.prepare('INSERT INTO campaign_cum (account_id, date, campaign_ids, sums) VALUES (?, ?, ?, ?)').run(
      accountId,
      '2030-01-01',
      Buffer.alloc(8),
      Buffer.alloc(40),
    )
    expect(() => new CumulativeReader(s).at(accountId, '2030-01-02')).toThrow(
      /campaign_cum of account \d+ on 2030-01-02 is damaged \(8 id bytes, 40 sum bytes\)/,
    )
    s.prepare('DELETE FROM campaign_cum WHERE account_id = ?').run(accountId)
  })
})
