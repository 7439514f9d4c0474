import { useCallback, useRef, useState, type JSX } from 'react'
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
import { formatPercent } from '../../lib/format'
import { METRIC_DATA, usePageData, type DataTable } from '../../lib/page-data'
import { useWorkspaceStore } from '../../stores/workspace-store'
import './analytics.css'
import { asChartOption } from './charts'
import { FatiguePanel, formatsOption, STATE_BADGE, Thumb } from './CreativeParts'
import { formatMetric, platformLabel } from './format'

type CreativeList = z.infer<typeof CreativeListSchema>
type Creative = CreativeList['rows'][number]
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
  const formatsBox = useRef<HTMLDivElement>(null)

  const state = usePageData({
    key: workspaceId === null ? null : JSON.stringify({ workspaceId, range }),
    load: async (): Promise<{ list: CreativeList; formats: Formats }> => {
      const q = { workspaceId: workspaceId as number, range }
      const [list, formats] = await Promise.all([
        getClient().invoke('analytics:listCreatives', { ...q, limit: 300 }),
        getClient().invoke('analytics:compareFormats', q),
      ])
      return { list, formats }
    },
    tables: CREATIVE_TABLES,
    workspaceId,
  })
  const rows = state.data?.list.rows
  const currency = state.data?.list.currency ?? 'USD'
  const formats = state.data?.formats ?? null

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

  let body: JSX.Element
  if (state.status !== 'ready' || rows === undefined)
    body = (
      <LoadState state={state} what="creatives" loading={<Skeleton height={400} />}>
        {() => null}
      </LoadState>
    )
  else if (rows.length === 0) body = <EmptyState title="No ads delivered in this range" />
  else if (view === 'gallery')
    body = (
      <div className="gallery" data-testid="creative-gallery">
        {rows.map((r) => (
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
                {formatMetric('spend', r.kpis.spend, currency)} · CTR {formatMetric('ctr', r.kpis.ctr, currency)} · ROAS{' '}
                {formatMetric('roas', r.kpis.roas, currency)}
              </span>
              <span className={`badge ${STATE_BADGE[r.fatigue.state] ?? ''}`}>{r.fatigue.state.replace('_', ' ')}</span>
            </span>
          </button>
        ))}
      </div>
    )
  else
    body = (
      <div className="table-wrap">
        <table className="table" data-testid="creative-table">
          <thead>
            <tr>
              <th aria-label="Compare" />
              <th>Ad</th>
              <th>Format</th>
              <th>Platform</th>
              <th className="num">Spend</th>
              <th className="num">CTR</th>
              <th className="num">ROAS</th>
              <th>Fatigue</th>
              <th className="num">Days to fatigue</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.adId}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Compare ${r.name}`}
                    checked={picked.includes(r.adId)}
                    onChange={() => toggle(r.adId)}
                  />
                </td>
                <td>
                  <button type="button" className="link" onClick={() => setOpen(open === r.adId ? null : r.adId)}>
                    {r.name}
                  </button>
                  <div className="field__hint">{r.headline}</div>
                </td>
                <td>{r.format}</td>
                <td>{platformLabel(r.platform)}</td>
                <td className="num tabular">{formatMetric('spend', r.kpis.spend, currency)}</td>
                <td className="num tabular">{formatMetric('ctr', r.kpis.ctr, currency)}</td>
                <td className="num tabular">{formatMetric('roas', r.kpis.roas, currency)}</td>
                <td>
                  <span className={`badge ${STATE_BADGE[r.fatigue.state] ?? ''}`} title={r.fatigue.explanation}>
                    {r.fatigue.state.replace('_', ' ')}
                  </span>
                </td>
                <td className="num tabular">
                  {r.fatigue.daysUntilFatigue === null
                    ? '—'
                    : r.fatigue.daysUntilFatigue > 365
                      ? '> 1 year'
                      : r.fatigue.daysUntilFatigue}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
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
        <span className="field__hint">Tick two ads to compare their CTR.</span>
        <span className="toolbar__spacer" />
        <button
          type="button"
          className="btn btn--sm"
          disabled={!rows?.length}
          onClick={() =>
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
              rows ?? [],
            )
          }
        >
          Export CSV
        </button>
      </div>
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
