import { useCallback, useEffect, useRef, useState, type JSX } from 'react'
import type { z } from 'zod'
import type {
  ComparisonSchema,
  CreativeListSchema,
  FormatComparisonSchema,
} from '../../../../shared/ipc/contracts/analytics-insights'
import { getClient } from '../../api/client'
import { Chart } from '../../components/Chart'
import { PageFrame } from '../../components/PageFrame'
import { LoadState } from '../../components/LoadState'
import { EmptyState, Skeleton } from '../../components/States'
import type { ChartPalette } from '../../lib/chart-theme'
import { errorMessage } from '../../lib/errors'
import { downloadChartPng, downloadCsv } from '../../lib/export'
import { useRowWindows } from '../../lib/row-windows'
import { CREATIVES_WINDOW } from '../../../../shared/domain/row-window'
import { formatInteger, formatPercent } from '../../lib/format'
import { METRIC_DATA, usePageData, type DataTable } from '../../lib/page-data'
import { useWorkspaceStore } from '../../stores/workspace-store'
import './analytics.css'
import { asChartOption } from './charts'
import { FatiguePanel, formatsOption, STATE_BADGE, Thumb } from './CreativeParts'
import { CreativesTable } from './CreativesTable'
import { nextSort, useSearchQuery, type SortKey, type SortState } from './grid'
import { formatMetric } from './format'

type CreativeList = z.infer<typeof CreativeListSchema>
type Creative = CreativeList['rows'][number]

/** Ads per window asked of the core (a screen shows ~13; the grid fetches windows as they scroll in). */
const WINDOW = CREATIVES_WINDOW
/** Ads per request of a CSV export (500 rows with their fatigue are ~0.5 MB: well under the 1 MB an answer may be). */
const EXPORT_WINDOW = 500
type Formats = z.infer<typeof FormatComparisonSchema>
type Comparison = z.infer<typeof ComparisonSchema>

/** Creative views read the metric rows, the ads and their creatives (thumbnails, formats). */
export const CREATIVE_TABLES: readonly DataTable[] = [...METRIC_DATA, 'ads', 'creatives']

/** Creatives: gallery or table with fatigue, the format comparison, and an A/B comparison of two ads. */
export function CreativesPage(): JSX.Element {
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const range = useWorkspaceStore((s) => s.range)
  const [view, setView] = useState<'table' | 'gallery'>('table')
  const [open, setOpen] = useState<number | null>(null)
  const [picked, setPicked] = useState<number[]>([])
  const [sort, setSort] = useState<SortState>({ key: 'spend', dir: 'desc' })
  const [search, setSearch] = useState('')
  const [query] = useSearchQuery(search)
  /** Ads the gallery shows (it grows a window at a time). */
  const [shown, setShown] = useState(WINDOW)
  const formatsBox = useRef<HTMLDivElement>(null)

  // The core sums, filters and sorts every ad delivered in the range; the page asks for windows.
  const ask = useCallback(
    (offset: number, limit: number) =>
      getClient().invoke('analytics:listCreatives', {
        workspaceId: workspaceId as number,
        range,
        window: { offset, limit, sort: sort.key, dir: sort.dir, search: query },
      }),
    [workspaceId, range, sort, query],
  )
  const queryKey = JSON.stringify({ workspaceId, range, sort, query })
  useEffect(() => setShown(WINDOW), [queryKey])
  const state = usePageData({
    key: workspaceId === null ? null : queryKey,
    load: () => ask(0, WINDOW),
    tables: CREATIVE_TABLES,
    workspaceId,
  })
  const formatsState = usePageData({
    key: workspaceId === null ? null : JSON.stringify({ workspaceId, range }),
    load: (): Promise<Formats> =>
      getClient().invoke('analytics:compareFormats', { workspaceId: workspaceId as number, range }),
    tables: CREATIVE_TABLES,
    workspaceId,
  })
  const fetchWindow = useCallback((offset: number) => ask(offset, WINDOW), [ask])
  const list = useRowWindows(state.data, fetchWindow, WINDOW)
  const rows = state.data?.rows
  const currency = state.data?.currency ?? 'USD'
  const formats = formatsState.data ?? null
  const { onRange } = list
  useEffect(() => {
    if (view === 'gallery') onRange(0, Math.min(shown, list.count) - 1)
  }, [view, shown, list.count, onRange])

  const onSort = (key: SortKey): void => setSort((s) => nextSort(s, key))
  const [exporting, setExporting] = useState<{ done: number; total: number } | null>(null)
  const [exportError, setExportError] = useState<string | null>(null)
  const stopExport = useRef(false)
  const exportCsv = async (): Promise<void> => {
    // Every matching ad, window by window, in the order shown (each window fits its ads' fatigue).
    // The windows are cut from one order of the ads: a change of the data in between (a sync
    // finishing) makes a new order, so the export stops and says so rather than mixing the two.
    stopExport.current = false
    setExportError(null)
    const all: Creative[] = []
    let changed = false
    const off = getClient().on('data:changed', (c) => {
      if (c.tables.some((t) => CREATIVE_TABLES.includes(t))) changed = true
    })
    setExporting({ done: 0, total: list.count })
    try {
      let total = Infinity
      let generation: number | undefined
      for (let offset = 0; offset < total; offset += EXPORT_WINDOW) {
        const w = await ask(offset, EXPORT_WINDOW)
        // The event may come after the answer (the preview's events travel apart): the answer says too.
        if (offset === 0) generation = w.generation
        if (changed || w.generation !== generation || (total !== Infinity && w.total !== total)) {
          setExportError('The data changed during the export (a sync or an import finished). Export again.')
          return
        }
        total = w.total ?? 0
        all.push(...w.rows)
        setExporting({ done: Math.min(offset + EXPORT_WINDOW, total), total })
        if (stopExport.current) return
      }
    } catch (err) {
      setExportError(`The export stopped: ${errorMessage(err)}`)
      return
    } finally {
      off()
      setExporting(null)
    }
    downloadCsv(
      `creatives-${range.from}-${range.to}.csv`,
      [
        { header: 'ad_id', value: (r: Creative) => r.adId },
        { header: 'ad', value: (r) => r.name },
        { header: 'format', value: (r) => r.format },
        { header: 'platform', value: (r) => r.platform },
        { header: `spend_${currency}`, value: (r) => r.kpis.spend },
        { header: 'ctr', value: (r) => r.kpis.ctr },
        { header: 'roas', value: (r) => r.kpis.roas },
        { header: 'fatigue', value: (r) => r.fatigue.state },
        { header: 'days_until_fatigue', value: (r) => r.fatigue.daysUntilFatigue },
      ],
      all,
    )
  }

  const [a, b] = picked
  const comparison = usePageData({
    key:
      workspaceId === null || a === undefined || b === undefined ? null : JSON.stringify({ workspaceId, range, a, b }),
    load: (): Promise<Comparison> =>
      getClient().invoke('analytics:compareEntities', {
        workspaceId: workspaceId as number,
        level: 'ad',
        aId: a as number,
        bId: b as number,
        range,
        metric: 'ctr',
      }),
    tables: CREATIVE_TABLES,
    workspaceId,
  })
  const cmp = picked.length === 2 ? comparison.data : undefined

  const toggle = (id: number): void =>
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(-2)))
  const buildFormats = useCallback(
    (p: ChartPalette) => (formats ? formatsOption(formats, p) : asChartOption({})),
    [formats],
  )

  const total = list.count
  let body: JSX.Element
  if (state.status !== 'ready' || rows === undefined)
    body = (
      <LoadState state={state} what="creatives" loading={<Skeleton height={400} />}>
        {() => null}
      </LoadState>
    )
  else if (total === 0)
    body = query ? (
      <EmptyState title={`No ad named like “${query}” delivered in this range`}>
        Clear the search to see every ad.
      </EmptyState>
    ) : (
      <EmptyState title="No ads delivered in this range">Pick a longer date range or another workspace.</EmptyState>
    )
  else if (view === 'gallery') {
    const count = Math.min(shown, total)
    body = (
      <>
        <div className="gallery" data-testid="creative-gallery">
          {Array.from({ length: count }, (_, i) => {
            const r = list.rowAt(i)
            if (!r)
              return (
                <div key={`pending-${i}`} className="gallery__item" aria-busy="true">
                  <Skeleton height={120} />
                </div>
              )
            return (
              <button
                type="button"
                key={r.adId}
                className="gallery__item"
                onClick={() => setOpen(open === r.adId ? null : r.adId)}
              >
                <Thumb url={r.thumbnailUrl} format={r.format} />
                <span className="gallery__meta">
                  <strong>{r.headline ?? r.name}</strong>
                  <span>
                    {formatMetric('spend', r.kpis.spend, currency)} · CTR {formatMetric('ctr', r.kpis.ctr, currency)} ·
                    ROAS {formatMetric('roas', r.kpis.roas, currency)}
                  </span>
                  <span className={`badge ${STATE_BADGE[r.fatigue.state] ?? ''}`}>
                    {r.fatigue.state.replace('_', ' ')}
                  </span>
                </span>
              </button>
            )
          })}
        </div>
        {count < total ? (
          <div className="gallery__more">
            <button type="button" className="btn btn--sm" onClick={() => setShown((n) => n + WINDOW)}>
              Show {formatInteger(Math.min(WINDOW, total - count))} more
            </button>
            <span className="field__hint">
              {formatInteger(count)} of {formatInteger(total)} ads shown; the table lists them all.
            </span>
          </div>
        ) : null}
      </>
    )
  } else
    body = (
      <CreativesTable
        count={total}
        rowAt={list.rowAt}
        onRange={list.onRange}
        query={queryKey}
        currency={currency}
        sort={sort}
        onSort={onSort}
        picked={picked}
        onPick={toggle}
        onOpen={(id) => setOpen(open === id ? null : id)}
      />
    )

  return (
    <PageFrame id="creatives" meta={state.refreshing ? 'Updating…' : undefined}>
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="View">
          <button
            type="button"
            className="btn btn--sm"
            aria-pressed={view === 'table'}
            onClick={() => setView('table')}
          >
            Table
          </button>
          <button
            type="button"
            className="btn btn--sm"
            aria-pressed={view === 'gallery'}
            onClick={() => setView('gallery')}
          >
            Gallery
          </button>
        </div>
        <input
          type="search"
          className="input"
          placeholder="Search ads by name"
          aria-label="Search ads by name"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="creative-search"
        />
        {view === 'gallery' ? (
          <label className="field__hint">
            Sorted by{' '}
            <select
              className="select"
              aria-label="Sort the gallery by"
              value={`${sort.key}|${sort.dir}`}
              onChange={(e) => {
                const [key, dir] = e.target.value.split('|') as [SortKey, 'asc' | 'desc']
                setSort({ key, dir })
              }}
            >
              <option value="spend|desc">highest spend</option>
              <option value="ctr|desc">highest CTR</option>
              <option value="roas|desc">highest ROAS</option>
              <option value="name|asc">name</option>
            </select>
          </label>
        ) : (
          <span className="field__hint">Tick two ads to compare their CTR.</span>
        )}
        <span className="toolbar__spacer" />
        {state.status === 'ready' ? (
          <span className="field__hint" data-testid="creative-count">
            {formatInteger(total)} {total === 1 ? 'ad' : 'ads'}
          </span>
        ) : null}
        {exporting ? (
          <>
            <span className="field__hint" role="status">
              Exporting {formatInteger(exporting.done)} of {formatInteger(exporting.total)}…
            </span>
            <button type="button" className="btn btn--sm" onClick={() => (stopExport.current = true)}>
              Stop
            </button>
          </>
        ) : (
          <button type="button" className="btn btn--sm" disabled={!total} onClick={() => void exportCsv()}>
            Export CSV
          </button>
        )}
      </div>
      {exportError ? (
        <p className="field__error" role="alert">
          {exportError}
        </p>
      ) : null}
      {cmp ? (
        <p className="note note--info" data-testid="comparison">
          {cmp.summary}
        </p>
      ) : null}
      {picked.length === 2 && comparison.status === 'error' ? (
        <p className="field__error" role="alert">
          Could not compare these ads: {errorMessage(comparison.error)}
        </p>
      ) : null}
      {open !== null && workspaceId !== null ? (
        <section className="card">
          <div className="card__body">
            <FatiguePanel workspaceId={workspaceId} adId={open} />
          </div>
        </section>
      ) : null}
      {body}
      {formats && formats.rows.length ? (
        <section className="card" aria-labelledby="formats-title" style={{ marginTop: 16 }}>
          <div className="card__header">
            <h2 id="formats-title">Formats compared</h2>
            <button
              type="button"
              className="btn btn--sm"
              onClick={() => downloadChartPng('formats.png', formatsBox.current)}
            >
              Export PNG
            </button>
          </div>
          <div className="card__body" ref={formatsBox}>
            <Chart build={buildFormats} ariaLabel="CTR by creative format with 95% intervals" height={240} />
            <table className="table" data-testid="format-table">
              <thead>
                <tr>
                  <th>Format</th>
                  <th className="num">Ads</th>
                  <th className="num">Spend</th>
                  <th className="num">CTR (95% CI)</th>
                  <th className="num">CVR (95% CI)</th>
                  <th className="num">ROAS (95% CI)</th>
                </tr>
              </thead>
              <tbody>
                {formats.rows.map((f) => (
                  <tr key={f.format}>
                    <td>{f.format}</td>
                    <td className="num">{f.ads}</td>
                    <td className="num tabular">{formatMetric('spend', f.kpis.spend, formats.currency)}</td>
                    <td className="num tabular">
                      {formatMetric('ctr', f.kpis.ctr, currency)}{' '}
                      {f.ctrCi ? `(${formatPercent(f.ctrCi[0])}–${formatPercent(f.ctrCi[1])})` : ''}
                    </td>
                    <td className="num tabular">
                      {formatMetric('cvr', f.kpis.cvr, currency)}{' '}
                      {f.cvrCi ? `(${formatPercent(f.cvrCi[0])}–${formatPercent(f.cvrCi[1])})` : ''}
                    </td>
                    <td className="num tabular">
                      {formatMetric('roas', f.kpis.roas, currency)}{' '}
                      {f.roasCi ? `(${f.roasCi[0].toFixed(2)}–${f.roasCi[1].toFixed(2)}x)` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </PageFrame>
  )
}
