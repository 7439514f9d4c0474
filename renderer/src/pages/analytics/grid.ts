import { useEffect, useRef, useState, type RefObject } from 'react'
import { useVirtualizer, type VirtualItem, type Virtualizer } from '@tanstack/react-virtual'
import type { MetricColumn } from './format'

/** What the windowed grids (the explorer, the creatives) sort by: a metric or the name. */
export type SortKey = MetricColumn | 'name'
export interface SortState {
  key: SortKey
  dir: 'asc' | 'desc'
}

/** A header click: the same column flips its direction; another starts high to low (names A to Z). */
export function nextSort(s: SortState, key: SortKey): SortState {
  return s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'name' ? 'asc' : 'desc' }
}

/** A header's arrow and its `aria-sort`. */
export function sortMarks(sort: SortState): {
  arrow: (key: SortKey) => string
  ariaSort: (key: SortKey) => 'ascending' | 'descending' | 'none'
} {
  return {
    arrow: (key) => (sort.key === key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''),
    ariaSort: (key) => (sort.key === key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'),
  }
}

/**
 * A virtualised grid of `count` rows of one height: only the rows in view (plus an overscan) are
 * rendered, and `onRange` is told which ones, so their windows can be fetched from the core.
 */
export function useGridRows(
  count: number,
  rowHeight: number,
  onRange: ((first: number, last: number) => void) | undefined,
): {
  scroller: RefObject<HTMLDivElement | null>
  v: Virtualizer<HTMLDivElement, Element>
  items: VirtualItem[]
} {
  const scroller = useRef<HTMLDivElement>(null)
  const v = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  })
  const items = v.getVirtualItems()
  const first = items[0]?.index ?? 0
  const last = items[items.length - 1]?.index ?? -1
  useEffect(() => {
    if (last >= first) onRange?.(first, last)
  }, [first, last, onRange])
  return { scroller, v, items }
}

/** Typing pauses this long before a search goes to the core. */
export const SEARCH_DELAY_MS = 250

/**
 * The search as the core gets it: trimmed, once typing has paused. The setter puts a query at once
 * (a drill-down clears the search without waiting).
 */
export function useSearchQuery(search: string): [string, (query: string) => void] {
  const [query, setQuery] = useState('')
  useEffect(() => {
    const t = setTimeout(() => setQuery(search.trim()), SEARCH_DELAY_MS)
    return () => clearTimeout(t)
  }, [search])
  return [query, setQuery]
}
