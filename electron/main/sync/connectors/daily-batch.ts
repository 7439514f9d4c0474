import { fromEpochDay, toEpochDay } from '../../../../shared/domain/dates'
import type { RemoteDailyRow } from './types'

/**
 * Values per row in `DailyBatch.values`, in this order: spend micros, impressions, clicks, reach,
 * conversions, conversion value micros, video views.
 */
export const BATCH_VALUES = 7

/**
 * Normalised daily ad rows of one report page in columns: what connectors hand to the sync engine.
 * Ids are dictionary-encoded (a page repeats each ad on every day of its window), dates are
 * account-local epoch days and the values are typed arrays, so a page crosses from the decoding
 * worker to the writer as a few transferable buffers instead of thousands of objects.
 */
export interface DailyBatch {
  n: number
  /** External ids referenced by the rows (each list without repeats). */
  ads: string[]
  adSets: string[]
  campaigns: string[]
  /** Per row: index into `ads`, `adSets`, `campaigns`. */
  ad: Uint32Array
  adSet: Uint32Array
  campaign: Uint32Array
  /** Per row: the account-local date as an epoch day (`toEpochDay`). */
  day: Int32Array
  /** Per row, BATCH_VALUES numbers: spend micros, impressions, clicks, reach, conversions, value micros, video views. */
  values: Float64Array
}

/**
 * The ids of one batch column, each once, in order of first use. An id is looked up by its string
 * or straight from its ASCII bytes in a page (`ofBytes`): the byte decoders then make a string only
 * the first time an id appears on a page, not on every row that repeats it.
 */
export class IdDict {
  readonly list: string[] = []
  private readonly byString = new Map<string, number>()
  /** Open-addressing table over byte hashes: index + 1 (0 = empty) and the hash per slot. */
  private slots = new Int32Array(256)
  private hashes = new Int32Array(256)
  private used = 0

  /** The id's index (added when new). */
  of(id: string): number {
    let i = this.byString.get(id)
    if (i === undefined) {
      i = this.list.length
      this.list.push(id)
      this.byString.set(id, i)
    }
    return i
  }

  /** The index of the id whose ASCII bytes are b[s0..s1) (added when new; `text` makes its string). */
  ofBytes(b: Uint8Array, s0: number, s1: number, text: (start: number, end: number) => string): number {
    const len = s1 - s0
    let h = len
    for (let i = s0; i < s1; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193)
    const slots = this.slots
    const mask = slots.length - 1
    let slot = h & mask
    for (let v = slots[slot] as number; v !== 0; v = slots[slot] as number) {
      if (this.hashes[slot] === h) {
        const id = this.list[v - 1] as string
        if (id.length === len) {
          let k = 0
          while (k < len && id.charCodeAt(k) === b[s0 + k]) k++
          if (k === len) return v - 1
        }
      }
      slot = (slot + 1) & mask
    }
    const i = this.of(text(s0, s1))
    slots[slot] = i + 1
    this.hashes[slot] = h
    if (++this.used * 2 > slots.length) this.grow()
    return i
  }

  private grow(): void {
    const oldSlots = this.slots
    const oldHashes = this.hashes
    const slots = new Int32Array(oldSlots.length * 2)
    const hashes = new Int32Array(slots.length)
    const mask = slots.length - 1
    for (let j = 0; j < oldSlots.length; j++) {
      const v = oldSlots[j] as number
      if (v === 0) continue
      const h = oldHashes[j] as number
      let slot = h & mask
      while (slots[slot] !== 0) slot = (slot + 1) & mask
      slots[slot] = v
      hashes[slot] = h
    }
    this.slots = slots
    this.hashes = hashes
  }
}

/** Builds a DailyBatch row by row (ids interned as they come). */
export class DailyBatchBuilder {
  private n = 0
  private cap: number
  private ad: Uint32Array
  private adSet: Uint32Array
  private campaign: Uint32Array
  private day: Int32Array
  private values: Float64Array
  /** The batch's id dictionaries (byte decoders look ids up in them directly, see pushIds). */
  readonly ads = new IdDict()
  readonly adSets = new IdDict()
  readonly campaigns = new IdDict()
  private lastDate = ''
  private lastDay = 0

  constructor(capacity = 256) {
    this.cap = Math.max(1, capacity)
    this.ad = new Uint32Array(this.cap)
    this.adSet = new Uint32Array(this.cap)
    this.campaign = new Uint32Array(this.cap)
    this.day = new Int32Array(this.cap)
    this.values = new Float64Array(this.cap * BATCH_VALUES)
  }

  private grow(): void {
    const cap = this.cap * 2
    const copy = <T extends Uint32Array | Int32Array | Float64Array>(a: T, make: (n: number) => T, k = 1): T => {
      const b = make(cap * k)
      b.set(a)
      return b
    }
    this.ad = copy(this.ad, (n) => new Uint32Array(n))
    this.adSet = copy(this.adSet, (n) => new Uint32Array(n))
    this.campaign = copy(this.campaign, (n) => new Uint32Array(n))
    this.day = copy(this.day, (n) => new Int32Array(n))
    this.values = copy(this.values, (n) => new Float64Array(n), BATCH_VALUES)
    this.cap = cap
  }

  /**
   * Append one row whose ids are indexes into `ads`, `adSets` and `campaigns` (`ads.of(id)`, or
   * `ofBytes` in the byte decoders) and whose account-local date is an epoch day.
   */
  pushIds(
    ad: number,
    adSet: number,
    campaign: number,
    day: number,
    spendMicros: number,
    impressions: number,
    clicks: number,
    reach: number,
    conversions: number,
    conversionValueMicros: number,
    videoViews: number,
  ): void {
    if (this.n === this.cap) this.grow()
    const i = this.n++
    this.ad[i] = ad
    this.adSet[i] = adSet
    this.campaign[i] = campaign
    this.day[i] = day
    const v = this.values
    const o = i * BATCH_VALUES
    v[o] = spendMicros
    v[o + 1] = impressions
    v[o + 2] = clicks
    v[o + 3] = reach
    v[o + 4] = conversions
    v[o + 5] = conversionValueMicros
    v[o + 6] = videoViews
  }

  /** Append one normalised row (its account-local date converted once per run of equal dates). */
  pushRow(r: RemoteDailyRow): void {
    if (r.date !== this.lastDate) {
      this.lastDate = r.date
      this.lastDay = toEpochDay(r.date)
    }
    this.pushIds(
      this.ads.of(r.adExternalId),
      this.adSets.of(r.adSetExternalId),
      this.campaigns.of(r.campaignExternalId),
      this.lastDay,
      r.spendMicros,
      r.impressions,
      r.clicks,
      r.reach,
      r.conversions,
      r.conversionValueMicros,
      r.videoViews,
    )
  }

  /** The rows so far as a batch (arrays trimmed to the row count; the builder must not be reused). */
  build(): DailyBatch {
    const n = this.n
    return {
      n,
      ads: this.ads.list,
      adSets: this.adSets.list,
      campaigns: this.campaigns.list,
      ad: trim(this.ad, n, this.cap),
      adSet: trim(this.adSet, n, this.cap),
      campaign: trim(this.campaign, n, this.cap),
      day: trim(this.day, n, this.cap),
      values: trim(this.values, n * BATCH_VALUES, this.cap * BATCH_VALUES),
    }
  }
}

/**
 * The first `n` of `cap` elements: a view when the array is mostly full (a page's arrays are
 * sized from its byte length, so usually; no copy, and transferring the view moves its buffer),
 * else a trimmed copy so a batch never carries much unused memory.
 */
function trim<T extends Uint32Array | Int32Array | Float64Array>(a: T, n: number, cap: number): T {
  return (n * 4 >= cap * 3 ? a.subarray(0, n) : a.slice(0, n)) as T
}

/** Rows -> batch (tests, CSV paths and small pages). */
export function packRows(rows: readonly RemoteDailyRow[]): DailyBatch {
  const b = new DailyBatchBuilder(rows.length)
  for (const r of rows) b.pushRow(r)
  return b.build()
}

/** Batch -> rows (tests and diagnostics; the sync hot path never unpacks). */
export function unpackBatch(b: DailyBatch): RemoteDailyRow[] {
  const out: RemoteDailyRow[] = new Array(b.n)
  const dates = new Map<number, string>()
  for (let i = 0; i < b.n; i++) {
    const d = b.day[i] as number
    let date = dates.get(d)
    if (date === undefined) {
      date = fromEpochDay(d)
      dates.set(d, date)
    }
    const o = i * BATCH_VALUES
    const v = b.values
    out[i] = {
      adExternalId: b.ads[b.ad[i] as number] as string,
      adSetExternalId: b.adSets[b.adSet[i] as number] as string,
      campaignExternalId: b.campaigns[b.campaign[i] as number] as string,
      date,
      spendMicros: v[o] as number,
      impressions: v[o + 1] as number,
      clicks: v[o + 2] as number,
      reach: v[o + 3] as number,
      conversions: v[o + 4] as number,
      conversionValueMicros: v[o + 5] as number,
      videoViews: v[o + 6] as number,
    }
  }
  return out
}

/** The buffers of a batch, for `postMessage(batch, transferList(batch))`. */
export function transferList(b: DailyBatch): ArrayBuffer[] {
  return [b.ad.buffer, b.adSet.buffer, b.campaign.buffer, b.day.buffer, b.values.buffer] as ArrayBuffer[]
}

/** The rows of `b` whose `keep` flag is set, sharing its id lists (an id may end up unreferenced). */
export function selectRows(b: DailyBatch, keep: Uint8Array): DailyBatch {
  let n = 0
  for (let i = 0; i < b.n; i++) if (keep[i]) n++
  const out: DailyBatch = {
    n,
    ads: b.ads,
    adSets: b.adSets,
    campaigns: b.campaigns,
    ad: new Uint32Array(n),
    adSet: new Uint32Array(n),
    campaign: new Uint32Array(n),
    day: new Int32Array(n),
    values: new Float64Array(n * BATCH_VALUES),
  }
  for (let i = 0, j = 0; i < b.n; i++) {
    if (!keep[i]) continue
    out.ad[j] = b.ad[i] as number
    out.adSet[j] = b.adSet[i] as number
    out.campaign[j] = b.campaign[i] as number
    out.day[j] = b.day[i] as number
    out.values.set(b.values.subarray(i * BATCH_VALUES, (i + 1) * BATCH_VALUES), j * BATCH_VALUES)
    j++
  }
  return out
}
