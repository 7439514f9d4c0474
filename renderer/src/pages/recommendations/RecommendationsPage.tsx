import { useCallback, useEffect, useState, type JSX } from 'react'
import type { ChartPalette } from '../../../../shared/charts/palette'
import { formatMoney } from '../../../../shared/domain/money'
import {
  KIND_LABELS,
  RECOMMENDATION_KINDS,
  type EvidenceChart,
  type EvidenceMetric,
  type ReallocationRow,
  type RecommendationKind,
  type RecommendationState,
} from '../../../../shared/domain/recommendations'
import type { RecommendationView } from '../../../../shared/ipc/contracts/recommendations'
import { getClient } from '../../api/client'
import { Chart, type ChartOption } from '../../components/Chart'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { PageFrame } from '../../components/PageFrame'
import { Pager } from '../../components/Pager'
import { EmptyState, ErrorState, Skeleton } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { formatTimestamp } from '../../lib/format'
import { usePageData, type DataTable } from '../../lib/page-data'
import { useRouterStore } from '../../stores/router-store'
import { useWorkspaceStore } from '../../stores/workspace-store'
import { AdviceSettings } from './AdviceSettings'
import './recommendations.css'

/** What the page reads: the recommendations and the changes they proposed. */
export const RECOMMENDATIONS_TABLES: readonly DataTable[] = ['recommendations', 'changes', 'workspaces']

/** Recommendations per page, and reallocation rows per "Show more". */
const REC_PAGE = 50
const REALLOC_PAGE = 50

const FILTERS: { id: string; label: string; states: RecommendationState[] }[] = [
  { id: 'new', label: 'New', states: ['new'] },
  { id: 'applied', label: 'Applied', states: ['applied'] },
  { id: 'other', label: 'Snoozed, dismissed, expired', states: ['snoozed', 'dismissed', 'expired'] },
]

const money = (micros: number, currency: string): string => formatMoney(micros, currency)

function metricValue(m: EvidenceMetric, currency: string): string {
  if (m.value === null) return '—'
  switch (m.unit) {
    case 'money':
      return formatMoney(Math.round(m.value * 1e6), currency)
    case 'percent':
      return `${m.value.toFixed(2)}%`
    case 'days':
      return `${Math.round(m.value)} days`
    case 'count':
      return Math.abs(m.value) >= 100
        ? Math.round(m.value).toLocaleString('en-US')
        : String(Math.round(m.value * 100) / 100)
    default:
      return m.value.toFixed(2)
  }
}

function evidenceOption(c: EvidenceChart, p: ChartPalette): ChartOption {
  return {
    grid: { left: 48, right: 16, top: 28, bottom: 28 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, textStyle: { color: p.text } },
    xAxis: {
      type: 'category',
      data: c.x.map(String),
      axisLabel: { color: p.textMuted },
      axisLine: { lineStyle: { color: p.axisLine } },
    },
    yAxis: { type: 'value', axisLabel: { color: p.textMuted }, splitLine: { lineStyle: { color: p.splitLine } } },
    series: c.series.map((s, i) => ({
      name: s.name,
      type: 'line' as const,
      data: s.values,
      showSymbol: false,
      lineStyle: { width: 2, ...(i === 1 ? { type: 'dashed' as const } : {}) },
    })),
  }
}

function curveOption(r: ReallocationRow, p: ChartPalette): ChartOption {
  const pts = r.curve.map((q) => [q.spendMicros / 1e6, q.revenueMicros / 1e6])
  return {
    grid: { left: 56, right: 16, top: 28, bottom: 36 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, textStyle: { color: p.text } },
    xAxis: {
      type: 'value',
      name: 'Daily spend',
      nameLocation: 'middle',
      nameGap: 24,
      axisLabel: { color: p.textMuted },
      splitLine: { show: false },
    },
    yAxis: { type: 'value', axisLabel: { color: p.textMuted }, splitLine: { lineStyle: { color: p.splitLine } } },
    series: [
      {
        name: 'Revenue per day (curve)',
        type: 'line',
        data: pts,
        showSymbol: false,
        lineStyle: { width: 2, color: p.revenue },
      },
      {
        name: 'Before',
        type: 'line',
        data: [[r.spendBeforeMicros / 1e6, r.revenueBeforeMicros / 1e6]],
        symbolSize: 10,
        itemStyle: { color: p.textMuted },
      },
      {
        name: 'After',
        type: 'line',
        data: [[r.spendAfterMicros / 1e6, r.revenueAfterMicros / 1e6]],
        symbolSize: 10,
        itemStyle: { color: p.spend },
      },
    ],
  }
}

function EvidenceChartView({ chart }: { chart: EvidenceChart }): JSX.Element {
  const build = useCallback((p: ChartPalette) => evidenceOption(chart, p), [chart])
  return <Chart build={build} ariaLabel={chart.title} height={180} />
}

function ReallocationView({
  id,
  first,
  total,
  currency,
}: {
  id: number
  first: ReallocationRow[]
  total: number
  currency: string
}): JSX.Element {
  const [selected, setSelected] = useState(0)
  const [more, setMore] = useState<ReallocationRow[]>([])
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const rows = more.length ? [...first, ...more] : first
  const row = rows[selected]
  const build = useCallback((p: ChartPalette) => (row ? curveOption(row, p) : {}), [row])
  const showMore = async (): Promise<void> => {
    setLoading(true)
    setError(null)
    try {
      const page = await getClient().invoke('recommendations:reallocationRows', {
        id,
        offset: rows.length,
        limit: REALLOC_PAGE,
      })
      setMore([...more, ...page.rows])
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }
  return (
    <div className="rec-realloc">
      <div className="table-wrap">
        <table className="table" data-testid="reallocation-table">
          <caption className="visually-hidden">Budgets before and after the reallocation</caption>
          <thead>
            <tr>
              <th scope="col">Entity</th>
              <th scope="col" className="num">
                Budget before
              </th>
              <th scope="col" className="num">
                Budget after
              </th>
              <th scope="col" className="num">
                Marginal ROAS before → after
              </th>
              <th scope="col" className="num">
                Revenue/day (curve) before → after
              </th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => {
              const delta = r.budgetAfterMicros - r.budgetBeforeMicros
              return (
                <tr key={`${r.entityType}:${r.entityId}`} aria-selected={i === selected}>
                  <td>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => setSelected(i)}
                      disabled={!r.curve.length}
                    >
                      {r.name}
                    </button>
                  </td>
                  <td className="num tabular">{money(r.budgetBeforeMicros, currency)}</td>
                  <td className={`num tabular ${delta > 0 ? 'rec-up' : delta < 0 ? 'rec-down' : ''}`}>
                    {money(r.budgetAfterMicros, currency)}
                  </td>
                  <td className="num tabular">
                    {r.spendBeforeMicros > 0
                      ? `${r.marginalRoasBefore.toFixed(2)} → ${r.marginalRoasAfter.toFixed(2)}`
                      : '—'}
                  </td>
                  <td className="num tabular">
                    {r.spendBeforeMicros > 0
                      ? `${money(r.revenueBeforeMicros, currency)} → ${money(r.revenueAfterMicros, currency)}`
                      : '—'}
                  </td>
                  <td className="field__hint">
                    {r.held ?? ''}
                    {r.curveR2 !== null ? ` (R² ${r.curveR2.toFixed(2)})` : ''}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      {rows.length < total ? (
        <div className="pager" data-testid="reallocation-more">
          <span className="field__hint tabular">
            Showing {rows.length.toLocaleString('en-US')} of {total.toLocaleString('en-US')} entities, the largest
            budget moves first.
          </span>
          <button type="button" className="btn btn--sm" disabled={loading} onClick={() => void showMore()}>
            {loading ? 'Loading…' : `Show ${Math.min(REALLOC_PAGE, total - rows.length)} more`}
          </button>
        </div>
      ) : null}
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
      {row && row.curve.length ? (
        <div>
          <h4 className="rec-subtitle">Response curve of {row.name}</h4>
          <Chart
            build={build}
            ariaLabel={`Response curve of ${row.name} with its spend before and after`}
            height={200}
          />
        </div>
      ) : null}
    </div>
  )
}

function changeValueText(v: number | string | null, currency: string): string {
  if (v === null) return '—'
  return typeof v === 'number' ? money(v, currency) : v
}

function AppliedView({ r, onChanged }: { r: RecommendationView; onChanged: () => void }): JSX.Element {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const proposed = r.changeStates.filter((c) => c.state === 'proposed')
  const applied = r.changeStates.filter((c) => c.state === 'applied')
  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      await fn()
      onChanged()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  const f = r.followUp
  return (
    <div className="rec-applied" data-testid="rec-applied">
      <ul className="rec-changes">
        {r.changeStates.map((c) => (
          <li key={c.id} data-testid="rec-change">
            <span
              className={`badge ${c.state === 'applied' ? 'badge--positive' : c.state === 'failed' ? 'badge--negative' : 'badge--info'}`}
            >
              {c.state}
            </span>{' '}
            #{c.id} {c.entityName}: {changeValueText(c.before, r.currency)} → {changeValueText(c.requested, r.currency)}
            {c.state === 'applied' ? ` (the platform reads back ${changeValueText(c.applied, r.currency)})` : ''}
            {c.error ? ` — ${c.error}` : ''}
          </li>
        ))}
      </ul>
      <div className="rec-actions">
        {proposed.length ? (
          <button
            type="button"
            className="btn btn--primary btn--sm"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                for (const c of proposed) await getClient().invoke('changes:approve', { id: c.id, wait: true })
              })
            }
          >
            Approve {proposed.length === 1 ? 'the change' : `all ${proposed.length} changes`}
          </button>
        ) : null}
        {applied.length && r.batchId ? (
          <button
            type="button"
            className="btn btn--sm"
            disabled={busy}
            onClick={() =>
              void act(() => getClient().invoke('changes:undoBatch', { batchId: r.batchId as string, wait: true }))
            }
          >
            Undo on the platform
          </button>
        ) : null}
      </div>
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
      {f ? (
        <p className="rec-followup" data-testid="rec-followup">
          {f.realisedMicros === null
            ? `Follow-up on ${f.dueDate}: the realised change of weekly revenue − spend will be compared with the prediction${f.predicted ? ` (${money(f.predicted.point, r.currency)}, 80%: ${money(f.predicted.lower, r.currency)} to ${money(f.predicted.upper, r.currency)})` : ''}.`
            : `Followed up: predicted ${f.predicted ? money(f.predicted.point, r.currency) : '—'} a week, realised ${money(f.realisedMicros, r.currency)} (${f.withinInterval ? 'inside' : 'outside'} the 80% interval).`}{' '}
          <span className="field__hint">{f.note}</span>
        </p>
      ) : null}
    </div>
  )
}

function RecommendationCard({
  r,
  rank,
  onChanged,
}: {
  r: RecommendationView
  rank: number
  onChanged: () => void
}): JSX.Element {
  const [open, setOpen] = useState(rank === 1)
  const [confirm, setConfirm] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const navigate = useRouterStore((s) => s.navigate)
  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      await fn()
      setConfirm(false)
      onChanged()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  const b = r.body
  return (
    <article className="card rec" data-testid="recommendation" data-kind={r.kind} aria-labelledby={`rec-${r.id}-title`}>
      <div className="card__body">
        <div className="rec__head">
          <span className="rec__rank tabular">{rank}</span>
          <div className="rec__main">
            <div className="rec__badges">
              <span className="badge badge--accent">{KIND_LABELS[r.kind]}</span>
              {r.state !== 'new' ? <span className="badge badge--info">{r.state}</span> : null}
              {r.snoozedUntil && r.state === 'snoozed' ? (
                <span className="field__hint">until {r.snoozedUntil}</span>
              ) : null}
            </div>
            <h3 id={`rec-${r.id}-title`} className="rec__title">
              {r.title}
            </h3>
            <p className="rec__summary">{b.summary}</p>
          </div>
          <div className="rec__impact" data-testid="rec-impact">
            {r.impact ? (
              <>
                <strong className="tabular">{money(r.impact.point, r.currency)}</strong>
                <span className="field__hint">per week</span>
                <span className="field__hint tabular">
                  80%: {money(r.impact.lower, r.currency)} to {money(r.impact.upper, r.currency)}
                </span>
              </>
            ) : (
              <span className="field__hint">Impact not estimated</span>
            )}
            <span className="field__hint">Confidence {Math.round(r.confidence * 100)}%</span>
          </div>
        </div>
        <div className="rec-actions">
          {r.state === 'new' && b.changes.length ? (
            <button type="button" className="btn btn--primary btn--sm" disabled={busy} onClick={() => setConfirm(true)}>
              Apply…
            </button>
          ) : null}
          {b.link ? (
            <button type="button" className="btn btn--sm" onClick={() => navigate(b.link?.route as 'experiments')}>
              {b.link.label}
            </button>
          ) : null}
          {r.state === 'new' || r.state === 'snoozed' ? (
            <>
              <button
                type="button"
                className="btn btn--ghost btn--sm"
                disabled={busy}
                onClick={() => void act(() => getClient().invoke('recommendations:snooze', { id: r.id, days: 7 }))}
              >
                Snooze 7 days
              </button>
              <button
                type="button"
                className="btn btn--ghost btn--sm"
                disabled={busy}
                onClick={() => void act(() => getClient().invoke('recommendations:dismiss', { id: r.id }))}
              >
                Dismiss
              </button>
            </>
          ) : null}
          <button type="button" className="btn btn--ghost btn--sm" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Hide evidence' : 'Evidence'}
          </button>
        </div>
        {error ? (
          <p className="field__error" role="alert">
            {error}
          </p>
        ) : null}
        {r.state === 'applied' ? <AppliedView r={r} onChanged={onChanged} /> : null}
        {open ? (
          <div className="rec-evidence" data-testid="rec-evidence">
            {b.evidence.metrics.length ? (
              <dl className="rec-metrics">
                {b.evidence.metrics.map((m) => (
                  <div key={m.label}>
                    <dt>{m.label}</dt>
                    <dd className="tabular">{metricValue(m, r.currency)}</dd>
                  </div>
                ))}
              </dl>
            ) : null}
            {b.evidence.chart ? <EvidenceChartView chart={b.evidence.chart} /> : null}
            {b.reallocation ? (
              <ReallocationView
                // A regeneration refreshes the table under the same id: rows loaded by "Show more" go with it.
                key={r.seenAt}
                id={r.id}
                first={b.reallocation}
                total={r.reallocationTotal ?? b.reallocation.length}
                currency={r.currency}
              />
            ) : null}
            <ul className="rec-notes">
              {b.evidence.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
              <li>
                <strong>How the impact is estimated:</strong> {b.impactMethod} Checked {b.horizonDays} days after
                applying.
              </li>
            </ul>
          </div>
        ) : null}
      </div>
      <ConfirmDialog
        open={confirm}
        title="Apply this recommendation?"
        confirmLabel="Propose the changes"
        busy={busy}
        onCancel={() => setConfirm(false)}
        onConfirm={() => void act(() => getClient().invoke('recommendations:apply', { id: r.id }))}
      >
        <p>
          These changes go to the change pipeline as “recommendation #{r.id}”. With the workspace’s approval policy they
          wait for your approval below; each can be undone.
        </p>
        <ul>
          {b.changes.map((c) => (
            <li key={`${c.entityType}:${c.entityId}`}>
              {c.name}:{' '}
              {c.action.kind === 'set_budget'
                ? `daily budget → ${money(c.action.dailyBudgetMicros, r.currency)}`
                : c.action.kind === 'pause'
                  ? 'pause'
                  : c.action.kind}
            </li>
          ))}
        </ul>
        {r.changesTotal > b.changes.length ? (
          <p className="field__hint">
            …and {(r.changesTotal - b.changes.length).toLocaleString('en-US')} more: all{' '}
            {r.changesTotal.toLocaleString('en-US')} changes are listed under this recommendation once proposed.
          </p>
        ) : null}
        {error ? (
          <p className="field__error" role="alert">
            {error}
          </p>
        ) : null}
      </ConfirmDialog>
    </article>
  )
}

export function RecommendationsPage(): JSX.Element {
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const [filter, setFilter] = useState('new')
  const [generating, setGenerating] = useState(false)
  const [genError, setGenError] = useState<string | null>(null)
  const [genNote, setGenNote] = useState<string | null>(null)
  const [offset, setOffset] = useState(0)
  const [kind, setKind] = useState<RecommendationKind | 'all'>('all')
  const states = FILTERS.find((f) => f.id === filter)?.states ?? ['new']
  const data = usePageData({
    key: workspaceId === null ? null : `${workspaceId}:${filter}:${kind}:${offset}`,
    tables: RECOMMENDATIONS_TABLES,
    workspaceId,
    load: () =>
      getClient().invoke('recommendations:list', {
        workspaceId: workspaceId as number,
        states,
        ...(kind === 'all' ? {} : { kinds: [kind] }),
        offset,
        limit: REC_PAGE,
      }),
  })
  // Another workspace starts on its first page; a page emptied by applying or dismissing its last
  // recommendations goes back to the last page that has some.
  useEffect(() => setOffset(0), [workspaceId])
  const shownTotal = data.data?.total
  const shownCount = data.data?.items.length
  useEffect(() => {
    if (shownTotal !== undefined && shownCount === 0 && offset > 0 && offset >= shownTotal)
      setOffset(Math.max(0, Math.floor((shownTotal - 1) / REC_PAGE) * REC_PAGE))
  }, [shownTotal, shownCount, offset])
  const showFilter = (id: string): void => {
    setFilter(id)
    setOffset(0)
  }
  const generate = async (): Promise<void> => {
    if (workspaceId === null) return
    setGenerating(true)
    setGenError(null)
    try {
      const g = await getClient().invoke('recommendations:generate', { workspaceId })
      setGenNote(
        `Generated ${formatTimestamp(g.generatedAt)} in ${g.seconds.toFixed(1)} s: ${g.inserted} new, ${g.updated} refreshed, ${g.expired} expired.`,
      )
      data.reload()
    } catch (e) {
      setGenError(errorMessage(e))
    } finally {
      setGenerating(false)
    }
  }

  const d = data.data
  let body: JSX.Element
  if (data.status === 'error')
    body = (
      <div className="card">
        <ErrorState title="Could not load recommendations" message={errorMessage(data.error)} onRetry={data.reload} />
      </div>
    )
  else if (data.status === 'loading' || !d)
    body = (
      <div className="card card__body" aria-busy="true" aria-label="Loading recommendations" data-state="loading">
        <Skeleton height={28} />
        <Skeleton height={160} style={{ marginTop: 12 }} />
      </div>
    )
  else if (!d.items.length)
    body = (
      <div className="card">
        <EmptyState
          title={filter === 'new' ? 'No new recommendations' : 'Nothing here'}
          actions={
            filter === 'new' ? (
              <button type="button" className="btn btn--primary" onClick={() => void generate()} disabled={generating}>
                Look for recommendations now
              </button>
            ) : undefined
          }
        >
          {filter === 'new'
            ? 'They are generated after each sync from the last settled days; none is made when the data does not support it.'
            : 'Recommendations you apply, snooze or dismiss, and those the data no longer supports, are listed here.'}
        </EmptyState>
      </div>
    )
  else
    body = (
      <>
        <div className="rec-list" data-testid="recommendation-list">
          {d.items.map((r, i) => (
            <RecommendationCard key={r.id} r={r} rank={offset + i + 1} onChanged={data.reload} />
          ))}
        </div>
        {d.total > REC_PAGE ? (
          <Pager
            label="Recommendation pages"
            testId="rec"
            offset={offset}
            shown={d.items.length}
            total={d.total}
            size={REC_PAGE}
            onOffset={(o) => {
              setOffset(o)
              window.scrollTo?.({ top: 0 })
            }}
          />
        ) : null}
      </>
    )

  const c = d?.calibration
  return (
    <PageFrame
      id="recommendations"
      meta={
        d ? `${d.total.toLocaleString('en-US')} ${FILTERS.find((f) => f.id === filter)?.label.toLowerCase()}` : null
      }
    >
      <div className="rec-toolbar">
        <div className="segmented" role="radiogroup" aria-label="Show">
          {FILTERS.map((f) => (
            <label key={f.id}>
              <input type="radio" name="rec-filter" checked={filter === f.id} onChange={() => showFilter(f.id)} />
              {f.label}
            </label>
          ))}
        </div>
        <label className="rec-kind">
          <span>Kind</span>
          <select
            className="select"
            value={kind}
            data-testid="rec-kind"
            onChange={(e) => {
              setKind(e.target.value as RecommendationKind | 'all')
              setOffset(0)
            }}
          >
            <option value="all">All kinds</option>
            {RECOMMENDATION_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="btn btn--sm"
          onClick={() => void generate()}
          disabled={generating || workspaceId === null}
        >
          {generating ? 'Looking…' : 'Refresh recommendations'}
        </button>
      </div>
      {genError ? (
        <p className="field__error" role="alert">
          {genError}
        </p>
      ) : null}
      {genNote ? <p className="field__hint">{genNote}</p> : null}
      {workspaceId !== null ? (
        <AdviceSettings key={workspaceId} workspaceId={workspaceId} onSaved={() => void generate()} />
      ) : null}
      {c ? (
        <p className="note note--info" data-testid="rec-calibration">
          {c.measured
            ? `Follow-up of applied advice: ${c.measured} measured, ${c.withinInterval} inside the predicted 80% interval. Predicted ${formatMoney(c.predictedMicros, c.currency)} vs realised ${formatMoney(c.realisedMicros, c.currency)} per week in total.`
            : 'Follow-up of applied advice: nothing measured yet. Each applied recommendation is checked 14 days later (predicted vs realised weekly revenue − spend).'}{' '}
          Ranked by expected impact × confidence.
        </p>
      ) : null}
      {body}
    </PageFrame>
  )
}
