import type { JSX } from 'react'
import type { EntityRow } from '../../../../shared/ipc/contracts/analytics-schemas'
import type { EntityForecast } from '../../../../shared/ipc/contracts/ml'
import { PredictionBadge } from '../../components/PredictionBadge'
import { PendingRow } from './PendingRow'
import { delta, formatMetric, METRIC_LABELS, metricValue, platformLabel, type MetricColumn } from './format'

import { sortMarks, useGridRows, type SortKey, type SortState } from './grid'

interface ExplorerTableProps {
  /** Rows in the list (the core's total for a windowed list). */
  count: number
  /** The row at an index, or undefined while its window is still loading. */
  rowAt: (index: number) => EntityRow | undefined
  /** Told which rows are in view (plus the overscan) so their windows can be fetched. */
  onRange?: (first: number, last: number) => void
  /** What the rows shown were asked with (tests wait on it). */
  query?: string
  columns: readonly MetricColumn[]
  currency: string
  sort: SortState
  onSort: (key: SortKey) => void
  /** Open the row's children (campaign -> ad sets -> ads); absent at the ad level. */
  onDrill?: (row: EntityRow) => void
  onDetails: (row: EntityRow) => void
  showDelta: boolean
  height?: number
  /** Forecasts by entity id (campaigns and ad sets), shown as a badge beside the name. */
  forecasts?: ReadonlyMap<string, EntityForecast>
}

const ROW_HEIGHT = 36

/**
 * The explorer grid: only the rows in view are in the DOM (virtualised), so 10,000+ rows scroll
 * smoothly. Header cells sort; the name drills down; the chart button opens the detail drawer.
 */
export function ExplorerTable(props: ExplorerTableProps): JSX.Element {
  const { count, rowAt, onRange, query, columns, currency, sort, onSort, onDrill, onDetails, showDelta, forecasts } =
    props
  const height = props.height ?? 560
  const { scroller, v, items } = useGridRows(count, ROW_HEIGHT, onRange)
  // Fixed widths keep the sticky header and the absolutely positioned rows on the same columns.
  const template = `300px 100px ${columns.map(() => '112px').join(' ')} 44px`
  const width = 300 + 100 + 112 * columns.length + 44 + 8 * (columns.length + 2) + 24
  const { arrow, ariaSort } = sortMarks(sort)
  return (
    <div
      className="explorer"
      role="grid"
      aria-rowcount={count + 1}
      data-testid="explorer-grid"
      data-rows={count}
      data-query={query}
    >
      <div ref={scroller} className="explorer__body" style={{ height }} data-testid="explorer-scroll">
        <div className="explorer__row explorer__head" role="row" style={{ gridTemplateColumns: template, width }}>
          <button
            type="button"
            role="columnheader"
            aria-sort={ariaSort('name')}
            className="explorer__th"
            onClick={() => onSort('name')}
          >
            Name{arrow('name')}
          </button>
          <span role="columnheader" className="explorer__th">
            Platform
          </span>
          {columns.map((c) => (
            <button
              type="button"
              key={c}
              role="columnheader"
              aria-sort={ariaSort(c)}
              className="explorer__th num"
              onClick={() => onSort(c)}
              data-testid={`sort-${c}`}
            >
              {METRIC_LABELS[c]}
              {arrow(c)}
            </button>
          ))}
          <span role="columnheader" className="explorer__th" aria-label="Details" />
        </div>
        <div style={{ height: v.getTotalSize(), width, position: 'relative' }}>
          {items.map((item) => {
            const r = rowAt(item.index)
            if (!r)
              return (
                <PendingRow
                  key={`pending-${item.index}`}
                  index={item.index}
                  style={{
                    gridTemplateColumns: template,
                    width,
                    transform: `translateY(${item.start}px)`,
                    height: ROW_HEIGHT,
                  }}
                />
              )
            return (
              <div
                key={`${r.id}|${r.period ?? ''}`}
                role="row"
                aria-rowindex={item.index + 2}
                className="explorer__row"
                data-testid="explorer-row"
                data-id={r.id}
                data-index={item.index}
                style={{
                  gridTemplateColumns: template,
                  width,
                  transform: `translateY(${item.start}px)`,
                  height: ROW_HEIGHT,
                }}
              >
                <span role="gridcell" className="explorer__name">
                  {onDrill ? (
                    <button type="button" className="link" onClick={() => onDrill(r)} title={`Open ${r.name}`}>
                      {r.name}
                    </button>
                  ) : (
                    <span title={r.name}>{r.name}</span>
                  )}
                  {r.provisional ? (
                    <span className="badge badge--warning" title="Includes days that may still change">
                      prov.
                    </span>
                  ) : null}
                  {r.status && r.status !== 'active' ? <span className="badge">{r.status}</span> : null}
                  <PredictionBadge forecast={forecasts?.get(r.id)} />
                </span>
                <span role="gridcell">{platformLabel(r.platform)}</span>
                {columns.map((c) => {
                  const val = metricValue(c, r.totals, r.kpis)
                  const d =
                    showDelta && r.previousKpis && r.previousTotals
                      ? delta(val, metricValue(c, r.previousTotals, r.previousKpis))
                      : null
                  return (
                    <span role="gridcell" key={c} className="num tabular" data-col={c} data-value={val ?? ''}>
                      {formatMetric(c, val, currency)}
                      {d !== null ? (
                        <small
                          className={`explorer__delta ${d >= 0 ? 'is-up' : 'is-down'}`}
                        >{`${d >= 0 ? '+' : ''}${Math.round(d * 100)}%`}</small>
                      ) : null}
                    </span>
                  )
                })}
                <span role="gridcell">
                  <button
                    type="button"
                    className="btn btn--ghost btn--sm"
                    aria-label={`Details of ${r.name}`}
                    onClick={() => onDetails(r)}
                    data-testid="row-details"
                  >
                    ▤
                  </button>
                </span>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}
