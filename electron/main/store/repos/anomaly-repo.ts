import type { Sqlite } from '../db'
import { inChunks } from '../id-lists'
import { StatusRepo } from './status-repo'

/** One entity-day of the anomaly detector's series (sums over the entity's rows). */
export interface AnomalyDayRow {
  key: number
  date: string
  spend: number
  revenue: number
  impressions: number
  clicks: number
  conversions: number
}

const placeholders = (n: number): string => `(${Array.from({ length: n }, () => '?').join(',')})`

/** SQL of the anomaly detector: daily series per account and campaign. */
export class AnomalyRepo {
  private readonly status: StatusRepo

  constructor(private readonly sqlite: Sqlite) {
    this.status = new StatusRepo(sqlite)
  }

  /** The workspace's last day with data, or null. */
  lastDataDate(workspaceId: number): string | null {
    return this.status.lastDataDate(workspaceId)
  }

  /** Daily sums per account (`key` = account id) over [from, to]. */
  accountDays(accountIds: number[], from: string, to: string): AnomalyDayRow[] {
    if (!accountIds.length) return []
    return this.sqlite
      .prepare(
        `SELECT account_id AS key, date, spend_micros AS spend, conversion_value_micros AS revenue, impressions, clicks,
           conversions
         FROM account_daily WHERE account_id IN ${placeholders(accountIds.length)} AND date BETWEEN ? AND ?`,
      )
      .all(...accountIds, from, to) as AnomalyDayRow[]
  }

  /** The `limit` campaigns of the accounts that spent most over [from, to], biggest first. */
  topCampaigns(accountIds: number[], from: string, to: string, limit: number): number[] {
    if (!accountIds.length) return []
    const rows = this.sqlite
      .prepare(
        `SELECT campaign_id AS id FROM daily_metrics WHERE account_id IN ${placeholders(accountIds.length)}
           AND date BETWEEN ? AND ?
         GROUP BY campaign_id ORDER BY sum(spend_micros) DESC, campaign_id LIMIT ?`,
      )
      .all(...accountIds, from, to, limit) as { id: number }[]
    return rows.map((r) => r.id)
  }

  /** Daily sums per campaign (`key` = campaign id) over [from, to]. */
  campaignDays(campaignIds: number[], from: string, to: string): AnomalyDayRow[] {
    return inChunks(
      campaignIds,
      (chunk, list) =>
        this.sqlite
          .prepare(
            // The campaigns' ads' rows by key, one lookup per ad-day (the key is account, date, ad).
            `WITH RECURSIVE days(day) AS (SELECT ? UNION ALL SELECT date(day, '+1 day') FROM days WHERE day < ?)
             SELECT d.campaign_id AS key, d.date, sum(d.spend_micros) AS spend, sum(d.conversion_value_micros) AS revenue,
               sum(d.impressions) AS impressions, sum(d.clicks) AS clicks, round(sum(d.conversions), 6) AS conversions
             FROM ads x
             JOIN daily_metrics d ON d.account_id = x.account_id AND d.date IN (SELECT day FROM days) AND d.ad_id = x.id
             WHERE x.campaign_id IN (${list})
             GROUP BY d.campaign_id, d.date`,
          )
          .all(from, to, ...chunk) as AnomalyDayRow[],
    )
  }

  /** Name and account of the campaigns that belong to the accounts. */
  campaigns(campaignIds: number[], accountIds: number[]): { id: number; name: string; accountId: number }[] {
    if (!accountIds.length) return []
    return inChunks(
      campaignIds,
      (chunk, list) =>
        this.sqlite
          .prepare(
            `SELECT id, name, account_id AS accountId FROM campaigns
             WHERE id IN (${list}) AND account_id IN ${placeholders(accountIds.length)}`,
          )
          .all(...chunk, ...accountIds) as { id: number; name: string; accountId: number }[],
    )
  }
}
