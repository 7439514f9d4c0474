import { z } from 'zod'
import type { ExperimentAnalysis } from '../../experiments/analysis'
import type { PowerPlan } from '../../experiments/stats'
import { IsoDateSchema } from '../../domain/metrics'
import type { EXPERIMENTS_INVOKE_CHANNELS } from '../channels/experiments'
import { READ, type ChannelSpec } from '../spec'

type Invoke = (typeof EXPERIMENTS_INVOKE_CHANNELS)[number]

const Id = z.number().int().positive()
/** What a test compares: ads, ad sets or campaigns. */
export const ExperimentLevelSchema = z.enum(['campaign', 'ad_set', 'ad'])
export type ExperimentLevelName = z.infer<typeof ExperimentLevelSchema>
/** Conversions per click (conversion rate) or clicks per impression (CTR). */
export const ExperimentMetricSchema = z.enum(['conversion_rate', 'ctr'])
export type ExperimentMetric = z.infer<typeof ExperimentMetricSchema>

const Confidence = z.number().gt(0.5).lt(1).default(0.95)
const Power = z.number().gt(0.5).lt(1).default(0.8)
/** Smallest relative lift worth detecting (0.1 = +10%). */
const Mde = z.number().gt(0).max(5).default(0.1)

const Interval = z.tuple([z.number(), z.number()])

const WelchSchema = z.object({
  diff: z.number(),
  relativeLift: z.number().nullable(),
  t: z.number(),
  df: z.number(),
  pValue: z.number(),
  ci: Interval,
  confidence: z.number(),
})
const RatioTestSchema = z.object({
  ratioA: z.number(),
  ratioB: z.number(),
  diff: z.number(),
  relativeLift: z.number().nullable(),
  z: z.number(),
  pValue: z.number(),
  ci: Interval,
  confidence: z.number(),
})
export const PowerPlanSchema = z.object({
  nPerVariant: z.number().int(),
  totalTrials: z.number().int(),
  days: z.number().int(),
  budgetMicros: z.number().int().nullable(),
  targetRate: z.number(),
})

export const ExperimentAnalysisSchema = z.object({
  control: z.string(),
  confidence: z.number(),
  relativeMde: z.number(),
  variants: z.array(z.object({ name: z.string(), n: z.number(), conversions: z.number(), rate: z.number() })),
  comparisons: z.array(
    z.object({
      variant: z.string(),
      rate: z.number(),
      controlRate: z.number(),
      diff: z.number(),
      relativeLift: z.number().nullable(),
      ci: Interval,
      pValue: z.number(),
      adjustedPValue: z.number(),
      probToBeat: z.number(),
      expectedLoss: z.number(),
      controlExpectedLoss: z.number(),
      sequentialPValue: z.number().nullable(),
      cumulative: z.array(
        z.object({
          date: z.string(),
          lift: z.number().nullable(),
          lower: z.number().nullable(),
          upper: z.number().nullable(),
          pValue: z.number(),
        }),
      ),
      revenuePerUser: WelchSchema.nullable(),
      cpa: RatioTestSchema.nullable(),
      roas: RatioTestSchema.nullable(),
    }),
  ),
  best: z.string(),
  pValue: z.number(),
  significant: z.boolean(),
  probToBeat: z.number(),
  srm: z.object({ chiSquare: z.number(), df: z.number().int(), pValue: z.number(), expected: z.array(z.number()) }),
  days: z.number().int().nullable(),
  plan: PowerPlanSchema.nullable(),
  powerReached: z.number(),
  daysMore: z.number().int().nullable(),
  verdict: z.object({
    kind: z.enum(['winner', 'loser', 'no_difference', 'keep_running', 'sample_ratio_mismatch']),
    text: z.string(),
  }),
})
// The schema and the analysis type must describe the same object.
type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const analysisShapeMatches: SameShape<z.infer<typeof ExperimentAnalysisSchema>, ExperimentAnalysis> = true
const planShapeMatches: SameShape<z.infer<typeof PowerPlanSchema>, PowerPlan> = true
void analysisShapeMatches
void planShapeMatches

const EntitySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  parent: z.string().nullable(),
  currency: z.string(),
  status: z.string(),
})
const EntityTotalsSchema = EntitySchema.extend({
  days: z.number().int(),
  impressions: z.number().int(),
  clicks: z.number().int(),
  conversions: z.number(),
  spendMicros: z.number().int(),
  revenueMicros: z.number().int(),
})

/** A test between entities of the store: what was compared and its analysis. */
export const EntityExperimentSchema = z.object({
  level: ExperimentLevelSchema,
  metric: ExperimentMetricSchema,
  from: IsoDateSchema,
  to: IsoDateSchema,
  /** Variants in the analysis are named by entity name; this maps them back. */
  entities: z.array(EntitySchema.extend({ variant: z.string() })),
  /** CPA and ROAS are compared only when every entity has the same currency. */
  currency: z.string().nullable(),
  /** Conversions are rounded to whole numbers per day for the binomial tests. */
  note: z.string().nullable(),
  analysis: ExperimentAnalysisSchema,
})
export type EntityExperiment = z.infer<typeof EntityExperimentSchema>

export const TestSuggestionSchema = z.object({
  adSetId: z.number().int(),
  adSet: z.string(),
  campaign: z.string(),
  currency: z.string(),
  /** The ads the test would compare. */
  adIds: z.array(z.number().int()),
  /** What the test measures: conversion rate when the traffic allows, else CTR. */
  metric: ExperimentMetricSchema,
  /** Trials (clicks, or impressions for CTR) per day over the window. */
  dailyTrials: z.number(),
  dailySpendMicros: z.number().int(),
  baseRate: z.number(),
  /** Revenue a lift of the MDE would add per week, micros (at the window's revenue per conversion). */
  weeklyValueMicros: z.number().int(),
  plan: PowerPlanSchema,
  reason: z.string(),
})
export type TestSuggestion = z.infer<typeof TestSuggestionSchema>

const CsvInputSchema = z
  .object({
    csv: z.string().min(1).max(64_000_000),
    variantColumn: z.string().min(1).max(200),
    outcomeColumn: z.string().min(1).max(200).optional(),
    trialsColumn: z.string().min(1).max(200).optional(),
    conversionsColumn: z.string().min(1).max(200).optional(),
    dateColumn: z.string().min(1).max(200).optional(),
    revenueColumn: z.string().min(1).max(200).optional(),
    spendColumn: z.string().min(1).max(200).optional(),
    consistentWith: z.string().min(1).max(200).optional(),
    uniqueBy: z.string().min(1).max(200).optional(),
    control: z.string().min(1).max(200).optional(),
    confidence: Confidence,
    mde: Mde,
  })
  .strict()

export const experimentsContract = {
  /** Entities of a level with clicks in the last `days` days (most clicks first), to pick test variants. */
  'experiments:listEntities': {
    ...READ,
    input: z
      .object({ workspaceId: Id, level: ExperimentLevelSchema, days: z.number().int().min(1).max(365).default(28) })
      .strict(),
    output: z.array(EntityTotalsSchema),
  },
  /** Analyse a test between 2–10 ads, ad sets or campaigns of the store over a date range (default: the last 28 days). */
  'experiments:analyzeEntities': {
    ...READ,
    input: z
      .object({
        workspaceId: Id,
        level: ExperimentLevelSchema,
        entityIds: z.array(Id).min(2).max(10),
        controlId: Id.optional(),
        from: IsoDateSchema.optional(),
        to: IsoDateSchema.optional(),
        metric: ExperimentMetricSchema.default('conversion_rate'),
        confidence: Confidence,
        mde: Mde,
      })
      .strict(),
    output: EntityExperimentSchema,
  },
  /** Analyse a test from a CSV (one row per user, or daily aggregates per variant); see docs/experiments.md. */
  'experiments:analyzeCsv': {
    ...READ,
    input: CsvInputSchema,
    output: z.object({
      format: z.enum(['users', 'daily']),
      rows: z.number().int(),
      dropped: z.object({ inconsistent: z.number().int(), duplicates: z.number().int() }),
      analysis: ExperimentAnalysisSchema,
    }),
  },
  /** Ad sets where a creative test would pay, with the days and budget it needs. */
  'experiments:suggest': {
    ...READ,
    input: z
      .object({
        workspaceId: Id,
        mde: Mde,
        confidence: Confidence,
        power: Power,
        days: z.number().int().min(7).max(365).default(28),
      })
      .strict(),
    output: z.array(TestSuggestionSchema),
  },
  /** Power analysis from an entity's real traffic (last 28 days): trials, days and budget. */
  'experiments:plan': {
    ...READ,
    input: z
      .object({
        workspaceId: Id,
        level: ExperimentLevelSchema,
        entityId: Id,
        metric: ExperimentMetricSchema.default('conversion_rate'),
        mde: Mde,
        confidence: Confidence,
        power: Power,
        variants: z.number().int().min(2).max(10).default(2),
      })
      .strict(),
    output: z.object({
      entity: EntitySchema,
      baseRate: z.number(),
      dailyTrials: z.number(),
      dailySpendMicros: z.number().int(),
      plan: PowerPlanSchema,
    }),
  },
} satisfies Record<Invoke, ChannelSpec>
