import { useCallback, useMemo, useRef, useState, type JSX } from 'react'
import type { DateRange } from '../../../../shared/domain/metrics'
import type { Anomaly } from '../../../../shared/ipc/contracts/analytics-insights'
import { getClient } from '../../api/client'
import { Chart } from '../../components/Chart'
import { PageFrame } from '../../components/PageFrame'
import { LoadState } from '../../components/LoadState'
import { EmptyState, Skeleton } from '../../components/States'
import type { ChartPalette } from '../../lib/chart-theme'
import { addDays } from '../../../../shared/domain/dates'
import { ANOMALY_COLUMNS } from '../../../../shared/export/columns'
import { downloadChartPng, downloadCsv } from '../../lib/export'
import { METRIC_DATA, usePageData, type DataTable } from '../../lib/page-data'
import { useWorkspaceStore } from '../../stores/workspace-store'
import './analytics.css'
import { asChartOption } from './charts'
import { platformLabel } from './format'

type Series = {
  date: string
  actual: number | null
  expected: number | null
  lower: number | null
  upper: number | null
  flagged: boolean
  /** Conversions of the day are still arriving (conversion metrics). */
  settling?: boolean
}[]

const METRIC_NAMES: Record<Anomaly['metric'], string> = {
  spend: 'Spend',
  conversions: 'Conversions',
  cpa: 'CPA',
  ctr: 'CTR',
  roas: 'ROAS',
}

/** Anomalies are detected on the metric rows (and named after the campaigns). */
export const ANOMALY_TABLES: readonly DataTable[] = [...METRIC_DATA, 'campaigns']

/** Severity as a coloured pill, the same scale as alerts. */
const SEVERITY_BADGE: Record<string, string> = {
  critical: 'badge--negative',
  warning: 'badge--warning',
  info: 'badge--info',
}

/** Actual vs expected with the ±3σ band and flagged days marked. */
export function anomalyOption(series: Series, a: Anomaly, p: ChartPalette): ReturnType<typeof asChartOption> {
  const dates = series.map((s) => s.date)
  const settling = series.filter((s) => s.settling)
  const fmt = (v: number): string =>
    a.metric === 'ctr'
      ? `${(v * 100).toFixed(2)}%`
      : a.metric === 'roas'
        ? `${v.toFixed(2)}x`
        : v.toLocaleString('en-US', { maximumFractionDigits: 2 })
  return asChartOption({
    aria: { enabled: true },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, data: ['Expected', METRIC_NAMES[a.metric]], textStyle: { color: p.textMuted } },
    tooltip: {
      trigger: 'axis',
      backgroundColor: p.tooltipBg,
      borderColor: p.tooltipBorder,
      textStyle: { color: p.text },
      valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt(v) : '—'),
    },
    xAxis: {
      type: 'category',
      data: dates,
      axisLabel: { color: p.textMuted },
      axisLine: { lineStyle: { color: p.axisLine } },
    },
    yAxis: {
      type: 'value',
      axisLabel: { color: p.textMuted, formatter: fmt },
      splitLine: { lineStyle: { color: p.splitLine } },
    },
    series: [
      {
        name: 'Band low',
        type: 'line',
        data: series.map((s) => s.lower),
        lineStyle: { opacity: 0 },
        showSymbol: false,
        stack: 'band',
        tooltip: { show: false },
      },
      {
        name: 'Usual range',
        type: 'line',
        data: series.map((s) => (s.upper !== null && s.lower !== null ? s.upper - s.lower : null)),
        lineStyle: { opacity: 0 },
        showSymbol: false,
        stack: 'band',
        areaStyle: { color: p.provisionalFill },
        tooltip: { show: false },
      },
      {
        name: 'Expected',
        type: 'line',
        data: series.map((s) => s.expected),
        showSymbol: false,
        lineStyle: { type: 'dashed', color: p.textMuted },
        itemStyle: { color: p.textMuted },
      },
      {
        name: METRIC_NAMES[a.metric],
        type: 'line',
        data: series.map((s) => s.actual),
        showSymbol: false,
        lineStyle: { color: p.spend },
        itemStyle: { color: p.spend },
        markPoint: {
          symbol: 'circle',
          symbolSize: 10,
          itemStyle: { color: '#e03131' },
          label: { show: false },
          data: series
            .filter((s) => s.flagged && s.actual !== null)
            .map((s) => ({ coord: [s.date, s.actual], name: 'Anomaly' })),
        },
        markArea: {
          silent: true,
          itemStyle: { color: 'rgba(224, 49, 49, 0.08)' },
          data: [
            [{ xAxis: a.startDate }, { xAxis: a.endDate }],
            // The newest days whose conversions are still arriving (conversion metrics only).
            ...(settling.length
              ? [
                  [
                    {
                      xAxis: settling[0]!.date,
                      name: 'Conversions still arriving',
                      itemStyle: { color: p.provisionalFill },
                      label: { show: true, position: 'insideTop' as const, color: p.textMuted, fontSize: 10 },
                    },
                    { xAxis: settling[settling.length - 1]!.date },
                  ],
                ]
              : []),
          ],
        },
      },
    ],
  })
}

function AnomalyChart({ workspaceId, a }: { workspaceId: number; a: Anomaly }): JSX.Element {
  const box = useRef<HTMLDivElement>(null)
  const state = usePageData({
    key: JSON.stringify({ workspaceId, id: a.id }),
    load: async () => {
      const range: DateRange = { from: addDays(a.startDate, -42), to: addDays(a.endDate, 14) }
      const s = await getClient().invoke('analytics:getMetricSeries', {
        workspaceId,
        level: a.level,
        entityId: a.entityId,
        metric: a.metric,
        range,
      })
      return s.points
    },
    tables: ANOMALY_TABLES,
    workspaceId,
  })
  const series = state.data
  const build = useCallback((p: ChartPalette) => anomalyOption(series ?? [], a, p), [series, a])
  if (state.status === 'error' || !series) {
    return (
      <LoadState state={state} what="the chart" loading={<Skeleton height={260} />}>
        {() => null}
      </LoadState>
    )
  }
  return (
    <div ref={box} data-testid="anomaly-chart">
      <Chart
        build={build}
        ariaLabel={`${METRIC_NAMES[a.metric]} of ${a.entityName} with its usual range`}
        height={260}
        isEmpty={series.every((s) => s.actual === null)}
      />
      <button
        type="button"
        className="btn btn--sm"
        onClick={() => downloadChartPng(`anomaly-${a.id}.png`, box.current)}
      >
        Export PNG
      </button>
    </div>
  )
}

/** Anomalies over the selected range with filters; each row opens its chart. */
export function AnomaliesPage(): JSX.Element {
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const range = useWorkspaceStore((s) => s.range)
  const [metric, setMetric] = useState('all')
  const [level, setLevel] = useState('all')
  const [severity, setSeverity] = useState<'info' | 'warning' | 'critical'>('warning')
  const [seasonal, setSeasonal] = useState(false)
  const [open, setOpen] = useState<string | null>(null)

  const state = usePageData({
    key: workspaceId === null ? null : JSON.stringify({ workspaceId, range, severity, seasonal }),
    load: async () => {
      const r = await getClient().invoke('analytics:listAnomalies', {
        workspaceId: workspaceId as number,
        range,
        minSeverity: severity,
        includeSeasonal: seasonal,
      })
      return r
    },
    tables: ANOMALY_TABLES,
    workspaceId,
  })
  const list = state.data?.anomalies
  const notes = state.data?.notes ?? []

  const shown = useMemo(
    () =>
      (list ?? []).filter((a) => (metric === 'all' || a.metric === metric) && (level === 'all' || a.level === level)),
    [list, metric, level],
  )

  return (
    <PageFrame id="anomalies" meta={state.refreshing ? 'Updating…' : undefined}>
      <div className="toolbar">
        <select className="select" aria-label="Metric" value={metric} onChange={(e) => setMetric(e.target.value)}>
          <option value="all">All metrics</option>
          {Object.entries(METRIC_NAMES).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
        <select className="select" aria-label="Level" value={level} onChange={(e) => setLevel(e.target.value)}>
          <option value="all">All levels</option>
          <option value="workspace">Workspace</option>
          <option value="account">Accounts</option>
          <option value="campaign">Campaigns</option>
        </select>
        <select
          className="select"
          aria-label="Minimum severity"
          value={severity}
          onChange={(e) => setSeverity(e.target.value as typeof severity)}
        >
          <option value="info">All severities</option>
          <option value="warning">Warning and up</option>
          <option value="critical">Critical only</option>
        </select>
        <label className="field__hint">
          <input type="checkbox" checked={seasonal} onChange={(e) => setSeasonal(e.target.checked)} /> Include retail
          peaks
        </label>
        <span className="toolbar__spacer" />
        <button
          type="button"
          className="btn btn--sm"
          disabled={!shown.length}
          onClick={() => downloadCsv(`anomalies-${range.from}-${range.to}.csv`, ANOMALY_COLUMNS, shown)}
        >
          Export CSV
        </button>
      </div>
      {notes.length ? (
        <div className="notes anomaly-notes" data-testid="anomaly-notes">
          {notes.map((n) => (
            <p key={`${n.kind}:${n.from}:${n.to}`} className="note note--warning" role="status">
              {n.message}
            </p>
          ))}
        </div>
      ) : null}
      <LoadState
        state={state}
        what="anomalies"
        isEmpty={() => shown.length === 0}
        empty={
          <EmptyState title="No anomalies in this range">
            Spend, conversions, CPA, CTR and ROAS all stayed within their usual weekday ranges.
          </EmptyState>
        }
      >
        {() => (
          <div className="card" data-testid="anomaly-list">
            {shown.map((a) => (
              <div key={a.id}>
                <button
                  type="button"
                  className="anomaly-item"
                  aria-expanded={open === a.id}
                  onClick={() => setOpen(open === a.id ? null : a.id)}
                  data-testid="anomaly-item"
                >
                  <span>
                    <span className={`badge ${SEVERITY_BADGE[a.severity] ?? ''}`}>{a.severity}</span>{' '}
                    {METRIC_NAMES[a.metric]} · {a.level}
                    {a.platform ? ` · ${platformLabel(a.platform)}` : ''} ·{' '}
                    {a.startDate === a.endDate ? a.startDate : `${a.startDate} → ${a.endDate}`}
                    {a.seasonal ? <span className="badge">retail peak</span> : null}
                    {a.settling ? (
                      <span className="badge" title="Conversions for these days are still arriving">
                        still settling
                      </span>
                    ) : null}
                    {a.young ? (
                      <span className="badge" title="Judged against its own days since launch">
                        launched recently
                      </span>
                    ) : null}
                  </span>
                  <span>{a.explanation}</span>
                </button>
                {open === a.id && workspaceId !== null ? (
                  <div className="card__body">
                    <AnomalyChart workspaceId={workspaceId} a={a} />
                  </div>
                ) : null}
              </div>
            ))}
          </div>
        )}
      </LoadState>
    </PageFrame>
  )
}
