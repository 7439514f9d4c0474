import { z } from 'zod'
import { AlertSeveritySchema } from './alerts'
import { EntityLevelSchema, EntityStatusSchema, ObjectiveSchema, PlatformIdSchema } from './entities'
import { KPI_LABELS } from './format'

/**
 * Automation rules (issue 13): what a rule watches (scope), when it matches (nested AND/OR
 * conditions over windows), what it does (actions through the change pipeline), when it runs
 * (schedule), the guardrails that keep it from acting on noise, and its mode (preview, approval,
 * automatic). Plain data; the core evaluates it (electron/main/automation), docs/automation.md
 * explains every field.
 *
 * Units: money thresholds of conditions are in units of the workspace reporting currency (what the
 * dashboards show: `cpa > 50` is 50 USD in a USD workspace); money of actions and guardrails is
 * integer micros of the reporting currency, converted into each account's currency at the month's
 * rate when a change is proposed.
 */

const Id = z.number().int().positive()

// ── Metrics and windows ────────────────────────────────────────────────────────────────────────

/** What a condition can measure. Ratios come from summed parts over the window. */
export const RULE_METRICS = [
  'spend',
  'revenue',
  'roas',
  'conversions',
  'cpa',
  'ctr',
  'cpc',
  'cpm',
  'impressions',
  'clicks',
  /** The entity's own daily budget (campaigns and ad sets). */
  'budget',
  /** Spend in the window ÷ (daily budget × days in the window). */
  'budget_utilisation',
  /** Days since the entity launched (its start date, or its first ad's launch date). */
  'days_since_launch',
  /**
   * Impressions per person reached: the window's impressions ÷ the sum of the daily reach the
   * platform reports (the impression-weighted mean daily frequency). No value where the platform
   * reports no reach.
   */
  'frequency',
  /**
   * An ad's creative fatigue now (the Creatives page's fit of CTR against exposure): 0 fresh or
   * stable, 1 declining, 2 fatigued. Ads only; unknown (data minimum) without enough delivery.
   */
  'fatigue',
  /**
   * 1 when the anomaly detector flags the campaign (or the ad set's/ad's campaign) on a day of the
   * window, as the Anomalies page lists them (seasonal peaks left out), else 0.
   */
  'anomaly',
  /**
   * Conversions the ML forecast expects over the next N days (`forecast.days`) from the entity's
   * last data day, at its recent daily spend; `forecast.bound` picks the 80% interval's lower or
   * upper bound or the point forecast. Campaigns and ad sets (an ad reads its campaign's with
   * `of: 'parent_campaign'`). No forecast, or the seasonal baseline instead of the model: skipped
   * ('no_forecast') with the forecast's reason.
   */
  'forecast_conversions',
  /** Forecast revenue ÷ forecast spend over the next N days (as forecast_conversions). */
  'forecast_roas',
] as const
export const RuleMetricSchema = z.enum(RULE_METRICS)
export type RuleMetric = z.infer<typeof RuleMetricSchema>

export const RULE_METRIC_LABELS: Record<RuleMetric, string> = {
  ...KPI_LABELS,
  impressions: 'Impressions',
  clicks: 'Clicks',
  budget: 'Daily budget',
  budget_utilisation: 'Budget utilisation',
  days_since_launch: 'Days since launch',
  frequency: 'Frequency',
  fatigue: 'Fatigue (0 ok, 1 declining, 2 fatigued)',
  anomaly: 'Anomaly flagged (1 yes, 0 no)',
  forecast_conversions: 'Forecast conversions',
  forecast_roas: 'Forecast ROAS',
}

/** Metrics that do not depend on a window (the window is ignored). */
export const WINDOWLESS_METRICS: readonly RuleMetric[] = [
  'budget',
  'days_since_launch',
  'fatigue',
  'forecast_conversions',
  'forecast_roas',
]

/** Metrics read from the ML forecasts (they take a `forecast` horizon and bound instead of a window). */
export const FORECAST_METRICS: readonly RuleMetric[] = ['forecast_conversions', 'forecast_roas']

/** Which part of the forecast's 80% interval a forecast condition compares. */
export const FORECAST_BOUNDS = ['lower', 'point', 'upper'] as const
export const ForecastBoundSchema = z.enum(FORECAST_BOUNDS)
export type ForecastBound = z.infer<typeof ForecastBoundSchema>

/** The horizon and interval bound of a forecast metric: "the lower bound of the next 7 days". */
export const RuleForecastSchema = z
  .object({
    days: z.number().int().min(1).max(90).default(7),
    bound: ForecastBoundSchema.default('point'),
  })
  .strict()
export type RuleForecast = z.infer<typeof RuleForecastSchema>
/** What a forecast metric reads when its condition names no horizon. */
export const DEFAULT_RULE_FORECAST: RuleForecast = { days: 7, bound: 'point' }

/** Which guardrail data minimum a metric needs: ratios on conversions, ratios on impressions. */
export function dataMinimumOf(metric: RuleMetric): 'conversions' | 'impressions' | null {
  if (metric === 'roas' || metric === 'cpa') return 'conversions'
  if (metric === 'ctr' || metric === 'cpc' || metric === 'cpm') return 'impressions'
  return null
}

/**
 * The days a condition looks at, in the account's time zone. `last_n_days` with `offsetDays`
 * shifts the window back: "the 14 days before the last 3" is `{ days: 14, offsetDays: 3 }`.
 */
export const RuleWindowSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('today') }).strict(),
  z.object({ kind: z.literal('yesterday') }).strict(),
  z
    .object({
      kind: z.literal('last_n_days'),
      days: z.number().int().min(1).max(365),
      includeToday: z.boolean().default(false),
      offsetDays: z.number().int().min(0).max(365).default(0),
    })
    .strict(),
  z.object({ kind: z.literal('lifetime') }).strict(),
  /** Since this rule last changed the entity (lifetime when it never did). */
  z.object({ kind: z.literal('since_last_change') }).strict(),
])
export type RuleWindow = z.infer<typeof RuleWindowSchema>

export const RULE_OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const
export const RuleOperatorSchema = z.enum(RULE_OPERATORS)
export type RuleOperator = z.infer<typeof RuleOperatorSchema>
export const OPERATOR_SYMBOLS: Record<RuleOperator, string> = {
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  eq: '=',
  neq: '≠',
}

/** Whose numbers: the entity's own, or its parent campaign's (ad sets and ads). */
export const MetricOwnerSchema = z.enum(['self', 'parent_campaign'])

/** The right-hand side "another metric × factor" (spend > 0.8 × budget; CTR 3d < 0.75 × CTR 14d before). */
export const MetricOperandSchema = z
  .object({
    metric: RuleMetricSchema,
    /** Default: the condition's own window. */
    window: RuleWindowSchema.optional(),
    of: MetricOwnerSchema.default('self'),
    factor: z.number().finite().min(0).max(1000).default(1),
    /** Forecast metrics: the horizon and bound (default: the condition's own, else 7 days, point). */
    forecast: RuleForecastSchema.optional(),
  })
  .strict()
export type MetricOperand = z.infer<typeof MetricOperandSchema>

export const RuleConditionSchema = z
  .object({
    type: z.literal('condition'),
    metric: RuleMetricSchema,
    window: RuleWindowSchema.default({ kind: 'last_n_days', days: 7, includeToday: false, offsetDays: 0 }),
    of: MetricOwnerSchema.default('self'),
    op: RuleOperatorSchema,
    /** A fixed value (money in reporting-currency units, CTR and utilisation as fractions). */
    value: z.number().finite().optional(),
    /** Or another metric times a factor. */
    compareTo: MetricOperandSchema.optional(),
    /** Forecast metrics: how many days ahead and which bound of the interval (default 7 days, point). */
    forecast: RuleForecastSchema.optional(),
    /**
     * Whether days still inside the platform's restatement window count. When false (the default)
     * "last N days" are the last N settled days and lifetime ends at the last settled day; today
     * and yesterday, while provisional, are skipped ('provisional').
     */
    includeProvisional: z.boolean().default(false),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.value === undefined) === (c.compareTo === undefined))
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'give either a value or compareTo (not both)' })
  })
export type RuleCondition = z.infer<typeof RuleConditionSchema>

export interface RuleGroup {
  type: 'group'
  op: 'and' | 'or'
  items: (RuleCondition | RuleGroup)[]
}
export type RuleNode = RuleCondition | RuleGroup

/** Nested AND/OR groups, at most 5 deep and 50 conditions per group. */
export const RuleGroupSchema: z.ZodType<RuleGroup, unknown> = z.lazy(() =>
  z
    .object({
      type: z.literal('group'),
      op: z.enum(['and', 'or']),
      items: z
        .array(z.discriminatedUnion('type', [RuleConditionSchema, RuleGroupSchema as never]))
        .min(1, 'a group needs at least one condition')
        .max(50),
    })
    .strict(),
) as z.ZodType<RuleGroup, unknown>

export function depthOf(n: RuleNode): number {
  return n.type === 'condition' ? 0 : 1 + Math.max(0, ...n.items.map(depthOf))
}

export function conditionsOf(n: RuleNode): RuleCondition[] {
  return n.type === 'condition' ? [n] : n.items.flatMap(conditionsOf)
}

// ── Scope ──────────────────────────────────────────────────────────────────────────────────────

export const RuleScopeSchema = z
  .object({
    /** Only these platforms (default: every platform of the workspace). */
    platforms: z.array(PlatformIdSchema).min(1).optional(),
    /** Only these accounts (default: every account). */
    accountIds: z.array(Id).min(1).max(500).optional(),
    level: EntityLevelSchema,
    /** Case-insensitive substring of the name. */
    nameContains: z.string().min(1).max(200).optional(),
    /** A regular expression on the name (case-insensitive). */
    nameMatches: z
      .string()
      .min(1)
      .max(200)
      .refine((s) => {
        try {
          new RegExp(s, 'i')
          return true
        } catch {
          return false
        }
      }, 'not a valid regular expression')
      .optional(),
    /** Delivery statuses to watch (default: active). Deleted (archived) entities are skipped with a reason. */
    statuses: z
      .array(EntityStatusSchema.exclude(['archived']))
      .min(1)
      .default(['active']),
    /** Campaign objectives (the entity's campaign's). */
    objectives: z.array(ObjectiveSchema).min(1).optional(),
    /** Entities carrying every one of these labels (added by people or by rules). */
    labels: z.array(z.string().min(1).max(60)).min(1).optional(),
    /**
     * true: every entity matching the filters, including ones created later. false: only the
     * entities in `entityIds` (fixed when the rule was saved).
     */
    includeNew: z.boolean().default(true),
    entityIds: z.array(Id).max(5000).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.includeNew && !s.entityIds?.length)
      ctx.addIssue({
        code: 'custom',
        path: ['entityIds'],
        message: 'name the entities when new ones are not included automatically',
      })
  })
export type RuleScope = z.infer<typeof RuleScopeSchema>

// ── Actions ────────────────────────────────────────────────────────────────────────────────────

const Micros = z.number().int().positive()

export const RuleActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('pause') }).strict(),
  z.object({ kind: z.literal('enable') }).strict(),
  z.object({ kind: z.literal('set_budget'), dailyBudgetMicros: Micros }).strict(),
  z
    .object({
      kind: z.literal('change_budget'),
      /** +15 raises by 15%, -20 lowers by 20% (give pct or amountMicros). */
      pct: z.number().min(-90).max(1000).optional(),
      /** Signed amount in reporting-currency micros. */
      amountMicros: z.number().int().optional(),
      /** Never below / above (reporting-currency micros). */
      minMicros: Micros.optional(),
      maxMicros: Micros.optional(),
      /** The budget never moves more than this % from where it stood before this rule's first change today. */
      maxChangePerDayPct: z.number().min(1).max(1000).default(50),
    })
    .strict()
    .superRefine((a, ctx) => {
      if ((a.pct === undefined) === (a.amountMicros === undefined))
        ctx.addIssue({ code: 'custom', path: ['pct'], message: 'give either pct or amountMicros' })
      else if ((a.pct ?? a.amountMicros) === 0)
        ctx.addIssue({ code: 'custom', path: ['pct'], message: 'a change of zero does nothing' })
      if (a.minMicros !== undefined && a.maxMicros !== undefined && a.minMicros > a.maxMicros)
        ctx.addIssue({ code: 'custom', path: ['minMicros'], message: 'minMicros is above maxMicros' })
    }),
  /** Raise an alert with the entity's numbers (nothing changes on the platform). */
  z.object({ kind: z.literal('notify'), severity: AlertSeveritySchema.default('warning') }).strict(),
  /** Add a local label to the entity (scopes of other rules can filter on it). */
  z.object({ kind: z.literal('add_label'), label: z.string().trim().min(1).max(60) }).strict(),
])
export type RuleAction = z.infer<typeof RuleActionSchema>
export type RuleActionKind = RuleAction['kind']

/** Actions that write to an ad platform (through the change pipeline). */
export function isPlatformAction(a: RuleAction): boolean {
  return a.kind === 'pause' || a.kind === 'enable' || a.kind === 'set_budget' || a.kind === 'change_budget'
}

// ── Schedule ───────────────────────────────────────────────────────────────────────────────────

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)')

export const RuleScheduleSchema = z
  .object({
    kind: z.enum(['every_minutes', 'hourly', 'daily', 'cron', 'after_sync', 'manual']),
    /** every_minutes: 15 at least. */
    minutes: z.number().int().min(15, 'rules run at most every 15 minutes').max(1440).optional(),
    /** daily: the local time. */
    at: HHMM.optional(),
    /** cron: five fields (minute hour day-of-month month day-of-week). */
    cron: z.string().min(9).max(120).optional(),
    /** Days of the week it may run (0 = Sunday). Default: every day. */
    activeDays: z.array(z.number().int().min(0).max(6)).min(1).max(7).optional(),
    /** Local hours it may run, from inclusive to exclusive (0-24); may wrap midnight. */
    activeHours: z
      .object({ from: z.number().int().min(0).max(23), to: z.number().int().min(1).max(24) })
      .strict()
      .optional(),
    /** IANA time zone; default: the time zone of the first account in scope. */
    timeZone: z
      .string()
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: tz })
          return true
        } catch {
          return false
        }
      }, 'unknown time zone')
      .optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.kind === 'every_minutes' && s.minutes === undefined)
      ctx.addIssue({ code: 'custom', path: ['minutes'], message: 'every_minutes needs minutes (15 or more)' })
    if (s.kind === 'daily' && s.at === undefined)
      ctx.addIssue({ code: 'custom', path: ['at'], message: 'daily needs a time (HH:MM)' })
    if (s.kind === 'cron' && s.cron === undefined)
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'cron needs an expression' })
  })
export type RuleSchedule = z.infer<typeof RuleScheduleSchema>

// ── Guardrails ─────────────────────────────────────────────────────────────────────────────────

/**
 * On by default (docs/automation.md explains each value). A user may change them; a rule cannot
 * turn them off entirely except by setting a minimum to 0.
 */
export const RuleGuardrailsSchema = z
  .object({
    /** ROAS and CPA need at least this many conversions in the window. */
    minConversions: z.number().min(0).max(100_000).default(10),
    /** ...and at least this much spend (reporting-currency micros). */
    minSpendMicros: z.number().int().min(0).default(20_000_000),
    /** CTR, CPC and CPM need at least this many impressions in the window. */
    minImpressions: z.number().int().min(0).default(2_000),
    /** Hours after this rule changed (or proposed a change to) an entity before it may act on it again. */
    cooldownHours: z
      .number()
      .min(0)
      .max(24 * 90)
      .default(24),
    /** Entities younger than this are still learning: skipped. */
    learningDays: z.number().int().min(0).max(90).default(3),
    /** At most this many actions per run... */
    maxActionsPerRun: z.number().int().min(1).max(10_000).default(25),
    /** ...and per account and calendar day in the account's time zone. */
    maxActionsPerDayPerAccount: z.number().int().min(1).max(10_000).default(50),
    /** Budgets this rule sets stay within [floor, ceiling] (reporting-currency micros). */
    budgetFloorMicros: z.number().int().min(0).default(1_000_000),
    budgetCeilingMicros: z.number().int().positive().optional(),
  })
  .strict()
  .superRefine((g, ctx) => {
    if (g.budgetCeilingMicros !== undefined && g.budgetCeilingMicros < g.budgetFloorMicros)
      ctx.addIssue({ code: 'custom', path: ['budgetCeilingMicros'], message: 'the ceiling is below the floor' })
  })
export type RuleGuardrails = z.infer<typeof RuleGuardrailsSchema>
export const DEFAULT_GUARDRAILS: RuleGuardrails = RuleGuardrailsSchema.parse({})

// ── The rule ───────────────────────────────────────────────────────────────────────────────────

export const RULE_MODES = ['preview', 'approval', 'automatic'] as const
export const RuleModeSchema = z.enum(RULE_MODES)
export type RuleMode = z.infer<typeof RuleModeSchema>

/** A rule as written (rule.json for the CLI, the editor's form, rules:create). */
export const RuleInputSchema = z
  .object({
    workspaceId: Id,
    name: z.string().trim().min(1, 'a rule needs a name').max(120),
    description: z.string().max(2000).default(''),
    /** Paused rules never run on their schedule (preview still works). */
    enabled: z.boolean().default(true),
    mode: RuleModeSchema.default('preview'),
    scope: RuleScopeSchema,
    conditions: RuleGroupSchema,
    actions: z.array(RuleActionSchema).min(1, 'a rule needs at least one action').max(10),
    schedule: RuleScheduleSchema.default({ kind: 'after_sync' }),
    guardrails: RuleGuardrailsSchema.default(DEFAULT_GUARDRAILS),
    /** The template it was made from, if any. */
    template: z.string().max(60).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (depthOf(r.conditions) > 5)
      ctx.addIssue({ code: 'custom', path: ['conditions'], message: 'groups nest at most 5 deep' })
    const budgetActions = r.actions.filter((a) => a.kind === 'set_budget' || a.kind === 'change_budget')
    if (budgetActions.length && r.scope.level === 'ad')
      ctx.addIssue({
        code: 'custom',
        path: ['actions', r.actions.indexOf(budgetActions[0] as RuleAction), 'kind'],
        message: 'budgets live on campaigns and ad sets, not ads',
      })
    if (budgetActions.length > 1)
      ctx.addIssue({ code: 'custom', path: ['actions'], message: 'one budget action per rule' })
    const kinds = new Set(r.actions.map((a) => a.kind))
    if (kinds.has('pause') && kinds.has('enable'))
      ctx.addIssue({ code: 'custom', path: ['actions'], message: 'a rule cannot both pause and enable' })
    conditionsOf(r.conditions).forEach((c) => {
      if (c.of === 'parent_campaign' && r.scope.level === 'campaign')
        ctx.addIssue({ code: 'custom', path: ['conditions'], message: 'a campaign has no parent campaign' })
      if (r.scope.level === 'ad')
        for (const side of [c, ...(c.compareTo ? [c.compareTo] : [])])
          if (FORECAST_METRICS.includes(side.metric) && side.of === 'self')
            ctx.addIssue({
              code: 'custom',
              path: ['conditions'],
              message: `${RULE_METRIC_LABELS[side.metric]} is forecast for campaigns and ad sets: use the ad's campaign (of: parent_campaign)`,
            })
    })
  })
export type RuleInput = z.input<typeof RuleInputSchema>
export type RuleDefinition = z.output<typeof RuleInputSchema>

/** A stored rule with its current version and state. */
export const RuleSchema = z.object({
  id: z.number().int(),
  version: z.number().int(),
  definition: z.custom<RuleDefinition>(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
  lastRunAt: z.string().nullable(),
  nextRunAt: z.string().nullable(),
  /** Last run's counts. */
  lastRun: z
    .object({ id: z.number().int(), matched: z.number().int(), actions: z.number().int(), status: z.string() })
    .nullable(),
})
export type Rule = z.infer<typeof RuleSchema>

// ── Runs and decisions ─────────────────────────────────────────────────────────────────────────

export const SKIP_REASONS = [
  'data_minimum',
  'cooldown',
  'learning',
  'conflict',
  'provisional',
  'deleted',
  'action_limit',
  'budget_limit',
  'not_applicable',
  'no_forecast',
] as const
export const SkipReasonSchema = z.enum(SKIP_REASONS)
export type SkipReason = z.infer<typeof SkipReasonSchema>
export const SKIP_REASON_LABELS: Record<SkipReason, string> = {
  data_minimum: 'Not enough data',
  cooldown: 'Cooling down',
  learning: 'Still learning',
  conflict: 'Conflicts with another rule',
  provisional: 'Only provisional days',
  deleted: 'Deleted',
  action_limit: 'Action limit reached',
  budget_limit: 'Budget floor/ceiling',
  not_applicable: 'Action does not apply',
  no_forecast: 'No usable forecast',
}

export const DECISION_OUTCOMES = ['matched', 'not_matched', 'skipped'] as const
export const DecisionOutcomeSchema = z.enum(DECISION_OUTCOMES)
export type DecisionOutcome = z.infer<typeof DecisionOutcomeSchema>

/** One condition's numbers for one entity: the value, what it was compared with, and the result. */
export const ConditionResultSchema = z.object({
  /** Path in the tree ("0", "1.0"...). */
  path: z.string(),
  label: z.string(),
  /** The left-hand metric (units for alerts and the UI). */
  metric: RuleMetricSchema.optional(),
  value: z.number().nullable(),
  against: z.number().nullable(),
  /** true, false, or null when unknown (data minimum, provisional). */
  result: z.boolean().nullable(),
  note: z.string().optional(),
})
export type ConditionResult = z.infer<typeof ConditionResultSchema>

/** What a matched entity's action became. */
export const DecisionActionSchema = z.object({
  kind: z.string(),
  /** 'proposed' | 'applied'... the change's state, 'would' in preview, or 'done' for local actions. */
  outcome: z.string(),
  changeId: z.number().int().nullable(),
  before: z.union([z.number(), z.string(), z.null()]),
  after: z.union([z.number(), z.string(), z.null()]),
  note: z.string().optional(),
})
export type DecisionAction = z.infer<typeof DecisionActionSchema>

export const RuleDecisionSchema = z.object({
  entityType: EntityLevelSchema,
  entityId: z.number().int(),
  entityName: z.string(),
  accountId: z.number().int().nullable(),
  outcome: DecisionOutcomeSchema,
  reason: SkipReasonSchema.nullable(),
  detail: z.string().nullable(),
  conditions: z.array(ConditionResultSchema),
  actions: z.array(DecisionActionSchema),
  /**
   * Recorded compactly (a stored run's not-matched entities and those skipped before their
   * conditions held): the outcome and reason are the run's, the numbers were not stored —
   * `rules:explain` recomputes them.
   */
  compact: z.literal(true).optional(),
})
export type RuleDecision = z.infer<typeof RuleDecisionSchema>

/**
 * Outcomes a stored run records compactly (ids per outcome and reason, numbers recomputed when
 * asked): entities that did not come near acting, and matched ones past the run's action limits
 * (on a large store most matches of a broad rule; which ones were cut follows from the rule's
 * limits and the spend order). Matched entities, and matched ones another guardrail stopped
 * (cooldown, conflict, budget floor/ceiling, an action that does not apply), keep every number.
 */
export const COMPACT_SKIP_REASONS: readonly SkipReason[] = [
  'data_minimum',
  'provisional',
  'learning',
  'no_forecast',
  'deleted',
  'action_limit',
]

/** Whether a stored run records this outcome compactly. */
export function isCompactOutcome(outcome: DecisionOutcome, reason: SkipReason | null): boolean {
  return (
    outcome === 'not_matched' || (outcome === 'skipped' && reason !== null && COMPACT_SKIP_REASONS.includes(reason))
  )
}

/** A decision of a stored run explained: as recorded, or recomputed from the run's inputs. */
export const RuleExplanationSchema = z.object({
  decision: RuleDecisionSchema,
  /** false: the run stored these numbers; true: recomputed now (see `note`). */
  recomputed: z.boolean(),
  /** The outcome and reason the run recorded. */
  recorded: z.object({ outcome: DecisionOutcomeSchema, reason: SkipReasonSchema.nullable() }),
  /** Whether the recomputation reaches the recorded outcome and reason (always true when not recomputed). */
  sameAsRecorded: z.boolean(),
  /** What a recomputation is and what may differ. */
  note: z.string().nullable(),
})
export type RuleExplanation = z.infer<typeof RuleExplanationSchema>

export const RUN_TRIGGERS = ['schedule', 'after_sync', 'manual', 'preview'] as const
export const RunTriggerSchema = z.enum(RUN_TRIGGERS)
export type RunTrigger = z.infer<typeof RunTriggerSchema>

export const RuleRunSchema = z.object({
  id: z.number().int(),
  ruleId: z.number().int(),
  version: z.number().int(),
  trigger: RunTriggerSchema,
  mode: RuleModeSchema,
  dryRun: z.boolean(),
  status: z.enum(['succeeded', 'failed', 'skipped']),
  startedAt: z.string(),
  finishedAt: z.string(),
  considered: z.number().int(),
  matched: z.number().int(),
  skipped: z.number().int(),
  actions: z.number().int(),
  batchId: z.string().nullable(),
  message: z.string().nullable(),
})
export type RuleRun = z.infer<typeof RuleRunSchema>

/** A preview or run answered with every entity's decision. */
export const RuleRunResultSchema = z.object({
  run: RuleRunSchema,
  currency: z.string(),
  decisions: z.array(RuleDecisionSchema),
})
export type RuleRunResult = z.infer<typeof RuleRunResultSchema>

/** Decisions of a stored run a page shows at most (the history asks one page at a time). */
export const RUN_DECISIONS_PAGE = 100

/**
 * One page of a stored run's decisions, in reading order: matched, skipped (deleted entities
 * last), not matched; optionally one outcome only.
 */
export const RunPageRequestSchema = z
  .object({
    outcome: z.enum(['all', ...DECISION_OUTCOMES]).default('all'),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(1000).default(RUN_DECISIONS_PAGE),
  })
  .strict()
export type RunPageRequest = z.infer<typeof RunPageRequestSchema>

/** A stored run with one page of its decisions, how many the page's filter holds and the counts per outcome. */
export const RuleRunPageSchema = RuleRunResultSchema.extend({
  page: z.object({
    offset: z.number().int(),
    total: z.number().int(),
    counts: z.object({
      all: z.number().int(),
      matched: z.number().int(),
      skipped: z.number().int(),
      not_matched: z.number().int(),
    }),
  }),
})
export type RuleRunPage = z.infer<typeof RuleRunPageSchema>

/**
 * Run history kept per rule: runs that acted, always; the others (nothing proposed, applied,
 * labelled or alerted) while among the rule's newest RUN_HISTORY_KEEP runs and younger than
 * RUN_HISTORY_DAYS. At 10,000 campaigns a run's decisions take about 10 KB; a rule run every 15
 * minutes would otherwise add about 1 MB a day, per rule.
 */
export const RUN_HISTORY_KEEP = 50
export const RUN_HISTORY_DAYS = 30
