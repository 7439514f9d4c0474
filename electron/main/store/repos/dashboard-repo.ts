import type { DateRange } from '../../../../shared/domain/metrics'
import type { Sqlite } from '../connect'

/** Sums of the account-day rollup for one (currency, month) or (date, currency) group. */
export interface Bucket {
  currency: string
  month: string
  date?: string
  spend: number
  revenue: number
  impressions: number
  clicks: number
  conversions: number
  video_views: number
  provisional?: number
}

export interface Scope {
  workspaceId: number
  accountIds?: number[] | undefined
}

/** The dashboard's SQL over `account_daily` (sums stay in each account's currency). */
export class DashboardRepo {
  constructor(private readonly sqlite: Sqlite) {}

  private scopeSql(scope: Scope): { where: string; params: number[] } {
    const ids = scope.accountIds?.length ? scope.accountIds : null
    return {
      where: `a.workspace_id = ?${ids ? ` AND a.id IN (${ids.map(() => '?').join(',')})` : ''}`,
      params: [scope.workspaceId, ...(ids ?? [])],
    }
  }

  /** Sums per (account currency, month) over the range. */
  monthBuckets(scope: Scope, range: DateRange): Bucket[] {
    const { where, params } = this.scopeSql(scope)
    return this.sqlite
      .prepare(
        `SELECT a.currency AS currency, substr(d.date, 1, 7) AS month,
           sum(d.spend_micros) AS spend, sum(d.conversion_value_micros) AS revenue,
           sum(d.impressions) AS impressions, sum(d.clicks) AS clicks, sum(d.conversions) AS conversions,
           sum(d.video_views) AS video_views
         FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id
         WHERE ${where} AND d.date BETWEEN ? AND ?
         GROUP BY a.currency, month`,
      )
      .all(...params, range.from, range.to) as Bucket[]
  }

  /** Days of the range with at least one provisional account-day. */
  provisionalDays(scope: Scope, range: DateRange): number {
    const { where, params } = this.scopeSql(scope)
    const r = this.sqlite
      .prepare(
        `SELECT count(DISTINCT d.date) AS n FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id
         WHERE ${where} AND d.date BETWEEN ? AND ? AND d.provisional = 1`,
      )
      .get(...params, range.from, range.to) as { n: number }
    return r.n
  }

  /**
   * The attributions the range's synced account-days with data were counted with: per platform and
   * code, the number of account-days (account_day_attribution; imported or generated days have none).
   */
  attributions(scope: Scope, range: DateRange): { platform: string; code: string; days: number }[] {
    const { where, params } = this.scopeSql(scope)
    return this.sqlite
      .prepare(
        `SELECT a.platform AS platform, t.code AS code, count(*) AS days
         FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id
           JOIN account_day_attribution t ON t.account_id = d.account_id AND t.date = d.date
         WHERE ${where} AND d.date BETWEEN ? AND ?
         GROUP BY a.platform, t.code ORDER BY a.platform, t.code`,
      )
      .all(...params, range.from, range.to) as { platform: string; code: string; days: number }[]
  }

  /** The scope's first and last day with data (nulls when it has none). */
  dataSpan(scope: Scope): { first: string | null; last: string | null } {
    const { where, params } = this.scopeSql(scope)
    return this.sqlite
      .prepare(
        `SELECT min(d.date) AS first, max(d.date) AS last FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id
         WHERE ${where}`,
      )
      .get(...params) as { first: string | null; last: string | null }
  }

  /** Sums per (date, account currency) over the range, with the month for conversion. */
  dayBuckets(scope: Scope, range: DateRange): Bucket[] {
    const { where, params } = this.scopeSql(scope)
    return this.sqlite
      .prepare(
        `SELECT d.date AS date, a.currency AS currency, substr(d.date, 1, 7) AS month,
           sum(d.spend_micros) AS spend, sum(d.conversion_value_micros) AS revenue,
           sum(d.impressions) AS impressions, sum(d.clicks) AS clicks, sum(d.conversions) AS conversions,
           sum(d.video_views) AS video_views, max(d.provisional) AS provisional
         FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id
         WHERE ${where} AND d.date BETWEEN ? AND ?
         GROUP BY d.date, a.currency`,
      )
      .all(...params, range.from, range.to) as Bucket[]
  }
}
