import { lazy, Suspense, useEffect, useRef, useState, type JSX } from 'react'
import { formatMoney } from '../../../../shared/domain/money'
import type { Band, Forecast, MetricSummary, ModelVersion, TargetBacktest } from '../../../../shared/ipc/contracts/ml'
import { PageFrame } from '../../components/PageFrame'
import { EmptyState, ErrorState, Skeleton } from '../../components/States'
import { formatCount, formatPercent, formatRoas, formatTimestamp } from '../../lib/format'
import { useDataChanged, type DataTable } from '../../lib/page-data'
import { usePredictionsStore } from '../../stores/predictions-store'
import { useWorkspaceStore } from '../../stores/workspace-store'
import { DriversTree } from './DriversTree'
import { LtvCard } from './LtvCard'

const ForecastChart = lazy(async () => ({ default: (await import('./ForecastChart')).ForecastChart }))
const ResponseCurveChart = lazy(async () => ({ default: (await import('./ResponseCurveChart')).ResponseCurveChart }))

const HORIZONS = [7, 14, 28] as const

/** Models and their stored forecasts, and the campaigns and ad sets they forecast. */
export const PREDICTIONS_TABLES: readonly DataTable[] = ['models', 'predictions', 'campaigns', 'ad_sets']

function BandText({ band, fmt }: { band: Band; fmt: (v: number) => string }): JSX.Element {
  return (
    <span>
      <strong>{fmt(band.point)}</strong>{' '}
      <span className="field__hint">
        ({fmt(band.lower)} – {fmt(band.upper)})
      </span>
    </span>
  )
}

const TIER_NAMES = ['low', 'mid', 'high'] as const

/** Coverage of a stated 80% interval is on target within ±5 points. */
function CoverageCell({ value, level }: { value: number; level: number }): JSX.Element {
  const off = Math.abs(value - level) > 0.05
  return (
    <td>
      <span className={off ? 'badge badge--warning' : undefined} title={off ? 'Outside the 75–85% target' : undefined}>
        {formatPercent(value, 1)}
      </span>
    </td>
  )
}

function MetricsCard({ model }: { model: ModelVersion }): JSX.Element {
  const bt = model.metrics.backtest
  const level = model.metrics.intervalLevel
  const row = (label: string, m: MetricSummary, t?: TargetBacktest): JSX.Element => (
    <tr>
      <td>{label}</td>
      <td>{m.mae.toFixed(1)}</td>
      <td>{m.naiveMae.toFixed(1)}</td>
      <td>
        {t ? (
          t.modelBetter ? (
            <span className="badge badge--positive">model</span>
          ) : (
            <span className="badge badge--warning">seasonal baseline</span>
          )
        ) : (
          '—'
        )}
      </td>
      <td>{formatPercent(m.mape, 1)}</td>
      <td>{m.r2.toFixed(3)}</td>
      <td>{formatPercent(m.coverage, 1)}</td>
    </tr>
  )
  const bound = (v: number): string => Math.round(v).toLocaleString('en-US')
  const tierLabel = (i: number): string =>
    bt
      ? i === 0
        ? `Low (≤ ${bound(bt.tierBounds[0])}/day)`
        : i === 1
          ? `Mid (${bound(bt.tierBounds[0])}–${bound(bt.tierBounds[1])}/day)`
          : `High (> ${bound(bt.tierBounds[1])}/day)`
      : ''
  return (
    <div className="card" data-testid="model-metrics">
      <div className="card__header">
        Model v{model.version} · trained {formatTimestamp(model.trainedAt)} · data {model.dataFrom} → {model.dataTo}
      </div>
      <div className="card__body table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>{bt ? `Rolling origin (${bt.cutoffs.length} cut-offs)` : 'Held out (last 28 settled days)'}</th>
              <th>MAE</th>
              <th>{bt ? 'Seasonal baseline MAE' : 'Naive MAE'}</th>
              <th>Used</th>
              <th>MAPE</th>
              <th>R²</th>
              <th>{formatPercent(level, 0)} interval coverage</th>
            </tr>
          </thead>
          <tbody>
            {row('Conversions', model.metrics.conversions, bt?.conversions)}
            {row('Revenue', model.metrics.revenue, bt?.revenue)}
          </tbody>
        </table>
        {bt ? (
          <>
            <p className="field__hint">
              {model.metrics.testRows.toLocaleString('en-US')} windows of {bt.horizons.join(', ')} days from{' '}
              {bt.cutoffs.length} forecast origins a week apart ({bt.cutoffs[0]} → {bt.cutoffs[bt.cutoffs.length - 1]}
              ), scored by a model fitted before the first. Seasonal baseline: each day = the mean of its weekday over
              the 4 weeks before. A metric uses the model only if it beats the baseline; campaigns where it lost on
              their own windows use the baseline (conversions {bt.conversions.entitiesOnBaseline} of{' '}
              {bt.conversions.entities}, revenue {bt.revenue.entitiesOnBaseline} of {bt.revenue.entities}).
            </p>
            <table className="table" data-testid="coverage-by-tier">
              <thead>
                <tr>
                  <th>Coverage by spend tier (target {formatPercent(level, 0)} ± 5)</th>
                  {TIER_NAMES.map((t, i) => (
                    <th key={t}>{tierLabel(i)}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {(['conversions', 'revenue'] as const).flatMap((k) => [
                  <tr key={`${k}-model`}>
                    <td>{k === 'conversions' ? 'Conversions' : 'Revenue'} · model</td>
                    {TIER_NAMES.map((t) => (
                      <CoverageCell key={t} value={bt[k].coverageByTier[t]} level={level} />
                    ))}
                  </tr>,
                  <tr key={`${k}-baseline`}>
                    <td>{k === 'conversions' ? 'Conversions' : 'Revenue'} · baseline (fallback)</td>
                    {TIER_NAMES.map((t) => (
                      <CoverageCell key={t} value={bt[k].baselineCoverageByTier[t]} level={level} />
                    ))}
                  </tr>,
                ])}
                <tr>
                  <td className="field__hint">Windows</td>
                  {TIER_NAMES.map((t) => (
                    <td key={t} className="field__hint">
                      {bt.conversions.rowsByTier[t].toLocaleString('en-US')}
                    </td>
                  ))}
                </tr>
              </tbody>
            </table>
            <p className="field__hint">
              Tiers by the mean daily spend over the 28 days before the origin (account currency). Intervals are
              calibrated per tier (conformal by group) on the 56 days before the first origin.
            </p>
          </>
        ) : (
          <p className="field__hint">
            {model.metrics.testRows.toLocaleString('en-US')} held-out windows of 7, 14 and 28 days; naive = the last 28
            days&apos; daily average. Retrain for the rolling-origin evaluation.
          </p>
        )}
      </div>
    </div>
  )
}

function BasisNote({ basis }: { basis: Forecast['basis'] }): JSX.Element | null {
  const label =
    basis.status === 'model'
      ? null
      : basis.methods.conversions === 'baseline' && basis.methods.revenue === 'baseline'
        ? 'Seasonal baseline'
        : `Seasonal baseline for ${basis.methods.conversions === 'baseline' ? 'conversions' : 'revenue'}`
  if (!label && basis.reasons.length === 0) return null
  return (
    <div className="card__body" data-testid="forecast-basis" style={{ paddingBottom: 0 }}>
      {label ? <span className="badge badge--warning">{label}</span> : null}{' '}
      <span className="field__hint">spend tier: {basis.tier}</span>
      <ul style={{ margin: '6px 0 0', paddingLeft: 18 }}>
        {basis.reasons.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
    </div>
  )
}

/** Finds campaigns and ad sets by name in the core (the picker lists the first PICKER_LIMIT). */
function EntitySearch({ onSearch, initial }: { onSearch: (q: string) => void; initial: string }): JSX.Element {
  const [q, setQ] = useState(initial)
  const first = useRef(true)
  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    const t = setTimeout(() => onSearch(q.trim()), 250)
    return () => clearTimeout(t)
  }, [q, onSearch])
  return (
    <label className="field">
      <span className="field__label">Find</span>
      <input
        className="input"
        type="search"
        value={q}
        placeholder="Name of a campaign or ad set"
        onChange={(e) => setQ(e.target.value)}
        data-testid="entity-search"
      />
    </label>
  )
}

export function PredictionsPage(): JSX.Element {
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const st = usePredictionsStore()
  const { load } = st

  useEffect(() => {
    if (workspaceId !== null) void load(workspaceId)
  }, [workspaceId, load])

  // A trained model is announced by ml:modelTrained and by data:changed on models/predictions.
  useDataChanged(PREDICTIONS_TABLES, workspaceId, () => {
    if (workspaceId !== null) void load(workspaceId)
  })

  if (st.status === 'error')
    return (
      <PageFrame id="predictions">
        <div className="card">
          <ErrorState
            title="Could not load predictions"
            message={st.error ?? ''}
            onRetry={() => workspaceId !== null && void load(workspaceId)}
          />
        </div>
      </PageFrame>
    )
  if (st.status !== 'ready') {
    return (
      <PageFrame id="predictions">
        <div aria-busy="true" className="card card__body">
          <Skeleton height={280} />
        </div>
      </PageFrame>
    )
  }
  const active = st.models.find((m) => m.active)
  const retrain = (
    <button type="button" className="btn btn--primary" onClick={() => void st.retrain()} data-testid="retrain">
      Retrain
    </button>
  )
  if (!active) {
    return (
      <PageFrame id="predictions">
        <EmptyState title="No forecast model yet" icon="predictions" actions={retrain}>
          Training runs in the background on this workspace&apos;s daily history (a few seconds to a minute) and is
          repeated weekly.
          {st.trainingJobId !== null ? ' Training has started; this page updates when it finishes.' : ''}
        </EmptyState>
      </PageFrame>
    )
  }
  const f = st.forecast
  const sel = st.selected
  const money = (v: number): string => (f ? formatMoney(v, f.currency, { compact: true }) : '')
  const moneyExact = (v: number): string => (f ? formatMoney(v, f.currency) : '')
  const current = f?.currentDailySpendMicros ?? 0
  const planned = f?.plannedDailySpendMicros ?? current
  const sliderMax = Math.max(
    current * 3,
    (st.curve?.points[st.curve.points.length - 1]?.spendMicros ?? 0) / 2,
    10_000_000,
  )
  const curve = st.curve && st.curve.usable ? st.curve : null
  // The curve's marginal ROAS at the planned spend: exact at the current spend, else interpolated
  // between the two curve points around it (the 41-point grid is too coarse to take the nearest).
  const marginal = curve
    ? planned === curve.currentDailySpendMicros
      ? curve.marginalRoasAtCurrent
      : (() => {
          const pts = curve.points
          const j = pts.findIndex((q) => q.spendMicros >= planned)
          if (j <= 0) return (pts[j < 0 ? pts.length - 1 : 0] ?? { marginalRoas: 0 }).marginalRoas
          const p0 = pts[j - 1] as (typeof pts)[number]
          const p1 = pts[j] as (typeof pts)[number]
          const t = (planned - p0.spendMicros) / Math.max(1, p1.spendMicros - p0.spendMicros)
          return p0.marginalRoas + t * (p1.marginalRoas - p0.marginalRoas)
        })()
    : null

  return (
    <PageFrame id="predictions" meta={<span>Model v{active.version}</span>}>
      <div className="card card__body" style={{ display: 'flex', gap: 16, flexWrap: 'wrap', alignItems: 'end' }}>
        <EntitySearch onSearch={st.findEntities} initial={st.entitySearch} />
        <label className="field">
          <span className="field__label">Campaign or ad set</span>
          <select
            className="select"
            data-testid="entity-select"
            value={sel ? `${sel.entityType}:${sel.entityId}` : ''}
            onChange={(e) => {
              const [t, id] = e.target.value.split(':')
              if ((t === 'campaign' || t === 'ad_set') && id) st.select(t, Number(id))
            }}
          >
            {st.entities.map((e) => (
              <option key={`${e.entityType}:${e.entityId}`} value={`${e.entityType}:${e.entityId}`}>
                {e.entityType === 'ad_set' ? '   ↳ ' : ''}
                {e.name}
              </option>
            ))}
          </select>
        </label>
        <div className="segmented" role="group" aria-label="Horizon">
          {HORIZONS.map((d) => (
            <button
              key={d}
              type="button"
              className="btn btn--sm"
              aria-pressed={st.days === d}
              onClick={() => st.setDays(d)}
            >
              {d} days
            </button>
          ))}
        </div>
        <label className="field" style={{ flex: 1, minWidth: 260 }}>
          <span className="field__label">
            Planned daily spend: <strong>{moneyExact(planned)}</strong> (current {moneyExact(current)})
          </span>
          <input
            type="range"
            data-testid="spend-slider"
            min={0}
            max={Math.round(sliderMax)}
            step={Math.max(1, Math.round(sliderMax / 100))}
            value={planned}
            onChange={(e) => st.setPlanned(Number(e.target.value))}
          />
        </label>
        <button type="button" className="btn btn--ghost btn--sm" onClick={() => st.setPlanned(null)}>
          Reset to current
        </button>
        {retrain}
      </div>

      {st.forecastError ? <ErrorState title="No forecast for this entity" message={st.forecastError} /> : null}
      {f ? (
        <div className="card" data-testid="forecast">
          <div className="card__header">
            Next {f.days} days from {f.startDate}: conversions{' '}
            <BandText band={f.conversions} fmt={(v) => formatCount(Math.round(v))} /> · revenue{' '}
            <BandText band={f.revenueMicros} fmt={money} />
            {f.roas ? (
              <>
                {' '}
                · ROAS <BandText band={f.roas} fmt={formatRoas} />
              </>
            ) : null}
          </div>
          <BasisNote basis={f.basis} />
          <div className="card__body">
            <Suspense fallback={<Skeleton height={280} />}>
              <ForecastChart forecast={f} />
            </Suspense>
            <p className="field__hint">
              Shaded: 80% prediction interval (conformal, coverage measured below). Recent days include estimated late
              conversions.
            </p>
          </div>
        </div>
      ) : null}

      <div className="card" data-testid="response-curve">
        <div className="card__header">
          Response curve (adstock + saturation, last 180 days)
          {marginal !== null ? (
            <>
              {' '}
              · marginal ROAS at proposed spend <strong>{formatRoas(marginal)}</strong>
            </>
          ) : null}
          {curve ? (
            <>
              {' '}
              · at current spend <strong>{formatRoas(curve.marginalRoasAtCurrent)}</strong> · fit R² (weekly){' '}
              {curve.params.r2Weekly.toFixed(2)}
            </>
          ) : null}
        </div>
        <div className="card__body">
          {curve ? (
            <>
              <Suspense fallback={<Skeleton height={240} />}>
                <ResponseCurveChart curve={curve} plannedMicros={planned} />
              </Suspense>
              <p className="field__hint">
                Concave by construction (marginal ROAS never rises with spend). The spend what-if above moves along this
                curve, so both give the same marginal ROAS.
              </p>
            </>
          ) : st.curve ? (
            <EmptyState title="Response curve not used">
              The fit is too poor to use: {st.curve.problem}. The what-if scales in proportion to spend instead.
            </EmptyState>
          ) : (
            <EmptyState title="No response curve">{st.curveError ?? 'Not enough spend history.'}</EmptyState>
          )}
        </div>
      </div>

      <MetricsCard model={active} />

      <div className="card">
        <div className="card__header">What separates high-CPA from low-CPA ad sets (last 90 days)</div>
        <div className="card__body">
          {st.drivers && st.drivers.nodes.length && st.drivers.currency ? (
            <DriversTree nodes={st.drivers.nodes} currency={st.drivers.currency} />
          ) : (
            <EmptyState title="Not enough ad sets with conversions">
              The drivers tree needs at least 20 ad sets with 3+ conversions.
            </EmptyState>
          )}
        </div>
      </div>
      {st.workspaceId !== null ? <LtvCard workspaceId={st.workspaceId} /> : null}
    </PageFrame>
  )
}
