import { z } from 'zod'
import { EntityLevelSchema } from '../../domain/entities'
import { CreativeFormatSchema, PlatformIdSchema } from '../../domain/entities'
import { DateRangeSchema, IsoDateSchema, KpisSchema, TotalsSchema } from '../../domain/metrics'
import { METRIC_KEYS } from '../../domain/metric-keys'
import { Id } from './analytics-schemas'

/** Daily series the anomaly detector watches. */
export const AnomalyMetricSchema = z.enum(['spend', 'conversions', 'cpa', 'ctr', 'roas'])
export type AnomalyMetric = z.infer<typeof AnomalyMetricSchema>
export const AnomalyLevelSchema = z.enum(['workspace', 'account', 'campaign'])
export const SeveritySchema = z.enum(['info', 'warning', 'critical'])

/** A run of consecutive anomalous days of one metric on one entity. */
export const AnomalySchema = z.object({
  /** Stable key: level:entityId:metric:startDate. */
  id: z.string(),
  level: AnomalyLevelSchema,
  entityId: z.number().int(),
  entityName: z.string(),
  platform: PlatformIdSchema.nullable(),
  accountId: z.number().int().nullable(),
  metric: AnomalyMetricSchema,
  startDate: IsoDateSchema,
  endDate: IsoDateSchema,
  /** The most anomalous day of the run. */
  peakDate: IsoDateSchema,
  /** The currency of `actual` and `expected` for money metrics: the account's (the workspace's for "All accounts"). */
  currency: z.string(),
  /** Value on the peak day (currency units for money, a fraction for CTR). */
  actual: z.number(),
  /** The weekday-adjusted baseline for that day. */
  expected: z.number(),
  /** actual / expected. */
  ratio: z.number(),
  /** Robust z-score (log scale, median/MAD) of the peak day. */
  score: z.number(),
  direction: z.enum(['up', 'down']),
  severity: SeveritySchema,
  /** True inside a known retail peak (cyber week, Christmas): expected, hidden by default. */
  seasonal: z.boolean(),
  explanation: z.string(),
  /** CPA or ROAS on the peak day has no value: spend with no conversions (`actual` is then 0). */
  undefinedValue: z.boolean().optional(),
  /**
   * The run reaches into days whose conversions are still arriving (a conversion metric): a rise
   * there, or a fall deeper than late conversions explain.
   */
  settling: z.boolean().optional(),
  /** Judged against the entity's own few weeks since launch (no three weeks of history yet). */
  young: z.boolean().optional(),
})
export type Anomaly = z.infer<typeof AnomalySchema>

export const ListAnomaliesInputSchema = z
  .object({
    workspaceId: Id,
    /** Days to report; the baseline also looks back 8 weeks before `from`. Default: last 90 days. */
    range: DateRangeSchema.optional(),
    metrics: z.array(AnomalyMetricSchema).optional(),
    levels: z.array(AnomalyLevelSchema).optional(),
    minSeverity: SeveritySchema.default('info'),
    includeSeasonal: z.boolean().default(false),
  })
  .strict()

/**
 * Something the list could not judge, said in plain words for the Anomalies page and the alerts:
 * `fx_missing` — an account currency without any exchange rate, so the workspace total ("All
 * accounts") is not checked (accounts and campaigns are, in their own currency);
 * `season_without_history` — retail-season days judged without last year's season;
 * `conversions_settling` — the newest days, whose conversions are still arriving (per platform).
 */
export const AnomalyNoteSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fx_missing'), from: z.string(), to: z.string(), message: z.string() }),
  z.object({ kind: z.literal('season_without_history'), from: IsoDateSchema, to: IsoDateSchema, message: z.string() }),
  z.object({ kind: z.literal('conversions_settling'), from: IsoDateSchema, to: IsoDateSchema, message: z.string() }),
])
export type AnomalyNote = z.infer<typeof AnomalyNoteSchema>

export const AnomalyListSchema = z.object({
  currency: z.string(),
  range: DateRangeSchema,
  anomalies: z.array(AnomalySchema),
  notes: z.array(AnomalyNoteSchema),
})

export const MetricSeriesInputSchema = z
  .object({
    workspaceId: Id,
    level: AnomalyLevelSchema,
    entityId: z.number().int(),
    metric: AnomalyMetricSchema,
    range: DateRangeSchema,
  })
  .strict()

export const MetricSeriesSchema = z.object({
  currency: z.string(),
  points: z.array(
    z.object({
      date: IsoDateSchema,
      actual: z.number().nullable(),
      expected: z.number().nullable(),
      /** Band of +/- 3 robust standard deviations around `expected`. */
      lower: z.number().nullable(),
      upper: z.number().nullable(),
      score: z.number().nullable(),
      flagged: z.boolean(),
      /** Conversions of this day are still arriving (conversion metrics only). */
      settling: z.boolean().optional(),
    }),
  ),
})

const Source = z.object({ publisher: z.string(), title: z.string(), year: z.number().int(), url: z.string() })
export const BenchmarkMetricSchema = z.enum(['ctr', 'cpc', 'cpm', 'cvr', 'cpa'])
export const BenchmarkEntrySchema = z.object({
  platform: PlatformIdSchema,
  objective: z.string(),
  metric: BenchmarkMetricSchema,
  /** Fractions for CTR/CVR, USD for CPC/CPM/CPA. */
  value: z.number(),
  /** What the figure is (the source's own statistic: an average or a median). */
  statistic: z.enum(['median', 'average']),
  note: z.string().nullable(),
  source: Source,
})
export const BenchmarkTableSchema = z.object({ currency: z.string(), entries: z.array(BenchmarkEntrySchema) })

export const BenchmarkPositionSchema = z.object({
  campaignId: z.number().int(),
  name: z.string(),
  platform: PlatformIdSchema,
  objective: z.string(),
  metrics: z.array(
    z.object({
      metric: BenchmarkMetricSchema,
      value: z.number().nullable(),
      benchmark: z.number().nullable(),
      /** value / benchmark - 1. */
      diff: z.number().nullable(),
      /** Whether the campaign does better than the benchmark (lower is better for costs). */
      better: z.boolean().nullable(),
      source: Source.nullable(),
    }),
  ),
})
export const BenchmarkPositionsSchema = z.object({
  currency: z.string(),
  /** Costs are compared in USD only; another reporting currency leaves cost benchmarks out. */
  costsCompared: z.boolean(),
  rows: z.array(BenchmarkPositionSchema),
})

export const FatigueStateSchema = z.enum(['fresh', 'stable', 'declining', 'fatigued', 'insufficient_data'])
export const FatigueSummarySchema = z.object({
  state: FatigueStateSchema,
  /** CTR at launch from the fitted decay, and now. */
  initialCtr: z.number().nullable(),
  currentCtr: z.number().nullable(),
  /** Fitted relative CTR loss per million cumulative impressions. */
  decayPerMillion: z.number().nullable(),
  /** Days until CTR falls below the fatigue line (70% of launch CTR) at the recent delivery pace. */
  daysUntilFatigue: z.number().nullable(),
  explanation: z.string(),
})

export const CreativeRowSchema = z.object({
  adId: z.number().int(),
  name: z.string(),
  status: z.string(),
  campaignId: z.number().int(),
  campaignName: z.string(),
  adSetId: z.number().int(),
  adSetName: z.string(),
  platform: PlatformIdSchema,
  format: CreativeFormatSchema.or(z.string()),
  headline: z.string().nullable(),
  thumbnailUrl: z.string().nullable(),
  launchDate: z.string().nullable(),
  totals: TotalsSchema,
  kpis: KpisSchema,
  fatigue: FatigueSummarySchema,
})
export const CreativeListSchema = z.object({
  currency: z.string(),
  convertedFrom: z.array(z.string()),
  rows: z.array(CreativeRowSchema),
  /** For a window: the ads matching its search (the list's length) and where the window starts. */
  total: z.number().int().optional(),
  offset: z.number().int().optional(),
  /**
   * For a window: the data's generation its order was cut from. Windows of one generation come from
   * one order; a later one means the data changed in between (an export then starts again).
   */
  generation: z.number().int().optional(),
})
export const CreativesInputSchema = z
  .object({
    workspaceId: Id,
    range: DateRangeSchema,
    /** Without a window: the `limit` ads of highest spend (500 with their fatigue are ~0.5 MB: an answer stays under 1 MB). */
    limit: z.number().int().min(1).max(500).default(300),
    /**
     * One window of every ad delivered in the range, filtered by name and sorted in the core (the
     * Creatives page asks for the rows it shows plus a margin); the answer's `total` says how many matched.
     */
    window: z
      .object({
        offset: z.number().int().min(0).default(0),
        /** 500 ads with their fatigue are ~0.5 MB: an answer stays under 1 MB. */
        limit: z.number().int().min(1).max(500),
        /** A metric of the range's totals or the name (fatigue is fitted per row shown, so it does not sort). */
        sort: z.enum(['name', ...METRIC_KEYS]).default('spend'),
        dir: z.enum(['asc', 'desc']).default('desc'),
        search: z.string().max(200).default(''),
      })
      .strict()
      .optional(),
  })
  .strict()

const Interval = z.tuple([z.number(), z.number()]).nullable()
export const FormatComparisonSchema = z.object({
  currency: z.string(),
  rows: z.array(
    z.object({
      format: z.string(),
      ads: z.number().int(),
      totals: TotalsSchema,
      kpis: KpisSchema,
      /** 95% intervals treating ads as clusters (ratio estimator), not impressions as independent. */
      ctrCi: Interval,
      cvrCi: Interval,
      roasCi: Interval,
    }),
  ),
})

export const FatigueDetailSchema = FatigueSummarySchema.extend({
  adId: z.number().int(),
  name: z.string(),
  points: z.array(
    z.object({ date: IsoDateSchema, cumImpressions: z.number(), impressions: z.number(), ctr: z.number().nullable() }),
  ),
  /** Fitted CTR at each point's cumulative impressions. */
  fitted: z.array(z.number()).nullable(),
})

export const CompareInputSchema = z
  .object({
    workspaceId: Id,
    level: EntityLevelSchema,
    aId: Id,
    bId: Id,
    range: DateRangeSchema,
    /** ctr: clicks / impressions; cvr: conversions / clicks. */
    metric: z.enum(['ctr', 'cvr']),
  })
  .strict()

const Arm = z.object({
  id: z.number().int(),
  name: z.string(),
  successes: z.number(),
  trials: z.number(),
  rate: z.number().nullable(),
})
export const ComparisonSchema = z.object({
  metric: z.enum(['ctr', 'cvr']),
  a: Arm,
  b: Arm,
  /** rate(b) - rate(a) and its 95% interval. */
  diff: z.number().nullable(),
  diffCi: Interval,
  relativeLift: z.number().nullable(),
  z: z.number().nullable(),
  /** Two-sided p-value of the pooled two-proportion z-test. */
  pValue: z.number().nullable(),
  significant: z.boolean(),
  /** P(rate_b > rate_a) under independent Beta(1,1) priors. */
  probBBeatsA: z.number().nullable(),
  summary: z.string(),
})
