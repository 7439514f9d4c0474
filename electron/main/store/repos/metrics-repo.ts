import type { Sqlite } from '../db'

/** One ad-day to write. Money in integer micros of the account currency; `date` account-local. */
export interface DailyMetricInput {
  adId: number
  date: string
  accountId: number
  campaignId: number
  adSetId: number
  spendMicros: number
  impressions: number
  clicks: number
  reach: number
  conversions: number
  conversionValueMicros: number
  videoViews: number
  provisional: boolean
  source: 'sync' | 'import' | 'demo'
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

  constructor(private readonly sqlite: Sqlite) {
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
    this.delCampaignDaily = sqlite.prepare(
      'DELETE FROM campaign_daily WHERE account_id = ? AND date BETWEEN ? AND ?',
    )
    this.insCampaignDaily = sqlite.prepare(`
      INSERT INTO campaign_daily (campaign_id, date, account_id, spend_micros, impressions, clicks, conversions,
        conversion_value_micros, video_views, provisional)
      SELECT campaign_id, date, ?, sum(spend_micros), sum(impressions), sum(clicks), sum(conversions),
        sum(conversion_value_micros), sum(video_views), max(provisional)
      FROM daily_metrics
      WHERE campaign_id IN (SELECT id FROM campaigns WHERE account_id = ?) AND date BETWEEN ? AND ?
      GROUP BY campaign_id, date`)
    this.delAccountDaily = sqlite.prepare('DELETE FROM account_daily WHERE account_id = ? AND date BETWEEN ? AND ?')
    this.insAccountDaily = sqlite.prepare(`
      INSERT INTO account_daily (account_id, date, spend_micros, impressions, clicks, conversions,
        conversion_value_micros, video_views, provisional)
      SELECT account_id, date, sum(spend_micros), sum(impressions), sum(clicks), sum(conversions),
        sum(conversion_value_micros), sum(video_views), max(provisional)
      FROM campaign_daily WHERE account_id = ? AND date BETWEEN ? AND ?
      GROUP BY date`)
  }

  /** Upsert rows; call inside a transaction for bulk work. */
  upsert(rows: Iterable<DailyMetricInput>): number {
    let n = 0
    const s = this.upsertStmt
    for (const r of rows) {
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

  /** Rebuild the campaign-day and account-day rollups of one account for a date span. */
  refreshRollups(accountId: number, from: string, to: string): void {
    this.delCampaignDaily.run(accountId, from, to)
    this.insCampaignDaily.run(accountId, accountId, from, to)
    this.delAccountDaily.run(accountId, from, to)
    this.insAccountDaily.run(accountId, from, to)
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
