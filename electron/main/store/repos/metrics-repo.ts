import type { Sqlite } from '../db'
import { CumulativeRollup } from './cumulative-rollup'
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
}

/**
 * Campaign-day and account-day sums computed in memory from rows as they are written. Exact when
 * it has seen every row of the account in the span it replaces (a backfill or a window that was
 * re-pulled whole); ~2x cheaper than re-aggregating the rows in SQL.
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
      }
      this.campaigns.set(ck, c)
    }
    let d = this.days.get(r.date)
    if (!d) {
      d = { spend: 0, impressions: 0, clicks: 0, conversions: 0, value: 0, videoViews: 0, provisional: false }
      this.days.set(r.date, d)
    }
    addSums(c, r)
    addSums(d, r)
  }

  /** Campaign-days in primary-key order (campaign, date): B-tree inserts stay local. */
  sortedCampaigns(): CampaignDaySums[] {
    return [...this.campaigns.values()].sort(
      (a, b) => a.campaignId - b.campaignId || (a.date < b.date ? -1 : a.date > b.date ? 1 : 0),
    )
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
  if (r.provisional) x.provisional = true
}

/** Rows in primary-key order (ad, date). */
export function sortByKey(rows: DailyMetricInput[]): DailyMetricInput[] {
  return rows.sort((a, b) => a.adId - b.adId || (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
}

/**
 * Bulk writes of daily metrics with a prepared statement (drizzle row-by-row inserts are ~25x
 * slower). Upserts are idempotent on (ad_id, date): writing a day again overwrites it.
 */
export class MetricsRepo {
  private readonly upsertStmt
  private readonly delCampaignDaily
  private readonly insCampaignDaily
  private readonly delAccountDaily
  private readonly insAccountDaily
  private readonly insCampaignValues
  private readonly insAccountValues
  /** Per-campaign running totals (analytics range queries); refreshed after every rollup write. */
  private readonly cumulative: CumulativeRollup

  constructor(private readonly sqlite: Sqlite) {
    this.cumulative = new CumulativeRollup(sqlite)
    this.upsertStmt = sqlite.prepare(`
      INSERT INTO daily_metrics (ad_id, date, account_id, campaign_id, ad_set_id, spend_micros, impressions, clicks,
        reach, conversions, conversion_value_micros, video_views, provisional, source)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (ad_id, date) DO UPDATE SET
        spend_micros = excluded.spend_micros, impressions = excluded.impressions, clicks = excluded.clicks,
        reach = excluded.reach, conversions = excluded.conversions,
        conversion_value_micros = excluded.conversion_value_micros, video_views = excluded.video_views,
        provisional = excluded.provisional, source = excluded.source,
        account_id = excluded.account_id, campaign_id = excluded.campaign_id, ad_set_id = excluded.ad_set_id`)
    this.delCampaignDaily = sqlite.prepare('DELETE FROM campaign_daily WHERE account_id = ? AND date BETWEEN ? AND ?')
    this.insCampaignDaily = sqlite.prepare(`
      INSERT INTO campaign_daily (campaign_id, date, account_id, spend_micros, impressions, clicks, conversions,
        conversion_value_micros, video_views, provisional)
      SELECT campaign_id, date, ?, sum(spend_micros), sum(impressions), sum(clicks), sum(conversions),
        sum(conversion_value_micros), sum(video_views), max(provisional)
      FROM daily_metrics
      WHERE ad_id IN (SELECT id FROM ads WHERE account_id = ?) AND date BETWEEN ? AND ?
      GROUP BY campaign_id, date`)
    this.delAccountDaily = sqlite.prepare('DELETE FROM account_daily WHERE account_id = ? AND date BETWEEN ? AND ?')
    this.insAccountDaily = sqlite.prepare(`
      INSERT INTO account_daily (account_id, date, spend_micros, impressions, clicks, conversions,
        conversion_value_micros, video_views, provisional)
      SELECT account_id, date, sum(spend_micros), sum(impressions), sum(clicks), sum(conversions),
        sum(conversion_value_micros), sum(video_views), max(provisional)
      FROM campaign_daily WHERE account_id = ? AND date BETWEEN ? AND ?
      GROUP BY date`)
    this.insCampaignValues = sqlite.prepare(
      `INSERT INTO campaign_daily (campaign_id, date, account_id, spend_micros, impressions, clicks, conversions,
         conversion_value_micros, video_views, provisional) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.insAccountValues = sqlite.prepare(
      `INSERT INTO account_daily (account_id, date, spend_micros, impressions, clicks, conversions,
         conversion_value_micros, video_views, provisional) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
  }

  /**
   * Upsert rows; call inside a transaction for bulk work. Rows are written in key order
   * (ad, date), which keeps B-tree inserts local and roughly 1.4x faster.
   */
  upsert(rows: DailyMetricInput[], presorted = false): number {
    let n = 0
    const s = this.upsertStmt
    const sorted = presorted ? rows : sortByKey([...rows])
    for (const r of sorted) {
      s.run(
        r.adId,
        r.date,
        r.accountId,
        r.campaignId,
        r.adSetId,
        r.spendMicros,
        r.impressions,
        r.clicks,
        r.reach,
        r.conversions,
        r.conversionValueMicros,
        r.videoViews,
        r.provisional ? 1 : 0,
        r.source,
      )
      n++
    }
    return n
  }

  /**
   * Replace one account's rollups for [from, to] with what `acc` accumulated. Use only when `acc`
   * saw every row of the account in that span; otherwise call `refreshRollups`.
   */
  replaceRollups(accountId: number, from: string, to: string, acc: RollupAccumulator): void {
    this.delCampaignDaily.run(accountId, from, to)
    this.delAccountDaily.run(accountId, from, to)
    const insC = this.insCampaignValues
    const insA = this.insAccountValues
    const round = (x: number): number => Math.round(x * 1e6) / 1e6
    const campaigns = acc.sortedCampaigns().filter((c) => c.date >= from && c.date <= to)
    for (const c of campaigns) {
      insC.run(
        c.campaignId,
        c.date,
        accountId,
        c.spend,
        c.impressions,
        c.clicks,
        round(c.conversions),
        c.value,
        c.videoViews,
        c.provisional ? 1 : 0,
      )
    }
    for (const [date, d] of acc.days) {
      if (date < from || date > to) continue
      insA.run(
        accountId,
        date,
        d.spend,
        d.impressions,
        d.clicks,
        round(d.conversions),
        d.value,
        d.videoViews,
        d.provisional ? 1 : 0,
      )
    }
    this.cumulative.refresh(accountId, from, { to, campaigns })
  }

  /** Rebuild the campaign-day and account-day rollups of one account for a date span from the rows. */
  refreshRollups(accountId: number, from: string, to: string): void {
    this.delCampaignDaily.run(accountId, from, to)
    this.insCampaignDaily.run(accountId, accountId, from, to)
    this.delAccountDaily.run(accountId, from, to)
    this.insAccountDaily.run(accountId, from, to)
    this.cumulative.refresh(accountId, from)
  }

  /** Mark the days from `from` on as provisional (inside the restatement window) and older ones final. */
  setProvisionalFrom(accountId: number, from: string): void {
    const t = this.sqlite.transaction(() => {
      for (const table of ['daily_metrics', 'campaign_daily', 'account_daily']) {
        this.sqlite
          .prepare(`UPDATE ${table} SET provisional = (date >= ?) WHERE account_id = ? AND provisional != (date >= ?)`)
          .run(from, accountId, from)
      }
    })
    t()
  }
}
