// @vitest-environment jsdom
import * as echarts from 'echarts/core'
import { SVGRenderer } from 'echarts/renderers'
import { afterEach, describe, expect, it } from 'vitest'
import '../../components/Chart'
import { CHART_PALETTES } from '../../lib/chart-theme'
import { asChartOption } from './charts'
import { formatsOption } from './CreativeParts'
import { platformOption } from './DashboardInsights'

/**
 * Tooltips are the charts' one HTML sink: ECharts builds them with innerHTML. Platform-provided
 * text (campaign, account and format names, anomaly explanations) must arrive there as text.
 * These run the app's option builders through the real ECharts tooltip, in a DOM.
 */
echarts.use([SVGRenderer])

const HOSTILE = '<img src=x onerror=alert(1)>'
const palette = CHART_PALETTES.light
let host: HTMLDivElement | null = null
afterEach(() => {
  host?.remove()
  host = null
})

function tooltipOf(option: ReturnType<typeof asChartOption>, dataIndex: number): HTMLElement {
  host = document.createElement('div')
  document.body.appendChild(host)
  const chart = echarts.init(host, null, { renderer: 'svg', width: 600, height: 300 })
  chart.setOption({ ...option, animation: false, tooltip: { ...(option.tooltip as object), transitionDuration: 0 } })
  chart.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex })
  const tips = [...host.querySelectorAll<HTMLElement>('div')].filter((d) => d.textContent?.includes('img src=x'))
  expect(tips.length, 'the tooltip shows the name').toBeGreaterThan(0)
  return tips[tips.length - 1] as HTMLElement
}

const kpis = { spend: 10, revenue: 20, ctr: 0.01, cvr: 0.1, roas: 2, cpa: 5, cpc: 1, cpm: 3 }

describe('chart tooltips escape platform-provided text', () => {
  it('a creative format named like an HTML tag shows as text and creates no element', () => {
    const row = { format: HOSTILE, ads: 3, totals: {}, kpis, ctrCi: [0, 1], cvrCi: [0, 1], roasCi: [0, 1] }
    const tip = tooltipOf(formatsOption({ currency: 'USD', rows: [row] } as never, palette), 0)
    expect(tip.textContent).toContain(HOSTILE)
    expect(document.querySelectorAll('img').length).toBe(0)
    expect(tip.innerHTML).toContain('&lt;img')
  })

  it('a hostile campaign name as category and series name (any line chart) shows as text', () => {
    const option = asChartOption({
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: [HOSTILE, 'b'] },
      yAxis: { type: 'value' },
      series: [{ name: `Campaign ${HOSTILE}`, type: 'line', data: [1, 2] }],
    })
    const tip = tooltipOf(option, 0)
    expect(tip.textContent).toContain(`Campaign ${HOSTILE}`)
    expect(document.querySelectorAll('img').length).toBe(0)
  })

  it('control: a formatter that returned the raw name would create the element (so the checks above can fail)', () => {
    const option = asChartOption({
      tooltip: { trigger: 'axis', formatter: (ps: { name: string }[]) => `x ${ps[0]?.name ?? ''} img src=x` },
      xAxis: { type: 'category', data: [HOSTILE] },
      yAxis: { type: 'value' },
      series: [{ name: 's', type: 'line', data: [1] }],
    })
    tooltipOf(option, 0)
    expect(document.querySelectorAll('img').length).toBe(1)
  })

  it('the platform split chart keeps its labels as text', () => {
    const row = { platform: 'meta', kpis } as never
    const option = platformOption([row], 'USD', palette)
    const xAxis = option.xAxis as { data: string[] }
    xAxis.data = [HOSTILE]
    const tip = tooltipOf(option, 0)
    expect(tip.textContent).toContain(HOSTILE)
    expect(document.querySelectorAll('img').length).toBe(0)
  })
})
