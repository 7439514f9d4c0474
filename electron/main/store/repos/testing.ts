import type { Sqlite } from '../db'
import { dateRange } from '../../../../shared/domain/dates'
import { AdMonthSums } from './ad-month-rollup'
import { MetricsRepo, type DailyMetricInput } from './metrics-repo'

/** Deterministic pseudo-random numbers in [0, 1) for tests (no Math.random in tests). */
export function lcg(seed: number): () => number {
  let x = seed
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648
    return x / 2147483648
  }
}

/** One campaign of a seeded account, with its single ad set and ad. */
export interface SeededCampaign {
  campaignId: number
  adSetId: number
  adId: number
}

/** A USD Meta account in `workspaceId` with `campaigns` campaigns of one ad set and one ad each (tests). */
export function seedAccount(
  s: Sqlite,
  workspaceId: number,
  externalId: string,
  campaigns: number,
): { accountId: number; campaigns: SeededCampaign[] } {
  const accountId = Number(
    s
      .prepare(
        "INSERT INTO ad_accounts (workspace_id, platform, external_id, name, currency, time_zone) VALUES (?, 'meta', ?, ?, 'USD', 'UTC')",
      )
      .run(workspaceId, externalId, externalId.toUpperCase()).lastInsertRowid,
  )
  const camp = s.prepare(
    "INSERT INTO campaigns (account_id, external_id, name, objective, status) VALUES (?, ?, ?, 'sales', 'active')",
  )
  const set = s.prepare(
    "INSERT INTO ad_sets (account_id, campaign_id, external_id, name, status) VALUES (?, ?, ?, 'S', 'active')",
  )
  const ad = s.prepare(
    "INSERT INTO ads (account_id, campaign_id, ad_set_id, external_id, name, status) VALUES (?, ?, ?, ?, 'Ad', 'active')",
  )
  const out: SeededCampaign[] = []
  for (let i = 0; i < campaigns; i++) {
    const campaignId = Number(camp.run(accountId, `c${i}`, `C${i}`).lastInsertRowid)
    const adSetId = Number(set.run(accountId, campaignId, `s${i}`).lastInsertRowid)
    const adId = Number(ad.run(accountId, campaignId, adSetId, `a${i}`).lastInsertRowid)
    out.push({ campaignId, adSetId, adId })
  }
  return { accountId, campaigns: out }
}

/** An ad's rows on every day of [from, to] with the same figures (impressions 100, clicks 1, reach 50). */
export function flatRun(
  ad: { accountId: number; adId: number; adSetId: number; campaignId: number },
  from: string,
  to: string,
  spendMicros: number,
): DailyMetricInput[] {
  return dateRange(from, to).map((date) => ({
    ...ad,
    date,
    spendMicros,
    impressions: 100,
    clicks: 1,
    reach: 50,
    conversions: 0,
    conversionValueMicros: 0,
    videoViews: 0,
    provisional: false,
    source: 'import' as const,
  }))
}

/** Writes rows of one account as a sync does: the rows and their rollups over [from, to] in one transaction. */
export function writeWithRollups(
  s: Sqlite,
  accountId: number,
  rows: DailyMetricInput[],
  from: string,
  to: string,
): void {
  const m = new MetricsRepo(s)
  s.transaction(() => {
    m.upsert(rows)
    m.refreshRollups(accountId, from, to)
  }).immediate()
}

/** Report tests: rename the highest-spending campaigns, and read raw sums straight from the rows. */
export class ReportTestRepo {
  constructor(private readonly s: Sqlite) {}

  /** Gives the top `names.length` campaigns by all-time spend these names. */
  renameTopCampaigns(names: string[]): void {
    const ids = this.s
      .prepare(
        `SELECT campaign_id AS id FROM daily_metrics GROUP BY campaign_id ORDER BY sum(spend_micros) DESC, campaign_id LIMIT ?`,
      )
      .all(names.length) as { id: number }[]
    const upd = this.s.prepare('UPDATE campaigns SET name = ? WHERE id = ?')
    ids.forEach((r, i) => upd.run(names[i], r.id))
  }

  lastDate(): string {
    return (this.s.prepare('SELECT max(date) AS d FROM account_daily').get() as { d: string }).d
  }

  firstAccount(): { id: number; currency: string } {
    return this.s.prepare('SELECT id, currency FROM ad_accounts ORDER BY id LIMIT 1').get() as {
      id: number
      currency: string
    }
  }

  /** Spend micros of one account over a range, summed from the ad-day rows. */
  rawTotals(accountId: number, range: { from: string; to: string }): { spend: number } {
    return this.s
      .prepare(
        'SELECT coalesce(sum(spend_micros), 0) AS spend FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ?',
      )
      .get(accountId, range.from, range.to) as { spend: number }
  }
}

/**
 * Rows where `ad_month` differs from summing `daily_metrics` per account, month, ad, ad set and
 * campaign (either side missing or any sum different; conversions compared to 1e-6). Empty when the
 * rollup is consistent with the rows (tests of every metrics writer).
 */
export function adMonthMismatches(s: Sqlite): unknown[] {
  const fromRows = `SELECT account_id, substr(date, 1, 7) AS month, ad_id, ad_set_id, campaign_id, sum(spend_micros) AS spend,
      sum(impressions) AS impressions, sum(clicks) AS clicks, sum(reach) AS reach, round(sum(conversions), 6) AS conversions,
      sum(conversion_value_micros) AS value, sum(video_views) AS views, count(*) AS days,
      sum(CASE WHEN clicks < 0 OR spend_micros < 0 THEN 1 ELSE 0 END) AS negative, min(date) AS first, max(date) AS last
    FROM daily_metrics GROUP BY 1, 2, 3, 4, 5`
  const fromRollup = `SELECT account_id, month, ad_id, ad_set_id, campaign_id, spend_micros, impressions, clicks, reach,
      round(conversions, 6), conversion_value_micros, video_views, days, negative_rows, first_date, last_date FROM ad_month`
  return [
    ...s.prepare(`SELECT 'missing or different in ad_month' AS side, * FROM (${fromRows} EXCEPT ${fromRollup})`).all(),
    ...s.prepare(`SELECT 'not in the rows' AS side, * FROM (${fromRollup} EXCEPT ${fromRows})`).all(),
    ...adMonthDaysMismatches(s),
  ]
}

/**
 * Differences between `ad_month_days` (each ad's packed days per month) and the rows of
 * `daily_metrics`: every row's (account, date, ad, impressions, clicks) must be in the packed text
 * exactly once, and nothing else (the order of the days within a month's text is free). Accounts
 * whose packed days are still to be built (`ad_month_days_pending`) are not compared.
 */
export function adMonthDaysMismatches(s: Sqlite): unknown[] {
  const key = (account: number, date: string, ad: number): string => `${account}|${date}|${ad}`
  const built = 'account_id NOT IN (SELECT account_id FROM ad_month_days_pending)'
  const rows = new Map<string, string>()
  for (const [account, date, ad, impressions, clicks] of s
    .prepare(`SELECT account_id, date, ad_id, impressions, clicks FROM daily_metrics WHERE ${built}`)
    .raw()
    .iterate() as Iterable<[number, string, number, number, number]>)
    rows.set(key(account, date, ad), `${impressions}:${clicks}`)
  const out: unknown[] = []
  for (const [account, month, ad, days] of s
    .prepare(`SELECT account_id, month, ad_id, days FROM ad_month_days WHERE ${built}`)
    .raw()
    .iterate() as Iterable<[number, string, number, string]>) {
    if (days === '') out.push({ side: 'empty in ad_month_days', account, month, ad })
    for (const day of days.split(',')) {
      const [dd, impressions, clicks] = day.split(':')
      const k = key(account, `${month}-${dd}`, ad)
      const want = rows.get(k)
      const got = `${Number(impressions)}:${Number(clicks)}`
      if (want !== got) out.push({ side: 'missing or different in the rows', key: k, got, want: want ?? null })
      rows.delete(k)
    }
  }
  for (const [k, v] of rows) out.push({ side: 'missing in ad_month_days', key: k, want: v })
  return out
}

/*
 * A hand-computable world for recommendation tests: one USD account in UTC, "now" 2026-06-30 12:00
 * UTC, the same numbers every day from 2026-05-01 to 2026-06-30; days from 06-28 on are provisional,
 * so the last settled day is 06-27 and "the last 28 days" are 05-31..06-27.
 *
 *   per day   spend  conv  revenue
 *   C0        100    2     300
 *   C1        40     0     0        ← waste
 *   C2        60     1     90
 *
 * Over 28 days: spend 5,600, conversions 84, revenue 10,920 → 0.015 conversions per USD and
 * 130 USD per conversion. C1 spent 1,120: 16.8 conversions expected, none came (P = e^-16.8).
 * Impact per week: 1,120 / 4 = 280 saved; lower bound 280 − 1.6094379 × 130 / 4 = 227.693268.
 */
export const WASTE_WORLD_NOW = new Date('2026-06-30T12:00:00Z')
export const WASTE_WORLD_PER_DAY = [
  { spend: 100, conv: 2, rev: 300 },
  { spend: 40, conv: 0, rev: 0 },
  { spend: 60, conv: 1, rev: 90 },
] as const

/** Seed the world above into workspace `ws` (an account `externalId`); returns its campaigns' ad sets in order. */
export function seedWasteWorld(s: Sqlite, ws: number, externalId: string): { adSets: number[] } {
  const seeded = seedAccount(s, ws, externalId, WASTE_WORLD_PER_DAY.length)
  const rows: DailyMetricInput[] = []
  seeded.campaigns.forEach((c, i) => {
    const p = WASTE_WORLD_PER_DAY[i] as (typeof WASTE_WORLD_PER_DAY)[number]
    s.prepare('UPDATE ads SET launch_date = ? WHERE id = ?').run('2026-05-01', c.adId)
    for (const date of dateRange('2026-05-01', '2026-06-30'))
      rows.push({
        ...c,
        date,
        accountId: seeded.accountId,
        spendMicros: p.spend * 1e6,
        impressions: 10_000,
        clicks: 100,
        reach: 0,
        conversions: p.conv,
        conversionValueMicros: p.rev * 1e6,
        videoViews: 0,
        provisional: date >= '2026-06-28',
        source: 'import',
      })
  })
  const m = new MetricsRepo(s)
  s.transaction(() => {
    m.upsert(rows)
    m.refreshRollups(seeded.accountId, '2026-05-01', '2026-06-30')
  }).immediate()
  return { adSets: seeded.campaigns.map((c) => c.adSetId) }
}

/** A backfill chunk as the sync writer writes it: rows inserted, their days appended (`AdMonthRollup.add`). */
export function backfill(m: MetricsRepo, accountId: number, list: DailyMetricInput[], from: string, to: string): void {
  const dates = dateRange(from, to)
  const months = [...new Set(dates.map((d) => d.slice(0, 7)))]
  const sums = new AdMonthSums(months, dates)
  const sorted = [...list].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.adId - b.adId))
  const values = new Float64Array(7)
  for (const r of sorted) {
    values.set([r.spendMicros, r.impressions, r.clicks, r.reach, r.conversions, r.conversionValueMicros, r.videoViews])
    sums.add(months.indexOf(r.date.slice(0, 7)), dates.indexOf(r.date), r.adId, r.adSetId, r.campaignId, values, 0)
  }
  m.upsert(sorted, true)
  m.adMonths.add(accountId, sums)
}
