import type { JSX } from 'react'
import type { KpiKey } from '../../../shared/domain/metrics'
import { computeDelta, formatKpi, KPI_EMPTY_REASON, KPI_HINTS, KPI_LABELS } from '../lib/format'
import { Sparkline } from './Sparkline'
import { Skeleton } from './States'

interface KpiTileProps {
  kpi: KpiKey
  value: number | null
  /** undefined when comparison is off; null when the previous period has no value for this ratio. */
  previous?: number | null
  currency: string
  /** e.g. "Feb 1 – Feb 28", named in the tooltip. */
  previousLabel?: string
  /** Daily values of this KPI over the range, for the sparkline. */
  series?: (number | null)[]
  /** e.g. "Oct 27 to Nov 25", for the sparkline's accessible label. */
  rangeLabel?: string
}

const ARROW = { up: '▲', down: '▼', flat: '' } as const
const DIRECTION_WORD = { up: 'up', down: 'down', flat: 'unchanged' } as const

export function KpiTile({
  kpi,
  value,
  previous,
  currency,
  previousLabel,
  series,
  rangeLabel,
}: KpiTileProps): JSX.Element {
  const formatted = formatKpi(kpi, value, currency)
  const comparing = previous !== undefined
  const delta = comparing ? computeDelta(kpi, value, previous) : null
  const previousText = comparing ? formatKpi(kpi, previous, currency) : null
  const title = comparing
    ? `Previous period${previousLabel ? ` (${previousLabel})` : ''}: ${previousText}`
    : KPI_HINTS[kpi]

  return (
    <div
      className="kpi"
      data-testid={`kpi-${kpi}`}
      // Raw, unrounded numbers so end-to-end tests can compare with the core exactly.
      data-value={value === null ? '' : String(value)}
      data-previous={previous === undefined || previous === null ? undefined : String(previous)}
      data-tone={delta?.tone}
      title={title}
    >
      <div className="kpi__label">
        <span>{KPI_LABELS[kpi]}</span>
      </div>
      <div className="kpi__value tabular" title={value === null ? KPI_EMPTY_REASON[kpi] : undefined}>
        {formatted}
      </div>
      {series ? (
        <div className="kpi__spark">
          <Sparkline values={series} label={`${KPI_LABELS[kpi]} by day${rangeLabel ? `, ${rangeLabel}` : ''}`} />
        </div>
      ) : null}
      {delta ? (
        <div className="kpi__footer">
          {delta.ratio === null ? (
            <span className="visually-hidden">No comparison available.</span>
          ) : (
            <span
              className={`kpi__delta kpi__delta--${delta.tone}`}
              data-testid={`kpi-${kpi}-delta`}
              data-tone={delta.tone}
            >
              {delta.direction === 'flat' ? null : (
                <span aria-hidden="true" className="kpi__arrow">
                  {ARROW[delta.direction]}
                </span>
              )}
              <span className="visually-hidden">{`${DIRECTION_WORD[delta.direction]} `}</span>
              <span className="tabular">{delta.label.replace(/^[+−]/, '')}</span>
            </span>
          )}
          <span className="kpi__previous tabular">
            {previous === null ? 'No previous value' : `vs ${previousText}`}
          </span>
        </div>
      ) : (
        <div className="kpi__footer kpi__footer--hint">{KPI_HINTS[kpi]}</div>
      )}
    </div>
  )
}

export function KpiTileSkeleton(): JSX.Element {
  return (
    <div className="kpi" aria-hidden="true">
      <Skeleton width={64} height={12} />
      <Skeleton width="70%" height={26} style={{ marginTop: 10 }} />
      <Skeleton width="50%" height={12} style={{ marginTop: 12 }} />
    </div>
  )
}
