import { z } from 'zod'
import { DateRangeSchema } from '../../domain/metrics'
import type { ANALYTICS_EVENT_CHANNELS, ANALYTICS_INVOKE_CHANNELS } from '../channels/analytics'
import { ADMIN, EDIT, READ, type ChannelSpec } from '../spec'
import {
  AnomalyListSchema,
  BenchmarkPositionsSchema,
  BenchmarkTableSchema,
  CompareInputSchema,
  ComparisonSchema,
  CreativeListSchema,
  CreativesInputSchema,
  FatigueDetailSchema,
  FormatComparisonSchema,
  ListAnomaliesInputSchema,
  MetricSeriesInputSchema,
  MetricSeriesSchema,
} from './analytics-insights'
import {
  BreakdownInputSchema,
  BreakdownSchema,
  FxInputSchema,
  FxTableSchema,
  Id,
  PacingSchema,
  SetFxRatesInputSchema,
  SetReportingCurrencyInputSchema,
  TopInputSchema,
  TopSchema,
  TrendInputSchema,
  TrendSeriesSchema,
} from './analytics-schemas'

export * from './analytics-insights'
export * from './analytics-schemas'

type Invoke = (typeof ANALYTICS_INVOKE_CHANNELS)[number]
type Event = (typeof ANALYTICS_EVENT_CHANNELS)[number]

const WorkspaceRange = z.object({ workspaceId: Id, range: DateRangeSchema }).strict()

/** Invoke channels of the analytics domain: zod input and output per channel. */
export const analyticsContract = {
  /** Totals and ratios by workspace/platform/account/campaign/ad set/ad, per day/week/month or the whole range, optionally vs the previous period; money in reporting-currency micros. */
  'analytics:getBreakdown': { ...READ, input: BreakdownInputSchema, output: BreakdownSchema },
  /** Top or bottom N entities by any metric over a range, with a minimum spend (reporting-currency units). */
  'analytics:getTop': { ...READ, input: TopInputSchema, output: TopSchema },
  /** Daily series (workspace or one entity) with a trailing 7-day moving average; account-local dates, gaps are zero. */
  'analytics:getTrend': { ...READ, input: TrendInputSchema, output: TrendSeriesSchema },
  /** Month-to-date spend per account against its monthly budget, in each account's currency. */
  'analytics:getPacing': { ...READ, input: FxInputSchema, output: PacingSchema },
  /** Anomalies on daily spend/conversions/CPA/CTR/ROAS per workspace, account and campaign (weekday-aware robust baseline). */
  'analytics:listAnomalies': { ...READ, input: ListAnomaliesInputSchema, output: AnomalyListSchema },
  /** One entity's daily metric with the detector's expected value, band and flags (anomaly chart). */
  'analytics:getMetricSeries': { ...READ, input: MetricSeriesInputSchema, output: MetricSeriesSchema },
  /** The shipped industry benchmark table, each figure with its public source and year. */
  'analytics:listBenchmarks': { ...READ, input: z.object({}).strict(), output: BenchmarkTableSchema },
  /** Every campaign's CTR/CPC/CPM/CVR/CPA over a range against the benchmark for its platform and objective. */
  'analytics:getBenchmarkPositions': { ...READ, input: WorkspaceRange, output: BenchmarkPositionsSchema },
  /** Per-ad performance with format, thumbnail, headline and fatigue state, highest spend first. */
  'analytics:listCreatives': { ...READ, input: CreativesInputSchema, output: CreativeListSchema },
  /** Creative formats compared over a range with 95% confidence intervals. */
  'analytics:compareFormats': { ...READ, input: WorkspaceRange, output: FormatComparisonSchema },
  /** One ad's CTR against cumulative impressions since launch with the fitted decay and days until fatigue. */
  'analytics:getFatigue': {
    ...READ,
    input: z.object({ workspaceId: Id, adId: Id }).strict(),
    output: FatigueDetailSchema,
  },
  /** Two ads, ad sets or campaigns compared on CTR or CVR: two-proportion z-test and Bayesian probability to beat. */
  'analytics:compareEntities': { ...READ, input: CompareInputSchema, output: ComparisonSchema },
  /** The workspace's monthly exchange-rate table (units of the reporting currency per unit of each currency). */
  'analytics:listFxRates': { ...READ, input: FxInputSchema, output: FxTableSchema },
  /** Add, change or remove monthly rates; idempotent; returns the new table. */
  'analytics:setFxRates': { ...EDIT, input: SetFxRatesInputSchema, output: FxTableSchema },
  /** Change the reporting currency, re-basing the stored rates onto it; returns the new table. */
  'analytics:setReportingCurrency': { ...ADMIN, input: SetReportingCurrencyInputSchema, output: FxTableSchema },
} satisfies Record<Invoke, ChannelSpec>

/** Event payloads of the analytics domain. */
export const analyticsEvents = {} satisfies Record<Event, z.ZodType>
