import { daysBetween, fromEpochDay, toEpochDay } from '../../../../shared/domain/dates'
import type { Sqlite } from '../db'
import { BulkInsert } from './bulk-insert'

const METRICS = [
  'spend_micros',
  'impressions',
  'clicks',
  'conversions',
  'conversion_value_micros',
  'video_views',
] as const
/** Values per campaign-day in a CampaignDays matrix, in METRICS order. */
export const CUM_N = METRICS.length
const CONV = 3

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6

/**
 * Campaign-day sums of one account over [from, from + span): per campaign a Float64Array of
 * span x CUM_N values (spend micros, impressions, clicks, conversions, value micros, video views)
 * indexed by day offset, and the first offset with a row. Built in memory by the sync's chunk
 * writer (no read-back) or from `daily_metrics`.
 */
export class CampaignDays {
  readonly daily = new Map<number, Float64Array>()
  readonly first = new Map<number, number>()
  readonly fromDay: number

  constructor(
    readonly from: string,
    readonly span: number,
  ) {
    this.fromDay = toEpochDay(from)
  }

  /** The campaign's row (created zeroed); write values at `off * CUM_N`. */
  row(campaignId: number, off: number): Float64Array {
    let arr = this.daily.get(campaignId)
    if (!arr) {
      arr = new Float64Array(this.span * CUM_N)
      this.daily.set(campaignId, arr)
    }
    const f = this.first.get(campaignId)
    if (f === undefined || off < f) this.first.set(campaignId, off)
    return arr
  }
}

/**
 * Maintains `campaign_cum` (per-campaign running totals, dense from a campaign's first day to its
 * account's last day). `campaign_daily` is a view over it (day d = cum(d) - cum(d - 1)), so this
 * table is the only stored campaign-level rollup. Runs inside the caller's write transaction
 * after `daily_metrics` and `account_daily` of the span were rewritten; idempotent.
 */
export class CumulativeRollup {
  private readonly lastDay
  private readonly baseDay
  private readonly baseRows
  private readonly dailyRows
  private readonly del
  private readonly sqlite: Sqlite
  /** Multi-row inserts per account (the account id is part of the statement). */
  private readonly inserts = new Map<number, BulkInsert>()

  constructor(sqlite: Sqlite) {
    this.lastDay = sqlite.prepare('SELECT max(date) AS d FROM account_daily WHERE account_id = ?')
    this.baseDay = sqlite.prepare('SELECT max(date) AS d FROM campaign_cum WHERE account_id = ? AND date < ?')
    this.baseRows = sqlite
      .prepare(`SELECT campaign_id, ${METRICS.join(', ')} FROM campaign_cum WHERE account_id = ? AND date = ?`)
      .raw()
    this.dailyRows = sqlite
      .prepare(
        `SELECT campaign_id, date, sum(spend_micros), sum(impressions), sum(clicks), round(sum(conversions), 6),
           sum(conversion_value_micros), sum(video_views)
         FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ? GROUP BY campaign_id, date`,
      )
      .raw()
    this.del = sqlite.prepare('DELETE FROM campaign_cum WHERE account_id = ? AND date >= ?')
    this.sqlite = sqlite
  }

  /**
   * Recompute the account's running totals from `from` (account-local date) to its last day. With
   * `known` starting at `from` and covering through the account's last day (a backfill appends
   * oldest first), the daily values come from memory instead of being read back.
   */
  refresh(accountId: number, from: string, known?: CampaignDays): void {
    if (!Number.isSafeInteger(accountId)) throw new Error(`Not an account id: ${accountId}`)
    this.del.run(accountId, from)
    const last = (this.lastDay.get(accountId) as { d: string | null }).d
    if (last === null || last < from) return
    const span = daysBetween(from, last) + 1
    const baseDate = (this.baseDay.get(accountId, from) as { d: string | null }).d
    // Running totals carried in from before `from`: every campaign seen so far has a row there.
    const base = new Map<number, Float64Array>()
    if (baseDate !== null) {
      for (const r of this.baseRows.iterate(accountId, baseDate) as Iterable<number[]>) {
        base.set(r[0] as number, Float64Array.from(r.slice(1)))
      }
    }
    let days: CampaignDays
    if (known && known.from === from && known.span >= span) days = known
    else {
      days = new CampaignDays(from, span)
      const offsets = new Map<string, number>()
      for (const r of this.dailyRows.iterate(accountId, from, last) as Iterable<(number | string)[]>) {
        const date = r[1] as string
        let off = offsets.get(date)
        if (off === undefined) {
          off = toEpochDay(date) - days.fromDay
          offsets.set(date, off)
        }
        const arr = days.row(r[0] as number, off)
        for (let k = 0; k < CUM_N; k++) arr[off * CUM_N + k] = r[2 + k] as number
      }
    }
    const ids = [...new Set([...base.keys(), ...days.daily.keys()])].sort((a, b) => a - b)
    // Per campaign: running totals, first day offset written, daily values (looked up once).
    const runs = ids.map((id) => base.get(id) ?? new Float64Array(CUM_N))
    const starts = ids.map((id) => (base.has(id) ? 0 : (days.first.get(id) ?? span)))
    const daily = ids.map((id) => days.daily.get(id))
    let ins = this.inserts.get(accountId)
    if (!ins) {
      ins = new BulkInsert(
        this.sqlite,
        `INSERT INTO campaign_cum (date, campaign_id, ${METRICS.join(', ')}, account_id)`,
        8,
        String(accountId),
      )
      this.inserts.set(accountId, ins)
    }
    const a = ins.args
    // Date-major order matches the primary key (account, date, campaign): a backfill appends.
    for (let off = 0; off < span; off++) {
      const date = fromEpochDay(days.fromDay + off)
      for (let i = 0; i < ids.length; i++) {
        if (off < (starts[i] as number)) continue
        const acc = runs[i] as Float64Array
        const d = daily[i]
        if (d) {
          const o = off * CUM_N
          acc[0] = (acc[0] as number) + (d[o] as number)
          acc[1] = (acc[1] as number) + (d[o + 1] as number)
          acc[2] = (acc[2] as number) + (d[o + 2] as number)
          acc[3] = (acc[3] as number) + (d[o + 3] as number)
          acc[4] = (acc[4] as number) + (d[o + 4] as number)
          acc[5] = (acc[5] as number) + (d[o + 5] as number)
        }
        const s = ins.slot()
        a[s] = date
        a[s + 1] = ids[i] as number
        a[s + 2] = acc[0] as number
        a[s + 3] = acc[1] as number
        a[s + 4] = acc[2] as number
        a[s + 5] = round6(acc[CONV] as number)
        a[s + 6] = acc[4] as number
        a[s + 7] = acc[5] as number
      }
    }
    ins.flush()
  }
}
