import { z } from 'zod'
import { parseItems } from '../normalize'
import { converted, IdValue, IsoDate, NumField, toAmountMicros, toCount, toDay, toId, toIntCount } from '../row-schema'
import type { RemoteDailyRow } from '../types'

/** Meta insights rows: the one schema that validates and maps them (no HTTP: also loaded by the page decoder worker). */

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
type Action = z.infer<typeof ActionSchema>
const Actions = z.array(ActionSchema).optional()

/** First action of the priority list present in `actions` (never a sum across types). */
export function pickAction(actions: Action[] | undefined, priority: readonly string[]): Action | undefined {
  if (!actions) return undefined
  for (const type of priority) {
    const hit = actions.find((a) => a.action_type === type)
    if (hit) return hit
  }
  return undefined
}

const schemas = new Map<string, z.ZodType<RemoteDailyRow>>()

function windowValue(a: Action, w: string): string | number | null | undefined {
  const v = (a as Record<string, unknown>)[w]
  if (v === undefined || v === null || typeof v === 'string' || typeof v === 'number') return v
  throw new Error(`${a.action_type} ${w} is ${JSON.stringify(v)}`)
}

/**
 * One insights row (level=ad, time_increment=1) validated and mapped to a normalised ad-day:
 * purchases and their value are the first of `purchaseTypes` present (as Ads Manager's "Purchases"
 * column counts them), video views the `video_view` action.
 */
export function insightRowSchema(
  purchaseTypes: readonly string[],
  windows?: readonly string[],
): z.ZodType<RemoteDailyRow> {
  const key = `${purchaseTypes.join('\n')}|${windows?.join(',') ?? ''}`
  // With pinned windows a purchase counts by each window's own value (click + view), not `value`
  // (the ad set's setting); a window Meta did not return counts nothing.
  const amount = (a: Action, to: (v: string | number | null | undefined) => number): number =>
    windows ? windows.reduce((sum, w) => sum + to(windowValue(a, w)), 0) : to(a.value)
  let schema = schemas.get(key)
  if (!schema) {
    schema = z
      .looseObject({
        date_start: IsoDate,
        ad_id: IdValue,
        adset_id: IdValue,
        campaign_id: IdValue,
        spend: NumField,
        impressions: NumField,
        clicks: NumField,
        reach: NumField,
        actions: Actions,
        action_values: Actions,
        video_play_actions: Actions,
      })
      .transform((r, ctx): RemoteDailyRow => {
        const purchases = pickAction(r.actions, purchaseTypes)
        const value = pickAction(r.action_values, purchaseTypes)
        const views = r.video_play_actions?.find((a) => a.action_type === 'video_view')
        return converted(ctx, () => ({
          adExternalId: toId(r.ad_id),
          adSetExternalId: toId(r.adset_id),
          campaignExternalId: toId(r.campaign_id),
          date: toDay(r.date_start),
          spendMicros: toAmountMicros(r.spend),
          impressions: toIntCount(r.impressions),
          clicks: toIntCount(r.clicks),
          reach: toIntCount(r.reach),
          conversions: purchases ? amount(purchases, toCount) : 0,
          conversionValueMicros: value ? amount(value, toAmountMicros) : 0,
          videoViews: views ? toIntCount(views.value) : 0,
        }))
      })
    schemas.set(key, schema)
  }
  return schema
}

/** Validate and normalise a list of raw insights items (invalid_response naming the item and field). */
export function insightsPage(
  data: unknown[],
  purchaseTypes: readonly string[],
  what: string,
  windows?: readonly string[],
): RemoteDailyRow[] {
  return parseItems('meta', data, insightRowSchema(purchaseTypes, windows), what)
}
