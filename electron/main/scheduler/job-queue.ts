import type { z } from 'zod'
import type { Job, JobStatus } from '../../../shared/domain/jobs'
import { AppError } from '../../../shared/ipc/result'
import type { EventBus } from '../events'
import type { Sqlite } from '../store/db'

export interface JobContext {
  jobId: number
  attempt: number
  signal: AbortSignal
  /** Report progress; emitted as `job:progress` at most every 200 ms per job (and always at the end). */
  progress(step: string, current: number, total: number, message?: string): void
  /** The last checkpoint this job saved (survives a crash), or null. */
  checkpoint<T>(): T | null
  /** Save a resume point; call it right after the work it describes is committed. */
  saveCheckpoint(value: unknown): void
  /**
   * The statement that saves `value` as the resume point, for work committed on another connection
   * (a writer thread): run it in the same transaction as the work it describes.
   */
  checkpointStatement(value: unknown): SqlStatement
}

/** One SQL statement with its parameters (work a caller commits in its own transaction). */
export interface SqlStatement {
  sql: string
  params: (string | number | null)[]
}

/** SQLITE_BUSY and its extended codes: another connection holds the lock. */
function isBusy(e: unknown): boolean {
  return typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code.startsWith('SQLITE_BUSY')
}

/** The statement that saves a job's resume point (see JobContext.checkpointStatement). */
function checkpointStatement(jobId: number, value: unknown): SqlStatement {
  return { sql: 'UPDATE jobs SET checkpoint = ? WHERE id = ?', params: [JSON.stringify(value), jobId] }
}

export interface JobKind<P> {
  kind: string
  payload: z.ZodType<P>
  /** Total attempts including the first (1 = no retry). */
  maxAttempts: number
  /** Delay before retry number `attempt` (1-based), in ms. */
  retryDelayMs?: (attempt: number) => number
  run(payload: P, ctx: JobContext): Promise<unknown>
}

interface JobRow {
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
}

function toJob(r: JobRow): Job {
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

export class CancelledError extends Error {
  constructor() {
    super('Cancelled')
    this.name = 'CancelledError'
  }
}

/** Throw when the job was cancelled; call between units of work. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError()
}

const PROGRESS_INTERVAL_MS = 200
/** How often a running job's progress is written to its row (events go out every PROGRESS_INTERVAL_MS). */
const STORED_PROGRESS_INTERVAL_MS = 1000
const defaultRetryDelay = (attempt: number): number => Math.min(60_000, 1000 * 2 ** (attempt - 1))

/**
 * Persisted job queue over the `jobs` table. Jobs survive restarts: one left `running` by a crash
 * goes back to `queued` at start and resumes from its checkpoint.
 */
export class JobQueue {
  private readonly kinds = new Map<string, JobKind<unknown>>()
  private readonly running = new Map<number, AbortController>()
  private readonly waiters = new Map<number, ((job: Job) => void)[]>()
  private started = false
  private stopping = false
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly sqlite: Sqlite,
    private readonly events: EventBus,
    private readonly opts: { concurrency?: number; now?: () => Date } = {},
  ) {}

  private now(): string {
    return (this.opts.now?.() ?? new Date()).toISOString()
  }

  register<P>(kind: JobKind<P>): void {
    this.kinds.set(kind.kind, kind as JobKind<unknown>)
  }

  /** Queue a job after validating its payload; returns its id. */
  enqueue(kind: string, payload: unknown): number {
    const k = this.kinds.get(kind)
    if (!k) throw new AppError('VALIDATION', `Unknown job kind "${kind}"`)
    const parsed = k.payload.safeParse(payload)
    if (!parsed.success) {
      throw new AppError('VALIDATION', `Invalid ${kind} payload: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
    }
    const info = this.sqlite
      .prepare(`INSERT INTO jobs (kind, payload, status, max_attempts, created_at) VALUES (?, ?, 'queued', ?, ?)`)
      .run(kind, JSON.stringify(parsed.data), k.maxAttempts, this.now())
    const id = Number(info.lastInsertRowid)
    this.schedulePump(0)
    return id
  }

  get(id: number): Job | null {
    const r = this.sqlite.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined
    return r ? toJob(r) : null
  }

  /** Running and queued jobs first, then the most recent finished ones. */
  list(limit = 30): Job[] {
    const rows = this.sqlite
      .prepare(
        `SELECT * FROM jobs ORDER BY CASE status WHEN 'running' THEN 0 WHEN 'queued' THEN 1 ELSE 2 END, id DESC LIMIT ?`,
      )
      .all(limit) as JobRow[]
    return rows.map(toJob)
  }

  /** Cancel a queued or running job. Returns false when it had already finished. */
  cancel(id: number): boolean {
    const job = this.get(id)
    if (!job) throw new AppError('NOT_FOUND', `No job ${id}`)
    if (job.status === 'queued') {
      this.finish(id, job.kind, 'cancelled', null, null)
      return true
    }
    const ctl = this.running.get(id)
    if (job.status === 'running' && ctl) {
      ctl.abort()
      return true
    }
    return false
  }

  /** Recover jobs a crash left running, then start processing. */
  start(): void {
    if (this.started) return
    this.started = true
    this.stopping = false
    this.sqlite
      .prepare(
        `UPDATE jobs SET status = 'queued', attempts = max(attempts - 1, 0), message = 'Resuming after restart' WHERE status = 'running'`,
      )
      .run()
    this.schedulePump(0)
  }

  /** Abort running jobs and stop picking new ones; resolves when they have settled. */
  async stop(): Promise<void> {
    this.stopping = true
    if (this.timer) clearTimeout(this.timer)
    const ids = [...this.running.keys()]
    for (const c of this.running.values()) c.abort()
    await Promise.all(ids.map((id) => this.waitFor(id).catch(() => undefined)))
    this.started = false
  }

  /** Resolve when job `id` reaches a final status. */
  waitFor(id: number): Promise<Job> {
    const job = this.get(id)
    if (!job) return Promise.reject(new AppError('NOT_FOUND', `No job ${id}`))
    if (job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled') return Promise.resolve(job)
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? []
      list.push(resolve)
      this.waiters.set(id, list)
    })
  }

  /** The JSON result a succeeded job returned. */
  result<T>(id: number): T | null {
    const r = this.sqlite.prepare('SELECT result FROM jobs WHERE id = ?').get(id) as
      { result: string | null } | undefined
    return r?.result ? (JSON.parse(r.result) as T) : null
  }

  private schedulePump(delayMs: number): void {
    if (!this.started || this.stopping) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      this.pump()
    }, delayMs)
  }

  private pump(): void {
    if (!this.sqlite.open) return
    const concurrency = this.opts.concurrency ?? 1
    while (!this.stopping && this.running.size < concurrency) {
      const now = this.now()
      const row = this.sqlite
        .prepare(
          `SELECT * FROM jobs WHERE status = 'queued' AND (run_after IS NULL OR run_after <= ?) ORDER BY id LIMIT 1`,
        )
        .get(now) as JobRow | undefined
      if (!row) break
      this.runJob(row)
    }
    const next = this.sqlite
      .prepare(
        `SELECT run_after FROM jobs WHERE status = 'queued' AND run_after IS NOT NULL ORDER BY run_after LIMIT 1`,
      )
      .get() as { run_after: string } | undefined
    if (next && this.running.size < concurrency) {
      this.schedulePump(Math.max(10, Date.parse(next.run_after) - Date.parse(this.now())))
    }
  }

  private runJob(row: JobRow): void {
    const kind = this.kinds.get(row.kind)
    if (!kind) {
      this.finish(row.id, row.kind, 'failed', null, `No handler for job kind "${row.kind}"`)
      return
    }
    const attempt = row.attempts + 1
    this.sqlite
      .prepare(`UPDATE jobs SET status = 'running', attempts = ?, started_at = ?, error = NULL WHERE id = ?`)
      .run(attempt, this.now(), row.id)
    const ctl = new AbortController()
    this.running.set(row.id, ctl)
    let last = 0
    let lastStored = 0
    let pending: { step: string; current: number; total: number; message: string } | null = null
    const flush = (store = true): void => {
      if (!pending) return
      const p = pending
      pending = null
      last = Date.now()
      // The stored progress is only a display copy (windows opened later, the CLI): it is written
      // at most every STORED_PROGRESS_INTERVAL_MS and at the end, while events go out every report.
      // When another connection (a sync's writer thread) holds the write lock it waits for the next
      // report instead of blocking this thread.
      if (store || last - lastStored >= STORED_PROGRESS_INTERVAL_MS) {
        const timeout = this.sqlite.pragma('busy_timeout', { simple: true }) as number
        this.sqlite.pragma('busy_timeout = 0')
        try {
          this.sqlite
            .prepare('UPDATE jobs SET step = ?, current = ?, total = ?, message = ? WHERE id = ?')
            .run(p.step, p.current, p.total, p.message, row.id)
          lastStored = last
        } catch (e) {
          if (!isBusy(e)) throw e
          pending ??= p
        } finally {
          this.sqlite.pragma(`busy_timeout = ${timeout}`)
        }
      }
      this.events.emit('job:progress', { jobId: row.id, kind: row.kind, ...p })
    }
    const ctx: JobContext = {
      jobId: row.id,
      attempt,
      signal: ctl.signal,
      progress: (step, current, total, message = '') => {
        pending = { step, current: Math.round(current), total: Math.round(total), message }
        const done = total > 0 && current >= total
        if (done || Date.now() - last >= PROGRESS_INTERVAL_MS) flush(done)
      },
      checkpoint: <T>() => {
        const r = this.sqlite.prepare('SELECT checkpoint FROM jobs WHERE id = ?').get(row.id) as {
          checkpoint: string | null
        }
        return r.checkpoint ? (JSON.parse(r.checkpoint) as T) : null
      },
      saveCheckpoint: (value) => {
        const st = checkpointStatement(row.id, value)
        this.sqlite.prepare(st.sql).run(...st.params)
      },
      checkpointStatement: (value) => checkpointStatement(row.id, value),
    }
    const payload = kind.payload.parse(JSON.parse(row.payload))
    void (async () => {
      try {
        const result = await kind.run(payload, ctx)
        flush()
        this.finish(row.id, row.kind, 'succeeded', result ?? null, null)
      } catch (err) {
        flush()
        const cancelled = ctl.signal.aborted || err instanceof CancelledError
        const message = err instanceof Error ? err.message : String(err)
        if (cancelled) {
          this.finish(row.id, row.kind, 'cancelled', null, this.stopping ? 'Stopped with the app' : null)
        } else if (attempt < row.max_attempts && !this.stopping) {
          const delay = (kind.retryDelayMs ?? defaultRetryDelay)(attempt)
          const runAfter = new Date(Date.parse(this.now()) + delay).toISOString()
          this.sqlite
            .prepare(`UPDATE jobs SET status = 'queued', error = ?, run_after = ?, message = ? WHERE id = ?`)
            .run(message, runAfter, `Attempt ${attempt} failed: ${message}; retrying`, row.id)
        } else {
          this.finish(row.id, row.kind, 'failed', null, message)
        }
      } finally {
        this.running.delete(row.id)
        this.schedulePump(0)
      }
    })()
  }

  private finish(id: number, kind: string, status: JobStatus, result: unknown, error: string | null): void {
    this.sqlite
      .prepare('UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ? WHERE id = ?')
      .run(status, result === null ? null : JSON.stringify(result), error, this.now(), id)
    this.events.emit('job:finished', { jobId: id, kind, status, error })
    const job = this.get(id)
    const list = this.waiters.get(id)
    this.waiters.delete(id)
    if (job) for (const w of list ?? []) w(job)
  }
}
