import type { Sqlite } from '../db'
import { inChunks } from '../id-lists'

/** An ad with its campaign, ad set and creative, as the creatives views show it. */
export interface AdMeta {
  id: number
  name: string
  status: string
  campaign_id: number
  campaign_name: string
  ad_set_id: number
  ad_set_name: string
  account_id: number
  platform: string
  format: string | null
  headline: string | null
  thumbnail_url: string | null
  launch_date: string | null
}

/** One ad-day of delivery (the fatigue model's input). */
export interface AdDayRow {
  ad_id: number
  date: string
  impressions: number
  clicks: number
}

/** SQL of the creatives views: ads' metadata and daily delivery. */
export class CreativesRepo {
  constructor(private readonly sqlite: Sqlite) {}

  /** The ads' names, campaign, ad set, account (with its platform) and creative. */
  adMeta(ids: number[]): AdMeta[] {
    return inChunks(
      ids,
      (chunk, list) =>
        this.sqlite
          .prepare(
            `SELECT x.id, x.name, x.status, x.campaign_id, c.name AS campaign_name, x.ad_set_id, s.name AS ad_set_name,
               x.account_id, a.platform, cr.format, cr.headline, cr.thumbnail_url, x.launch_date
             FROM ads x JOIN campaigns c ON c.id = x.campaign_id JOIN ad_sets s ON s.id = x.ad_set_id
             JOIN ad_accounts a ON a.id = x.account_id
             LEFT JOIN creatives cr ON cr.id = x.creative_id WHERE x.id IN (${list})`,
          )
          .all(...chunk) as AdMeta[],
    )
  }

  /** Daily impressions and clicks of the ads up to `to`, by ad then date. */
  adDays(ids: number[], to: string): AdDayRow[] {
    // One pass over the ads' accounts (the key leads with account and date); chunks in id order.
    return inChunks(
      ids,
      (chunk, list) =>
        this.sqlite
          .prepare(
            `SELECT ad_id, date, impressions, clicks FROM daily_metrics
             WHERE account_id IN (SELECT DISTINCT account_id FROM ads WHERE id IN (${list})) AND date <= ? AND ad_id IN (${list})
             ORDER BY ad_id, date`,
          )
          .all(...chunk, to, ...chunk) as AdDayRow[],
    )
  }

  /** An ad's name when it belongs to the workspace, else null. */
  adName(adId: number, workspaceId: number): string | null {
    const r = this.sqlite
      .prepare(
        'SELECT x.name FROM ads x JOIN ad_accounts a ON a.id = x.account_id WHERE x.id = ? AND a.workspace_id = ?',
      )
      .get(adId, workspaceId) as { name: string } | undefined
    return r?.name ?? null
  }
}
