import type { DailyBatch } from '../connectors/daily-batch'
import type { RemoteAd, RemoteAdSet, RemoteCampaign } from '../connectors/types'
import type { EntityIds } from '../../store/sync-writer/entity-writer'
import type { Steps } from '../../scheduler/slices'

/** Entities a window's report rows name that the structure listing did not return. */
export interface Placeholders {
  campaigns: RemoteCampaign[]
  adSets: RemoteAdSet[]
  ads: RemoteAd[]
}

/** Whether every id of `list` is in `known` (no array made: most batches name only known entities). */
function allKnown(list: string[], known: Map<string, number>): boolean {
  for (const id of list) if (!known.has(id)) return false
  return true
}

/**
 * Placeholder entities for report rows whose ad, ad set or campaign the platform did not list
 * (deleted after it spent, or deleted by the platform itself, as TikTok does with old ads).
 * Their spend is real spend: the rows are kept against an `archived` entity named after its id,
 * so every total counts them and default lists can hide them. A later listing that returns the
 * entity replaces the placeholder's name and status in place (same external id). Null when every
 * id is known.
 *
 * In steps, one batch each: a chunk of a large account holds hundreds of batches
 * (350,972 rows of 32,187 ads at 10,000 campaigns, ~240 ms of lookups at load 4 in one go), so the
 * sync runs it sliced and the core's thread keeps answering the UI.
 */
export function* placeholderSteps(batches: DailyBatch[], ids: EntityIds): Steps<Placeholders | null> {
  const campaigns = new Map<string, RemoteCampaign>()
  const adSets = new Map<string, RemoteAdSet>()
  const ads = new Map<string, RemoteAd>()
  for (const b of batches) {
    yield
    if (allKnown(b.ads, ids.ads) && allKnown(b.adSets, ids.adSets) && allKnown(b.campaigns, ids.campaigns)) continue
    const adKnown = b.ads.map((id) => ids.ads.has(id))
    const setKnown = b.adSets.map((id) => ids.adSets.has(id))
    const campaignKnown = b.campaigns.map((id) => ids.campaigns.has(id))
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
