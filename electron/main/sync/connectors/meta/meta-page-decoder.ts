import { DailyBatchBuilder } from '../daily-batch'
import { asObject } from '../fast-shape'
import { amountMicrosOf, countOf, intCountOf } from '../fast-number'
import { dayOf, rowFailure, type PageDecoder, type RowFailure } from '../page-decode'
import { classifyMeta } from './meta-protocol'
import { isInsightRow, metaPageSchema, InsightRowSchema, type InsightRow } from './meta-rows'

/** Arguments of the Meta insights page decoder. */
export interface MetaPageArgs {
  /** Purchase action types in priority order (the first present wins). */
  purchaseTypes: string[]
  /** Prefix of row errors ("Meta insights 2025-01-01..2025-01-31"). */
  what: string
}

/** Paging of an insights page. */
export interface MetaEnvelope {
  next?: string
}

type Action = { action_type: string; value: string | number }

function pick(actions: Action[] | undefined, priority: readonly string[]): Action | undefined {
  if (!actions) return undefined
  for (const type of priority) for (const a of actions) if (a.action_type === type) return a
  return undefined
}

/** `{"data":[insights rows],"paging":{"next"}}` -> DailyBatch (as insightToRow maps each row). */
export const META_INSIGHTS_DECODER: PageDecoder<MetaPageArgs, MetaEnvelope> = {
  platform: 'meta',
  classify: classifyMeta,
  schema: metaPageSchema(InsightRowSchema),
  decode(json, args, exact) {
    const body = asObject(json)
    if (!body) return undefined
    let next: string | undefined
    if (body.paging !== undefined) {
      const p = asObject(body.paging)
      if (!p || (p.next !== undefined && typeof p.next !== 'string')) return undefined
      next = p.next
    }
    const data = body.data
    if (!Array.isArray(data)) return undefined
    const out = new DailyBatchBuilder(data.length)
    const days = new Map<string, number>()
    const types = args.purchaseTypes
    let failure: RowFailure | undefined
    for (let i = 0; i < data.length; i++) {
      if (!isInsightRow(data[i], exact)) return undefined
      if (failure) continue
      const r = data[i] as InsightRow
      try {
        const purchases = pick(r.actions, types)
        const value = pick(r.action_values, types)
        const views = r.video_play_actions?.find((a) => a.action_type === 'video_view')
        const spend = r.spend === undefined || r.spend === null ? 0 : amountMicrosOf(r.spend, exact)
        const impressions = intCountOf(r.impressions, exact)
        const clicks = intCountOf(r.clicks, exact)
        const reach = intCountOf(r.reach, exact)
        const conversions = purchases ? countOf(purchases.value, exact) : 0
        const valueMicros = value ? amountMicrosOf(value.value, exact) : 0
        const videoViews = views ? intCountOf(views.value, exact) : 0
        out.pushDay(
          r.ad_id,
          r.adset_id,
          r.campaign_id,
          dayOf(days, r.date_start),
          spend,
          impressions,
          clicks,
          reach,
          conversions,
          valueMicros,
          videoViews,
        )
      } catch (e) {
        failure = rowFailure(`${args.what}: row ${i}`, e)
      }
    }
    if (failure) throw failure
    return { batch: out.build(), envelope: next !== undefined ? { next } : {} }
  },
}
