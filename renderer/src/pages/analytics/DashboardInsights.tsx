import { useCallback, type JSX } from 'react'
import type { z } from 'zod'
import type { DateRange } from '../../../../shared/domain/metrics'
import type { Anomaly } from '../../../../shared/ipc/contracts/analytics-insights'
import type { EntityRow, PacingSchema } from '../../../../shared/ipc/contracts/analytics-schemas'
import { getClient } from '../../api/client'
import { Chart } from '../../components/Chart'
import { LoadState } from '../../components/LoadState'
import { Skeleton } from '../../components/States'
import type { ChartPalette } from '../../lib/chart-theme'
import { METRIC_DATA, usePageData, type DataTable } from '../../lib/page-data'
import { formatCurrency } from '../../lib/format'
import { useRouterStore } from '../../stores/router-store'
import './analytics.css'
import { asChartOption } from './charts'
import { formatMetric, platformLabel } from './format'

type Pacing = z.infer<typeof PacingSchema>['rows']

interface Data {
  currency: string
  top: EntityRow[]
  platforms: EntityRow[]
  pacing: Pacing
  anomalies: Anomaly[]
}

export function platformOption(rows: EntityRow[], currency: string, p: ChartPalette): ReturnType<typeof asChartOption> {
  return asChartOption({
    aria: { enabled: true },
    grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, textStyle: { color: p.textMuted } },
    tooltip: {
      trigger: 'axis',
      backgroundColor: p.tooltipBg,
      borderColor: p.tooltipBorder,
      textStyle: { color: p.text },
      valueFormatter: (v: unknown) => (typeof v === 'number' ? formatCurrency(v, currency) : '—'),
    },
    xAxis: {
      type: 'category',
      data: rows.map((r) => platformLabel(r.platform)),
      axisLabel: { color: p.textMuted, interval: 0, hideOverlap: false },
    },
    yAxis: {
      type: 'value',
      axisLabel: { color: p.textMuted, formatter: (v: number) => formatCurrency(v, currency, { compact: true }) },
      splitLine: { lineStyle: { color: p.splitLine } },
    },
    series: [
      { name: 'Spend', type: 'bar', data: rows.map((r) => r.kpis.spend), itemStyle: { color: p.spend } },
      { name: 'Revenue', type: 'bar', data: rows.map((r) => r.kpis.revenue), itemStyle: { color: p.revenue } },
    ],
  })
}

/** Dashboard additions: top campaigns, platform split, pacing and the latest anomalies. */
/** Insights read the metric tables and (for pacing) the campaigns' daily budgets. */
const INSIGHT_TABLES: readonly DataTable[] = [...METRIC_DATA, 'campaigns', 'ad_sets']

async function loadInsights(workspaceId: number, range: DateRange): Promise<Data> {
  const c = getClient()
  const [top, platforms, pacing, anomalies] = await Promise.all([
    c.invoke('analytics:getTop', { workspaceId, range, metric: 'roas', limit: 8, minSpend: 100 }),
    c.invoke('analytics:getBreakdown', { workspaceId, range, level: 'platform' }),
    c.invoke('analytics:getPacing', { workspaceId }),
    c.invoke('analytics:listAnomalies', { workspaceId, range, minSeverity: 'warning' }),
  ])
  return {
    currency: top.currency,
    top: top.rows,
    platforms: platforms.rows,
    pacing: pacing.rows,
    anomalies: anomalies.anomalies.slice(0, 6),
  }
}

/** Dashboard additions: top campaigns, platform split, pacing and the latest anomalies. */
export function DashboardInsights({ workspaceId, range }: { workspaceId: number; range: DateRange }): JSX.Element {
  const state = usePageData({
    key: JSON.stringify({ workspaceId, range }),
    load: () => loadInsights(workspaceId, range),
    tables: INSIGHT_TABLES,
    workspaceId,
  })
  return (
    <LoadState state={state} what="insights" loading={<Skeleton height={240} />}>
      {(data) => <Insights data={data} />}
    </LoadState>
  )
}

function Insights({ data }: { data: Data }): JSX.Element {
  const navigate = useRouterStore((s) => s.navigate)
  const buildPlatforms = useCallback((p: ChartPalette) => platformOption(data.platforms, data.currency, p), [data])
  const total = data.platforms.reduce((a, r) => a + r.kpis.spend, 0)
  return (
    <div className="analytics-grid" data-testid="dashboard-insights">
      <section className="card" aria-labelledby="anomalies-title" data-testid="recent-anomalies">
        <div className="card__header">
          <h2 id="anomalies-title">What changed</h2>
          <button type="button" className="btn btn--sm btn--ghost" onClick={() => navigate('anomalies')}>
            All anomalies
          </button>
        </div>
        <div className="card__body">
          {data.anomalies.length === 0 ? (
            <p className="field__hint">No unusual moves in spend, conversions, CPA, CTR or ROAS in this range.</p>
          ) : (
            <ul className="plain-list">
              {data.anomalies.map((a) => (
                <li key={a.id}>
                  <span className={`sev-${a.severity}`}>{a.severity}</span> {a.explanation}
                </li>
              ))}
            </ul>
          )}
        </div>
      </section>
      <section className="card" aria-labelledby="top-title" data-testid="top-campaigns">
        <div className="card__header">
          <h2 id="top-title">Top campaigns by ROAS</h2>
          <button type="button" className="btn btn--sm btn--ghost" onClick={() => navigate('campaigns')}>
            Explorer
          </button>
        </div>
        <div className="card__body">
          <table className="table">
            <thead>
              <tr>
                <th>Campaign</th>
                <th className="num">Spend</th>
                <th className="num">ROAS</th>
              </tr>
            </thead>
            <tbody>
              {data.top.map((r) => (
                <tr key={r.id}>
                  <td>
                    {r.name} <span className="field__hint">{platformLabel(r.platform)}</span>
                  </td>
                  <td className="num tabular">{formatMetric('spend', r.kpis.spend, data.currency)}</td>
                  <td className="num tabular">{formatMetric('roas', r.kpis.roas, data.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="field__hint">Campaigns with at least {formatCurrency(100, data.currency)} spend.</p>
        </div>
      </section>
      <section className="card" aria-labelledby="platform-title" data-testid="platform-split">
        <div className="card__header">
          <h2 id="platform-title">Platform split</h2>
        </div>
        <div className="card__body">
          <Chart build={buildPlatforms} ariaLabel="Spend and revenue by platform" height={220} isEmpty={total === 0} />
          <p className="field__hint">
            {data.platforms
              .map((r) => `${platformLabel(r.platform)} ${total > 0 ? Math.round((r.kpis.spend / total) * 100) : 0}%`)
              .join(' · ')}{' '}
            of spend
          </p>
        </div>
      </section>
      <section className="card" aria-labelledby="pacing-title" data-testid="pacing">
        <div className="card__header">
          <h2 id="pacing-title">Month-to-date pacing</h2>
        </div>
        <div className="card__body">
          <ul className="plain-list">
            {data.pacing.map((r) => (
              <li key={r.accountId}>
                <div>
                  {r.name} · <span className="field__hint">{r.status.replace('_', ' ')}</span>
                </div>
                <div className={`pace-bar ${r.status === 'over' ? 'is-over' : ''}`} aria-hidden="true">
                  <span style={{ width: `${Math.min(100, (r.pace ?? 0) * 100)}%` }} />
                </div>
                <div className="field__hint tabular">
                  {formatCurrency(r.spentMicros / 1e6, r.currency)} spent in {r.daysElapsed}/{r.daysInMonth} days ·
                  projected {formatCurrency(r.projectedMicros / 1e6, r.currency)}
                  {r.budgetMicros !== null
                    ? ` of ${formatCurrency(r.budgetMicros / 1e6, r.currency)} (${r.budgetSource === 'account' ? 'account budget' : 'sum of daily budgets'})`
                    : ' · no budget set'}
                </div>
              </li>
            ))}
          </ul>
        </div>
      </section>
    </div>
  )
}
