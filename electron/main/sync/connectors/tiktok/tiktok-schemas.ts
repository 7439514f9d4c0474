import { z } from 'zod'
import type { CreativeFormat } from '../../../../../shared/domain/entities'
import { decimalToMicros } from '../../../../../shared/domain/money'
import { asObject, checkedList, idInPlace } from '../fast-shape'
import { IdSchema, NumLike, requireStatus } from '../normalize'
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
export const ReportRowSchema = z.looseObject({
  dimensions: z.looseObject({ ad_id: IdSchema, stat_time_day: z.string().regex(/^\d{4}-\d{2}-\d{2}/) }),
  metrics: z.record(z.string(), z.unknown()),
})

const DAY_PREFIX = /^\d{4}-\d{2}-\d{2}/

/** Fast path of ReportRowSchema (converts a number ad_id in place; see idInPlace for `exact`). */
export function isReportRow(v: unknown, exact = true): boolean {
  const r = asObject(v)
  const d = r ? asObject(r.dimensions) : undefined
  return (
    r !== undefined &&
    d !== undefined &&
    idInPlace(d, 'ad_id', exact) &&
    typeof d.stat_time_day === 'string' &&
    DAY_PREFIX.test(d.stat_time_day) &&
    asObject(r.metrics) !== undefined
  )
}

const isOptNumber = (v: unknown): boolean => v === undefined || typeof v === 'number'

/** The envelope part of `listEnvelope` (code, page_info) for a body and its `data` object. */
export function isListEnvelope(body: Record<string, unknown>, data: Record<string, unknown>): boolean {
  if (typeof body.code !== 'number' && typeof body.code !== 'string') return false
  if (data.page_info !== undefined) {
    const p = asObject(data.page_info)
    if (!p || typeof p.total_page !== 'number' || !isOptNumber(p.page)) return false
    if (!isOptNumber(p.page_size) || !isOptNumber(p.total_number)) return false
  }
  return true
}

/** Fast path of `listEnvelope(item)`. */
export function fastListEnvelope<T>(
  item: (v: unknown) => boolean,
): (json: unknown) => { code: number | string; data: ListData<T> } | undefined {
  return (json) => {
    const body = asObject(json)
    const data = body ? asObject(body.data) : undefined
    if (!body || !data || !isListEnvelope(body, data)) return undefined
    return checkedList(data.list, item) ? (body as { code: number | string; data: ListData<T> }) : undefined
  }
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

export const metric = (m: Record<string, unknown>, key: string): string | number | null | undefined => {
  const v = m[key]
  return typeof v === 'string' || typeof v === 'number' || v === null ? v : undefined
}
