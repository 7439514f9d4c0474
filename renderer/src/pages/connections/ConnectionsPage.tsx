import { useEffect, useState, type JSX } from 'react'
import { PLATFORM_LABELS } from '../../../../shared/domain/entities'
import type { ChannelOutput } from '../../../../shared/ipc/contract'
import { getClient } from '../../api/client'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { PageFrame } from '../../components/PageFrame'
import { LoadState } from '../../components/LoadState'
import { EmptyState, ErrorState, Skeleton } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { formatTimestamp } from '../../lib/format'
import { usePageData, type DataTable } from '../../lib/page-data'
import { useJobsStore } from '../../stores/jobs-store'
import { selectCurrentWorkspace, useWorkspaceStore } from '../../stores/workspace-store'
import { AccountsTable } from './AccountsTable'
import { ApiVersions } from './ApiVersions'
import { Attribution } from './Attribution'
import { ConnectForm } from './ConnectForm'
import { RecentRuns } from './RecentRuns'

export type ConnectionView = ChannelOutput<'connections:list'>[number]

/** Connections, their accounts' sync state and the sync runs. */
export const CONNECTIONS_TABLES: readonly DataTable[] = ['connections', 'ad_accounts', 'sync_runs']

async function loadConnections(workspaceId: number): Promise<{
  connections: ConnectionView[]
  runs: ChannelOutput<'sync:listRuns'>
  status: ChannelOutput<'sync:getStatus'>
}> {
  const client = getClient()
  const [connections, runs, status] = await Promise.all([
    client.invoke('connections:list', { workspaceId }),
    client.invoke('sync:listRuns', { workspaceId, limit: 10 }),
    client.invoke('sync:getStatus', { workspaceId }),
  ])
  return { connections, runs, status }
}

/** Connections: connect flows, per-account sync state, "Sync now" with live progress, recent runs. */
export function ConnectionsPage(): JSX.Element {
  const workspace = useWorkspaceStore(selectCurrentWorkspace)
  const workspaceStatus = useWorkspaceStore((s) => s.status)
  const workspaceError = useWorkspaceStore((s) => s.error)
  const workspaceId = workspace?.id ?? null
  const state = usePageData({
    key: workspaceId === null ? null : String(workspaceId),
    load: () => loadConnections(workspaceId as number),
    tables: CONNECTIONS_TABLES,
    workspaceId,
  })
  const { reload } = state
  const connections = state.data?.connections ?? []
  const runs = state.data?.runs ?? []
  const status = state.data?.status ?? null
  const [syncError, setSyncError] = useState<string | null>(null)
  const [removing, setRemoving] = useState<ConnectionView | null>(null)
  const runningId = status?.running?.jobId ?? null
  const job = useJobsStore((s) => (runningId === null ? undefined : s.jobs.find((j) => j.id === runningId)))

  // A run's end is also a data:changed on sync_runs; this catches a run that failed before writing.
  useEffect(() => getClient().on('sync:finished', () => reload()), [reload])

  if (!workspace)
    return (
      <PageFrame id="connections">
        {workspaceStatus === 'error' ? (
          <div className="card">
            <ErrorState title="Could not load workspaces" message={workspaceError ?? ''} />
          </div>
        ) : (
          <Skeleton height={120} />
        )}
      </PageFrame>
    )

  const syncNow = async (mode: 'incremental' | 'full'): Promise<void> => {
    setSyncError(null)
    try {
      await getClient().invoke('sync:start', { workspaceId: workspace.id, mode })
      reload()
      await useJobsStore.getState().loadJobs()
    } catch (err) {
      setSyncError(errorMessage(err))
    }
  }

  const remove = async (c: ConnectionView): Promise<void> => {
    try {
      await getClient().invoke('connections:remove', { connectionId: c.id })
      setRemoving(null)
      reload()
    } catch (err) {
      setSyncError(errorMessage(err))
      setRemoving(null)
    }
  }

  const running = job ? job.status === 'queued' || job.status === 'running' : runningId !== null
  // Accounts can hold data without a sync run in this workspace (the demo is generated): say when
  // they were last brought up to date rather than "not synced".
  const lastAccountSync = connections
    .flatMap((c) => c.accounts.map((a) => a.lastSyncedAt))
    .reduce<string | null>((max, t) => (t && (!max || t > max) ? t : max), null)
  const meta = status?.lastRun
    ? `Last sync ${formatTimestamp(status.lastRun.finishedAt ?? status.lastRun.startedAt)} · ${status.lastRun.status}`
    : lastAccountSync
      ? `Data as of ${formatTimestamp(lastAccountSync)} · no sync run yet`
      : 'Not synced yet'

  return (
    <PageFrame id="connections" meta={meta}>
      <section className="card" aria-labelledby="conn-sync">
        <div className="card__header">
          <h2 id="conn-sync">Sync</h2>
          <div className="header__controls">
            <button
              type="button"
              className="btn btn--primary"
              disabled={running || connections.length === 0}
              onClick={() => void syncNow('incremental')}
              data-testid="sync-now"
            >
              {running ? 'Syncing…' : 'Sync now'}
            </button>
            <button
              type="button"
              className="btn"
              disabled={running || connections.length === 0}
              onClick={() => void syncNow('full')}
            >
              Full re-sync
            </button>
          </div>
        </div>
        <div className="card__body">
          {running ? (
            <div aria-live="polite" data-testid="sync-progress">
              <div
                className="progress"
                role="progressbar"
                aria-valuemin={0}
                aria-valuemax={job?.total ?? 0}
                aria-valuenow={job?.current ?? 0}
              >
                <div
                  className="progress__bar"
                  style={{ width: `${job && job.total > 0 ? Math.round((100 * job.current) / job.total) : 5}%` }}
                />
              </div>
              <p className="field__hint">
                {job?.step ?? 'Starting'} {job?.message ? `· ${job.message}` : ''}
              </p>
            </div>
          ) : (
            <p className="field__hint">
              {status && status.intervalHours > 0
                ? `Automatic sync every ${status.intervalHours} h while the app runs${status.nextSyncAt ? ` (next ${formatTimestamp(status.nextSyncAt)})` : ''}, on wake from sleep and at start when data is stale.`
                : 'Automatic sync is off (Settings → sync interval).'}{' '}
              Each sync re-pulls the platform’s restatement window; those days are marked provisional.
            </p>
          )}
          {syncError ? <p className="field__error">{syncError}</p> : null}
        </div>
      </section>

      <LoadState
        state={state}
        what="connections"
        loading={<Skeleton height={160} />}
        isEmpty={(d) => d.connections.length === 0}
        empty={
          <EmptyState title="No platform connected to this workspace" icon="connections">
            Connect Meta, Google Ads, TikTok or Snapchat below, or import a CSV export with the CLI (
            <code>npm run cli -- import file.csv</code>).
          </EmptyState>
        }
      >
        {(d) =>
          d.connections.map((c) => (
            <section
              key={c.id}
              className="card"
              aria-label={`${PLATFORM_LABELS[c.platform]} connection`}
              data-testid={`connection-${c.platform}`}
            >
              <div className="card__header">
                <h2>
                  {PLATFORM_LABELS[c.platform]} <span className="field__hint">{c.label}</span>
                  {c.simulated ? <span className="badge badge--info">Simulated demo platform</span> : null}
                </h2>
                <button type="button" className="btn btn--ghost btn--sm" onClick={() => setRemoving(c)}>
                  Remove
                </button>
              </div>
              <div className="card__body">
                {c.apiNotice ? (
                  <p
                    className={c.apiNotice.level === 'error' ? 'field__error' : 'badge badge--warning'}
                    role={c.apiNotice.level === 'error' ? 'alert' : 'status'}
                    data-testid={`api-notice-${c.platform}`}
                  >
                    {c.apiNotice.message}
                  </p>
                ) : null}
                {c.lastError ? <p className="field__error">{c.lastError}</p> : null}
                <AccountsTable accounts={c.accounts} />
                <p className="field__hint mono">
                  API {c.apiVersion}: {c.baseUrl}
                </p>
              </div>
            </section>
          ))
        }
      </LoadState>

      <section className="card" aria-labelledby="conn-runs">
        <div className="card__header">
          <h2 id="conn-runs">Recent runs</h2>
        </div>
        <div className="card__body">
          <RecentRuns runs={runs} />
        </div>
      </section>

      <section className="card" aria-labelledby="conn-add">
        <div className="card__header">
          <h2 id="conn-add">Connect a platform</h2>
        </div>
        <div className="card__body">
          <ConnectForm workspaceId={workspace.id} onConnected={reload} />
          <ApiVersions onChanged={reload} />
          <Attribution onChanged={reload} />
        </div>
      </section>

      <ConfirmDialog
        open={removing !== null}
        title="Remove connection"
        confirmLabel="Remove"
        danger
        onConfirm={() => removing && void remove(removing)}
        onCancel={() => setRemoving(null)}
      >
        <p>
          The saved credentials are deleted. The accounts and their data stay, but stop syncing until you connect again.
        </p>
      </ConfirmDialog>
    </PageFrame>
  )
}
