import type { z } from 'zod'
import { DailyBatchBuilder, type DailyBatch, type IdDict } from '../daily-batch'
import { asObject } from '../fast-shape'
import { amountMicrosOf, countOf, intCountOf, microsOf } from '../fast-number'
import { ABSENT, bail, lit, tryBytes, type JsonCursor } from '../json-bytes'
import { amountAt, ByteDays, countAt, intCountAt, microsAt } from '../json-bytes-values'
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
          const videoViews = intCountOf(m.videoTrueviewViews ?? m.videoViews, exact)
          // Reach is not reported per day for most campaign types.
          out.pushIds(
            out.ads.of(r.adGroupAd.ad.id),
            out.adSets.of(r.adGroup.id),
            out.campaigns.of(r.campaign.id),
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
  decodeBytes(bytes) {
    return tryBytes(bytes, googleStreamBytes)
  },
}

/** Keys the byte path reads. */
const K = {
  ad: lit('ad'),
  adGroup: lit('adGroup'),
  adGroupAd: lit('adGroupAd'),
  campaign: lit('campaign'),
  date: lit('date'),
  error: lit('error'),
  id: lit('id'),
  metrics: lit('metrics'),
  results: lit('results'),
  segments: lit('segments'),
}

/** `{"id": <id>, ...}` (hasId): the id's index in `dict`; other keys skipped, a repeated id bails. */
function idObject(c: JsonCursor, dict: IdDict): number {
  let id = -1
  if (!c.openObject()) bail()
  do {
    c.key()
    if (c.is(K.id)) {
      if (id >= 0) bail()
      id = c.idIn(dict)
    } else c.skip()
  } while (c.nextMember())
  return id >= 0 ? id : bail()
}

/** `{"ad": {"id": ...}, ...}`: the ad id's index in `dict`. */
function adOf(c: JsonCursor, dict: IdDict): number {
  let id = -1
  if (!c.openObject()) bail()
  do {
    c.key()
    if (c.is(K.ad)) {
      if (id >= 0) bail()
      id = idObject(c, dict)
    } else c.skip()
  } while (c.nextMember())
  return id >= 0 ? id : bail()
}

/** `{"date": "YYYY-MM-DD", ...}`: the date as YYYYMMDD. */
function dateOf(c: JsonCursor): number {
  let date = -1
  if (!c.openObject()) bail()
  do {
    c.key()
    if (c.is(K.date)) {
      if (date >= 0) bail()
      date = c.isoDate()
    } else c.skip()
  } while (c.nextMember())
  return date < 0 ? bail() : date
}

/**
 * Metric spans of one row: kind, start, end per metric in METRIC_KEYS order. The video views of
 * v21 (`videoViews`) and v22+ (`videoTrueviewViews`) share one slot: a row with both bails.
 */
const METRIC_KEYS = ['costMicros', 'impressions', 'clicks', 'conversions', 'conversionsValue', 'videoViews'].map(lit)
const VIDEO_TRUEVIEW_VIEWS = lit('videoTrueviewViews')

/**
 * The byte fast path of GOOGLE_STREAM_DECODER.decode (see json-bytes.ts): the same rows for every
 * body it accepts; bails on anything else, including any `error` key in a batch (classifyGoogle's).
 */
function googleStreamBytes(c: JsonCursor): { batch: DailyBatch; envelope: Record<string, never> } {
  const out = new DailyBatchBuilder(c.b.length >> 9)
  const days = new ByteDays()
  const m = new Int32Array(3 * METRIC_KEYS.length)
  if (c.openArray())
    do {
      let seenResults = false
      if (!c.openObject()) continue
      do {
        c.key()
        if (c.is(K.results)) {
          if (seenResults) bail()
          seenResults = true
          if (!c.openArray()) continue
          do {
            let campaign = -1
            let adGroup = -1
            let ad = -1
            let date = -1
            let metrics = false
            m.fill(0)
            if (!c.openObject()) bail()
            do {
              c.key()
              if (c.is(K.campaign)) {
                if (campaign >= 0) bail()
                campaign = idObject(c, out.campaigns)
              } else if (c.is(K.adGroup)) {
                if (adGroup >= 0) bail()
                adGroup = idObject(c, out.adSets)
              } else if (c.is(K.adGroupAd)) {
                if (ad >= 0) bail()
                ad = adOf(c, out.ads)
              } else if (c.is(K.segments)) {
                if (date >= 0) bail()
                date = dateOf(c)
              } else if (c.is(K.metrics)) {
                if (metrics) bail()
                metrics = true
                if (!c.openObject()) continue
                do {
                  c.key()
                  let k = 0
                  while (k < METRIC_KEYS.length && !c.is(METRIC_KEYS[k] as Uint8Array)) k++
                  if (k === METRIC_KEYS.length && c.is(VIDEO_TRUEVIEW_VIEWS)) k = METRIC_KEYS.length - 1
                  if (k === METRIC_KEYS.length) c.skip()
                  else {
                    if (m[3 * k] !== ABSENT) bail()
                    m[3 * k] = c.numLike()
                    m[3 * k + 1] = c.s0
                    m[3 * k + 2] = c.s1
                  }
                } while (c.nextMember())
              } else c.skip()
            } while (c.nextMember())
            if (campaign < 0 || adGroup < 0 || ad < 0 || date < 0) bail()
            // Reach is not reported per day for most campaign types.
            out.pushIds(
              ad,
              adGroup,
              campaign,
              days.get(date),
              microsAt(c, m[0] as number, m[1] as number, m[2] as number),
              intCountAt(c, m[3] as number, m[4] as number, m[5] as number),
              intCountAt(c, m[6] as number, m[7] as number, m[8] as number),
              0,
              countAt(c, m[9] as number, m[10] as number, m[11] as number),
              amountAt(c, m[12] as number, m[13] as number, m[14] as number),
              intCountAt(c, m[15] as number, m[16] as number, m[17] as number),
            )
          } while (c.nextItem())
        } else if (c.is(K.error)) bail()
        else c.skip()
      } while (c.nextMember())
    } while (c.nextItem())
  return { batch: out.build(), envelope: {} }
}
