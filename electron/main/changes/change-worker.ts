import type { DataTable } from '../../../shared/domain/tables'
import type { Change, ChangeValue } from '../../../shared/domain/changes'
import { AppError } from '../../../shared/ipc/result'
import type { ChangeRepo, ChangeTarget } from '../store/repos/change-repo'
import { ConnectorError } from '../sync/connectors/types'
import { describeValue, sameValue, type ChangeService } from './change-service'
import type { PlatformGateway } from './platform-gateway'

export interface ChangeWorkerOptions {
  /** Attempts per change including the first (transient errors only). */
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
  /** Changes in flight per platform (each account is always serial). */
  platformConcurrency: number
}

export const DEFAULT_WORKER_OPTIONS: ChangeWorkerOptions = {
  maxAttempts: 6,
  baseDelayMs: 2_000,
  maxDelayMs: 120_000,
  platformConcurrency: 2,
}

/** Connector error kinds worth another attempt (the next attempt reads the platform first). */
const TRANSIENT = new Set(['transient', 'rate_limit', 'invalid_response'])

function isTransient(err: unknown): boolean {
  return (
    err instanceof ConnectorError &&
    TRANSIENT.has(err.kind) &&
    // The platform took the write but reads back another value: retrying would not help.
    err.detail.code !== 'write_not_applied'
  )
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * Applies approved changes, one attempt at a time. Every attempt starts by reading the platform:
 *  - already at the requested value → applied (no write);
 *  - no write sent yet → store the platform's value (what undo restores) and the write count,
 *    commit, then write once (connectors never retry writes) and verify the read-back;
 *  - a write may have been sent (a retry, or a crash after `applying` was committed) → write again
 *    only if the platform still has the value from before the first write; anything else fails
 *    with both values ("needs attention").
 * So a kill at any point followed by a restart never writes twice and never loses a change.
 * Each account's changes run one at a time; each platform has at most `platformConcurrency` in
 * flight and pauses for a rate limit's Retry-After. Only the store's owner runs the worker.
 */
export class ChangeWorker {
  private readonly opts: ChangeWorkerOptions
  private running = false
  private readonly inFlight = new Set<number>()
  private readonly busyAccounts = new Set<number>()
  private readonly activePerPlatform = new Map<string, number>()
  private readonly platformNotBefore = new Map<string, number>()
  private readonly retryTimers = new Map<number, NodeJS.Timeout>()
  private wake: NodeJS.Timeout | null = null
  private readonly idle: (() => void)[] = []

  constructor(
    private readonly repo: ChangeRepo,
    private readonly service: ChangeService,
    private readonly gateway: PlatformGateway,
    private readonly now: () => Date,
    opts: Partial<ChangeWorkerOptions> = {},
  ) {
    this.opts = { ...DEFAULT_WORKER_OPTIONS, ...opts }
  }

  get isRunning(): boolean {
    return this.running
  }

  start(): void {
    if (this.running) return
    this.running = true
    // Changes left `applying` by a crash are resolved by their next attempt, which reads first.
    for (const c of this.repo.pending()) {
      if (c.state === 'applying')
        this.service.auditChange(
          c.id,
          this.repo.target(c.entityType, c.entityId),
          'applying',
          'applying',
          c.actor.label,
          {
            resumed: true,
            writes: c.writes,
            metrics: c.metrics,
          },
        )
    }
    this.kick()
  }

  async stop(): Promise<void> {
    this.running = false
    for (const t of this.retryTimers.values()) clearTimeout(t)
    this.retryTimers.clear()
    if (this.wake) clearTimeout(this.wake)
    this.wake = null
    if (this.inFlight.size) await new Promise<void>((r) => this.idle.push(r))
  }

  /** Look for work now (a change was approved). */
  kick(): void {
    if (!this.running) return
    queueMicrotask(() => this.pump())
  }

  private pump(): void {
    if (!this.running) return
    const nowMs = Date.now()
    let soonest = Infinity
    for (const c of this.repo.pending()) {
      if (this.inFlight.has(c.id) || this.retryTimers.has(c.id) || this.busyAccounts.has(c.accountId)) continue
      const nb = this.platformNotBefore.get(c.platform) ?? 0
      if (nb > nowMs) {
        soonest = Math.min(soonest, nb)
        continue
      }
      if ((this.activePerPlatform.get(c.platform) ?? 0) >= this.opts.platformConcurrency) continue
      this.launch(c)
    }
    if (soonest < Infinity && !this.wake) {
      this.wake = setTimeout(() => {
        this.wake = null
        this.pump()
      }, soonest - nowMs)
    }
  }

  private launch(c: Change): void {
    this.inFlight.add(c.id)
    this.busyAccounts.add(c.accountId)
    this.activePerPlatform.set(c.platform, (this.activePerPlatform.get(c.platform) ?? 0) + 1)
    void this.attempt(c)
      .catch((err: unknown) => console.error(`[changes] attempt of change ${c.id} failed unexpectedly`, err))
      .finally(() => {
        this.inFlight.delete(c.id)
        this.busyAccounts.delete(c.accountId)
        this.activePerPlatform.set(c.platform, (this.activePerPlatform.get(c.platform) ?? 1) - 1)
        if (this.inFlight.size === 0) for (const r of this.idle.splice(0)) r()
        this.pump()
      })
  }

  private at(): string {
    return this.now().toISOString()
  }

  /** One attempt (see the class comment). */
  private async attempt(start: Change): Promise<void> {
    const target = this.repo.target(start.entityType, start.entityId)
    let c = start
    const attempts = c.attempts + 1
    this.repo.transaction(() => {
      if (c.state === 'approved') {
        if (!this.repo.transition(c.id, ['approved'], 'applying', { attempts }, this.at())) return
        this.service.auditChange(c.id, target, 'approved', 'applying', c.actor.label, {
          attempt: attempts,
          metrics: c.metrics,
        })
      } else this.repo.patch(c.id, 'applying', { attempts, nextAttemptAt: null }, this.at())
    })
    c = this.repo.get(c.id) as Change
    if (c.state !== 'applying') return // rejected meanwhile
    if (!target) return this.fail(c, null, `The ${c.entityType} ${c.entityId} no longer exists in the store`)
    try {
      const state = await this.gateway.read(target)
      const current: ChangeValue = c.field === 'status' ? state.status : state.dailyBudgetMicros
      if (sameValue(current, c.requested)) {
        // Already there: our earlier write landed (its answer was lost, or we crashed), or nothing to do.
        return this.applied(c, target, current, c.writes === 0 ? { platformBefore: current } : {}, [])
      }
      if (c.writes === 0) {
        const relative = c.action.kind === 'change_budget_pct' || c.action.kind === 'change_budget_amount'
        if (relative && !sameValue(current, c.before))
          return this.fail(
            c,
            target,
            `The budget changed on the platform since this change was proposed (${describeValue(c.before)} then, ` +
              `${describeValue(current)} now); propose it again from the current budget`,
          )
        if (c.field === 'daily_budget' && current === null)
          return this.fail(
            c,
            target,
            `${target.level} “${target.name}” has no daily budget of its own on the platform (its campaign's budget or a lifetime budget applies)`,
          )
        if (current === 'archived')
          return this.fail(c, target, `${target.level} “${target.name}” is archived on the platform`)
        // Commit what undo restores and that a write is about to be sent, before sending it.
        this.repo.patch(c.id, 'applying', { platformBefore: current, writes: c.writes + 1 }, this.at())
      } else {
        if (!sameValue(current, c.platformBefore))
          return this.fail(
            c,
            target,
            `Needs attention: the platform has ${describeValue(current)}, neither the value before this change ` +
              `(${describeValue(c.platformBefore)}) nor the requested ${describeValue(c.requested)}; it was changed elsewhere`,
          )
        this.repo.patch(c.id, 'applying', { writes: c.writes + 1 }, this.at())
      }
      const result = await this.gateway.write(target, c.field, c.requested)
      const after: ChangeValue | undefined = c.field === 'status' ? result.after.status : result.after.dailyBudgetMicros
      const fresh = this.repo.get(c.id) as Change
      if (!sameValue(after, c.requested))
        return this.fail(
          fresh,
          target,
          `The platform accepted the change but reads back ${describeValue(after)} instead of ${describeValue(c.requested)}`,
        )
      return this.applied(fresh, target, after ?? null, {}, result.warnings)
    } catch (err) {
      const fresh = this.repo.get(c.id) as Change
      if (isTransient(err) && fresh.attempts < this.opts.maxAttempts) return this.retryLater(fresh, target, err)
      const why = isTransient(err) ? `gave up after ${fresh.attempts} attempts: ${messageOf(err)}` : messageOf(err)
      const hint =
        err instanceof ConnectorError && err.kind === 'auth'
          ? ' (reconnect the account)'
          : err instanceof AppError
            ? ''
            : ''
      return this.fail(fresh, target, `${why}${hint}`)
    }
  }

  private applied(
    c: Change,
    target: ChangeTarget,
    value: ChangeValue,
    extra: { platformBefore?: ChangeValue },
    warnings: string[],
  ): void {
    const at = this.at()
    const tables = [this.service.tableOf(c.entityType)]
    this.repo.transaction(() => {
      this.repo.transition(
        c.id,
        ['applying'],
        'applied',
        { ...extra, applied: value, appliedAt: at, error: null, nextAttemptAt: null, warnings },
        at,
      )
      this.repo.setLocalValue(c.entityType, c.entityId, c.field, value, at)
      this.service.auditChange(c.id, target, 'applying', 'applied', c.actor.label, {
        before: extra.platformBefore ?? c.platformBefore ?? null,
        requested: c.requested,
        applied: value,
        writes: c.writes,
        noop: c.writes === 0,
        warnings,
        metrics: c.metrics,
      })
      if (c.undoOf !== null) {
        const original = this.repo.get(c.undoOf)
        if (original && this.repo.transition(original.id, ['applied'], 'undone', {}, at))
          this.service.auditChange(original.id, target, 'applied', 'undone', c.actor.label, {
            undoneBy: c.id,
            restored: value,
            metrics: original.metrics,
          })
      }
    })
    this.settle(c, tables)
  }

  private fail(c: Change, target: ChangeTarget | null, error: string): void {
    const at = this.at()
    this.repo.transaction(() => {
      this.repo.transition(c.id, ['applying'], 'failed', { error, nextAttemptAt: null }, at)
      this.service.auditChange(c.id, target, 'applying', 'failed', c.actor.label, {
        error,
        before: c.platformBefore ?? c.before,
        requested: c.requested,
        writes: c.writes,
        metrics: c.metrics,
      })
    })
    this.settle(c, [])
  }

  private retryLater(c: Change, target: ChangeTarget | null, err: unknown): void {
    const retryAfter = err instanceof ConnectorError ? err.detail.retryAfterMs : undefined
    const cap = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (c.attempts - 1))
    const delay = Math.max(retryAfter ?? 0, Math.floor(cap / 2 + (Math.random() * cap) / 2))
    if (err instanceof ConnectorError && err.kind === 'rate_limit')
      this.platformNotBefore.set(c.platform, Math.max(this.platformNotBefore.get(c.platform) ?? 0, Date.now() + delay))
    const nextAt = new Date(this.now().getTime() + delay).toISOString()
    this.repo.transaction(() => {
      this.repo.transition(c.id, ['applying'], 'applying', { error: messageOf(err), nextAttemptAt: nextAt }, this.at())
      this.service.auditChange(c.id, target, 'applying', 'applying', c.actor.label, {
        retry: c.attempts + 1,
        error: messageOf(err),
        nextAttemptAt: nextAt,
        metrics: c.metrics,
      })
    })
    this.service.changed(new Set([c.workspaceId]))
    this.retryTimers.set(
      c.id,
      setTimeout(() => {
        this.retryTimers.delete(c.id)
        this.pump()
      }, delay),
    )
  }

  private settle(c: Change, tables: DataTable[]): void {
    this.service.changed(new Set([c.workspaceId]), tables)
    const done = this.repo.get(c.id)
    if (done) this.service.notify(done)
    if (c.undoOf !== null) {
      const original = this.repo.get(c.undoOf)
      if (original) this.service.notify(original)
    }
  }
}
