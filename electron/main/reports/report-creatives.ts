import type { z } from 'zod'
import { EMPTY_TOTALS, type DateRange, type Totals } from '../../../shared/domain/metrics'
import type { CreativeListSchema } from '../../../shared/ipc/contracts/analytics-insights'
import { addBucket, monthPieces, type AnalyticsService } from '../analytics/analytics-service'
import { creativeRow } from '../analytics/creatives-service'
import type { AdDay } from '../analytics/fatigue'
import type { Sqlite } from '../store/db'
import { CreativesRepo } from '../store/repos/creatives-repo'
import { ReportAdsRepo } from '../store/repos/report-ads-repo'

export type CreativeList = z.infer<typeof CreativeListSchema>

/** The `limit` biggest ads of a range with their fatigue state: a report's creatives section. */
export type CreativesReader = (
  workspaceId: number,
  range: DateRange,
  limit: number,
  accountIds?: number[],
) => CreativeList

/**
 * The creatives section's rows, equal to the Creatives page's list (`analytics:listCreatives`) cut
 * to `limit` (and to the report's accounts, when it names some): the same ranking (converted spend, ties by id), sums converted by the one analytics
 * service per month, and the same fatigue fit. Only the ads shown are read (ranked in SQL, then
 * their rows by key), where the page's list sums every ad of the range.
 */
export function reportCreativesReader(analytics: AnalyticsService, sqlite: Sqlite): CreativesReader {
  const ads = new ReportAdsRepo(sqlite)
  const creatives = new CreativesRepo(sqlite)
  return (workspaceId, range, limit, accountIds) => {
    const scope = analytics.scope(workspaceId, accountIds)
    const inScope = scope.accounts.map((a) => a.id)
    const months = monthPieces(range).map((p) => p.from.slice(0, 7))
    const rates = scope.accounts
      .filter((a) => a.currency !== scope.currency)
      .map((a) => ({ accountId: a.id, byMonth: new Map(months.map((m) => [m, scope.rate(a.currency, m)])) }))
    const ids = ads.topAdsBySpend(inScope, range.from, range.to, rates, limit)
    const totals = new Map<number, Totals>()
    for (const b of ads.adBuckets(ids, range.from, range.to)) {
      const id = Number(b.key)
      let t = totals.get(id)
      if (!t) {
        t = { ...EMPTY_TOTALS }
        totals.set(id, t)
      }
      addBucket(t, b, scope)
    }
    const meta = new Map(creatives.adMeta(ids).map((r) => [r.id, r]))
    const days = new Map<number, AdDay[]>(ids.map((id) => [id, []]))
    for (const r of ads.adDays(ids, range.to))
      days.get(r.ad_id)?.push({ date: r.date, impressions: r.impressions, clicks: r.clicks })
    // The converted ranking in SQL sums floats; order by the converted totals as the page does.
    const ordered = ids
      .map((id) => ({ id, spend: totals.get(id)?.spendMicros ?? 0 }))
      .sort((a, b) => b.spend - a.spend || a.id - b.id)
    const rows = ordered.flatMap(({ id }) => {
      const m = meta.get(id)
      const t = totals.get(id) ?? { ...EMPTY_TOTALS }
      if (!m) return []
      return [creativeRow(id, m, t, days.get(id) ?? [])]
    })
    return { currency: scope.currency, convertedFrom: analytics.convertedFrom(scope), rows }
  }
}
