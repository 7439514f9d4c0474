import { z } from 'zod'
import { ENTITY_LEVELS, EntityLevelSchema, PlatformIdSchema } from '../../domain/entities'
import { DateRangeSchema, IsoDateSchema, KpisSchema, TotalsSchema } from '../../domain/metrics'
import { METRIC_KEYS } from '../../domain/metric-keys'

const Id = z.number().int().positive()
const Currency = z.string().regex(/^[A-Z]{3}$/, 'Use a 3-letter ISO currency code such as USD')
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Expected a month as YYYY-MM')

/** Levels of the reporting hierarchy: the workspace, platform and account above the entity levels. */
export const LevelSchema = z.enum(['workspace', 'platform', 'account', ...ENTITY_LEVELS])
export type Level = z.infer<typeof LevelSchema>
/** Time buckets: the whole range, or account-local days, ISO weeks (Monday start) or months. */
export const GrainSchema = z.enum(['total', 'day', 'week', 'month'])
export type Grain = z.infer<typeof GrainSchema>
/** Metrics that can rank or filter rows (ratios always from summed parts). */
export const MetricKeySchema = z.enum(METRIC_KEYS)
export type MetricKey = z.infer<typeof MetricKeySchema>

/** Common input: a workspace, a range of account-local dates, optionally some of its accounts. */
export const ScopeInputSchema = z.object({
  workspaceId: Id,
  range: DateRangeSchema,
  accountIds: z.array(Id).max(500).optional(),
})

/** One aggregated row (an entity, optionally within one period). Money in reporting-currency micros. */
export const EntityRowSchema = z.object({
  level: LevelSchema,
  /** Numeric id as a string, or the platform id for the platform level. */
  id: z.string(),
  name: z.string(),
  platform: PlatformIdSchema.nullable(),
  accountId: z.number().int().nullable(),
  campaignId: z.number().int().nullable(),
  adSetId: z.number().int().nullable(),
  status: z.string().nullable(),
  objective: z.string().nullable(),
  /** Period start (YYYY-MM-DD for day/week, YYYY-MM for month); null for grain "total". */
  period: z.string().nullable(),
  totals: TotalsSchema,
  kpis: KpisSchema,
  previousTotals: TotalsSchema.nullable(),
  previousKpis: KpisSchema.nullable(),
  /** True when some day of the range is still inside a restatement window. */
  provisional: z.boolean(),
})
export type EntityRow = z.infer<typeof EntityRowSchema>

export const BreakdownInputSchema = ScopeInputSchema.extend({
  level: LevelSchema,
  grain: GrainSchema.default('total'),
  /** Restrict to the children of one entity (drill-down: campaign -> ad sets -> ads). */
  parent: z
    .object({ level: z.enum(['platform', 'account', 'campaign', 'ad_set']), id: z.string() })
    .strict()
    .optional(),
  /** Also compute each row over the previous same-length period. */
  compare: z.boolean().default(false),
  /**
   * Only a window of the rows, filtered and sorted in the core (the explorer asks for the rows it
   * shows plus a margin); the answer's `total` says how many matched. Without it: every row.
   */
  window: z
    .object({
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000),
      sort: z.enum(['name', ...METRIC_KEYS]).default('spend'),
      dir: z.enum(['asc', 'desc']).default('desc'),
      search: z.string().max(200).default(''),
      platform: PlatformIdSchema.optional(),
      /** List archived (deleted) entities too; by default they are left out (their spend still counts in totals). */
      archived: z.boolean().default(false),
    })
    .strict()
    .optional(),
}).strict()

const CurrencyNote = {
  currency: z.string(),
  /** Currencies converted into `currency` at monthly rates (empty when none). */
  convertedFrom: z.array(z.string()),
}

export const BreakdownSchema = z.object({
  ...CurrencyNote,
  range: DateRangeSchema,
  previousRange: DateRangeSchema.nullable(),
  rows: z.array(EntityRowSchema),
  /** With a `window`: rows matching its filter (the window holds `rows` of them from `offset`). */
  total: z.number().int().nonnegative().optional(),
  offset: z.number().int().nonnegative().optional(),
  /** With a `window`: archived rows matching its filter (left out of `total` unless `window.archived`). */
  archived: z.number().int().nonnegative().optional(),
})
export type Breakdown = z.infer<typeof BreakdownSchema>

export const TopInputSchema = ScopeInputSchema.extend({
  level: EntityLevelSchema.default('campaign'),
  metric: MetricKeySchema,
  /** "top" = highest values first, "bottom" = lowest first. */
  order: z.enum(['top', 'bottom']).default('top'),
  limit: z.number().int().min(1).max(200).default(20),
  /** Rows that spent less than this (reporting-currency units) are left out. */
  minSpend: z.number().min(0).default(0),
}).strict()

export const TopSchema = z.object({ ...CurrencyNote, rows: z.array(EntityRowSchema) })

const Ma7 = z.object({
  spend: z.number().nullable(),
  revenue: z.number().nullable(),
  conversions: z.number().nullable(),
  roas: z.number().nullable(),
  cpa: z.number().nullable(),
  ctr: z.number().nullable(),
})

export const TrendInputSchema = ScopeInputSchema.extend({
  /** One entity's series instead of the workspace's (detail drawer). */
  entity: z
    .object({ level: z.enum(['account', ...ENTITY_LEVELS]), id: Id })
    .strict()
    .optional(),
}).strict()

export const TrendSeriesPointSchema = z.object({
  date: IsoDateSchema,
  totals: TotalsSchema,
  kpis: KpisSchema,
  /** Trailing 7-day moving average (sums over 7 days / 7; ratios from the 7-day sums). */
  ma7: Ma7,
  provisional: z.boolean(),
})
export type TrendSeriesPoint = z.infer<typeof TrendSeriesPointSchema>
export const TrendSeriesSchema = z.object({ ...CurrencyNote, points: z.array(TrendSeriesPointSchema) })

export const PacingRowSchema = z.object({
  accountId: z.number().int(),
  name: z.string(),
  platform: PlatformIdSchema,
  /** The account's own currency; every money field of the row is in it. */
  currency: z.string(),
  month: Month,
  /** Last account-local date with data (the "as of" of month-to-date). */
  asOf: IsoDateSchema.nullable(),
  daysElapsed: z.number().int(),
  daysInMonth: z.number().int(),
  spentMicros: z.number().int(),
  budgetMicros: z.number().int().nullable(),
  /** account: the account's monthly budget; campaigns: sum of active daily budgets x days in month. */
  budgetSource: z.enum(['account', 'campaigns', 'none']),
  /** Linear projection of month-end spend from the month-to-date run rate. */
  projectedMicros: z.number().int(),
  /** projected / budget (1 = on pace). */
  pace: z.number().nullable(),
  status: z.enum(['under', 'on_track', 'over', 'no_budget']),
})
export const PacingSchema = z.object({ rows: z.array(PacingRowSchema) })

export const FxInputSchema = z.object({ workspaceId: Id }).strict()
export const FxRateSchema = z.object({ currency: Currency, month: Month, rate: z.number().positive().finite() })
export const FxTableSchema = z.object({
  reportingCurrency: z.string(),
  /** Account currencies that need a rate (those other than the reporting currency). */
  currencies: z.array(z.string()),
  rates: z.array(FxRateSchema),
  /** Months with data that have no rate of their own for a currency (the nearest month is used). */
  missing: z.array(z.object({ currency: z.string(), month: z.string() })),
})
export const SetFxRatesInputSchema = z
  .object({
    workspaceId: Id,
    upsert: z.array(FxRateSchema).max(5000).default([]),
    remove: z
      .array(z.object({ currency: Currency, month: Month }).strict())
      .max(5000)
      .default([]),
  })
  .strict()
export const SetReportingCurrencyInputSchema = z.object({ workspaceId: Id, currency: Currency }).strict()

export { Currency, Id, Month }
