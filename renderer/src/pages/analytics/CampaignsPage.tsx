import { useMemo, useState, type JSX } from 'react'
import type { EntityRow } from '../../../../shared/ipc/contracts/analytics-schemas'
import { getClient } from '../../api/client'
import { PageFrame } from '../../components/PageFrame'
import { LoadState } from '../../components/LoadState'
import { EmptyState, Skeleton } from '../../components/States'
import { downloadCsv, type ExportColumn } from '../../lib/export'
import { METRIC_DATA, usePageData, type DataTable } from '../../lib/page-data'
import { useWorkspaceStore } from '../../stores/workspace-store'
import './analytics.css'
import { EntityDrawer } from './EntityDrawer'
import { ExplorerTable, type SortKey, type SortState } from './ExplorerTable'
import { METRIC_COLUMNS, METRIC_LABELS, metricValue, platformLabel, type MetricColumn } from './format'
import type { EntityLevel } from '../../../../shared/domain/entities'
import type { EntityForecast } from '../../../../shared/ipc/contracts/ml'

type Level = EntityLevel
interface Crumb {
  level: Level
  parent?: { level: 'campaign' | 'ad_set'; id: string; name: string }
}

const DEFAULT_COLUMNS: MetricColumn[] = ['spend', 'revenue', 'roas', 'conversions', 'cpa', 'ctr', 'cpc', 'cpm']
const LEVEL_TITLES: Record<Level, string> = { campaign: 'Campaigns', ad_set: 'Ad sets', ad: 'Ads' }

/** The explorer reads the metric rows and the campaigns, ad sets and ads they roll up to (names, status, budgets). */
export const CAMPAIGNS_TABLES: readonly DataTable[] = [...METRIC_DATA, 'campaigns', 'ad_sets', 'ads']
/** Prediction badges come from the active model's stored forecasts. */
const FORECAST_TABLES: readonly DataTable[] = ['models', 'predictions']
const NO_FORECASTS: ReadonlyMap<string, EntityForecast> = new Map()

/** Campaign explorer: sort, filter, search, columns, drill-down with breadcrumbs, detail drawer, CSV export. */
export function CampaignsPage(): JSX.Element {
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const range = useWorkspaceStore((s) => s.range)
  const compare = useWorkspaceStore((s) => s.compare)
  const [path, setPath] = useState<Crumb[]>([{ level: 'campaign' }])
  const [search, setSearch] = useState('')
  const [platform, setPlatform] = useState('all')
  const [sort, setSort] = useState<SortState>({ key: 'spend', dir: 'desc' })
  const [columns, setColumns] = useState<MetricColumn[]>(DEFAULT_COLUMNS)
  const [showColumns, setShowColumns] = useState(false)
  const [detail, setDetail] = useState<EntityRow | null>(null)
  const crumb = path[path.length - 1] as Crumb

  const state = usePageData({
    key: workspaceId === null ? null : JSON.stringify({ workspaceId, range, compare, crumb }),
    load: () =>
      getClient().invoke('analytics:getBreakdown', {
        workspaceId: workspaceId as number,
        range,
        level: crumb.level,
        compare,
        ...(crumb.parent ? { parent: { level: crumb.parent.level, id: crumb.parent.id } } : {}),
      }),
    tables: CAMPAIGNS_TABLES,
    workspaceId,
  })
  const rows = state.data?.rows
  const currency = state.data?.currency ?? 'USD'
  const convertedFrom = state.data?.convertedFrom ?? []

  // Prediction badges: the active model's 14-day forecasts for campaigns and ad sets (none until a
  // model is trained; failures only hide the badges).
  const entityType = crumb.level === 'ad' ? null : crumb.level
  const forecastState = usePageData({
    key: workspaceId === null || entityType === null ? null : JSON.stringify({ workspaceId, entityType }),
    load: async () => {
      const list = await getClient().invoke('ml:listEntityForecasts', {
        workspaceId: workspaceId as number,
        entityType: entityType as NonNullable<typeof entityType>,
      })
      return new Map(list.map((f) => [String(f.entityId), f])) as ReadonlyMap<string, EntityForecast>
    },
    tables: FORECAST_TABLES,
    workspaceId,
  })
  const forecasts = (entityType !== null && forecastState.data) || NO_FORECASTS

  const shown = useMemo(() => {
    const q = search.trim().toLowerCase()
    const list = (rows ?? []).filter(
      (r) => (platform === 'all' || r.platform === platform) && (!q || r.name.toLowerCase().includes(q)),
    )
    const dir = sort.dir === 'asc' ? 1 : -1
    const key = sort.key
    return list.sort((a, b) => {
      if (key === 'name') return dir * a.name.localeCompare(b.name)
      const va = metricValue(key, a.totals, a.kpis)
      const vb = metricValue(key, b.totals, b.kpis)
      if (va === null) return 1
      if (vb === null) return -1
      return dir * (va - vb) || a.name.localeCompare(b.name)
    })
  }, [rows, search, platform, sort])

  const onSort = (key: SortKey): void =>
    setSort((s) =>
      s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'name' ? 'asc' : 'desc' },
    )
  const drill =
    crumb.level === 'ad'
      ? undefined
      : (r: EntityRow): void => {
          const next: Crumb =
            crumb.level === 'campaign'
              ? { level: 'ad_set', parent: { level: 'campaign', id: r.id, name: r.name } }
              : { level: 'ad', parent: { level: 'ad_set', id: r.id, name: r.name } }
          setPath((p) => [...p, next])
          setSearch('')
        }
  const exportCsv = (): void => {
    const cols: ExportColumn<EntityRow>[] = [
      { header: 'id', value: (r) => r.id },
      { header: 'name', value: (r) => r.name },
      { header: 'platform', value: (r) => platformLabel(r.platform) },
      ...columns.map((c) => ({
        header: `${METRIC_LABELS[c]}${['spend', 'revenue', 'cpa', 'cpc', 'cpm'].includes(c) ? ` (${currency})` : ''}`,
        value: (r: EntityRow) => metricValue(c, r.totals, r.kpis),
      })),
    ]
    downloadCsv(
      `${LEVEL_TITLES[crumb.level].toLowerCase().replace(' ', '-')}-${range.from}-${range.to}.csv`,
      cols,
      shown,
    )
  }

  const body = (
    <LoadState
      state={state}
      what="the explorer"
      loading={<Skeleton height={400} />}
      isEmpty={(b) => b.rows.length === 0}
      empty={
        <EmptyState title="Nothing delivered in this range">Pick a longer date range or another workspace.</EmptyState>
      }
    >
      {() => (
        <ExplorerTable
          rows={shown}
          columns={columns}
          currency={currency}
          sort={sort}
          onSort={onSort}
          {...(drill ? { onDrill: drill } : {})}
          onDetails={setDetail}
          showDelta={compare}
          forecasts={forecasts}
        />
      )}
    </LoadState>
  )

  return (
    <PageFrame id="campaigns" meta={state.refreshing ? 'Updating…' : undefined}>
      <nav className="breadcrumbs" aria-label="Drill-down" data-testid="breadcrumbs">
        {path.map((c, i) => (
          <span key={i}>
            {i > 0 ? ' › ' : ''}
            {i < path.length - 1 ? (
              <button type="button" className="link" onClick={() => setPath((p) => p.slice(0, i + 1))}>
                {c.parent ? c.parent.name : 'All campaigns'}
              </button>
            ) : (
              <strong>{c.parent ? `${c.parent.name} · ${LEVEL_TITLES[c.level]}` : 'All campaigns'}</strong>
            )}
          </span>
        ))}
      </nav>
      <div className="toolbar">
        <input
          className="input"
          type="search"
          placeholder={`Search ${LEVEL_TITLES[crumb.level].toLowerCase()}`}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          aria-label="Search by name"
          data-testid="explorer-search"
        />
        <select
          className="select"
          value={platform}
          onChange={(e) => setPlatform(e.target.value)}
          aria-label="Platform filter"
        >
          <option value="all">All platforms</option>
          <option value="meta">Meta</option>
          <option value="google_ads">Google Ads</option>
          <option value="tiktok">TikTok</option>
          <option value="snapchat">Snapchat</option>
        </select>
        <button
          type="button"
          className="btn btn--sm"
          aria-expanded={showColumns}
          onClick={() => setShowColumns((v) => !v)}
        >
          Columns
        </button>
        <span className="toolbar__spacer" />
        <span className="field__hint" data-testid="explorer-count">
          {shown.length.toLocaleString('en-US')} {LEVEL_TITLES[crumb.level].toLowerCase()}
          {convertedFrom.length ? ` · converted from ${convertedFrom.join(', ')} to ${currency}` : ''}
        </span>
        <button
          type="button"
          className="btn btn--sm"
          onClick={exportCsv}
          disabled={!shown.length}
          data-testid="export-csv"
        >
          Export CSV
        </button>
      </div>
      {showColumns ? (
        <fieldset className="columns-menu">
          <legend className="sr-only">Columns</legend>
          {METRIC_COLUMNS.map((c) => (
            <label key={c}>
              <input
                type="checkbox"
                checked={columns.includes(c)}
                onChange={(e) =>
                  setColumns((cur) =>
                    e.target.checked
                      ? METRIC_COLUMNS.filter((x) => x === c || cur.includes(x))
                      : cur.filter((x) => x !== c),
                  )
                }
              />{' '}
              {METRIC_LABELS[c]}
            </label>
          ))}
        </fieldset>
      ) : null}
      {body}
      {detail && workspaceId !== null ? (
        <EntityDrawer
          workspaceId={workspaceId}
          row={detail}
          range={range}
          onClose={() => setDetail(null)}
          onChanged={state.reload}
        />
      ) : null}
    </PageFrame>
  )
}
