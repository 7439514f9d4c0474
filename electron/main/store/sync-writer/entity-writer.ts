import type { Sqlite } from '../db'
import type { RemoteAccount, RemoteAd, RemoteAdSet, RemoteCampaign } from '../../sync/connectors/types'

/** Local ids of one account's entities keyed by platform external id. */
export interface EntityIds {
  campaigns: Map<string, number>
  adSets: Map<string, number>
  ads: Map<string, number>
}

/**
 * Upserts accounts and their campaigns, ad sets, creatives and ads by (account_id, external_id).
 * Idempotent: running it again updates names, statuses and budgets in place and keeps local ids.
 */
export class EntityWriter {
  /** `now`: the core's injected clock (entities' updated_at). */
  constructor(
    private readonly sqlite: Sqlite,
    private readonly now: () => Date,
  ) {}

  /** Create or update the local ad account of a remote one; returns its local id. */
  upsertAccount(workspaceId: number, platform: string, connectionId: number | null, a: RemoteAccount): number {
    this.sqlite
      .prepare(
        `INSERT INTO ad_accounts (workspace_id, connection_id, platform, external_id, name, currency, time_zone, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (workspace_id, platform, external_id) DO UPDATE SET
           connection_id = coalesce(excluded.connection_id, ad_accounts.connection_id), name = excluded.name,
           currency = excluded.currency, time_zone = excluded.time_zone`,
      )
      .run(
        workspaceId,
        connectionId,
        platform,
        a.externalId,
        a.name,
        a.currency,
        a.timeZone,
        a.status === 'active' ? 'active' : 'disabled',
      )
    const r = this.sqlite
      .prepare('SELECT id FROM ad_accounts WHERE workspace_id = ? AND platform = ? AND external_id = ?')
      .get(workspaceId, platform, a.externalId) as { id: number }
    return r.id
  }

  /**
   * Upsert the whole structure of one account in one transaction; returns the id maps. `parents`
   * (the account's maps from an earlier upsert) resolves the campaigns and ad sets of entities added
   * later (placeholders for report rows whose entity the listing did not return); the result then
   * holds them all. `at`: the entities' updated_at (default: now by the writer's clock).
   */
  upsertStructure(
    accountId: number,
    campaigns: RemoteCampaign[],
    adSets: RemoteAdSet[],
    ads: RemoteAd[],
    parents?: EntityIds,
    at: string = this.now().toISOString(),
  ): EntityIds {
    const s = this.sqlite
    const ids: EntityIds = {
      campaigns: new Map(parents?.campaigns),
      adSets: new Map(parents?.adSets),
      ads: new Map(parents?.ads),
    }
    s.transaction(() => {
      const upC = s.prepare(
        `INSERT INTO campaigns (account_id, external_id, name, objective, status, daily_budget_micros, start_date, end_date, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id, external_id) DO UPDATE SET name = excluded.name, objective = excluded.objective,
           status = excluded.status, daily_budget_micros = excluded.daily_budget_micros,
           start_date = excluded.start_date, end_date = excluded.end_date, updated_at = excluded.updated_at
         RETURNING id`,
      )
      for (const c of campaigns) {
        const r = upC.get(
          accountId,
          c.externalId,
          c.name,
          c.objective,
          c.status,
          c.dailyBudgetMicros,
          c.startDate,
          c.endDate,
          at,
        ) as { id: number }
        ids.campaigns.set(c.externalId, r.id)
      }
      const upS = s.prepare(
        `INSERT INTO ad_sets (account_id, campaign_id, external_id, name, status, daily_budget_micros, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id, external_id) DO UPDATE SET campaign_id = excluded.campaign_id, name = excluded.name,
           status = excluded.status, daily_budget_micros = excluded.daily_budget_micros, updated_at = excluded.updated_at
         RETURNING id`,
      )
      for (const x of adSets) {
        const campaignId = ids.campaigns.get(x.campaignExternalId)
        if (campaignId === undefined)
          throw new Error(`Ad set ${x.externalId} names unknown campaign ${x.campaignExternalId}`)
        const r = upS.get(accountId, campaignId, x.externalId, x.name, x.status, x.dailyBudgetMicros, at) as {
          id: number
        }
        ids.adSets.set(x.externalId, r.id)
      }
      const upCr = s.prepare(
        `INSERT INTO creatives (account_id, external_id, format, headline, thumbnail_url) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (account_id, external_id) DO UPDATE SET format = excluded.format, headline = excluded.headline,
           thumbnail_url = excluded.thumbnail_url
         RETURNING id`,
      )
      const upA = s.prepare(
        `INSERT INTO ads (account_id, campaign_id, ad_set_id, creative_id, external_id, name, status, launch_date, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id, external_id) DO UPDATE SET campaign_id = excluded.campaign_id,
           ad_set_id = excluded.ad_set_id, creative_id = excluded.creative_id, name = excluded.name,
           status = excluded.status, launch_date = excluded.launch_date, updated_at = excluded.updated_at
         RETURNING id`,
      )
      const creatives = new Map<string, number>()
      for (const ad of ads) {
        const campaignId = ids.campaigns.get(ad.campaignExternalId)
        const adSetId = ids.adSets.get(ad.adSetExternalId)
        if (campaignId === undefined || adSetId === undefined) {
          throw new Error(
            `Ad ${ad.externalId} names an unknown ad set ${ad.adSetExternalId} or campaign ${ad.campaignExternalId}`,
          )
        }
        let creativeId = creatives.get(ad.creative.externalId)
        if (creativeId === undefined) {
          const c = ad.creative
          creativeId = (upCr.get(accountId, c.externalId, c.format, c.headline, c.thumbnailUrl) as { id: number }).id
          creatives.set(c.externalId, creativeId)
        }
        const r = upA.get(
          accountId,
          campaignId,
          adSetId,
          creativeId,
          ad.externalId,
          ad.name,
          ad.status,
          ad.launchDate,
          at,
        ) as { id: number }
        ids.ads.set(ad.externalId, r.id)
      }
    }).immediate()
    return ids
  }
}
