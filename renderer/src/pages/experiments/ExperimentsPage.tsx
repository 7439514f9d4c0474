import { useCallback, useId, useMemo, useState, type JSX } from 'react'
import Papa from 'papaparse'
import { formatMoney } from '../../../../shared/domain/money'
import type { ExperimentAnalysis } from '../../../../shared/experiments/analysis'
import { planTest, type PowerPlan } from '../../../../shared/experiments/stats'
import type {
  EntityExperiment,
  ExperimentLevelName,
  ExperimentMetric,
  TestSuggestion,
} from '../../../../shared/ipc/contracts/experiments'
import { getClient } from '../../api/client'
import { Chart, type ChartOption } from '../../components/Chart'
import { LoadState } from '../../components/LoadState'
import { PageFrame } from '../../components/PageFrame'
import { EmptyState, ErrorState, Skeleton } from '../../components/States'
import { bandChartFrame, bandSeries } from '../../lib/band-chart'
import type { ChartPalette } from '../../lib/chart-theme'
import { errorMessage } from '../../lib/errors'
import { formatCount, formatPercent } from '../../lib/format'
import { METRIC_DATA, usePageData, type DataTable } from '../../lib/page-data'
import { useWorkspaceStore } from '../../stores/workspace-store'
import './experiments.css'

/** Suggestions and entity lists read the metric rows and the ads/ad sets they belong to. */
export const EXPERIMENT_TABLES: readonly DataTable[] = [...METRIC_DATA, 'ads', 'ad_sets']

const LEVELS: { id: ExperimentLevelName; label: string }[] = [
  { id: 'ad', label: 'Ads' },
  { id: 'ad_set', label: 'Ad sets' },
  { id: 'campaign', label: 'Campaigns' },
]
const METRICS: { id: ExperimentMetric; label: string }[] = [
  { id: 'conversion_rate', label: 'Conversion rate (per click)' },
  { id: 'ctr', label: 'CTR (per impression)' },
]
const VERDICT_BADGE: Record<ExperimentAnalysis['verdict']['kind'], { cls: string; label: string }> = {
  winner: { cls: 'badge--positive', label: 'Winner' },
  loser: { cls: 'badge--negative', label: 'Control wins' },
  no_difference: { cls: 'badge--info', label: 'No detectable difference' },
  keep_running: { cls: 'badge--warning', label: 'Keep running' },
  sample_ratio_mismatch: { cls: 'badge--negative', label: 'Sample-ratio mismatch' },
}

const pct = (x: number, d = 2): string => formatPercent(x, d)
const signed = (x: number | null, d = 1): string => (x === null ? '—' : `${x >= 0 ? '+' : '−'}${pct(Math.abs(x), d)}`)
const pText = (p: number): string => (p < 0.0001 ? '< 0.0001' : p.toFixed(4))
/** "p = 0.0123" or "p < 0.0001". */
const pIs = (p: number): string => (p < 0.0001 ? 'p < 0.0001' : `p = ${p.toFixed(4)}`)

/** Cumulative relative lift of one challenger with its always-valid band, and the zero line. */
export function liftOption(c: ExperimentAnalysis['comparisons'][number], p: ChartPalette): ChartOption {
  const pts = c.cumulative
  const dates = pts.map((q) => q.date)
  const lower = pts.map((q) => (q.lower === null ? null : q.lower * 100))
  const width = pts.map((q) => (q.lower === null || q.upper === null ? null : (q.upper - q.lower) * 100))
  return bandChartFrame(p, {
    dates,
    legend: ['Cumulative lift', 'Always-valid interval', 'No difference'],
    valueFormatter: (v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : '—'),
    yFormatter: (v) => `${v}%`,
    series: [
      // The band crosses zero.
      ...bandSeries({ name: 'Always-valid interval', lower, width, opacity: 0.22, signed: true, inTooltip: false }),
      {
        name: 'Cumulative lift',
        type: 'line',
        data: pts.map((q) => (q.lift === null ? null : q.lift * 100)),
        showSymbol: false,
        lineStyle: { width: 2 },
      },
      {
        name: 'No difference',
        type: 'line',
        data: pts.map(() => 0),
        showSymbol: false,
        lineStyle: { width: 1, type: 'dashed', color: p.textMuted },
        itemStyle: { color: p.textMuted },
        tooltip: { show: false },
      },
    ],
  })
}

/** One analysis: the verdict in words, the variants, the comparisons and the lift over time. */
export function AnalysisView({ analysis, note }: { analysis: ExperimentAnalysis; note?: string | null }): JSX.Element {
  const badge = VERDICT_BADGE[analysis.verdict.kind]
  const head = analysis.comparisons.find((c) => c.variant === analysis.best) ?? analysis.comparisons[0]
  const build = useCallback((p: ChartPalette) => (head ? liftOption(head, p) : {}), [head])
  const level = pct(analysis.confidence, 0)
  return (
    <div className="exp-result" data-testid="experiment-result">
      <div className="exp-verdict" role="status">
        <span className={`badge ${badge.cls}`}>{badge.label}</span>
        <p data-testid="experiment-verdict">{analysis.verdict.text}</p>
      </div>
      {note ? <p className="note note--info">{note}</p> : null}
      <div className="table-wrap">
        <table className="table" data-testid="experiment-variants">
          <caption className="visually-hidden">Variants compared with {analysis.control}</caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Trials</th>
              <th scope="col">Conversions</th>
              <th scope="col">Rate</th>
              <th scope="col">Lift vs control</th>
              <th scope="col">{level} interval (points)</th>
              <th scope="col">p-value</th>
              <th scope="col">Always-valid p</th>
              <th scope="col">Probability to beat</th>
              <th scope="col">Expected loss</th>
            </tr>
          </thead>
          <tbody>
            {analysis.variants.map((v) => {
              const c = analysis.comparisons.find((x) => x.variant === v.name)
              return (
                <tr key={v.name}>
                  <th scope="row">
                    {v.name}
                    {v.name === analysis.control ? <span className="field__hint"> (control)</span> : null}
                  </th>
                  <td>{formatCount(v.n)}</td>
                  <td>{formatCount(v.conversions)}</td>
                  <td>{pct(v.rate)}</td>
                  <td>{c ? signed(c.relativeLift) : '—'}</td>
                  <td>{c ? `${(c.ci[0] * 100).toFixed(2)} to ${(c.ci[1] * 100).toFixed(2)}` : '—'}</td>
                  <td>{c ? pText(c.pValue) : '—'}</td>
                  <td>{c?.sequentialPValue != null ? pText(c.sequentialPValue) : '—'}</td>
                  <td>{c ? pct(c.probToBeat, 1) : '—'}</td>
                  <td>{c ? `${(c.expectedLoss * 100).toFixed(3)} pts` : '—'}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      <dl className="exp-facts">
        <div>
          <dt>Sample-ratio check</dt>
          <dd>{pIs(analysis.srm.pValue)}</dd>
        </div>
        <div>
          <dt>Power for a {pct(analysis.relativeMde, 0)} lift</dt>
          <dd>{pct(analysis.powerReached, 0)}</dd>
        </div>
        {analysis.days !== null ? (
          <div>
            <dt>Days of data</dt>
            <dd>{analysis.days}</dd>
          </div>
        ) : null}
        {head?.cpa ? (
          <div>
            <dt>CPA ({head.variant} vs control)</dt>
            <dd>
              {signed(head.cpa.relativeLift)} ({pIs(head.cpa.pValue)})
            </dd>
          </div>
        ) : null}
        {head?.roas ? (
          <div>
            <dt>ROAS ({head.variant} vs control)</dt>
            <dd>
              {head.roas.ratioA.toFixed(2)} → {head.roas.ratioB.toFixed(2)} ({pIs(head.roas.pValue)})
            </dd>
          </div>
        ) : null}
        {head?.revenuePerUser ? (
          <div>
            <dt>Revenue per user</dt>
            <dd>
              {signed(head.revenuePerUser.relativeLift)} (Welch {pIs(head.revenuePerUser.pValue)})
            </dd>
          </div>
        ) : null}
      </dl>
      {head && head.cumulative.length > 1 ? (
        <div>
          <h3 className="exp-subtitle">
            Cumulative lift of {head.variant} over {analysis.control}
          </h3>
          <Chart
            build={build}
            height={260}
            ariaLabel={`Cumulative relative lift of ${head.variant} over ${analysis.control} by day, with its always-valid ${level} interval; last value ${signed(head.relativeLift)}`}
          />
          <p className="field__hint">
            The band is valid however often you look (mSPRT), so it is wider than a one-look interval.
          </p>
        </div>
      ) : (
        <p className="field__hint">No dates in the data: the lift over time and the sequential test need a date.</p>
      )}
    </div>
  )
}

function Suggestions({
  workspaceId,
  onAnalyse,
}: {
  workspaceId: number | null
  onAnalyse: (s: TestSuggestion) => void
}): JSX.Element {
  const state = usePageData({
    key: workspaceId === null ? null : String(workspaceId),
    load: () => getClient().invoke('experiments:suggest', { workspaceId: workspaceId as number }),
    tables: EXPERIMENT_TABLES,
    workspaceId,
  })
  return (
    <section className="card" aria-labelledby="exp-suggest-title">
      <div className="card__header" id="exp-suggest-title">
        Where a test would pay
      </div>
      <div className="card__body">
        <LoadState
          state={state}
          what="test suggestions"
          loading={<Skeleton height={120} />}
          isEmpty={(rows) => rows.length === 0}
          empty={
            <EmptyState title="No test fits the traffic yet" icon="experiments">
              A suggestion needs an active ad set with two or more delivering ads whose traffic can detect a 10% lift
              within 8 weeks.
            </EmptyState>
          }
        >
          {(rows) => (
            <div className="table-wrap">
              <table className="table" data-testid="experiment-suggestions">
                <thead>
                  <tr>
                    <th scope="col">Ad set</th>
                    <th scope="col">Measure</th>
                    <th scope="col">Ads</th>
                    <th scope="col">Base rate</th>
                    <th scope="col">Days</th>
                    <th scope="col">Budget</th>
                    <th scope="col">Worth per week</th>
                    <th scope="col">
                      <span className="visually-hidden">Action</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.slice(0, 8).map((s) => (
                    <tr key={s.adSetId} title={s.reason}>
                      <th scope="row">
                        {s.adSet}
                        <div className="field__hint">{s.campaign}</div>
                      </th>
                      <td>{s.metric === 'ctr' ? 'CTR' : 'Conversion rate'}</td>
                      <td>{s.adIds.length}</td>
                      <td>{pct(s.baseRate)}</td>
                      <td>{s.plan.days}</td>
                      <td>{formatMoney(s.plan.budgetMicros ?? 0, s.currency, { compact: true })}</td>
                      <td>{formatMoney(s.weeklyValueMicros, s.currency, { compact: true })}</td>
                      <td>
                        <button
                          type="button"
                          className="btn btn--sm"
                          onClick={() => onAnalyse(s)}
                          aria-label={`Analyse the ads of ${s.adSet}`}
                        >
                          Analyse
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </LoadState>
      </div>
    </section>
  )
}

interface CalcInput {
  baseRate: string
  mde: string
  confidence: string
  power: string
  variants: string
  dailyTrials: string
  dailySpend: string
}

function PowerCalculator({ workspaceId }: { workspaceId: number | null }): JSX.Element {
  const [v, setV] = useState<CalcInput>({
    baseRate: '3',
    mde: '10',
    confidence: '0.95',
    power: '0.8',
    variants: '2',
    dailyTrials: '2000',
    dailySpend: '',
  })
  const [currency, setCurrency] = useState('USD')
  const [source, setSource] = useState('')
  const [fillError, setFillError] = useState<string | null>(null)
  const id = useId()
  const adSets = usePageData({
    key: workspaceId === null ? null : String(workspaceId),
    load: () => getClient().invoke('experiments:listEntities', { workspaceId: workspaceId as number, level: 'ad_set' }),
    tables: EXPERIMENT_TABLES,
    workspaceId,
  })
  const result = useMemo((): { plan: PowerPlan } | { error: string } => {
    const num = (k: keyof CalcInput, label: string): number => {
      const x = Number(v[k].trim())
      if (v[k].trim() === '' || !Number.isFinite(x)) throw new Error(`${label} needs a number, got "${v[k]}".`)
      return x
    }
    try {
      const baseRate = num('baseRate', 'Current rate')
      if (!(baseRate > 0 && baseRate < 100)) return { error: 'Current rate must be between 0 and 100%.' }
      const mde = num('mde', 'Smallest lift')
      if (!(mde > 0)) return { error: 'Smallest lift must be above 0%.' }
      const spend = v.dailySpend.trim() === '' ? undefined : Math.round(num('dailySpend', 'Spend per day') * 1_000_000)
      const plan = planTest({
        baseRate: baseRate / 100,
        relativeMde: mde / 100,
        confidence: Number(v.confidence),
        power: Number(v.power),
        variants: num('variants', 'Variants'),
        dailyTrials: num('dailyTrials', 'Clicks per day'),
        ...(spend !== undefined ? { dailySpendMicros: spend } : {}),
      })
      return { plan }
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) }
    }
  }, [v])
  const set = (k: keyof CalcInput) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value })
  const fill = async (entityId: number): Promise<void> => {
    setFillError(null)
    try {
      const r = await getClient().invoke('experiments:plan', {
        workspaceId: workspaceId as number,
        level: 'ad_set',
        entityId,
        mde: Number(v.mde) / 100 || 0.1,
      })
      setCurrency(r.entity.currency)
      setV({
        ...v,
        baseRate: (r.baseRate * 100).toFixed(3),
        dailyTrials: String(Math.round(r.dailyTrials)),
        dailySpend: (r.dailySpendMicros / 1_000_000).toFixed(2),
      })
    } catch (err) {
      setFillError(errorMessage(err))
    }
  }
  const field = (k: keyof CalcInput, label: string, hint?: string): JSX.Element => (
    <label className="field">
      <span className="field__label">{label}</span>
      <input className="input" inputMode="decimal" value={v[k]} onChange={set(k)} data-testid={`calc-${k}`} />
      {hint ? <span className="field__hint">{hint}</span> : null}
    </label>
  )
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="card__header" id={`${id}-title`}>
        Power calculator
      </div>
      <div className="card__body exp-calc">
        <label className="field">
          <span className="field__label">Fill from an ad set&apos;s last 28 days</span>
          <select
            className="select"
            value={source}
            disabled={adSets.status !== 'ready' || (adSets.data?.length ?? 0) === 0}
            onChange={(e) => {
              setSource(e.target.value)
              if (e.target.value) void fill(Number(e.target.value))
            }}
            data-testid="calc-source"
          >
            <option value="">Type the numbers yourself</option>
            {(adSets.data ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <div className="exp-calc__grid">
          {field('baseRate', 'Current rate (%)', 'Conversions per click')}
          {field('mde', 'Smallest lift worth finding (%)', 'Relative, e.g. 10 for +10%')}
          <label className="field">
            <span className="field__label">Confidence</span>
            <select className="select" value={v.confidence} onChange={set('confidence')}>
              <option value="0.9">90%</option>
              <option value="0.95">95%</option>
              <option value="0.99">99%</option>
            </select>
          </label>
          <label className="field">
            <span className="field__label">Power</span>
            <select className="select" value={v.power} onChange={set('power')}>
              <option value="0.8">80%</option>
              <option value="0.9">90%</option>
            </select>
          </label>
          {field('variants', 'Variants (with control)')}
          {field('dailyTrials', 'Clicks per day (all variants)')}
          {field('dailySpend', `Spend per day (${currency}, optional)`)}
        </div>
        {fillError ? <p className="field__error">{fillError}</p> : null}
        <div className="exp-calc__answer" aria-live="polite" data-testid="calc-answer">
          {'plan' in result ? (
            <p>
              <strong>{formatCount(result.plan.nPerVariant)}</strong> clicks per variant (
              {formatCount(result.plan.totalTrials)} in all): about <strong>{result.plan.days} days</strong>
              {result.plan.budgetMicros !== null ? (
                <>
                  {' '}
                  and <strong>{formatMoney(result.plan.budgetMicros, currency)}</strong>
                </>
              ) : null}{' '}
              to detect a move from {pct(Number(v.baseRate) / 100)} to {pct(result.plan.targetRate)}.
            </p>
          ) : (
            <p className="field__error">{result.error}</p>
          )}
        </div>
      </div>
    </section>
  )
}

type AnalysisState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; analysis: ExperimentAnalysis; note: string | null; title: string }

/** A CSV file's text; gzip files are unpacked in the browser. */
async function fileText(file: File): Promise<string> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer())
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const stream = file.stream().pipeThrough(new DecompressionStream('gzip'))
    return await new Response(stream).text()
  }
  return await file.text()
}

function StoreSource({
  workspaceId,
  preset,
  onResult,
}: {
  workspaceId: number | null
  preset: { level: ExperimentLevelName; ids: number[]; metric: ExperimentMetric } | null
  onResult: (s: AnalysisState) => void
}): JSX.Element {
  const [level, setLevel] = useState<ExperimentLevelName>(preset?.level ?? 'ad')
  const [metric, setMetric] = useState<ExperimentMetric>(preset?.metric ?? 'conversion_rate')
  const [picked, setPicked] = useState<number[]>(preset?.ids ?? [])
  const entities = usePageData({
    key: workspaceId === null ? null : JSON.stringify({ workspaceId, level }),
    load: () => getClient().invoke('experiments:listEntities', { workspaceId: workspaceId as number, level }),
    tables: EXPERIMENT_TABLES,
    workspaceId,
  })
  const run = async (): Promise<void> => {
    onResult({ status: 'loading' })
    try {
      const r: EntityExperiment = await getClient().invoke('experiments:analyzeEntities', {
        workspaceId: workspaceId as number,
        level,
        entityIds: picked,
        metric,
      })
      onResult({ status: 'ready', analysis: r.analysis, note: r.note, title: `${r.from} → ${r.to}` })
    } catch (err) {
      onResult({ status: 'error', message: errorMessage(err) })
    }
  }
  const toggle = (id: number): void =>
    setPicked(picked.includes(id) ? picked.filter((x) => x !== id) : picked.length < 10 ? [...picked, id] : picked)
  return (
    <div className="exp-source">
      <div className="exp-source__controls">
        <label className="field">
          <span className="field__label">Compare</span>
          <select
            className="select"
            value={level}
            onChange={(e) => {
              setLevel(e.target.value as ExperimentLevelName)
              setPicked([])
            }}
          >
            {LEVELS.map((l) => (
              <option key={l.id} value={l.id}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">Measure</span>
          <select className="select" value={metric} onChange={(e) => setMetric(e.target.value as ExperimentMetric)}>
            {METRICS.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="btn btn--primary"
          disabled={picked.length < 2 || workspaceId === null}
          onClick={() => void run()}
          data-testid="analyse-store"
        >
          Analyse {picked.length >= 2 ? `${picked.length} ${level === 'ad_set' ? 'ad sets' : `${level}s`}` : ''}
        </button>
      </div>
      <LoadState
        state={entities}
        what="entities"
        loading={<Skeleton height={120} />}
        isEmpty={(rows) => rows.length === 0}
        empty={<EmptyState title="Nothing delivered in the last 28 days" icon="experiments" />}
      >
        {(rows) => (
          <fieldset className="exp-pick">
            <legend className="field__label">
              Pick 2–10; the first picked is the control ({picked.length} picked)
            </legend>
            <ul>
              {rows.slice(0, 60).map((e) => (
                <li key={e.id}>
                  <label>
                    <input
                      type="checkbox"
                      checked={picked.includes(e.id)}
                      onChange={() => toggle(e.id)}
                      data-testid={`pick-${e.id}`}
                    />
                    <span>
                      {e.name}
                      {picked[0] === e.id ? <span className="badge badge--accent">control</span> : null}
                    </span>
                    <span className="field__hint">
                      {e.parent ? `${e.parent} · ` : ''}
                      {formatCount(e.clicks)} clicks · {formatCount(Math.round(e.conversions))} conv.
                    </span>
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
        )}
      </LoadState>
    </div>
  )
}

function CsvSource({ onResult }: { onResult: (s: AnalysisState) => void }): JSX.Element {
  const [text, setText] = useState<string | null>(null)
  const [name, setName] = useState('')
  const [columns, setColumns] = useState<string[]>([])
  const [shape, setShape] = useState<'users' | 'daily'>('users')
  const [cols, setCols] = useState<Record<string, string>>({})
  const [readError, setReadError] = useState<string | null>(null)
  const id = useId()
  const pick = async (file: File | undefined): Promise<void> => {
    setReadError(null)
    if (!file) return
    try {
      const t = await fileText(file)
      const header = Papa.parse<string[]>(t, { preview: 1 }).data[0] ?? []
      if (header.length < 2) throw new Error('The file has no header row with at least two columns')
      setText(t)
      setName(file.name)
      setColumns(header.map((h) => h.trim()))
      setCols({})
    } catch (err) {
      setText(null)
      setColumns([])
      setReadError(`Could not read ${file.name}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  const select = (key: string, label: string, optional = false): JSX.Element => (
    <label className="field">
      <span className="field__label">{label}</span>
      <select
        className="select"
        value={cols[key] ?? ''}
        onChange={(e) => setCols({ ...cols, [key]: e.target.value })}
        data-testid={`csv-${key}`}
      >
        <option value="">{optional ? 'None' : 'Choose a column'}</option>
        {columns.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </label>
  )
  const need =
    shape === 'users' ? ['variantColumn', 'outcomeColumn'] : ['variantColumn', 'trialsColumn', 'conversionsColumn']
  const ready = text !== null && need.every((k) => cols[k])
  const run = async (): Promise<void> => {
    if (text === null) return
    onResult({ status: 'loading' })
    const keys =
      shape === 'users'
        ? ['variantColumn', 'outcomeColumn', 'dateColumn', 'revenueColumn', 'consistentWith', 'uniqueBy']
        : ['variantColumn', 'trialsColumn', 'conversionsColumn', 'dateColumn', 'spendColumn', 'revenueColumn']
    const chosen = Object.fromEntries(keys.filter((k) => cols[k]).map((k) => [k, cols[k]]))
    try {
      const r = await getClient().invoke('experiments:analyzeCsv', {
        csv: text,
        variantColumn: cols.variantColumn as string,
        ...chosen,
        ...(cols.control ? { control: cols.control } : {}),
      })
      const dropped = r.dropped.inconsistent + r.dropped.duplicates
      onResult({
        status: 'ready',
        analysis: r.analysis,
        note: dropped
          ? `Cleaning dropped ${formatCount(r.dropped.inconsistent)} rows whose variant disagreed with "${cols.consistentWith ?? ''}" and ${formatCount(r.dropped.duplicates)} repeated "${cols.uniqueBy ?? ''}" of ${formatCount(r.rows)}.`
          : null,
        title: name,
      })
    } catch (err) {
      onResult({ status: 'error', message: errorMessage(err) })
    }
  }
  return (
    <div className="exp-source">
      <div className="exp-source__controls">
        <label className="field">
          <span className="field__label">CSV file (.csv or .csv.gz)</span>
          <input
            id={`${id}-file`}
            className="input"
            type="file"
            accept=".csv,.gz,text/csv"
            onChange={(e) => void pick(e.target.files?.[0])}
            data-testid="csv-file"
          />
        </label>
        <div className="segmented" role="group" aria-label="File shape">
          <button
            type="button"
            className="btn btn--sm"
            aria-pressed={shape === 'users'}
            onClick={() => setShape('users')}
          >
            One row per user
          </button>
          <button
            type="button"
            className="btn btn--sm"
            aria-pressed={shape === 'daily'}
            onClick={() => setShape('daily')}
          >
            Daily totals per variant
          </button>
        </div>
      </div>
      {readError ? <p className="field__error">{readError}</p> : null}
      {columns.length ? (
        <div className="exp-calc__grid">
          {select('variantColumn', 'Variant column')}
          {shape === 'users' ? select('outcomeColumn', 'Outcome column (yes/no, 1/0, true/false)') : null}
          {shape === 'daily' ? select('trialsColumn', 'Trials column (users, clicks)') : null}
          {shape === 'daily' ? select('conversionsColumn', 'Conversions column') : null}
          {select('dateColumn', 'Date column', true)}
          {shape === 'daily' ? select('spendColumn', 'Spend column', true) : null}
          {select('revenueColumn', 'Revenue column', true)}
          {shape === 'users' ? select('consistentWith', 'Drop rows whose variant disagrees with', true) : null}
          {shape === 'users' ? select('uniqueBy', 'Keep the first row of each', true) : null}
          <label className="field">
            <span className="field__label">Control (variant name)</span>
            <input
              className="input"
              value={cols.control ?? ''}
              placeholder="control, or the first variant"
              onChange={(e) => setCols({ ...cols, control: e.target.value })}
              data-testid="csv-control"
            />
          </label>
        </div>
      ) : null}
      <div>
        <button
          type="button"
          className="btn btn--primary"
          disabled={!ready}
          onClick={() => void run()}
          data-testid="analyse-csv"
        >
          Analyse {name || 'file'}
        </button>
      </div>
    </div>
  )
}

export function ExperimentsPage(): JSX.Element {
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const [tab, setTab] = useState<'store' | 'csv'>('store')
  const [result, setResult] = useState<AnalysisState>({ status: 'idle' })
  const [preset, setPreset] = useState<{
    level: ExperimentLevelName
    ids: number[]
    metric: ExperimentMetric
    key: number
  } | null>(null)
  const analyseSuggestion = async (s: TestSuggestion): Promise<void> => {
    setTab('store')
    setPreset({ level: 'ad', ids: s.adIds, metric: s.metric, key: (preset?.key ?? 0) + 1 })
    setResult({ status: 'loading' })
    try {
      const r = await getClient().invoke('experiments:analyzeEntities', {
        workspaceId: workspaceId as number,
        level: 'ad',
        entityIds: s.adIds,
        metric: s.metric,
      })
      setResult({ status: 'ready', analysis: r.analysis, note: r.note, title: `${s.adSet}: ${r.from} → ${r.to}` })
    } catch (err) {
      setResult({ status: 'error', message: errorMessage(err) })
    }
  }
  return (
    <PageFrame id="experiments">
      <div className="page__intro">
        <p>
          A/B tests you can check every day: conversion rates with a two-sided test, the probability to beat the
          control, an always-valid sequential test and the lift over time; the verdict in plain words.
        </p>
      </div>
      <div className="exp-columns">
        <Suggestions workspaceId={workspaceId} onAnalyse={(s) => void analyseSuggestion(s)} />
        <PowerCalculator workspaceId={workspaceId} />
      </div>
      <section className="card" aria-labelledby="exp-analyse-title">
        <div className="card__header">
          <span id="exp-analyse-title">Analyse a test</span>
          <div className="segmented" role="group" aria-label="Data source">
            <button
              type="button"
              className="btn btn--sm"
              aria-pressed={tab === 'store'}
              onClick={() => setTab('store')}
            >
              From the store
            </button>
            <button
              type="button"
              className="btn btn--sm"
              aria-pressed={tab === 'csv'}
              onClick={() => setTab('csv')}
              data-testid="tab-csv"
            >
              From a CSV file
            </button>
          </div>
        </div>
        <div className="card__body">
          {tab === 'store' ? (
            <StoreSource key={preset?.key ?? 0} workspaceId={workspaceId} preset={preset} onResult={setResult} />
          ) : (
            <CsvSource onResult={setResult} />
          )}
          <div className="exp-output" aria-busy={result.status === 'loading'}>
            {result.status === 'idle' ? (
              <EmptyState title="No test analysed yet" icon="experiments">
                Pick two or more ads, ad sets or campaigns (or a suggestion above), or open a CSV file.
              </EmptyState>
            ) : result.status === 'loading' ? (
              <Skeleton height={220} />
            ) : result.status === 'error' ? (
              <ErrorState title="Could not analyse this test" message={result.message} />
            ) : (
              <>
                <h2 className="exp-subtitle">{result.title}</h2>
                <AnalysisView analysis={result.analysis} note={result.note} />
              </>
            )}
          </div>
        </div>
      </section>
    </PageFrame>
  )
}
