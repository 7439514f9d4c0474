import { addDays, daysBetween, dateRange } from '../../../shared/domain/dates'
import { deriveKpis, EMPTY_TOTALS, type DateRange, type Totals } from '../../../shared/domain/metrics'
import type { Summary, TrendPoint } from '../../../shared/ipc/contract'
import type { Sqlite } from '../store/db'
import type { FxRepo } from '../store/repos/fx-repo'
import type { WorkspaceRepo } from '../store/repos/workspace-repo'

interface Bucket {
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

/** The previous same-length period just before `range`. */
export function previousPeriod(range: DateRange): DateRange {
  const len = daysBetween(range.from, range.to) + 1
  return { from: addDays(range.from, -len), to: addDays(range.from, -1) }
}

/**
 * Dashboard queries over the account-day rollup. Sums stay in each account's currency until
 * converted per month into the workspace reporting currency; ratios are derived from the sums.
 */
export class DashboardService {
  constructor(
    private readonly sqlite: Sqlite,
    private readonly workspaces: WorkspaceRepo,
    private readonly fx: FxRepo,
  ) {}

  private scopeSql(scope: Scope): { where: string; params: number[] } {
    const ids = scope.accountIds?.length ? scope.accountIds : null
    return {
      where: `a.workspace_id = ?${ids ? ` AND a.id IN (${ids.map(() => '?').join(',')})` : ''}`,
      params: [scope.workspaceId, ...(ids ?? [])],
    }
  }

  /** Totals of a range in the reporting currency plus the currencies converted. */
  totals(
    scope: Scope,
    range: DateRange,
  ): { totals: Totals; currency: string; convertedFrom: string[]; provisionalDays: number } {
    const ws = this.workspaces.get(scope.workspaceId)
    const { where, params } = this.scopeSql(scope)
    const rows = this.sqlite
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
    const convert = this.fx.converter(scope.workspaceId, ws.reportingCurrency)
    const totals: Totals = { ...EMPTY_TOTALS }
    const converted = new Set<string>()
    for (const b of rows) {
      if (b.currency !== ws.reportingCurrency) converted.add(b.currency)
      totals.spendMicros += convert(b.spend, b.currency, b.month)
      totals.revenueMicros += convert(b.revenue, b.currency, b.month)
      totals.impressions += b.impressions
      totals.clicks += b.clicks
      totals.conversions += b.conversions
      totals.videoViews += b.video_views
    }
    totals.conversions = Math.round(totals.conversions * 1000) / 1000
    const prov = this.sqlite
      .prepare(
        `SELECT count(DISTINCT d.date) AS n FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id
         WHERE ${where} AND d.date BETWEEN ? AND ? AND d.provisional = 1`,
      )
      .get(...params, range.from, range.to) as { n: number }
    return { totals, currency: ws.reportingCurrency, convertedFrom: [...converted].sort(), provisionalDays: prov.n }
  }

  /** KPI summary with the previous period when `compare` is set. */
  summary(scope: Scope, range: DateRange, compare: boolean): Summary {
    const cur = this.totals(scope, range)
    const prevRange = compare ? previousPeriod(range) : null
    const prev = prevRange ? this.totals(scope, prevRange) : null
    return {
      currency: cur.currency,
      convertedFrom: [...new Set([...cur.convertedFrom, ...(prev?.convertedFrom ?? [])])].sort(),
      range,
      previousRange: prevRange,
      totals: cur.totals,
      previousTotals: prev?.totals ?? null,
      kpis: deriveKpis(cur.totals),
      previousKpis: prev ? deriveKpis(prev.totals) : null,
      provisionalDays: cur.provisionalDays,
    }
  }

  /**
   * One point per date of the range, converted into the reporting currency (missing days are zero).
   * The range is first limited to the days the scope has data for (its first to its last day), so a
   * wide range costs no more than the data itself.
   */
  trend(scope: Scope, asked: DateRange): { currency: string; points: TrendPoint[] } {
    const ws = this.workspaces.get(scope.workspaceId)
    const { where, params } = this.scopeSql(scope)
    const span = this.sqlite
      .prepare(
        `SELECT min(d.date) AS first, max(d.date) AS last FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id
         WHERE ${where}`,
      )
      .get(...params) as { first: string | null; last: string | null }
    const range = {
      from: span.first !== null && span.first > asked.from ? span.first : asked.from,
      to: span.last !== null && span.last < asked.to ? span.last : asked.to,
    }
    if (span.first === null || range.from > range.to) return { currency: ws.reportingCurrency, points: [] }
    const rows = this.sqlite
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
    const convert = this.fx.converter(scope.workspaceId, ws.reportingCurrency)
    const byDate = new Map<string, TrendPoint>()
    for (const date of dateRange(range.from, range.to)) {
      byDate.set(date, {
        date,
        spendMicros: 0,
        revenueMicros: 0,
        impressions: 0,
        clicks: 0,
        conversions: 0,
        provisional: false,
      })
    }
    for (const b of rows) {
      const p = byDate.get(b.date as string)
      if (!p) continue
      p.spendMicros += convert(b.spend, b.currency, b.month)
      p.revenueMicros += convert(b.revenue, b.currency, b.month)
      p.impressions += b.impressions
      p.clicks += b.clicks
      p.conversions = Math.round((p.conversions + b.conversions) * 1000) / 1000
      p.provisional = p.provisional || b.provisional === 1
    }
    return { currency: ws.reportingCurrency, points: [...byDate.values()] }
  }
}
