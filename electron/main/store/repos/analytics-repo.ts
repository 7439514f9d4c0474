import type { Grain, Level } from '../../../../shared/ipc/contracts/analytics-schemas'
import type { Statement } from 'better-sqlite3'
import type { Sqlite } from '../db'
import { accountDataMark } from './ad-month-rollup'
import { CUM_N, CumulativeReader, monthSplits, type CumDay } from './cumulative-rollup'
import type { PlatformId } from '../../../../shared/domain/entities'
import type { MetricKeyName } from '../../../../shared/domain/metric-keys'
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

/** Converted sums of campaigns over a range in columns (see AnalyticsRepo.campaignSumsTable). */
export interface CampaignSumsTable {
  n: number
  ids: Int32Array
  accountIds: Int32Array
  /** CUM_N values per campaign: spend micros, impressions, clicks, conversions, value micros, video views. */
  sums: Float64Array
  /** Slots in ascending id order. */
  byId: Int32Array
}

/** Campaign `i`'s sums of a CampaignSumsTable as Totals. */
export function tableTotals(sums: Float64Array, i: number): Totals {
  const o = i * CUM_N
  return {
    spendMicros: sums[o] as number,
    revenueMicros: sums[o + 4] as number,
    impressions: sums[o + 1] as number,
    clicks: sums[o + 2] as number,
    conversions: sums[o + 3] as number,
    videoViews: sums[o + 5] as number,
  }
}

/**
 * One metric of campaign `i` of a CampaignSumsTable: `metricOf(key, totals, deriveKpis(totals))` of its
 * totals, with the same arithmetic, reading only what the metric needs and building no objects
 * (the explorer sorts 10,000 campaigns by one metric; tests hold it equal to metricOf).
 */
export function tableMetric(key: MetricKeyName, sums: Float64Array, i: number): number | null {
  const o = i * CUM_N
  switch (key) {
    case 'spend':
      return (sums[o] as number) / 1e6
    case 'revenue':
      return (sums[o + 4] as number) / 1e6
    case 'roas':
      return ratio((sums[o + 4] as number) / 1e6, (sums[o] as number) / 1e6)
    case 'conversions':
      return sums[o + 3] as number
    case 'cpa':
      return ratio((sums[o] as number) / 1e6, sums[o + 3] as number)
    case 'ctr':
      return ratio(sums[o + 2] as number, sums[o + 1] as number)
    case 'cpc':
      return ratio((sums[o] as number) / 1e6, sums[o + 2] as number)
    case 'cpm':
      return sums[o + 1] === 0 ? null : (((sums[o] as number) / 1e6) * 1000) / (sums[o + 1] as number)
    case 'cvr':
      return ratio(sums[o + 3] as number, sums[o + 2] as number)
    case 'impressions':
      return sums[o + 1] as number
    case 'clicks':
      return sums[o + 2] as number
  }
}

/** deriveKpis' ratio: null where the denominator is zero. */
function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b
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

/** The archived campaigns of `n` accounts (by the index on account and status: no scan of every campaign). */
export function archivedCampaignsSql(n: number): string {
  return `SELECT id FROM campaigns WHERE account_id IN (${Array.from({ length: n }, () => '?').join(',')}) AND status = 'archived'`
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
    const t = this.campaignSumsTable(pieces, opts.ids)
    const min = opts.minSpendMicros
    const keep = (i: number): boolean => !min || (t.sums[i * CUM_N] as number) >= min
    let slots: number[]
    if (opts.metric) {
      // Ranked from the campaigns in the order first met (ties by id).
      const metric = opts.metric
      slots = []
      for (let i = 0; i < t.n; i++) if (keep(i)) slots.push(i)
      slots = rankBy(
        slots,
        (i) => rankingValue(tableTotals(t.sums, i), metric),
        (i) => t.ids[i] as number,
        opts.order ?? 'top',
        opts.limit,
      )
    } else slots = [...t.byId].filter(keep)
    return slots.map((i) => {
      const o = i * CUM_N
      return {
        id: t.ids[i] as number,
        account_id: t.accountIds[i] as number,
        spend: t.sums[o] as number,
        revenue: t.sums[o + 4] as number,
        impressions: t.sums[o + 1] as number,
        clicks: t.sums[o + 2] as number,
        conversions: t.sums[o + 3] as number,
        video_views: t.sums[o + 5] as number,
      }
    })
  }

  /**
   * `campaignSums` in columns, without an object per campaign (the explorer's first window builds
   * 10,000 campaigns' sums twice; objects that live through the call were most of its garbage
   * collection): campaign i (in the order first met: pieces in order, ids ascending within each)
   * is `ids[i]` of account `accountIds[i]`, its converted sums at `sums[i * CUM_N ...]` in the
   * running totals' order (spend, impressions, clicks, conversions, value, video views);
   * conversions rounded to 1e-6; campaigns with nothing in the range left out. `byId` lists the
   * slots by ascending id.
   */
  campaignSumsTable(pieces: CumPiece[], ids?: number[]): CampaignSumsTable {
    const only = ids?.length ? new Set(ids) : null
    // Every piece's running-total rows first, so the columns are sized once (at most a slot per row read).
    const reads = pieces.map((p) => monthSplits(p.from, p.to).map(([a, b]) => this.cum.piece(p.accountId, a, b)))
    let cap = 0
    let maxId = 0
    for (const months of reads)
      for (const { hi } of months)
        if (hi?.ids.length) {
          cap += hi.ids.length
          maxId = Math.max(maxId, hi.ids[hi.ids.length - 1] as number)
        }
    const t = new SumSlots(cap, maxId)
    pieces.forEach((p, pi) => {
      const months = reads[pi] as { hi: CumDay | null; lo: CumDay | null }[]
      // A piece is summed over its months (as CumulativeReader.rangeSums adds them), then converted
      // and rounded once (as campaignSums did per piece).
      t.newPiece()
      for (const { hi, lo } of months) if (hi) addMonthToPiece(t, hi, lo, p.accountId, only)
      addPiece(t, p.rate)
    })
    const m = t.compact()
    const { sums, ids: slotIds, accounts: slotAccounts } = t
    const outIds = slotIds.subarray(0, m)
    const byId = new Int32Array(m)
    for (let i = 0; i < m; i++) byId[i] = i
    const sorted = byId.sort((x, y) => (outIds[x] as number) - (outIds[y] as number))
    return {
      n: m,
      ids: outIds,
      accountIds: slotAccounts.subarray(0, m),
      sums: sums.subarray(0, m * CUM_N),
      byId: sorted,
    }
  }

  /**
   * A range's converted sums of single campaigns, computed when asked (CampaignSumsReader): its
   * running-total rows are read now, once. The explorer shows the previous period beside the rows
   * of a window only, so it need not sum it for every campaign.
   */
  campaignSumsReader(pieces: CumPiece[]): CampaignSumsReader {
    return new CampaignSumsReader(
      pieces.map((p) => ({
        accountId: p.accountId,
        rate: p.rate,
        months: monthSplits(p.from, p.to).map(([a, b]) => this.cum.piece(p.accountId, a, b)),
      })),
    )
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
    const rows = this.stmt(archivedCampaignsSql(accountIds.length)).all(...accountIds) as { id: number }[]
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

/** A campaign's sums before the first day of a month. */
const NO_SUMS = new Float64Array(CUM_N)

/**
 * The campaigns' slots and sums of a campaignSumsTable being built. The loops over a month's
 * running totals are small functions of their own: V8 optimises them on their own feedback, where
 * inside one large function the second range's other branch threw the compiled code away (and,
 * until compiled, every number read or computed is allocated).
 */
class SumSlots {
  n = 0
  readonly ids: Int32Array
  readonly accounts: Int32Array
  readonly sums: Float64Array
  /** The current piece: its sums per slot, the slots it touched, and which piece marked each. */
  readonly piece: Float64Array
  readonly touched: Int32Array
  nt = 0
  private readonly mark: Int32Array
  private pieceNo = -1
  /** A slot by id: an array over the ids when they are not sparse, else a map. */
  private readonly dense: Int32Array | null
  private readonly byId = new Map<number, number>()

  constructor(cap: number, maxId: number) {
    this.ids = new Int32Array(cap)
    this.accounts = new Int32Array(cap)
    this.sums = new Float64Array(cap * CUM_N)
    this.piece = new Float64Array(cap * CUM_N)
    this.touched = new Int32Array(cap)
    this.mark = new Int32Array(cap).fill(-1)
    this.dense = maxId <= 8 * cap + 65_536 ? new Int32Array(maxId + 1).fill(-1) : null
  }

  /** The campaign's slot (a new one, zeroed, when first met). */
  slot(id: number, accountId: number): number {
    let s = this.dense ? (this.dense[id] as number) : (this.byId.get(id) ?? -1)
    if (s < 0) {
      s = this.n++
      if (this.dense) this.dense[id] = s
      else this.byId.set(id, s)
      this.ids[s] = id
      this.accounts[s] = accountId
    }
    return s
  }

  /** Round conversions and leave out the empty campaigns (slots compacted in order); returns how many are left. */
  compact(): number {
    const { sums, ids, accounts } = this
    let m = 0
    for (let s = 0; s < this.n; s++) {
      const o = s * CUM_N
      sums[o + 3] = Math.round((sums[o + 3] as number) * 1e6) / 1e6
      if (sums[o] === 0 && sums[o + 1] === 0 && sums[o + 4] === 0 && sums[o + 3] === 0) continue
      if (m !== s) {
        ids[m] = ids[s] as number
        accounts[m] = accounts[s] as number
        sums.copyWithin(m * CUM_N, o, o + CUM_N)
      }
      m++
    }
    return m
  }

  newPiece(): void {
    this.pieceNo++
    this.nt = 0
  }

  /** The slot's offset in `piece`, zeroed when the current piece first touches it. */
  pieceAt(s: number): number {
    const o = s * CUM_N
    if (this.mark[s] !== this.pieceNo) {
      this.mark[s] = this.pieceNo
      this.touched[this.nt++] = s
      this.piece.fill(0, o, o + CUM_N)
    }
    return o
  }
}

/** One month of a piece: (hi - lo) per campaign added into the piece's sums (no row before the month's first day: zero). */
function addMonthToPiece(
  t: SumSlots,
  hi: CumDay,
  lo: CumDay | null,
  accountId: number,
  only: Set<number> | null,
): void {
  const hs = hi.sums
  const piece = t.piece
  let j = 0
  for (let i = 0; i < hi.ids.length; i++) {
    const id = hi.ids[i] as number
    while (lo && j < lo.ids.length && (lo.ids[j] as number) < id) j++
    if (only && !only.has(id)) continue
    const o = t.pieceAt(t.slot(id, accountId))
    const h = i * CUM_N
    const hasLo = lo !== null && lo.ids[j] === id
    const ls = hasLo ? lo.sums : NO_SUMS
    const l = hasLo ? j * CUM_N : 0
    for (let k = 0; k < CUM_N; k++)
      piece[o + k] = (piece[o + k] as number) + (hs[h + k] as number) - (ls[l + k] as number)
  }
}

/** A piece into the sums: money at `rate` rounded once. */
function addPiece(t: SumSlots, rate: number): void {
  const { sums, piece, touched } = t
  for (let k = 0; k < t.nt; k++) {
    const o = (touched[k] as number) * CUM_N
    sums[o] = (sums[o] as number) + roundHalfAway((piece[o] as number) * rate)
    sums[o + 1] = (sums[o + 1] as number) + (piece[o + 1] as number)
    sums[o + 2] = (sums[o + 2] as number) + (piece[o + 2] as number)
    sums[o + 3] = (sums[o + 3] as number) + (piece[o + 3] as number)
    sums[o + 4] = (sums[o + 4] as number) + roundHalfAway((piece[o + 4] as number) * rate)
    sums[o + 5] = (sums[o + 5] as number) + (piece[o + 5] as number)
  }
}

/** Where `id` is in ascending `ids`, or -1. */
function indexOfId(ids: Int32Array, id: number): number {
  let lo = 0
  let hi = ids.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const v = ids[mid] as number
    if (v === id) return mid
    if (v < id) lo = mid + 1
    else hi = mid - 1
  }
  return -1
}

/**
 * Converted sums of single campaigns over a range from its running-total rows (read once, by
 * AnalyticsRepo.campaignSumsReader): each campaign's values as campaignSumsTable computes them,
 * in the same order of operations, found by id in each month's rows instead of a pass over all.
 */
export class CampaignSumsReader {
  constructor(
    private readonly pieces: { accountId: number; rate: number; months: { hi: CumDay | null; lo: CumDay | null }[] }[],
  ) {}

  /** Campaign `id`'s CUM_N sums (as a campaignSumsTable row), or null when it has nothing in the range; only its account's pieces hold it. */
  sums(id: number, accountId: number): Float64Array | null {
    const out = new Float64Array(CUM_N)
    let seen = false
    for (const { accountId: account, rate, months } of this.pieces) {
      if (account !== accountId) continue
      // addMonthToPiece then addPiece: summed over the months from zero, converted once, added.
      const piece = new Float64Array(CUM_N)
      let touched = false
      for (const { hi, lo } of months) {
        const i = hi ? indexOfId(hi.ids, id) : -1
        if (!hi || i < 0) continue
        touched = true
        const j = lo ? indexOfId(lo.ids, id) : -1
        const ls = lo && j >= 0 ? lo.sums : NO_SUMS
        const l = j >= 0 ? j * CUM_N : 0
        for (let k = 0; k < CUM_N; k++)
          piece[k] = (piece[k] as number) + (hi.sums[i * CUM_N + k] as number) - (ls[l + k] as number)
      }
      if (!touched) continue
      seen = true
      out[0] = (out[0] as number) + roundHalfAway((piece[0] as number) * rate)
      out[4] = (out[4] as number) + roundHalfAway((piece[4] as number) * rate)
      for (const k of [1, 2, 3, 5]) out[k] = (out[k] as number) + (piece[k] as number)
    }
    if (!seen) return null
    // SumSlots.compact: conversions rounded, an empty campaign left out.
    out[3] = Math.round((out[3] as number) * 1e6) / 1e6
    if (out[0] === 0 && out[1] === 0 && out[4] === 0 && out[3] === 0) return null
    return out
  }
}
