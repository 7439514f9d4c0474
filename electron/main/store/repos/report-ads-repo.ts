import { dateRange } from '../../../../shared/domain/dates'
import type { Sqlite } from '../db'
import { inChunks, marks } from '../id-lists'
import type { RawBucket } from './analytics-repo'
import type { AdDayRow } from './creatives-repo'
import { monthSplits } from './cumulative-rollup'

/** Units of the reporting currency per unit of an account's currency, per month of a range. */
export interface AccountRates {
  accountId: number
  /** month (YYYY-MM) → rate; months not listed count at 1. */
  byMonth: Map<string, number>
}

/** Ids bound with a list of dates stay well under SQLite's 32,766 variables (ten years of dates + ids). */
const IDS_PER_LOOKUP = 500

/**
 * The ads' rows of [from, to] (impressions and clicks; only rows of each ad's own account), by ad
 * then date, unpacked from `ad_month_days`: one row per ad and month (`DD:impressions:clicks`, in
 * any order within the month), equal to reading `daily_metrics` (`adMonthMismatches` checks the table
 * in the writers' tests). `accountId` limits the read to one account's ads. The ads of an account
 * whose packed days are not built yet (`ad_month_days_pending`, until the `store:upgrade` job built
 * them) are read from `daily_metrics`, one key lookup (account, date, ad) per day, with the same answer.
 */
export function packedAdDays(
  sqlite: Sqlite,
  ids: readonly number[],
  from: string,
  to: string,
  accountId: number | null = null,
): AdDayRow[] {
  const out: AdDayRow[] = []
  if (!ids.length || from > to) return out
  const months = monthSplits(from, to).map(([a]) => a.slice(0, 7))
  const byId = [...new Set(ids)].sort((a, b) => a - b)
  const pending = sqlite.prepare('SELECT 1 FROM ad_month_days_pending LIMIT 1').get() !== undefined
  const mine = accountId === null ? '' : ' AND x.account_id = ?'
  const only = accountId === null ? [] : [accountId]
  for (let i = 0; i < byId.length; i += IDS_PER_LOOKUP) {
    let slice = byId.slice(i, i + IDS_PER_LOOKUP)
    let unbuilt: AdDayRow[] = []
    if (pending) {
      const fromRows = sqlite
        .prepare(
          `SELECT id FROM ads WHERE id IN (${marks(slice.length)})
           AND account_id IN (SELECT account_id FROM ad_month_days_pending) ORDER BY id`,
        )
        .pluck()
        .all(...slice) as number[]
      if (fromRows.length) {
        const dates = dateRange(from, to)
        unbuilt = sqlite
          .prepare(
            `SELECT d.ad_id, d.date, d.impressions, d.clicks FROM ads x
             JOIN daily_metrics d ON d.account_id = x.account_id AND d.date IN (${marks(dates.length)}) AND d.ad_id = x.id
             WHERE x.id IN (${marks(fromRows.length)})${mine}
             ORDER BY d.ad_id, d.date`,
          )
          .all(...dates, ...fromRows, ...only) as AdDayRow[]
        const skip = new Set(fromRows)
        slice = slice.filter((id) => !skip.has(id))
      }
    }
    const packed: AdDayRow[] = unbuilt.length ? [] : out
    const rows = slice.length
      ? (sqlite
          .prepare(
            `SELECT s.ad_id, s.month, s.days FROM ads x
             JOIN ad_month_days s ON s.account_id = x.account_id AND s.month IN (${marks(months.length)}) AND s.ad_id = x.id
             WHERE x.id IN (${marks(slice.length)})${mine}
             ORDER BY s.ad_id, s.month`,
          )
          .raw()
          .all(...months, ...slice, ...only) as [number, string, string][])
      : []
    for (const [adId, month, days] of rows) {
      const start = packed.length
      let sorted = true
      let prev = ''
      for (const day of days.split(',')) {
        const c1 = day.indexOf(':')
        const c2 = day.indexOf(':', c1 + 1)
        const date = `${month}-${day.slice(0, c1)}`
        if (date < from || date > to) continue
        if (date < prev) sorted = false
        prev = date
        packed.push({
          ad_id: adId,
          date,
          impressions: Number(day.slice(c1 + 1, c2)),
          clicks: Number(day.slice(c2 + 1)),
        })
      }
      if (!sorted) {
        const month1 = packed.splice(start).sort((a, b) => (a.date < b.date ? -1 : 1))
        for (const r of month1) packed.push(r)
      }
    }
    if (unbuilt.length) mergeByAd(out, packed, unbuilt)
  }
  return out
}

/** Appends to `out` the rows of `a` and `b` (each by ad then date, an ad in one of them only) by ad then date. */
function mergeByAd(out: AdDayRow[], a: AdDayRow[], b: AdDayRow[]): void {
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && (a[i] as AdDayRow).ad_id < (b[j] as AdDayRow).ad_id) ? a : b
    const ad = (next === a ? a[i] : b[j]) as AdDayRow
    if (next === a) while (i < a.length && (a[i] as AdDayRow).ad_id === ad.ad_id) out.push(a[i++] as AdDayRow)
    else while (j < b.length && (b[j] as AdDayRow).ad_id === ad.ad_id) out.push(b[j++] as AdDayRow)
  }
}

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

  /**
   * Daily impressions and clicks of the ads from their accounts' first day up to `to`, by ad then
   * date: read from each ad's packed months (`ad_month_days`, one row per ad and month on a few
   * pages), not one key lookup per ad-day (each found row on a leaf page of its own: issue 18).
   */
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
    return packedAdDays(this.sqlite, ids, from, to)
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
