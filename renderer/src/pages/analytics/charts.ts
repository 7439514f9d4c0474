import * as echarts from 'echarts/core'
import { BarChart, ScatterChart } from 'echarts/charts'
import { MarkPointComponent, MarkLineComponent } from 'echarts/components'
import type { ChartOption } from '../../components/Chart'

// The shared wrapper registers line charts only; analytics pages also draw bars, scatters and markers.
echarts.use([BarChart, ScatterChart, MarkPointComponent, MarkLineComponent])

/** Options with bar/scatter series, handed to the shared wrapper (its type lists line series only). */
export function asChartOption(option: Record<string, unknown>): ChartOption {
  return option as ChartOption
}

/** Series colours beyond the palette's spend/revenue pair, readable on both themes. */
export const EXTRA_COLORS = ['#6366f1', '#0f9f8f', '#e8590c', '#d6336c', '#2f9e44', '#1c7ed6']
