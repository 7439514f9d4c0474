import { z } from 'zod'
import type { CreativeFormat, Objective } from '../../../../../shared/domain/entities'
import { parseMicros } from '../../../../../shared/domain/money'
import { asObject, checkedList, idInPlace, isIsoDate, isNumLike } from '../fast-shape'
import { amountToMicros, IdSchema, NumLike, parseCount, parseIntCount } from '../normalize'
import type { RemoteDailyRow } from '../types'

/** Loose zod schemas of Google Ads REST bodies (lowerCamelCase, int64 as strings) and row mappers. */

/**
 * searchStream body: a JSON array of batches. Rows are validated inside the request, so a batch
 * with a malformed row is retried like a malformed body.
 */
export function streamSchema<T>(row: z.ZodType<T>): z.ZodType<{ results?: T[] | undefined }[]> {
  return z.array(z.looseObject({ results: z.array(row).optional() }))
}
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
export const MetricsRow = z.looseObject({
  campaign: Id,
  adGroup: Id,
  adGroupAd: z.looseObject({ ad: Id }),
  segments: z.looseObject({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
  // proto3 JSON omits zero values, so every metric is optional.
  metrics: z
    .looseObject({
      costMicros: NumLike,
      impressions: NumLike,
      clicks: NumLike,
      conversions: NumLike,
      conversionsValue: NumLike,
      // metrics.video_views (to v21) / metrics.video_trueview_views (v22+): see googleFields.
      videoViews: NumLike,
      videoTrueviewViews: NumLike,
    })
    .optional(),
})

function hasId(v: unknown, exact: boolean): boolean {
  const o = asObject(v)
  return o !== undefined && idInPlace(o, 'id', exact)
}

/** Fast path of MetricsRow (converts number ids in place; see idInPlace for `exact`). */
export function isMetricsRow(v: unknown, exact = true): boolean {
  const r = asObject(v)
  if (!r || !hasId(r.campaign, exact) || !hasId(r.adGroup, exact)) return false
  const aga = asObject(r.adGroupAd)
  const seg = asObject(r.segments)
  if (!aga || !hasId(aga.ad, exact) || !seg || !isIsoDate(seg.date)) return false
  if (r.metrics === undefined) return true
  const m = asObject(r.metrics)
  return (
    m !== undefined &&
    isNumLike(m.costMicros) &&
    isNumLike(m.impressions) &&
    isNumLike(m.clicks) &&
    isNumLike(m.conversions) &&
    isNumLike(m.conversionsValue) &&
    isNumLike(m.videoViews) &&
    isNumLike(m.videoTrueviewViews) &&
    (m.videoViews === undefined || m.videoTrueviewViews === undefined)
  )
}

/** Fast path of `streamSchema(row)`. */
export function fastStream<T>(row: (v: unknown) => boolean): (json: unknown) => { results?: T[] }[] | undefined {
  const batch = (v: unknown): boolean => {
    const b = asObject(v)
    return b !== undefined && (b.results === undefined || checkedList(b.results, row) !== undefined)
  }
  return (json) => checkedList<{ results?: T[] }>(json, batch)
}

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

export function metricsToRow(r: z.infer<typeof MetricsRow>): RemoteDailyRow {
  const m = r.metrics ?? {}
  return {
    adExternalId: r.adGroupAd.ad.id,
    adSetExternalId: r.adGroup.id,
    campaignExternalId: r.campaign.id,
    date: r.segments.date,
    spendMicros: m.costMicros === undefined || m.costMicros === null ? 0 : parseMicros(m.costMicros),
    impressions: parseIntCount(m.impressions),
    clicks: parseIntCount(m.clicks),
    // Reach is not reported per day for most campaign types.
    reach: 0,
    conversions: parseCount(m.conversions),
    conversionValueMicros:
      m.conversionsValue === undefined || m.conversionsValue === null ? 0 : amountToMicros(m.conversionsValue),
    videoViews: parseIntCount(m.videoTrueviewViews ?? m.videoViews),
  }
}
