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

  /** Recompute the account's running totals from `from` (account-local date) to its last day. */
  refresh(accountId: number, from: string): void {
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
    for (const r of this.dailyRows.iterate(accountId, from, last) as Iterable<(number | string)[]>) {
      const id = r[0] as number
      const off = toEpochDay(r[1] as string) - fromEpoch
      let arr = daily.get(id)
      if (!arr) {
        arr = new Float64Array(span * N)
        daily.set(id, arr)
      }
      for (let k = 0; k < N; k++) arr[off * N + k] = r[k + 2] as number
      if (off < (first.get(id) ?? span)) first.set(id, off)
    }
    const ids = [...new Set([...base.keys(), ...daily.keys()])].sort((a, b) => a - b)
    const run = new Map<number, Float64Array>(ids.map((id) => [id, base.get(id) ?? new Float64Array(N)]))
    const round = (x: number): number => Math.round(x * 1e6) / 1e6
    // Date-major order matches the primary key (account, date, campaign): local B-tree inserts.
    for (let off = 0; off < span; off++) {
      const date = fromEpochDay(fromEpoch + off)
      for (const id of ids) {
        const start = base.has(id) ? 0 : (first.get(id) ?? span)
        if (off < start) continue
        const acc = run.get(id) as Float64Array
        const d = daily.get(id)
        if (d) for (let k = 0; k < N; k++) acc[k] = (acc[k] as number) + (d[off * N + k] as number)
        this.ins.run(accountId, date, id, acc[0], acc[1], acc[2], round(acc[CONV] as number), acc[4], acc[5])
      }
    }
  }
}
