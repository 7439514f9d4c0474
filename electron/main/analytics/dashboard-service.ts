import { attributionLabel } from '../../../shared/domain/attribution'
import type { PlatformId } from '../../../shared/domain/entities'
import { addDays, daysBetween, dateRange } from '../../../shared/domain/dates'
import { deriveKpis, EMPTY_TOTALS, type DateRange, type Totals } from '../../../shared/domain/metrics'
import type { Summary, TrendPoint } from '../../../shared/ipc/contract'
import type { Sqlite } from '../store/db'
import type { FxRepo } from '../store/repos/fx-repo'
import type { WorkspaceRepo } from '../store/repos/workspace-repo'
import { DashboardRepo, type Scope } from '../store/repos/dashboard-repo'

export type { Scope }

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
  private readonly repo: DashboardRepo
  constructor(
    sqlite: Sqlite,
    private readonly workspaces: WorkspaceRepo,
    private readonly fx: FxRepo,
  ) {
    this.repo = new DashboardRepo(sqlite)
  }

  /**
   * Sums of a range per account currency, unconverted (exact when the scope has one currency);
   * conversions unrounded. The CLI's `totals` prints these for a single-currency scope.
   */
  totalsByCurrency(scope: Scope, range: DateRange): Map<string, Totals> {
    const out = new Map<string, Totals>()
    for (const b of this.repo.monthBuckets(scope, range)) {
      const t = out.get(b.currency) ?? { ...EMPTY_TOTALS }
      t.spendMicros += b.spend
      t.revenueMicros += b.revenue
      t.impressions += b.impressions
      t.clicks += b.clicks
      t.conversions += b.conversions
      t.videoViews += b.video_views
      out.set(b.currency, t)
    }
    return out
  }

  /** Totals of a range in the reporting currency plus the currencies converted. */
  totals(
    scope: Scope,
    range: DateRange,
  ): { totals: Totals; currency: string; convertedFrom: string[]; provisionalDays: number } {
    const ws = this.workspaces.get(scope.workspaceId)
    const rows = this.repo.monthBuckets(scope, range)
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
    const prov = { n: this.repo.provisionalDays(scope, range) }
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
      attribution: this.repo.attributions(scope, range).map((a) => ({
        platform: a.platform as PlatformId,
        code: a.code,
        label: attributionLabel(a.code),
        days: a.days,
      })),
    }
  }

  /**
   * One point per date of the range, converted into the reporting currency (missing days are zero).
   * The range is first limited to the days the scope has data for (its first to its last day), so a
   * wide range costs no more than the data itself.
   */
  trend(scope: Scope, asked: DateRange): { currency: string; points: TrendPoint[] } {
    const ws = this.workspaces.get(scope.workspaceId)
    const span = this.repo.dataSpan(scope)
    const range = {
      from: span.first !== null && span.first > asked.from ? span.first : asked.from,
      to: span.last !== null && span.last < asked.to ? span.last : asked.to,
    }
    if (span.first === null || range.from > range.to) return { currency: ws.reportingCurrency, points: [] }
    const rows = this.repo.dayBuckets(scope, range)
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
