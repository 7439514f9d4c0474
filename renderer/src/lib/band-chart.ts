import type { LineSeriesOption } from 'echarts/charts'
import type { ChartOption } from '../components/Chart'
import type { ChartPalette } from './chart-theme'
import { formatShortDate } from './date-presets'

/**
 * The frame of the daily charts that draw a line inside a shaded interval (forecast, experiment lift):
 * dates along x, a legend at the top left and an axis tooltip.
 */
export function bandChartFrame(
  p: ChartPalette,
  o: {
    dates: string[]
    legend: string[]
    valueFormatter: (v: unknown) => string
    yFormatter?: (v: number) => string
    series: LineSeriesOption[]
  },
): ChartOption {
  return {
    aria: { enabled: true },
    animationDuration: 200,
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, textStyle: { color: p.textMuted, fontSize: 12 }, data: o.legend },
    tooltip: { trigger: 'axis', valueFormatter: o.valueFormatter },
    xAxis: {
      type: 'category',
      data: o.dates,
      boundaryGap: false,
      axisLabel: { color: p.textMuted, fontSize: 11, hideOverlap: true, formatter: (d: string) => formatShortDate(d) },
    },
    yAxis: {
      type: 'value',
      axisLabel: { color: p.textMuted, fontSize: 11, ...(o.yFormatter ? { formatter: o.yFormatter } : {}) },
      splitLine: { lineStyle: { color: p.splitLine } },
    },
    series: o.series,
  }
}

/**
 * A shaded interval as two stacked lines: a transparent lower line, with the interval's width stacked on top
 * and filled. `signed` stacks values as they are (for a band that crosses zero) instead of positives and
 * negatives apart.
 */
export function bandSeries(o: {
  name: string
  lower: (number | null)[]
  width: (number | null)[]
  opacity: number
  signed?: boolean
  /** Whether the interval shows in the tooltip (the lower line never does). */
  inTooltip: boolean
}): LineSeriesOption[] {
  const stack = { stack: 'band', ...(o.signed ? { stackStrategy: 'all' as const } : {}) }
  return [
    {
      name: 'band-base',
      type: 'line',
      ...stack,
      data: o.lower,
      lineStyle: { opacity: 0 },
      showSymbol: false,
      tooltip: { show: false },
    },
    {
      name: o.name,
      type: 'line',
      ...stack,
      data: o.width,
      lineStyle: { opacity: 0 },
      areaStyle: { opacity: o.opacity },
      showSymbol: false,
      ...(o.inTooltip ? {} : { tooltip: { show: false } }),
    },
  ]
}
