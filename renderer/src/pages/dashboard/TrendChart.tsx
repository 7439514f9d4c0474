import { useCallback, type JSX } from 'react'
import { microsToUnits } from '../../../../shared/domain/money'
import type { TrendPoint } from '../../../../shared/ipc/contract'
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

/** First and last provisional dates; the core marks the trailing restatement window. */
function provisionalSpan(points: TrendPoint[]): [string, string] | null {
  const prov = points.filter((p) => p.provisional)
  const first = prov[0]
  const last = prov[prov.length - 1]
  return first && last ? [first.date, last.date] : null
}

/** Pins for anomalies on the spend line, with the explanation as the tooltip. */
function markerPoints(points: TrendPoint[], markers: AnomalyMarker[]): Record<string, unknown> | undefined {
  const spend = new Map(points.map((pt) => [pt.date, microsToUnits(pt.spendMicros)]))
  const data = markers
    .filter((m) => spend.has(m.date))
    .map((m) => ({ name: m.label, coord: [m.date, spend.get(m.date)], value: '!' }))
  if (!data.length) return undefined
  return {
    symbol: 'pin',
    symbolSize: 30,
    itemStyle: { color: '#e8590c' },
    label: { color: '#ffffff', fontSize: 11 },
    tooltip: { formatter: (x: { name: string }) => x.name },
    data,
  }
}

export function buildTrendOption(
  points: TrendPoint[],
  currency: string,
  p: ChartPalette,
  markers: AnomalyMarker[] = [],
): ChartOption {
  const dates = points.map((pt) => pt.date)
  const span = provisionalSpan(points)
  const money = (v: unknown): string => (typeof v === 'number' ? formatCurrency(v, currency) : '—')
  // Dots help on short ranges where each day matters; on long ones they turn into noise.
  const showSymbol = points.length <= 14
  return {
    aria: { enabled: true },
    animationDuration: 300,
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: {
      top: 0,
      left: 0,
      icon: 'roundRect',
      itemWidth: 12,
      itemHeight: 4,
      itemGap: 20,
      textStyle: { color: p.textMuted, fontSize: 12 },
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'line', lineStyle: { color: p.axisLine } },
      backgroundColor: p.tooltipBg,
      borderColor: p.tooltipBorder,
      textStyle: { color: p.text, fontSize: 12 },
      valueFormatter: money,
    },
    xAxis: {
      type: 'category',
      data: dates,
      boundaryGap: false,
      axisLabel: {
        color: p.textMuted,
        fontSize: 11,
        hideOverlap: true,
        formatter: (d: string) => formatShortDate(d),
      },
      axisLine: { lineStyle: { color: p.axisLine } },
      axisTick: { show: false },
      axisPointer: {
        label: { formatter: (v: { value: unknown }) => (typeof v.value === 'string' ? formatShortDate(v.value) : '') },
      },
    },
    yAxis: {
      type: 'value',
      axisLabel: {
        color: p.textMuted,
        fontSize: 11,
        formatter: (v: number) => formatCurrency(v, currency, { compact: true }),
      },
      splitLine: { lineStyle: { color: p.splitLine } },
    },
    series: [
      {
        name: 'Spend',
        type: 'line',
        data: points.map((pt) => microsToUnits(pt.spendMicros)),
        showSymbol,
        symbol: 'circle',
        symbolSize: 6,
        lineStyle: { width: 2, color: p.spend },
        itemStyle: { color: p.spend },
        markPoint: markerPoints(points, markers),
        markArea: span
          ? {
              silent: true,
              itemStyle: { color: p.provisionalFill },
              label: { show: true, position: 'insideTop', color: p.provisionalText, fontSize: 11, distance: 4 },
              data: [[{ name: 'Provisional', xAxis: span[0] }, { xAxis: span[1] }]],
            }
          : undefined,
      },
      {
        name: 'Revenue',
        type: 'line',
        data: points.map((pt) => microsToUnits(pt.revenueMicros)),
        showSymbol,
        symbol: 'circle',
        symbolSize: 6,
        lineStyle: { width: 2, color: p.revenue },
        itemStyle: { color: p.revenue },
        areaStyle: {
          color: {
            type: 'linear',
            x: 0,
            y: 0,
            x2: 0,
            y2: 1,
            colorStops: [
              { offset: 0, color: `${p.revenue}33` },
              { offset: 1, color: `${p.revenue}00` },
            ],
          },
        },
      },
    ],
  }
}

export function TrendChart({ points, currency, markers }: TrendChartProps): JSX.Element {
  const build = useCallback(
    (p: ChartPalette) => buildTrendOption(points, currency, p, markers),
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
