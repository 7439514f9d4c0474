import type { ResolvedTheme } from './theme'

export type { ChartPalette } from '../../../shared/charts/palette'
import type { ChartPalette } from '../../../shared/charts/palette'

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

export const CHART_PALETTES: Record<ResolvedTheme, ChartPalette> = {
  light: {
    text: '#111827',
    textMuted: '#6b7280',
    axisLine: '#cfd4dc',
    splitLine: '#eceef2',
    tooltipBg: '#ffffff',
    tooltipBorder: '#e3e6eb',
    spend: '#6366f1',
    revenue: '#0f9f8f',
    provisionalFill: 'rgba(165, 90, 6, 0.07)',
    provisionalText: '#a55a06',
    fontFamily: FONT,
  },
  dark: {
    text: '#e8eaf0',
    textMuted: '#8a92a3',
    axisLine: '#353c4b',
    splitLine: '#222733',
    tooltipBg: '#191d26',
    tooltipBorder: '#2d3340',
    spend: '#8b93ff',
    revenue: '#3cc9b6',
    provisionalFill: 'rgba(245, 182, 74, 0.09)',
    provisionalText: '#f5b64a',
    fontFamily: FONT,
  },
}

/** Defaults for anything an option does not set (registered once as an ECharts theme). */
export function echartsTheme(p: ChartPalette): Record<string, unknown> {
  return {
    color: [p.spend, p.revenue],
    backgroundColor: 'transparent',
    textStyle: { color: p.text, fontFamily: p.fontFamily },
    legend: { textStyle: { color: p.textMuted } },
    tooltip: {
      backgroundColor: p.tooltipBg,
      borderColor: p.tooltipBorder,
      textStyle: { color: p.text },
    },
    categoryAxis: {
      axisLine: { lineStyle: { color: p.axisLine } },
      axisTick: { lineStyle: { color: p.axisLine } },
      axisLabel: { color: p.textMuted },
      splitLine: { lineStyle: { color: p.splitLine } },
    },
    valueAxis: {
      axisLine: { show: false },
      axisLabel: { color: p.textMuted },
      splitLine: { lineStyle: { color: p.splitLine } },
    },
  }
}
