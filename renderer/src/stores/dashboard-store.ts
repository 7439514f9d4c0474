import { create } from 'zustand'
import type { DateRange } from '../../../shared/domain/metrics'
import type { Summary, TrendPoint } from '../../../shared/ipc/contract'
import { getClient } from '../api/client'
import { errorMessage } from '../lib/errors'

export interface DashboardQuery {
  workspaceId: number
  range: DateRange
  compare: boolean
}

interface DashboardState {
  query: DashboardQuery | null
  status: 'idle' | 'loading' | 'ready' | 'error'
  /** True while a background refetch runs over data already on screen (no skeletons then). */
  refreshing: boolean
  error: string | null
  summary: Summary | null
  trend: TrendPoint[]
  trendCurrency: string | null
  load: (query: DashboardQuery) => Promise<void>
  /** Same query again, keeping what is on screen until the answer arrives. */
  refetch: () => Promise<void>
}

function sameQuery(a: DashboardQuery | null, b: DashboardQuery): boolean {
  return (
    a !== null &&
    a.workspaceId === b.workspaceId &&
    a.range.from === b.range.from &&
    a.range.to === b.range.to &&
    a.compare === b.compare
  )
}

let seq = 0

async function fetchAll(query: DashboardQuery): Promise<Pick<DashboardState, 'summary' | 'trend' | 'trendCurrency'>> {
  const client = getClient()
  const [summary, trend] = await Promise.all([
    client.invoke('dashboard:getSummary', query),
    client.invoke('dashboard:getTrend', { workspaceId: query.workspaceId, range: query.range }),
  ])
  return { summary, trend: trend.points, trendCurrency: trend.currency }
}

export const useDashboardStore = create<DashboardState>()((set, get) => ({
  query: null,
  status: 'idle',
  refreshing: false,
  error: null,
  summary: null,
  trend: [],
  trendCurrency: null,

  load: async (query) => {
    const s = get()
    if (sameQuery(s.query, query) && (s.status === 'ready' || s.status === 'loading')) return
    const mine = ++seq
    set({ query, status: 'loading', refreshing: false, error: null })
    try {
      const data = await fetchAll(query)
      // Only the latest request may write: the user may have switched range meanwhile.
      if (mine === seq) set({ ...data, status: 'ready', error: null })
    } catch (err) {
      if (mine === seq) set({ status: 'error', error: errorMessage(err) })
    }
  },
  refetch: async () => {
    const { query, status } = get()
    if (!query) return
    const mine = ++seq
    const background = status === 'ready'
    set(background ? { refreshing: true } : { status: 'loading', error: null })
    try {
      const data = await fetchAll(query)
      if (mine === seq) set({ ...data, status: 'ready', refreshing: false, error: null })
    } catch (err) {
      if (mine === seq) set({ status: 'error', refreshing: false, error: errorMessage(err) })
    }
  },
}))
