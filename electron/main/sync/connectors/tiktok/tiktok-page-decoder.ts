import { DailyBatchBuilder } from '../daily-batch'
import { asObject } from '../fast-shape'
import { amountMicrosOf, countOf, idOf, intCountOf } from '../fast-number'
import { dayOf, rowFailure, type PageDecoder, type RowFailure } from '../page-decode'
import { classifyTikTok } from './tiktok-protocol'
import { isListEnvelope, isReportRow, listEnvelope, metric, ReportRowSchema } from './tiktok-schemas'

/** Arguments of the TikTok report page decoder. */
export interface TikTokPageArgs {
  /** Metric counted as conversions. */
  conversionMetric: string
  /** Metric holding conversion value in currency units. */
  valueMetric: string
  /** Prefix of row errors ("TikTok report 2025-01-01..2025-01-30 (page 2)"). */
  what: string
}

/** Paging of a report page. */
export interface TikTokEnvelope {
  totalPage?: number
}

function idField(m: Record<string, unknown>, key: string, exact: boolean): string {
  const id = idOf(m[key], exact)
  if (id === undefined) throw new Error(`missing ${key}`)
  return id
}

/** `report/integrated/get/` page (AUCTION_AD, ad_id x stat_time_day) -> DailyBatch. */
export const TIKTOK_REPORT_DECODER: PageDecoder<TikTokPageArgs, TikTokEnvelope> = {
  platform: 'tiktok',
  classify: classifyTikTok,
  schema: listEnvelope(ReportRowSchema),
  decode(json, args, exact) {
    const body = asObject(json)
    const data = body ? asObject(body.data) : undefined
    if (!body || !data || !isListEnvelope(body, data) || !Array.isArray(data.list)) return undefined
    const list = data.list as unknown[]
    const out = new DailyBatchBuilder(list.length)
    const days = new Map<string, number>()
    let failure: RowFailure | undefined
    for (let i = 0; i < list.length; i++) {
      if (!isReportRow(list[i], exact)) return undefined
      if (failure) continue
      const r = list[i] as { dimensions: { ad_id: string; stat_time_day: string }; metrics: Record<string, unknown> }
      try {
        const m = r.metrics
        const adSet = idField(m, 'adgroup_id', exact)
        const campaign = idField(m, 'campaign_id', exact)
        const stamp = r.dimensions.stat_time_day
        let day = days.get(stamp)
        if (day === undefined) {
          day = dayOf(days, stamp.slice(0, 10))
          days.set(stamp, day)
        }
        const spend = metric(m, 'spend')
        const spendMicros = spend === undefined || spend === null ? 0 : amountMicrosOf(spend, exact)
        const impressions = intCountOf(metric(m, 'impressions'), exact)
        const clicks = intCountOf(metric(m, 'clicks'), exact)
        const reach = intCountOf(metric(m, 'reach'), exact)
        const conversions = countOf(metric(m, args.conversionMetric), exact)
        const value = metric(m, args.valueMetric)
        const valueMicros = value === undefined || value === null ? 0 : amountMicrosOf(value, exact)
        const videoViews = intCountOf(metric(m, 'video_play_actions'), exact)
        out.pushDay(
          r.dimensions.ad_id,
          adSet,
          campaign,
          day,
          spendMicros,
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
    const info = asObject(data.page_info)
    return {
      batch: out.build(),
      envelope: info && typeof info.total_page === 'number' ? { totalPage: info.total_page } : {},
    }
  },
}
