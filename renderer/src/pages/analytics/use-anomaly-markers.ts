import type { DateRange } from '../../../../shared/domain/metrics'
import { getClient } from '../../api/client'
import { METRIC_DATA, usePageData } from '../../lib/page-data'

/** An anomaly pinned on the dashboard trend (workspace and account level, warning and up). */
export type { AnomalyMarker } from '../../../../shared/charts/trend-option'
import type { AnomalyMarker } from '../../../../shared/charts/trend-option'

const NONE: AnomalyMarker[] = []

/**
 * Anomaly markers for the dashboard trend. Markers are an enhancement: a failure leaves the chart
 * without them rather than breaking the dashboard.
 */
export function useAnomalyMarkers(workspaceId: number | null, range: DateRange): AnomalyMarker[] {
  const state = usePageData({
    key: workspaceId === null ? null : JSON.stringify({ workspaceId, range }),
    load: async () => {
      const r = await getClient().invoke('analytics:listAnomalies', {
        workspaceId: workspaceId as number,
        range,
        minSeverity: 'warning',
        levels: ['workspace', 'account'],
      })
      return r.anomalies.map((a): AnomalyMarker => ({ date: a.peakDate, label: a.explanation, severity: a.severity }))
    },
    tables: METRIC_DATA,
    workspaceId,
  })
  return state.data ?? NONE
}
