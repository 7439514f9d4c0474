import { useCallback, useEffect, useRef, useState, type JSX } from 'react'
import type { DateRange } from '../../../../shared/domain/metrics'
import type { EntityRow, TrendSeriesPoint } from '../../../../shared/ipc/contracts/analytics-schemas'
import { getClient } from '../../api/client'
import { Chart } from '../../components/Chart'
import { ErrorState, Skeleton } from '../../components/States'
import type { ChartPalette } from '../../lib/chart-theme'
import { errorMessage } from '../../lib/errors'
import { downloadChartPng, downloadCsv } from '../../lib/export'
import { formatCurrency } from '../../lib/format'
import { BenchmarkPanel } from './BenchmarkPanel'
import { asChartOption } from './charts'
import { formatMetric, platformLabel } from './format'
import { WriteBackControls } from './WriteBackControls'

interface EntityDrawerProps {
  workspaceId: number
  row: EntityRow
  range: DateRange
  onClose: () => void
  /** Called after a confirmed write-back so the explorer reloads. */
  onChanged?: () => void
}

/** Daily spend/revenue lines with the 7-day average and the provisional days shaded. */
export function trendOption(
  points: TrendSeriesPoint[],
  currency: string,
  p: ChartPalette,
): ReturnType<typeof asChartOption> {
  const prov = points.filter((x) => x.provisional)
  const money = (v: unknown): string => (typeof v === 'number' ? formatCurrency(v, currency) : '—')
  return asChartOption({
    aria: { enabled: true },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, textStyle: { color: p.textMuted } },
    tooltip: {
      trigger: 'axis',
      backgroundColor: p.tooltipBg,
      borderColor: p.tooltipBorder,
      textStyle: { color: p.text },
      valueFormatter: money,
    },
    xAxis: {
      type: 'category',
      data: points.map((x) => x.date),
      axisLabel: { color: p.textMuted },
      axisLine: { lineStyle: { color: p.axisLine } },
    },
    yAxis: {
      type: 'value',
      axisLabel: { color: p.textMuted, formatter: (v: number) => formatCurrency(v, currency, { compact: true }) },
      splitLine: { lineStyle: { color: p.splitLine } },
    },
    series: [
      {
        name: 'Spend',
        type: 'line',
        showSymbol: false,
        data: points.map((x) => x.kpis.spend),
        lineStyle: { color: p.spend },
        itemStyle: { color: p.spend },
        markArea: prov.length
          ? {
              silent: true,
              itemStyle: { color: p.provisionalFill },
              label: { show: true, color: p.provisionalText, position: 'insideTop' },
              data: [[{ name: 'Provisional', xAxis: prov[0]?.date }, { xAxis: prov[prov.length - 1]?.date }]],
            }
          : undefined,
      },
      {
        name: 'Revenue',
        type: 'line',
        showSymbol: false,
        data: points.map((x) => x.kpis.revenue),
        lineStyle: { color: p.revenue },
        itemStyle: { color: p.revenue },
      },
      {
        name: 'Spend (7-day avg)',
        type: 'line',
        showSymbol: false,
        data: points.map((x) => x.ma7.spend),
        lineStyle: { color: p.spend, type: 'dashed', width: 1 },
        itemStyle: { color: p.spend },
      },
    ],
  })
}

const LEVEL_LABEL: Record<string, string> = { campaign: 'Campaign', ad_set: 'Ad set', ad: 'Ad', account: 'Account' }

/** Side panel with one entity's charts and numbers (opened from the explorer). */
export function EntityDrawer({ workspaceId, row, range, onClose, onChanged }: EntityDrawerProps): JSX.Element {
  const [points, setPoints] = useState<TrendSeriesPoint[] | null>(null)
  const [currency, setCurrency] = useState('USD')
  const [error, setError] = useState<string | null>(null)
  const chartBox = useRef<HTMLDivElement>(null)
  const level =
    row.level === 'campaign' || row.level === 'ad_set' || row.level === 'ad' || row.level === 'account'
      ? row.level
      : null

  const load = useCallback(async () => {
    if (!level) return
    setError(null)
    try {
      const t = await getClient().invoke('analytics:getTrend', {
        workspaceId,
        range,
        entity: { level, id: Number(row.id) },
      })
      setPoints(t.points)
      setCurrency(t.currency)
    } catch (err) {
      setError(errorMessage(err))
    }
  }, [workspaceId, range, level, row.id])

  useEffect(() => {
    void load()
  }, [load])

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])

  const build = useCallback((p: ChartPalette) => trendOption(points ?? [], currency, p), [points, currency])
  const empty = (points ?? []).every((x) => x.totals.spendMicros === 0 && x.totals.impressions === 0)
  return (
    <aside className="drawer" role="dialog" aria-label={`${row.name} details`} data-testid="entity-drawer">
      <div className="drawer__header">
        <div>
          <p className="field__hint">
            {LEVEL_LABEL[row.level] ?? row.level} · {platformLabel(row.platform)}
          </p>
          <h2>{row.name}</h2>
        </div>
        <button type="button" className="btn btn--ghost" onClick={onClose} aria-label="Close details">
          ✕
        </button>
      </div>
      <div className="drawer__body">
        <WriteBackControls workspaceId={workspaceId} row={row} {...(onChanged ? { onChanged } : {})} />
        <dl className="facts">
          {(['spend', 'revenue', 'roas', 'conversions', 'cpa', 'ctr'] as const).map((k) => (
            <div key={k}>
              <dt>{k.toUpperCase()}</dt>
              <dd className="tabular">{formatMetric(k, row.kpis[k], currency)}</dd>
            </div>
          ))}
        </dl>
        {error ? <ErrorState message={error} onRetry={() => void load()} /> : null}
        {points === null && !error ? <Skeleton height={280} /> : null}
        {points ? (
          <div ref={chartBox}>
            <Chart
              build={build}
              ariaLabel={`Daily spend and revenue of ${row.name}`}
              height={280}
              isEmpty={empty}
              emptyTitle="No delivery in this range"
            />
            <div className="toolbar">
              <button
                type="button"
                className="btn btn--sm"
                onClick={() => downloadChartPng(`${row.name}-trend.png`, chartBox.current)}
                disabled={empty}
              >
                Export PNG
              </button>
              <button
                type="button"
                className="btn btn--sm"
                onClick={() =>
                  downloadCsv(
                    `${row.name}-daily.csv`,
                    [
                      { header: 'date', value: (x: TrendSeriesPoint) => x.date },
                      { header: `spend_${currency}`, value: (x) => x.kpis.spend },
                      { header: `revenue_${currency}`, value: (x) => x.kpis.revenue },
                      { header: 'impressions', value: (x) => x.totals.impressions },
                      { header: 'clicks', value: (x) => x.totals.clicks },
                      { header: 'conversions', value: (x) => x.totals.conversions },
                      { header: 'provisional', value: (x) => (x.provisional ? 'yes' : 'no') },
                    ],
                    points,
                  )
                }
              >
                Export CSV
              </button>
            </div>
          </div>
        ) : null}
        {row.level === 'campaign' ? (
          <section aria-label="Against industry benchmarks">
            <h3>Against industry benchmarks</h3>
            <BenchmarkPanel workspaceId={workspaceId} campaignId={Number(row.id)} range={range} />
          </section>
        ) : null}
      </div>
    </aside>
  )
}
