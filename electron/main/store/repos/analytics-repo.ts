import type { Grain, Level } from '../../../../shared/ipc/contracts/analytics-schemas'
import type { Statement } from 'better-sqlite3'
import type { Sqlite } from '../db'
import type { PlatformId } from '../../../../shared/domain/entities'

/** An account in scope with what conversion and clamping need. */
export interface ScopeAccount {
  id: number
  platform: PlatformId
  name: string
  currency: string
  lastDate: string | null
  monthlyBudgetMicros: number | null
}

/** Native-currency sums of one entity, period and month (money in micros of `currency`). */
export interface RawBucket {
  key: string
  period: string
  month: string
  currency: string
  spend: number
  revenue: number
  impressions: number
  clicks: number
  conversions: number
  video_views: number
  provisional: number
}

/** Converted sums of one campaign over a range (money in reporting-currency micros). */
export interface CampaignSums {
  id: number
  account_id: number
  spend: number
  revenue: number
  impressions: number
  clicks: number
  conversions: number
  video_views: number
}

/** A slice of a range inside one month for one account: totals are cum(hi) - cum(lo). */
export interface CumPiece {
  accountId: number
  lo: string
  hi: string
  rate: number
}

export interface EntityMeta {
  id: number
  name: string
  status: string | null
  objective: string | null
  account_id: number
  campaign_id: number | null
  ad_set_id: number | null
}

const SUMS = `sum(d.spend_micros) AS spend, sum(d.conversion_value_micros) AS revenue, sum(d.impressions) AS impressions,
  sum(d.clicks) AS clicks, sum(d.conversions) AS conversions, sum(d.video_views) AS video_views`

const PERIOD: Record<Grain, string> = {
  total: "''",
  day: 'd.date',
  week: "date(d.date, '-6 days', 'weekday 1')",
  month: 'substr(d.date, 1, 7)',
}

/** Ranking expressions over the converted sums (NULL when the denominator is zero). */
export const METRIC_SQL: Record<string, string> = {
  spend: 'spend',
  revenue: 'revenue',
  impressions: 'impressions',
  clicks: 'clicks',
  conversions: 'conversions',
  roas: 'CASE WHEN spend > 0 THEN 1.0 * revenue / spend END',
  cpa: 'CASE WHEN conversions > 0 THEN spend / 1e6 / conversions END',
  ctr: 'CASE WHEN impressions > 0 THEN 1.0 * clicks / impressions END',
  cpc: 'CASE WHEN clicks > 0 THEN spend / 1e6 / clicks END',
  cpm: 'CASE WHEN impressions > 0 THEN spend / 1e3 / impressions END',
  cvr: 'CASE WHEN clicks > 0 THEN conversions / clicks END',
}

/** The SQL behind analytics queries; the service converts currencies and derives ratios. */
export class AnalyticsRepo {
  private readonly cache = new Map<string, Statement<unknown[]>>()
  constructor(private readonly sqlite: Sqlite) {}

  private stmt(sql: string): Statement<unknown[]> {
    let s = this.cache.get(sql)
    if (!s) {
      s = this.sqlite.prepare<unknown[]>(sql)
      if (this.cache.size > 200) this.cache.clear()
      this.cache.set(sql, s)
    }
    return s
  }

  /** Accounts of a workspace (optionally some of them) with their last synced day. */
  accounts(workspaceId: number, accountIds?: number[]): ScopeAccount[] {
    const rows = this.stmt(
      `SELECT a.id, a.platform, a.name, a.currency, a.monthly_budget_micros AS monthlyBudgetMicros,
         (SELECT max(date) FROM account_daily d WHERE d.account_id = a.id) AS lastDate
       FROM ad_accounts a WHERE a.workspace_id = ? ORDER BY a.id`,
    ).all(workspaceId) as ScopeAccount[]
    return accountIds?.length ? rows.filter((r) => accountIds.includes(r.id)) : rows
  }

  /** Accounts with at least one provisional day in the range. */
  provisionalAccounts(accountIds: number[], from: string, to: string): Set<number> {
    if (!accountIds.length) return new Set()
    const rows = this.stmt(
      `SELECT DISTINCT account_id AS id FROM account_daily
       WHERE account_id IN (${accountIds.map(() => '?').join(',')}) AND date BETWEEN ? AND ? AND provisional = 1`,
    ).all(...accountIds, from, to) as { id: number }[]
    return new Set(rows.map((r) => r.id))
  }

  /**
   * Native-currency sums by entity, period and month. `filter` restricts to children of a campaign,
   * an ad set or to single entity ids; `accountIds` is the scope.
   */
  buckets(
    level: Level,
    grain: Grain,
    accountIds: number[],
    from: string,
    to: string,
    filter: { campaignId?: number; adSetId?: number; ids?: number[] } = {},
  ): RawBucket[] {
    if (!accountIds.length) return []
    const acc = `(${accountIds.map(() => '?').join(',')})`
    const period = PERIOD[grain]
    const tail = `${period} AS period, substr(d.date, 1, 7) AS month, a.currency AS currency, ${SUMS}, max(d.provisional) AS provisional`
    const ids = filter.ids?.length ? filter.ids : null
    const idList = ids ? `(${ids.map(() => '?').join(',')})` : ''
    let sql: string
    const params: (number | string)[] = [...accountIds]
    if (level === 'workspace' || level === 'platform' || level === 'account') {
      const key = level === 'workspace' ? "'workspace'" : level === 'platform' ? 'a.platform' : 'a.id'
      sql = `SELECT ${key} AS key, ${tail} FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id
        WHERE a.id IN ${acc} ${ids ? `AND a.id IN ${idList}` : ''} AND d.date BETWEEN ? AND ? GROUP BY key, period, month, a.currency`
      if (ids) params.push(...ids)
    } else if (level === 'campaign') {
      if (ids) {
        // Named campaigns: one key lookup per campaign-day (the view's key is account, date, campaign)
        // instead of scanning every campaign of the accounts.
        sql = `WITH RECURSIVE days(day) AS (SELECT ? UNION ALL SELECT date(day, '+1 day') FROM days WHERE day < ?)
          SELECT d.campaign_id AS key, ${tail} FROM campaigns c
          JOIN campaign_daily d ON d.account_id = c.account_id AND d.campaign_id = c.id AND d.date IN (SELECT day FROM days)
          JOIN ad_accounts a ON a.id = d.account_id
          WHERE c.account_id IN ${acc} AND c.id IN ${idList}
          GROUP BY key, period, month, a.currency`
        return this.stmt(sql).all(from, to, ...accountIds, ...ids) as RawBucket[]
      }
      sql = `SELECT d.campaign_id AS key, ${tail} FROM campaign_daily d JOIN ad_accounts a ON a.id = d.account_id
        WHERE d.account_id IN ${acc} AND d.date BETWEEN ? AND ?
        GROUP BY key, period, month, a.currency`
    } else {
      // Ad sets and ads straight from the rows (they carry their campaign and ad set): one key
      // range per account and date span.
      const key = level === 'adSet' ? 'd.ad_set_id' : 'd.ad_id'
      const where: string[] = []
      const extra: number[] = []
      if (filter.campaignId !== undefined) {
        where.push('d.campaign_id = ?')
        extra.push(filter.campaignId)
      }
      if (filter.adSetId !== undefined) {
        where.push('d.ad_set_id = ?')
        extra.push(filter.adSetId)
      }
      if (ids) {
        where.push(`${key} IN ${idList}`)
        extra.push(...ids)
      }
      sql = `SELECT ${key} AS key, ${tail} FROM daily_metrics d JOIN ad_accounts a ON a.id = d.account_id
        WHERE d.account_id IN ${acc} AND d.date BETWEEN ? AND ? ${where.map((w) => `AND ${w}`).join(' ')}
        GROUP BY key, period, month, a.currency`
      return this.stmt(sql).all(...accountIds, from, to, ...extra) as RawBucket[]
    }
    return this.stmt(sql).all(...params, from, to) as RawBucket[]
  }

  /**
   * Converted per-campaign totals of a range from the running-total rollup: for each piece,
   * cum(hi) - cum(lo) times the month's rate. Optional ranking: rows with spend >= minSpend
   * ordered by `metric` (NULL ratios dropped), at most `limit`.
   */
  campaignSums(
    pieces: CumPiece[],
    opts: { metric?: string; order?: 'top' | 'bottom'; limit?: number; minSpendMicros?: number; ids?: number[] } = {},
  ): CampaignSums[] {
    if (!pieces.length) return []
    const diff = (c: string): string => `(h.${c} - coalesce(l.${c}, 0))`
    const ids = opts.ids?.length ? opts.ids : null
    const idWhere = ids ? `WHERE h.campaign_id IN (${ids.map(() => '?').join(',')})` : ''
    // Accounts with one piece (same rate over the range) give one row per campaign: no regrouping.
    const count = new Map<number, number>()
    for (const p of pieces) count.set(p.accountId, (count.get(p.accountId) ?? 0) + 1)
    const singles = pieces.filter((p) => count.get(p.accountId) === 1)
    const multis = pieces.filter((p) => (count.get(p.accountId) ?? 0) > 1)
    const join = (
      cte: string,
    ): string => `FROM ${cte} p JOIN campaign_cum h ON h.account_id = p.account_id AND h.date = p.hi
        LEFT JOIN campaign_cum l ON l.account_id = p.account_id AND l.date = p.lo AND l.campaign_id = h.campaign_id ${idWhere}`
    const ctes: string[] = []
    const bodies: string[] = []
    const params: (number | string)[] = []
    const values = (list: CumPiece[]): string => list.map(() => '(?, ?, ?, ?)').join(', ')
    if (singles.length) {
      ctes.push(`p1(account_id, lo, hi, rate) AS (VALUES ${values(singles)})`)
      params.push(...singles.flatMap((p) => [p.accountId, p.lo, p.hi, p.rate]))
    }
    if (multis.length) {
      ctes.push(`p2(account_id, lo, hi, rate) AS (VALUES ${values(multis)})`)
      params.push(...multis.flatMap((p) => [p.accountId, p.lo, p.hi, p.rate]))
    }
    if (singles.length) {
      bodies.push(`SELECT h.campaign_id AS id, h.account_id AS account_id,
          round(${diff('spend_micros')} * p.rate) AS spend, round(${diff('conversion_value_micros')} * p.rate) AS revenue,
          ${diff('impressions')} AS impressions, ${diff('clicks')} AS clicks,
          round(${diff('conversions')}, 6) AS conversions, ${diff('video_views')} AS video_views ${join('p1')}`)
      if (ids) params.push(...ids)
    }
    if (multis.length) {
      bodies.push(`SELECT h.campaign_id AS id, h.account_id AS account_id,
          sum(round(${diff('spend_micros')} * p.rate)) AS spend, sum(round(${diff('conversion_value_micros')} * p.rate)) AS revenue,
          sum(${diff('impressions')}) AS impressions, sum(${diff('clicks')}) AS clicks,
          round(sum(${diff('conversions')}), 6) AS conversions, sum(${diff('video_views')}) AS video_views ${join('p2')}
        GROUP BY h.campaign_id`)
      if (ids) params.push(...ids)
    }
    let sql = `WITH ${ctes.join(', ')}, s AS (${bodies.join(' UNION ALL ')})
      SELECT * FROM s WHERE (spend != 0 OR impressions != 0 OR revenue != 0 OR conversions != 0)`
    if (opts.minSpendMicros) {
      sql += ' AND spend >= ?'
      params.push(opts.minSpendMicros)
    }
    if (opts.metric) {
      const expr = METRIC_SQL[opts.metric] as string
      sql += ` AND (${expr}) IS NOT NULL ORDER BY ${expr} ${opts.order === 'bottom' ? 'ASC' : 'DESC'}, id`
      if (opts.limit) {
        sql += ' LIMIT ?'
        params.push(opts.limit)
      }
    }
    return this.stmt(sql).all(...params) as CampaignSums[]
  }

  /** Names and parents of entities (all of a level in the scope, or the given ids). */
  meta(level: 'campaign' | 'adSet' | 'ad', accountIds: number[], ids?: number[]): Map<number, EntityMeta> {
    if (!accountIds.length) return new Map()
    const acc = `(${accountIds.map(() => '?').join(',')})`
    const only = ids ? ` AND id IN (${ids.map(() => '?').join(',')})` : ''
    const sql =
      level === 'campaign'
        ? `SELECT id, name, status, objective, account_id, id AS campaign_id, NULL AS ad_set_id FROM campaigns WHERE account_id IN ${acc}${only}`
        : level === 'adSet'
          ? `SELECT id, name, status, NULL AS objective, account_id, campaign_id, id AS ad_set_id FROM ad_sets WHERE account_id IN ${acc}${only}`
          : `SELECT id, name, status, NULL AS objective, account_id, campaign_id, ad_set_id FROM ads WHERE account_id IN ${acc}${only}`
    if (ids && ids.length === 0) return new Map()
    const rows = this.stmt(sql).all(...accountIds, ...(ids ?? [])) as EntityMeta[]
    return new Map(rows.map((r) => [r.id, r]))
  }

  /** Sum of daily budgets (micros, account currency) of active campaigns, ad-set budgets where the campaign has none. */
  activeDailyBudget(accountId: number): number | null {
    const r = this.stmt(
      `SELECT sum(coalesce(c.daily_budget_micros,
          (SELECT sum(s.daily_budget_micros) FROM ad_sets s WHERE s.campaign_id = c.id AND s.status = 'active'))) AS b
       FROM campaigns c WHERE c.account_id = ? AND c.status = 'active'`,
    ).get(accountId) as { b: number | null }
    return r.b
  }

  /** Spend (micros, account currency) of one account over a range. */
  accountSpend(accountId: number, from: string, to: string): number {
    const r = this.stmt(
      'SELECT coalesce(sum(spend_micros), 0) AS s FROM account_daily WHERE account_id = ? AND date BETWEEN ? AND ?',
    ).get(accountId, from, to) as { s: number }
    return r.s
  }
}
