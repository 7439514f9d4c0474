import { useCallback, useEffect, useRef, useState } from 'react'
import type { DataTable } from '../../../shared/domain/tables'
import type { EventPayload } from '../../../shared/ipc/contract'
import { getClient } from '../api/client'
import { RequestSequence } from './request-sequence'

export type { DataTable }
export type DataChange = EventPayload<'data:changed'>

/** Does this change concern a view that reads `tables` of `workspaceId`? (No workspace = every workspace.) */
export function concerns(change: DataChange, tables: readonly DataTable[], workspaceId: number | null): boolean {
  if (change.workspaceId !== undefined && workspaceId !== null && change.workspaceId !== workspaceId) return false
  return change.tables.some((t) => tables.includes(t))
}

/** Call `onChange` on every `data:changed` that names one of `tables` in `workspaceId` (or no workspace). */
export function useDataChanged(
  tables: readonly DataTable[],
  workspaceId: number | null,
  onChange: (change: DataChange) => void,
): void {
  const latest = useRef({ tables, onChange })
  useEffect(() => {
    latest.current = { tables, onChange }
  })
  useEffect(
    () =>
      getClient().on('data:changed', (change) => {
        if (concerns(change, latest.current.tables, workspaceId)) latest.current.onChange(change)
      }),
    [workspaceId],
  )
}

export type LoadStatus = 'loading' | 'ready' | 'error'

export interface PageData<T> {
  /** `loading` until the first answer for the current key; stays `ready` during a background refresh. */
  status: LoadStatus
  data: T | undefined
  error: unknown
  /** A refresh runs over data already on screen (no skeletons then). */
  refreshing: boolean
  /** Load again: in the background when data is shown, else from the skeleton (the Retry button). */
  reload: () => void
}

export interface PageDataOptions<T> {
  /** What is asked (e.g. JSON of workspace, range and filters); a new key loads afresh. `null`: nothing yet. */
  key: string | null
  load: (signal: AbortSignal) => Promise<T>
  /** The tables the view reads: a matching `data:changed` refreshes it in the background. */
  tables: readonly DataTable[]
  workspaceId: number | null
}

interface Held<T> {
  key: string | null
  status: LoadStatus
  data: T | undefined
  error: unknown
  refreshing: boolean
}

/**
 * The renderer's one data-loading pattern: sequenced requests (a superseded answer is dropped),
 * one loading / ready / error shape, and a background refresh on the `data:changed` events that
 * name the view's tables.
 */
export function usePageData<T>({ key, load, tables, workspaceId }: PageDataOptions<T>): PageData<T> {
  const [held, setHeld] = useState<Held<T>>({
    key: null,
    status: 'loading',
    data: undefined,
    error: null,
    refreshing: false,
  })
  const sequence = useRef(new RequestSequence())
  const loader = useRef(load)
  const currentKey = useRef(key)
  useEffect(() => {
    loader.current = load
    currentKey.current = key
  })

  const run = useCallback((background: boolean) => {
    const k = currentKey.current
    if (k === null) return
    const ticket = sequence.current.next()
    setHeld((h) =>
      background && h.key === k && h.status === 'ready'
        ? { ...h, refreshing: true }
        : { key: k, status: 'loading', data: undefined, error: null, refreshing: false },
    )
    loader.current(ticket.signal).then(
      (data) => {
        if (ticket.isLatest()) setHeld({ key: k, status: 'ready', data, error: null, refreshing: false })
      },
      (error: unknown) => {
        if (ticket.isLatest()) setHeld({ key: k, status: 'error', data: undefined, error, refreshing: false })
      },
    )
  }, [])

  useEffect(() => {
    const seq = sequence.current
    run(false)
    return () => seq.cancel()
  }, [key, run])

  useDataChanged(tables, workspaceId, () => run(true))

  const reload = useCallback(() => run(true), [run])
  // Until the effect for a new key runs, show that key as loading rather than the previous answer.
  if (held.key !== key) return { status: 'loading', data: undefined, error: null, refreshing: false, reload }
  return { status: held.status, data: held.data, error: held.error, refreshing: held.refreshing, reload }
}

/**
 * Metric views read these: the rows and rollups a sync, an import or a demo rebuild rewrites, the
 * accounts they belong to, and the workspace's currency and exchange rates.
 */
export const METRIC_DATA: readonly DataTable[] = [
  'daily_metrics',
  'campaign_daily',
  'account_daily',
  'ad_accounts',
  'fx_rates',
  'workspaces',
]
