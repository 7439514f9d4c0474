import type { z } from 'zod'
import { DailyBatchBuilder } from '../daily-batch'
import { asObject } from '../fast-shape'
import { amountMicrosOf, countOf, intCountOf, microsOf } from '../fast-number'
import { dayOf, rowFailure, type PageDecoder, type RowFailure } from '../page-decode'
import { classifyGoogle } from './google-protocol'
import { isMetricsRow, MetricsRow, streamSchema } from './google-schemas'

/** Arguments of the Google Ads searchStream decoder. */
export interface GooglePageArgs {
  /** Prefix of row errors ("Google daily metrics 2025-01-01..2025-01-31"). */
  what: string
}

type Row = z.infer<typeof MetricsRow>

/** A whole searchStream response (JSON array of result batches) -> one DailyBatch (as metricsToRow maps rows). */
export const GOOGLE_STREAM_DECODER: PageDecoder<GooglePageArgs, Record<string, never>> = {
  platform: 'google_ads',
  classify: classifyGoogle,
  schema: streamSchema(MetricsRow),
  decode(json, args, exact) {
    if (!Array.isArray(json)) return undefined
    let total = 0
    for (const b of json as unknown[]) {
      const batch = asObject(b)
      if (!batch) return undefined
      if (batch.results !== undefined) {
        if (!Array.isArray(batch.results)) return undefined
        total += batch.results.length
      }
    }
    const out = new DailyBatchBuilder(total)
    const days = new Map<string, number>()
    let failure: RowFailure | undefined
    for (const b of json as { results?: unknown[] }[]) {
      const results = b.results ?? []
      for (let i = 0; i < results.length; i++) {
        if (!isMetricsRow(results[i], exact)) return undefined
        if (failure) continue
        const r = results[i] as Row
        try {
          const m = r.metrics ?? {}
          const spend = m.costMicros === undefined || m.costMicros === null ? 0 : microsOf(m.costMicros, exact)
          const impressions = intCountOf(m.impressions, exact)
          const clicks = intCountOf(m.clicks, exact)
          const conversions = countOf(m.conversions, exact)
          const value =
            m.conversionsValue === undefined || m.conversionsValue === null
              ? 0
              : amountMicrosOf(m.conversionsValue, exact)
          const videoViews = intCountOf(m.videoViews, exact)
          // Reach is not reported per day for most campaign types.
          out.pushDay(
            r.adGroupAd.ad.id,
            r.adGroup.id,
            r.campaign.id,
            dayOf(days, r.segments.date),
            spend,
            impressions,
            clicks,
            0,
            conversions,
            value,
            videoViews,
          )
        } catch (e) {
          failure = rowFailure(`${args.what}: row ${i}`, e)
        }
      }
    }
    if (failure) throw failure
    return { batch: out.build(), envelope: {} }
  },
}
