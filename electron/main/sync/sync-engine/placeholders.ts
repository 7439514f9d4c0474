import type { DailyBatch } from '../connectors/daily-batch'
import type { RemoteAd, RemoteAdSet, RemoteCampaign } from '../connectors/types'
import type { EntityIds } from '../../store/sync-writer/entity-writer'

/** Entities a window's report rows name that the structure listing did not return. */
export interface Placeholders {
  campaigns: RemoteCampaign[]
  adSets: RemoteAdSet[]
  ads: RemoteAd[]
}

/**
 * Placeholder entities for report rows whose ad, ad set or campaign the platform did not list
 * (deleted after it spent, or deleted by the platform itself, as TikTok does with old ads).
 * Their spend is real spend: the rows are kept against an `archived` entity named after its id,
 * so every total counts them and default lists can hide them. A later listing that returns the
 * entity replaces the placeholder's name and status in place (same external id). Null when every
 * id is known.
 */
export function placeholdersFor(batches: DailyBatch[], ids: EntityIds): Placeholders | null {
  const campaigns = new Map<string, RemoteCampaign>()
  const adSets = new Map<string, RemoteAdSet>()
  const ads = new Map<string, RemoteAd>()
  for (const b of batches) {
    const adKnown = b.ads.map((id) => ids.ads.has(id))
    const setKnown = b.adSets.map((id) => ids.adSets.has(id))
    const campaignKnown = b.campaigns.map((id) => ids.campaigns.has(id))
    if (adKnown.every(Boolean) && setKnown.every(Boolean) && campaignKnown.every(Boolean)) continue
    for (let r = 0; r < b.n; r++) {
      const ai = b.ad[r] as number
      const si = b.adSet[r] as number
      const ci = b.campaign[r] as number
      const campaign = b.campaigns[ci] as string
      const adSet = b.adSets[si] as string
      const ad = b.ads[ai] as string
      if (!campaignKnown[ci] && !campaigns.has(campaign))
        campaigns.set(campaign, {
          externalId: campaign,
          name: `Campaign ${campaign} (not listed by the platform)`,
          // Unknown: the platform no longer describes it.
          objective: 'awareness',
          status: 'archived',
          dailyBudgetMicros: null,
          startDate: null,
          endDate: null,
        })
      if (!setKnown[si] && !adSets.has(adSet))
        adSets.set(adSet, {
          externalId: adSet,
          campaignExternalId: campaign,
          name: `Ad set ${adSet} (not listed by the platform)`,
          status: 'archived',
          dailyBudgetMicros: null,
        })
      if (!adKnown[ai] && !ads.has(ad))
        ads.set(ad, {
          externalId: ad,
          adSetExternalId: adSet,
          campaignExternalId: campaign,
          name: `Ad ${ad} (not listed by the platform)`,
          status: 'archived',
          creative: { externalId: `placeholder:${ad}`, format: 'image', headline: null, thumbnailUrl: null },
          launchDate: null,
        })
    }
  }
  if (campaigns.size + adSets.size + ads.size === 0) return null
  return { campaigns: [...campaigns.values()], adSets: [...adSets.values()], ads: [...ads.values()] }
}
