import { useCallback, type JSX } from 'react'
import type { Forecast } from '../../../../shared/ipc/contracts/ml'
import { Chart, type ChartOption } from '../../components/Chart'
import { bandChartFrame, bandSeries } from '../../lib/band-chart'
import type { ChartPalette } from '../../lib/chart-theme'
import { formatCount } from '../../lib/format'

/**
 * Conversions per day: the last 28 days of actuals, then the forecast as the average per day over
 * the first d days of the window, with its 80% interval as a band (a transparent lower line with
 * the band width stacked on top). Same scale on both sides of the forecast start.
 */
export function buildForecastOption(f: Forecast, p: ChartPalette): ChartOption {
  const hist = f.history.slice(-28)
  const dates = [...hist.map((h) => h.date), ...f.path.map((q) => q.date)]
  const pad = <T,>(n: number, v: T): T[] => new Array<T>(n).fill(v)
  const daily = hist.map((h) => h.conversions)
  const per = f.path.map((q, i) => ({
    point: q.conversions.point / (i + 1),
    lower: q.conversions.lower / (i + 1),
    upper: q.conversions.upper / (i + 1),
  }))
  return bandChartFrame(p, {
    dates,
    legend: ['Actual per day', 'Forecast (avg per day)', '80% interval'],
    valueFormatter: (v) => (typeof v === 'number' ? formatCount(Math.round(v * 10) / 10) : '—'),
    series: [
      {
        name: 'Actual per day',
        type: 'line',
        data: [...daily, ...pad(f.path.length, null)],
        showSymbol: false,
        lineStyle: { width: 1.5 },
      },
      ...bandSeries({
        name: '80% interval',
        lower: [...pad(hist.length, null), ...per.map((q) => q.lower)],
        width: [...pad(hist.length, null), ...per.map((q) => q.upper - q.lower)],
        opacity: 0.25,
        inTooltip: true,
      }),
      {
        name: 'Forecast (avg per day)',
        type: 'line',
        data: [...pad(hist.length, null), ...per.map((q) => q.point)],
        showSymbol: false,
        lineStyle: { width: 2 },
      },
    ],
  })
}

export function ForecastChart({ forecast }: { forecast: Forecast }): JSX.Element {
  const build = useCallback((p: ChartPalette) => buildForecastOption(forecast, p), [forecast])
  return (
    <Chart
      build={build}
      height={280}
      ariaLabel={`Forecast of ${forecast.name}: ${formatCount(forecast.conversions.point)} conversions over ${forecast.days} days, 80% interval ${formatCount(forecast.conversions.lower)} to ${formatCount(forecast.conversions.upper)}`}
    />
  )
}
