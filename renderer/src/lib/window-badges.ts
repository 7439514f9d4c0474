import { useCallback, useEffect, useMemo, useRef, useState } from 'react'

/** The most ids one badge request may name (the core's limit for `ml:listEntityForecasts`). */
export const BADGE_IDS_PER_REQUEST = 1000

export interface WindowBadges<T> {
  /** The badges of the first window and of every later window loaded, by row id. */
  badges: ReadonlyMap<string, T>
  /** A later window loaded: fetch its rows' badges (and remember them for the next model). */
  loaded: (ids: number[]) => void
}

/**
 * Badges of a windowed list: `first` holds the first window's badges (a page-data load that
 * refreshes when a model is trained); later windows' badges are fetched as their rows load. When
 * `first` is replaced (a retraining), the badges of every later window loaded so far are fetched
 * again for the new model, so rows loaded earlier keep their badges (issue 18). `list` is the
 * windowed list's first answer: a new one drops the later windows, and with them their ids.
 */
export function useWindowBadges<T>(
  first: ReadonlyMap<string, T> | undefined,
  list: unknown,
  fetchBadges: (ids: number[]) => Promise<Map<string, T>>,
): WindowBadges<T> {
  const [more, setMore] = useState<{ base: unknown; map: Map<string, T> }>({ base: undefined, map: new Map() })
  const base = useRef(first)
  const ids = useRef<{ list: unknown; ids: Set<number> }>({ list, ids: new Set() })
  useEffect(() => {
    base.current = first
  })
  if (ids.current.list !== list) ids.current = { list, ids: new Set() }

  const merge = useCallback((forBase: unknown, got: Map<string, T>) => {
    setMore((m) => {
      if (base.current !== forBase) return m
      const map = new Map(m.base === forBase ? m.map : [])
      for (const [id, f] of got) map.set(id, f)
      return { base: forBase, map }
    })
  }, [])

  const fetchAll = useCallback(
    (forBase: unknown, wanted: number[]) => {
      for (let i = 0; i < wanted.length; i += BADGE_IDS_PER_REQUEST)
        fetchBadges(wanted.slice(i, i + BADGE_IDS_PER_REQUEST)).then(
          (got) => merge(forBase, got),
          // Failures only hide badges.
          () => undefined,
        )
    },
    [fetchBadges, merge],
  )

  const loaded = useCallback(
    (rowIds: number[]) => {
      for (const id of rowIds) ids.current.ids.add(id)
      const forBase = base.current
      if (forBase) fetchAll(forBase, rowIds)
    },
    [fetchAll],
  )

  // A new first-window answer (a model trained, predictions rewritten): the later windows'
  // badges are of the old model; ask for them again.
  useEffect(() => {
    if (!first || ids.current.ids.size === 0) return
    fetchAll(first, [...ids.current.ids])
  }, [first, fetchAll])

  const badges = useMemo((): ReadonlyMap<string, T> => {
    if (!first) return new Map()
    if (more.base !== first || more.map.size === 0) return first
    return new Map([...first, ...more.map])
  }, [first, more])
  return { badges, loaded }
}
