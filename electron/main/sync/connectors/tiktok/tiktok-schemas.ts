import { z } from 'zod'
import type { CreativeFormat } from '../../../../../shared/domain/entities'
import { decimalToMicros } from '../../../../../shared/domain/money'
import { IdSchema, NumLike, requireStatus } from '../normalize'
import { convertAt, isCalendarDay, RowId, toAmountMicros, toCount, toIntCount } from '../row-schema'
import type { RemoteDailyRow } from '../types'
import { envelope, ListDataSchema } from './tiktok-protocol'

/** Loose zod schemas of TikTok bodies (ids as strings or numbers, metrics mixed) and helpers. */

/** `data` of a list endpoint with validated items. */
export interface ListData<T> {
  list: T[]
  page_info?: { total_page: number } | undefined
}

/** `{"code":0,"data":{"list":[...],"page_info":{...}}}` with items validated by `item`. */
export function listEnvelope<T>(item: z.ZodType<T>): z.ZodType<{ code: number | string; data: ListData<T> }> {
  return envelope(ListDataSchema.extend({ list: z.array(item) })) as unknown as z.ZodType<{
    code: number | string
    data: ListData<T>
  }>
}
export const AnyEnvelope = envelope(z.unknown())
export const AdvertiserSchema = z.looseObject({ advertiser_id: IdSchema, advertiser_name: z.string().optional() })
export const AdvertiserInfoSchema = z.looseObject({
  advertiser_id: IdSchema,
  name: z.string().optional(),
  currency: z.string(),
  timezone: z.string().optional(),
  display_timezone: z.string().optional(),
  status: z.string().optional(),
})
export const CampaignSchema = z.looseObject({
  campaign_id: IdSchema,
  campaign_name: z.string(),
  objective_type: z.string().optional(),
  operation_status: z.string().optional(),
  secondary_status: z.string().optional(),
  budget: NumLike,
  budget_mode: z.string().optional(),
})
export const AdGroupSchema = z.looseObject({
  adgroup_id: IdSchema,
  campaign_id: IdSchema,
  adgroup_name: z.string(),
  operation_status: z.string().optional(),
  secondary_status: z.string().optional(),
  budget: NumLike,
  budget_mode: z.string().optional(),
})
export const AdSchema = z.looseObject({
  ad_id: IdSchema,
  adgroup_id: IdSchema,
  campaign_id: IdSchema,
  ad_name: z.string(),
  operation_status: z.string().optional(),
  secondary_status: z.string().optional(),
  ad_format: z.string().optional(),
  ad_text: z.string().nullable().optional(),
  video_id: IdSchema.nullable().optional(),
  image_ids: z.array(IdSchema).nullable().optional(),
  create_time: z.string().optional(),
})
export const ReadSchema = z.looseObject({
  campaign_id: IdSchema.optional(),
  operation_status: z.string().optional(),
  secondary_status: z.string().optional(),
  budget: NumLike,
  budget_mode: z.string().optional(),
})
const schemas = new Map<string, z.ZodType<RemoteDailyRow>>()

/**
 * One `report/integrated/get/` row (AUCTION_AD, dimensions ad_id x stat_time_day) validated and
 * mapped to a normalised ad-day. Metrics come as strings or numbers; `conversionMetric` names the
 * conversions and `valueMetrics` the purchase values (currency units, added: web and app purchases,
 * see TIKTOK_VALUE_METRICS) the connector counts.
 */
export function reportRowSchema(conversionMetric: string, valueMetrics: readonly string[]): z.ZodType<RemoteDailyRow> {
  const key = `${conversionMetric}\n${valueMetrics.join('\n')}`
  let schema = schemas.get(key)
  if (!schema) {
    schema = z
      .looseObject({
        dimensions: z.looseObject({ ad_id: RowId, stat_time_day: z.string().regex(/^\d{4}-\d{2}-\d{2}/) }),
        metrics: z.record(z.string(), z.unknown()),
      })
      .transform((r, ctx): RemoteDailyRow => {
        const m = r.metrics
        const at = (key: string): string | number | null | undefined => {
          const v = m[key]
          if (v === undefined || v === null || typeof v === 'string' || typeof v === 'number') return v
          throw new Error(`${key} is ${JSON.stringify(v)}`)
        }
        const id = (key: string): string => {
          const v = at(key)
          if (v === undefined || v === null) throw new Error(`missing ${key}`)
          return String(typeof v === 'number' ? RowId.parse(v) : v)
        }
        const date = r.dimensions.stat_time_day.slice(0, 10)
        const field = <T>(key: string, fn: () => T): T => convertAt(ctx, ['metrics', key], fn)
        return {
          adExternalId: r.dimensions.ad_id,
          adSetExternalId: field('adgroup_id', () => id('adgroup_id')),
          campaignExternalId: field('campaign_id', () => id('campaign_id')),
          date: convertAt(ctx, ['dimensions', 'stat_time_day'], () => {
            if (!isCalendarDay(date)) throw new Error(`Not a calendar date: ${JSON.stringify(date)}`)
            return date
          }),
          spendMicros: field('spend', () => toAmountMicros(at('spend'))),
          impressions: field('impressions', () => toIntCount(at('impressions'))),
          clicks: field('clicks', () => toIntCount(at('clicks'))),
          reach: field('reach', () => toIntCount(at('reach'))),
          conversions: field(conversionMetric, () => toCount(at(conversionMetric))),
          conversionValueMicros: valueMetrics.reduce(
            (sum, metric) => sum + field(metric, () => toAmountMicros(at(metric))),
            0,
          ),
          videoViews: field('video_play_actions', () => toIntCount(at('video_play_actions'))),
        }
      })
    schemas.set(key, schema)
  }
  return schema
}

/** ad_format / creative type to our formats. */
export function tiktokFormat(adFormat?: string): CreativeFormat {
  const f = (adFormat ?? '').toUpperCase()
  if (/COLLECTION|CATALOG|SHOPPING/.test(f)) return 'collection'
  if (/CAROUSEL/.test(f)) return 'carousel'
  if (/VIDEO|SPARK|LIVE/.test(f)) return 'video'
  return 'image'
}

/**
 * Our status of a TikTok campaign, ad group or ad: a deleted one (secondary_status
 * CAMPAIGN_STATUS_DELETE / ADGROUP_STATUS_DELETE / AD_STATUS_DELETE, listed only with the
 * primary_status STATUS_ALL filter) is archived; otherwise what was set (operation_status).
 */
export const status = (
  o: { operation_status?: string; secondary_status?: string },
  what: string,
): ReturnType<typeof requireStatus> =>
  o.secondary_status && /_STATUS_DELETE$/.test(o.secondary_status)
    ? 'archived'
    : requireStatus('tiktok', o.operation_status ?? o.secondary_status, what)

/**
 * The `filtering` of campaign/get, adgroup/get and ad/get: deleted objects too. Without
 * `primary_status: STATUS_ALL` TikTok lists only STATUS_NOT_DELETE objects, and a report row of
 * an ad deleted after it spent would name an ad the listing never returned (TikTok also deletes
 * old ads on its own). Sources: TikTok API for Business v1.3 "Get campaigns" filtering
 * (business-api.tiktok.com/portal/docs/get-campaigns/v1.3); the primary_status STATUS_ALL /
 * STATUS_NOT_DELETE values as Singer's tap-tiktok sends them.
 */
export const ALL_STATUSES_FILTER = { primary_status: 'STATUS_ALL' } as const

/** Budget in currency units (number or decimal string) to micros; only daily budgets count. */
export function dailyBudget(o: { budget?: string | number | null; budget_mode?: string }): number | null {
  if (o.budget_mode !== 'BUDGET_MODE_DAY' && o.budget_mode !== 'BUDGET_MODE_DYNAMIC_DAILY_BUDGET') return null
  if (o.budget === undefined || o.budget === null) return null
  return decimalToMicros(o.budget)
}
