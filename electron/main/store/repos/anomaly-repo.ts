import type { Sqlite } from '../db'
import { inChunks } from '../id-lists'
import { runSteps, type Steps } from '../../scheduler/slices'
import { addDays, startOfMonth } from '../../../../shared/domain/dates'
import { CUM_N, CumulativeReader, type CumDay } from './cumulative-rollup'
import { StatusRepo } from './status-repo'

/** One entity-day of the anomaly detector's series (sums over the entity's rows). */
export interface AnomalyDayRow {
  key: number
  date: string
  spend: number
  revenue: number
  impressions: number
  clicks: number
  conversions: number
}

const placeholders = (n: number): string => `(${Array.from({ length: n }, () => '?').join(',')})`

/** SQL of the anomaly detector: daily series per account and campaign. */
export class AnomalyRepo {
  private readonly status: StatusRepo
  private readonly cum: CumulativeReader

  constructor(private readonly sqlite: Sqlite) {
    this.status = new StatusRepo(sqlite)
    this.cum = new CumulativeReader(sqlite)
  }

  /** The workspace's last day with data, or null. */
  lastDataDate(workspaceId: number): string | null {
    return this.status.lastDataDate(workspaceId)
  }

  /**
   * Per account, the last day its numbers were reported through: the sync cursor (a sync pulls
   * complete days through yesterday), or the last stored day when later (a demo, an import) or
   * when the account never synced. Absent for an account with neither.
   */
  reportedThrough(accountIds: number[]): Map<number, string> {
    const out = new Map<number, string>()
    if (!accountIds.length) return out
    const rows = this.sqlite
      .prepare(
        `SELECT a.id AS id, s.synced_through AS synced,
           (SELECT max(d.date) FROM account_daily d WHERE d.account_id = a.id) AS lastDay
         FROM ad_accounts a LEFT JOIN sync_state s ON s.account_id = a.id
         WHERE a.id IN ${placeholders(accountIds.length)}`,
      )
      .all(...accountIds) as { id: number; synced: string | null; lastDay: string | null }[]
    for (const r of rows) {
      const through = r.synced && (!r.lastDay || r.synced > r.lastDay) ? r.synced : r.lastDay
      if (through) out.set(r.id, through)
    }
    return out
  }

  /** Daily sums per account (`key` = account id) over [from, to]. */
  accountDays(accountIds: number[], from: string, to: string): AnomalyDayRow[] {
    if (!accountIds.length) return []
    return this.sqlite
      .prepare(
        `SELECT account_id AS key, date, spend_micros AS spend, conversion_value_micros AS revenue, impressions, clicks,
           conversions
         FROM account_daily WHERE account_id IN ${placeholders(accountIds.length)} AND date BETWEEN ? AND ?`,
      )
      .all(...accountIds, from, to) as AnomalyDayRow[]
  }

  /**
   * The `limit` campaigns of the accounts that spent most over [from, to] (native micros), biggest
   * first, ties by id: from the campaigns' running totals (two rows per account and month), not a
   * GROUP BY over the range's ad-day rows (1.5M rows for 30 days of the 10,000-campaign demo).
   */
  topCampaigns(accountIds: number[], from: string, to: string, limit: number): number[] {
    return runSteps(this.topCampaignsSteps(accountIds, from, to, limit))
  }

  /** `topCampaigns` in steps (one account per step; see scheduler/slices.ts). */
  *topCampaignsSteps(accountIds: number[], from: string, to: string, limit: number): Steps<number[]> {
    const spend: [number, number][] = []
    for (const a of accountIds) {
      for (const [id, sums] of this.cum.rangeSums(a, from, to))
        if ((sums[0] as number) !== 0) spend.push([id, sums[0] as number])
      yield
    }
    spend.sort((x, y) => y[1] - x[1] || x[0] - y[0])
    return spend.slice(0, limit).map(([id]) => id)
  }

  /**
   * Daily sums per campaign (`key` = campaign id) over [from, to], days with activity only: each day
   * the difference of the campaigns' running totals and the day before's (one packed row per account-day),
   * instead of one key lookup per ad-day of the campaigns' ads.
   */
  campaignDays(campaignIds: number[], from: string, to: string): AnomalyDayRow[] {
    return runSteps(this.campaignDaysSteps(campaignIds, from, to))
  }

  /** `campaignDays` in steps (one account-day's packed row per step; see scheduler/slices.ts). */
  *campaignDaysSteps(campaignIds: number[], from: string, to: string): Steps<AnomalyDayRow[]> {
    const wanted = new Set(campaignIds)
    const accounts = inChunks(campaignIds, (chunk, list) =>
      this.sqlite
        .prepare(`SELECT DISTINCT account_id FROM campaigns WHERE id IN (${list})`)
        .pluck()
        .all(...chunk),
    ) as number[]
    const out: AnomalyDayRow[] = []
    for (const a of [...new Set(accounts)].sort((x, y) => x - y)) {
      let prev: CumDay | null = null
      for (let d = from; d <= to; d = addDays(d, 1)) {
        const hi = this.cum.at(a, d)
        const lo = d === startOfMonth(d) ? null : d === from ? this.cum.at(a, addDays(d, -1)) : prev
        prev = hi
        yield
        if (!hi) continue
        let j = 0
        for (let i = 0; i < hi.ids.length; i++) {
          const id = hi.ids[i] as number
          if (!wanted.has(id)) continue
          while (lo && j < lo.ids.length && (lo.ids[j] as number) < id) j++
          const v = (k: number): number =>
            (hi.sums[i * CUM_N + k] as number) - (lo && lo.ids[j] === id ? (lo.sums[j * CUM_N + k] as number) : 0)
          const row = {
            key: id,
            date: d,
            spend: v(0),
            impressions: v(1),
            clicks: v(2),
            conversions: Math.round(v(3) * 1e6) / 1e6,
            revenue: v(4),
          }
          if (row.spend || row.impressions || row.clicks || row.conversions || row.revenue) out.push(row)
        }
      }
    }
    return out
  }

  /** Name and account of the campaigns that belong to the accounts. */
  campaigns(campaignIds: number[], accountIds: number[]): { id: number; name: string; accountId: number }[] {
    if (!accountIds.length) return []
    return inChunks(
      campaignIds,
      (chunk, list) =>
        this.sqlite
          .prepare(
            `SELECT id, name, account_id AS accountId FROM campaigns
             WHERE id IN (${list}) AND account_id IN ${placeholders(accountIds.length)}`,
          )
          .all(...chunk, ...accountIds) as { id: number; name: string; accountId: number }[],
    )
  }
}
