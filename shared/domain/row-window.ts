import type { Kpis, Totals } from './metrics'
import type { MetricKeyName } from './metric-keys'

/** Ads per window the Creatives page asks (its first window is computed ahead with this size). */
export const CREATIVES_WINDOW = 100

/** What a list can be sorted by: a metric or the name. */
export type RowSortKey = MetricKeyName | 'name'

/** A window of a long list (the explorer): filtered, sorted and sliced where the rows are, in the core. */
export interface RowWindowQuery {
  offset: number
  limit: number
  sort: RowSortKey
  dir: 'asc' | 'desc'
  /** Case-insensitive part of the name ('' = every row). */
  search: string
  platform?: string | undefined
  /** Also list archived (deleted) entities; by default they are left out of the list (their spend still counts in every total). */
  archived?: boolean | undefined
}

/** A metric's raw value from a row's totals and KPIs (currency units for money; null when undefined). */
export function metricOf(key: MetricKeyName, t: Totals, k: Kpis): number | null {
  if (key === 'impressions') return t.impressions
  if (key === 'clicks') return t.clicks
  return k[key]
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true })

/** How `sortRows` orders two names (ties of a metric, and the name sort). */
export function compareNames(a: string, b: string): number {
  return collator.compare(a, b)
}

/**
 * Filter and sort rows: rows without a value sort last in either direction, ties by name.
 * Archived rows are left out unless asked for. Returns the matching rows in order and how many
 * archived rows matched the filter (listed or left out). `offset` and `limit` are not used.
 */
export function sortRows<
  T extends { name: string; platform: string | null; status?: string | null; totals: Totals; kpis: Kpis },
>(rows: readonly T[], q: Omit<RowWindowQuery, 'offset' | 'limit'>): { rows: T[]; archived: number } {
  const needle = q.search.trim().toLowerCase()
  let archived = 0
  const kept = rows.filter((r) => {
    if ((q.platform && r.platform !== q.platform) || (needle && !r.name.toLowerCase().includes(needle))) return false
    if (r.status !== 'archived') return true
    archived++
    return q.archived === true
  })
  const dir = q.dir === 'asc' ? 1 : -1
  const sort = q.sort
  if (sort === 'name') kept.sort((a, b) => dir * collator.compare(a.name, b.name))
  else {
    const value = new Map(kept.map((r) => [r, metricOf(sort, r.totals, r.kpis)]))
    kept.sort((a, b) => {
      const va = value.get(a) ?? null
      const vb = value.get(b) ?? null
      if (va === null) return vb === null ? collator.compare(a.name, b.name) : 1
      if (vb === null) return -1
      return dir * (va - vb) || collator.compare(a.name, b.name)
    })
  }
  return { rows: kept, archived }
}

/**
 * Filter, sort and slice rows (see `sortRows`). Returns the window, how many rows matched the
 * filter, and how many archived rows matched it (listed or left out).
 */
export function windowRows<
  T extends { name: string; platform: string | null; status?: string | null; totals: Totals; kpis: Kpis },
>(rows: readonly T[], q: RowWindowQuery): { rows: T[]; total: number; archived: number } {
  const s = sortRows(rows, q)
  return { rows: s.rows.slice(q.offset, q.offset + q.limit), total: s.rows.length, archived: s.archived }
}
