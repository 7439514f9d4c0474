import { useCallback, useRef, useState, type JSX } from 'react'
import type { z } from 'zod'
import type { FatigueDetailSchema, FormatComparisonSchema } from '../../../../shared/ipc/contracts/analytics-insights'
import { getClient } from '../../api/client'
import { Chart } from '../../components/Chart'
import { LoadState } from '../../components/LoadState'
import { Skeleton } from '../../components/States'
import type { ChartPalette } from '../../lib/chart-theme'
import { downloadChartPng } from '../../lib/export'
import { formatPercent } from '../../lib/format'
import { METRIC_DATA, usePageData } from '../../lib/page-data'
import { asChartOption } from './charts'

type Formats = z.infer<typeof FormatComparisonSchema>
type Fatigue = z.infer<typeof FatigueDetailSchema>

export const STATE_BADGE: Record<string, string> = {
  fatigued: 'badge--negative',
  declining: 'badge--warning',
  fresh: 'badge--info',
  stable: 'badge--positive',
  insufficient_data: '',
}

export function fatigueOption(f: Fatigue, p: ChartPalette): ReturnType<typeof asChartOption> {
  const pts = f.points.filter((x) => x.ctr !== null && x.impressions >= 200)
  return asChartOption({
    aria: { enabled: true },
    grid: { left: 8, right: 16, top: 36, bottom: 24, containLabel: true },
    legend: { top: 0, left: 0, textStyle: { color: p.textMuted } },
    tooltip: {
      trigger: 'item',
      backgroundColor: p.tooltipBg,
      borderColor: p.tooltipBorder,
      textStyle: { color: p.text },
    },
    xAxis: {
      type: 'value',
      name: 'Cumulative impressions',
      nameLocation: 'middle',
      nameGap: 24,
      axisLabel: { color: p.textMuted, formatter: (v: number) => `${(v / 1e6).toFixed(1)}M` },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      axisLabel: { color: p.textMuted, formatter: (v: number) => formatPercent(v, 1) },
      splitLine: { lineStyle: { color: p.splitLine } },
    },
    series: [
      {
        name: 'Daily CTR',
        type: 'scatter',
        symbolSize: 5,
        itemStyle: { color: p.spend },
        data: pts.map((x) => [x.cumImpressions, x.ctr]),
      },
      ...(f.fitted
        ? [
            {
              name: 'Fitted decay',
              type: 'line',
              showSymbol: false,
              lineStyle: { color: p.revenue, width: 2 },
              data: f.points.map((x, i) => [x.cumImpressions, f.fitted?.[i] ?? null]),
            },
          ]
        : []),
      ...(f.initialCtr
        ? [
            {
              name: 'Fatigue line (70%)',
              type: 'line',
              showSymbol: false,
              lineStyle: { color: '#e03131', type: 'dashed' },
              data: [
                [0, f.initialCtr * 0.7],
                [f.points[f.points.length - 1]?.cumImpressions ?? 0, f.initialCtr * 0.7],
              ],
            },
          ]
        : []),
    ],
  })
}

export function formatsOption(f: Formats, p: ChartPalette): ReturnType<typeof asChartOption> {
  return asChartOption({
    aria: { enabled: true },
    grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      backgroundColor: p.tooltipBg,
      borderColor: p.tooltipBorder,
      textStyle: { color: p.text },
      valueFormatter: (v: unknown) => (typeof v === 'number' ? formatPercent(v) : '—'),
    },
    xAxis: { type: 'category', data: f.rows.map((r) => r.format), axisLabel: { color: p.textMuted } },
    yAxis: {
      type: 'value',
      axisLabel: { color: p.textMuted, formatter: (v: number) => formatPercent(v, 1) },
      splitLine: { lineStyle: { color: p.splitLine } },
    },
    series: [
      { name: 'CTR', type: 'bar', data: f.rows.map((r) => r.kpis.ctr), itemStyle: { color: p.spend } },
      {
        name: '95% low',
        type: 'line',
        data: f.rows.map((r) => r.ctrCi?.[0] ?? null),
        lineStyle: { opacity: 0 },
        itemStyle: { color: p.text },
        symbol: 'rect',
        symbolSize: [14, 2],
      },
      {
        name: '95% high',
        type: 'line',
        data: f.rows.map((r) => r.ctrCi?.[1] ?? null),
        lineStyle: { opacity: 0 },
        itemStyle: { color: p.text },
        symbol: 'rect',
        symbolSize: [14, 2],
      },
    ],
  })
}

export function FatiguePanel({ workspaceId, adId }: { workspaceId: number; adId: number }): JSX.Element {
  const box = useRef<HTMLDivElement>(null)
  const state = usePageData({
    key: JSON.stringify({ workspaceId, adId }),
    load: (): Promise<Fatigue> => getClient().invoke('analytics:getFatigue', { workspaceId, adId }),
    tables: [...METRIC_DATA, 'ads'],
    workspaceId,
  })
  const f = state.data
  const build = useCallback((p: ChartPalette) => (f ? fatigueOption(f, p) : asChartOption({})), [f])
  if (!f) {
    return (
      <LoadState state={state} what="the fatigue curve" loading={<Skeleton height={260} />}>
        {() => null}
      </LoadState>
    )
  }
  return (
    <div ref={box} data-testid="fatigue-panel">
      <p>
        <span className={`badge ${STATE_BADGE[f.state] ?? ''}`}>{f.state.replace('_', ' ')}</span> {f.explanation}
      </p>
      <Chart
        build={build}
        ariaLabel={`CTR against cumulative impressions for ${f.name}`}
        height={260}
        isEmpty={f.points.length === 0}
      />
      <button
        type="button"
        className="btn btn--sm"
        onClick={() => downloadChartPng(`fatigue-${adId}.png`, box.current)}
      >
        Export PNG
      </button>
    </div>
  )
}

/** The ad's thumbnail, or its format when there is none or it cannot load (offline, expired URL). */
export function Thumb({ url, format }: { url: string | null; format: string }): JSX.Element {
  const [failed, setFailed] = useState(false)
  if (!url || failed || !/^https?:|^data:/.test(url)) return <span className="gallery__thumb">{format}</span>
  return <img className="gallery__thumb" src={url} alt="" loading="lazy" onError={() => setFailed(true)} />
}
