import { addDays, daysBetween, endOfMonth, startOfMonth } from '../../../../shared/domain/dates'
import type { Sqlite } from '../db'
import { inChunks } from '../id-lists'
import type { RawBucket } from './analytics-repo'
import { ReportAdsRepo } from './report-ads-repo'

/** An ad with its campaign, ad set and creative, as the creatives views show it. */
export interface AdMeta {
  id: number
  name: string
  status: string
  campaign_id: number
  campaign_name: string
  ad_set_id: number
  ad_set_name: string
  account_id: number
  platform: string
  format: string | null
  headline: string | null
  thumbnail_url: string | null
  launch_date: string | null
}

/** One ad-day of delivery (the fatigue model's input). */
export interface AdDayRow {
  ad_id: number
  date: string
  impressions: number
  clicks: number
}

/** SQL of the creatives views: ads' metadata and daily delivery. */
export class CreativesRepo {
  constructor(private readonly sqlite: Sqlite) {}

  /** The ads' names, campaign, ad set, account (with its platform) and creative. */
  adMeta(ids: number[]): AdMeta[] {
    return inChunks(
      ids,
      (chunk, list) =>
        this.sqlite
          .prepare(
            `SELECT x.id, x.name, x.status, x.campaign_id, c.name AS campaign_name, x.ad_set_id, s.name AS ad_set_name,
               x.account_id, a.platform, cr.format, cr.headline, cr.thumbnail_url, x.launch_date
             FROM ads x JOIN campaigns c ON c.id = x.campaign_id JOIN ad_sets s ON s.id = x.ad_set_id
             JOIN ad_accounts a ON a.id = x.account_id
             LEFT JOIN creatives cr ON cr.id = x.creative_id WHERE x.id IN (${list})`,
          )
          .all(...chunk) as AdMeta[],
    )
  }

  /**
   * Daily impressions and clicks of the ads up to `to` (at most their accounts' last day), by ad then
   * date, from their packed months (`ad_month_days`, `ReportAdsRepo.adDays`).
   */
  adDays(ids: number[], to: string): AdDayRow[] {
    if (!ids.length) return []
    const last = inChunks(ids, (chunk, list) =>
      this.sqlite
        .prepare(
          `SELECT max(date) FROM account_daily WHERE account_id IN (SELECT DISTINCT account_id FROM ads WHERE id IN (${list}))`,
        )
        .pluck()
        .all(...chunk),
    ).reduce<string | null>((m, d) => (typeof d === 'string' && (m === null || d > m) ? d : m), null)
    if (last === null) return []
    return new ReportAdsRepo(this.sqlite).adDays(ids, to < last ? to : last)
  }

  /**
   * Per-ad sums of [from, to] in each account's currency, one bucket per ad and month (key: the ad's
   * id), equal to summing the ad-day rows. A month the range covers whole comes from the per-ad
   * monthly sums (`ad_month`); a partial month from the rows of its days in the range, or, when the
   * rest of the month is shorter, from the month's sums minus the rows of the rest (the default "last
   * 30 days" is one such month: one day of rows instead of thirty).
   */
  adRangeBuckets(accounts: { id: number; currency: string }[], from: string, to: string): RawBucket[] {
    const out: RawBucket[] = []
    const span = this.sqlite.prepare('SELECT min(date), max(date) FROM account_daily WHERE account_id = ?').raw()
    const months = this.sqlite
      .prepare(
        `SELECT ad_id, sum(spend_micros), sum(conversion_value_micros), sum(impressions), sum(clicks), sum(conversions),
           sum(video_views), sum(days)
         FROM ad_month WHERE account_id = ? AND month = ? GROUP BY ad_id`,
      )
      .raw()
    const rows = this.sqlite
      .prepare(
        `SELECT ad_id, sum(spend_micros), sum(conversion_value_micros), sum(impressions), sum(clicks), sum(conversions),
           sum(video_views), count(*)
         FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ? GROUP BY ad_id`,
      )
      .raw()
    const provisional = this.sqlite
      .prepare('SELECT max(provisional) FROM account_daily WHERE account_id = ? AND date BETWEEN ? AND ?')
      .pluck()
    for (const a of accounts) {
      const [first, last] = span.get(a.id) as [string | null, string | null]
      if (first === null || last === null) continue
      const f = from > first ? from : first
      const t = to < last ? to : last
      for (let p = f; p <= t; p = addDays(endOfMonth(p), 1)) {
        const pieceTo = endOfMonth(p) < t ? endOfMonth(p) : t
        const month = p.slice(0, 7)
        // The month's days that can have rows (inside the account's span).
        const ms = startOfMonth(p) > first ? startOfMonth(p) : first
        const me = endOfMonth(p) < last ? endOfMonth(p) : last
        const pieceDays = daysBetween(p, pieceTo) + 1
        const restDays = daysBetween(ms, me) + 1 - pieceDays
        // ad id -> [spend, revenue, impressions, clicks, conversions, video views, rows]
        const net = new Map<number, number[]>()
        const add = (list: unknown[][], sign: 1 | -1): void => {
          for (const r of list) {
            const id = r[0] as number
            let v = net.get(id)
            if (!v) net.set(id, (v = [0, 0, 0, 0, 0, 0, 0]))
            for (let k = 0; k < 7; k++) v[k] = (v[k] as number) + sign * ((r[k + 1] as number | null) ?? 0)
          }
        }
        if (restDays < pieceDays) {
          add(months.all(a.id, month) as unknown[][], 1)
          if (ms < p) add(rows.all(a.id, ms, addDays(p, -1)) as unknown[][], -1)
          if (pieceTo < me) add(rows.all(a.id, addDays(pieceTo, 1), me) as unknown[][], -1)
        } else add(rows.all(a.id, p, pieceTo) as unknown[][], 1)
        const prov = (provisional.get(a.id, p, pieceTo) as number | null) ?? 0
        for (const [id, v] of net) {
          // Ads with no row in the piece (all their month's rows were in the rest) are not in the range.
          if ((v[6] as number) <= 0) continue
          out.push({
            key: String(id),
            period: '',
            month,
            currency: a.currency,
            spend: v[0] as number,
            revenue: v[1] as number,
            impressions: v[2] as number,
            clicks: v[3] as number,
            conversions: Math.round((v[4] as number) * 1e6) / 1e6,
            video_views: v[5] as number,
            provisional: prov,
          })
        }
      }
    }
    return out
  }

  /** Each ad's creative format (null without a creative) over the accounts' ads, by ad id. */
  adFormats(accountIds: number[]): Map<number, string | null> {
    const out = new Map<number, string | null>()
    const st = this.sqlite
      .prepare(
        'SELECT x.id, cr.format FROM ads x LEFT JOIN creatives cr ON cr.id = x.creative_id WHERE x.account_id = ?',
      )
      .raw()
    for (const a of accountIds) for (const r of st.iterate(a) as Iterable<[number, string | null]>) out.set(r[0], r[1])
    return out
  }

  /** The ads' names (the creatives list's search and name sort). */
  adNames(ids: readonly number[]): Map<number, string> {
    const rows = inChunks(ids, (chunk, list) =>
      this.sqlite
        .prepare(`SELECT id, name FROM ads WHERE id IN (${list})`)
        .raw()
        .all(...chunk),
    ) as [number, string][]
    return new Map(rows)
  }

  /** An ad's name when it belongs to the workspace, else null. */
  adName(adId: number, workspaceId: number): string | null {
    const r = this.sqlite
      .prepare(
        'SELECT x.name FROM ads x JOIN ad_accounts a ON a.id = x.account_id WHERE x.id = ? AND a.workspace_id = ?',
      )
      .get(adId, workspaceId) as { name: string } | undefined
    return r?.name ?? null
  }
}
