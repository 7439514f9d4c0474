import { dateRange } from '../../../../shared/domain/dates'
import type { Sqlite } from '../db'
import { inChunks, marks } from '../id-lists'
import type { RawBucket } from './analytics-repo'
import type { AdDayRow } from './creatives-repo'

/** Units of the reporting currency per unit of an account's currency, per month of a range. */
export interface AccountRates {
  accountId: number
  /** month (YYYY-MM) → rate; months not listed count at 1. */
  byMonth: Map<string, number>
}

/** Ids bound with a list of dates stay well under SQLite's 32,766 variables (ten years of dates + ids). */
const IDS_PER_LOOKUP = 500

/**
 * SQL of a report's creatives section: the biggest ads of a range ranked in SQL, then only those
 * ads' rows read by key (account, date, ad: one lookup per ad-day) instead of every ad of the
 * accounts. The Creatives page's list (creatives-repo) sums every ad of the range in JS; a report
 * shows the first 60, and at 10,000 ads that difference is most of the report's data time.
 */
export class ReportAdsRepo {
  constructor(private readonly sqlite: Sqlite) {}

  /**
   * Ids of the `limit` ads with the most spend in [from, to], converted with `rates` (accounts in the
   * reporting currency need none), most first, ties by id.
   */
  topAdsBySpend(accountIds: number[], from: string, to: string, rates: AccountRates[], limit: number): number[] {
    if (!accountIds.length || limit <= 0) return []
    const params: (number | string)[] = []
    let spend = 'd.spend_micros'
    const converted = rates.filter((r) => [...r.byMonth.values()].some((v) => v !== 1))
    if (converted.length) {
      const arms = converted.map((r) => {
        const values = [...r.byMonth.entries()]
        params.push(r.accountId)
        if (new Set(values.map(([, v]) => v)).size === 1) {
          params.push(values[0]?.[1] ?? 1)
          return 'WHEN ? THEN ?'
        }
        for (const [month, rate] of values) params.push(month, rate)
        return `WHEN ? THEN (CASE substr(d.date, 1, 7) ${values.map(() => 'WHEN ? THEN ?').join(' ')} ELSE 1 END)`
      })
      spend = `d.spend_micros * (CASE d.account_id ${arms.join(' ')} ELSE 1 END)`
    }
    return this.sqlite
      .prepare(
        `SELECT d.ad_id FROM daily_metrics d
         WHERE d.account_id IN (${marks(accountIds.length)}) AND d.date BETWEEN ? AND ?
         GROUP BY d.ad_id
         ORDER BY sum(${spend}) DESC, d.ad_id LIMIT ?`,
      )
      .pluck()
      .all(...accountIds, from, to, ...params, limit) as number[]
  }

  /** The ads' sums in [from, to] per month and account currency (key: the ad's id), read by key. */
  adBuckets(ids: number[], from: string, to: string): RawBucket[] {
    const dates = dateRange(from, to)
    return inChunks(ids, (chunk) =>
      this.byKey(
        `SELECT d.ad_id AS key, '' AS period, substr(d.date, 1, 7) AS month, a.currency AS currency,
           sum(d.spend_micros) AS spend, sum(d.conversion_value_micros) AS revenue, sum(d.impressions) AS impressions,
           sum(d.clicks) AS clicks, sum(d.conversions) AS conversions, sum(d.video_views) AS video_views,
           max(d.provisional) AS provisional`,
        'GROUP BY d.ad_id, month, a.currency',
        chunk,
        dates,
      ),
    ) as RawBucket[]
  }

  /** Daily impressions and clicks of the ads from their accounts' first day up to `to`, by ad then date. */
  adDays(ids: number[], to: string): AdDayRow[] {
    if (!ids.length) return []
    let from: string | null = null
    for (let i = 0; i < ids.length; i += IDS_PER_LOOKUP) {
      const slice = ids.slice(i, i + IDS_PER_LOOKUP)
      const f = this.sqlite
        .prepare(
          `SELECT min(date) FROM account_daily WHERE account_id IN
             (SELECT DISTINCT account_id FROM ads WHERE id IN (${marks(slice.length)}))`,
        )
        .pluck()
        .get(...slice) as string | null
      if (f && (!from || f < from)) from = f
    }
    if (!from || from > to) return []
    const dates = dateRange(from, to)
    return inChunks(ids, (chunk) =>
      this.byKey('SELECT d.ad_id, d.date, d.impressions, d.clicks', 'ORDER BY d.ad_id, d.date', chunk, dates),
    ) as AdDayRow[]
  }

  /** `select` over the ads' rows on `dates`, one key lookup per ad-day, in slices of ids. */
  private byKey(select: string, tail: string, ids: number[], dates: string[]): unknown[] {
    const out: unknown[] = []
    for (let i = 0; i < ids.length; i += IDS_PER_LOOKUP) {
      const slice = ids.slice(i, i + IDS_PER_LOOKUP)
      const rows = this.sqlite
        .prepare(
          `${select} FROM ads x
           JOIN daily_metrics d ON d.account_id = x.account_id AND d.date IN (${marks(dates.length)}) AND d.ad_id = x.id
           JOIN ad_accounts a ON a.id = d.account_id
           WHERE x.id IN (${marks(slice.length)}) ${tail}`,
        )
        .all(...dates, ...slice)
      for (const r of rows) out.push(r)
    }
    return out
  }
}
