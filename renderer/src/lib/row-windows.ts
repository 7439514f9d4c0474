import { useCallback, useEffect, useRef, useState } from 'react'

/** One window of a long list as the core answers it. */
export interface RowWindow<T> {
  rows: T[]
  /** Rows matching the query (the list's length). */
  total?: number | undefined
}

export interface RowWindows<T> {
  count: number
  /** The row at an index, or undefined while its window loads. */
  rowAt: (index: number) => T | undefined
  /** The rows in view changed: fetch the windows they fall in. */
  onRange: (first: number, last: number) => void
}

/**
 * A long list read window by window: `first` is the first window (loaded by the page, with its
 * loading and error states); the others are fetched as rows come into view and dropped when
 * `first` changes (a new query or a refresh), so an answer for an older query never shows. A
 * refresh replaces `first` while the grid stays where it was scrolled (a `data:changed` after a
 * sync): the windows of the rows last in view are asked again at once, since the grid reports
 * its range only when it scrolls. (A new query goes through loading, `first` undefined: the grid
 * is shown afresh and reports its new range.)
 */
export function useRowWindows<T>(
  first: RowWindow<T> | undefined,
  fetchWindow: (offset: number) => Promise<RowWindow<T>>,
  size: number,
): RowWindows<T> {
  const [held, setHeld] = useState<{ base: RowWindow<T> | undefined; windows: Map<number, T[]> }>({
    base: undefined,
    windows: new Map(),
  })
  const windows = held.base === first ? held.windows : null
  const latest = useRef({ first, windows, fetchWindow })
  const pending = useRef(new Set<number>())
  /** The rows in view as the grid last reported them. */
  const inView = useRef<{ from: number; to: number } | null>(null)

  const request = useCallback(
    (from: number, to: number) => {
      const { first: base, windows: have, fetchWindow: fetcher } = latest.current
      if (!base) return
      const inFlight = pending.current
      // (Rows last in view may lie past the end of a refreshed, shorter list.)
      const last = Math.min(to, (base.total ?? base.rows.length) - 1)
      for (let k = Math.max(1, Math.floor(from / size)); k <= Math.floor(last / size); k++) {
        if (have?.has(k) || inFlight.has(k)) continue
        inFlight.add(k)
        fetcher(k * size).then(
          (w) => {
            inFlight.delete(k)
            if (latest.current.first !== base) return
            setHeld((h) => ({ base, windows: new Map(h.base === base ? h.windows : []).set(k, w.rows) }))
          },
          // A failed window stays a placeholder; scrolling past it again asks again.
          () => inFlight.delete(k),
        )
      }
    },
    [size],
  )

  useEffect(() => {
    const previous = latest.current.first
    if (previous !== first) pending.current = new Set()
    latest.current = { first, windows, fetchWindow }
    // A refresh (one first window replaced by another): the rows in view were dropped; ask again.
    if (previous && first && previous !== first && inView.current) request(inView.current.from, inView.current.to)
  })

  const onRange = useCallback(
    (from: number, to: number) => {
      inView.current = { from, to }
      request(from, to)
    },
    [request],
  )

  const rowAt = useCallback(
    (i: number): T | undefined => {
      const k = Math.floor(i / size)
      return k === 0 ? first?.rows[i] : windows?.get(k)?.[i - k * size]
    },
    [first, windows, size],
  )
  return { count: first ? (first.total ?? first.rows.length) : 0, rowAt, onRange }
}
