import { z } from 'zod'
import { daysBetween, isIsoDate, isReportingDate, MAX_REPORTING_DATE, MIN_REPORTING_DATE } from './dates'

/** A calendar date the app reports on: YYYY-MM-DD within the years 2000-2100 (docs/queries.md). */
export const IsoDateSchema = z
  .string()
  .refine(isIsoDate, 'Expected a calendar date as YYYY-MM-DD')
  .refine(isReportingDate, `Dates must lie between ${MIN_REPORTING_DATE} and ${MAX_REPORTING_DATE}`)

/**
 * The longest date range any channel accepts, in days (inclusive): ten years. Every channel that
 * takes a range uses DateRangeSchema, so this is each channel's documented maximum (docs/queries.md);
 * the services further limit a range to the data actually present where they answer per day.
 */
export const MAX_RANGE_DAYS = 3_660

/** An inclusive range of account-local dates, at most MAX_RANGE_DAYS long. */
export const DateRangeSchema = z
  .object({ from: IsoDateSchema, to: IsoDateSchema })
  .refine((r) => r.from <= r.to, 'The range must start on or before its end')
  .refine(
    (r) => r.from > r.to || daysBetween(r.from, r.to) < MAX_RANGE_DAYS,
    `A range spans at most ${MAX_RANGE_DAYS.toLocaleString('en-US')} days (ten years)`,
  )
export type DateRange = z.infer<typeof DateRangeSchema>

/**
 * The measured values of one ad on one account-local day, as every source reports them (platform
 * connectors, CSV import, the simulator) and as the store keeps them. Money in integer micros of the
 * account currency; reach is as reported for that day and never summed across days.
 */
export interface DailyMetricValues {
  spendMicros: number
  impressions: number
  clicks: number
  reach: number
  conversions: number
  conversionValueMicros: number
  videoViews: number
}

/**
 * Additive totals. Money in integer micros of `currency`; ratios are derived from these sums
 * (see `deriveKpis`), never averaged.
 */
export const TotalsSchema = z.object({
  spendMicros: z.number().int(),
  revenueMicros: z.number().int(),
  impressions: z.number().int(),
  clicks: z.number().int(),
  conversions: z.number(),
  videoViews: z.number().int(),
})
export type Totals = z.infer<typeof TotalsSchema>

export const EMPTY_TOTALS: Totals = {
  spendMicros: 0,
  revenueMicros: 0,
  impressions: 0,
  clicks: 0,
  conversions: 0,
  videoViews: 0,
}

/** Ratios from summed parts; null where the denominator is zero. Money ratios in currency units. */
export const KpisSchema = z.object({
  spend: z.number(),
  revenue: z.number(),
  roas: z.number().nullable(),
  conversions: z.number(),
  cpa: z.number().nullable(),
  ctr: z.number().nullable(),
  cpc: z.number().nullable(),
  cpm: z.number().nullable(),
  cvr: z.number().nullable(),
})
export type Kpis = z.infer<typeof KpisSchema>

export const KPI_KEYS = ['spend', 'revenue', 'roas', 'conversions', 'cpa', 'ctr', 'cpc', 'cpm'] as const
export type KpiKey = (typeof KPI_KEYS)[number]

const div = (a: number, b: number): number | null => (b === 0 ? null : a / b)

/** Derive every ratio from summed numerators and denominators. */
export function deriveKpis(t: Totals): Kpis {
  const spend = t.spendMicros / 1e6
  const revenue = t.revenueMicros / 1e6
  return {
    spend,
    revenue,
    roas: div(revenue, spend),
    conversions: t.conversions,
    cpa: div(spend, t.conversions),
    ctr: div(t.clicks, t.impressions),
    cpc: div(spend, t.clicks),
    cpm: t.impressions === 0 ? null : (spend * 1000) / t.impressions,
    cvr: div(t.conversions, t.clicks),
  }
}

/**
 * What a ranking by `metric` orders on: the KPI derived from the sums (null when its denominator
 * is zero), or the raw sum for counts without a KPI (impressions, clicks).
 */
export function rankingValue(t: Totals, metric: string): number | null {
  return deriveKpis(t)[metric as keyof Kpis] ?? (t as unknown as Record<string, number>)[metric] ?? null
}

/**
 * The first `limit` items by value (descending for 'top', ascending for 'bottom'), ties by id; items
 * without a value are left out. A short limit over many items keeps a bounded insertion list
 * instead of sorting them all.
 */
export function rankBy<T>(
  items: readonly T[],
  value: (x: T) => number | null,
  id: (x: T) => number,
  order: 'top' | 'bottom',
  limit = items.length,
): T[] {
  const sign = order === 'top' ? -1 : 1
  const keyed: { x: T; v: number; id: number }[] = []
  for (const x of items) {
    const v = value(x)
    if (v !== null) keyed.push({ x, v: sign * v, id: id(x) })
  }
  const before = (a: { v: number; id: number }, b: { v: number; id: number }): number => a.v - b.v || a.id - b.id
  if (limit * 8 >= keyed.length)
    return keyed
      .sort(before)
      .slice(0, limit)
      .map((k) => k.x)
  const top: typeof keyed = []
  for (const k of keyed) {
    if (top.length === limit && before(k, top[limit - 1] as (typeof keyed)[number]) >= 0) continue
    let i = top.length === limit ? limit - 1 : top.length
    while (i > 0 && before(k, top[i - 1] as (typeof keyed)[number]) < 0) {
      top[i] = top[i - 1] as (typeof keyed)[number]
      i--
    }
    top[i] = k
  }
  return top.map((k) => k.x)
}

export function addTotals(a: Totals, b: Totals): Totals {
  return {
    spendMicros: a.spendMicros + b.spendMicros,
    revenueMicros: a.revenueMicros + b.revenueMicros,
    impressions: a.impressions + b.impressions,
    clicks: a.clicks + b.clicks,
    conversions: a.conversions + b.conversions,
    videoViews: a.videoViews + b.videoViews,
  }
}
