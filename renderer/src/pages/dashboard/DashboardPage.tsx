import { lazy, Suspense, type JSX } from 'react'
import { PLATFORM_LABELS, type PlatformId } from '../../../../shared/domain/entities'
import type { DateRange, Totals } from '../../../../shared/domain/metrics'
import type { Summary, TrendPoint } from '../../../../shared/ipc/contract'
import { getClient } from '../../api/client'
import { Icon } from '../../components/Icon'
import { KpiTile, KpiTileSkeleton } from '../../components/KpiTile'
import { LoadState } from '../../components/LoadState'
import { kpiSeries } from '../../lib/kpi-series'
import { buildProgress, PageFrame, useActiveDemoBuild } from '../../components/PageFrame'
import { EmptyState, ErrorState, Skeleton } from '../../components/States'
import { formatRange } from '../../lib/date-presets'
import { KPI_ORDER } from '../../lib/format'
import { METRIC_DATA, usePageData, type DataTable } from '../../lib/page-data'
import { useRouterStore } from '../../stores/router-store'
import { selectCurrentWorkspace, useWorkspaceStore } from '../../stores/workspace-store'
import { NoDataHint } from './NoDataHint'
import { DashboardInsights } from '../analytics/DashboardInsights'
import { useAnomalyMarkers } from '../analytics/use-anomaly-markers'

/** Totals and trends are summed from the metric tables and converted at the workspace's rates. */
export const DASHBOARD_TABLES: readonly DataTable[] = METRIC_DATA

interface DashboardData {
  summary: Summary
  trend: TrendPoint[]
  trendCurrency: string
}

async function loadDashboard(q: { workspaceId: number; range: DateRange; compare: boolean }): Promise<DashboardData> {
  const client = getClient()
  const [summary, trend] = await Promise.all([
    client.invoke('dashboard:getSummary', q),
    client.invoke('dashboard:getTrend', { workspaceId: q.workspaceId, range: q.range }),
  ])
  return { summary, trend: trend.points, trendCurrency: trend.currency }
}

// ECharts is most of the bundle; loading it with the chart keeps the first paint light.
const TrendChart = lazy(async () => ({ default: (await import('./TrendChart')).TrendChart }))

function isEmptyTotals(t: Totals): boolean {
  return t.spendMicros === 0 && t.revenueMicros === 0 && t.impressions === 0 && t.clicks === 0 && t.conversions === 0
}

function listWords(items: string[]): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`
}

function SummaryNotes({ summary }: { summary: Summary }): JSX.Element | null {
  const notes: JSX.Element[] = []
  if (summary.convertedFrom.length > 0) {
    notes.push(
      <p key="fx" className="note note--info" data-testid="note-converted">
        <Icon name="info" size={14} />
        Converted from {listWords(summary.convertedFrom)} to {summary.currency} at monthly rates.
      </p>,
    )
  }
  if (summary.provisionalDays > 0) {
    const n = summary.provisionalDays
    notes.push(
      <p key="prov" className="note note--warning" data-testid="note-provisional">
        <Icon name="warning" size={14} />
        {n === 1 ? '1 recent day' : `${n} recent days`} may still change as late conversions arrive.
      </p>,
    )
  }
  notes.push(...attributionNotes(summary))
  return notes.length ? <div className="notes">{notes}</div> : null
}

/**
 * Which attribution the range's conversions follow, per platform (so a marketer comparing with Ads
 * Manager knows what to compare), and a warning where a platform's setting changed inside the range.
 */
function attributionNotes(summary: Summary): JSX.Element[] {
  if (summary.attribution.length === 0) return []
  const byPlatform = new Map<PlatformId, Summary['attribution']>()
  for (const a of summary.attribution) byPlatform.set(a.platform, [...(byPlatform.get(a.platform) ?? []), a])
  const same = [...byPlatform].filter(([, list]) => list.length === 1)
  const mixed = [...byPlatform].filter(([, list]) => list.length > 1)
  const out: JSX.Element[] = []
  if (same.length > 0)
    out.push(
      <p key="attr" className="note note--info" data-testid="note-attribution">
        <Icon name="info" size={14} />
        <span>
          Conversions counted with {same.map(([p, [a]]) => `${PLATFORM_LABELS[p]}: ${a?.label ?? ''}`).join('; ')}.
        </span>
      </p>,
    )
  for (const [p, list] of mixed)
    out.push(
      <p key={`attr-${p}`} className="note note--warning" data-testid="note-attribution-mixed">
        <Icon name="warning" size={14} />
        <span>
          {PLATFORM_LABELS[p]} conversions in this range were counted two ways:{' '}
          {list.map((a) => `${a.days} account-day${a.days === 1 ? '' : 's'} with ${a.label}`).join(', ')}. Re-sync the
          history to count every day the same way.
        </span>
      </p>,
    )
  return out
}

function LoadingView(): JSX.Element {
  return (
    <div aria-busy="true" aria-label="Loading dashboard" className="dashboard-loading">
      <div className="kpi-grid">
        {KPI_ORDER.map((k) => (
          <KpiTileSkeleton key={k} />
        ))}
      </div>
      <div className="card card__body">
        <Skeleton width={160} height={14} />
        <Skeleton height={260} style={{ marginTop: 16 }} />
      </div>
    </div>
  )
}

export function DashboardPage(): JSX.Element {
  const workspaceStatus = useWorkspaceStore((s) => s.status)
  const workspaceError = useWorkspaceStore((s) => s.error)
  const loadWorkspaces = useWorkspaceStore((s) => s.loadWorkspaces)
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const workspace = useWorkspaceStore(selectCurrentWorkspace)
  const range = useWorkspaceStore((s) => s.range)
  const compare = useWorkspaceStore((s) => s.compare)
  const navigate = useRouterStore((s) => s.navigate)
  const markers = useAnomalyMarkers(workspaceId, range)
  const demoBuild = useActiveDemoBuild()
  const query = workspaceId === null ? null : { workspaceId, range, compare }
  const state = usePageData({
    key: query && JSON.stringify(query),
    load: () => loadDashboard(query as NonNullable<typeof query>),
    tables: DASHBOARD_TABLES,
    workspaceId,
  })

  const meta = workspace ? (
    <>
      {workspace.name}
      {state.refreshing ? <span className="header__updating"> · Updating…</span> : null}
    </>
  ) : null

  let body: JSX.Element
  if (workspaceStatus === 'error') {
    body = (
      <ErrorState
        title="Could not load workspaces"
        message={workspaceError ?? 'Unknown error'}
        onRetry={() => void loadWorkspaces()}
      />
    )
  } else if (workspaceStatus === 'ready' && workspaceId === null && demoBuild) {
    // A first start: the demo is being built and there is no workspace yet.
    body = (
      <EmptyState title="Building the demo workspace">
        {`${buildProgress(demoBuild)}It appears here when the build ends; the jobs panel shows its progress.`}
      </EmptyState>
    )
  } else if (workspaceStatus === 'ready' && workspaceId === null) {
    body = (
      <EmptyState
        title="No workspaces yet"
        actions={
          <button type="button" className="btn btn--primary" onClick={() => navigate('settings')}>
            Open Settings
          </button>
        }
      >
        Rebuild the demo workspace from Settings to explore Marketing Engine with sample data.
      </EmptyState>
    )
  } else {
    body = (
      <LoadState state={state} what="the dashboard" loading={<LoadingView />}>
        {(data) => <DashboardBody data={data} markers={markers} />}
      </LoadState>
    )
  }

  return (
    <PageFrame id="dashboard" meta={meta}>
      {body}
    </PageFrame>
  )
}

function DashboardBody({
  data: { summary, trend, trendCurrency },
  markers,
}: {
  data: DashboardData
  markers: ReturnType<typeof useAnomalyMarkers>
}): JSX.Element {
  const workspace = useWorkspaceStore(selectCurrentWorkspace)
  const currency = summary.currency
  const previousLabel = summary.previousRange ? formatRange(summary.previousRange) : undefined
  const empty = isEmptyTotals(summary.totals)
  return (
    <>
      <div className="dashboard-context">
        <p>
          <span className="tabular">{formatRange(summary.range)}</span>
          {previousLabel ? (
            <span className="dashboard-context__compare">
              {' '}
              compared with <span className="tabular">{previousLabel}</span>
            </span>
          ) : null}
          <span className="dashboard-context__currency"> · {currency}</span>
        </p>
      </div>
      <SummaryNotes summary={summary} />
      <section aria-label="Key metrics" className="kpi-grid" data-testid="kpi-grid">
        {KPI_ORDER.map((k) => (
          <KpiTile
            key={k}
            kpi={k}
            value={summary.kpis[k]}
            previous={summary.previousKpis ? summary.previousKpis[k] : undefined}
            currency={currency}
            previousLabel={previousLabel}
            series={trend.length > 1 ? kpiSeries(trend, k) : undefined}
          />
        ))}
      </section>
      <section className="card" aria-labelledby="trend-title" data-testid="trend-card">
        <div className="card__header">
          <div>
            <h2 id="trend-title">Spend and revenue</h2>
            <p>Daily totals in {trendCurrency ?? currency}</p>
          </div>
        </div>
        <div className="card__body">
          {empty && workspace ? (
            <NoDataHint workspaceId={workspace.id} accountCount={workspace.accountCount} />
          ) : (
            <Suspense fallback={<Skeleton height={300} />}>
              <TrendChart points={trend} currency={trendCurrency ?? currency} markers={markers} />
            </Suspense>
          )}
        </div>
      </section>
      {workspace && !empty ? <DashboardInsights workspaceId={workspace.id} range={summary.range} /> : null}
    </>
  )
}
