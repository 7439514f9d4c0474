import { getClient } from '../api/client'
import { useJobsStore } from '../stores/jobs-store'
import { useSettingsStore } from '../stores/settings-store'
import { useWorkspaceStore } from '../stores/workspace-store'
import type { DataTable } from './page-data'

/** Tables whose change can alter the workspace list (names, account counts, demo rebuilds). */
const WORKSPACE_TABLES: readonly DataTable[] = ['workspaces', 'ad_accounts']

/**
 * Route app-wide core events into the app-wide stores; returns the cleanup. Call once from the app
 * root. Pages refresh their own data on the `data:changed` events naming their tables (`usePageData`).
 */
export function startLiveUpdates(): () => void {
  const client = getClient()
  const offs = [
    client.on('job:progress', (p) => useJobsStore.getState().applyProgress(p)),
    client.on('job:finished', (f) => useJobsStore.getState().applyFinished(f)),
    client.on('data:changed', (change) => {
      if (change.tables.some((t) => WORKSPACE_TABLES.includes(t))) {
        void useWorkspaceStore.getState().loadWorkspaces()
      }
    }),
    client.on('settings:changed', (settings) => useSettingsStore.getState().receiveSettings(settings)),
  ]
  return () => offs.forEach((off) => off())
}
