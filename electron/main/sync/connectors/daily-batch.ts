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

/** Builds a DailyBatch row by row (ids interned as they come). */
export class DailyBatchBuilder {
  private n = 0
  private cap: number
  private ad: Uint32Array
  private adSet: Uint32Array
  private campaign: Uint32Array
  private day: Int32Array
  private values: Float64Array
  private readonly ads = new Map<string, number>()
  private readonly adSets = new Map<string, number>()
  private readonly campaigns = new Map<string, number>()
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

  get length(): number {
    return this.n
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

  private static intern(map: Map<string, number>, id: string): number {
    let i = map.get(id)
    if (i === undefined) {
      i = map.size
      map.set(id, i)
    }
    return i
  }

  /** Append one row. `date` is an account-local YYYY-MM-DD date. */
  push(
    adId: string,
    adSetId: string,
    campaignId: string,
    date: string,
    spendMicros: number,
    impressions: number,
    clicks: number,
    reach: number,
    conversions: number,
    conversionValueMicros: number,
    videoViews: number,
  ): void {
    if (date !== this.lastDate) {
      this.lastDate = date
      this.lastDay = toEpochDay(date)
    }
    this.pushDay(
      adId,
      adSetId,
      campaignId,
      this.lastDay,
      spendMicros,
      impressions,
      clicks,
      reach,
      conversions,
      conversionValueMicros,
      videoViews,
    )
  }

  /** Append one row whose account-local date is already an epoch day (decoders cache them per page). */
  pushDay(
    adId: string,
    adSetId: string,
    campaignId: string,
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
    this.ad[i] = DailyBatchBuilder.intern(this.ads, adId)
    this.adSet[i] = DailyBatchBuilder.intern(this.adSets, adSetId)
    this.campaign[i] = DailyBatchBuilder.intern(this.campaigns, campaignId)
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

  pushRow(r: RemoteDailyRow): void {
    this.push(
      r.adExternalId,
      r.adSetExternalId,
      r.campaignExternalId,
      r.date,
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
      ads: [...this.ads.keys()],
      adSets: [...this.adSets.keys()],
      campaigns: [...this.campaigns.keys()],
      ad: this.ad.slice(0, n),
      adSet: this.adSet.slice(0, n),
      campaign: this.campaign.slice(0, n),
      day: this.day.slice(0, n),
      values: this.values.slice(0, n * BATCH_VALUES),
    }
  }
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
