import { z } from 'zod'
import { EntityLevelSchema } from '../../domain/entities'
import type { ML_EVENT_CHANNELS, ML_INVOKE_CHANNELS } from '../channels/ml'
import { EDIT, READ, type ChannelSpec } from '../spec'

type Invoke = (typeof ML_INVOKE_CHANNELS)[number]
type Event = (typeof ML_EVENT_CHANNELS)[number]

const WorkspaceId = z.number().int().positive()
/** What can be forecast: campaigns and ad sets. */
export const MlEntityTypeSchema = EntityLevelSchema.extract(['campaign', 'ad_set'])
export type MlEntityType = z.infer<typeof MlEntityTypeSchema>
export const ModelNameSchema = z.enum(['forecast'])

/** Held-out accuracy on window totals (the last 28 days); naiveMae = last-28-day-average baseline. */
export const MetricSummarySchema = z.object({
  n: z.number().int(),
  mae: z.number(),
  mape: z.number(),
  r2: z.number(),
  coverage: z.number(),
  naiveMae: z.number(),
})
export type MetricSummary = z.infer<typeof MetricSummarySchema>

export const SpendTierSchema = z.enum(['low', 'mid', 'high'])
export type SpendTier = z.infer<typeof SpendTierSchema>
const ByTier = z.object({ low: z.number(), mid: z.number(), high: z.number() })

/** Rolling-origin figures of one metric: model vs the seasonal naive baseline on the same windows. */
export const TargetBacktestSchema = z.object({
  rows: z.number().int(),
  modelMae: z.number(),
  naiveMae: z.number(),
  /** The model is used for this metric only when true. */
  modelBetter: z.boolean(),
  coverage: z.number(),
  /** Share of windows inside the model's 80% interval per spend tier (target 0.75–0.85 each). */
  coverageByTier: ByTier,
  baselineCoverageByTier: ByTier,
  rowsByTier: ByTier,
  entities: z.number().int(),
  /** Entities where the model lost to the baseline on their own windows (they get the baseline). */
  entitiesOnBaseline: z.number().int(),
})
export type TargetBacktest = z.infer<typeof TargetBacktestSchema>

export const BacktestSchema = z.object({
  /** First forecast day of each cut-off, oldest first. */
  cutoffs: z.array(z.string()),
  horizons: z.array(z.number().int()),
  /** Upper bounds of the low and mid tiers: mean daily spend over 28 days (account currency units). */
  tierBounds: z.tuple([z.number(), z.number()]),
  conversions: TargetBacktestSchema,
  revenue: TargetBacktestSchema,
})
export type Backtest = z.infer<typeof BacktestSchema>

export const ModelMetricsSchema = z.object({
  /** Rolling-origin accuracy (versions before v3 artifacts: the last 28 settled days). */
  conversions: MetricSummarySchema,
  revenue: MetricSummarySchema,
  trainRows: z.number().int(),
  calibrationRows: z.number().int(),
  testRows: z.number().int(),
  intervalLevel: z.number(),
  /** Absent on versions trained before the rolling-origin evaluation. */
  backtest: BacktestSchema.optional(),
})
export type ModelMetrics = z.infer<typeof ModelMetricsSchema>

export const ModelVersionSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  version: z.number().int(),
  active: z.boolean(),
  features: z.array(z.string()),
  dataFrom: z.string().nullable(),
  dataTo: z.string().nullable(),
  metrics: ModelMetricsSchema,
  trainedAt: z.string(),
})
export type ModelVersion = z.infer<typeof ModelVersionSchema>

/** Point and interval of one quantity (interval at the model's stated level, usually 80%). */
export const BandSchema = z.object({ point: z.number(), lower: z.number(), upper: z.number() })
export type Band = z.infer<typeof BandSchema>

const EntityRef = z.object({
  workspaceId: WorkspaceId,
  entityType: MlEntityTypeSchema,
  entityId: z.number().int().positive(),
})

export const ForecastBasisSchema = z.object({
  /** `model` for both metrics, `fallback` when the seasonal baseline is used for at least one. */
  status: z.enum(['model', 'fallback', 'none']),
  /** From the entity's spend: `paused` (no spend for 3+ days), `new`, `idle` never get the model. */
  dataStatus: z.enum(['ok', 'new', 'paused', 'idle']),
  methods: z.object({ conversions: z.enum(['model', 'baseline']), revenue: z.enum(['model', 'baseline']) }),
  tier: SpendTierSchema,
  /** Plain-language reasons for every fallback or caveat (empty when none). */
  reasons: z.array(z.string()),
})
export type ForecastBasis = z.infer<typeof ForecastBasisSchema>

export const ForecastSchema = z.object({
  entityType: MlEntityTypeSchema,
  entityId: z.number().int(),
  name: z.string(),
  currency: z.string(),
  /** Day after the last data day (account-local). */
  startDate: z.string(),
  days: z.number().int(),
  /** Mean daily spend of the last 7 days, micros of the account currency. */
  currentDailySpendMicros: z.number().int(),
  plannedDailySpendMicros: z.number().int(),
  conversions: BandSchema,
  /** Revenue totals in micros of the account currency. */
  revenueMicros: BandSchema,
  /** Revenue / planned spend over the window (point and interval from the revenue band). */
  roas: BandSchema.nullable(),
  /** Cumulative forecast by day for the chart (day 1..days). */
  path: z.array(z.object({ date: z.string(), conversions: BandSchema, revenueMicros: BandSchema })),
  /** Actual daily history before the forecast (last 56 days) for context. */
  history: z.array(
    z.object({
      date: z.string(),
      spendMicros: z.number().int(),
      conversions: z.number(),
      revenueMicros: z.number().int(),
    }),
  ),
  model: z.object({ version: z.number().int(), trainedAt: z.string(), metrics: ModelMetricsSchema }),
  /** How the numbers were made and why (fallbacks and their reasons). */
  basis: ForecastBasisSchema,
  /**
   * How the planned spend was applied: `current` (none asked), `curve` (the response curve: the
   * what-if's marginal ROAS is the curve's), `proportional` (no usable curve: constant returns).
   */
  spendResponse: z.enum(['current', 'curve', 'proportional']),
})
export type Forecast = z.infer<typeof ForecastSchema>

export const ResponseCurveSchema = z.object({
  currency: z.string(),
  /** Adstock carry-over per day (0..1), Hill shape and half-saturation (daily spend units). */
  params: z.object({
    theta: z.number(),
    s: z.number(),
    k: z.number(),
    beta: z.number(),
    r2: z.number(),
    /** R² of 7-day sums: the quality gate (`minR2`). */
    r2Weekly: z.number(),
    days: z.number().int(),
  }),
  /** Recent active daily spend (mean of the last 7 days with spend), as in the forecast. */
  currentDailySpendMicros: z.number().int(),
  points: z.array(
    z.object({
      spendMicros: z.number().int(),
      revenueMicros: z.number().int(),
      conversions: z.number(),
      marginalRoas: z.number(),
    }),
  ),
  /** d(revenue)/d(spend) at the current daily spend. */
  marginalRoasAtCurrent: z.number(),
  /** False when the fit is too poor to use (then it is not shown and does not drive the what-if). */
  usable: z.boolean(),
  /** Why it is not usable, or null. */
  problem: z.string().nullable(),
  minR2: z.number(),
})
export type ResponseCurveView = z.infer<typeof ResponseCurveSchema>

export const DriverNodeSchema = z.object({
  id: z.number().int(),
  parent: z.number().int().nullable(),
  depth: z.number().int(),
  /** Human-readable rule that leads here from the parent ("Platform is TikTok", "CTR < 1.2%"). */
  rule: z.string(),
  adSets: z.number().int(),
  spendMicros: z.number().int(),
  conversions: z.number(),
  /** CPA from summed spend and conversions, micros; null without conversions. */
  cpaMicros: z.number().int().nullable(),
  leaf: z.boolean(),
})
export type DriverNode = z.infer<typeof DriverNodeSchema>

export const EntityForecastSchema = z.object({
  entityType: MlEntityTypeSchema,
  entityId: z.number().int(),
  horizonDays: z.number().int(),
  currency: z.string(),
  dailySpendMicros: z.number().int(),
  conversions: BandSchema,
  revenueMicros: BandSchema,
  createdAt: z.string(),
  /** Absent on badges stored before fallbacks existed. */
  status: z.enum(['model', 'fallback']).optional(),
  reasons: z.array(z.string()).optional(),
})
export type EntityForecast = z.infer<typeof EntityForecastSchema>

export const LtvGroupSchema = z.object({
  key: z.string(),
  customers: z.number().int(),
  /** Mean expected revenue per customer over the horizon, micros of the orders' currency. */
  ltvMicros: z.number().int(),
  /** Mean revenue per customer so far (calibration period), micros. */
  historicMicros: z.number().int(),
  expectedPurchases: z.number(),
})
export type LtvGroup = z.infer<typeof LtvGroupSchema>

export const LtvSchema = z.object({
  currency: z.string(),
  customers: z.number().int(),
  orders: z.number().int(),
  from: z.string(),
  to: z.string(),
  horizonWeeks: z.number().int(),
  bgnbd: z.object({ r: z.number(), alpha: z.number(), a: z.number(), b: z.number() }),
  gammaGamma: z.object({ p: z.number(), q: z.number(), gamma: z.number() }).nullable(),
  byChannel: z.array(LtvGroupSchema),
  byCampaign: z.array(LtvGroupSchema),
})
export type Ltv = z.infer<typeof LtvSchema>

const ValueRowSchema = z.object({
  key: z.string(),
  currency: z.string(),
  conversions: z.number(),
  revenueMicros: z.number().int(),
  /** Revenue / conversions from summed parts, micros; null without conversions. */
  revenuePerConversionMicros: z.number().int().nullable(),
})

/** Value per conversion from ad-platform data: the stand-in for LTV where no orders are imported. */
export const ValuePerConversionSchema = z.object({
  from: z.string(),
  to: z.string(),
  byPlatform: z.array(
    ValueRowSchema.extend({
      /** Weekly curve (week = Monday, account-local dates). */
      weekly: z.array(z.object({ week: z.string(), revenuePerConversionMicros: z.number().int().nullable() })),
    }),
  ),
  byCampaign: z.array(ValueRowSchema.extend({ campaignId: z.number().int() })),
})
export type ValuePerConversion = z.infer<typeof ValuePerConversionSchema>

/** Invoke channels of the ml domain: zod input and output per channel. */
export const mlContract = {
  /** Model versions of a workspace, newest first, with held-out metrics. */
  'ml:listModels': {
    ...READ,
    input: z.object({ workspaceId: WorkspaceId }).strict(),
    output: z.array(ModelVersionSchema),
  },
  /** Queue a training job ("Retrain"); the new version becomes active only if it beats the active one. */
  'ml:train': {
    ...EDIT,
    input: z.object({ workspaceId: WorkspaceId, model: ModelNameSchema.default('forecast') }).strict(),
    output: z.object({ jobId: z.number().int() }),
  },
  /** Forecast of conversions and revenue for the next `days` at a planned daily spend (default: last 7 days' mean). */
  'ml:getForecast': {
    ...READ,
    input: EntityRef.extend({
      days: z.number().int().min(1).max(90),
      dailySpendMicros: z.number().int().min(0).max(1e15).optional(),
    }).strict(),
    output: ForecastSchema,
  },
  /** Adstock + Hill response curve of an entity over its last 180 days (fitted on demand). */
  'ml:getResponseCurve': { ...READ, input: EntityRef.strict(), output: ResponseCurveSchema },
  /** A small readable tree (ml-cart) of what separates high-CPA from low-CPA ad sets over the last `days`. */
  'ml:getDrivers': {
    ...READ,
    input: z.object({ workspaceId: WorkspaceId, days: z.number().int().min(14).max(365).default(90) }).strict(),
    output: z.object({ rows: z.number().int(), currency: z.string().nullable(), nodes: z.array(DriverNodeSchema) }),
  },
  /** Stored 14-day forecasts at current spend of every campaign (prediction badges), from the active model. */
  'ml:listEntityForecasts': {
    ...READ,
    input: z
      .object({
        workspaceId: WorkspaceId,
        entityType: MlEntityTypeSchema.default('campaign'),
        /**
         * Only these entities' badges (the explorer asks for the rows it loaded: all 10,000 campaigns'
         * badges were an 8.6 MB answer). Without it: every badge of the type.
         */
        ids: z.array(z.number().int().positive()).max(1000).optional(),
      })
      .strict(),
    output: z.array(EntityForecastSchema),
  },
  /** Campaigns and ad sets that can be forecast (for the entity picker). */
  /**
   * Campaigns and ad sets a forecast can be asked for (the entity picker): those whose name holds
   * `search`, campaigns with their ad sets in id order, at most `limit` (the picker asks for what
   * it shows); `include` is added when it falls outside (the selected one). Without `limit`: all.
   */
  'ml:listEntities': {
    ...READ,
    input: z
      .object({
        workspaceId: WorkspaceId,
        search: z.string().max(200).optional(),
        limit: z.number().int().min(1).max(1000).optional(),
        include: z
          .object({ entityType: MlEntityTypeSchema, entityId: z.number().int().positive() })
          .strict()
          .optional(),
      })
      .strict(),
    output: z.array(
      z.object({
        entityType: MlEntityTypeSchema,
        entityId: z.number().int(),
        name: z.string(),
        campaignId: z.number().int(),
        platform: z.string(),
      }),
    ),
  },
  /**
   * Import an orders CSV (customer_id, date YYYY-MM-DD, revenue; optional currency, campaign_id,
   * utm_source, utm_campaign). All-or-nothing: any bad row rejects the file with its line number.
   */
  'ml:importOrders': {
    ...EDIT,
    input: z
      .object({
        workspaceId: WorkspaceId,
        csv: z.string().min(1).max(200_000_000),
        currency: z.string().length(3).optional(),
        replace: z.boolean().default(false),
      })
      .strict(),
    output: z.object({ imported: z.number().int(), customers: z.number().int(), from: z.string(), to: z.string() }),
  },
  /** BG/NBD + Gamma-Gamma lifetime value per acquisition channel and campaign from imported orders. */
  'ml:getLtv': {
    ...READ,
    input: z.object({ workspaceId: WorkspaceId, horizonWeeks: z.number().int().min(4).max(260).default(52) }).strict(),
    output: LtvSchema,
  },
  /** Revenue per conversion by platform (weekly curve) and campaign over the last `days` (no order data needed). */
  'ml:getValuePerConversion': {
    ...READ,
    input: z.object({ workspaceId: WorkspaceId, days: z.number().int().min(7).max(730).default(182) }).strict(),
    output: ValuePerConversionSchema,
  },
} satisfies Record<Invoke, ChannelSpec>

/** Event payloads of the ml domain. */
export const mlEvents = {
  /** A training run finished; `activated` says whether the new version replaced the active one. */
  'ml:modelTrained': z.object({
    workspaceId: z.number().int(),
    name: z.string(),
    version: z.number().int(),
    activated: z.boolean(),
    /** Held-out error of the new version (relative to the naive forecast; lower is better). */
    score: z.number().optional(),
    /** The same for the version that was active before, when there was one. */
    activeScore: z.number().nullable().optional(),
  }),
} satisfies Record<Event, z.ZodType>
