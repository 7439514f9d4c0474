import { useEffect, useState } from 'react'
import type { DateRange } from '../../../../shared/domain/metrics'
import { getClient } from '../../api/client'

/** An anomaly pinned on the dashboard trend (workspace and account level, warning and up). */
export type { AnomalyMarker } from '../../../../shared/charts/trend-option'
import type { AnomalyMarker } from '../../../../shared/charts/trend-option'

/**
 * Anomaly markers for the dashboard trend. Markers are an enhancement: a failure leaves the chart
 * without them rather than breaking the dashboard.
 */
export function useAnomalyMarkers(workspaceId: number | null, range: DateRange): AnomalyMarker[] {
  const [markers, setMarkers] = useState<AnomalyMarker[]>([])
  useEffect(() => {
    let live = true
    if (workspaceId === null) return undefined
    getClient()
      .invoke('analytics:listAnomalies', {
        workspaceId,
        range,
        minSeverity: 'warning',
        levels: ['workspace', 'account'],
      })
      .then(
        (r) => {
          if (live)
            setMarkers(r.anomalies.map((a) => ({ date: a.peakDate, label: a.explanation, severity: a.severity })))
        },
        () => {
          if (live) setMarkers([])
        },
      )
    return () => {
      live = false
    }
  }, [workspaceId, range])
  return markers
}
