import type { Sqlite } from '../db'
import { daysBetween, fromEpochDay, toEpochDay } from '../../../../shared/domain/dates'
import { BulkInsert } from './bulk-insert'
import { AdMonthRollup, touchAccountData } from './ad-month-rollup'
import { CampaignDays, CUM_N, CumulativeRollup } from './cumulative-rollup'
import type { DailyMetricValues } from '../../../../shared/domain/metrics'

/** One ad-day to write. Money in integer micros of the account currency; `date` account-local. */
export interface DailyMetricInput extends DailyMetricValues {
  adId: number
  date: string
  accountId: number
  campaignId: number
  adSetId: number
  provisional: boolean
  source: 'sync' | 'import' | 'demo'
}

interface RollupSums {
  spend: number
  impressions: number
  clicks: number
  conversions: number
  value: number
  videoViews: number
  provisional: boolean
  /** Ad rows summed. */
  rows: number
}

/**
 * Campaign-day and account-day sums computed in memory from rows as they are written. Exact when
 * it has seen every row of the account in the span it replaces (a window that was written whole);
 * cheaper than re-aggregating the rows in SQL.
 */
export class RollupAccumulator {
  readonly campaigns = new Map<string, CampaignDaySums>()
  readonly days = new Map<string, RollupSums>()

  add(r: DailyMetricInput): void {
    const ck = `${r.campaignId}|${r.date}`
    let c = this.campaigns.get(ck)
    if (!c) {
      c = {
        campaignId: r.campaignId,
        date: r.date,
        spend: 0,
        impressions: 0,
        clicks: 0,
        conversions: 0,
        value: 0,
        videoViews: 0,
        provisional: false,
        rows: 0,
      }
      this.campaigns.set(ck, c)
    }
    let d = this.days.get(r.date)
    if (!d) {
      d = { spend: 0, impressions: 0, clicks: 0, conversions: 0, value: 0, videoViews: 0, provisional: false, rows: 0 }
      this.days.set(r.date, d)
    }
    addSums(c, r)
    addSums(d, r)
  }
}

/** Campaign-day sums as accumulated (money in micros). */
export type CampaignDaySums = RollupSums & { campaignId: number; date: string }

function addSums(x: RollupSums, r: DailyMetricInput): void {
  x.spend += r.spendMicros
  x.impressions += r.impressions
  x.clicks += r.clicks
  x.conversions += r.conversions
  x.value += r.conversionValueMicros
  x.videoViews += r.videoViews
  x.rows += 1
  if (r.provisional) x.provisional = true
}

/** Rows in primary-key order (account, date, ad). */
export function sortByKey(rows: DailyMetricInput[]): DailyMetricInput[] {
  return rows.sort(
    (a, b) => a.accountId - b.accountId || (a.date < b.date ? -1 : a.date > b.date ? 1 : 0) || a.adId - b.adId,
  )
}

const DAILY_COLUMNS = `ad_id, date, account_id, campaign_id, ad_set_id, spend_micros, impressions, clicks, reach,
  conversions, conversion_value_micros, video_views, provisional, source`
/** Columns per daily_metrics row in the bulk statements (DAILY_COLUMNS order). */
export const DAILY_WIDTH = 14

/**
 * A multi-row INSERT into daily_metrics of one account's rows from one source (no conflict clause:
 * the caller cleared the key range). The account and the source are part of the statement, so a
 * row binds DAILY_WIDTH - 2 values, in DAILY_COLUMNS order without account_id.
 */
export function dailyInsert(sqlite: Sqlite, accountId: number, source: DailyMetricInput['source']): BulkInsert {
  if (!Number.isSafeInteger(accountId)) throw new Error(`Not an account id: ${accountId}`)
  const cols = DAILY_COLUMNS.replace('account_id, ', '').replace(', source', '')
  return new BulkInsert(
    sqlite,
    `INSERT INTO daily_metrics (${cols}, account_id, source)`,
    DAILY_WIDTH - 2,
    `${accountId}, '${source}'`,
  )
}

/** Sums per day offset for account_daily: CUM_N values per day plus a provisional flag. */
export interface AccountDays {
  from: string
  span: number
  /** span x CUM_N values (CampaignDays order). */
  values: Float64Array
  /** Ad rows of each day (0: no row): the maintained `account_daily.ad_rows` counter. */
  rows: Uint32Array
  provisional: Uint8Array
}

/**
 * Bulk writes of daily metrics with prepared multi-row statements (drizzle row-by-row inserts are
 * ~25x slower). Upserts are idempotent on (account_id, date, ad_id): writing a day again
 * overwrites it. Maintains the rollups: `account_daily`, `campaign_cum` (and through it the
 * `campaign_daily` view), `ad_month` and `ad_month_days`.
 */
export class MetricsRepo {
  private readonly upsertBulk: BulkInsert
  private readonly delAccountDaily
  private readonly insAccountDaily
  private readonly insAccountValues
  /** Per-campaign running totals (analytics range queries and the campaign_daily view). */
  readonly cumulative: CumulativeRollup
  /** Per-ad monthly sums (ad_month): rebuilt for the months a write touched. */
  readonly adMonths: AdMonthRollup

  constructor(private readonly sqlite: Sqlite) {
    this.cumulative = new CumulativeRollup(sqlite)
    this.adMonths = new AdMonthRollup(sqlite)
    this.upsertBulk = new BulkInsert(
      sqlite,
      `INSERT INTO daily_metrics (${DAILY_COLUMNS})`,
      DAILY_WIDTH,
      '',
      `ON CONFLICT (account_id, date, ad_id) DO UPDATE SET
        spend_micros = excluded.spend_micros, impressions = excluded.impressions, clicks = excluded.clicks,
        reach = excluded.reach, conversions = excluded.conversions,
        conversion_value_micros = excluded.conversion_value_micros, video_views = excluded.video_views,
        provisional = excluded.provisional, source = excluded.source,
        campaign_id = excluded.campaign_id, ad_set_id = excluded.ad_set_id`,
    )
    this.delAccountDaily = sqlite.prepare('DELETE FROM account_daily WHERE account_id = ? AND date BETWEEN ? AND ?')
    this.insAccountDaily = sqlite.prepare(`
      INSERT INTO account_daily (account_id, date, spend_micros, impressions, clicks, conversions,
        conversion_value_micros, video_views, provisional, ad_rows)
      SELECT account_id, date, sum(spend_micros), sum(impressions), sum(clicks), round(sum(conversions), 6),
        sum(conversion_value_micros), sum(video_views), max(provisional), count(*)
      FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ?
      GROUP BY date`)
    this.insAccountValues = sqlite.prepare(
      `INSERT INTO account_daily (account_id, date, spend_micros, impressions, clicks, conversions,
         conversion_value_micros, video_views, provisional, ad_rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
  }

  /**
   * Upsert rows; call inside a transaction for bulk work. Rows are written in key order
   * (account, date, ad), which keeps B-tree inserts local (appends for a backfill).
   */
  upsert(rows: DailyMetricInput[], presorted = false): number {
    const sorted = presorted ? rows : sortByKey([...rows])
    const w = this.upsertBulk
    const a = w.args
    for (const r of sorted) {
      const s = w.slot()
      a[s] = r.adId
      a[s + 1] = r.date
      a[s + 2] = r.accountId
      a[s + 3] = r.campaignId
      a[s + 4] = r.adSetId
      a[s + 5] = r.spendMicros
      a[s + 6] = r.impressions
      a[s + 7] = r.clicks
      a[s + 8] = r.reach
      a[s + 9] = r.conversions
      a[s + 10] = r.conversionValueMicros
      a[s + 11] = r.videoViews
      a[s + 12] = r.provisional ? 1 : 0
      a[s + 13] = r.source
    }
    w.flush()
    touchAccountData(
      this.sqlite,
      sorted.map((r) => r.accountId),
    )
    return sorted.length
  }

  /** Replace one account's account-day rows of [days.from, days.from + span) with in-memory sums. */
  writeAccountDays(accountId: number, days: AccountDays): void {
    const to = fromEpochDay(toEpochDay(days.from) + days.span - 1)
    this.delAccountDaily.run(accountId, days.from, to)
    const base = toEpochDay(days.from)
    const v = days.values
    for (let off = 0; off < days.span; off++) {
      const n = days.rows[off] as number
      if (n === 0) continue
      const o = off * CUM_N
      this.insAccountValues.run(
        accountId,
        fromEpochDay(base + off),
        v[o],
        v[o + 1],
        v[o + 2],
        round6(v[o + 3] as number),
        v[o + 4],
        v[o + 5],
        days.provisional[off] ? 1 : 0,
        n,
      )
    }
  }

  /**
   * Replace one account's rollups for [from, to] with what `acc` accumulated. Use only when `acc`
   * saw every row of the account in that span; otherwise call `refreshRollups`.
   */
  replaceRollups(accountId: number, from: string, to: string, acc: RollupAccumulator): void {
    const span = daysBetween(from, to) + 1
    const fromDay = toEpochDay(from)
    const account: AccountDays = {
      from,
      span,
      values: new Float64Array(span * CUM_N),
      rows: new Uint32Array(span),
      provisional: new Uint8Array(span),
    }
    for (const [date, d] of acc.days) {
      if (date < from || date > to) continue
      const off = toEpochDay(date) - fromDay
      const o = off * CUM_N
      account.values.set([d.spend, d.impressions, d.clicks, d.conversions, d.value, d.videoViews], o)
      account.rows[off] = d.rows
      account.provisional[off] = d.provisional ? 1 : 0
    }
    this.writeAccountDays(accountId, account)
    const campaigns = new CampaignDays(from, span)
    for (const c of acc.campaigns.values()) {
      if (c.date < from || c.date > to) continue
      const off = toEpochDay(c.date) - fromDay
      const row = campaigns.row(c.campaignId)
      row.set([c.spend, c.impressions, c.clicks, round6(c.conversions), c.value, c.videoViews], off * CUM_N)
    }
    this.cumulative.refresh(accountId, from, campaigns)
    this.adMonths.refresh(accountId, from, to)
  }

  /** Rebuild the account-day rollup of one account for a date span from the rows (no running totals). */
  refreshAccountDays(accountId: number, from: string, to: string): void {
    this.delAccountDaily.run(accountId, from, to)
    this.insAccountDaily.run(accountId, from, to)
  }

  /** Rebuild the account-day, campaign and ad-month rollups of one account for a date span from the rows. */
  refreshRollups(accountId: number, from: string, to: string): void {
    this.delAccountDaily.run(accountId, from, to)
    this.insAccountDaily.run(accountId, from, to)
    this.cumulative.refresh(accountId, from)
    this.adMonths.refresh(accountId, from, to)
  }

  /** Mark the days from `from` on as provisional (inside the restatement window) and older ones final. */
  setProvisionalFrom(accountId: number, from: string): void {
    const t = this.sqlite.transaction(() => {
      for (const table of ['daily_metrics', 'account_daily']) {
        this.sqlite
          .prepare(`UPDATE ${table} SET provisional = (date >= ?) WHERE account_id = ? AND provisional != (date >= ?)`)
          .run(from, accountId, from)
      }
    })
    t.immediate()
  }
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6
