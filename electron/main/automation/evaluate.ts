import { roundBudgetMicros } from '../../../shared/domain/changes'
import { localDateIn } from '../../../shared/domain/dates'
import type { EntityLevel } from '../../../shared/domain/entities'
import { deriveKpis, EMPTY_TOTALS, type Totals } from '../../../shared/domain/metrics'
import {
  dataMinimumOf,
  DEFAULT_RULE_FORECAST,
  FORECAST_METRICS,
  OPERATOR_SYMBOLS,
  RULE_METRIC_LABELS,
  WINDOWLESS_METRICS,
  type ConditionResult,
  type DecisionAction,
  type RuleAction,
  type RuleCondition,
  type RuleDecision,
  type RuleDefinition,
  type RuleForecast,
  type RuleGroup,
  type RuleMetric,
  type RuleWindow,
  type SkipReason,
} from '../../../shared/domain/rules'
import { runSteps, runStepsSliced, type SliceBudget } from '../scheduler/slices'
import type { RuleChangeRow, RuleEntity } from '../store/repos/rules-repo'
import type { EvalAccount, EvalData, ResolvedRange } from './data'

/** What the evaluator knows about the rule's own past changes and other rules' open ones. */
export interface EvalHistory {
  /** This rule's changes of the last 24 hours (which holds every account's local today) and since the cooldown start, newest first. */
  recent: RuleChangeRow[]
  /** When this rule last changed each entity (for "since the last change"). */
  lastChange: Map<number, string>
  /** Open changes of other rules on entities of the rule's level. */
  othersOpen: RuleChangeRow[]
}

/** A platform change the rule wants, before the pipeline sees it. */
export interface PlannedChange {
  entityType: EntityLevel
  entityId: number
  accountId: number
  action: { kind: 'pause' } | { kind: 'enable' } | { kind: 'set_budget'; dailyBudgetMicros: number }
  /** +1 more delivery or budget, -1 less. */
  direction: 1 | -1
  before: number | string | null
  after: number | string | null
}

/** One entity's decision plus the changes, labels and alerts it leads to. */
export interface EntityOutcome {
  decision: RuleDecision
  changes: PlannedChange[]
  labels: string[]
  /** Severity of the alert a notify action raises. */
  notify?: 'info' | 'warning' | 'error' | 'critical'
  /** Spend in the first condition's window (orders matched entities when a limit cuts). */
  weight: number
}

/** Who an outcome is about and what it is, read without building its decision. */
export interface OutcomeSummary {
  entityType: EntityLevel
  entityId: number
  outcome: RuleDecision['outcome']
  reason: SkipReason | null
}

/**
 * What a stored run keeps of a compactly recorded outcome: who, the outcome and the reason, no
 * numbers (`compact: true`).
 */
export function compactDecisionOf(o: EntityOutcome): RuleDecision {
  const s = summaryOf(o)
  const e = o instanceof Outcome ? o.entity : null
  const d = e ? null : o.decision
  return {
    entityType: s.entityType,
    entityId: s.entityId,
    entityName: e ? e.name : (d as RuleDecision).entityName,
    accountId: e ? e.accountId : (d as RuleDecision).accountId,
    outcome: s.outcome,
    reason: s.reason,
    detail: null,
    conditions: [],
    actions: [],
    compact: true,
  }
}

/** An outcome's outcome (builds no decision, allocates nothing). */
export function outcomeOf(o: EntityOutcome): RuleDecision['outcome'] {
  return o instanceof Outcome ? o.kind : o.decision.outcome
}

/** An outcome's skip reason (builds no decision, allocates nothing). */
export function reasonOf(o: EntityOutcome): SkipReason | null {
  return o instanceof Outcome ? o.why : o.decision.reason
}

/** An outcome's entity id (builds no decision, allocates nothing). */
export function entityIdOf(o: EntityOutcome): number {
  return o instanceof Outcome ? o.entity.id : o.decision.entityId
}

/** An outcome's entity, outcome and reason (cheap: builds no decision). */
export function summaryOf(o: EntityOutcome): OutcomeSummary {
  if (o instanceof Outcome) return o.summary
  const d = o.decision
  return { entityType: d.entityType, entityId: d.entityId, outcome: d.outcome, reason: d.reason }
}

const NO_CHANGES: PlannedChange[] = []
const NO_LABELS: string[] = []
const NO_ACTIONS: DecisionAction[] = []

/**
 * An outcome whose decision (with a result object per condition) is built when first read: a
 * cycle evaluates every entity for every rule (a million decisions on a large store), and only
 * the ones a run records or a preview shows are ever read. Holds the condition values meanwhile.
 */
class Outcome implements EntityOutcome {
  private built: RuleDecision | undefined
  // Shared empty lists until the evaluation sets the entity's own (nothing adds to these in place).
  changes: PlannedChange[] = NO_CHANGES
  labels: string[] = NO_LABELS
  // Declared only: an own `notify` property exists only when set (as on plain outcomes).
  declare notify?: 'info' | 'warning' | 'error' | 'critical'
  weight = 0
  /** A match's planned actions before they are built (PLAN_* bits). */
  planned = 0

  constructor(
    readonly entity: RuleEntity,
    private outcome: RuleDecision['outcome'],
    private reason: SkipReason | null,
    private detail: string | null | Unknown,
    /** The rule's conditions and their values for this entity (null: none evaluated). */
    private readonly program: Program | null,
    private readonly block: ValueBlock | null,
    /** Where this entity's conditions start in `block`. */
    private readonly base: number,
    /** The planned actions of a match (null: none). */
    private actions: DecisionAction[] | null,
  ) {}

  /** A match that acts: its planned actions, changes, labels and alert. */
  act(p: Plan): void {
    this.actions = p.actions
    this.changes = p.changes
    this.labels = p.labels
    if (p.notify) this.notify = p.notify
  }

  /** Skipped by an action limit: no changes, labels or alert. */
  limit(note: string): void {
    if (this.built)
      this.built = { ...this.built, outcome: 'skipped', reason: 'action_limit', detail: note, actions: [] }
    else {
      this.outcome = 'skipped'
      this.reason = 'action_limit'
      this.detail = note
      this.actions = null
    }
    this.changes = []
    this.labels = []
    delete this.notify
  }

  get kind(): RuleDecision['outcome'] {
    return this.built ? this.built.outcome : this.outcome
  }

  get why(): SkipReason | null {
    return this.built ? this.built.reason : this.reason
  }

  /** The outcome and reason without building the decision. */
  get summary(): OutcomeSummary {
    const b = this.built
    if (b) return { entityType: b.entityType, entityId: b.entityId, outcome: b.outcome, reason: b.reason }
    return { entityType: this.entity.level, entityId: this.entity.id, outcome: this.outcome, reason: this.reason }
  }

  get decision(): RuleDecision {
    if (this.built === undefined) {
      const detail = this.detail
      this.built = decisionOf(
        this.entity,
        this.outcome,
        this.reason,
        detail === null || typeof detail === 'string' ? detail : detail.note,
        this.program && this.block ? this.program.results(this.block, this.base) : [],
        this.actions ?? [],
      )
    }
    return this.built
  }

  set decision(d: RuleDecision) {
    this.built = d
  }
}

type Tri = boolean | null

/** Why a side's value cannot be used (the condition is unknown); the note is written when read. */
class Unknown {
  private text: string | undefined
  constructor(
    readonly reason: SkipReason,
    private readonly make: string | (() => string),
  ) {}

  get note(): string {
    if (this.text === undefined) this.text = typeof this.make === 'string' ? this.make : this.make()
    return this.text
  }
}

/**
 * The condition values of a rule's candidates: per entity and condition (in the rule's order) the
 * left and right values (NaN for none: every real value is finite) and why it is unknown, if so.
 * One block per rule evaluation instead of arrays per entity.
 */
class ValueBlock {
  readonly nums: Float64Array
  readonly unknowns: (Unknown | undefined)[] = []
  constructor(slots: number) {
    this.nums = new Float64Array(slots * 2)
  }
}

const NO_VALUE_NOTE = 'no value (nothing to divide by, or no budget)'

const MICRO = 1e6

/** Fatigue states as condition values: 0 fresh or stable, 1 declining, 2 fatigued. */
const FATIGUE_LEVELS = { fresh: 0, stable: 0, declining: 1, fatigued: 2 } as const

/** A metric's value from window totals (money in reporting-currency units, ratios as fractions). */
export function metricFromTotals(metric: RuleMetric, t: Totals): number | null {
  // The one KPI asked for, with deriveKpis' formulas (it builds every KPI: this runs per entity and
  // condition, a million times a cycle on a large store).
  switch (metric) {
    case 'impressions':
      return t.impressions
    case 'clicks':
      return t.clicks
    case 'spend':
      return t.spendMicros / 1e6
    case 'revenue':
      return t.revenueMicros / 1e6
    case 'conversions':
      return t.conversions
    case 'roas':
      return t.spendMicros === 0 ? null : t.revenueMicros / 1e6 / (t.spendMicros / 1e6)
    case 'cpa':
      return t.conversions === 0 ? null : t.spendMicros / 1e6 / t.conversions
    case 'ctr':
      return t.impressions === 0 ? null : t.clicks / t.impressions
    case 'cpc':
      return t.clicks === 0 ? null : t.spendMicros / 1e6 / t.clicks
    case 'cpm':
      return t.impressions === 0 ? null : ((t.spendMicros / 1e6) * 1000) / t.impressions
    default: {
      const k = deriveKpis(t)
      return metric in k ? k[metric as keyof typeof k] : null
    }
  }
}

function compare(op: RuleCondition['op'], a: number, b: number): boolean {
  const eps = 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))
  switch (op) {
    case 'gt':
      return a > b + eps
    case 'gte':
      return a >= b - eps
    case 'lt':
      return a < b - eps
    case 'lte':
      return a <= b + eps
    case 'eq':
      return Math.abs(a - b) <= eps
    case 'neq':
      return Math.abs(a - b) > eps
  }
}

export function windowLabel(w: RuleWindow): string {
  switch (w.kind) {
    case 'today':
      return 'today'
    case 'yesterday':
      return 'yesterday'
    case 'last_n_days':
      return `last ${w.days}d${w.includeToday ? ' incl. today' : ''}${w.offsetDays ? ` before the last ${w.offsetDays}d` : ''}`
    case 'lifetime':
      return 'lifetime'
    case 'since_last_change':
      return 'since last change'
  }
}

const labels = new WeakMap<RuleCondition, string>()

/** A condition as read in decisions (built once per condition, not once per entity). */
export function conditionLabel(c: RuleCondition): string {
  let label = labels.get(c)
  if (label === undefined) labels.set(c, (label = buildConditionLabel(c)))
  return label
}

/** "next 7d, lower bound" */
export function forecastLabel(f: RuleForecast | undefined): string {
  const spec = f ?? DEFAULT_RULE_FORECAST
  return `next ${spec.days}d${spec.bound === 'point' ? '' : `, ${spec.bound} bound`}`
}

function buildConditionLabel(c: RuleCondition): string {
  const side = (m: RuleMetric, w: RuleWindow, of: string, f: RuleForecast | undefined): string =>
    `${of === 'parent_campaign' ? "campaign's " : ''}${RULE_METRIC_LABELS[m]}${
      FORECAST_METRICS.includes(m)
        ? ` (${forecastLabel(f)})`
        : WINDOWLESS_METRICS.includes(m)
          ? ''
          : ` (${windowLabel(w)})`
    }`
  const left = side(c.metric, c.window, c.of, c.forecast)
  const right = c.compareTo
    ? `${c.compareTo.factor === 1 ? '' : `${c.compareTo.factor} × `}${side(c.compareTo.metric, c.compareTo.window ?? c.window, c.compareTo.of, c.compareTo.forecast ?? c.forecast)}`
    : String(c.value)
  return `${left} ${OPERATOR_SYMBOLS[c.op]} ${right}`
}

/**
 * Evaluates one rule over every entity in its scope: a decision per entity (matched, not matched,
 * skipped with a reason and the numbers behind it) and the changes matched entities lead to, after
 * the guardrails. Reads only through `EvalData` (cached per cycle).
 */
export function evaluateRule(rule: RuleDefinition, data: EvalData, history: EvalHistory): EntityOutcome[] {
  return runSteps(evaluateRuleSteps(rule, data, history))
}

/** Entities evaluated between two points where `evaluateRuleSteps` may pause. */
export const ENTITIES_PER_STEP = 256

/** `evaluateRule` in slices: gives the event loop a turn (the budget's) between steps of ENTITIES_PER_STEP entities. */
export async function evaluateRuleSliced(
  rule: RuleDefinition,
  data: EvalData,
  history: EvalHistory,
  budget: SliceBudget,
): Promise<EntityOutcome[]> {
  return runStepsSliced(evaluateRuleSteps(rule, data, history), budget)
}

/** `evaluateRule` as steps: yields after each ENTITIES_PER_STEP entities, returns the outcomes. */
export function* evaluateRuleSteps(
  rule: RuleDefinition,
  data: EvalData,
  history: EvalHistory,
): Generator<void, EntityOutcome[]> {
  const scope = rule.scope
  const g = rule.guardrails
  const accounts = [...data.accounts.values()].filter(
    (a) =>
      (!scope.platforms || scope.platforms.includes(a.platform)) &&
      (!scope.accountIds || scope.accountIds.includes(a.id)),
  )
  const accountIds = new Set(accounts.map((a) => a.id))
  // The entity lists hold the entities of the evaluation's accounts: filtered only when the rule
  // leaves some of those accounts out.
  const listed = data.entities(scope.level)
  const all = accounts.length === data.accounts.size ? listed : listed.filter((e) => accountIds.has(e.accountId))
  const named = scope.includeNew ? null : new Set(scope.entityIds ?? [])
  const re = scope.nameMatches ? new RegExp(scope.nameMatches, 'i') : null
  const contains = scope.nameContains?.toLowerCase()
  const candidates: RuleEntity[] = []
  const deleted: RuleDecision[] = []
  for (const e of all) {
    if (named && !named.has(e.id)) continue
    if (contains && !e.name.toLowerCase().includes(contains)) continue
    if (re && !re.test(e.name)) continue
    if (scope.objectives && !scope.objectives.includes(e.objective as never)) continue
    if (scope.labels && !scope.labels.every((l) => e.labels.includes(l))) continue
    if (e.status === 'archived') {
      deleted.push(skipped(e, 'deleted', `the ${levelWord(e.level)} was deleted on the platform`, []))
      continue
    }
    if (!scope.statuses.includes(e.status)) continue
    candidates.push(e)
  }
  if (named) {
    const seen = new Set(all.map((e) => e.id))
    for (const id of named)
      if (!seen.has(id))
        deleted.push({
          entityType: scope.level,
          entityId: id,
          entityName: `#${id}`,
          accountId: null,
          outcome: 'skipped',
          reason: 'deleted',
          detail: `the ${levelWord(scope.level)} no longer exists`,
          conditions: [],
          actions: [],
        })
  }

  // The scope's filter over every entity of the level is a step of its own.
  yield
  const sides = new SideReader(data, scope.level, accounts, history.lastChange)
  const program = programOf(rule.conditions)
  const first = program.first
  const out: EntityOutcome[] = deleted.map((decision) => ({ decision, changes: [], labels: [], weight: 0 }))
  const nowMs = data.now.getTime()
  const cooldownFrom = nowMs - g.cooldownHours * 3_600_000
  const lastByEntity = new Map<number, RuleChangeRow>()
  for (const c of history.recent) if (!lastByEntity.has(c.entityId)) lastByEntity.set(c.entityId, c)
  // "Per day" is the account's calendar day (its time zone), like every day in the app: a change
  // counts for today when it was made on or after the account's local midnight.
  const onAccountToday = (c: RuleChangeRow): boolean => {
    const a = data.accounts.get(c.accountId)
    return a !== undefined && localDateIn(a.timeZone, new Date(c.createdAt)) === a.today
  }
  const today = history.recent.filter(onAccountToday)
  const firstToday = new Map<number, RuleChangeRow>()
  for (const c of today) if (c.field === 'daily_budget') firstToday.set(c.entityId, c)

  const block = new ValueBlock(candidates.length * program.size)
  const matched: Outcome[] = []
  let slot = 0
  let n = 0
  for (const e of candidates) {
    if (++n % ENTITIES_PER_STEP === 0) yield
    const account = data.accounts.get(e.accountId) as EvalAccount
    const age = data.daysSince(e.launchDate, account)
    if (g.learningDays > 0 && age !== null && age < g.learningDays) {
      const note = `launched ${age} day${age === 1 ? '' : 's'} ago (< ${g.learningDays})`
      out.push(new Outcome(e, 'skipped', 'learning', note, null, null, 0, null))
      continue
    }
    const base = slot
    slot += program.size
    const verdict = program.evaluate(e, sides, g, block, base)
    if (verdict === 0) {
      out.push(new Outcome(e, 'not_matched', null, null, program, block, base, null))
      continue
    }
    if (verdict === -1) {
      const u = program.unknown ?? NOT_ENOUGH_DATA
      out.push(new Outcome(e, 'skipped', u.reason, u, program, block, base, null))
      continue
    }
    const weight = sides.weightOf(e, first)
    // Matched: the guardrails on acting.
    const last = lastByEntity.get(e.id)
    if (last && g.cooldownHours > 0 && Date.parse(last.createdAt) >= cooldownFrom) {
      const note = `this rule changed it at ${last.createdAt} (change ${last.id}; cooldown ${g.cooldownHours} h)`
      const o = new Outcome(e, 'skipped', 'cooldown', note, program, block, base, null)
      o.weight = weight
      out.push(o)
      continue
    }
    // What the actions would do, without building them yet: most matches of a broad rule are cut
    // by the action limits below, and a cut match keeps no planned action.
    const probe = planActions(rule.actions, e, account, data, g, firstToday.get(e.id), false) as
      number | { skip: SkipReason; note: string }
    if (typeof probe !== 'number') {
      const o = new Outcome(e, 'skipped', probe.skip, probe.note, program, block, base, null)
      o.weight = weight
      out.push(o)
      continue
    }
    const clash = history.othersOpen.length
      ? history.othersOpen.find((o) => {
          if (o.entityId !== e.id) return false
          const d = directionOfRow(o)
          return (d === -1 && (probe & PLAN_UP) !== 0) || (d === 1 && (probe & PLAN_DOWN) !== 0)
        })
      : undefined
    if (clash) {
      const note = `rule ${clash.actorId.split('@')[0]} has an opposite change open (change ${clash.id}, ${clash.state})`
      const o = new Outcome(e, 'skipped', 'conflict', note, program, block, base, null)
      o.weight = weight
      out.push(o)
      continue
    }
    const o = new Outcome(e, 'matched', null, null, program, block, base, null)
    o.weight = weight
    o.planned = probe
    matched.push(o)
    out.push(o)
  }

  // Action limits: per run, then per account and day (this rule's changes made today count).
  // Only matched outcomes have changes (their decisions are not built here).
  const acting = matched
    .filter((o) => (o.planned & PLAN_CHANGES) !== 0)
    .sort((a, b) => b.weight - a.weight || a.entity.id - b.entity.id)
  const perAccount = new Map<number, number>()
  for (const c of today) perAccount.set(c.accountId, (perAccount.get(c.accountId) ?? 0) + 1)
  let taken = 0
  const perRunNote = `at most ${g.maxActionsPerRun} actions per run`
  const perDayNotes = new Map<number, string>()
  for (const o of acting) {
    const acc = o.entity.accountId
    const n = perAccount.get(acc) ?? 0
    if (taken >= g.maxActionsPerRun) o.limit(perRunNote)
    else if (n >= g.maxActionsPerDayPerAccount) {
      let note = perDayNotes.get(n)
      if (note === undefined)
        perDayNotes.set(
          n,
          (note = `at most ${g.maxActionsPerDayPerAccount} actions per account per day (already ${n} today)`),
        )
      o.limit(note)
    } else {
      taken++
      perAccount.set(acc, n + 1)
    }
  }
  // The matches that act: their actions, changes, labels and alert.
  for (const o of matched) {
    if (o.kind !== 'matched') continue
    const e = o.entity
    const planned = planActions(
      rule.actions,
      e,
      data.accounts.get(e.accountId) as EvalAccount,
      data,
      g,
      firstToday.get(e.id),
      true,
    ) as Plan
    o.act(planned)
  }
  return out
}

function levelWord(l: EntityLevel): string {
  return l === 'ad_set' ? 'ad set' : l
}

function decisionOf(
  e: RuleEntity,
  outcome: RuleDecision['outcome'],
  reason: SkipReason | null,
  detail: string | null,
  conditions: ConditionResult[],
  actions: DecisionAction[],
): RuleDecision {
  return {
    entityType: e.level,
    entityId: e.id,
    entityName: e.name,
    accountId: e.accountId,
    outcome,
    reason,
    detail,
    conditions,
    actions,
  }
}

function skipped(e: RuleEntity, reason: SkipReason, detail: string, conditions: ConditionResult[]): RuleDecision {
  return decisionOf(e, 'skipped', reason, detail, conditions, [])
}

/** Direction of a stored change: +1 more delivery/budget, -1 less. */
export function directionOfRow(c: RuleChangeRow): 1 | -1 | 0 {
  if (c.field === 'status') return c.requestedValue === 'paused' ? -1 : 1
  const before = c.beforeValue === null ? null : Number(c.beforeValue)
  const after = Number(c.requestedValue)
  if (before === null) return 0
  return after > before ? 1 : after < before ? -1 : 0
}

// ── Conditions ─────────────────────────────────────────────────────────────────────────────────

const NOT_ENOUGH_DATA = new Unknown('data_minimum', 'not enough data')

const programs = new WeakMap<RuleGroup, Program>()

/** A rule's conditions compiled once per condition tree (not once per entity). */
function programOf(root: RuleGroup): Program {
  let p = programs.get(root)
  if (!p) programs.set(root, (p = new Program(root)))
  return p
}

/**
 * Evaluates a condition tree for one entity at a time without building objects for the results:
 * each condition's values go into the rule's `ValueBlock` (conditions in tree order, each
 * evaluated: the decision shows them all); `results` turns them into condition results when a
 * decision is read.
 */
class Program {
  /** The conditions in tree order, with their paths ("0", "1.0", ...) and labels. */
  private readonly conds: RuleCondition[] = []
  private readonly paths: string[] = []
  private readonly labels: string[]
  readonly first: RuleCondition | null
  /** Why the last `evaluate` (or group, or condition) was unknown. */
  unknown: Unknown | undefined
  private at = 0

  constructor(private readonly root: RuleGroup) {
    const walk = (g: RuleGroup, path: string): void =>
      g.items.forEach((item, i) => {
        const p = path ? `${path}.${i}` : String(i)
        if (item.type === 'group') walk(item, p)
        else {
          this.conds.push(item)
          this.paths.push(p)
        }
      })
    walk(root, '')
    this.labels = this.conds.map(conditionLabel)
    this.first = firstCondition(root)
  }

  get size(): number {
    return this.conds.length
  }

  /** 1 matched, 0 not matched, -1 unknown (`unknown` says why). */
  evaluate(
    e: RuleEntity,
    sides: SideReader,
    guard: RuleDefinition['guardrails'],
    block: ValueBlock,
    base: number,
  ): number {
    this.at = base
    this.unknown = undefined
    return this.group(this.root, e, sides, guard, block)
  }

  private group(
    g: RuleGroup,
    e: RuleEntity,
    sides: SideReader,
    guard: RuleDefinition['guardrails'],
    block: ValueBlock,
  ): number {
    let unknown: Unknown | undefined
    let anyTrue = false
    let anyFalse = false
    for (const item of g.items) {
      const r =
        item.type === 'group' ? this.group(item, e, sides, guard, block) : this.condition(item, e, sides, guard, block)
      if (r === 1) anyTrue = true
      else if (r === 0) anyFalse = true
      else unknown ??= this.unknown
    }
    // Three-valued logic: AND is false if any part is false, OR true if any part is true.
    if (g.op === 'and') {
      if (anyFalse) return 0
      if (!unknown) return 1
    } else {
      if (anyTrue) return 1
      if (!unknown) return 0
    }
    this.unknown = unknown
    return -1
  }

  private condition(
    c: RuleCondition,
    e: RuleEntity,
    sides: SideReader,
    guard: RuleDefinition['guardrails'],
    block: ValueBlock,
  ): number {
    const k = this.at++
    const left = sides.read(e, c.metric, c.window, c.of, c.includeProvisional, guard, c.forecast)
    const leftUnknown = sides.unknown
    let right: number | null
    let rightUnknown: Unknown | undefined
    if (c.compareTo) {
      const r = sides.read(
        e,
        c.compareTo.metric,
        c.compareTo.window ?? c.window,
        c.compareTo.of,
        c.includeProvisional,
        guard,
        c.compareTo.forecast ?? c.forecast,
      )
      // A value under its data minimum still compares on the right-hand side (as it always has).
      if (r === null) {
        right = null
        rightUnknown = sides.unknown
      } else right = r * c.compareTo.factor
    } else right = c.value as number
    const unknown = leftUnknown ?? rightUnknown
    block.nums[k * 2] = left === null ? NaN : left
    block.nums[k * 2 + 1] = right === null ? NaN : right
    if (unknown) block.unknowns[k] = unknown
    if (unknown) {
      this.unknown = unknown
      return -1
    }
    if (left === null || right === null) return 0
    return compare(c.op, left, right) ? 1 : 0
  }

  /** The condition results of an entity's values (what a decision shows). */
  results(block: ValueBlock, base: number): ConditionResult[] {
    return this.conds.map((c, i) => {
      const l = block.nums[(base + i) * 2] as number
      const r = block.nums[(base + i) * 2 + 1] as number
      const left = Number.isNaN(l) ? null : l
      const right = Number.isNaN(r) ? null : r
      const unknown = block.unknowns[base + i]
      let result: Tri
      let note: string | undefined
      if (unknown) {
        result = null
        note = unknown.note
      } else if (left === null || right === null) {
        result = false
        note = NO_VALUE_NOTE
      } else result = compare(c.op, left, right)
      return {
        path: this.paths[i] as string,
        label: this.labels[i] as string,
        metric: c.metric,
        value: left,
        against: right,
        result,
        ...(note ? { note } : {}),
      }
    })
  }
}

/** Reads one side of a condition for an entity (totals cached per cycle in EvalData). */
class SideReader {
  constructor(
    private readonly data: EvalData,
    private readonly level: EntityLevel,
    private readonly accounts: EvalAccount[],
    private readonly lastChange: Map<number, string>,
  ) {}

  private parents: Map<number, RuleEntity> | null = null

  private parent(e: RuleEntity): RuleEntity | undefined {
    this.parents ??= new Map(this.data.entities('campaign').map((c) => [c.id, c]))
    return this.parents.get(e.campaignId)
  }

  /** The range the last `totalsFor` resolved (null: none). */
  private lastRange: ResolvedRange | null = null
  /** Why the last `read` has no usable value (undefined: it has one, or simply none). */
  unknown: Unknown | undefined

  /** Totals of the entity (or its campaign) over a resolved window, or null (see `lastRange`). */
  private totalsFor(
    level: EntityLevel,
    id: number,
    account: EvalAccount,
    w: RuleWindow,
    includeProvisional: boolean,
  ): Totals | null {
    if (w.kind === 'since_last_change' && level === this.level) {
      const since = this.sinceDate(id, account)
      if (since !== undefined) {
        const range = this.data.range(account, w, includeProvisional, since)
        this.lastRange = range
        if (!range || 'provisional' in range) return null
        return this.data.totals(level, range.from, range.to, [account.id]).get(id) ?? EMPTY_TOTALS
      }
    }
    const r = this.resolved(w, includeProvisional).get(account.id)
    this.lastRange = r?.range ?? null
    if (!r || !r.range || 'provisional' in r.range) return null
    let t = r.totals.get(level)
    if (!t) r.totals.set(level, (t = this.data.totals(level, r.range.from, r.range.to, r.peers)))
    return t.get(id) ?? EMPTY_TOTALS
  }

  private readonly windowCache = new WeakMap<RuleWindow, Map<boolean, Map<number, Resolved>>>()

  /**
   * Each account's days for a window, with the accounts whose days are the same (read together:
   * one query per distinct range). Resolved once per rule and window.
   */
  private resolved(w: RuleWindow, includeProvisional: boolean): Map<number, Resolved> {
    let byProv = this.windowCache.get(w)
    if (!byProv) this.windowCache.set(w, (byProv = new Map()))
    let m = byProv.get(includeProvisional)
    if (!m) {
      m = new Map()
      const byDays = new Map<string, number[]>()
      for (const a of this.accounts) {
        const range = this.data.range(a, w, includeProvisional)
        const peers: number[] = []
        if (range && !('provisional' in range)) {
          const k = `${range.from}|${range.to}`
          let list = byDays.get(k)
          if (!list) byDays.set(k, (list = []))
          list.push(a.id)
          m.set(a.id, { range, peers: list, totals: new Map() })
        } else m.set(a.id, { range, peers, totals: new Map() })
      }
      byProv.set(includeProvisional, m)
    }
    return m
  }

  private sinceDate(id: number, account: EvalAccount): string | undefined {
    const at = this.lastChange.get(id)
    if (!at) return undefined
    return localDateIn(account.timeZone, new Date(at))
  }

  private readonly provisionalNotes = new WeakMap<RuleWindow, Map<number, Unknown>>()

  /** Why a window has no settled day for an account: one per window and account, not per entity. */
  private provisional(w: RuleWindow, account: EvalAccount): Unknown {
    let byAccount = this.provisionalNotes.get(w)
    if (!byAccount) this.provisionalNotes.set(w, (byAccount = new Map()))
    let u = byAccount.get(account.id)
    if (!u)
      byAccount.set(
        account.id,
        (u = new Unknown(
          'provisional',
          () => `${windowLabel(w)} has only provisional days (last settled day ${account.lastSettledDate ?? 'none'})`,
        )),
      )
    return u
  }

  /** Spend in the first condition's window, to order matched entities. */
  weightOf(e: RuleEntity, first: RuleCondition | null): number {
    if (!first) return 0
    const account = this.data.accounts.get(e.accountId) as EvalAccount
    const t = this.totalsFor(this.level, e.id, account, first.window, first.includeProvisional)
    return t ? t.spendMicros : 0
  }

  /** One side's value (null: none); `unknown` says when it cannot be used and why. */
  read(
    e: RuleEntity,
    metric: RuleMetric,
    w: RuleWindow,
    of: 'self' | 'parent_campaign',
    includeProvisional: boolean,
    guard: RuleDefinition['guardrails'],
    forecast?: RuleForecast,
  ): number | null {
    this.unknown = undefined
    const account = this.data.accounts.get(e.accountId) as EvalAccount
    const subject = of === 'parent_campaign' ? this.parent(e) : e
    if (!subject) return null
    const level: EntityLevel = of === 'parent_campaign' ? 'campaign' : this.level
    if (metric === 'budget') return this.budget(subject, account)
    if (metric === 'days_since_launch') return this.data.daysSince(subject.launchDate, account)
    if (metric === 'fatigue') {
      if (level !== 'ad') return null
      const f = this.data.fatigue(subject.id)
      if (!f || f.state === 'insufficient_data') {
        this.unknown = new Unknown('data_minimum', `Fatigue: ${f?.explanation ?? 'the ad has no delivery yet.'}`)
        return null
      }
      return FATIGUE_LEVELS[f.state]
    }
    if (metric === 'forecast_conversions' || metric === 'forecast_roas') {
      if (level === 'ad') return null
      return this.forecast(metric, level, subject.id, forecast ?? DEFAULT_RULE_FORECAST)
    }
    const t = this.totalsFor(level, subject.id, account, w, includeProvisional)
    const range = this.lastRange
    if (t === null) {
      if (range && 'provisional' in range) this.unknown = this.provisional(w, account)
      return null
    }
    const need = dataMinimumOf(metric)
    if (need === 'conversions' && (t.conversions < guard.minConversions || t.spendMicros < guard.minSpendMicros)) {
      this.unknown = new Unknown(
        'data_minimum',
        () =>
          `${RULE_METRIC_LABELS[metric]} needs ≥ ${guard.minConversions} conversions and ≥ ${guard.minSpendMicros / MICRO} spend (${windowLabel(w)}: ${round2(t.conversions)} conversions, ${round2(t.spendMicros / MICRO)} spend)`,
      )
      return metricFromTotals(metric, t)
    }
    if (need === 'impressions' && t.impressions < guard.minImpressions) {
      this.unknown = new Unknown(
        'data_minimum',
        () =>
          `${RULE_METRIC_LABELS[metric]} needs ≥ ${guard.minImpressions} impressions (${windowLabel(w)}: ${t.impressions})`,
      )
      return metricFromTotals(metric, t)
    }
    if (metric === 'budget_utilisation') {
      const b = this.budget(subject, account)
      if (b === null || b <= 0) return null
      return t.spendMicros / MICRO / (b * (range && 'days' in range ? range.days : 1))
    }
    if (metric === 'frequency' || metric === 'anomaly') {
      const r = range as { from: string; to: string }
      if (metric === 'anomaly') {
        const flagged = this.data.anomalousCampaigns(r.from, r.to)
        if (!flagged) return null
        return flagged.has(level === 'campaign' ? subject.id : subject.campaignId) ? 1 : 0
      }
      const f = this.data.reach(level, r.from, r.to, [account.id]).get(subject.id)
      // No reach reported (the platform does not give it, or no delivery): no value.
      return f && f.reach > 0 ? f.impressions / f.reach : null
    }
    return metricFromTotals(metric, t)
  }

  /**
   * A forecast metric through the ML forecasts: the chosen bound of the next N days. Unknown
   * ('no_forecast', with the forecast's own reason) when there is none or the metric comes from
   * the seasonal baseline instead of the model; ROAS has no value without forecast spend.
   */
  private forecast(
    metric: 'forecast_conversions' | 'forecast_roas',
    level: 'campaign' | 'ad_set',
    id: number,
    spec: RuleForecast,
  ): number | null {
    const f = this.data.forecast(level, id, spec.days)
    const what = `${RULE_METRIC_LABELS[metric]} (${forecastLabel(spec)})`
    if ('problem' in f) {
      this.unknown = new Unknown('no_forecast', () => `${what}: ${f.problem}`)
      return null
    }
    const method = metric === 'forecast_conversions' ? f.methods.conversions : f.methods.revenue
    if (method !== 'model') {
      this.unknown = new Unknown(
        'no_forecast',
        () =>
          `${what}: only the seasonal baseline forecasts it, not the model${f.reasons.length ? ` (${f.reasons.join(' ')})` : ''}`,
      )
      return null
    }
    const band = metric === 'forecast_conversions' ? f.conversions : f.roas
    return band ? band[spec.bound] : null
  }

  /** The entity's daily budget in reporting-currency units (null: none of its own). */
  private budget(e: RuleEntity, account: EvalAccount): number | null {
    if (e.dailyBudgetMicros === null) return null
    return (e.dailyBudgetMicros * this.data.rateToday(account)) / MICRO
  }
}

/** One account's days for a window, the accounts read with it, and the totals once read. */
interface Resolved {
  range: ResolvedRange | null
  peers: number[]
  totals: Map<EntityLevel, Map<number, Totals>>
}

function firstCondition(g: RuleGroup): RuleCondition | null {
  for (const i of g.items) {
    if (i.type === 'condition') return i
    const f = firstCondition(i)
    if (f) return f
  }
  return null
}

function round2(x: number): number {
  return Math.round(x * 100) / 100
}

// ── Actions ────────────────────────────────────────────────────────────────────────────────────

/**
 * The changes and labels a matched entity's actions lead to, in the account's currency, after
 * caps, the budget floor/ceiling and the maximum change per day; or why none apply.
 */
/** A match's planned actions (see planActions). */
type Plan = { changes: PlannedChange[]; labels: string[]; actions: DecisionAction[]; notify?: EntityOutcome['notify'] }

/** planActions without building: some change, some label or alert, a change up, a change down. */
const PLAN_CHANGES = 1
const PLAN_OTHER = 2
const PLAN_UP = 4
const PLAN_DOWN = 8

/**
 * ...; with `build` false, only what they would be (PLAN_* bits, nothing allocated) or why none
 * apply (the same answer as when built).
 */
function planActions(
  actions: RuleAction[],
  e: RuleEntity,
  account: EvalAccount,
  data: EvalData,
  g: RuleDefinition['guardrails'],
  firstToday: RuleChangeRow | undefined,
  build: boolean,
): Plan | number | { skip: SkipReason; note: string } {
  let bits = 0
  let notify: EntityOutcome['notify']
  const changes: PlannedChange[] = build ? [] : NO_CHANGES
  const labels: string[] = build ? [] : NO_LABELS
  const out: DecisionAction[] = build ? [] : NO_ACTIONS
  const notes: string[] = []
  const rate = data.rateToday(account)
  /** Reporting-currency micros → account-currency micros. */
  const toAccount = (micros: number): number => micros / rate
  const digits = data.minorDigits(account)
  for (const a of actions) {
    if (a.kind === 'pause' || a.kind === 'enable') {
      const target = a.kind === 'pause' ? 'paused' : 'active'
      if (e.status === target) {
        notes.push(`already ${target}`)
        continue
      }
      bits |= PLAN_CHANGES | (a.kind === 'pause' ? PLAN_DOWN : PLAN_UP)
      if (!build) continue
      changes.push({
        entityType: e.level,
        entityId: e.id,
        accountId: e.accountId,
        action: { kind: a.kind },
        direction: a.kind === 'pause' ? -1 : 1,
        before: e.status,
        after: target,
      })
      out.push({ kind: a.kind, outcome: 'planned', changeId: null, before: e.status, after: target })
    } else if (a.kind === 'notify') {
      notify = a.severity
      bits |= PLAN_OTHER
      if (build) out.push({ kind: 'notify', outcome: 'planned', changeId: null, before: null, after: a.severity })
    } else if (a.kind === 'add_label') {
      if (e.labels.includes(a.label)) {
        notes.push(`already labelled “${a.label}”`)
        continue
      }
      bits |= PLAN_OTHER
      if (!build) continue
      labels.push(a.label)
      out.push({ kind: 'add_label', outcome: 'planned', changeId: null, before: null, after: a.label })
    } else {
      const cur = e.dailyBudgetMicros
      if (cur === null)
        return { skip: 'not_applicable', note: `the ${levelWord(e.level)} has no daily budget of its own` }
      let next: number
      if (a.kind === 'set_budget') next = toAccount(a.dailyBudgetMicros)
      else {
        next = a.pct !== undefined ? cur * (1 + a.pct / 100) : cur + toAccount(a.amountMicros as number)
        if (a.minMicros !== undefined) next = Math.max(next, toAccount(a.minMicros))
        if (a.maxMicros !== undefined) next = Math.min(next, toAccount(a.maxMicros))
        // The maximum change per day, from where the budget stood before this rule's first change today.
        const base = firstToday?.beforeValue != null ? Number(firstToday.beforeValue) : cur
        const span = (base * a.maxChangePerDayPct) / 100
        next = Math.min(Math.max(next, base - span), base + span)
      }
      next = Math.max(next, toAccount(g.budgetFloorMicros))
      if (g.budgetCeilingMicros !== undefined) next = Math.min(next, toAccount(g.budgetCeilingMicros))
      next = roundBudgetMicros(next, digits)
      if (next <= 0 || next === cur)
        return {
          skip: 'budget_limit',
          note: `the budget stays at ${cur / MICRO} ${account.currency} (caps, floor/ceiling or today's maximum change)`,
        }
      bits |= PLAN_CHANGES | (next > cur ? PLAN_UP : PLAN_DOWN)
      if (!build) continue
      changes.push({
        entityType: e.level,
        entityId: e.id,
        accountId: e.accountId,
        action: { kind: 'set_budget', dailyBudgetMicros: next },
        direction: next > cur ? 1 : -1,
        before: cur,
        after: next,
      })
      out.push({ kind: a.kind, outcome: 'planned', changeId: null, before: cur, after: next })
    }
  }
  if (bits === 0) return { skip: 'not_applicable', note: notes.join('; ') || 'nothing to do' }
  if (!build) return bits
  return { changes, labels, actions: out, ...(notify ? { notify } : {}) }
}
