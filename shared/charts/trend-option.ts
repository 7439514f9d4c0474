import type { EChartsOption } from 'echarts'
import { formatCurrency, formatShortDate } from '../domain/format'
import { microsToUnits } from '../domain/money'
import type { TrendPoint } from '../ipc/contract'
import type { ChartPalette } from './palette'

/**
 * The spend-vs-revenue chart of the dashboard, as an ECharts option: the app draws it on a canvas and the
 * PDF reports render the same option to SVG on the main process.
 */

/** An anomaly pinned on the spend line. */
export interface AnomalyMarker {
  date: string
  label: string
  severity: 'info' | 'warning' | 'critical'
}

/** First and last provisional dates; the core marks the trailing restatement window. */
export function provisionalSpan(points: TrendPoint[]): [string, string] | null {
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
): EChartsOption {
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
