import { useEffect, useMemo, useRef, type JSX, type ReactNode } from 'react'
import * as echarts from 'echarts/core'
import { LineChart, type LineSeriesOption } from 'echarts/charts'
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  TooltipComponent,
  type AriaComponentOption,
  type GridComponentOption,
  type LegendComponentOption,
  type MarkAreaComponentOption,
  type TooltipComponentOption,
} from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import { CHART_PALETTES, echartsTheme, type ChartPalette } from '../lib/chart-theme'
import { useResolvedTheme } from '../lib/theme'
import { EmptyState } from './States'

// Only what the app draws, so the bundle carries a fraction of ECharts.
echarts.use([
  LineChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  MarkAreaComponent,
  AriaComponent,
  CanvasRenderer,
])
echarts.registerTheme('me-light', echartsTheme(CHART_PALETTES.light))
echarts.registerTheme('me-dark', echartsTheme(CHART_PALETTES.dark))

export type ChartOption = echarts.ComposeOption<
  | LineSeriesOption
  | GridComponentOption
  | TooltipComponentOption
  | LegendComponentOption
  | MarkAreaComponentOption
  | AriaComponentOption
>

interface ChartProps {
  /** Builds the option for the palette on screen; rebuilt when the theme flips. */
  build: (palette: ChartPalette) => ChartOption
  /** Describes the chart for screen readers (the canvas itself says nothing). */
  ariaLabel: string
  height?: number
  isEmpty?: boolean
  emptyTitle?: string
  emptyBody?: ReactNode
}

function canvasAvailable(): boolean {
  try {
    return typeof document !== 'undefined' && document.createElement('canvas').getContext('2d') !== null
  } catch {
    return false
  }
}

export function Chart(props: ChartProps): JSX.Element {
  const { build, ariaLabel, height = 300, isEmpty = false, emptyTitle = 'Nothing to chart', emptyBody } = props
  const theme = useResolvedTheme()
  const host = useRef<HTMLDivElement>(null)
  const chart = useRef<echarts.ECharts | null>(null)
  const option = useMemo(() => build(CHART_PALETTES[theme]), [build, theme])
  const canDraw = useMemo(canvasAvailable, [])

  // Create once per mounted host; the theme and option effects below update it in place.
  useEffect(() => {
    const el = host.current
    if (!el || isEmpty || !canDraw) return undefined
    const instance = echarts.init(el, theme === 'dark' ? 'me-dark' : 'me-light', { renderer: 'canvas' })
    chart.current = instance
    const ro = new ResizeObserver(() => instance.resize())
    ro.observe(el)
    return () => {
      ro.disconnect()
      instance.dispose()
      chart.current = null
    }
    // The theme is applied by the next effect; re-creating the canvas on every flip would flash.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [isEmpty, canDraw])

  useEffect(() => {
    chart.current?.setTheme(theme === 'dark' ? 'me-dark' : 'me-light')
  }, [theme])

  useEffect(() => {
    // notMerge: series can disappear between options (e.g. no provisional area any more).
    chart.current?.setOption(option, { notMerge: true })
  }, [option, isEmpty, canDraw])

  if (isEmpty) {
    return (
      <div style={{ minHeight: height }} className="chart chart--empty">
        <EmptyState title={emptyTitle}>{emptyBody}</EmptyState>
      </div>
    )
  }
  return (
    <div className="chart" role="img" aria-label={ariaLabel}>
      <div ref={host} style={{ height }} />
      {canDraw ? null : <p className="field__hint">Charts need a canvas, which this environment lacks.</p>}
    </div>
  )
}
