import { useCallback, useState, type JSX } from 'react'
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
import { ExplorerTable } from './ExplorerTable'
import { nextSort, useSearchQuery, type SortKey, type SortState } from './grid'
import { METRIC_COLUMNS, METRIC_LABELS, metricValue, platformLabel, type MetricColumn } from './format'
import { useRowWindows } from '../../lib/row-windows'
import { useWindowBadges } from '../../lib/window-badges'
import { errorMessage } from '../../lib/errors'
import type { EntityLevel } from '../../../../shared/domain/entities'
import type { EntityForecast } from '../../../../shared/ipc/contracts/ml'

type Level = EntityLevel
interface Crumb {
  level: Level
  parent?: { level: 'campaign' | 'ad_set'; id: string; name: string }
}

const DEFAULT_COLUMNS: MetricColumn[] = ['spend', 'revenue', 'roas', 'conversions', 'cpa', 'ctr', 'cpc', 'cpm']
const LEVEL_TITLES: Record<Level, string> = { campaign: 'Campaigns', ad_set: 'Ad sets', ad: 'Ads' }
/** Rows per window the explorer asks the core for (a screen is ~16 rows; the grid fetches windows as they scroll in). */
const WINDOW = 200
/** Rows per request of a CSV export (the core's largest window). */
const EXPORT_WINDOW = 1000

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
  const [showArchived, setShowArchived] = useState(false)
  const [sort, setSort] = useState<SortState>({ key: 'spend', dir: 'desc' })
  const [columns, setColumns] = useState<MetricColumn[]>(DEFAULT_COLUMNS)
  const [showColumns, setShowColumns] = useState(false)
  const [detail, setDetail] = useState<EntityRow | null>(null)
  const crumb = path[path.length - 1] as Crumb

  // The core filters, sorts and slices: the explorer asks for the rows in view plus a margin.
  const [query, setQuery] = useSearchQuery(search)
  const ask = useCallback(
    (offset: number, limit: number) =>
      getClient().invoke('analytics:getBreakdown', {
        workspaceId: workspaceId as number,
        range,
        level: crumb.level,
        compare,
        ...(crumb.parent ? { parent: { level: crumb.parent.level, id: crumb.parent.id } } : {}),
        window: {
          offset,
          limit,
          sort: sort.key,
          dir: sort.dir,
          search: query,
          ...(platform !== 'all' ? { platform: platform as EntityRow['platform'] & string } : {}),
          archived: showArchived,
        },
      }),
    [workspaceId, range, crumb, compare, sort, query, platform, showArchived],
  )
  const queryKey = JSON.stringify({ workspaceId, range, compare, crumb, sort, query, platform, showArchived })
  const state = usePageData({
    key: workspaceId === null ? null : queryKey,
    load: () => ask(0, WINDOW),
    tables: CAMPAIGNS_TABLES,
    workspaceId,
  })
  // Prediction badges: the active model's 14-day forecasts for campaigns and ad sets (none until a
  // model is trained; failures only hide the badges), asked for the rows loaded: those of the first
  // window here (refreshed when a model is trained), those of later windows as they load.
  const entityType = crumb.level === 'ad' ? null : crumb.level
  const badgesOf = useCallback(
    async (ids: number[]): Promise<Map<string, EntityForecast>> => {
      if (workspaceId === null || entityType === null || ids.length === 0) return new Map()
      const list = await getClient().invoke('ml:listEntityForecasts', { workspaceId, entityType, ids })
      return new Map(list.map((f) => [String(f.entityId), f]))
    },
    [workspaceId, entityType],
  )
  const firstIds = JSON.stringify(state.data?.rows.map((r) => Number(r.id)) ?? [])
  const forecastState = usePageData({
    key: workspaceId === null || entityType === null || !state.data ? null : `${workspaceId}|${entityType}|${firstIds}`,
    load: async () => badgesOf(JSON.parse(firstIds) as number[]),
    tables: FORECAST_TABLES,
    workspaceId,
  })
  // Later windows' badges, asked as the windows load and again for a newly trained model.
  const { badges, loaded } = useWindowBadges(entityType !== null ? forecastState.data : undefined, state.data, badgesOf)
  const fetchWindow = useCallback(
    async (offset: number) => {
      const w = await ask(offset, WINDOW)
      loaded(w.rows.map((r) => Number(r.id)))
      return w
    },
    [ask, loaded],
  )
  const list = useRowWindows(state.data, fetchWindow, WINDOW)
  const currency = state.data?.currency ?? 'USD'
  const convertedFrom = state.data?.convertedFrom ?? []
  // Archived (deleted) entities are left out of the list unless asked for; their spend counts anyway.
  const archivedCount = state.data?.archived ?? 0
  const forecasts = entityType !== null ? badges : NO_FORECASTS

  const onSort = (key: SortKey): void => setSort((s) => nextSort(s, key))
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
          setQuery('')
        }
  const [exporting, setExporting] = useState(false)
  const [exportError, setExportError] = useState<string | null>(null)
  const exportCsv = async (): Promise<void> => {
    // Every matching row, window by window, in the order shown.
    setExporting(true)
    setExportError(null)
    const all: EntityRow[] = []
    try {
      for (;;) {
        const w = await ask(all.length, EXPORT_WINDOW)
        all.push(...w.rows)
        if (w.rows.length < EXPORT_WINDOW || all.length >= (w.total ?? 0)) break
      }
    } catch (err) {
      setExportError(`The export stopped: ${errorMessage(err)}`)
      return
    } finally {
      setExporting(false)
    }
    const cols: ExportColumn<EntityRow>[] = [
      { header: 'id', value: (r) => r.id },
      { header: 'name', value: (r) => r.name },
      { header: 'platform', value: (r) => platformLabel(r.platform) },
      ...columns.map((c) => ({
        header: `${METRIC_LABELS[c]}${['spend', 'revenue', 'cpa', 'cpc', 'cpm'].includes(c) ? ` (${currency})` : ''}`,
        value: (r: EntityRow) => metricValue(c, r.totals, r.kpis),
      })),
    ]
    downloadCsv(`${LEVEL_TITLES[crumb.level].toLowerCase().replace(' ', '-')}-${range.from}-${range.to}.csv`, cols, all)
  }

  const body = (
    <LoadState
      state={state}
      what="the explorer"
      loading={<Skeleton height={400} />}
      isEmpty={(b) => b.rows.length === 0 && !query && platform === 'all'}
      empty={
        <EmptyState title="Nothing delivered in this range">Pick a longer date range or another workspace.</EmptyState>
      }
    >
      {() => (
        <ExplorerTable
          count={list.count}
          rowAt={list.rowAt}
          onRange={list.onRange}
          query={queryKey}
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
        {archivedCount > 0 || showArchived ? (
          <label className="switch" data-testid="explorer-archived">
            <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} />
            Show archived ({archivedCount.toLocaleString('en-US')})
          </label>
        ) : null}
        <span className="toolbar__spacer" />
        <span className="field__hint" data-testid="explorer-count">
          {list.count.toLocaleString('en-US')} {LEVEL_TITLES[crumb.level].toLowerCase()}
          {convertedFrom.length ? ` · converted from ${convertedFrom.join(', ')} to ${currency}` : ''}
        </span>
        <button
          type="button"
          className="btn btn--sm"
          onClick={() => void exportCsv()}
          disabled={!list.count || exporting}
          data-testid="export-csv"
        >
          {exporting ? 'Exporting…' : 'Export CSV'}
        </button>
        {exportError ? (
          <span className="field__error" role="alert">
            {exportError}
          </span>
        ) : null}
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
