import { DailyBatchBuilder } from '../daily-batch'
import { countOf, intCountOf } from '../fast-number'
import { dayOf, rowFailure, type PageDecoder } from '../page-decode'
import { localDateOfInstant } from '../tz'
import { classifySnapchat } from './snapchat-protocol'
import { fastStatsBody, StatsBody } from './snapchat-stats'

/** Ids given to the squad and campaign of an ad the account's ad list does not hold. */
export const UNLISTED_SQUAD = 'unlisted-squad-of-ad-'
export const UNLISTED_CAMPAIGN = 'unlisted-campaign-of-ad-'

/** Arguments of the Snapchat stats page decoder: the account's zone and its ad -> squad -> campaign map. */
export interface SnapchatPageArgs {
  timeZone: string
  /** Ad ids and, at the same index, their ad squad ids. */
  adIds: string[]
  adSquads: string[]
  /** Ad squad ids and, at the same index, their campaign ids. */
  squadIds: string[]
  squadCampaigns: string[]
  /** Prefix of row errors ("Snapchat stats 2025-01-01..2025-01-31 (page 2)"). */
  what: string
}

/** Paging of a stats page. */
export interface SnapchatEnvelope {
  next?: string
}

function zip(keys: string[], values: string[]): Map<string, string> {
  const m = new Map<string, string>()
  for (let i = 0; i < keys.length; i++) m.set(keys[i] as string, values[i] as string)
  return m
}

/** `/adaccounts/{id}/stats` (DAY, breakdown=ad) page -> DailyBatch; days without delivery are skipped. */
export const SNAPCHAT_STATS_DECODER: PageDecoder<SnapchatPageArgs, SnapchatEnvelope> = {
  platform: 'snapchat',
  classify: classifySnapchat,
  schema: StatsBody,
  decode(json, args, exact) {
    const body = fastStatsBody(json, exact)
    if (!body) return undefined
    const squadOf = zip(args.adIds, args.adSquads)
    const campaignOf = zip(args.squadIds, args.squadCampaigns)
    const days = new Map<string, number>()
    const out = new DailyBatchBuilder(1024)
    for (const ts of body.timeseries_stats)
      for (const series of ts.timeseries_stat.breakdown_stats?.ad ?? [])
        for (const point of series.timeseries) {
          try {
            const s = point.stats
            const spend = intCountOf(s.spend, exact)
            const impressions = intCountOf(s.impressions, exact)
            const conversions = countOf(s.conversion_purchases, exact)
            if (spend === 0 && impressions === 0 && conversions === 0) continue
            // An ad the listing did not return (even with read_deleted_entities) still spent: its
            // rows are kept under an unlisted squad and campaign named after the ad, which the sync
            // engine records as archived placeholders (sync-engine/placeholders.ts).
            const squad = squadOf.get(series.id) ?? `${UNLISTED_SQUAD}${series.id}`
            const campaign = campaignOf.get(squad) ?? `${UNLISTED_CAMPAIGN}${series.id}`
            let day = days.get(point.start_time)
            if (day === undefined) {
              day = dayOf(days, localDateOfInstant(point.start_time, args.timeZone))
              days.set(point.start_time, day)
            }
            out.pushIds(
              out.ads.of(series.id),
              out.adSets.of(squad),
              out.campaigns.of(campaign),
              day,
              spend,
              impressions,
              intCountOf(s.swipes, exact),
              intCountOf(s.uniques, exact),
              conversions,
              intCountOf(s.conversion_purchases_value, exact),
              intCountOf(s.video_views, exact),
            )
          } catch (e) {
            throw rowFailure(`${args.what}: ad ${series.id}`, e)
          }
        }
    const next = body.paging?.next_link
    return { batch: out.build(), envelope: next !== undefined ? { next } : {} }
  },
}
