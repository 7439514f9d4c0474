import { DailyBatchBuilder, type DailyBatch } from '../daily-batch'
import { asObject } from '../fast-shape'
import { amountMicrosOf, countOf, intCountOf } from '../fast-number'
import { ABSENT, bail, lit, NUM, STR, tryBytes, type JsonCursor } from '../json-bytes'
import { amountAt, ByteDays, countAt, intCountAt } from '../json-bytes-values'
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
        out.pushIds(
          out.ads.of(r.ad_id),
          out.adSets.of(r.adset_id),
          out.campaigns.of(r.campaign_id),
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
  decodeBytes(bytes, args) {
    return tryBytes(bytes, (c) => metaPageBytes(c, args))
  },
}

/** Keys the byte path reads. */
const K = {
  action_type: lit('action_type'),
  action_values: lit('action_values'),
  actions: lit('actions'),
  ad_id: lit('ad_id'),
  adset_id: lit('adset_id'),
  campaign_id: lit('campaign_id'),
  clicks: lit('clicks'),
  data: lit('data'),
  date_start: lit('date_start'),
  error: lit('error'),
  impressions: lit('impressions'),
  next: lit('next'),
  paging: lit('paging'),
  reach: lit('reach'),
  spend: lit('spend'),
  value: lit('value'),
  video_play_actions: lit('video_play_actions'),
  video_view: lit('video_view'),
}

/** The value span of one action (kind ABSENT: none picked yet) and its rank (lower wins). */
class Pick {
  kind = ABSENT
  s0 = 0
  s1 = 0
  rank = 0
}

/** Rank of the action type in s0..s1: its index in `types` (purchases) or 0 for video_view; -1 otherwise. */
function rankOf(c: JsonCursor, types: readonly Uint8Array[] | null): number {
  if (types === null) return c.is(K.video_view) ? 0 : -1
  for (let t = 0; t < types.length; t++) if (c.is(types[t] as Uint8Array)) return t
  return -1
}

/**
 * An action list: every item must be `{action_type: string, value: string|number}` (isAction);
 * `out` gets the item ranked first (index in `types`, or video_view when `types` is null), the
 * earliest of equal rank, as `pick` and `find` choose.
 */
function actionsBytes(c: JsonCursor, out: Pick, types: readonly Uint8Array[] | null): void {
  out.kind = ABSENT
  if (!c.openArray()) return
  do {
    c.peek()
    if (!actionFast(c, out, types)) actionBytes(c, out, types)
  } while (c.nextItem())
}

/** The bytes of an action as the Graph API lays it out, up to its type and after it. */
const ACTION_HEAD = lit('{"action_type":')
const ACTION_VALUE = lit(',"value":')

/**
 * An action in the exact layout the Graph API sends (`{"action_type":"…","value":…}`, no spaces):
 * read without key scanning. Returns false, the cursor back at the item, for anything else (the
 * general reader then decides).
 */
function actionFast(c: JsonCursor, out: Pick, types: readonly Uint8Array[] | null): boolean {
  const start = c.pos
  if (!c.skipLit(ACTION_HEAD)) return false
  c.str()
  const r = rankOf(c, types)
  if (!c.skipLit(ACTION_VALUE)) {
    c.pos = start
    return false
  }
  const kind = actionValue(c)
  if (c.peek() !== 0x7d) {
    c.pos = start
    return false
  }
  c.pos++
  offer(out, r, kind, c.s0, c.s1)
  return true
}

/** An action's value (a string or a number token): its kind, span in s0..s1. */
function actionValue(c: JsonCursor): number {
  if (c.peek() === 0x22) {
    c.str()
    return STR
  }
  c.num()
  return NUM
}

/** Keep the action of rank `r` when it ranks before the one picked so far (the earliest of equal rank). */
function offer(out: Pick, r: number, kind: number, s0: number, s1: number): void {
  if (r >= 0 && (out.kind === ABSENT || r < out.rank)) {
    out.kind = kind
    out.s0 = s0
    out.s1 = s1
    out.rank = r
  }
}

/** One action item, any key order and extra keys (see actionsBytes). */
function actionBytes(c: JsonCursor, out: Pick, types: readonly Uint8Array[] | null): void {
  let r = -2
  let kind = ABSENT
  let v0 = 0
  let v1 = 0
  if (!c.openObject()) bail()
  do {
    c.key()
    if (c.is(K.action_type)) {
      if (r !== -2) bail()
      c.str()
      r = rankOf(c, types)
    } else if (c.is(K.value)) {
      if (kind !== ABSENT) bail()
      kind = actionValue(c)
      v0 = c.s0
      v1 = c.s1
    } else c.skip()
  } while (c.nextMember())
  if (r === -2 || kind === ABSENT) bail()
  offer(out, r, kind, v0, v1)
}

// Row fields read by the byte path, as bits (a repeated one bails; the first four are required).
const F_DATE = 1
const F_AD = 2
const F_ADSET = 4
const F_CAMPAIGN = 8
const F_SPEND = 16
const F_IMPRESSIONS = 32
const F_CLICKS = 64
const F_REACH = 128
const F_ACTIONS = 256
const F_VALUES = 512
const F_VIEWS = 1024
const REQUIRED = F_DATE | F_AD | F_ADSET | F_CAMPAIGN

/** Each row field's key as it appears in a page (`"ad_id":`), by the field's bit number. */
const KEY_BYTES = [
  'date_start',
  'ad_id',
  'adset_id',
  'campaign_id',
  'spend',
  'impressions',
  'clicks',
  'reach',
  'actions',
  'action_values',
  'video_play_actions',
].map((k) => lit(`"${k}":`))

/** Longest row the key prediction follows (members beyond it are read the general way). */
const PREDICTED_MEMBERS = 32

/** Which row field the key in s0..s1 names (dispatch on its length first), or 0. */
function rowField(c: JsonCursor): number {
  switch (c.s1 - c.s0) {
    case 5:
      return c.is(K.ad_id) ? F_AD : c.is(K.spend) ? F_SPEND : c.is(K.reach) ? F_REACH : 0
    case 6:
      return c.is(K.clicks) ? F_CLICKS : 0
    case 7:
      return c.is(K.actions) ? F_ACTIONS : 0
    case 8:
      return c.is(K.adset_id) ? F_ADSET : 0
    case 10:
      return c.is(K.date_start) ? F_DATE : 0
    case 11:
      return c.is(K.campaign_id) ? F_CAMPAIGN : c.is(K.impressions) ? F_IMPRESSIONS : 0
    case 13:
      return c.is(K.action_values) ? F_VALUES : 0
    case 18:
      return c.is(K.video_play_actions) ? F_VIEWS : 0
    default:
      return 0
  }
}

/** Spans of one row's scalar fields, reused across rows. */
class RowSpans {
  spend = new Pick()
  impressions = new Pick()
  clicks = new Pick()
  reach = new Pick()
  purchases = new Pick()
  values = new Pick()
  views = new Pick()
}

function scalar(c: JsonCursor, p: Pick): void {
  p.kind = c.numLike()
  p.s0 = c.s0
  p.s1 = c.s1
}

/** One insights row into `out` (isInsightRow's checks, insightToRow's mapping). */
function rowBytes(
  c: JsonCursor,
  out: DailyBatchBuilder,
  days: ByteDays,
  sp: RowSpans,
  types: readonly Uint8Array[],
  order: Int32Array,
): void {
  let seen = 0
  let date = 0
  let ad = 0
  let adSet = 0
  let campaign = 0
  sp.spend.kind = sp.impressions.kind = sp.clicks.kind = sp.reach.kind = ABSENT
  sp.purchases.kind = sp.values.kind = sp.views.kind = ABSENT
  if (!c.openObject()) bail()
  let k = 0
  do {
    // Rows of a page list their fields in one order: the key expected at this position (the one the
    // previous row had there) is matched as bytes, else the key is read and dispatched.
    let f = 0
    const expected = k < PREDICTED_MEMBERS ? (order[k] as number) : 0
    if (expected !== 0 && c.peek() === 0x22 && c.skipLit(KEY_BYTES[31 - Math.clz32(expected)] as Uint8Array))
      f = expected
    else {
      c.key()
      f = rowField(c)
      if (k < PREDICTED_MEMBERS) order[k] = f
    }
    k++
    if (f === 0) {
      c.skip()
      continue
    }
    if (seen & f) bail()
    seen |= f
    switch (f) {
      case F_AD:
        ad = c.idIn(out.ads)
        break
      case F_ADSET:
        adSet = c.idIn(out.adSets)
        break
      case F_CAMPAIGN:
        campaign = c.idIn(out.campaigns)
        break
      case F_DATE:
        date = c.isoDate()
        break
      case F_SPEND:
        scalar(c, sp.spend)
        break
      case F_IMPRESSIONS:
        scalar(c, sp.impressions)
        break
      case F_CLICKS:
        scalar(c, sp.clicks)
        break
      case F_REACH:
        scalar(c, sp.reach)
        break
      case F_ACTIONS:
        actionsBytes(c, sp.purchases, types)
        break
      case F_VALUES:
        actionsBytes(c, sp.values, types)
        break
      default:
        actionsBytes(c, sp.views, null)
    }
  } while (c.nextMember())
  if ((seen & REQUIRED) !== REQUIRED) bail()
  const { spend, impressions, clicks, reach, purchases, values, views } = sp
  out.pushIds(
    ad,
    adSet,
    campaign,
    days.get(date),
    amountAt(c, spend.kind, spend.s0, spend.s1),
    intCountAt(c, impressions.kind, impressions.s0, impressions.s1),
    intCountAt(c, clicks.kind, clicks.s0, clicks.s1),
    intCountAt(c, reach.kind, reach.s0, reach.s1),
    countAt(c, purchases.kind, purchases.s0, purchases.s1),
    amountAt(c, values.kind, values.s0, values.s1),
    intCountAt(c, views.kind, views.s0, views.s1),
  )
}

/**
 * The byte fast path of META_INSIGHTS_DECODER.decode (see json-bytes.ts): the same rows and
 * envelope for every body it accepts; bails (BAIL or a reader's error) on anything else,
 * including an `error` key (classifyMeta's business) and repeated keys it reads.
 */
function metaPageBytes(c: JsonCursor, args: MetaPageArgs): { batch: DailyBatch; envelope: MetaEnvelope } {
  const out = new DailyBatchBuilder(c.b.length >> 9)
  const days = new ByteDays()
  const spans = new RowSpans()
  const types = args.purchaseTypes.map(lit)
  // Per member position: the field the previous row had there (0: none, or a field not read).
  const order = new Int32Array(PREDICTED_MEMBERS)
  let next: string | undefined
  let seenData = false
  let seenPaging = false
  if (!c.openObject()) bail()
  do {
    c.key()
    if (c.is(K.data)) {
      if (seenData) bail()
      seenData = true
      if (c.openArray())
        do rowBytes(c, out, days, spans, types, order)
        while (c.nextItem())
    } else if (c.is(K.paging)) {
      if (seenPaging) bail()
      seenPaging = true
      if (!c.openObject()) continue
      let seenNext = false
      do {
        c.key()
        if (c.is(K.next)) {
          if (seenNext) bail()
          seenNext = true
          next = c.anyString()
        } else c.skip()
      } while (c.nextMember())
    } else if (c.is(K.error)) bail()
    else c.skip()
  } while (c.nextMember())
  if (!seenData) bail()
  return { batch: out.build(), envelope: next !== undefined ? { next } : {} }
}
