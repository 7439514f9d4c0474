import type { Job, JobStatus } from '../../../../shared/domain/jobs'
import type { Sqlite } from '../connect'

/** One SQL statement with its parameters (work a caller commits in its own transaction). */
export interface SqlStatement {
  sql: string
  params: (string | number | null)[]
}

export interface JobRow {
  id: number
  kind: string
  payload: string
  status: JobStatus
  attempts: number
  max_attempts: number
  step: string | null
  current: number
  total: number
  message: string | null
  result: string | null
  error: string | null
  checkpoint: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
  run_after: string | null
  owner: string | null
}

export function toJob(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    step: r.step,
    current: r.current,
    total: r.total,
    message: r.message,
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  }
}

/** The statement that saves a job's resume point (see JobContext.checkpointStatement). */
export function checkpointStatement(jobId: number, value: unknown): SqlStatement {
  return { sql: 'UPDATE jobs SET checkpoint = ? WHERE id = ?', params: [JSON.stringify(value), jobId] }
}

/** Run statements built elsewhere (e.g. checkpoints) on a connection, in the caller's transaction. */
export function runStatements(sqlite: Sqlite, statements: SqlStatement[]): void {
  for (const st of statements) sqlite.prepare(st.sql).run(...st.params)
}

/**
 * The `jobs` table. A running job carries its owner (the store lease token of the process running
 * it); every write about a running job names that owner, so a process that lost the store cannot
 * overwrite what the new owner does with the job.
 */
export class JobsRepo {
  constructor(private readonly sqlite: Sqlite) {}

  get open(): boolean {
    return this.sqlite.open
  }

  insert(kind: string, payload: string, maxAttempts: number, createdAt: string): number {
    const info = this.sqlite
      .prepare(`INSERT INTO jobs (kind, payload, status, max_attempts, created_at) VALUES (?, ?, 'queued', ?, ?)`)
      .run(kind, payload, maxAttempts, createdAt)
    return Number(info.lastInsertRowid)
  }

  get(id: number): JobRow | null {
    return (this.sqlite.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined) ?? null
  }

  /** Running and queued jobs first, then the most recent finished ones. */
  list(limit: number): JobRow[] {
    return this.sqlite
      .prepare(
        `SELECT * FROM jobs ORDER BY CASE status WHEN 'running' THEN 0 WHEN 'queued' THEN 1 ELSE 2 END, id DESC LIMIT ?`,
      )
      .all(limit) as JobRow[]
  }

  /** Queued or running jobs of one kind, oldest first. */
  active(kind: string): JobRow[] {
    return this.sqlite
      .prepare(`SELECT * FROM jobs WHERE kind = ? AND status IN ('queued', 'running') ORDER BY id`)
      .all(kind) as JobRow[]
  }

  /** Running jobs and the owner that claimed each. */
  running(): { id: number; owner: string | null }[] {
    return this.sqlite.prepare(`SELECT id, owner FROM jobs WHERE status = 'running'`).all() as {
      id: number
      owner: string | null
    }[]
  }

  /** Put running jobs whose owner is gone back in the queue (the attempt they were on does not count). */
  requeue(ids: number[], message: string): void {
    const st = this.sqlite.prepare(
      `UPDATE jobs SET status = 'queued', attempts = max(attempts - 1, 0), owner = NULL, message = ? WHERE id = ? AND status = 'running'`,
    )
    this.sqlite
      .transaction(() => {
        for (const id of ids) st.run(message, id)
      })
      .immediate()
  }

  /**
   * The oldest queued job that may run at `now` (ISO): of the kinds `lane.only` when given, else of
   * any kind but `lane.except`; never one of `lane.exceptIds`.
   */
  nextQueued(
    now: string,
    lane: { only?: readonly string[]; except?: readonly string[]; exceptIds?: readonly number[] } = {},
  ): JobRow | null {
    const kinds = lane.only ?? lane.except ?? []
    const filter = lane.only
      ? `AND kind IN (${kinds.map(() => '?').join(',') || 'NULL'})`
      : kinds.length
        ? `AND kind NOT IN (${kinds.map(() => '?').join(',')})`
        : ''
    const ids = lane.exceptIds ?? []
    const idFilter = ids.length ? `AND id NOT IN (${ids.map(() => '?').join(',')})` : ''
    return (
      (this.sqlite
        .prepare(
          `SELECT * FROM jobs WHERE status = 'queued' AND (run_after IS NULL OR run_after <= ?) ${filter} ${idFilter} ORDER BY id LIMIT 1`,
        )
        .get(now, ...kinds, ...ids) as JobRow | undefined) ?? null
    )
  }

  /** The earliest time after `now` (ISO) at which a delayed job (a retry, a platform's wait) may run, or null. */
  nextRunAfter(now: string): string | null {
    const r = this.sqlite
      .prepare(`SELECT run_after FROM jobs WHERE status = 'queued' AND run_after > ? ORDER BY run_after LIMIT 1`)
      .get(now) as { run_after: string } | undefined
    return r?.run_after ?? null
  }

  /** Mark a queued job running under `owner`; false when it was no longer queued. */
  claim(id: number, attempt: number, startedAt: string, owner: string): boolean {
    return (
      this.sqlite
        .prepare(
          `UPDATE jobs SET status = 'running', attempts = ?, started_at = ?, error = NULL, owner = ? WHERE id = ? AND status = 'queued'`,
        )
        .run(attempt, startedAt, owner, id).changes === 1
    )
  }

  /** The display copy of a running job's progress. */
  saveProgress(id: number, step: string, current: number, total: number, message: string): void {
    this.sqlite
      .prepare('UPDATE jobs SET step = ?, current = ?, total = ?, message = ? WHERE id = ?')
      .run(step, current, total, message, id)
  }

  checkpoint(id: number): string | null {
    const r = this.sqlite.prepare('SELECT checkpoint FROM jobs WHERE id = ?').get(id) as
      { checkpoint: string | null } | undefined
    return r?.checkpoint ?? null
  }

  saveCheckpoint(id: number, value: unknown): void {
    runStatements(this.sqlite, [checkpointStatement(id, value)])
  }

  /** Queue a failed attempt again after `runAfter` (ISO), if `owner` still holds it. */
  retryLater(id: number, owner: string, error: string, runAfter: string, message: string): void {
    this.sqlite
      .prepare(
        `UPDATE jobs SET status = 'queued', error = ?, run_after = ?, message = ?, owner = NULL WHERE id = ? AND owner = ?`,
      )
      .run(error, runAfter, message, id, owner)
  }

  /**
   * Put a running job back in the queue until `runAfter` (ISO) without counting the attempt (a
   * platform asked it to wait), if `owner` still holds it. Its checkpoint stays.
   */
  deferRun(id: number, owner: string, runAfter: string, message: string): void {
    this.sqlite
      .prepare(
        `UPDATE jobs SET status = 'queued', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, run_after = ?, message = ?, step = 'waiting',
           owner = NULL WHERE id = ? AND owner = ?`,
      )
      .run(runAfter, message, id, owner)
  }

  /**
   * Record a job's end. `owner` null finishes a queued job (cancel); otherwise only the owner that
   * runs the job can finish it. Returns false when the job was not in that state any more.
   */
  finish(
    id: number,
    owner: string | null,
    status: JobStatus,
    result: string | null,
    error: string | null,
    at: string,
  ): boolean {
    const guard = owner === null ? `status = 'queued'` : `status = 'running' AND owner = ?`
    const params: (string | number | null)[] = [status, result, error, at, id]
    if (owner !== null) params.push(owner)
    return (
      this.sqlite
        .prepare(`UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ? WHERE id = ? AND ${guard}`)
        .run(...params).changes === 1
    )
  }

  result(id: number): string | null {
    const r = this.sqlite.prepare('SELECT result FROM jobs WHERE id = ?').get(id) as
      { result: string | null } | undefined
    return r?.result ?? null
  }

  payload(id: number): string | null {
    const r = this.sqlite.prepare('SELECT payload FROM jobs WHERE id = ?').get(id) as { payload: string } | undefined
    return r?.payload ?? null
  }

  /** Delete jobs that finished before `before` (ISO); returns how many. */
  pruneFinished(before: string): number {
    return this.sqlite
      .prepare(
        `DELETE FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at IS NOT NULL AND finished_at < ?`,
      )
      .run(before).changes
  }

  /** Run `fn` with the connection's busy timeout at 0: a write that must not block throws SQLITE_BUSY instead. */
  withoutWaiting<T>(fn: () => T): T {
    const timeout = this.sqlite.pragma('busy_timeout', { simple: true }) as number
    this.sqlite.pragma('busy_timeout = 0')
    try {
      return fn()
    } finally {
      this.sqlite.pragma(`busy_timeout = ${timeout}`)
    }
  }
}
