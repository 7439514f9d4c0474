import { z } from 'zod'
import { ChangeActionSchema } from './changes'
import { EntityLevelSchema } from './entities'

/**
 * Recommendations: impact-ranked advice. Each names its kind, the entities, the evidence (metric
 * values and a small chart), the expected impact in money per week with an 80% interval, a
 * confidence, and priority = impact x confidence. "Apply" turns the proposed changes into a batch
 * of the change pipeline (as the recommendation's principal); an applied recommendation is followed
 * up after its horizon (predicted vs realised). See docs/recommendations.md.
 */
export const RECOMMENDATION_KINDS = [
  'budget_reallocation',
  'scaling',
  'creative_refresh',
  'audience_expansion',
  'waste',
  'structure',
  'ab_test',
] as const
export const RecommendationKindSchema = z.enum(RECOMMENDATION_KINDS)
export type RecommendationKind = z.infer<typeof RecommendationKindSchema>

export const KIND_LABELS: Record<RecommendationKind, string> = {
  budget_reallocation: 'Budget reallocation',
  scaling: 'Scaling',
  creative_refresh: 'Creative refresh',
  audience_expansion: 'Audience expansion',
  waste: 'Waste',
  structure: 'Structure',
  ab_test: 'A/B test',
}

/** new → applied | dismissed | snoozed | expired; snoozed → new when the snooze ends (if still supported). */
export const RECOMMENDATION_STATES = ['new', 'applied', 'dismissed', 'snoozed', 'expired'] as const
export const RecommendationStateSchema = z.enum(RECOMMENDATION_STATES)
export type RecommendationState = z.infer<typeof RecommendationStateSchema>

export const RecEntitySchema = z.object({
  entityType: EntityLevelSchema,
  entityId: z.number().int(),
  name: z.string(),
  accountId: z.number().int(),
})
export type RecEntity = z.infer<typeof RecEntitySchema>

/** A number behind the advice, with its unit for display. */
export const EvidenceMetricSchema = z.object({
  label: z.string(),
  value: z.number().nullable(),
  unit: z.enum(['money', 'ratio', 'percent', 'count', 'days']),
})
export type EvidenceMetric = z.infer<typeof EvidenceMetricSchema>

/** A small chart: one or two named series over dates (or over spend for curves). */
export const EvidenceChartSchema = z.object({
  title: z.string(),
  x: z.array(z.union([z.string(), z.number()])),
  series: z.array(z.object({ name: z.string(), values: z.array(z.number().nullable()) })),
  /** What x means: dates, or daily spend in money. */
  xKind: z.enum(['date', 'money']),
})
export type EvidenceChart = z.infer<typeof EvidenceChartSchema>

/** One proposed platform change (applied through the change pipeline). */
export const RecChangeSchema = z.object({
  entityType: EntityLevelSchema,
  entityId: z.number().int(),
  name: z.string(),
  action: ChangeActionSchema,
})
export type RecChange = z.infer<typeof RecChangeSchema>

/** A row of a reallocation's before/after table, with the entity's curve (daily spend → revenue). */
export const ReallocationRowSchema = z.object({
  entityType: EntityLevelSchema,
  entityId: z.number().int(),
  name: z.string(),
  budgetBeforeMicros: z.number().int(),
  budgetAfterMicros: z.number().int(),
  spendBeforeMicros: z.number().int(),
  spendAfterMicros: z.number().int(),
  marginalRoasBefore: z.number(),
  marginalRoasAfter: z.number(),
  revenueBeforeMicros: z.number().int(),
  revenueAfterMicros: z.number().int(),
  /** Why it was held (learning, no usable curve, floor, cap), or null when it moved freely. */
  held: z.string().nullable(),
  curve: z.array(z.object({ spendMicros: z.number().int(), revenueMicros: z.number().int() })),
  curveR2: z.number().nullable(),
})
export type ReallocationRow = z.infer<typeof ReallocationRowSchema>

export const RecommendationBodySchema = z.object({
  summary: z.string(),
  entities: z.array(RecEntitySchema),
  evidence: z.object({
    metrics: z.array(EvidenceMetricSchema),
    chart: EvidenceChartSchema.nullable(),
    /** How the numbers were obtained, caveats (fallback forecasts, signals used), in plain words. */
    notes: z.array(z.string()),
  }),
  /** How the impact was estimated (so it can be checked). */
  impactMethod: z.string(),
  /** Days after applying when the outcome is measured. */
  horizonDays: z.number().int(),
  changes: z.array(RecChangeSchema),
  reallocation: z.array(ReallocationRowSchema).nullable(),
  /** For A/B test suggestions: where to plan it. */
  link: z.object({ route: z.string(), label: z.string() }).nullable(),
})
export type RecommendationBody = z.infer<typeof RecommendationBodySchema>

const Band = z.object({ point: z.number().int(), lower: z.number().int(), upper: z.number().int() })

/** Predicted vs realised impact of an applied recommendation (per week, micros of its currency). */
export const RecommendationFollowUpSchema = z.object({
  appliedDate: z.string(),
  /** The day the realised window ends (applied date + horizon). */
  dueDate: z.string(),
  predicted: Band.nullable(),
  /** Weekly net money (revenue − spend) of the entities over the horizon minus the same before it. */
  realisedMicros: z.number().int().nullable(),
  /** Whether the realised value fell inside the predicted 80% interval (null until measured). */
  withinInterval: z.boolean().nullable(),
  measuredAt: z.string().nullable(),
  /** Baseline window (the horizon's length before applying) and its weekly net, micros. */
  before: z.object({ from: z.string(), to: z.string(), netPerWeekMicros: z.number().int() }),
  after: z.object({ from: z.string(), to: z.string(), netPerWeekMicros: z.number().int() }).nullable(),
  note: z.string(),
})
export type RecommendationFollowUp = z.infer<typeof RecommendationFollowUpSchema>

export const RecommendationSchema = z.object({
  id: z.number().int(),
  workspaceId: z.number().int(),
  kind: RecommendationKindSchema,
  key: z.string(),
  state: RecommendationStateSchema,
  title: z.string(),
  currency: z.string(),
  /** Expected money per week; null when this kind's impact is not estimated (tips, test ideas). */
  impact: Band.nullable(),
  confidence: z.number(),
  priority: z.number(),
  body: RecommendationBodySchema,
  snoozedUntil: z.string().nullable(),
  batchId: z.string().nullable(),
  followUp: RecommendationFollowUpSchema.nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  createdAt: z.string(),
  seenAt: z.string(),
})
export type Recommendation = z.infer<typeof RecommendationSchema>

/**
 * The industry (vertical) a workspace advertises in, which picks the public CTR/CPC benchmark the
 * "far from the vertical's benchmark" tip compares with. 'unknown' (the default) gives no tip: the
 * app does not guess an industry. Figures: electron/main/recommendations/benchmarks.ts.
 */
export const VERTICALS = [
  'unknown',
  'apparel',
  'auto',
  'b2b',
  'beauty',
  'consumer_services',
  'education',
  'employment',
  'finance',
  'fitness',
  'home_improvement',
  'healthcare',
  'industrial',
  'legal',
  'real_estate',
  'retail',
  'technology',
  'travel',
] as const
export const VerticalSchema = z.enum(VERTICALS)
export type Vertical = z.infer<typeof VerticalSchema>

export const VERTICAL_LABELS: Record<Vertical, string> = {
  unknown: 'Not set (no benchmark tips)',
  apparel: 'Apparel',
  auto: 'Auto',
  b2b: 'B2B',
  beauty: 'Beauty',
  consumer_services: 'Consumer services',
  education: 'Education',
  employment: 'Employment & job training',
  finance: 'Finance & insurance',
  fitness: 'Fitness',
  home_improvement: 'Home improvement',
  healthcare: 'Healthcare',
  industrial: 'Industrial services',
  legal: 'Legal',
  real_estate: 'Real estate',
  retail: 'Retail',
  technology: 'Technology',
  travel: 'Travel & hospitality',
}

/** An account's monthly spend plan (what the pacing tip compares with). */
export const AccountPlanSchema = z.object({
  accountId: z.number().int(),
  name: z.string(),
  platform: z.string(),
  currency: z.string(),
  /** The plan for a calendar month, micros of the account currency; null: none set (daily budgets stand in). */
  monthlyPlanMicros: z.number().int().nullable(),
})
export type AccountPlan = z.infer<typeof AccountPlanSchema>

/** The advice settings of a workspace: its vertical and each account's monthly plan. */
export const RecommendationSettingsSchema = z.object({
  vertical: VerticalSchema,
  plans: z.array(AccountPlanSchema),
})
export type RecommendationSettings = z.infer<typeof RecommendationSettingsSchema>
