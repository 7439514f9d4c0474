import { randomUUID } from 'node:crypto'
import { inScope, principalLabel, roleAllows, type CallContext } from '../../../shared/domain/caller'
import type { Change, ChangeProposal } from '../../../shared/domain/changes'
import {
  isCompactOutcome,
  RUN_HISTORY_DAYS,
  RUN_HISTORY_KEEP,
  RuleInputSchema,
  type Rule,
  type RuleDecision,
  type RuleDefinition,
  type RuleExplanation,
  type RuleRun,
  type RuleRunPage,
  type RuleRunResult,
  type RunPageRequest,
  type RunTrigger,
} from '../../../shared/domain/rules'
import type { EntityLevel } from '../../../shared/domain/entities'
import type { DataTable } from '../../../shared/domain/tables'
import { AppError } from '../../../shared/ipc/result'
import type { AlertService } from '../alerts/alert-service'
import type { AnalyticsService } from '../analytics/analytics-service'
import type { AnomalyService } from '../analytics/anomaly-service'
import type { ChangeService } from '../changes/change-service'
import type { CoreServices } from '../core-services'
import type { CompactDecisionSet, RuleRow, RulesRepo, RunInputs } from '../store/repos/rules-repo'
import { EvalData, type EvalShared, type ForecastReader } from './data'
import { BREAKDOWN_TABLES } from '../analytics/analytics-service'
import {
  compactDecisionOf,
  entityIdOf,
  evaluateRule,
  evaluateRuleSliced,
  outcomeOf,
  reasonOf,
  summaryOf,
  type EntityOutcome,
} from './evaluate'
import { cronProblem, nextRunAt } from './schedule'
import { runSteps, runStepsSliced, SLICE_MS, sliceBudget, type Steps } from '../scheduler/slices'

export const PAUSED_KEY = 'automation.paused'
export { RUN_HISTORY_DAYS, RUN_HISTORY_KEEP }
const RULE_TABLES: DataTable[] = ['automation_rules', 'rule_versions']
/** What previews keep between them reads: the entities, their labels, the metrics and rates. */
const PREVIEW_READ_TABLES: readonly DataTable[] = [...BREAKDOWN_TABLES, 'entity_labels']
const PREVIEW_KEPT_TOTALS = 16
const RUN_TABLES: DataTable[] = ['rule_runs', 'rule_decisions', 'rule_decision_sets', 'automation_rules']

export interface RulesServiceDeps {
  core: CoreServices
  repo: RulesRepo
  analytics: AnalyticsService
  /** The anomaly detector behind anomaly conditions. */
  anomalies?: AnomalyService
  changes: ChangeService
  alerts: AlertService
  /** The ML forecasts behind forecast conditions. */
  forecasts?: ForecastReader
}

/** Parse a rule as written; a VALIDATION error names the first offending field. */
export function parseRule(input: unknown): RuleDefinition {
  const p = RuleInputSchema.safeParse(input)
  if (!p.success) {
    const issues = p.error.issues.slice(0, 5)
    const msg = issues.map((i) => `${i.path.length ? i.path.join('.') : '(rule)'}: ${i.message}`).join('; ')
    throw new AppError('VALIDATION', `Invalid rule: ${msg}`, {
      issues: issues.map((i) => ({ path: i.path.map(String), message: i.message })),
    })
  }
  const def = p.data
  if (def.schedule.kind === 'cron') {
    const problem = cronProblem(def.schedule.cron as string)
    if (problem) throw new AppError('VALIDATION', `Invalid rule: schedule.cron: ${problem}`)
  }
  return def
}

/** A rule's own context: the app acting for rule N at version V, an editor in its workspace. */
export function ruleContext(ruleId: number, version: number, workspaceId: number): CallContext {
  return { principal: { kind: 'rule', ruleId, version, role: 'editor' }, workspaces: [workspaceId] }
}

function requireEditor(ctx: CallContext, what: string): void {
  if (!roleAllows(ctx.principal.role, 'editor'))
    throw new AppError('FORBIDDEN', `Only an editor or above may ${what} (caller is ${ctx.principal.role})`)
}

/**
 * Automation rules: store (every edit a new version), evaluate (preview, run, cycles of several
 * rules with conflict detection), act through the change pipeline as the rule's principal, and
 * undo a run. Local writes go through the mutation wrapper (audited, `data:changed`).
 */
export class RulesService {
  /**
   * Longest stretch (ms) a cycle's evaluation holds the event loop before it gives it back (it
   * pauses between steps of 256 entities or one account's reads). Tests set 0: a pause at every step.
   */
  sliceMs = SLICE_MS

  /**
   * Entity lists and totals the editor's previews share, per workspace, until a data:changed names
   * a table they read (or this service adds a label); at most PREVIEW_KEPT_TOTALS totals (about
   * 1 MB each at 10,000 entities) before they start over.
   */
  private readonly previewReads = new Map<number, EvalShared>()

  constructor(private readonly d: RulesServiceDeps) {
    d.core.events.on('data:changed', ({ tables, workspaceId }) => {
      if (!tables.some((t) => PREVIEW_READ_TABLES.includes(t))) return
      if (workspaceId === undefined) this.previewReads.clear()
      else this.previewReads.delete(workspaceId)
    })
  }

  private sharedReads(workspaceId: number): EvalShared {
    let r = this.previewReads.get(workspaceId)
    if (!r || r.totals.size > PREVIEW_KEPT_TOTALS) {
      r = { entities: new Map(), totals: new Map() }
      this.previewReads.set(workspaceId, r)
    }
    return r
  }

  private now(): Date {
    return this.d.core.platform.clock.now()
  }

  // --- reading -------------------------------------------------------------------------------

  get(id: number, ctx?: CallContext): RuleRow {
    const r = this.d.repo.get(id)
    if (!r || r.deletedAt !== null || (ctx && !inScope(ctx, r.workspaceId)))
      throw new AppError('NOT_FOUND', `No rule ${id}`)
    return r
  }

  toRule(r: RuleRow): Rule {
    const last = this.d.repo.runs(r.id, 1)[0]
    return {
      id: r.id,
      version: r.version,
      definition: r.definition,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      deletedAt: r.deletedAt,
      lastRunAt: r.lastRunAt,
      nextRunAt: r.nextRunAt,
      lastRun: last ? { id: last.id, matched: last.matched, actions: last.actions, status: last.status } : null,
    }
  }

  list(workspaceId: number): RuleRow[] {
    this.d.core.workspaces.get(workspaceId)
    return this.d.repo.list(workspaceId)
  }

  versions(id: number): ReturnType<RulesRepo['versions']> {
    return this.d.repo.versions(id)
  }

  runs(id: number, limit = 20): RuleRun[] {
    return this.d.repo.runs(id, limit)
  }

  getRun(runId: number, ctx?: CallContext): RuleRunResult {
    const run = this.d.repo.run(runId)
    if (!run || (ctx && !inScope(ctx, run.workspaceId))) throw new AppError('NOT_FOUND', `No rule run ${runId}`)
    const { workspaceId, inputs: _inputs, ...rest } = run
    void _inputs
    return {
      run: rest,
      currency: this.d.core.workspaces.get(workspaceId).reportingCurrency,
      decisions: this.d.repo.decisions(runId),
    }
  }

  /** A stored run with one page of its decisions (see RulesRepo.decisionPage). */
  getRunPage(runId: number, req: RunPageRequest, ctx?: CallContext): RuleRunPage {
    const run = this.d.repo.run(runId)
    if (!run || (ctx && !inScope(ctx, run.workspaceId))) throw new AppError('NOT_FOUND', `No rule run ${runId}`)
    const { workspaceId, inputs: _inputs, ...rest } = run
    void _inputs
    const p = this.d.repo.decisionPage(runId, req.outcome, req.offset, req.limit)
    return {
      run: rest,
      currency: this.d.core.workspaces.get(workspaceId).reportingCurrency,
      decisions: p.decisions,
      page: { offset: req.offset, total: p.total, counts: p.counts },
    }
  }

  /**
   * Why a stored run did or did not touch an entity. A decision stored in full comes back as
   * stored. One recorded compactly (not matched, or skipped before its conditions held) is
   * recomputed: the rule version the run used, evaluated at the run's time over the entity alone,
   * with its account's days (first, last, last settled) as the run saw them and this rule's
   * changes made before the run. The metric rows are read as they are now.
   */
  explain(runId: number, level: EntityLevel, entityId: number, ctx?: CallContext): RuleExplanation {
    const run = this.d.repo.run(runId)
    if (!run || (ctx && !inScope(ctx, run.workspaceId))) throw new AppError('NOT_FOUND', `No rule run ${runId}`)
    const stored = this.d.repo.decisionOf(runId, level, entityId)
    if (stored)
      return {
        decision: stored,
        recomputed: false,
        recorded: { outcome: stored.outcome, reason: stored.reason },
        sameAsRecorded: true,
        note: null,
      }
    const what = `${level === 'ad_set' ? 'ad set' : level} ${entityId}`
    const recorded = this.d.repo.compactOf(runId, level, entityId)
    if (!recorded) throw new AppError('NOT_FOUND', `Run ${runId} did not consider ${what}`)
    const def = this.d.repo.versionDefinition(run.ruleId, run.version)
    if (!def) throw new AppError('NOT_FOUND', `Rule ${run.ruleId} has no version ${run.version}`)
    const at = new Date(run.startedAt)
    const entity = this.d.repo.entityNames(level, [entityId]).get(entityId)
    const note =
      `Recomputed now: rule version ${run.version} evaluated as of the run (${run.startedAt}), with the account's ` +
      `days as the run saw them. The numbers come from the data stored now: days restated or conversions ` +
      `reported late since the run can make them differ from what the run saw.`
    let decision: RuleDecision | undefined
    if (!entity)
      decision = {
        entityType: level,
        entityId,
        entityName: `#${entityId}`,
        accountId: null,
        outcome: 'skipped',
        reason: 'deleted',
        detail: `the ${level === 'ad_set' ? 'ad set' : level} no longer exists`,
        conditions: [],
        actions: [],
      }
    else {
      const data = new EvalData(
        run.workspaceId,
        at,
        this.d.repo,
        this.d.analytics,
        this.d.anomalies,
        this.d.forecasts,
        {
          accountIds: [entity.accountId],
          accounts: run.inputs?.accounts ?? this.d.repo.accounts(run.workspaceId),
        },
      )
      // The run considered the entity, so its filters held then: judge it alone, whatever its
      // name, labels or status are now (a deleted one is still skipped as deleted).
      const { nameContains: _n, nameMatches: _m, objectives: _o, labels: _l, ...scope } = def.scope
      void [_n, _m, _o, _l]
      const alone: RuleDefinition = {
        ...def,
        scope: { ...scope, entityIds: [entityId], includeNew: false, statuses: ['active', 'paused'] },
      }
      data.prefetch([alone])
      const hours = Math.max(24, def.guardrails.cooldownHours)
      const history = {
        recent: this.d.repo.ruleChanges(
          run.ruleId,
          new Date(at.getTime() - hours * 3_600_000).toISOString(),
          run.startedAt,
        ),
        lastChange: this.d.repo.lastRuleChange(run.ruleId, level, run.startedAt),
        othersOpen: [],
      }
      const o = evaluateRule(alone, data, history).find((x) => summaryOf(x).entityId === entityId)
      decision = o?.decision
    }
    if (!decision)
      throw new AppError('NOT_FOUND', `${what} can no longer be recomputed (its account is not in the workspace now)`)
    if (recorded.reason === 'action_limit' && decision.outcome === 'matched') {
      // Alone it matches; in the run, the limits cut it (matches act in order of spend).
      const g = def.guardrails
      decision = {
        ...decision,
        outcome: 'skipped',
        reason: 'action_limit',
        detail: `its conditions held, but the run had reached its action limits (at most ${g.maxActionsPerRun} actions per run, ${g.maxActionsPerDayPerAccount} per account per day; the matches with the most spend act first)`,
        actions: [],
      }
    }
    const same = decision.outcome === recorded.outcome && decision.reason === recorded.reason
    return {
      decision,
      recomputed: true,
      recorded,
      sameAsRecorded: same,
      note: same
        ? note
        : `${note} Here they do: the run recorded ${recorded.outcome.replace('_', ' ')}${recorded.reason ? ` (${recorded.reason})` : ''}.`,
    }
  }

  actionsPerDay(id: number, days: number): { day: string; actions: number }[] {
    const since = new Date(this.now().getTime() - days * 86_400_000).toISOString().slice(0, 10)
    return this.d.repo.actionsPerDay(id, since)
  }

  isPaused(): boolean {
    return this.d.core.kv.get<boolean>(PAUSED_KEY, false) === true
  }

  // --- writing -------------------------------------------------------------------------------

  private checkScope(def: RuleDefinition, ctx: CallContext): void {
    if (!inScope(ctx, def.workspaceId))
      throw new AppError('FORBIDDEN', `workspace ${def.workspaceId} is outside the caller's scope`)
    this.d.core.workspaces.get(def.workspaceId)
    if (def.scope.accountIds) {
      const mine = new Set(this.d.repo.accounts(def.workspaceId).map((a) => a.id))
      const stray = def.scope.accountIds.filter((a) => !mine.has(a))
      if (stray.length)
        throw new AppError(
          'VALIDATION',
          `Invalid rule: scope.accountIds: accounts ${stray.join(', ')} are not in workspace ${def.workspaceId}`,
        )
    }
  }

  async create(input: unknown, ctx: CallContext): Promise<RuleRow> {
    requireEditor(ctx, 'create rules')
    const def = parseRule(input)
    this.checkScope(def, ctx)
    return this.d.core.mutations.run(
      {
        action: 'rules.create',
        ctx,
        tables: RULE_TABLES,
        workspaceId: def.workspaceId,
        detail: (r) => ({ ruleId: r.id, version: 1 }),
      },
      () => {
        const id = this.d.repo.insert(def, principalLabel(ctx.principal), this.now().toISOString())
        this.reschedule(id)
        return this.get(id)
      },
    )
  }

  async update(id: number, input: unknown, ctx: CallContext): Promise<RuleRow> {
    requireEditor(ctx, 'edit rules')
    const cur = this.get(id, ctx)
    const def = parseRule(input)
    if (def.workspaceId !== cur.workspaceId)
      throw new AppError('VALIDATION', 'Invalid rule: workspaceId: a rule stays in its workspace')
    this.checkScope(def, ctx)
    return this.d.core.mutations.run(
      {
        action: 'rules.update',
        ctx,
        tables: RULE_TABLES,
        workspaceId: def.workspaceId,
        detail: (r) => ({ ruleId: id, version: r.version }),
      },
      () => {
        this.d.repo.update(id, def, principalLabel(ctx.principal), this.now().toISOString())
        this.reschedule(id)
        return this.get(id)
      },
    )
  }

  async remove(id: number, ctx: CallContext): Promise<{ deleted: true }> {
    requireEditor(ctx, 'delete rules')
    const cur = this.get(id, ctx)
    return this.d.core.mutations.run(
      {
        action: 'rules.delete',
        ctx,
        tables: RULE_TABLES,
        workspaceId: cur.workspaceId,
        detail: () => ({ ruleId: id }),
      },
      () => {
        this.d.repo.softDelete(id, this.now().toISOString())
        return { deleted: true as const }
      },
    )
  }

  /** Pause or resume every rule (the tray's "Pause all automation"). */
  async setPaused(paused: boolean, ctx: CallContext): Promise<{ paused: boolean }> {
    requireEditor(ctx, 'pause automation')
    return this.d.core.mutations.run(
      { action: paused ? 'automation.pause' : 'automation.resume', ctx, tables: ['settings', 'automation_rules'] },
      () => {
        this.d.core.kv.set(PAUSED_KEY, paused)
        return { paused }
      },
    )
  }

  /** Store the next scheduled run of a rule (null: after syncs, manual, paused or deleted). */
  reschedule(id: number, lastRun: Date | null = null): void {
    const r = this.d.repo.get(id)
    if (!r) return
    const def = r.definition
    let next: Date | null = null
    if (r.deletedAt === null && def.enabled && def.mode !== 'preview') {
      next = nextRunAt(def.schedule, this.timeZoneOf(def), this.now(), lastRun)
    }
    this.d.repo.setTimes(id, { nextRunAt: next ? next.toISOString() : null })
  }

  /** The schedule's time zone: its own, else the first account in scope's, else UTC. */
  timeZoneOf(def: RuleDefinition): string {
    if (def.schedule.timeZone) return def.schedule.timeZone
    const accounts = this.d.repo
      .accounts(def.workspaceId)
      .filter(
        (a) =>
          (!def.scope.platforms || def.scope.platforms.includes(a.platform)) &&
          (!def.scope.accountIds || def.scope.accountIds.includes(a.id)),
      )
    return accounts[0]?.timeZone ?? 'UTC'
  }

  // --- evaluating ----------------------------------------------------------------------------

  /**
   * What a rule would do right now; changes and stores nothing. `{ id }`: the stored rule; `{ rule }`:
   * a new draft; `{ id, rule }`: an edited draft of a stored rule, judged with that rule's own history
   * (its cooldowns and last changes), as its next run would be.
   */
  preview(target: { id: number } | { rule: unknown } | { id: number; rule: unknown }, ctx: CallContext): RuleRunResult {
    const stored = 'id' in target ? this.get(target.id, ctx) : null
    const def = 'rule' in target ? parseRule(target.rule) : (stored as RuleRow).definition
    if ('rule' in target) {
      this.checkScope(def, ctx)
      if (stored && def.workspaceId !== stored.workspaceId)
        throw new AppError('VALIDATION', 'Invalid rule: workspaceId: a rule stays in its workspace')
    }
    const ruleId = stored?.id ?? 0
    const version = stored?.version ?? 0
    const started = this.now()
    const data = new EvalData(
      def.workspaceId,
      started,
      this.d.repo,
      this.d.analytics,
      this.d.anomalies,
      this.d.forecasts,
      undefined,
      this.sharedReads(def.workspaceId),
    )
    data.prefetch([def])
    const outcomes = evaluateRule(def, data, this.history(ruleId, def, started))
    const decisions = outcomes.map((o) => markActions(o, 'would'))
    return {
      run: {
        id: 0,
        ruleId,
        version,
        trigger: 'preview',
        mode: def.mode,
        dryRun: true,
        status: 'succeeded',
        startedAt: started.toISOString(),
        finishedAt: this.now().toISOString(),
        ...counts(decisions),
        actions: outcomes.reduce((n, o) => n + o.changes.length + o.labels.length, 0),
        batchId: null,
        message: null,
      },
      currency: data.currency,
      decisions,
    }
  }

  private history(ruleId: number, def: RuleDefinition, now: Date): Parameters<typeof evaluateRule>[2] {
    if (ruleId === 0)
      return {
        recent: [],
        lastChange: new Map(),
        othersOpen: this.d.repo.openChangesByOtherRules(0, def.scope.level, def.workspaceId),
      }
    const hours = Math.max(24, def.guardrails.cooldownHours)
    return {
      recent: this.d.repo.ruleChanges(ruleId, new Date(now.getTime() - hours * 3_600_000).toISOString()),
      lastChange: this.d.repo.lastRuleChange(ruleId, def.scope.level),
      othersOpen: this.d.repo.openChangesByOtherRules(ruleId, def.scope.level, def.workspaceId),
    }
  }

  /** Run one rule now (CLI `rules run`, the page's Run button); `dryRun` stores the run but acts on nothing. */
  async run(id: number, opts: { dryRun?: boolean; trigger?: RunTrigger }, ctx: CallContext): Promise<RuleRunResult> {
    requireEditor(ctx, 'run rules')
    const r = this.get(id, ctx)
    const dryRun = opts.dryRun ?? false
    if (!dryRun && this.isPaused())
      throw new AppError('CONFLICT', 'Automation is paused: resume it to run rules (or run with --dry-run)')
    const [result] = await this.cycle([r], opts.trigger ?? 'manual', dryRun)
    return result as RuleRunResult
  }

  /**
   * Evaluate rules together (one scheduler tick or one sync): an entity matched by two rules with
   * opposite actions is skipped by both ('conflict'). Then each rule acts by its mode and its run
   * is stored with every decision.
   */
  async cycle(rules: RuleRow[], trigger: RunTrigger, dryRun = false): Promise<RuleRunResult[]> {
    const t0 = performance.now()
    const started = this.now()
    const data = new Map<number, EvalData>()
    // The evaluation gives the event loop back every SLICE_MS (IPC and timers keep answering while
    // a cycle over a large store runs).
    const budget = sliceBudget(this.sliceMs)
    for (const r of rules)
      if (!data.has(r.workspaceId)) {
        const d = new EvalData(
          r.workspaceId,
          started,
          this.d.repo,
          this.d.analytics,
          this.d.anomalies,
          this.d.forecasts,
        )
        // The ad and ad-set windows of every rule of the workspace in one read (on failure each rule
        // reads its own windows and reports its own error).
        try {
          await d.prefetchSliced(
            rules.filter((x) => x.workspaceId === r.workspaceId).map((x) => x.definition),
            budget,
          )
        } catch {
          /* read per window below */
        }
        data.set(r.workspaceId, d)
      }
    const evaluated: { rule: RuleRow; outcomes: EntityOutcome[]; error: string | null }[] = []
    for (const r of rules) {
      const d = data.get(r.workspaceId) as EvalData
      try {
        const history = this.history(r.id, r.definition, started)
        evaluated.push({ rule: r, outcomes: await evaluateRuleSliced(r.definition, d, history, budget), error: null })
      } catch (e) {
        evaluated.push({ rule: r, outcomes: [] as EntityOutcome[], error: (e as Error).message })
      }
    }
    const conflicts = await runStepsSliced(
      conflictSteps(evaluated.map((e) => ({ ruleId: e.rule.id, outcomes: e.outcomes }))),
      budget,
    )
    const evaluatedAt = performance.now()
    const results: RuleRunResult[] = []
    try {
      for (const e of evaluated) {
        // Each run is recorded in its own transaction, with a turn of the event loop between runs.
        await budget.maybeYield()
        results.push(
          await this.act(
            e.rule,
            e.outcomes,
            e.error,
            trigger,
            dryRun,
            started,
            conflicts,
            data.get(e.rule.workspaceId),
          ),
        )
      }
      // Bounded history: each rule's runs beyond what is kept (see RUN_HISTORY_KEEP).
      const olderThan = new Date(started.getTime() - RUN_HISTORY_DAYS * 86_400_000).toISOString()
      for (const e of evaluated) {
        await budget.maybeYield()
        this.d.repo.pruneRuns(e.rule.id, olderThan, RUN_HISTORY_KEEP)
      }
    } finally {
      // One notice per workspace for the whole cycle (a page refreshes once, not once per rule).
      for (const workspaceId of new Set(evaluated.map((e) => e.rule.workspaceId)))
        this.d.core.events.emit('data:changed', { tables: RUN_TABLES, workspaceId })
    }
    this.lastCycle = { evaluateMs: evaluatedAt - t0, recordMs: performance.now() - evaluatedAt }
    return results
  }

  /** How long the last cycle took to evaluate and to act and record (the bench reads it). */
  lastCycle: { evaluateMs: number; recordMs: number } | null = null

  private async act(
    r: RuleRow,
    outcomes: EntityOutcome[],
    error: string | null,
    trigger: RunTrigger,
    dryRun: boolean,
    started: Date,
    conflicts: Map<string, number[]>,
    data: EvalData | undefined,
  ): Promise<RuleRunResult> {
    const def = r.definition
    const ctx = ruleContext(r.id, r.version, r.workspaceId)
    const clashes: { name: string; others: number[] }[] = []
    for (const o of outcomes) {
      // Only matched entities can clash (read without building every decision).
      if (!o.changes.length) continue
      const s = summaryOf(o)
      const others = conflicts.get(`${s.entityType}:${s.entityId}`)?.filter((x) => x !== r.id)
      if (s.outcome === 'matched' && others?.length) {
        clashes.push({ name: o.decision.entityName, others })
        o.decision = {
          ...o.decision,
          outcome: 'skipped',
          reason: 'conflict',
          detail: `rule${others.length > 1 ? 's' : ''} ${others.join(', ')} matched it in the same cycle with the opposite action: neither acts`,
          actions: [],
        }
        o.changes = []
        o.labels = []
        delete o.notify
      }
    }
    const live = !dryRun && def.mode !== 'preview' && error === null
    const batchId = live ? `rule:${r.id}@${r.version}:${randomUUID().slice(0, 8)}` : null
    // The run's changes, alerts, labels and its record commit together: a crash never leaves
    // proposals without the run (and decisions) that explain them, nor a run whose changes are gone.
    const { runId, run, decisions, sets } = this.d.repo.transaction(() => {
      let message = error
      const made = new Map<string, Change>()
      if (live) {
        const proposals: ChangeProposal[] = outcomes.flatMap((o) =>
          o.changes.map((c) => ({
            entityType: c.entityType,
            entityId: c.entityId,
            action: c.action,
            reason: `Rule “${def.name}” (v${r.version}): ${o.decision.conditions
              .filter((x) => x.result)
              .map((x) => x.label)
              .join(' and ')}`.slice(0, 2000),
            metrics: metricsOf(o),
            idempotencyKey: `${batchId}:${c.entityType}:${c.entityId}:${c.action.kind}`,
            batchId: batchId as string,
            approval: def.mode === 'automatic' ? ('auto' as const) : ('required' as const),
          })),
        )
        if (proposals.length) {
          try {
            for (const c of this.d.changes.proposeBatch(proposals, ctx, { batchId: batchId as string }))
              made.set(`${c.entityType}:${c.entityId}:${c.action.kind}`, c)
          } catch (e) {
            message = `The changes were not proposed: ${(e as Error).message}`
          }
        }
        this.raiseAlerts(r, outcomes, clashes)
        const at = started.toISOString()
        const label = principalLabel(ctx.principal)
        for (const o of outcomes)
          for (const l of o.labels) {
            this.d.repo.addLabel(r.workspaceId, o.decision.entityType, o.decision.entityId, l, label, at)
            this.previewReads.delete(r.workspaceId)
          }
      }
      // Matched entities and the guardrail skips of matched ones are kept in full; the rest as
      // compact sets (ids per outcome and reason), without building their decisions.
      const full: EntityOutcome[] = []
      const groups = new Map<string, { set: CompactDecisionSet; members: EntityOutcome[] }>()
      let matched = 0
      let skipped = 0
      for (const o of outcomes) {
        const outcome = outcomeOf(o)
        const reason = reasonOf(o)
        if (outcome === 'matched') matched++
        else if (outcome === 'skipped') skipped++
        if (!isCompactOutcome(outcome, reason)) {
          full.push(o)
          continue
        }
        // One rule evaluates one level: outcome and reason name the set.
        const k = reason === null ? outcome : reason
        let g = groups.get(k)
        if (!g)
          groups.set(
            k,
            (g = {
              set: { entityType: def.scope.level, outcome: outcome as 'not_matched' | 'skipped', reason, ids: [] },
              members: [],
            }),
          )
        g.set.ids.push(entityIdOf(o))
        g.members.push(o)
      }
      const decisions = full.map((o) => {
        if (o.decision.outcome !== 'matched') return o.decision
        return {
          ...o.decision,
          actions: o.decision.actions.map((a) => {
            if (!live) return { ...a, outcome: 'would' }
            if (a.kind === 'add_label' || a.kind === 'notify') return { ...a, outcome: 'done' }
            const kind = a.kind === 'change_budget' ? 'set_budget' : a.kind
            const c = made.get(`${o.decision.entityType}:${o.decision.entityId}:${kind}`)
            return c
              ? { ...a, outcome: c.state, changeId: c.id }
              : { ...a, outcome: 'not_proposed', note: message ?? undefined }
          }),
        }
      })
      const finished = this.now()
      const c = { considered: outcomes.length, matched, skipped }
      const actions = live ? made.size + outcomes.reduce((n, o) => n + o.labels.length + (o.notify ? 1 : 0), 0) : 0
      const run = {
        ruleId: r.id,
        version: r.version,
        workspaceId: r.workspaceId,
        trigger,
        mode: def.mode,
        dryRun: !live,
        status: error ? ('failed' as const) : ('succeeded' as const),
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        ...c,
        actions,
        batchId: made.size ? batchId : null,
        message,
        inputs: data ? runInputs(data) : null,
      }
      const sets = [...groups.values()]
      const runId = this.d.repo.insertRun(
        run,
        decisions,
        sets.map((g) => g.set),
      )
      this.d.repo.setTimes(r.id, { lastRunAt: started.toISOString() })
      this.reschedule(r.id, started)
      return { runId, run, decisions, sets }
    })
    const { workspaceId: _ws, inputs: _in, ...stored } = run
    void _ws
    void _in
    // The run as stored: full decisions, then the compact ones (built when read).
    let all: RuleDecision[] | undefined
    return {
      run: { id: runId, ...stored },
      currency: data?.currency ?? 'USD',
      get decisions(): RuleDecision[] {
        all ??= [
          ...decisions,
          ...sets.flatMap((g) => g.members.sort((a, b) => entityIdOf(a) - entityIdOf(b)).map(compactDecisionOf)),
        ]
        return all
      },
    }
  }

  /** Rules whose scheduled time has come (enabled, acting, not deleted). */
  due(now: Date): RuleRow[] {
    const t = now.toISOString()
    return this.d.repo
      .list()
      .filter(
        (r) => r.definition.enabled && r.definition.mode !== 'preview' && r.nextRunAt !== null && r.nextRunAt <= t,
      )
  }

  /** One scheduler tick: run every due rule together (nothing while automation is paused). */
  async tick(): Promise<RuleRunResult[]> {
    if (this.isPaused()) return []
    const due = this.due(this.now())
    return due.length ? this.cycle(due, 'schedule') : []
  }

  /** After a sync (or the demo build): the rules scheduled "after each sync" of the workspace run together. */
  async afterSync(workspaceId?: number): Promise<RuleRunResult[]> {
    if (this.isPaused()) return []
    const rules = this.d.repo
      .list(workspaceId)
      .filter(
        (r) => r.definition.enabled && r.definition.mode !== 'preview' && r.definition.schedule.kind === 'after_sync',
      )
    return rules.length ? this.cycle(rules, 'after_sync') : []
  }

  /** Alerts of a live run: one per entity a notify action matched, one for conflicts with other rules. */
  private raiseAlerts(r: RuleRow, outcomes: EntityOutcome[], clashes: { name: string; others: number[] }[]): void {
    const def = r.definition
    const currency = this.d.core.workspaces.get(r.workspaceId).reportingCurrency
    for (const o of outcomes) {
      if (!o.notify || o.decision.outcome !== 'matched') continue
      const d = o.decision
      this.d.alerts.raise({
        source: 'automation',
        severity: o.notify,
        workspaceId: r.workspaceId,
        entity: {
          level: d.entityType,
          id: d.entityId,
          name: d.entityName.slice(0, 500),
          ...(d.accountId ? { accountId: d.accountId } : {}),
        },
        title: `${d.entityName}: ${def.name}`.slice(0, 200),
        body: `Rule “${def.name}” matched: ${d.conditions
          .filter((c) => c.result)
          .map((c) => `${c.label} (${fmt(c.value)}${c.against !== null ? ` against ${fmt(c.against)}` : ''})`)
          .join('; ')}.`.slice(0, 4000),
        numbers: d.conditions.slice(0, 12).flatMap((c) => alertNumber(c, currency)),
        dedupeKey: `rule:${r.id}:${d.entityType}:${d.entityId}`,
        link: `/automation?rule=${r.id}`,
      })
    }
    if (clashes.length) {
      const others = [...new Set(clashes.flatMap((c) => c.others))]
      this.d.alerts.raise({
        source: 'automation',
        severity: 'warning',
        workspaceId: r.workspaceId,
        entity: { level: 'rule', id: r.id, name: def.name.slice(0, 500) },
        title: `Rules in conflict: “${def.name}” and rule ${others.join(', ')}`.slice(0, 200),
        body:
          `${clashes.length} ${clashes.length === 1 ? 'entity was' : 'entities were'} matched in the same cycle by rules that move it ` +
          `in opposite directions (${clashes
            .slice(0, 5)
            .map((c) => c.name)
            .join(
              ', ',
            )}${clashes.length > 5 ? ', …' : ''}). Neither rule acted on them. Narrow one rule's scope or conditions.`,
        numbers: [{ label: 'Entities in conflict', value: clashes.length, unit: 'count' }],
        dedupeKey: `rules-conflict:${[r.id, ...others].sort((a, b) => a - b).join(',')}`,
        link: `/automation?rule=${r.id}`,
      })
    }
  }

  /** Undo a run: every applied change of its batch (all or nothing) and the labels it added. */
  async undoRun(
    runId: number,
    ctx: CallContext,
    opts: { force?: boolean } = {},
  ): Promise<{ changes: Change[]; labelsRemoved: number }> {
    requireEditor(ctx, 'undo rule runs')
    const res = this.getRun(runId, ctx)
    let changes: Change[] = []
    if (res.run.batchId) {
      const all = this.d.changes.list({ batchId: res.run.batchId, limit: 500 }).items
      const applied = all.filter((c) => c.state === 'applied' && c.writes > 0)
      if (applied.length) changes = await this.d.changes.undoBatch(res.run.batchId, ctx, opts)
      // Proposals nobody decided yet are withdrawn.
      for (const c of all.filter((x) => x.state === 'proposed'))
        changes.push(this.d.changes.reject(c.id, ctx, `Run ${runId} undone`))
    }
    let labelsRemoved = 0
    if (!res.run.dryRun)
      for (const d of res.decisions)
        for (const a of d.actions)
          if (a.kind === 'add_label' && a.outcome === 'done' && typeof a.after === 'string')
            if (this.d.repo.removeLabel(d.entityType, d.entityId, a.after)) {
              labelsRemoved++
              this.previewReads.clear()
            }
    if (!changes.length && !labelsRemoved)
      throw new AppError('CONFLICT', `Run ${runId} has nothing to undo (no applied change, open proposal or label)`)
    return { changes, labelsRemoved }
  }
}

function fmt(v: number | null): string {
  if (v === null) return 'none'
  return Math.abs(v) >= 100 ? v.toFixed(0) : String(Math.round(v * 1000) / 1000)
}

const MONEY_METRICS = new Set(['spend', 'revenue', 'cpa', 'cpc', 'cpm', 'budget'])

/** A condition's value as an alert number (money in micros of the reporting currency). */
function alertNumber(
  c: RuleDecision['conditions'][number],
  currency: string,
): {
  label: string
  value: number
  unit: 'money_micros' | 'count' | 'ratio' | 'days'
  currency?: string
  previous?: number
  previousLabel?: string
}[] {
  if (c.value === null || !c.metric) return []
  const money = MONEY_METRICS.has(c.metric)
  const unit = money
    ? 'money_micros'
    : c.metric === 'days_since_launch'
      ? 'days'
      : ['roas', 'ctr', 'budget_utilisation'].includes(c.metric)
        ? 'ratio'
        : 'count'
  const scale = (v: number): number => (money ? Math.round(v * 1e6) : v)
  return [
    {
      label: c.label.slice(0, 80),
      value: scale(c.value),
      unit,
      ...(money ? { currency } : {}),
      ...(c.against !== null ? { previous: scale(c.against), previousLabel: 'threshold' } : {}),
    },
  ]
}

/** Each account's days as the evaluation saw them (a compact decision is recomputed with these). */
function runInputs(data: EvalData): RunInputs {
  return {
    accounts: [...data.accounts.values()].map((a) => ({
      id: a.id,
      firstDate: a.firstDate,
      lastDate: a.lastDate,
      lastSettledDate: a.lastSettledDate,
    })),
  }
}

function markActions(o: EntityOutcome, outcome: string): RuleDecision {
  return { ...o.decision, actions: o.decision.actions.map((a) => ({ ...a, outcome })) }
}

function counts(ds: RuleDecision[]): { considered: number; matched: number; skipped: number } {
  return {
    considered: ds.length,
    matched: ds.filter((d) => d.outcome === 'matched').length,
    skipped: ds.filter((d) => d.outcome === 'skipped').length,
  }
}

/** The condition values behind a decision, attached to its change. */
function metricsOf(o: EntityOutcome): Record<string, number | string | boolean | null> {
  const out: Record<string, number | string | boolean | null> = {}
  for (const c of o.decision.conditions.slice(0, 20)) {
    out[c.label] = c.value
    if (c.against !== null) out[`${c.label} (against)`] = c.against
  }
  return out
}

/**
 * Entities that two rules of one cycle want to move in opposite directions (more delivery or
 * budget against less): key `level:id` → the rules involved.
 */
export function findConflicts(runs: { ruleId: number; outcomes: EntityOutcome[] }[]): Map<string, number[]> {
  return runSteps(conflictSteps(runs))
}

/**
 * `findConflicts` as steps, one rule's outcomes each (a cycle over a large store holds a million
 * outcomes: one pass over them all held the event loop 56 ms at 10,000 campaigns under load).
 */
export function* conflictSteps(runs: { ruleId: number; outcomes: EntityOutcome[] }[]): Steps<Map<string, number[]>> {
  const dirs = new Map<string, Map<number, Set<number>>>()
  for (const r of runs) {
    yield
    for (const o of r.outcomes) {
      const changes = o.changes
      if (changes.length === 0) continue
      for (const c of changes) {
        const k = `${c.entityType}:${c.entityId}`
        let m = dirs.get(k)
        if (!m) dirs.set(k, (m = new Map()))
        let s = m.get(c.direction)
        if (!s) m.set(c.direction, (s = new Set()))
        s.add(r.ruleId)
      }
    }
  }
  const out = new Map<string, number[]>()
  for (const [k, m] of dirs) {
    const up = m.get(1)
    const down = m.get(-1)
    if (up && down)
      out.set(
        k,
        [...new Set([...up, ...down])].sort((a, b) => a - b),
      )
  }
  return out
}
