import type { DataTable } from '../../../shared/domain/tables'
import { getClient } from '../api/client'
import { useDashboardStore } from '../stores/dashboard-store'
import { useJobsStore } from '../stores/jobs-store'
import { useSettingsStore } from '../stores/settings-store'
import { useWorkspaceStore } from '../stores/workspace-store'

/** Tables whose change can alter the workspace list (names, account counts, demo rebuilds). */
const WORKSPACE_TABLES = new Set<DataTable>(['workspaces', 'ad_accounts'])

/** Route core events into the stores; returns the cleanup. Call once from the app root. */
export function startLiveUpdates(): () => void {
  const client = getClient()
  const offs = [
    client.on('job:progress', (p) => useJobsStore.getState().applyProgress(p)),
    client.on('job:finished', (f) => useJobsStore.getState().applyFinished(f)),
    client.on('data:changed', (change) => {
      const ws = useWorkspaceStore.getState()
      if (change.tables.some((t) => WORKSPACE_TABLES.has(t)) || change.workspaceId === undefined) {
        void ws.loadWorkspaces()
      }
      const shown = useDashboardStore.getState().query?.workspaceId
      if (change.workspaceId === undefined || change.workspaceId === shown) {
        void useDashboardStore.getState().refetch()
      }
    }),
    client.on('settings:changed', (settings) => {
      const before = useSettingsStore.getState().settings
      useSettingsStore.getState().receiveSettings(settings)
      // Totals are converted into the reporting currency, so a new one changes every number.
      if (before && before.reportingCurrency !== settings.reportingCurrency) {
        void useDashboardStore.getState().refetch()
      }
    }),
  ]
  return () => offs.forEach((off) => off())
}
