import { z } from 'zod'
import type { CreativeFormat, Objective } from '../../../../../shared/domain/entities'
import { IdSchema, NumLike } from '../normalize'
import { AmountMicros, convertAt, Count, IntCount, IsoDay, Micros, NumField, RowId, toIntCount } from '../row-schema'
import type { RemoteDailyRow } from '../types'

/** Loose zod schemas of Google Ads REST bodies (lowerCamelCase, int64 as strings) and row mappers. */

/**
 * searchStream body: a JSON array of batches. Rows are validated inside the request, so a batch
 * with a malformed row is retried like a malformed body.
 */
export function streamSchema<T>(row: z.ZodType<T>): z.ZodType<{ results?: T[] | undefined }[]> {
  // One schema per row schema: an entity list's schema is known to the decode threads by identity
  // (list-decode.ts).
  let s = streams.get(row) as z.ZodType<{ results?: T[] | undefined }[]> | undefined
  if (!s) {
    s = z.array(z.looseObject({ results: z.array(row).optional() }))
    streams.set(row, s)
  }
  return s
}
const streams = new WeakMap<z.ZodType, z.ZodType>()
export const AccessibleSchema = z.looseObject({ resourceNames: z.array(z.string()).optional() })
export const MutateSchema = z.looseObject({ results: z.array(z.looseObject({ resourceName: z.string() })) })

export const Id = z.looseObject({ id: IdSchema })
export const CustomerRow = z.looseObject({
  customer: z.looseObject({
    id: IdSchema,
    descriptiveName: z.string().optional(),
    currencyCode: z.string(),
    timeZone: z.string(),
    status: z.string().optional(),
    manager: z.boolean().optional(),
  }),
})
export const ClientRow = z.looseObject({
  customerClient: z.looseObject({
    id: IdSchema,
    descriptiveName: z.string().optional(),
    currencyCode: z.string(),
    timeZone: z.string(),
    status: z.string().optional(),
    manager: z.boolean().optional(),
  }),
})
export const BudgetSchema = z.looseObject({
  resourceName: z.string(),
  amountMicros: NumLike,
  explicitlyShared: z.boolean().optional(),
  referenceCount: NumLike,
})
export const CampaignRow = z.looseObject({
  campaign: z.looseObject({
    id: IdSchema,
    resourceName: z.string().optional(),
    name: z.string().optional(),
    status: z.string(),
    advertisingChannelType: z.string().optional(),
    biddingStrategyType: z.string().optional(),
    // v21-v22 (dates) and v23+ (date times, "yyyy-MM-dd HH:mm:ss").
    startDate: z.string().optional(),
    endDate: z.string().optional(),
    startDateTime: z.string().optional(),
    endDateTime: z.string().optional(),
  }),
  campaignBudget: BudgetSchema.optional(),
})
export const AdGroupRow = z.looseObject({
  campaign: Id,
  adGroup: z.looseObject({
    id: IdSchema,
    resourceName: z.string().optional(),
    name: z.string().optional(),
    status: z.string(),
  }),
})
export const AdRow = z.looseObject({
  campaign: Id,
  adGroup: Id,
  adGroupAd: z.looseObject({
    resourceName: z.string().optional(),
    status: z.string(),
    ad: z.looseObject({
      id: IdSchema,
      name: z.string().optional(),
      type: z.string().optional(),
      finalUrls: z.array(z.string()).optional(),
    }),
  }),
})
/**
 * One daily metrics row of the GAQL query in `dailyQuery`, validated and mapped to a normalised
 * ad-day: cost in micros, conversions as Google counts them (each conversion action's own windows),
 * value in currency units, views from `metrics.video_views` (to v21) or `metrics.video_trueview_views`
 * (v22+; see googleFields). proto3 JSON omits zero values, so every metric is optional; Google
 * reports no daily reach for most campaign types (0).
 */
export const MetricsRow = z
  .looseObject({
    campaign: z.looseObject({ id: RowId }),
    adGroup: z.looseObject({ id: RowId }),
    adGroupAd: z.looseObject({ ad: z.looseObject({ id: RowId }) }),
    segments: z.looseObject({ date: IsoDay }),
    metrics: z
      .looseObject({
        costMicros: Micros,
        impressions: IntCount,
        clicks: IntCount,
        conversions: Count,
        conversionsValue: AmountMicros,
        videoViews: NumField,
        videoTrueviewViews: NumField,
      })
      .optional(),
  })
  .refine((r) => r.metrics?.videoViews === undefined || r.metrics.videoTrueviewViews === undefined, {
    message: 'both metrics.videoViews and metrics.videoTrueviewViews',
    path: ['metrics'],
  })
  .transform((r, ctx): RemoteDailyRow => ({
    adExternalId: r.adGroupAd.ad.id,
    adSetExternalId: r.adGroup.id,
    campaignExternalId: r.campaign.id,
    date: r.segments.date,
    spendMicros: r.metrics?.costMicros ?? 0,
    impressions: r.metrics?.impressions ?? 0,
    clicks: r.metrics?.clicks ?? 0,
    reach: 0,
    conversions: r.metrics?.conversions ?? 0,
    conversionValueMicros: r.metrics?.conversionsValue ?? 0,
    videoViews: convertAt(ctx, ['metrics'], () => toIntCount(r.metrics?.videoTrueviewViews ?? r.metrics?.videoViews)),
  }))

/**
 * GAQL field names that differ between the Google Ads API versions the connector speaks
 * (shared/domain/api-versions.ts). Sources:
 * - v22 removed `metrics.video_views`; its successor is `metrics.video_trueview_views`, returned as
 *   `videoTrueviewViews` (Google Ads API v22 release notes "video specific metrics changed their names";
 *   n8n-io/n8n#36347 shows the v22+ rejection: queryError UNRECOGNIZED_FIELD, "Unrecognized field in
 *   the query: 'metrics.video_views'.").
 * - v23 renamed `campaign.start_date` / `campaign.end_date` to `campaign.start_date_time` /
 *   `campaign.end_date_time` ("yyyy-MM-dd HH:mm:ss"; googleads/google-ads-perl#140, release v23_0).
 */
export interface GoogleFields {
  videoViews: 'metrics.video_views' | 'metrics.video_trueview_views'
  campaignStart: 'campaign.start_date' | 'campaign.start_date_time'
  campaignEnd: 'campaign.end_date' | 'campaign.end_date_time'
}

export function googleFields(version: string): GoogleFields {
  const n = Number(/^v(\d+)/.exec(version)?.[1] ?? NaN)
  if (!Number.isFinite(n)) throw new Error(`Not a Google Ads API version: ${version}`)
  return {
    videoViews: n >= 22 ? 'metrics.video_trueview_views' : 'metrics.video_views',
    campaignStart: n >= 23 ? 'campaign.start_date_time' : 'campaign.start_date',
    campaignEnd: n >= 23 ? 'campaign.end_date_time' : 'campaign.end_date',
  }
}

/** GAQL for daily ad-level metrics; segments.date is in the customer's time zone. */
export function dailyQuery(from: string, to: string, fields: GoogleFields): string {
  return (
    'SELECT campaign.id, ad_group.id, ad_group_ad.ad.id, segments.date, metrics.cost_micros, metrics.impressions, ' +
    `metrics.clicks, metrics.conversions, metrics.conversions_value, ${fields.videoViews} FROM ad_group_ad ` +
    `WHERE segments.date BETWEEN '${from}' AND '${to}' ORDER BY segments.date ASC`
  )
}

/** Campaign objective from bidding strategy first (what it optimises for), else channel type. */
export function googleObjective(channel?: string, bidding?: string): Objective {
  if (channel === 'MULTI_CHANNEL') return 'app_installs'
  switch (bidding) {
    case 'MAXIMIZE_CONVERSION_VALUE':
    case 'TARGET_ROAS':
      return 'sales'
    case 'MAXIMIZE_CONVERSIONS':
    case 'TARGET_CPA':
      return 'leads'
    case 'TARGET_SPEND':
    case 'MANUAL_CPC':
    case 'ENHANCED_CPC':
      return 'traffic'
    case 'TARGET_CPM':
    case 'TARGET_IMPRESSION_SHARE':
    case 'MANUAL_CPV':
    case 'MANUAL_CPM':
      return 'awareness'
  }
  if (channel === 'SHOPPING' || channel === 'PERFORMANCE_MAX') return 'sales'
  if (channel === 'SEARCH') return 'traffic'
  return 'awareness'
}

/** Ad type to creative format (text and responsive ads count as image). */
export function googleFormat(type?: string): CreativeFormat {
  const t = type ?? ''
  if (/VIDEO/.test(t)) return 'video'
  if (/CAROUSEL/.test(t)) return 'carousel'
  if (/SHOPPING|COLLECTION|LISTING/.test(t)) return 'collection'
  return 'image'
}
