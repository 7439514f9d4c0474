import { daysBetween, fromEpochDay, toEpochDay } from '../../../../shared/domain/dates'
import type { Sqlite } from '../db'

const METRICS = [
  'spend_micros',
  'impressions',
  'clicks',
  'conversions',
  'conversion_value_micros',
  'video_views',
] as const
const N = METRICS.length
const CONV = 3

/** Campaign-day values the caller just wrote to `campaign_daily` (money in micros). */
export interface KnownCampaignDays {
  /** Last date covered: every campaign-day of the account in [from, to] is in `campaigns`. */
  to: string
  campaigns: Iterable<{
    campaignId: number
    date: string
    spend: number
    impressions: number
    clicks: number
    conversions: number
    value: number
    videoViews: number
  }>
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6

/**
 * Maintains `campaign_cum` (per-campaign running totals, dense from a campaign's first day to its
 * account's last day) from `campaign_daily`. Runs inside the caller's write transaction after the
 * campaign-day rollup of the span was rewritten; idempotent.
 */
export class CumulativeRollup {
  private readonly lastDay
  private readonly baseDay
  private readonly baseRows
  private readonly dailyRows
  private readonly del
  private readonly ins

  constructor(sqlite: Sqlite) {
    this.lastDay = sqlite.prepare('SELECT max(date) AS d FROM account_daily WHERE account_id = ?')
    this.baseDay = sqlite.prepare('SELECT max(date) AS d FROM campaign_cum WHERE account_id = ? AND date < ?')
    this.baseRows = sqlite
      .prepare(`SELECT campaign_id, ${METRICS.join(', ')} FROM campaign_cum WHERE account_id = ? AND date = ?`)
      .raw()
    this.dailyRows = sqlite
      .prepare(
        `SELECT campaign_id, date, ${METRICS.join(', ')} FROM campaign_daily
         WHERE account_id = ? AND date BETWEEN ? AND ?`,
      )
      .raw()
    this.del = sqlite.prepare('DELETE FROM campaign_cum WHERE account_id = ? AND date >= ?')
    this.ins = sqlite.prepare(
      `INSERT INTO campaign_cum (account_id, date, campaign_id, ${METRICS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
  }

  /**
   * Recompute the account's running totals from `from` (account-local date) to its last day. With
   * `known` covering through the account's last day (a backfill appends oldest first), the daily
   * values come from memory instead of being read back from `campaign_daily`.
   */
  refresh(accountId: number, from: string, known?: KnownCampaignDays): void {
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
    // Daily values per campaign, indexed by day offset from `from`.
    const daily = new Map<number, Float64Array>()
    const first = new Map<number, number>()
    const fromEpoch = toEpochDay(from)
    const offsets = new Map<string, number>()
    const put = (id: number, date: string, values: ArrayLike<number>, at: number): void => {
      let off = offsets.get(date)
      if (off === undefined) {
        off = toEpochDay(date) - fromEpoch
        offsets.set(date, off)
      }
      let arr = daily.get(id)
      if (!arr) {
        arr = new Float64Array(span * N)
        daily.set(id, arr)
      }
      for (let k = 0; k < N; k++) arr[off * N + k] = values[at + k] as number
      if (off < (first.get(id) ?? span)) first.set(id, off)
    }
    if (known && known.to >= last) {
      const v = new Float64Array(N)
      for (const c of known.campaigns) {
        if (c.date < from || c.date > last) continue
        // The same values campaign_daily holds (conversions stored rounded to 1e-6).
        v[0] = c.spend
        v[1] = c.impressions
        v[2] = c.clicks
        v[3] = round6(c.conversions)
        v[4] = c.value
        v[5] = c.videoViews
        put(c.campaignId, c.date, v, 0)
      }
    } else {
      for (const r of this.dailyRows.iterate(accountId, from, last) as Iterable<(number | string)[]>) {
        put(r[0] as number, r[1] as string, r as number[], 2)
      }
    }
    const ids = [...new Set([...base.keys(), ...daily.keys()])].sort((a, b) => a - b)
    // Per campaign: running totals, first day offset written, daily values (looked up once).
    const runs = ids.map((id) => base.get(id) ?? new Float64Array(N))
    const starts = ids.map((id) => (base.has(id) ? 0 : (first.get(id) ?? span)))
    const days = ids.map((id) => daily.get(id))
    // Date-major order matches the primary key (account, date, campaign): local B-tree inserts.
    for (let off = 0; off < span; off++) {
      const date = fromEpochDay(fromEpoch + off)
      for (let i = 0; i < ids.length; i++) {
        if (off < (starts[i] as number)) continue
        const id = ids[i] as number
        const acc = runs[i] as Float64Array
        const d = days[i]
        if (d) for (let k = 0; k < N; k++) acc[k] = (acc[k] as number) + (d[off * N + k] as number)
        this.ins.run(accountId, date, id, acc[0], acc[1], acc[2], round6(acc[CONV] as number), acc[4], acc[5])
      }
    }
  }
}
