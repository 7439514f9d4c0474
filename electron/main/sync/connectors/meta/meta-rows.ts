import { z } from 'zod'
import { asObject, checkedList, idInPlace, isIsoDate, isNumLike } from '../fast-shape'
import { amountToMicros, IdSchema, NumLike, parseCount, parseIntCount, parseItems, rowError } from '../normalize'
import type { RemoteDailyRow } from '../types'

/** Meta insights rows: schema, fast shape check and normalisation (no HTTP: also loaded by the page decoder worker). */

/** A Graph API list page: `{"data":[...],"paging":{"cursors":{...},"next":"<url>"}}`. */
export function metaPageSchema<T>(
  item: z.ZodType<T>,
): z.ZodType<{ data: T[]; paging?: { next?: string | undefined } | undefined }> {
  return z.looseObject({ data: z.array(item), paging: z.looseObject({ next: z.string().optional() }).optional() })
}

export const INSIGHT_FIELDS = [
  'date_start',
  'date_stop',
  'campaign_id',
  'adset_id',
  'ad_id',
  'spend',
  'impressions',
  'clicks',
  'reach',
  'actions',
  'action_values',
  'video_play_actions',
].join(',')

export const ActionSchema = z.looseObject({ action_type: z.string(), value: z.union([z.string(), z.number()]) })
export const InsightRowSchema = z.looseObject({
  date_start: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  ad_id: IdSchema,
  adset_id: IdSchema,
  campaign_id: IdSchema,
  spend: NumLike,
  impressions: NumLike,
  clicks: NumLike,
  reach: NumLike,
  actions: z.array(ActionSchema).optional(),
  action_values: z.array(ActionSchema).optional(),
  video_play_actions: z.array(ActionSchema).optional(),
})
export type InsightRow = z.infer<typeof InsightRowSchema>

function isAction(v: unknown): boolean {
  const a = asObject(v)
  return (
    a !== undefined && typeof a.action_type === 'string' && (typeof a.value === 'string' || typeof a.value === 'number')
  )
}

function isActions(v: unknown): boolean {
  return v === undefined || checkedList(v, isAction) !== undefined
}

/** Fast path of InsightRowSchema (converts number ids in place; see idInPlace for `exact`). */
export function isInsightRow(v: unknown, exact = true): boolean {
  const r = asObject(v)
  return (
    r !== undefined &&
    isIsoDate(r.date_start) &&
    idInPlace(r, 'ad_id', exact) &&
    idInPlace(r, 'adset_id', exact) &&
    idInPlace(r, 'campaign_id', exact) &&
    isNumLike(r.spend) &&
    isNumLike(r.impressions) &&
    isNumLike(r.clicks) &&
    isNumLike(r.reach) &&
    isActions(r.actions) &&
    isActions(r.action_values) &&
    isActions(r.video_play_actions)
  )
}

/** First action of the priority list present in `actions` (never a sum across types). */
export function pickAction(
  actions: z.infer<typeof ActionSchema>[] | undefined,
  priority: readonly string[],
): z.infer<typeof ActionSchema> | undefined {
  if (!actions) return undefined
  for (const type of priority) {
    const hit = actions.find((a) => a.action_type === type)
    if (hit) return hit
  }
  return undefined
}

/** One insights row (strings everywhere, arrays only when non-empty) into a normalised ad-day. */
export function insightToRow(r: InsightRow, purchaseTypes: readonly string[]): RemoteDailyRow {
  const purchases = pickAction(r.actions, purchaseTypes)
  const value = pickAction(r.action_values, purchaseTypes)
  const views = r.video_play_actions?.find((a) => a.action_type === 'video_view')
  return {
    adExternalId: r.ad_id,
    adSetExternalId: r.adset_id,
    campaignExternalId: r.campaign_id,
    date: r.date_start,
    spendMicros: r.spend === undefined || r.spend === null ? 0 : amountToMicros(r.spend),
    impressions: parseIntCount(r.impressions),
    clicks: parseIntCount(r.clicks),
    reach: parseIntCount(r.reach),
    conversions: purchases ? parseCount(purchases.value) : 0,
    conversionValueMicros: value ? amountToMicros(value.value) : 0,
    videoViews: views ? parseIntCount(views.value) : 0,
  }
}

/** Normalise validated insights rows; a value that is not a plain decimal is invalid_response. */
export function insightRows(rows: InsightRow[], purchaseTypes: readonly string[], what: string): RemoteDailyRow[] {
  return rows.map((r, i) => {
    try {
      return insightToRow(r, purchaseTypes)
    } catch (e) {
      throw rowError('meta', `${what}: row ${i}`, e)
    }
  })
}

/** Validate and normalise a page of raw insights items. */
export function insightsPage(data: unknown[], purchaseTypes: readonly string[], what: string): RemoteDailyRow[] {
  return insightRows(parseItems('meta', data, InsightRowSchema, what), purchaseTypes, what)
}
