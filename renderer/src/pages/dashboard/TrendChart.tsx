import { useCallback, type JSX } from 'react'
import { microsToUnits } from '../../../../shared/domain/money'
import type { TrendPoint } from '../../../../shared/ipc/contract'
import { buildTrendOption, provisionalSpan } from '../../../../shared/charts/trend-option'
import { Chart, type ChartOption } from '../../components/Chart'
import type { ChartPalette } from '../../lib/chart-theme'
import { formatShortDate } from '../../lib/date-presets'
import { formatCurrency } from '../../lib/format'
// Registers the marker components the anomaly pins need (this chunk is lazy-loaded).
import '../analytics/charts'
import type { AnomalyMarker } from '../analytics/use-anomaly-markers'

interface TrendChartProps {
  points: TrendPoint[]
  currency: string
  /** Anomalies to pin on the spend line (dates outside the range are ignored). */
  markers?: AnomalyMarker[]
}

export function TrendChart({ points, currency, markers }: TrendChartProps): JSX.Element {
  const build = useCallback(
    (p: ChartPalette) => buildTrendOption(points, currency, p, markers) as ChartOption,
    [points, currency, markers],
  )
  const span = provisionalSpan(points)
  const empty = points.every((pt) => pt.spendMicros === 0 && pt.revenueMicros === 0)
  const totalSpend = points.reduce((s, pt) => s + pt.spendMicros, 0)
  const totalRevenue = points.reduce((s, pt) => s + pt.revenueMicros, 0)
  const label =
    `Daily spend and revenue over ${points.length} days: ` +
    `${formatCurrency(microsToUnits(totalSpend), currency)} spent, ` +
    `${formatCurrency(microsToUnits(totalRevenue), currency)} revenue` +
    (span ? `; ${formatShortDate(span[0])} to ${formatShortDate(span[1])} are provisional.` : '.')
  return (
    <Chart
      build={build}
      ariaLabel={label}
      height={300}
      isEmpty={empty}
      emptyTitle="No spend or revenue to chart"
      emptyBody="Daily spend and revenue appear here once the selected range contains synced data."
    />
  )
}
