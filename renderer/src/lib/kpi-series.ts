import { deriveKpis, type KpiKey } from '../../../shared/domain/metrics'
import type { TrendPoint } from '../../../shared/ipc/contract'

/**
 * One value per day for a KPI, each day's ratio from that day's summed parts (null where the
 * denominator is zero), for the sparkline under a KPI tile.
 */
export function kpiSeries(points: TrendPoint[], kpi: KpiKey): (number | null)[] {
  return points.map((p) => deriveKpis({ ...p, videoViews: 0 })[kpi])
}
