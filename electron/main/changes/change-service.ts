import { randomUUID } from 'node:crypto'
import {
  inScope,
  principalLabel,
  roleAllows,
  type CallContext,
  type Principal,
  type Role,
} from '../../../shared/domain/caller'
import {
  ChangePolicySchema,
  ChangeProposalSchema,
  DEFAULT_CHANGE_POLICY,
  fieldOf,
  requestedValue,
  SETTLED_CHANGE_STATES,
  type Change,
  type ChangeAction,
  type ChangePolicy,
  type ChangeProposal,
  type ChangeState,
  type ChangeValue,
} from '../../../shared/domain/changes'
import { currencyMinorDigits } from '../../../shared/domain/money'
import type { DataTable } from '../../../shared/domain/tables'
import { AppError } from '../../../shared/ipc/result'
import type { EventBus } from '../events'
import type { AuditRepo } from '../store/repos/audit-repo'
import type { ChangeRepo, ChangeTarget } from '../store/repos/change-repo'
import type { KvRepo } from '../store/repos/kv-repo'
import type { PlatformGateway } from './platform-gateway'

const TABLE_OF = { campaign: 'campaigns', ad_set: 'ad_sets', ad: 'ads' } as const satisfies Record<string, DataTable>

/** How a change's actor is stored: kind, id and a label (shared/domain/caller.ts principalLabel). */
export function actorOf(p: Principal): { kind: Principal['kind']; id: string; label: string } {
  const id =
    p.kind === 'user'
      ? p.id
      : p.kind === 'rule'
        ? `${p.ruleId}@${p.version}`
        : p.kind === 'recommendation'
          ? String(p.recommendationId)
          : p.name
  return { kind: p.kind, id, label: principalLabel(p) }
}

export interface ChangeServiceDeps {
  repo: ChangeRepo
  audit: AuditRepo
  events: EventBus
  kv: KvRepo
  gateway: PlatformGateway
  now: () => Date
}

/** Same value of a field (statuses by word, budgets by micros). */
export function sameValue(a: ChangeValue | undefined, b: ChangeValue | undefined): boolean {
  return a === b
}

export function describeValue(v: ChangeValue | undefined): string {
  if (v === undefined || v === null) return 'none'
  return typeof v === 'number' ? `${v} micros` : v
}

/**
 * The change pipeline's entry points: propose (dedupe by idempotency key), approve, reject, undo
 * (one change or a batch) and reading changes. Every transition commits with its audit row; the
 * ChangeWorker applies approved changes. Callers: the IPC handlers, the CLI, and (next) rules and
 * recommendations, all with their CallContext.
 */
export class ChangeService {
  private readonly waiters = new Map<number, ((c: Change) => void)[]>()
  /** Called when a change becomes approved (the worker's kick). */
  onApproved: () => void = () => {}

  constructor(private readonly d: ChangeServiceDeps) {}

  private at(): string {
    return this.d.now().toISOString()
  }

  // --- reading -------------------------------------------------------------------------------

  get(id: number, ctx?: CallContext): Change {
    const c = this.d.repo.get(id)
    if (!c || (ctx && !inScope(ctx, c.workspaceId))) throw new AppError('NOT_FOUND', `No change ${id}`)
    return c
  }

  list(
    f: {
      workspaceId?: number
      states?: ChangeState[]
      batchId?: string
      entity?: { type: Change['entityType']; id: number }
      limit?: number
      offset?: number
    },
    ctx?: CallContext,
  ): { items: Change[]; total: number } {
    if (ctx && ctx.workspaces !== 'all' && f.workspaceId === undefined)
      throw new AppError('FORBIDDEN', 'Name a workspace: the caller may not list every workspace')
    return this.d.repo.list({ ...f, limit: f.limit ?? 50, offset: f.offset ?? 0 })
  }

  /** The audit rows of one change (its transitions with principal and metrics). */
  history(id: number): ReturnType<AuditRepo['list']> {
    return this.d.audit.list('change.', id)
  }

  // --- policy --------------------------------------------------------------------------------

  policy(workspaceId: number): ChangePolicy {
    const p = ChangePolicySchema.safeParse(this.d.kv.get(`changes.policy.${workspaceId}`, DEFAULT_CHANGE_POLICY))
    return p.success ? p.data : DEFAULT_CHANGE_POLICY
  }

  /** Store a workspace's policy (call through the mutation wrapper: it audits and emits). */
  setPolicy(workspaceId: number, policy: ChangePolicy): ChangePolicy {
    const p = ChangePolicySchema.parse(policy)
    this.d.kv.set(`changes.policy.${workspaceId}`, p)
    return p
  }

  // --- proposing -----------------------------------------------------------------------------

  /** Propose one change (a batch of one unless `batchId` is given). */
  propose(input: ChangeProposal, ctx: CallContext): Change {
    const [c] = this.proposeBatch([input], ctx)
    return c as Change
  }

  /**
   * Propose changes together (one transaction, one batch id). A proposal whose idempotency key
   * exists returns the stored change (CONFLICT when the key was used for a different change).
   */
  proposeBatch(inputs: ChangeProposal[], ctx: CallContext, opts: { batchId?: string } = {}): Change[] {
    requireRole(ctx, 'editor', 'propose changes')
    const batchId = opts.batchId ?? inputs.find((i) => i.batchId)?.batchId ?? randomUUID()
    const at = this.at()
    const actor = actorOf(ctx.principal)
    const ids: number[] = []
    let approvedAny = false
    const workspaces = new Set<number>()
    this.d.repo.transaction(() => {
      for (const raw of inputs) {
        const input = ChangeProposalSchema.parse(raw)
        const target = this.d.repo.target(input.entityType, input.entityId)
        if (!target) throw new AppError('NOT_FOUND', `No ${input.entityType} with id ${input.entityId}`)
        if (!inScope(ctx, target.workspaceId))
          throw new AppError('FORBIDDEN', `${input.entityType} ${input.entityId} is outside the caller's workspaces`)
        const field = fieldOf(input.action)
        if (field === 'daily_budget' && target.level === 'ad')
          throw new AppError('VALIDATION', 'action: budgets live on campaigns or ad sets, not ads')
        const before: ChangeValue = field === 'status' ? target.status : target.dailyBudgetMicros
        const req = requestedValue(input.action, before, currencyMinorDigits(target.currency))
        if (!req.ok) throw new AppError('VALIDATION', `action: ${req.reason} (${target.level} “${target.name}”)`)
        const key = input.idempotencyKey ?? randomUUID()
        const existing = this.d.repo.byKey(key)
        if (existing) {
          if (
            existing.entityType !== input.entityType ||
            existing.entityId !== input.entityId ||
            JSON.stringify(existing.action) !== JSON.stringify(input.action)
          )
            throw new AppError(
              'CONFLICT',
              `Idempotency key ${JSON.stringify(key)} was used for change ${existing.id} (another entity or action)`,
            )
          ids.push(existing.id)
          continue
        }
        const approval =
          input.approval ??
          (ctx.principal.kind === 'user' || !this.policy(target.workspaceId).requireApproval ? 'auto' : 'required')
        const state = approval === 'auto' ? 'approved' : 'proposed'
        const id = this.d.repo.insert({
          workspaceId: target.workspaceId,
          accountId: target.accountId,
          entityType: target.level,
          entityId: target.id,
          externalId: target.externalId,
          action: input.action,
          field,
          before,
          requested: req.value,
          state,
          actor,
          reason: input.reason ?? null,
          metrics: input.metrics ?? {},
          idempotencyKey: key,
          batchId: input.batchId ?? batchId,
          undoOf: null,
          decidedBy: state === 'approved' ? actor.label : null,
          at,
        })
        this.auditChange(id, target, null, state, actor.label, {
          action: input.action,
          before,
          requested: req.value,
          reason: input.reason ?? null,
          metrics: input.metrics ?? {},
          approval,
        })
        ids.push(id)
        workspaces.add(target.workspaceId)
        if (state === 'approved') approvedAny = true
      }
    })
    this.changed(workspaces)
    if (approvedAny) this.onApproved()
    return ids.map((id) => this.d.repo.get(id) as Change)
  }

  // --- deciding ------------------------------------------------------------------------------

  approve(id: number, ctx: CallContext): Change {
    requireRole(ctx, 'editor', 'approve changes')
    const c = this.get(id, ctx)
    this.decide(c, 'approved', ctx)
    this.onApproved()
    return this.get(id)
  }

  /** Reject a proposal, or cancel an approved change the worker has not picked up yet. */
  reject(id: number, ctx: CallContext, reason?: string): Change {
    requireRole(ctx, 'editor', 'reject changes')
    const c = this.get(id, ctx)
    this.decide(c, 'rejected', ctx, reason)
    const out = this.get(id)
    this.notify(out)
    return out
  }

  private decide(c: Change, to: 'approved' | 'rejected', ctx: CallContext, reason?: string): void {
    const from: ChangeState[] = to === 'approved' ? ['proposed'] : ['proposed', 'approved']
    if (!from.includes(c.state))
      throw new AppError(
        'CONFLICT',
        `Change ${c.id} is ${c.state}: only ${from.join(' or ')} changes can be ${to === 'approved' ? 'approved' : 'rejected'}`,
      )
    const by = principalLabel(ctx.principal)
    const at = this.at()
    const target = this.d.repo.target(c.entityType, c.entityId)
    this.d.repo.transaction(() => {
      if (!this.d.repo.transition(c.id, [c.state], to, { decidedBy: by, ...(reason ? { error: reason } : {}) }, at))
        throw new AppError('CONFLICT', `Change ${c.id} changed state meanwhile; reload it`)
      this.auditChange(c.id, target, c.state, to, by, { reason: reason ?? null, metrics: c.metrics })
    })
    this.changed(new Set([c.workspaceId]))
  }

  // --- undo ----------------------------------------------------------------------------------

  /**
   * Undo an applied change: a new change that restores the value the platform had before it.
   * Refused (CONFLICT, with the values) when the entity changed on the platform since, unless `force`.
   */
  async undo(id: number, ctx: CallContext, opts: { force?: boolean } = {}): Promise<Change> {
    requireRole(ctx, 'editor', 'undo changes')
    const c = this.get(id, ctx)
    const plan = await this.undoPlan(c, opts.force ?? false)
    if ('refused' in plan) throw new AppError('CONFLICT', plan.refused, { changeId: c.id })
    const [made] = this.createUndos([plan], ctx, `undo:${c.batchId}:${randomUUID().slice(0, 8)}`)
    return made as Change
  }

  /** Undo every applied change of a batch; all or nothing (each refused one is named). */
  async undoBatch(batchId: string, ctx: CallContext, opts: { force?: boolean } = {}): Promise<Change[]> {
    requireRole(ctx, 'editor', 'undo changes')
    const all = this.d.repo.list({ batchId, limit: 10_000, offset: 0 }).items.filter((c) => inScope(ctx, c.workspaceId))
    if (all.length === 0) throw new AppError('NOT_FOUND', `No changes in batch ${batchId}`)
    const applied = all.filter((c) => c.state === 'applied' && c.writes > 0)
    if (applied.length === 0)
      throw new AppError('CONFLICT', `Batch ${batchId} has no applied change to undo (${countStates(all)})`)
    const plans = []
    const refused: string[] = []
    for (const c of applied.sort((a, b) => a.id - b.id)) {
      const p = await this.undoPlan(c, opts.force ?? false)
      if ('refused' in p) refused.push(p.refused)
      else plans.push(p)
    }
    if (refused.length)
      throw new AppError('CONFLICT', `Batch ${batchId} was not undone: ${refused.join('; ')}`, { refused })
    return this.createUndos(plans, ctx, `undo:${batchId}:${randomUUID().slice(0, 8)}`)
  }

  private async undoPlan(
    c: Change,
    force: boolean,
  ): Promise<
    { change: Change; target: ChangeTarget; action: ChangeAction; current: ChangeValue } | { refused: string }
  > {
    const what = `change ${c.id}`
    if (c.state !== 'applied') return { refused: `${what} is ${c.state}: only applied changes can be undone` }
    if (c.undoneBy !== null) {
      const u = this.d.repo.get(c.undoneBy)
      if (u && !['failed', 'rejected'].includes(u.state))
        return { refused: `${what} already has an undo (change ${u.id}, ${u.state})` }
    }
    if (c.writes === 0)
      return {
        refused: `${what} changed nothing (the platform already had ${describeValue(c.applied)}): nothing to undo`,
      }
    const prior = c.platformBefore
    if (prior === undefined || prior === null || prior === 'archived')
      return { refused: `${what} has no prior value that can be restored (${describeValue(prior)})` }
    const target = this.d.repo.target(c.entityType, c.entityId)
    if (!target) return { refused: `${what}: the ${c.entityType} no longer exists` }
    const state = await this.d.gateway.read(target)
    const current = c.field === 'status' ? state.status : state.dailyBudgetMicros
    if (!force && !sameValue(current, c.applied))
      return {
        refused:
          `${what}: “${target.name}” changed on the platform since (it was set to ${describeValue(c.applied)}, ` +
          `it is now ${describeValue(current)}); undo with force to restore ${describeValue(prior)} anyway`,
      }
    const action: ChangeAction =
      c.field === 'status'
        ? { kind: prior === 'paused' ? 'pause' : 'enable' }
        : { kind: 'set_budget', dailyBudgetMicros: prior as number }
    return { change: c, target, action, current }
  }

  private createUndos(
    plans: { change: Change; target: ChangeTarget; action: ChangeAction; current: ChangeValue }[],
    ctx: CallContext,
    batchId: string,
  ): Change[] {
    const actor = actorOf(ctx.principal)
    const at = this.at()
    const ids: number[] = []
    this.d.repo.transaction(() => {
      for (const p of plans) {
        const n = this.d.repo.undoCount(p.change.id)
        const requested = p.change.platformBefore as ChangeValue
        const id = this.d.repo.insert({
          workspaceId: p.change.workspaceId,
          accountId: p.change.accountId,
          entityType: p.change.entityType,
          entityId: p.change.entityId,
          externalId: p.change.externalId,
          action: p.action,
          field: p.change.field,
          before: p.current,
          requested,
          state: 'approved',
          actor,
          reason: `Undo of change ${p.change.id}`,
          metrics: p.change.metrics,
          idempotencyKey: `undo:${p.change.id}:${n + 1}`,
          batchId,
          undoOf: p.change.id,
          decidedBy: actor.label,
          at,
        })
        if (!this.d.repo.patch(p.change.id, 'applied', { undoneBy: id }, at))
          throw new AppError('CONFLICT', `Change ${p.change.id} changed state meanwhile; reload it`)
        this.auditChange(id, p.target, null, 'approved', actor.label, {
          action: p.action,
          before: p.current,
          requested,
          undoOf: p.change.id,
          metrics: p.change.metrics,
        })
        ids.push(id)
      }
    })
    this.changed(new Set(plans.map((p) => p.change.workspaceId)))
    this.onApproved()
    return ids.map((id) => this.d.repo.get(id) as Change)
  }

  // --- waiting -------------------------------------------------------------------------------

  /**
   * The change once it settles (applied, failed, rejected, undone), or as it is after `timeoutMs`
   * (still applying: a retry is scheduled). Settling is signalled in-process by the worker; the
   * row is also re-read every 500 ms in case another process's worker applies it.
   */
  settled(id: number, timeoutMs = 30_000): Promise<Change> {
    const now = this.get(id)
    if (SETTLED_CHANGE_STATES.includes(now.state)) return Promise.resolve(now)
    return new Promise((resolve) => {
      let done = false
      const finish = (c: Change): void => {
        if (done) return
        done = true
        clearTimeout(timer)
        clearInterval(poll)
        const list = this.waiters.get(id)?.filter((f) => f !== finish) ?? []
        if (list.length) this.waiters.set(id, list)
        else this.waiters.delete(id)
        resolve(c)
      }
      const timer = setTimeout(() => finish(this.get(id)), timeoutMs)
      const poll = setInterval(() => {
        const c = this.d.repo.get(id)
        if (c && SETTLED_CHANGE_STATES.includes(c.state)) finish(c)
      }, 500)
      this.waiters.set(id, [...(this.waiters.get(id) ?? []), finish])
    })
  }

  /** Wake the waiters of a change that settled (the worker calls this). */
  notify(c: Change): void {
    if (!SETTLED_CHANGE_STATES.includes(c.state)) return
    for (const f of this.waiters.get(c.id) ?? []) f(c)
  }

  // --- shared with the worker ----------------------------------------------------------------

  /** One audit row per transition: who asked, from → to, and the caller's metric values. */
  auditChange(
    changeId: number,
    target: ChangeTarget | null,
    from: ChangeState | null,
    to: ChangeState,
    actorLabel: string,
    detail: Record<string, unknown>,
  ): void {
    this.d.audit.record({
      at: this.at(),
      actor: actorLabel,
      action: `change.${to}`,
      entityType: target?.level ?? null,
      entityId: target?.id ?? null,
      accountId: target?.accountId ?? null,
      detail: { changeId, from, to, ...detail },
    })
  }

  /** `data:changed` for the outbox (and the entity tables when values moved). */
  changed(workspaces: Set<number>, entityTables: DataTable[] = []): void {
    for (const workspaceId of workspaces)
      this.d.events.emit('data:changed', { tables: ['changes', 'audit_log', ...entityTables], workspaceId })
  }

  tableOf(level: Change['entityType']): DataTable {
    return TABLE_OF[level]
  }
}

function requireRole(ctx: CallContext, role: Role, what: string): void {
  if (!roleAllows(ctx.principal.role, role))
    throw new AppError('FORBIDDEN', `Only an ${role} or above may ${what} (caller is ${ctx.principal.role})`)
}

function countStates(cs: Change[]): string {
  const m = new Map<string, number>()
  for (const c of cs) m.set(c.state, (m.get(c.state) ?? 0) + 1)
  return [...m].map(([s, n]) => `${n} ${s}`).join(', ')
}
