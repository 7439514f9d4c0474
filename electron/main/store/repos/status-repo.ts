import type { AlertSeverity } from '../../../../shared/domain/alerts'
import type { TrayAlert } from '../../alerts/tray-state'
import type { Sqlite } from '../connect'

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
