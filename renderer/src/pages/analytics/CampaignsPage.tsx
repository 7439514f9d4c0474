import { useCallback, useEffect, useMemo, useState, type JSX } from 'react'
import { deriveKpis } from '../../../../shared/domain/metrics'
import type { EntityRow } from '../../../../shared/ipc/contracts/analytics-schemas'
import { getClient } from '../../api/client'
import { PageFrame } from '../../components/PageFrame'
import { EmptyState, ErrorState, Skeleton } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { downloadCsv, type ExportColumn } from '../../lib/export'
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

/** Synthetic rows for the explorer harness (`#/campaigns?harness=10000`): the real grid, no core. */
function harnessRows(n: number): EntityRow[] {
  const platforms = ['meta', 'google_ads', 'tiktok', 'snapchat'] as const
  return Array.from({ length: n }, (_, i) => {
    const totals = {
      spendMicros: ((i * 7919) % 100_000) * 1e4,
      revenueMicros: ((i * 104_729) % 300_000) * 1e4,
      impressions: 1000 + ((i * 31) % 90_000),
      clicks: 10 + ((i * 17) % 900),
      conversions: (i * 13) % 60,
      videoViews: 0,
    }
    return {
      level: 'campaign',
      id: String(i + 1),
      name: `Harness campaign ${String(i + 1).padStart(5, '0')}`,
      platform: platforms[i % 4] ?? 'meta',
      accountId: 1,
      campaignId: i + 1,
      adSetId: null,
      status: 'active',
      objective: 'sales',
      period: null,
      totals,
      kpis: deriveKpis(totals),
      previousTotals: null,
      previousKpis: null,
      provisional: false,
    }
  })
}

function harnessSize(): number | null {
  const m = /[?&]harness=(\d+)/.exec(typeof location === 'undefined' ? '' : location.hash)
  return m ? Math.min(100_000, Number(m[1])) : null
}

/** Campaign explorer: sort, filter, search, columns, drill-down with breadcrumbs, detail drawer, CSV export. */
export function CampaignsPage(): JSX.Element {
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const range = useWorkspaceStore((s) => s.range)
  const compare = useWorkspaceStore((s) => s.compare)
  const [path, setPath] = useState<Crumb[]>([{ level: 'campaign' }])
  const [rows, setRows] = useState<EntityRow[] | null>(null)
  const [currency, setCurrency] = useState('USD')
  const [convertedFrom, setConvertedFrom] = useState<string[]>([])
  const [error, setError] = useState<string | null>(null)
  const [search, setSearch] = useState('')
  const [platform, setPlatform] = useState('all')
  const [sort, setSort] = useState<SortState>({ key: 'spend', dir: 'desc' })
  const [columns, setColumns] = useState<MetricColumn[]>(DEFAULT_COLUMNS)
  const [showColumns, setShowColumns] = useState(false)
  const [detail, setDetail] = useState<EntityRow | null>(null)
  const [forecasts, setForecasts] = useState<ReadonlyMap<string, EntityForecast>>(new Map())
  const harness = harnessSize()
  const crumb = path[path.length - 1] as Crumb

  const load = useCallback(async () => {
    if (harness !== null) {
      setRows(harnessRows(harness))
      return
    }
    if (workspaceId === null) return
    setError(null)
    setRows(null)
    try {
      const b = await getClient().invoke('analytics:getBreakdown', {
        workspaceId,
        range,
        level: crumb.level,
        compare,
        ...(crumb.parent ? { parent: { level: crumb.parent.level, id: crumb.parent.id } } : {}),
      })
      setRows(b.rows)
      setCurrency(b.currency)
      setConvertedFrom(b.convertedFrom)
    } catch (err) {
      setError(errorMessage(err))
    }
  }, [harness, workspaceId, range, compare, crumb])

  useEffect(() => {
    void load()
  }, [load])

  // Prediction badges: the active model's 14-day forecasts for campaigns and ad sets (none until a
  // model is trained; failures only hide the badges).
  useEffect(() => {
    const entityType = crumb.level === 'ad' ? null : crumb.level
    if (workspaceId === null || entityType === null || harness !== null) {
      setForecasts(new Map())
      return
    }
    let live = true
    getClient()
      .invoke('ml:listEntityForecasts', { workspaceId, entityType })
      .then((list) => {
        if (live) setForecasts(new Map(list.map((f) => [String(f.entityId), f])))
      })
      .catch(() => {
        if (live) setForecasts(new Map())
      })
    return () => {
      live = false
    }
  }, [workspaceId, crumb.level, harness])

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

  let body: JSX.Element
  if (error) body = <ErrorState title="Could not load the explorer" message={error} onRetry={() => void load()} />
  else if (rows === null) body = <Skeleton height={400} />
  else if (rows.length === 0)
    body = (
      <EmptyState title="Nothing delivered in this range">Pick a longer date range or another workspace.</EmptyState>
    )
  else
    body = (
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
    )

  return (
    <PageFrame
      id="campaigns"
      meta={harness !== null ? `Explorer harness · ${harness.toLocaleString('en-US')} synthetic rows` : undefined}
    >
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
      {detail && workspaceId !== null && harness === null ? (
        <EntityDrawer
          workspaceId={workspaceId}
          row={detail}
          range={range}
          onClose={() => setDetail(null)}
          onChanged={() => void load()}
        />
      ) : null}
    </PageFrame>
  )
}
