import { create } from 'zustand'
import type { ChannelOutput } from '../../../shared/ipc/contract'
import { getClient } from '../api/client'
import { errorMessage } from '../lib/errors'

export type ConnectionView = ChannelOutput<'connections:list'>[number]
export type SyncRunView = ChannelOutput<'sync:listRuns'>[number]
export type SyncStatusView = ChannelOutput<'sync:getStatus'>

interface ConnectionsState {
  workspaceId: number | null
  connections: ConnectionView[]
  runs: SyncRunView[]
  status: SyncStatusView | null
  load: 'idle' | 'loading' | 'ready' | 'error'
  error: string | null
  /** Load connections, recent runs and sync status of a workspace (keeps showing old data while refetching). */
  fetch(workspaceId: number): Promise<void>
  refetch(): Promise<void>
}

/** Connections page data: per-account state, recent runs and the running sync. */
export const useConnectionsStore = create<ConnectionsState>()((set, get) => ({
  workspaceId: null,
  connections: [],
  runs: [],
  status: null,
  load: 'idle',
  error: null,
  async fetch(workspaceId) {
    const switching = get().workspaceId !== workspaceId
    set({
      workspaceId,
      load: switching ? 'loading' : get().load,
      error: null,
      ...(switching ? { connections: [], runs: [], status: null } : {}),
    })
    try {
      const client = getClient()
      const [connections, runs, status] = await Promise.all([
        client.invoke('connections:list', { workspaceId }),
        client.invoke('sync:listRuns', { workspaceId, limit: 10 }),
        client.invoke('sync:getStatus', { workspaceId }),
      ])
      if (get().workspaceId === workspaceId) set({ connections, runs, status, load: 'ready' })
    } catch (err) {
      if (get().workspaceId === workspaceId) set({ load: 'error', error: errorMessage(err) })
    }
  },
  async refetch() {
    const id = get().workspaceId
    if (id !== null) await get().fetch(id)
  },
}))
