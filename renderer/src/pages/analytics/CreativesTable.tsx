import type { JSX } from 'react'
import type { z } from 'zod'
import type { CreativeListSchema } from '../../../../shared/ipc/contracts/analytics-insights'
import { STATE_BADGE } from './CreativeParts'
import { PendingRow } from './PendingRow'
import { sortMarks, useGridRows, type SortKey, type SortState } from './grid'
import { formatMetric, platformLabel } from './format'

export type Creative = z.infer<typeof CreativeListSchema>['rows'][number]

interface CreativesTableProps {
  /** Ads in the list (the core's total). */
  count: number
  /** The row at an index, or undefined while its window loads. */
  rowAt: (index: number) => Creative | undefined
  /** Told which rows are in view (plus the overscan) so their windows can be fetched. */
  onRange: (first: number, last: number) => void
  /** What the rows shown were asked with (tests wait on it). */
  query: string
  currency: string
  sort: SortState
  onSort: (key: SortKey) => void
  picked: readonly number[]
  onPick: (adId: number) => void
  onOpen: (adId: number) => void
}

const ROW_HEIGHT = 44
/** Compare, ad, format, platform, spend, CTR, ROAS, fatigue, days to fatigue. */
const TEMPLATE = '36px minmax(240px, 1fr) 96px 100px 112px 80px 80px 120px 128px'
/** Columns the core sorts by (fatigue is fitted per row shown, so it does not sort). */
const SORTABLE: { key: SortKey; label: string; num?: boolean }[] = [
  { key: 'spend', label: 'Spend', num: true },
  { key: 'ctr', label: 'CTR', num: true },
  { key: 'roas', label: 'ROAS', num: true },
]

/**
 * The creatives grid: every ad delivered in the range, read window by window from the core and
 * virtualised (only the rows in view are in the DOM), so 128,000 ads scroll like 100.
 */
export function CreativesTable(props: CreativesTableProps): JSX.Element {
  const { count, rowAt, onRange, query, currency, sort, onSort, picked, onPick, onOpen } = props
  const { scroller, v, items } = useGridRows(count, ROW_HEIGHT, onRange)
  const { arrow, ariaSort } = sortMarks(sort)
  const cell = (key: SortKey, label: string, num = false): JSX.Element => (
    <button
      type="button"
      key={key}
      role="columnheader"
      aria-sort={ariaSort(key)}
      className={`explorer__th${num ? ' num' : ''}`}
      onClick={() => onSort(key)}
      data-testid={`creative-sort-${key}`}
    >
      {label}
      {arrow(key)}
    </button>
  )
  return (
    <div
      className="explorer"
      role="grid"
      aria-label="Creatives"
      aria-rowcount={count + 1}
      data-testid="creative-table"
      data-rows={count}
      data-query={query}
    >
      <div ref={scroller} className="explorer__body" style={{ height: 560 }} data-testid="creative-scroll">
        <div
          className="explorer__row explorer__head"
          role="row"
          style={{ gridTemplateColumns: TEMPLATE, width: '100%' }}
        >
          <span role="columnheader" className="explorer__th" aria-label="Compare" />
          {cell('name', 'Ad')}
          <span role="columnheader" className="explorer__th">
            Format
          </span>
          <span role="columnheader" className="explorer__th">
            Platform
          </span>
          {SORTABLE.map((c) => cell(c.key, c.label, c.num))}
          <span role="columnheader" className="explorer__th" title="Fitted from each ad's CTR decay since launch">
            Fatigue
          </span>
          <span role="columnheader" className="explorer__th num">
            Days to fatigue
          </span>
        </div>
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const r = rowAt(item.index)
            const style = {
              gridTemplateColumns: TEMPLATE,
              width: '100%',
              transform: `translateY(${item.start}px)`,
              height: ROW_HEIGHT,
            }
            if (!r) return <PendingRow key={`pending-${item.index}`} index={item.index} style={style} leading={1} />
            return (
              <div
                key={r.adId}
                role="row"
                aria-rowindex={item.index + 2}
                className="explorer__row"
                data-testid="creative-row"
                data-id={r.adId}
                data-index={item.index}
                style={style}
              >
                <span role="gridcell">
                  <input
                    type="checkbox"
                    aria-label={`Compare ${r.name}`}
                    checked={picked.includes(r.adId)}
                    onChange={() => onPick(r.adId)}
                  />
                </span>
                <span role="gridcell" className="explorer__name creatives__name">
                  <button type="button" className="link" onClick={() => onOpen(r.adId)} title={`Fatigue of ${r.name}`}>
                    {r.name}
                  </button>
                  {r.headline && r.headline !== r.name ? <small className="field__hint">{r.headline}</small> : null}
                </span>
                <span role="gridcell">{r.format}</span>
                <span role="gridcell">{platformLabel(r.platform)}</span>
                <span role="gridcell" className="num tabular">
                  {formatMetric('spend', r.kpis.spend, currency)}
                </span>
                <span role="gridcell" className="num tabular">
                  {formatMetric('ctr', r.kpis.ctr, currency)}
                </span>
                <span role="gridcell" className="num tabular">
                  {formatMetric('roas', r.kpis.roas, currency)}
                </span>
                <span role="gridcell">
                  <span className={`badge ${STATE_BADGE[r.fatigue.state] ?? ''}`} title={r.fatigue.explanation}>
                    {r.fatigue.state.replace('_', ' ')}
                  </span>
                </span>
                <span role="gridcell" className="num tabular">
                  {r.fatigue.daysUntilFatigue === null
                    ? '—'
                    : r.fatigue.daysUntilFatigue > 365
                      ? '> 1 year'
                      : r.fatigue.daysUntilFatigue}
                </span>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}
