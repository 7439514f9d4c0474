import { performance } from 'node:perf_hooks'
import type { z } from 'zod'
import type { Job, JobStatus } from '../../../shared/domain/jobs'
import { AppError } from '../../../shared/ipc/result'
import type { EventBus } from '../events'
import { reportError } from '../logging'
import { isBusy, type StoreOwnership } from '../store/ownership'
import { checkpointStatement, type JobsRepo, toJob, type JobRow, type SqlStatement } from '../store/repos/jobs-repo'
import type { AppJobKinds, JobKindTable } from './job-kinds'

export type { SqlStatement }

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

/** The names of a table's job kinds. */
export type KindName<T extends JobKindTable> = keyof T & string

/**
 * How one kind of job runs. Its payload schema is the kind's entry in the table (`JOB_KINDS`):
 * `run` receives the validated payload with defaults applied.
 */
export interface JobKind<K extends KindName<T>, T extends JobKindTable = AppJobKinds> {
  kind: K
  /** Total attempts including the first (1 = no retry). */
  maxAttempts: number
  /** Delay before retry number `attempt` (1-based), in ms. */
  retryDelayMs?: (attempt: number) => number
  /**
   * Runs in the background lane: one such job at a time beside the queue's slots, never taking one
   * (its work runs on another thread, like the store's integrity check, so a sync asked for meanwhile
   * does not wait behind it).
   */
  background?: boolean
  /**
   * Kinds this job gives way to (a training to the jobs that rewrite the data it reads): it does not
   * start while one of them is running or queued and due, and a run of it is stopped and queued
   * again, its attempt not counted, when one starts (at most MAX_GIVE_WAY times per job: then it
   * runs on beside it). Two such jobs together only compete for the cores and for memory, and the
   * one that gives way would work on data about to change.
   */
  yieldsTo?: {
    kinds: readonly KindName<T>[]
    /** Whether this job gives way to that one, by their payloads (default: always). */
    same?: (mine: z.output<T[K]>, other: { kind: string; payload: unknown }) => boolean
    /** What the job's row and the UI show while it waits. */ message: string
  }
  run(payload: z.output<T[K]>, ctx: JobContext): Promise<unknown>
}

/** The first problem zod found, with where: ` at mode: Invalid input: ...` or `: Unrecognized key ...`. */
function firstIssue(error: z.ZodError): string {
  const i = error.issues[0]
  if (!i) return ': invalid'
  return i.path.length ? ` at ${i.path.join('.')}: ${i.message}` : `: ${i.message}`
}

export class CancelledError extends Error {
  /** `reason`, when given, is what the job's row and the UI show for the cancellation. */
  constructor(readonly reason: string | null = null) {
    super(reason ?? 'Cancelled')
    this.name = 'CancelledError'
  }
}

/**
 * Thrown by a job that must wait for an outside reason (a platform's throttle asks to come back in
 * two hours): the job goes back to the queue with its checkpoint and runs again at `runAfter`. The
 * wait is stored (a restart keeps it) and does not count as a failed attempt; `message` is what the
 * job's row and the UI show meanwhile.
 */
export class RunLaterError extends Error {
  constructor(
    readonly runAfter: Date,
    message: string,
  ) {
    super(message)
    this.name = 'RunLaterError'
  }
}

/** Throw when the job was cancelled; call between units of work. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError()
}

const PROGRESS_INTERVAL_MS = 200
/**
 * How many times one job of a kind that gives way (`yieldsTo`) is stopped for another job; after that
 * it runs on beside them, so a busy schedule (syncs every few minutes) cannot keep it from finishing.
 */
export const MAX_GIVE_WAY = 2
/**
 * A job that gives way is neither held back nor stopped once it has been waiting this long (ms), counted
 * from the first time this process held it back or stopped it (a job left queued by an earlier run of
 * the app starts a fresh wait: its age says nothing about how long it waited for this sync).
 */
export const MAX_HOLD_MS = 3_600_000
/** How often a running job's progress is written to its row (events go out every PROGRESS_INTERVAL_MS). */
const STORED_PROGRESS_INTERVAL_MS = 1000
const defaultRetryDelay = (attempt: number): number => Math.min(60_000, 1000 * 2 ** (attempt - 1))

/** Finished jobs (succeeded, failed, cancelled) are deleted this long after they finished. */
export const JOB_RETENTION_DAYS = 30
const DAY_MS = 86_400_000
/** How often the owner prunes finished jobs while it runs (it also prunes at start). */
const PRUNE_EVERY_MS = 6 * 3_600_000

export interface JobQueueOptions {
  concurrency?: number
  /** The injected clock (platform.clock): every stored timestamp and retry time comes from it. */
  now: () => Date
  /** Days finished jobs are kept (default JOB_RETENTION_DAYS). */
  retentionDays?: number
}

/**
 * Persisted job queue over the `jobs` table. Only the store's owner (StoreOwnership) runs jobs; a
 * job carries the owner that claimed it, and a job left `running` by an owner that is gone (a
 * crash, a kill) goes back to `queued` when the next owner starts and resumes from its checkpoint.
 * A job whose owner is alive is never queued again. Other processes on the same store read jobs
 * but cannot enqueue: they are told which process owns the store.
 */
export class JobQueue<T extends JobKindTable = AppJobKinds> {
  /** Payload schemas by kind (the table), and the handlers this process registered. */
  private readonly schemas = new Map<string, z.ZodType>()
  private readonly kinds = new Map<string, JobKind<string, JobKindTable>>()
  private readonly running = new Map<number, AbortController>()
  /** The running jobs of background kinds (counted apart from `concurrency`). */
  private readonly runningBackground = new Set<number>()
  /** The kind and payload of each running job (what a job that gives way is compared with). */
  private readonly runningJobs = new Map<number, { kind: string; payload: unknown }>()
  /** When each job that gives way was first held back or stopped (the injected clock, ms; forgotten when it ends). */
  private readonly heldSince = new Map<number, number>()
  /** Work started by jobs' ends (`followUp`) still under way: held jobs wait for it as for the job. */
  private readonly followUps = new Set<{ kind: string; payload: unknown; label: string }>()
  /** Running jobs stopped to give way to another kind (`yieldsTo`). */
  private readonly yielding = new Set<number>()
  /** How many times each job was stopped to give way (at most MAX_GIVE_WAY; forgotten when it ends). */
  private readonly gaveWay = new Map<number, number>()
  /** Settles when the job's run function has returned and its end is recorded. */
  private readonly runs = new Map<number, Promise<void>>()
  private readonly waiters = new Map<number, ((job: Job) => void)[]>()
  private readonly repo: JobsRepo
  private started = false
  private stopping = false
  private timer: NodeJS.Timeout | null = null
  private pruneTimer: NodeJS.Timeout | null = null

  constructor(
    repo: JobsRepo,
    private readonly events: EventBus,
    private readonly ownership: StoreOwnership,
    private readonly opts: JobQueueOptions,
    /** The job kinds and their payload schemas (the core passes `JOB_KINDS`). */
    kinds: T,
  ) {
    for (const [k, schema] of Object.entries(kinds)) this.schemas.set(k, schema)
    this.repo = repo
    // Taken over by another process (this one stalled past its lease): its jobs are no longer ours.
    ownership.onLost(() => void this.stop())
  }

  private now(): string {
    return this.opts.now().toISOString()
  }

  /** Handle jobs of one kind of the table in this process (modules call it from `start`). */
  register<K extends KindName<T>>(kind: JobKind<K, T>): void {
    if (!this.schemas.has(kind.kind)) throw new Error(`Job kind "${kind.kind}" is not in the table of job kinds`)
    if (this.kinds.has(kind.kind)) throw new Error(`Job kind "${kind.kind}" is registered twice`)
    this.kinds.set(kind.kind, kind as unknown as JobKind<string, JobKindTable>)
  }

  /**
   * Add job kinds outside the app's table: tests' own kinds only (the app's kinds all live in
   * `JOB_KINDS`). Returns this queue, typed with the added kinds.
   */
  withKinds<U extends JobKindTable>(extra: U): JobQueue<T & U> {
    for (const [k, schema] of Object.entries(extra)) {
      if (this.schemas.has(k)) throw new Error(`Job kind "${k}" already exists`)
      this.schemas.set(k, schema)
    }
    return this as unknown as JobQueue<T & U>
  }

  /** The payload as stored, or a VALIDATION error naming the kind and the first problem. */
  private validPayload(kind: string, payload: unknown): unknown {
    const schema = this.schemas.get(kind)
    if (!schema)
      throw new AppError('VALIDATION', `Unknown job kind "${kind}" (kinds: ${[...this.schemas.keys()].join(', ')})`)
    if (!this.kinds.has(kind))
      throw new AppError('VALIDATION', `No handler for job kind "${kind}" is registered in this process`)
    const parsed = schema.safeParse(payload)
    if (!parsed.success) throw new AppError('VALIDATION', `Invalid ${kind} payload${firstIssue(parsed.error)}`)
    return parsed.data
  }

  /**
   * Queue a job after validating its payload against its kind's schema (VALIDATION naming the
   * field otherwise); returns its id. Only the store's owner queues jobs.
   */
  enqueue<K extends KindName<T>>(kind: K, payload: z.input<T[K]>): number {
    const data = this.validPayload(kind, payload)
    const k = this.kinds.get(kind) as JobKind<string, JobKindTable>
    this.ownership.assertOwner(`start ${kind}`)
    const id = this.repo.insert(kind, JSON.stringify(data), k.maxAttempts, this.now())
    this.schedulePump(0)
    return id
  }

  /**
   * Queue a job unless one of the same kind for which `same(payload)` holds is queued or running;
   * returns the id of the new job or of the one already there (`existing: true`).
   */
  enqueueOnce<K extends KindName<T>>(
    kind: K,
    payload: z.input<T[K]>,
    same: (other: z.output<T[K]>) => boolean = () => true,
  ): { id: number; existing: boolean } {
    this.validPayload(kind, payload)
    const existing = this.activeWhere(kind, same)
    return existing !== null ? { id: existing, existing: true } : { id: this.enqueue(kind, payload), existing: false }
  }

  /** The oldest queued or running job of `kind` whose payload satisfies `same`, or null. */
  activeWhere<K extends KindName<T>>(kind: K, same: (payload: z.output<T[K]>) => boolean): number | null {
    const schema = this.schemas.get(kind)
    if (!schema) return null
    for (const r of this.repo.active(kind)) {
      const other = schema.safeParse(JSON.parse(r.payload))
      if (other.success && same(other.data as z.output<T[K]>)) return r.id
    }
    return null
  }

  get(id: number): Job | null {
    const r = this.repo.get(id)
    return r ? toJob(r) : null
  }

  /** Running and queued jobs first, then the most recent finished ones. */
  list(limit = 30): Job[] {
    return this.repo.list(limit).map(toJob)
  }

  /** Kinds of the jobs this queue runs now (this process's runs; no store read). */
  runningKinds(): string[] {
    return [...this.runningJobs.values()].map((r) => r.kind)
  }

  /** Queued or running jobs of one kind. */
  active(kind: KindName<T>): Job[] {
    return this.repo.active(kind).map(toJob)
  }

  /** Cancel a queued or running job. Returns false when it had already finished. */
  cancel(id: number): boolean {
    const job = this.get(id)
    if (!job) throw new AppError('NOT_FOUND', `No job ${id}`)
    if (job.status === 'queued') {
      if (this.finish(id, job.kind, null, 'cancelled', null, null)) return true
      return this.cancel(id)
    }
    const ctl = this.running.get(id)
    if (job.status === 'running' && ctl) {
      // Cancelled while giving way to another job: it ends cancelled, not queued again.
      this.yielding.delete(id)
      ctl.abort()
      return true
    }
    if (job.status === 'running') this.ownership.assertOwner(`cancel job ${id}`)
    return false
  }

  /**
   * Start processing once this process owns the store (at once, or when the lease frees up):
   * recover jobs their gone owner left running, prune old finished jobs, then pump.
   */
  start(): void {
    if (this.started) return
    this.started = true
    this.stopping = false
    this.ownership.onAcquired(() => {
      if (!this.started || this.stopping) return
      const orphans = this.repo
        .running()
        .filter((j) => j.owner !== this.ownership.token && (j.owner === null || !this.ownership.isTokenLive(j.owner)))
      if (orphans.length)
        this.repo.requeue(
          orphans.map((j) => j.id),
          'Resuming after restart',
        )
      this.prune()
      this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS)
      this.pruneTimer.unref()
      this.schedulePump(0)
    })
  }

  /** Delete finished jobs older than the retention period (by the injected clock); returns how many. */
  prune(): number {
    if (!this.ownership.isOwner || !this.repo.open) return 0
    const days = this.opts.retentionDays ?? JOB_RETENTION_DAYS
    const before = new Date(this.opts.now().getTime() - days * DAY_MS).toISOString()
    return this.repo.pruneFinished(before)
  }

  /** Abort running jobs and stop picking new ones; resolves when they have settled. */
  async stop(): Promise<void> {
    this.stopping = true
    if (this.timer) clearTimeout(this.timer)
    if (this.pruneTimer) clearInterval(this.pruneTimer)
    this.pruneTimer = null
    for (const c of this.running.values()) c.abort()
    await Promise.all(this.runs.values())
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
    const r = this.repo.result(id)
    return r ? (JSON.parse(r) as T) : null
  }

  /** The JSON payload a job was queued with. */
  payload<T>(id: number): T | null {
    const r = this.repo.payload(id)
    return r ? (JSON.parse(r) as T) : null
  }

  /**
   * Look for due jobs now: after the clock jumped (the computer woke from sleep, whose timers ran
   * late) a job waiting for a time that has passed runs at once instead of at its old timer.
   */
  wake(): void {
    this.schedulePump(0)
  }

  private schedulePump(delayMs: number): void {
    if (!this.started || this.stopping || !this.ownership.isOwner) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      try {
        this.pump()
      } catch (e) {
        // A claim that met a locked store (or any store error): say so and look again in a second, rather
        // than throw from a timer and leave the queue without a next look.
        reportError('The job queue could not start a job', e)
        this.schedulePump(1000)
      }
    }, delayMs)
  }

  /**
   * Work that a job of `kind` (with `payload`) left to do on the core's thread when it ended: a sync's
   * after-sync checks, the rules' cycle and the recommendations' generation. A job that gives way
   * (`yieldsTo`) to that job also waits for this work to settle, bounded like the hold of the job itself
   * (MAX_HOLD_MS from its first hold): a training queued behind a sync would otherwise start while that
   * work still runs and add its memory and CPU to theirs. It does not stop a job already running.
   */
  followUp(kind: string, payload: unknown, work: Promise<unknown>, label: string): void {
    const entry = { kind, payload, label }
    this.followUps.add(entry)
    const done = (): void => {
      this.followUps.delete(entry)
      this.schedulePump(0)
    }
    work.then(done, done)
  }

  /** What follow-up work of jobs of `kind` is still under way, by label, sorted (tests). */
  pendingFollowUps(kind: string): string[] {
    return [...this.followUps]
      .filter((f) => f.kind === kind)
      .map((f) => f.label)
      .sort()
  }

  /** Whether a job that gives way has waited long enough, or been stopped often enough, to run regardless. */
  private waitedEnough(id: number, nowMs: number): boolean {
    const since = this.heldSince.get(id)
    return (this.gaveWay.get(id) ?? 0) >= MAX_GIVE_WAY || (since !== undefined && nowMs - since >= MAX_HOLD_MS)
  }

  /**
   * The queued jobs that must not start now: they give way (`yieldsTo`) to a job that is running or
   * queued and due, unless they already gave way MAX_GIVE_WAY times or have waited MAX_HOLD_MS.
   */
  private heldIds(now: string): number[] {
    const held: number[] = []
    const due = (r: JobRow): boolean => r.run_after === null || r.run_after <= now
    for (const k of this.kinds.values()) {
      const y = k.yieldsTo
      if (!y) continue
      const mine = this.repo.active(k.kind).filter((r) => r.status === 'queued' && due(r))
      if (!mine.length) continue
      const others = y.kinds
        .flatMap((o) => this.repo.active(o))
        .filter((r) => r.status === 'running' || due(r))
        .map((r) => ({ kind: r.kind, payload: JSON.parse(r.payload) as unknown }))
        .concat([...this.followUps].filter((f) => (y.kinds as readonly string[]).includes(f.kind)))
      if (!others.length) continue
      const nowMs = Date.parse(now)
      for (const r of mine) {
        if (this.waitedEnough(r.id, nowMs)) continue
        const payload = JSON.parse(r.payload) as unknown
        if (!others.some((o) => y.same?.(payload, o) ?? true)) continue
        held.push(r.id)
        if (!this.heldSince.has(r.id)) this.heldSince.set(r.id, nowMs)
      }
    }
    return held
  }

  private pump(): void {
    if (!this.repo.open || !this.ownership.isOwner) return
    const concurrency = this.opts.concurrency ?? 1
    const background = [...this.kinds.values()].filter((k) => k.background).map((k) => k.kind)
    const now = this.now()
    while (!this.stopping && this.running.size - this.runningBackground.size < concurrency) {
      const row = this.repo.nextQueued(now, { except: background, exceptIds: this.heldIds(now) })
      if (!row) break
      this.runJob(row)
    }
    while (!this.stopping && background.length && this.runningBackground.size < 1) {
      const row = this.repo.nextQueued(now, { only: background, exceptIds: this.heldIds(now) })
      if (!row) break
      this.runJob(row)
    }
    const room =
      this.running.size - this.runningBackground.size < concurrency ||
      (background.length > 0 && this.runningBackground.size < 1)
    if (!room) return
    // The next look: a job waiting for a later time, or a held job's wait running out. A due job held back
    // is not a reason to look again: the end of the job it gives way to pumps (once a look every 10 ms).
    const nowMs = Date.parse(now)
    const times: number[] = []
    const next = this.repo.nextRunAfter(now)
    if (next) times.push(Date.parse(next))
    for (const [id, since] of this.heldSince) if (!this.running.has(id)) times.push(since + MAX_HOLD_MS)
    if (times.length) this.schedulePump(Math.max(10, Math.min(...times) - nowMs))
  }

  private runJob(row: JobRow): void {
    const kind = this.kinds.get(row.kind)
    if (!kind) {
      this.finish(row.id, row.kind, null, 'failed', null, `No handler for job kind "${row.kind}"`)
      return
    }
    const attempt = row.attempts + 1
    const owner = this.ownership.token
    if (!this.repo.claim(row.id, attempt, this.now(), owner)) return
    const ctl = new AbortController()
    // Running jobs that give way to this kind stop and go back to the queue (pump holds them meanwhile).
    const payload = JSON.parse(row.payload) as unknown
    for (const [id, r] of this.runningJobs) {
      const y = this.kinds.get(r.kind)?.yieldsTo
      if (!y?.kinds.includes(row.kind) || this.yielding.has(id)) continue
      if (!(y.same?.(r.payload, { kind: row.kind, payload }) ?? true)) continue
      const nowMs = this.opts.now().getTime()
      if (this.waitedEnough(id, nowMs)) continue
      this.gaveWay.set(id, (this.gaveWay.get(id) ?? 0) + 1)
      if (!this.heldSince.has(id)) this.heldSince.set(id, nowMs)
      this.yielding.add(id)
      this.running.get(id)?.abort()
    }
    this.running.set(row.id, ctl)
    this.runningJobs.set(row.id, { kind: row.kind, payload })
    if (kind.background) this.runningBackground.add(row.id)
    // Throttling measures elapsed time on the monotonic clock; stored instants use the injected one.
    let last = 0
    let lastStored = 0
    let pending: { step: string; current: number; total: number; message: string } | null = null
    // Set once the run has settled: a report still in flight (a worker's message queued before it
    // was terminated) must not touch a finished row, announce progress after the end, or write to
    // a store closed since.
    let ended = false
    const flush = (store = true): void => {
      if (!pending || ended) return
      const p = pending
      pending = null
      last = performance.now()
      // The stored progress is only a display copy (windows opened later, the CLI): it is written
      // at most every STORED_PROGRESS_INTERVAL_MS and at the end, while events go out every report.
      // When another connection (a sync's writer thread) holds the write lock it waits for the next
      // report instead of blocking this thread.
      if (store || last - lastStored >= STORED_PROGRESS_INTERVAL_MS) {
        try {
          this.repo.withoutWaiting(() => this.repo.saveProgress(row.id, p.step, p.current, p.total, p.message))
          lastStored = last
        } catch (e) {
          if (!isBusy(e)) throw e
          pending ??= p
        }
      }
      this.events.emit('job:progress', { jobId: row.id, kind: row.kind, ...p })
    }
    const ctx: JobContext = {
      jobId: row.id,
      attempt,
      signal: ctl.signal,
      progress: (step, current, total, message = '') => {
        if (ended) return
        pending = { step, current: Math.round(current), total: Math.round(total), message }
        const done = total > 0 && current >= total
        if (done || performance.now() - last >= PROGRESS_INTERVAL_MS) flush(done)
      },
      checkpoint: <T>() => {
        const r = this.repo.checkpoint(row.id)
        return r ? (JSON.parse(r) as T) : null
      },
      saveCheckpoint: (value) => this.repo.saveCheckpoint(row.id, value),
      checkpointStatement: (value) => checkpointStatement(row.id, value),
    }
    const schema = this.schemas.get(row.kind) as z.ZodType
    const run = (async (): Promise<void> => {
      try {
        // Checked again: the row may come from an older version of the app or another process.
        const parsed = schema.safeParse(JSON.parse(row.payload))
        if (!parsed.success) throw new Error(`Invalid ${row.kind} payload${firstIssue(parsed.error)}`)
        const result = await kind.run(parsed.data, ctx)
        flush()
        this.finish(row.id, row.kind, owner, 'succeeded', result ?? null, null)
      } catch (err) {
        flush()
        const cancelled = ctl.signal.aborted || err instanceof CancelledError
        const message = err instanceof Error ? err.message : String(err)
        // Back to the queue until `runAfter`, its attempt not used up, with what it waits for.
        const requeue = (runAfter: string, message: string): void => {
          this.repo.deferRun(row.id, owner, runAfter, message)
          this.events.emit('job:progress', {
            jobId: row.id,
            kind: row.kind,
            step: 'waiting',
            current: 0,
            total: 0,
            message,
          })
        }
        if (this.yielding.has(row.id) && !this.stopping) {
          requeue(this.now(), kind.yieldsTo?.message ?? 'Waiting')
        } else if (cancelled) {
          const reason = err instanceof CancelledError ? err.reason : null
          this.finish(row.id, row.kind, owner, 'cancelled', null, this.stopping ? 'Stopped with the app' : reason)
        } else if (err instanceof RunLaterError) {
          requeue(err.runAfter.toISOString(), err.message)
        } else if (attempt < row.max_attempts && !this.stopping) {
          const delay = (kind.retryDelayMs ?? defaultRetryDelay)(attempt)
          const runAfter = new Date(this.opts.now().getTime() + delay).toISOString()
          this.repo.retryLater(row.id, owner, message, runAfter, `Attempt ${attempt} failed: ${message}; retrying`)
        } else {
          this.finish(row.id, row.kind, owner, 'failed', null, message)
        }
      } finally {
        ended = true
        this.running.delete(row.id)
        this.runningJobs.delete(row.id)
        this.yielding.delete(row.id)
        this.runningBackground.delete(row.id)
        this.runs.delete(row.id)
        this.schedulePump(0)
      }
    })()
    this.runs.set(row.id, run)
  }

  /** Record a job's end (`owner` null: a queued job) and tell waiters; false when its state had moved on. */
  private finish(
    id: number,
    kind: string,
    owner: string | null,
    status: JobStatus,
    result: unknown,
    error: string | null,
  ): boolean {
    if (!this.repo.open) return false
    const done = this.repo.finish(id, owner, status, result === null ? null : JSON.stringify(result), error, this.now())
    if (!done) return false
    this.gaveWay.delete(id)
    this.heldSince.delete(id)
    this.events.emit('job:finished', { jobId: id, kind, status, error })
    const job = this.get(id)
    const list = this.waiters.get(id)
    this.waiters.delete(id)
    if (job) for (const w of list ?? []) w(job)
    return true
  }
}
