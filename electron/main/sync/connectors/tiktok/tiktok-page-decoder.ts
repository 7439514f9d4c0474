import { DailyBatchBuilder, type DailyBatch, type IdDict } from '../daily-batch'
import { asObject } from '../fast-shape'
import { amountMicrosOf, countOf, idOf, intCountOf } from '../fast-number'
import { ABSENT, bail, lit, NUM, STR, tryBytes, type JsonCursor } from '../json-bytes'
import { amountAt, ByteDays, countAt, intCountAt } from '../json-bytes-values'
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
        out.pushIds(
          out.ads.of(r.dimensions.ad_id),
          out.adSets.of(adSet),
          out.campaigns.of(campaign),
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
  decodeBytes(bytes, args) {
    return tryBytes(bytes, (c) => tiktokPageBytes(c, args))
  },
}

/** Keys the byte path reads. */
const K = {
  code: lit('code'),
  data: lit('data'),
  list: lit('list'),
  page_info: lit('page_info'),
  total_page: lit('total_page'),
  page: lit('page'),
  page_size: lit('page_size'),
  total_number: lit('total_number'),
  dimensions: lit('dimensions'),
  metrics: lit('metrics'),
  ad_id: lit('ad_id'),
  stat_time_day: lit('stat_time_day'),
}

/** A page_info number (isOptNumber / total_page): a number token JSON.parse reads exactly. */
function pageNumber(c: JsonCursor): number {
  if (c.peek() === 0x22) bail()
  c.num()
  const v = Number(c.text(c.s0, c.s1))
  // A 16+ digit integer is a string on the exact text path: leave such pages to it.
  if (Number.isInteger(v) && Math.abs(v) >= 1e15) bail()
  return v
}

/** `page_info` (isListEnvelope): total_page required, page/page_size/total_number numbers if present. */
function pageInfo(c: JsonCursor): number {
  let total: number | undefined
  let seen = 0
  if (!c.openObject()) bail()
  do {
    c.key()
    const bit = c.is(K.total_page) ? 1 : c.is(K.page) ? 2 : c.is(K.page_size) ? 4 : c.is(K.total_number) ? 8 : 0
    if (bit === 0) {
      c.skip()
      continue
    }
    if (seen & bit) bail()
    seen |= bit
    const v = pageNumber(c)
    if (bit === 1) total = v
  } while (c.nextMember())
  return total ?? bail()
}

/** Metric slots of one page: the keys read (deduplicated: args may name a key twice) and their spans. */
class MetricSlots {
  readonly keys: Uint8Array[] = []
  readonly kind: number[] = []
  readonly s0: number[] = []
  readonly s1: number[] = []

  /** Slot indices by key length (a key is compared only with the keys of its length). */
  private readonly byLength: number[][] = []

  /** The slot of the key in s0..s1, or -1. */
  find(c: JsonCursor): number {
    const list = this.byLength[c.s1 - c.s0]
    if (list !== undefined) for (const k of list) if (c.is(this.keys[k] as Uint8Array)) return k
    return -1
  }

  slot(key: string): number {
    const bytes = lit(key)
    let i = this.keys.findIndex((k) => k.length === bytes.length && k.every((b, j) => b === bytes[j]))
    if (i < 0) {
      i = this.keys.push(bytes) - 1
      ;(this.byLength[bytes.length] ??= []).push(i)
      this.kind.push(ABSENT)
      this.s0.push(0)
      this.s1.push(0)
    }
    return i
  }
}

/**
 * The byte fast path of TIKTOK_REPORT_DECODER.decode (see json-bytes.ts): the same rows and
 * envelope for every body it accepts (ids as the exact text path reads them); bails on anything
 * else, including any code but 0 (classifyTikTok's business).
 */
function tiktokPageBytes(c: JsonCursor, args: TikTokPageArgs): { batch: DailyBatch; envelope: TikTokEnvelope } {
  const m = new MetricSlots()
  const adSetSlot = m.slot('adgroup_id')
  const campaignSlot = m.slot('campaign_id')
  const spendSlot = m.slot('spend')
  const impressionsSlot = m.slot('impressions')
  const clicksSlot = m.slot('clicks')
  const reachSlot = m.slot('reach')
  const conversionSlot = m.slot(args.conversionMetric)
  const valueSlot = m.slot(args.valueMetric)
  const viewsSlot = m.slot('video_play_actions')
  const n = m.keys.length
  const out = new DailyBatchBuilder(c.b.length >> 9)
  const days = new ByteDays()
  let totalPage: number | undefined
  let seen = 0
  if (!c.openObject()) bail()
  do {
    c.key()
    if (c.is(K.code)) {
      if (seen & 1) bail()
      seen |= 1
      // Only a success code: anything else is classifyTikTok's to read.
      const p = c.peek()
      if (p === 0x22) c.str()
      else c.num()
      if (c.s1 - c.s0 !== 1 || c.b[c.s0] !== 0x30) bail()
    } else if (c.is(K.data)) {
      if (seen & 2) bail()
      seen |= 2
      let list = false
      let info = false
      if (!c.openObject()) bail()
      do {
        c.key()
        if (c.is(K.page_info)) {
          if (info) bail()
          info = true
          totalPage = pageInfo(c)
        } else if (c.is(K.list)) {
          if (list) bail()
          list = true
          if (c.openArray())
            do {
              let adId = -1
              let date = -1
              let dims = false
              let metrics = false
              for (let k = 0; k < n; k++) m.kind[k] = ABSENT
              if (!c.openObject()) bail()
              do {
                c.key()
                if (c.is(K.dimensions)) {
                  if (dims) bail()
                  dims = true
                  if (!c.openObject()) bail()
                  do {
                    c.key()
                    if (c.is(K.ad_id)) {
                      if (adId >= 0) bail()
                      adId = c.exactIdIn(out.ads)
                    } else if (c.is(K.stat_time_day)) {
                      if (date >= 0) bail()
                      date = c.isoDate(true)
                    } else c.skip()
                  } while (c.nextMember())
                } else if (c.is(K.metrics)) {
                  if (metrics) bail()
                  metrics = true
                  if (!c.openObject()) continue
                  do {
                    c.key()
                    const k = m.find(c)
                    if (k < 0) c.skip()
                    else {
                      if (m.kind[k] !== ABSENT) bail()
                      m.kind[k] = c.numLike()
                      m.s0[k] = c.s0
                      m.s1[k] = c.s1
                    }
                  } while (c.nextMember())
                } else c.skip()
              } while (c.nextMember())
              if (adId < 0 || date < 0 || !metrics) bail()
              out.pushIds(
                adId,
                slotId(c, m, adSetSlot, out.adSets),
                slotId(c, m, campaignSlot, out.campaigns),
                days.get(date),
                amountAt(c, m.kind[spendSlot] as number, m.s0[spendSlot] as number, m.s1[spendSlot] as number),
                slotCount(c, m, impressionsSlot, intCountAt),
                slotCount(c, m, clicksSlot, intCountAt),
                slotCount(c, m, reachSlot, intCountAt),
                slotCount(c, m, conversionSlot, countAt),
                amountAt(c, m.kind[valueSlot] as number, m.s0[valueSlot] as number, m.s1[valueSlot] as number),
                slotCount(c, m, viewsSlot, intCountAt),
              )
            } while (c.nextItem())
        } else c.skip()
      } while (c.nextMember())
      if (!list) bail()
    } else c.skip()
  } while (c.nextMember())
  if (seen !== 3) bail()
  return { batch: out.build(), envelope: totalPage !== undefined ? { totalPage } : {} }
}

/**
 * idOf on a metric slot (a string, or a digits-only number token, as the exact text path keeps it)
 * as its index in `dict`.
 */
function slotId(c: JsonCursor, m: MetricSlots, k: number, dict: IdDict): number {
  const kind = m.kind[k]
  const s0 = m.s0[k] as number
  const s1 = m.s1[k] as number
  if (kind === NUM) {
    for (let i = s0; i < s1; i++) if (!((c.b[i] as number) >= 0x30 && (c.b[i] as number) <= 0x39)) bail()
  } else if (kind !== STR) bail()
  return dict.ofBytes(c.b, s0, s1, c.textOf)
}

function slotCount(c: JsonCursor, m: MetricSlots, k: number, read: typeof countAt): number {
  return read(c, m.kind[k] as number, m.s0[k] as number, m.s1[k] as number)
}
