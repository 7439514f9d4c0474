import type { AlertSeverity } from '../../../../shared/domain/alerts'
import type { TrayAlert } from '../../alerts/tray-state'
import type { Sqlite } from '../connect'
import { OPEN_AT_SQL } from './alerts-repo'

/**
 * Small facts about workspaces that schedulers and status displays ask for (the tray, the sync and
 * training schedules, the CLI): kept here so no service outside the store writes SQL.
 */
export class StatusRepo {
  constructor(private readonly sqlite: Sqlite) {}

  /** False once the store is closed (late events after close ask nothing). */
  get open(): boolean {
    return this.sqlite.open
  }

  /** `PRAGMA integrity_check` of the open store: 'ok' or what is wrong (reads every page). */
  integrityCheck(): string {
    const rows = this.sqlite.pragma('integrity_check') as Array<{ integrity_check: string }>
    return rows.map((r) => r.integrity_check).join('; ')
  }

  /** Sync health per ad account: status, last success and last error (the doctor's table). */
  accountHealth(): Array<{
    id: number
    workspace_id: number
    name: string
    platform: string
    status: string
    connected: boolean
    last_success_at: string | null
    last_error: string | null
  }> {
    return (
      this.sqlite
        .prepare(
          `SELECT a.id, a.workspace_id, a.name, a.platform, a.status, a.connection_id IS NOT NULL AS connected,
                  s.last_success_at, coalesce(s.last_error, a.status_message) AS last_error
           FROM ad_accounts a LEFT JOIN sync_state s ON s.account_id = a.id ORDER BY a.workspace_id, a.id`,
        )
        .all() as Array<{
        id: number
        workspace_id: number
        name: string
        platform: string
        status: string
        connected: number
        last_success_at: string | null
        last_error: string | null
      }>
    ).map((r) => ({ ...r, connected: r.connected === 1 }))
  }

  /** Jobs by status, and the failed ones finished since `since` with their errors (newest first). */
  jobHealth(since: string): {
    queued: number
    running: number
    failed: Array<{ id: number; kind: string; finished_at: string | null; error: string }>
  } {
    const counts = this.sqlite
      .prepare(`SELECT status, count(*) AS n FROM jobs WHERE status IN ('queued', 'running') GROUP BY status`)
      .all() as Array<{ status: string; n: number }>
    const failed = this.sqlite
      .prepare(
        `SELECT id, kind, finished_at, coalesce(error, 'no error recorded') AS error FROM jobs
         WHERE status = 'failed' AND finished_at >= ? ORDER BY finished_at DESC LIMIT 20`,
      )
      .all(since) as Array<{ id: number; kind: string; finished_at: string | null; error: string }>
    return {
      queued: counts.find((c) => c.status === 'queued')?.n ?? 0,
      running: counts.find((c) => c.status === 'running')?.n ?? 0,
      failed,
    }
  }

  /** Unread WARNING+ alerts at `now` (open: not acknowledged, snoozed or resolved): the tray badge. */
  unreadAlertCount(now: Date): number {
    return (
      this.sqlite
        .prepare(
          `SELECT count(*) AS n FROM alerts WHERE severity IN ('warning', 'error', 'critical') AND ${OPEN_AT_SQL}`,
        )
        .get(now.toISOString()) as { n: number }
    ).n
  }

  /**
   * Alerts the tray may count, newest first: WARNING+, not acknowledged, not resolved (snoozes end by
   * themselves, so `computeTrayState` checks them at `now`).
   */
  unreadAlerts(limit = 500): TrayAlert[] {
    return (
      this.sqlite
        .prepare(
          `SELECT id, severity, title, link, last_raised_at, acknowledged_at, snoozed_until, resolved_at FROM alerts
           WHERE resolved_at IS NULL AND acknowledged_at IS NULL AND severity IN ('warning', 'error', 'critical')
           ORDER BY last_raised_at DESC, id DESC LIMIT ?`,
        )
        .all(limit) as Array<{
        id: number
        severity: string
        title: string
        link: string
        last_raised_at: string
        acknowledged_at: string | null
        snoozed_until: string | null
        resolved_at: string | null
      }>
    ).map((r) => ({
      id: r.id,
      severity: r.severity as AlertSeverity,
      title: r.title,
      link: r.link,
      lastRaisedAt: r.last_raised_at,
      acknowledgedAt: r.acknowledged_at,
      snoozedUntil: r.snoozed_until,
      resolvedAt: r.resolved_at,
    }))
  }

  /**
   * When the last successful (or partial) sync run finished (ISO), or null: of one workspace or of
   * all; `imports` false leaves CSV imports out.
   */
  lastSyncAt(workspaceId: number | null, imports = true): string | null {
    const where = [`status IN ('succeeded', 'partial')`]
    const params: number[] = []
    if (workspaceId !== null) {
      where.push('workspace_id = ?')
      params.push(workspaceId)
    }
    if (!imports) where.push(`mode != 'import'`)
    const r = this.sqlite
      .prepare(`SELECT max(finished_at) AS at FROM sync_runs WHERE ${where.join(' AND ')}`)
      .get(...params) as { at: string | null }
    return r.at
  }

  /** Workspaces with at least one connected account. */
  connectedWorkspaces(): number[] {
    return (
      this.sqlite
        .prepare('SELECT DISTINCT workspace_id AS id FROM ad_accounts WHERE connection_id IS NOT NULL')
        .all() as { id: number }[]
    ).map((r) => r.id)
  }

  /** The last day with data of any account of the workspace, or null when it has none. */
  lastDataDate(workspaceId: number): string | null {
    const r = this.sqlite
      .prepare(
        'SELECT max(d.date) AS d FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id WHERE a.workspace_id = ?',
      )
      .get(workspaceId) as { d: string | null }
    return r.d
  }

  /** Whether any account of the workspace has a day of data (cheaper than lastDataDate). */
  hasData(workspaceId: number): boolean {
    return !!this.sqlite
      .prepare(
        'SELECT 1 FROM account_daily cd JOIN ad_accounts a ON a.id = cd.account_id WHERE a.workspace_id = ? LIMIT 1',
      )
      .get(workspaceId)
  }

  /** The newest demo workspace's id, or null. */
  demoWorkspace(): number | null {
    const r = this.sqlite.prepare('SELECT id FROM workspaces WHERE is_demo = 1 ORDER BY id DESC LIMIT 1').get() as
      { id: number } | undefined
    return r?.id ?? null
  }

  /** Payload and result (JSON) of the last succeeded job of a kind, or null. */
  lastSucceededJob(kind: string): { payload: string; result: string } | null {
    return (
      (this.sqlite
        .prepare(`SELECT payload, result FROM jobs WHERE kind = ? AND status = 'succeeded' ORDER BY id DESC LIMIT 1`)
        .get(kind) as { payload: string; result: string } | undefined) ?? null
    )
  }
}
