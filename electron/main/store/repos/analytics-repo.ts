import type { Grain, Level } from '../../../../shared/ipc/contracts/analytics-schemas'
import type { Statement } from 'better-sqlite3'
import type { Sqlite } from '../db'
import { accountDataMark } from './ad-month-rollup'
import { CumulativeReader } from './cumulative-rollup'
import type { PlatformId } from '../../../../shared/domain/entities'
import { rankBy, rankingValue, type Totals } from '../../../../shared/domain/metrics'
import { inChunks } from '../id-lists'

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

/** A range of one account at one rate (read month by month: cum(to) - cum(from - 1) within each). */
export interface CumPiece {
  accountId: number
  from: string
  to: string
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

/** A campaign's converted sums as Totals (what KPIs and rankings are derived from). */
export function sumsToTotals(s: CampaignSums): Totals {
  return {
    spendMicros: s.spend,
    revenueMicros: s.revenue,
    impressions: s.impressions,
    clicks: s.clicks,
    conversions: s.conversions,
    videoViews: s.video_views,
  }
}

/** SQLite's round(x): to the nearest integer, halves away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x)
}

/** The SQL behind analytics queries; the service converts currencies and derives ratios. */
export class AnalyticsRepo {
  private readonly cache = new Map<string, Statement<unknown[]>>()
  private readonly cum: CumulativeReader
  constructor(private readonly sqlite: Sqlite) {
    this.cum = new CumulativeReader(sqlite)
  }

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
        // Named campaigns: their ads' rows by key, one lookup per ad-day (the key is account, date,
        // ad), instead of scanning every campaign of the accounts. An ad-day row carries its ad's
        // campaign.
        sql = `WITH RECURSIVE days(day) AS (SELECT ? UNION ALL SELECT date(day, '+1 day') FROM days WHERE day < ?)
          SELECT d.campaign_id AS key, ${tail} FROM ads x
          JOIN daily_metrics d ON d.account_id = x.account_id AND d.date IN (SELECT day FROM days) AND d.ad_id = x.id
          JOIN ad_accounts a ON a.id = d.account_id
          WHERE x.account_id IN ${acc} AND x.campaign_id IN ${idList}
          GROUP BY key, period, month, a.currency`
        return this.stmt(sql).all(from, to, ...accountIds, ...ids) as RawBucket[]
      }
      sql = `SELECT d.campaign_id AS key, ${tail} FROM daily_metrics d JOIN ad_accounts a ON a.id = d.account_id
        WHERE d.account_id IN ${acc} AND d.date BETWEEN ? AND ?
        GROUP BY key, period, month, a.currency`
    } else {
      // Ad sets and ads straight from the rows (they carry their campaign and ad set): one key
      // range per account and date span.
      const key = level === 'ad_set' ? 'd.ad_set_id' : 'd.ad_id'
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
   * Ad sums over a range per ad, its ad set, month and currency: one grouped read of the ad-day
   * rows that serves both the ad and the ad-set level (automation evaluates both over the same
   * windows).
   */
  adBuckets(accountIds: number[], from: string, to: string): (RawBucket & { adSetId: number })[] {
    if (!accountIds.length) return []
    const acc = `(${accountIds.map(() => '?').join(',')})`
    return this.stmt(
      `SELECT d.ad_id AS key, d.ad_set_id AS adSetId, '' AS period, substr(d.date, 1, 7) AS month, a.currency AS currency,
         ${SUMS}, max(d.provisional) AS provisional
       FROM daily_metrics d JOIN ad_accounts a ON a.id = d.account_id
       WHERE d.account_id IN ${acc} AND d.date BETWEEN ? AND ?
       GROUP BY d.ad_id, d.ad_set_id, month, a.currency`,
    ).all(...accountIds, from, to) as (RawBucket & { adSetId: number })[]
  }

  /** Run `fn`'s reads on one snapshot of the store (a deferred read transaction). */
  snapshot<T>(fn: () => T): T {
    return this.sqlite.transaction(fn).deferred()
  }

  /** First and last day with rows per account (account_daily). */
  dataSpans(accountIds: number[]): Map<number, { first: string; last: string }> {
    const out = new Map<number, { first: string; last: string }>()
    const st = this.stmt('SELECT min(date), max(date) FROM account_daily WHERE account_id = ?')
    for (const id of accountIds) {
      const r = st.raw().get(id) as [string | null, string | null]
      if (r[0] !== null && r[1] !== null) out.set(id, { first: r[0], last: r[1] })
    }
    return out
  }

  /**
   * One account's per-ad monthly sums (ad_month) for months [fromMonth, toMonth] in key order, as
   * rows of [month, ad, ad set, spend, impressions, clicks, conversions, value, video views].
   */
  adMonthRows(accountId: number, fromMonth: string, toMonth: string): (string | number)[][] {
    return this.stmt(
      `SELECT month, ad_id, ad_set_id, spend_micros, impressions, clicks, conversions, conversion_value_micros, video_views
       FROM ad_month WHERE account_id = ? AND month BETWEEN ? AND ?`,
    )
      .raw()
      .all(accountId, fromMonth, toMonth) as (string | number)[][]
  }

  /**
   * One account's ad rows of one day in ad order, as rows of [ad, ad set, spend, impressions,
   * clicks, conversions, value, video views] (a day per read: a caller can pause between days).
   */
  adRowsOn(accountId: number, date: string, afterAd = -1, limit?: number): number[][] {
    // In key order (account, date, ad): ad ids ascending; `afterAd` and `limit` page through them. Two
    // statements rather than SQLite's `LIMIT -1` for "no limit", which other engines refuse.
    const select = `SELECT ad_id, ad_set_id, spend_micros, impressions, clicks, conversions, conversion_value_micros, video_views
       FROM daily_metrics WHERE account_id = ? AND date = ? AND ad_id > ? ORDER BY ad_id`
    return (
      limit === undefined
        ? this.stmt(select).raw().all(accountId, date, afterAd)
        : this.stmt(`${select} LIMIT ?`).raw().all(accountId, date, afterAd, limit)
    ) as number[][]
  }

  /** The account's data mark (`accountDataMark`): moves with every write of its metrics, and only then. */
  dataMark(accountId: number): number {
    return accountDataMark(this.sqlite, accountId)
  }

  /**
   * Converted per-campaign totals of a range from the running-total rollup: for each piece, its
   * sums (cum(to) - cum(from - 1) within each month) times the piece's rate (money rounded to whole micros per piece, half away
   * from zero; conversions to 1e-6 at the end). Campaigns with nothing in the range are left out.
   * Optional ranking: rows with spend >= minSpend ordered by `metric` (rows where it is undefined
   * dropped), ties by id, at most `limit`.
   */
  campaignSums(
    pieces: CumPiece[],
    opts: { metric?: string; order?: 'top' | 'bottom'; limit?: number; minSpendMicros?: number; ids?: number[] } = {},
  ): CampaignSums[] {
    if (!pieces.length) return []
    const only = opts.ids?.length ? new Set(opts.ids) : null
    const byId = new Map<number, CampaignSums>()
    for (const p of pieces) {
      const rate = p.rate
      for (const [id, v] of this.cum.rangeSums(p.accountId, p.from, p.to)) {
        if (only && !only.has(id)) continue
        const spend = roundHalfAway((v[0] as number) * rate)
        const revenue = roundHalfAway((v[4] as number) * rate)
        const row = byId.get(id)
        if (row) {
          row.spend += spend
          row.impressions += v[1] as number
          row.clicks += v[2] as number
          row.conversions += v[3] as number
          row.revenue += revenue
          row.video_views += v[5] as number
        } else
          byId.set(id, {
            id,
            account_id: p.accountId,
            spend,
            revenue,
            impressions: v[1] as number,
            clicks: v[2] as number,
            conversions: v[3] as number,
            video_views: v[5] as number,
          })
      }
    }
    let out: CampaignSums[] = []
    for (const r of byId.values()) {
      r.conversions = Math.round(r.conversions * 1e6) / 1e6
      if (r.spend === 0 && r.impressions === 0 && r.revenue === 0 && r.conversions === 0) continue
      if (opts.minSpendMicros && r.spend < opts.minSpendMicros) continue
      out.push(r)
    }
    if (opts.metric) {
      const metric = opts.metric
      out = rankBy(
        out,
        (r) => rankingValue(sumsToTotals(r), metric),
        (r) => r.id,
        opts.order ?? 'top',
        opts.limit,
      )
    } else out.sort((a, b) => a.id - b.id)
    return out
  }

  /** Names and parents of entities (all of a level in the scope, or the given ids). */
  meta(level: 'campaign' | 'ad_set' | 'ad', accountIds: number[], ids?: number[]): Map<number, EntityMeta> {
    if (!accountIds.length) return new Map()
    const acc = `(${accountIds.map(() => '?').join(',')})`
    const sql = (only: string): string =>
      level === 'campaign'
        ? `SELECT id, name, status, objective, account_id, id AS campaign_id, NULL AS ad_set_id FROM campaigns WHERE account_id IN ${acc}${only}`
        : level === 'ad_set'
          ? `SELECT id, name, status, NULL AS objective, account_id, campaign_id, id AS ad_set_id FROM ad_sets WHERE account_id IN ${acc}${only}`
          : `SELECT id, name, status, NULL AS objective, account_id, campaign_id, ad_set_id FROM ads WHERE account_id IN ${acc}${only}`
    const rows = ids
      ? inChunks(
          ids,
          (chunk, list) => this.stmt(sql(` AND id IN (${list})`)).all(...accountIds, ...chunk) as EntityMeta[],
        )
      : (this.stmt(sql('')).all(...accountIds) as EntityMeta[])
    return new Map(rows.map((r) => [r.id, r]))
  }

  /** Ids of the archived campaigns of some accounts (the explorer leaves them out unless asked for). */
  archivedCampaignIds(accountIds: number[]): Set<number> {
    if (!accountIds.length) return new Set()
    const rows = this.stmt(
      `SELECT id FROM campaigns WHERE account_id IN (${accountIds.map(() => '?').join(',')}) AND status = 'archived'`,
    ).all(...accountIds) as { id: number }[]
    return new Set(rows.map((r) => r.id))
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
