import * as echarts from 'echarts'
import type { EChartsOption } from 'echarts'
import type { ChartPalette } from '../../../shared/charts/palette'
import { buildTrendOption } from '../../../shared/charts/trend-option'
import { formatCurrency, formatRoas, formatShortDate } from '../../../shared/domain/format'
import { microsToUnits } from '../../../shared/domain/money'
import { PLATFORM_LABELS } from '../../../shared/domain/entities'
import type { ChannelOutput } from '../../../shared/ipc/contract'

/** The app's light chart palette (renderer/src/lib/chart-theme.ts), with the brand's colours for the series. */
export function reportPalette(primary: string, accent: string, fontFamily: string): ChartPalette {
  return {
    text: '#111827',
    textMuted: '#4b5563',
    axisLine: '#cfd4dc',
    splitLine: '#eceef2',
    tooltipBg: '#ffffff',
    tooltipBorder: '#e3e6eb',
    spend: primary,
    revenue: accent,
    provisionalFill: 'rgba(165, 90, 6, 0.08)',
    provisionalText: '#a55a06',
    fontFamily,
  }
}

/**
 * ECharts lays out labels (axis widths, `containLabel`) with text widths it measures itself; on the
 * server it guesses them from a generic sans-serif table. The PDF prints with its embedded font, so
 * give ECharts that font's real widths, or long names overflow the chart (and the page margin).
 */
export function useTextMetrics(width: (text: string, sizePx: number, bold: boolean) => number): void {
  echarts.setPlatformAPI({
    measureText(text: string, font?: string) {
      const size = Number(/(\d+(?:\.\d+)?)px/.exec(font ?? '')?.[1] ?? 12)
      const bold = /\b(bold|[6-9]00)\b/.test(font ?? '')
      return { width: width(text, size, bold) }
    },
  })
}

/** Renders an ECharts option to an SVG string on the main process (no DOM; animation off). */
export function renderChartSvg(option: EChartsOption, width: number, height: number, fontFamily: string): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption({ ...option, animation: false, textStyle: { fontFamily } })
    return chart.renderToSVGString()
  } finally {
    // Without dispose, zrender keeps an animation timer alive and the process never exits.
    chart.dispose()
  }
}

export function trendOption(
  points: ChannelOutput<'dashboard:getTrend'>['points'],
  currency: string,
  p: ChartPalette,
): EChartsOption {
  const option = buildTrendOption(points, currency, p, [])
  // Print: no tooltip, a legend that says what the shaded band means.
  return { ...option, tooltip: { show: false } }
}

// Bar value labels sit right of the bars, outside what `containLabel` reserves: keep room for them.
/** A value axis in compact money ($12K) with light split lines. */
function moneyAxis(p: ChartPalette, currency: string): { type: 'value'; axisLabel: object; splitLine: object } {
  return {
    type: 'value',
    axisLabel: {
      color: p.textMuted,
      fontSize: 10,
      formatter: (v: number) => formatCurrency(v, currency, { compact: true }),
    },
    splitLine: { lineStyle: { color: p.splitLine } },
  }
}

const GRID = { left: 8, right: 64, top: 36, bottom: 8, containLabel: true }
const LEGEND = (p: ChartPalette): EChartsOption['legend'] => ({
  top: 0,
  left: 0,
  icon: 'roundRect',
  itemWidth: 12,
  itemHeight: 6,
  itemGap: 20,
  textStyle: { color: p.textMuted, fontSize: 11 },
})

/** Spend and revenue per platform as paired horizontal bars, largest spend on top. */
export function platformOption(
  rows: ChannelOutput<'analytics:getBreakdown'>['rows'],
  currency: string,
  p: ChartPalette,
): EChartsOption {
  const sorted = [...rows].sort((a, b) => a.totals.spendMicros - b.totals.spendMicros)
  const names = sorted.map((r) => PLATFORM_LABELS[r.platform ?? 'meta'] ?? r.name)
  const money = (v: number): string => formatCurrency(v, currency, { compact: true })
  return {
    grid: GRID,
    legend: LEGEND(p),
    xAxis: {
      type: 'value',
      axisLabel: { color: p.textMuted, fontSize: 10, formatter: money },
      splitLine: { lineStyle: { color: p.splitLine } },
    },
    yAxis: {
      type: 'category',
      data: names,
      axisLabel: { color: p.text, fontSize: 11 },
      axisLine: { lineStyle: { color: p.axisLine } },
      axisTick: { show: false },
    },
    series: [
      {
        name: 'Spend',
        type: 'bar',
        data: sorted.map((r) => microsToUnits(r.totals.spendMicros)),
        itemStyle: { color: p.spend, borderRadius: [0, 3, 3, 0] },
        barGap: '20%',
        label: {
          show: true,
          position: 'right',
          color: p.textMuted,
          fontSize: 10,
          formatter: (x) => money(Number(x.value)),
        },
      },
      {
        name: 'Revenue',
        type: 'bar',
        data: sorted.map((r) => microsToUnits(r.totals.revenueMicros)),
        itemStyle: { color: p.revenue, borderRadius: [0, 3, 3, 0] },
        label: {
          show: true,
          position: 'right',
          color: p.textMuted,
          fontSize: 10,
          formatter: (x) => money(Number(x.value)),
        },
      },
    ],
  }
}

/** ROAS of the listed campaigns as horizontal bars with a break-even line at 1x. */
export function roasOption(
  rows: ChannelOutput<'analytics:getTop'>['rows'],
  p: ChartPalette,
  colour: string,
): EChartsOption {
  const list = [...rows].reverse()
  return {
    grid: { ...GRID, top: 12 },
    xAxis: {
      type: 'value',
      axisLabel: { color: p.textMuted, fontSize: 10, formatter: (v: number) => formatRoas(v) },
      splitLine: { lineStyle: { color: p.splitLine } },
    },
    yAxis: {
      type: 'category',
      data: list.map((r) => truncate(r.name, 34)),
      axisLabel: { color: p.text, fontSize: 10 },
      axisLine: { lineStyle: { color: p.axisLine } },
      axisTick: { show: false },
    },
    series: [
      {
        type: 'bar',
        data: list.map((r) => r.kpis.roas ?? 0),
        itemStyle: { color: colour, borderRadius: [0, 3, 3, 0] },
        label: {
          show: true,
          position: 'right',
          color: p.textMuted,
          fontSize: 10,
          formatter: (x) => formatRoas(Number(x.value)),
        },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: p.provisionalText, type: 'dashed', width: 1 },
          label: { formatter: 'break-even', color: p.provisionalText, fontSize: 9 },
          data: [{ xAxis: 1 }],
        },
      },
    ],
  }
}

/** Month-to-date spend against budget per account (percent of budget), with the projected month end. */
export function pacingOption(rows: ChannelOutput<'analytics:getPacing'>['rows'], p: ChartPalette): EChartsOption {
  const list = rows.filter((r) => r.budgetMicros !== null && r.budgetMicros > 0).reverse()
  const pct = (a: number, b: number | null): number => (b ? Math.round((1000 * a) / b) / 10 : 0)
  return {
    grid: GRID,
    legend: LEGEND(p),
    xAxis: {
      type: 'value',
      axisLabel: { color: p.textMuted, fontSize: 10, formatter: (v: number) => `${v}%` },
      splitLine: { lineStyle: { color: p.splitLine } },
    },
    yAxis: {
      type: 'category',
      data: list.map((r) => truncate(r.name, 30)),
      axisLabel: { color: p.text, fontSize: 10 },
      axisTick: { show: false },
      axisLine: { lineStyle: { color: p.axisLine } },
    },
    series: [
      {
        name: 'Spent so far',
        type: 'bar',
        data: list.map((r) => pct(r.spentMicros, r.budgetMicros)),
        itemStyle: { color: p.spend },
        barGap: '20%',
      },
      {
        name: 'Projected month end',
        type: 'bar',
        data: list.map((r) => pct(r.projectedMicros, r.budgetMicros)),
        itemStyle: { color: p.revenue },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: p.provisionalText, type: 'dashed', width: 1 },
          label: { formatter: 'budget', color: p.provisionalText, fontSize: 9 },
          data: [{ xAxis: 100 }],
        },
      },
    ],
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s
}

/** Daily conversions (bars) and cost per acquisition (line, right axis). */
export function conversionsOption(
  points: ChannelOutput<'dashboard:getTrend'>['points'],
  currency: string,
  p: ChartPalette,
): EChartsOption {
  return {
    grid: { ...GRID, right: 16 },
    legend: LEGEND(p),
    xAxis: {
      type: 'category',
      data: points.map((x) => x.date),
      axisLabel: { color: p.textMuted, fontSize: 10, hideOverlap: true, formatter: (d: string) => formatShortDate(d) },
      axisLine: { lineStyle: { color: p.axisLine } },
      axisTick: { show: false },
    },
    yAxis: [
      {
        type: 'value',
        axisLabel: { color: p.textMuted, fontSize: 10 },
        splitLine: { lineStyle: { color: p.splitLine } },
      },
      {
        type: 'value',
        axisLabel: {
          color: p.textMuted,
          fontSize: 10,
          formatter: (v: number) => formatCurrency(v, currency, { compact: true }),
        },
        splitLine: { show: false },
      },
    ],
    series: [
      {
        name: 'Conversions',
        type: 'bar',
        data: points.map((x) => Math.round(x.conversions * 10) / 10),
        itemStyle: { color: p.revenue, opacity: 0.85 },
      },
      {
        name: 'CPA',
        type: 'line',
        yAxisIndex: 1,
        showSymbol: false,
        data: points.map((x) => (x.conversions > 0 ? microsToUnits(x.spendMicros) / x.conversions : null)),
        lineStyle: { width: 2, color: p.spend },
        itemStyle: { color: p.spend },
      },
    ],
  }
}

/** Weekly spend stacked by platform: how the mix moved over the period. */
export function platformWeeksOption(
  rows: ChannelOutput<'analytics:getBreakdown'>['rows'],
  currency: string,
  p: ChartPalette,
): EChartsOption {
  const weeks = [...new Set(rows.map((r) => r.period ?? ''))].sort()
  const platforms = [...new Set(rows.map((r) => r.platform ?? 'meta'))]
  const colours = [p.spend, p.revenue, '#d97706', '#7c3aed']
  return {
    grid: { ...GRID, right: 16 },
    legend: LEGEND(p),
    xAxis: {
      type: 'category',
      data: weeks.map((w) => `Week of ${formatShortDate(w)}`),
      axisLabel: { color: p.textMuted, fontSize: 10, hideOverlap: true },
      axisLine: { lineStyle: { color: p.axisLine } },
      axisTick: { show: false },
    },
    yAxis: moneyAxis(p, currency),
    series: platforms.map((pl, i) => ({
      name: PLATFORM_LABELS[pl],
      type: 'bar' as const,
      stack: 'spend',
      barMaxWidth: 36,
      itemStyle: { color: colours[i % colours.length] },
      data: weeks.map((w) => {
        const r = rows.find((x) => x.period === w && x.platform === pl)
        return r ? microsToUnits(r.totals.spendMicros) : 0
      }),
    })),
  }
}

const FATIGUE_ORDER = ['fresh', 'stable', 'declining', 'fatigued', 'insufficient_data'] as const
const FATIGUE_LABELS: Record<(typeof FATIGUE_ORDER)[number], string> = {
  fresh: 'Fresh',
  stable: 'Stable',
  declining: 'Declining',
  fatigued: 'Fatigued',
  insufficient_data: 'Too new to tell',
}

/** Spend of the period's creatives by fatigue state. */
export function fatigueOption(
  rows: ChannelOutput<'analytics:listCreatives'>['rows'],
  currency: string,
  p: ChartPalette,
): EChartsOption {
  const spend = FATIGUE_ORDER.map((s) =>
    rows.filter((r) => r.fatigue.state === s).reduce((a, r) => a + microsToUnits(r.totals.spendMicros), 0),
  )
  const colours = ['#059669', p.revenue, '#d97706', '#b91c1c', '#9ca3af']
  return {
    grid: { ...GRID, top: 12 },
    xAxis: moneyAxis(p, currency),
    yAxis: {
      type: 'category',
      data: FATIGUE_ORDER.map((s) => FATIGUE_LABELS[s]),
      inverse: true,
      axisLabel: { color: p.text, fontSize: 10 },
      axisTick: { show: false },
      axisLine: { lineStyle: { color: p.axisLine } },
    },
    series: [
      {
        type: 'bar',
        data: spend.map((v, i) => ({ value: Math.round(v * 100) / 100, itemStyle: { color: colours[i] } })),
        label: {
          show: true,
          position: 'right',
          color: p.textMuted,
          fontSize: 10,
          formatter: (x) => formatCurrency(Number(x.value), currency, { compact: true }),
        },
      },
    ],
  }
}
