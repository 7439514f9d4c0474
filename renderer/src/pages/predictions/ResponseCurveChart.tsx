import { useCallback, type JSX } from 'react'
import { microsToUnits } from '../../../../shared/domain/money'
import type { ResponseCurveView } from '../../../../shared/ipc/contracts/ml'
import { Chart, type ChartOption } from '../../components/Chart'
import type { ChartPalette } from '../../lib/chart-theme'
import { formatCurrency } from '../../lib/format'

/** Daily spend → daily revenue at steady state, with the current and proposed spend marked. */
export function buildCurveOption(c: ResponseCurveView, plannedMicros: number, p: ChartPalette): ChartOption {
  const money = (v: number): string => formatCurrency(v, c.currency, { compact: true })
  const at = (micros: number): number => {
    // Linear interpolation between the curve's points (the what-if marker sits on the curve).
    const pts = c.points
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1]
      const b = pts[i]
      if (a && b && micros <= b.spendMicros) {
        const t = b.spendMicros > a.spendMicros ? (micros - a.spendMicros) / (b.spendMicros - a.spendMicros) : 0
        return microsToUnits(a.revenueMicros + t * (b.revenueMicros - a.revenueMicros))
      }
    }
    return microsToUnits(pts[pts.length - 1]?.revenueMicros ?? 0)
  }
  return {
    aria: { enabled: true },
    animationDuration: 200,
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, textStyle: { color: p.textMuted, fontSize: 12 } },
    tooltip: { trigger: 'item' },
    xAxis: {
      type: 'value',
      name: 'Daily spend',
      nameLocation: 'middle',
      nameGap: 24,
      axisLabel: { color: p.textMuted, formatter: money },
    },
    yAxis: {
      type: 'value',
      axisLabel: { color: p.textMuted, formatter: money },
      splitLine: { lineStyle: { color: p.splitLine } },
    },
    series: [
      {
        name: 'Revenue per day',
        type: 'line',
        showSymbol: false,
        data: c.points.map((q) => [microsToUnits(q.spendMicros), microsToUnits(q.revenueMicros)]),
      },
      {
        name: 'Current',
        type: 'line',
        symbolSize: 10,
        data: [[microsToUnits(c.currentDailySpendMicros), at(c.currentDailySpendMicros)]],
      },
      {
        name: 'Proposed',
        type: 'line',
        symbol: 'diamond',
        symbolSize: 12,
        data: [[microsToUnits(plannedMicros), at(plannedMicros)]],
      },
    ],
  } as ChartOption
}

export function ResponseCurveChart({
  curve,
  plannedMicros,
}: {
  curve: ResponseCurveView
  plannedMicros: number
}): JSX.Element {
  const build = useCallback((p: ChartPalette) => buildCurveOption(curve, plannedMicros, p), [curve, plannedMicros])
  return (
    <Chart
      build={build}
      height={240}
      ariaLabel="Response curve: daily spend against expected daily revenue, with current and proposed spend"
    />
  )
}
