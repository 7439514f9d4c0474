import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { AppError } from '../../../shared/ipc/result'
import { systemClock } from '../platform/clock'
import type { Sqlite } from './connect'

/** The process that owns a store file (a row of `store_lease`). */
export interface StoreOwner {
  token: string
  pid: number
  hostname: string
  /** "the desktop app", "npm run web", "CLI sync", ... */
  label: string
  /** ISO instants. */
  startedAt: string
  heartbeatAt: string
}

interface LeaseRow {
  token: string
  pid: number
  hostname: string
  label: string
  started_at: string
  heartbeat_at: string
}

const toOwner = (r: LeaseRow): StoreOwner => ({
  token: r.token,
  pid: r.pid,
  hostname: r.hostname,
  label: r.label,
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
})

/** How often the owner renews its lease and a non-owner tries to take a free one. */
export const HEARTBEAT_MS = 5_000
/** An owner on another computer (a shared folder) whose heartbeat is older than this is gone. */
export const LEASE_TTL_MS = 30_000
/**
 * An owner on this computer is gone when its pid has exited. A live pid whose heartbeat is older
 * than this is taken to be a reused pid (the owner died long ago, e.g. before a reboot).
 */
export const STALE_PID_MS = 10 * 60_000

/** Whether a process with this pid exists on this computer. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export interface OwnershipOptions {
  /** What this process is, shown to other processes ("the desktop app", "CLI sync"). */
  label: string
  /**
   * Wall-clock time in ms. Deliberately not the core's injected clock: leases compare instants
   * written by different processes, and a test's fixed clock must not make a live owner look stale.
   */
  wallClock?: () => number
  /** Try to take the lease (default true); false opens the store for reading jobs only. */
  claim?: boolean
  /** Renew / retry on a timer (default true); tests drive `tick()` themselves. */
  timer?: boolean
  /** For tests: this process's identity. */
  pid?: number
  hostname?: string
  isAlive?: (pid: number) => boolean
}

/**
 * One owner per store file: only the owner runs the job queue and the change pipeline, so no job
 * runs in two processes at once. The owner holds the single `store_lease` row and renews its
 * heartbeat every HEARTBEAT_MS; the lease is free when its row is gone (released at close), when
 * its pid has exited on this computer, or when its heartbeat has expired (LEASE_TTL_MS for another
 * computer, STALE_PID_MS for a reused pid here). It is taken in a BEGIN IMMEDIATE transaction, so
 * two processes racing for a free lease serialise on SQLite's write lock and exactly one wins.
 *
 * A non-owner keeps the store open for reading and for writes that need no job; it retries on the
 * same timer and becomes the owner when the lease frees up (`onAcquired`). An owner whose lease was
 * taken over (its heartbeat stopped for longer than the lease lasts) learns it on its next renewal
 * (`onLost`) and stops its jobs.
 */
export class StoreOwnership {
  readonly token = randomUUID()
  private owner_ = false
  private timer: NodeJS.Timeout | null = null
  private readonly acquired: (() => void)[] = []
  private readonly lost: (() => void)[] = []
  private readonly pid: number
  private readonly host: string
  private readonly alive: (pid: number) => boolean
  private readonly wall: () => number

  constructor(
    private readonly sqlite: Sqlite,
    private readonly opts: OwnershipOptions,
  ) {
    this.pid = opts.pid ?? process.pid
    this.host = opts.hostname ?? hostname()
    this.alive = opts.isAlive ?? pidAlive
    this.wall = opts.wallClock ?? ((): number => systemClock.now().getTime())
    if (opts.claim ?? true) {
      this.tryAcquire()
      if (opts.timer ?? true) {
        this.timer = setInterval(() => this.tick(), HEARTBEAT_MS)
        this.timer.unref()
      }
    }
  }

  /** Whether this process owns the store (runs jobs and the change pipeline). */
  get isOwner(): boolean {
    return this.owner_
  }

  /** The current lease holder (possibly this process), or null when the store has no owner. */
  owner(): StoreOwner | null {
    const r = this.sqlite.prepare('SELECT * FROM store_lease WHERE id = 1').get() as LeaseRow | undefined
    return r ? toOwner(r) : null
  }

  /** Whether the process behind a lease row is still there. */
  isLive(o: StoreOwner): boolean {
    if (o.token === this.token) return this.owner_
    const age = this.wall() - Date.parse(o.heartbeatAt)
    if (o.hostname !== this.host) return age < LEASE_TTL_MS
    return this.alive(o.pid) && age < STALE_PID_MS
  }

  /** Whether the process that claimed a job (its `owner` token) is alive and still owns the store. */
  isTokenLive(token: string): boolean {
    const o = this.owner()
    return o !== null && o.token === token && this.isLive(o)
  }

  /** Run `fn` when this process becomes the owner (at once when it already is). */
  onAcquired(fn: () => void): void {
    this.acquired.push(fn)
    if (this.owner_) fn()
  }

  /** Run `fn` when another process took the lease over from this one. */
  onLost(fn: () => void): void {
    this.lost.push(fn)
  }

  /** A plain sentence naming the owner, for refusals: "the desktop app (pid 4242 on this computer, since ...)". */
  describeOwner(): string {
    const o = this.owner()
    if (!o) return 'no process'
    const where = o.hostname === this.host ? 'on this computer' : `on ${o.hostname}`
    return `${o.label} (pid ${o.pid} ${where}, since ${o.startedAt.slice(0, 19).replace('T', ' ')} UTC)`
  }

  /** Throw a CONFLICT naming the owner unless this process owns the store. */
  assertOwner(action: string): void {
    if (this.owner_) return
    const o = this.owner()
    if (!o || !this.isLive(o)) {
      throw new AppError('CONFLICT', `Cannot ${action}: this process opened the store without running its jobs.`)
    }
    throw new AppError(
      'CONFLICT',
      `Cannot ${action}: this data folder is in use by ${this.describeOwner()}, which runs its jobs. ` +
        'Do it there, or close it and try again.',
      { owner: this.owner() },
    )
  }

  /** Renew the lease (owner) or try to take a free one (non-owner). Called every HEARTBEAT_MS. */
  tick(): void {
    if (!this.sqlite.open) return
    if (this.owner_) this.renew()
    else this.tryAcquire()
  }

  private tryAcquire(): boolean {
    // A cheap read first: a live owner's lease is not worth waiting for the write lock.
    const seen = this.owner()
    if (seen && seen.token !== this.token && this.isLive(seen)) return false
    const now = new Date(this.wall()).toISOString()
    const take = this.sqlite.transaction((): boolean => {
      const cur = this.owner()
      if (cur && cur.token !== this.token && this.isLive(cur)) return false
      this.sqlite
        .prepare(
          `INSERT OR REPLACE INTO store_lease (id, token, pid, hostname, label, started_at, heartbeat_at)
           VALUES (1, ?, ?, ?, ?, ?, ?)`,
        )
        .run(this.token, this.pid, this.host, this.opts.label, now, now)
      return true
    })
    let got: boolean
    try {
      got = take.immediate()
    } catch (e) {
      if (isBusy(e)) return false
      throw e
    }
    if (got) {
      this.owner_ = true
      for (const fn of this.acquired) fn()
    }
    return got
  }

  private renew(): void {
    // Never block the main thread on a writer thread's lock: a missed beat is retried next tick.
    const timeout = this.sqlite.pragma('busy_timeout', { simple: true }) as number
    this.sqlite.pragma('busy_timeout = 0')
    let changes: number
    try {
      changes = this.sqlite
        .prepare('UPDATE store_lease SET heartbeat_at = ? WHERE id = 1 AND token = ?')
        .run(new Date(this.wall()).toISOString(), this.token).changes
    } catch (e) {
      if (isBusy(e)) return
      throw e
    } finally {
      this.sqlite.pragma(`busy_timeout = ${timeout}`)
    }
    if (changes === 0) {
      this.owner_ = false
      for (const fn of this.lost) fn()
    }
  }

  /** Stop the timer and give the lease up (another process may take it at once). */
  release(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    if (this.owner_ && this.sqlite.open) {
      this.sqlite.prepare('DELETE FROM store_lease WHERE id = 1 AND token = ?').run(this.token)
    }
    this.owner_ = false
  }
}

/** SQLITE_BUSY and its extended codes: another connection holds the lock. */
export function isBusy(e: unknown): boolean {
  return typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code.startsWith('SQLITE_BUSY')
}
