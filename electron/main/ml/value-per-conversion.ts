import { addDays, weekday } from '../../../shared/domain/dates'
import type { ValuePerConversion } from '../../../shared/ipc/contracts/ml'
import { AppError } from '../../../shared/ipc/result'
import type { Sqlite } from '../store/db'
import { campaignDaysOfWorkspace, campaignNames } from '../store/repos/dataset-repo'
import { StatusRepo } from '../store/repos/status-repo'

interface Row {
  key: string
  campaignId: number
  currency: string
  date: string
  conversions: number
  revenue: number
}

const perConversion = (revenue: number, conversions: number): number | null =>
  conversions > 0 ? Math.round(revenue / conversions) : null

/**
 * Revenue per conversion from the campaign-day sums over the last `days` up to the workspace's last
 * data day: by platform with a weekly curve (weeks start on Monday) and by campaign (top 50 by
 * conversions). Ratios from summed parts; grouped per currency, never mixed.
 */
export function valuePerConversion(sqlite: Sqlite, workspaceId: number, days: number): ValuePerConversion {
  const last = new StatusRepo(sqlite).lastDataDate(workspaceId)
  if (!last) throw new AppError('NOT_FOUND', `Workspace ${workspaceId} has no daily data`)
  const from = addDays(last, -(days - 1))
  const rows: Row[] = campaignDaysOfWorkspace(sqlite, workspaceId, from, last)
  const names = campaignNames(sqlite, workspaceId)
  const platforms = new Map<
    string,
    { key: string; currency: string; conversions: number; revenue: number; weeks: Map<string, [number, number]> }
  >()
  const campaigns = new Map<number, { currency: string; conversions: number; revenue: number }>()
  for (const r of rows) {
    const pk = `${r.key}|${r.currency}`
    const p = platforms.get(pk) ?? {
      key: r.key,
      currency: r.currency,
      conversions: 0,
      revenue: 0,
      weeks: new Map<string, [number, number]>(),
    }
    p.conversions += r.conversions
    p.revenue += r.revenue
    const week = addDays(r.date, -((weekday(r.date) + 6) % 7))
    const w = p.weeks.get(week) ?? [0, 0]
    w[0] += r.revenue
    w[1] += r.conversions
    p.weeks.set(week, w)
    platforms.set(pk, p)
    const c = campaigns.get(r.campaignId) ?? { currency: r.currency, conversions: 0, revenue: 0 }
    c.conversions += r.conversions
    c.revenue += r.revenue
    campaigns.set(r.campaignId, c)
  }
  return {
    from,
    to: last,
    byPlatform: [...platforms.values()]
      .sort((a, b) => b.conversions - a.conversions)
      .map((p) => ({
        key: p.key,
        currency: p.currency,
        conversions: p.conversions,
        revenueMicros: p.revenue,
        revenuePerConversionMicros: perConversion(p.revenue, p.conversions),
        weekly: [...p.weeks.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([week, [rev, conv]]) => ({ week, revenuePerConversionMicros: perConversion(rev, conv) })),
      })),
    byCampaign: [...campaigns.entries()]
      .sort((a, b) => b[1].conversions - a[1].conversions)
      .slice(0, 50)
      .map(([id, c]) => ({
        key: names.get(id) ?? String(id),
        campaignId: id,
        currency: c.currency,
        conversions: c.conversions,
        revenueMicros: c.revenue,
        revenuePerConversionMicros: perConversion(c.revenue, c.conversions),
      })),
  }
}
