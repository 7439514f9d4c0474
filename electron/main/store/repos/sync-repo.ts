import { addDays } from '../../../../shared/domain/dates'
import type { SqlStatement } from './jobs-repo'
import type { AccountStatus, PlatformId } from '../../../../shared/domain/entities'
import type { Sqlite } from '../db'
import type { RemoteAccount } from '../../sync/connectors/types'
import { EntityWriter } from '../sync-writer/entity-writer'

export interface ConnectionRow {
  id: number
  workspaceId: number
  platform: PlatformId
  label: string
  secretRef: string
  config: ConnectionConfig
  status: string
  lastError: string | null
  createdAt: string
}

/** Non-secret connection settings (JSON in `connections.config`). */
export interface ConnectionConfig {
  accountIds?: string[]
  /** Per-connection API base URL override. */
  baseUrl?: string
  /** Demo connections: served by the simulated platforms built from this world. */
  simulated?: { seed: number; campaigns: number; days: number; endDate: string; preset: 'demo' | 'bench' }
}

export interface LocalAccount {
  id: number
  workspaceId: number
  connectionId: number | null
  platform: PlatformId
  externalId: string
  name: string
  currency: string
  timeZone: string
  status: AccountStatus
}

export interface SyncStateRow {
  accountId: number
  backfillFrom: string | null
  syncedThrough: string | null
  restatementDays: number | null
  lastSuccessAt: string | null
  lastError: string | null
  nextSyncAt: string | null
}

/** Per-account outcome of a run (JSON in `sync_runs.accounts`). */
export interface AccountOutcome {
  accountId: number
  name: string
  platform: PlatformId
  status: 'succeeded' | 'failed' | 'needs_reconnect' | 'cancelled' | 'skipped'
  rows: number
  chunks: number
  from: string | null
  to: string | null
  error: string | null
  /** The connector's error class when it failed (`auth`, `rate_limit`, ...), for sync-health alerts. */
  errorKind?: string
}

export interface SyncRunRow {
  id: number
  workspaceId: number
  jobId: number | null
  mode: string
  status: string
  startedAt: string
  finishedAt: string | null
  rowsWritten: number
  durationMs: number | null
  accounts: AccountOutcome[]
  error: string | null
}

/** SQL for connections, sync cursors, sync runs and the audit log. */
export class SyncRepo {
  /** `now`: the core's injected clock (sync-run and account timestamps). */
  constructor(
    private readonly sqlite: Sqlite,
    private readonly now: () => Date,
  ) {}

  private nowIso(): string {
    return this.now().toISOString()
  }

  // --- connections -------------------------------------------------------------------------

  createConnection(
    workspaceId: number,
    platform: PlatformId,
    label: string,
    secretRef: string,
    config: ConnectionConfig,
  ): number {
    const info = this.sqlite
      .prepare('INSERT INTO connections (workspace_id, platform, label, secret_ref, config) VALUES (?, ?, ?, ?, ?)')
      .run(workspaceId, platform, label, secretRef, JSON.stringify(config))
    return Number(info.lastInsertRowid)
  }

  /**
   * Create a connection with its accounts in one transaction (accounts already stored, e.g. from
   * a removed connection, are attached to it again); returns the connection's id.
   */
  createConnectionWithAccounts(
    workspaceId: number,
    platform: PlatformId,
    label: string,
    secretRef: string,
    config: ConnectionConfig,
    remote: RemoteAccount[],
  ): number {
    const writer = new EntityWriter(this.sqlite, this.now)
    return this.sqlite
      .transaction(() => {
        const connectionId = this.createConnection(workspaceId, platform, label, secretRef, config)
        for (const r of remote) {
          const id = writer.upsertAccount(workspaceId, platform, connectionId, r)
          this.attachAccount(id, connectionId)
          this.setAccountStatus(id, r.status === 'active' ? 'active' : 'disabled', null)
        }
        return connectionId
      })
      .immediate()
  }

  connection(id: number): ConnectionRow | null {
    const r = this.sqlite.prepare('SELECT * FROM connections WHERE id = ?').get(id) as
      Record<string, unknown> | undefined
    return r ? toConnection(r) : null
  }

  connections(workspaceId?: number): ConnectionRow[] {
    const rows = (
      workspaceId === undefined
        ? this.sqlite.prepare('SELECT * FROM connections ORDER BY id').all()
        : this.sqlite.prepare('SELECT * FROM connections WHERE workspace_id = ? ORDER BY id').all(workspaceId)
    ) as Record<string, unknown>[]
    return rows.map(toConnection)
  }

  setConnectionStatus(id: number, status: string, lastError: string | null): void {
    this.sqlite.prepare('UPDATE connections SET status = ?, last_error = ? WHERE id = ?').run(status, lastError, id)
  }

  /** Remove a connection; its accounts stay (with their data) but are detached and marked disabled. */
  deleteConnection(id: number): void {
    this.sqlite
      .transaction(() => {
        this.sqlite
          .prepare(
            `UPDATE ad_accounts SET status = 'disabled', status_message = 'Connection removed' WHERE connection_id = ?`,
          )
          .run(id)
        this.sqlite.prepare('DELETE FROM connections WHERE id = ?').run(id)
      })
      .immediate()
  }

  // --- accounts ----------------------------------------------------------------------------

  accounts(workspaceId: number): LocalAccount[] {
    return (
      this.sqlite.prepare('SELECT * FROM ad_accounts WHERE workspace_id = ? ORDER BY id').all(workspaceId) as Record<
        string,
        unknown
      >[]
    ).map(toAccount)
  }

  account(id: number): LocalAccount | null {
    const r = this.sqlite.prepare('SELECT * FROM ad_accounts WHERE id = ?').get(id) as
      Record<string, unknown> | undefined
    return r ? toAccount(r) : null
  }

  attachAccount(accountId: number, connectionId: number): void {
    this.sqlite.prepare('UPDATE ad_accounts SET connection_id = ? WHERE id = ?').run(connectionId, accountId)
  }

  setAccountStatus(accountId: number, status: AccountStatus, message: string | null, syncedAt?: string): void {
    if (syncedAt) {
      this.sqlite
        .prepare('UPDATE ad_accounts SET status = ?, status_message = ?, last_synced_at = ? WHERE id = ?')
        .run(status, message, syncedAt, accountId)
    } else {
      this.sqlite
        .prepare('UPDATE ad_accounts SET status = ?, status_message = ? WHERE id = ?')
        .run(status, message, accountId)
    }
  }

  /** Last account-local date with data, from the account rollup. */
  lastDataDate(accountId: number): string | null {
    return (
      this.sqlite.prepare('SELECT max(date) AS d FROM account_daily WHERE account_id = ?').get(accountId) as {
        d: string | null
      }
    ).d
  }

  /** Rows written for an account (all sources), from the maintained per-day counter (`account_daily.ad_rows`). */
  rowCount(accountId: number): number {
    return (
      this.sqlite
        .prepare('SELECT coalesce(sum(ad_rows), 0) AS n FROM account_daily WHERE account_id = ?')
        .get(accountId) as {
        n: number
      }
    ).n
  }

  // --- sync state --------------------------------------------------------------------------

  state(accountId: number): SyncStateRow | null {
    const r = this.sqlite.prepare('SELECT * FROM sync_state WHERE account_id = ?').get(accountId) as
      Record<string, unknown> | undefined
    if (!r) return null
    return {
      accountId: r.account_id as number,
      backfillFrom: (r.backfill_from as string | null) ?? null,
      syncedThrough: (r.synced_through as string | null) ?? null,
      restatementDays: (r.restatement_days as number | null) ?? null,
      lastSuccessAt: (r.last_success_at as string | null) ?? null,
      lastError: (r.last_error as string | null) ?? null,
      nextSyncAt: (r.next_sync_at as string | null) ?? null,
    }
  }

  /** Advance the cursor after a committed chunk (never moves it backwards). */
  markStateOutcome(accountId: number, error: string | null, nextSyncAt: string | null): void {
    this.sqlite
      .prepare(
        `INSERT INTO sync_state (account_id, last_success_at, last_error, next_sync_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (account_id) DO UPDATE SET
           last_success_at = coalesce(excluded.last_success_at, sync_state.last_success_at),
           last_error = excluded.last_error, next_sync_at = excluded.next_sync_at`,
      )
      .run(accountId, error === null ? this.nowIso() : null, error, nextSyncAt)
  }

  setNextSyncAt(workspaceId: number, at: string | null): void {
    this.sqlite
      .prepare(
        `INSERT INTO sync_state (account_id, next_sync_at) SELECT id, ? FROM ad_accounts WHERE workspace_id = ? AND connection_id IS NOT NULL
         ON CONFLICT (account_id) DO UPDATE SET next_sync_at = excluded.next_sync_at`,
      )
      .run(at, workspaceId)
  }

  // --- runs --------------------------------------------------------------------------------

  startRun(workspaceId: number, jobId: number | null, mode: string): number {
    return Number(
      this.sqlite
        .prepare(
          `INSERT INTO sync_runs (workspace_id, job_id, mode, status, started_at) VALUES (?, ?, ?, 'running', ?)`,
        )
        .run(workspaceId, jobId, mode, this.nowIso()).lastInsertRowid,
    )
  }

  updateRun(id: number, accounts: AccountOutcome[], rowsWritten: number): void {
    this.sqlite
      .prepare('UPDATE sync_runs SET accounts = ?, rows_written = ? WHERE id = ?')
      .run(JSON.stringify(accounts), rowsWritten, id)
  }

  finishRun(id: number, status: string, accounts: AccountOutcome[], rowsWritten: number, error: string | null): void {
    const r = this.sqlite.prepare('SELECT started_at FROM sync_runs WHERE id = ?').get(id) as
      { started_at: string } | undefined
    if (!r) return // deleted with its workspace while it ran
    const finished = this.nowIso()
    this.sqlite
      .prepare(
        'UPDATE sync_runs SET status = ?, accounts = ?, rows_written = ?, error = ?, finished_at = ?, duration_ms = ? WHERE id = ?',
      )
      .run(
        status,
        JSON.stringify(accounts),
        rowsWritten,
        error,
        finished,
        Date.parse(finished) - Date.parse(r.started_at),
        id,
      )
  }

  runs(workspaceId: number, limit: number): SyncRunRow[] {
    const rows = this.sqlite
      .prepare('SELECT * FROM sync_runs WHERE workspace_id = ? ORDER BY id DESC LIMIT ?')
      .all(workspaceId, limit) as Record<string, unknown>[]
    return rows.map(toRun)
  }

  run(id: number): SyncRunRow | null {
    const r = this.sqlite.prepare('SELECT * FROM sync_runs WHERE id = ?').get(id) as Record<string, unknown> | undefined
    return r ? toRun(r) : null
  }

  // --- audit -------------------------------------------------------------------------------

  audit(
    actor: string,
    action: string,
    entityType: string | null,
    entityId: number | null,
    accountId: number | null,
    detail: unknown,
  ): number {
    return Number(
      this.sqlite
        .prepare(
          'INSERT INTO audit_log (actor, action, entity_type, entity_id, account_id, detail) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(actor, action, entityType, entityId, accountId, JSON.stringify(detail)).lastInsertRowid,
    )
  }
}

function toConnection(r: Record<string, unknown>): ConnectionRow {
  return {
    id: r.id as number,
    workspaceId: r.workspace_id as number,
    platform: r.platform as PlatformId,
    label: r.label as string,
    secretRef: r.secret_ref as string,
    config: JSON.parse(r.config as string) as ConnectionConfig,
    status: r.status as string,
    lastError: (r.last_error as string | null) ?? null,
    createdAt: r.created_at as string,
  }
}

function toAccount(r: Record<string, unknown>): LocalAccount {
  return {
    id: r.id as number,
    workspaceId: r.workspace_id as number,
    connectionId: (r.connection_id as number | null) ?? null,
    platform: r.platform as PlatformId,
    externalId: r.external_id as string,
    name: r.name as string,
    currency: r.currency as string,
    timeZone: r.time_zone as string,
    status: r.status as AccountStatus,
  }
}

function toRun(r: Record<string, unknown>): SyncRunRow {
  return {
    id: r.id as number,
    workspaceId: r.workspace_id as number,
    jobId: (r.job_id as number | null) ?? null,
    mode: r.mode as string,
    status: r.status as string,
    startedAt: r.started_at as string,
    finishedAt: (r.finished_at as string | null) ?? null,
    rowsWritten: r.rows_written as number,
    durationMs: (r.duration_ms as number | null) ?? null,
    accounts: JSON.parse(r.accounts as string) as AccountOutcome[],
    error: (r.error as string | null) ?? null,
  }
}

/**
 * Widen an account's synced span by a committed chunk (sync cursor). A statement so the chunk's
 * writer commits it in the chunk's own transaction, on whichever connection writes.
 */
export function advanceStateStatement(accountId: number, chunkFrom: string, chunkTo: string): SqlStatement {
  return {
    sql: `INSERT INTO sync_state (account_id, backfill_from, synced_through) VALUES (?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET
         backfill_from = CASE WHEN sync_state.backfill_from IS NULL OR excluded.backfill_from < sync_state.backfill_from
           THEN excluded.backfill_from ELSE sync_state.backfill_from END,
         synced_through = CASE WHEN sync_state.synced_through IS NULL OR excluded.synced_through > sync_state.synced_through
           THEN excluded.synced_through ELSE sync_state.synced_through END`,
    params: [accountId, chunkFrom, chunkTo],
  }
}

/**
 * Records, with a chunk's rows, the attribution the chunk's days were counted with (one row per day
 * of [from, to], replacing what an earlier sync of those days recorded).
 */
export function attributionStatement(accountId: number, from: string, to: string, code: string): SqlStatement {
  const days: string[] = []
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d)
  return {
    sql: `INSERT INTO account_day_attribution (account_id, date, code) VALUES ${days.map(() => '(?, ?, ?)').join(', ')}
       ON CONFLICT (account_id, date) DO UPDATE SET code = excluded.code`,
    params: days.flatMap((d) => [accountId, d, code]),
  }
}
