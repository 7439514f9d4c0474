import { z } from 'zod'
import { compiledSchema, convertAt, Count, IntCount, RowId } from '../row-schema'
import { localDateOfInstant } from '../tz'
import type { RemoteDailyRow } from '../types'

/** Snapchat stats bodies (`/adaccounts/{id}/stats`, DAY granularity, ad breakdown): the one schema. */

/** Ids given to the squad and campaign of an ad the account's ad list does not hold. */
export const UNLISTED_SQUAD = 'unlisted-squad-of-ad-'
export const UNLISTED_CAMPAIGN = 'unlisted-campaign-of-ad-'

/** Where a stats page's rows belong: the account's zone and its ad -> squad -> campaign map. */
export interface StatsContext {
  timeZone: string
  /**
   * `[[ad id, ad squad id], ...]` and `[[ad squad id, campaign id], ...]` as JSON text (`pairsText`):
   * these go with every stats page to a decode thread, and one string is copied there in microseconds
   * where arrays of thousands of ids were cloned one string at a time (about 1 s of the core's thread in
   * a 2,000-campaign sync; docs/performance.md, session 12). Read once per account, not per page.
   */
  adSquads: string
  squadCampaigns: string
}

/** Pairs as StatsContext carries them. */
export function pairsText(pairs: [string, string][]): string {
  return JSON.stringify(pairs)
}

/**
 * One day of one ad: micro-currency money, counts; purchases and their value as Snap reports them.
 * UNVERIFIED: whether `conversion_purchases_value` without a `conversion_source_types` breakdown
 * covers web (Pixel / Conversions API) and app (SDK / MMP) purchases together. Snap's API reference
 * found does not say; see connectors/README.md "Purchase value: web and app".
 */
const Stats = z.looseObject({
  impressions: IntCount,
  swipes: IntCount,
  spend: IntCount,
  uniques: IntCount,
  video_views: IntCount,
  conversion_purchases: Count,
  conversion_purchases_value: IntCount,
})
const AdSeries = z.looseObject({
  id: RowId,
  timeseries: z.array(z.looseObject({ start_time: z.string(), stats: Stats })),
})

/** The last pairs read (a sync's pages of one account all carry the same): text -> map. */
const lastPairs: { text: string; map: Map<string, string> }[] = []

function pairsMap(text: string): Map<string, string> {
  const hit = lastPairs.find((p) => p.text === text)
  if (hit) return hit.map
  const map = new Map(JSON.parse(text) as [string, string][])
  lastPairs.unshift({ text, map })
  lastPairs.length = Math.min(lastPairs.length, 4)
  return map
}

/** A stats page's body (the same for every account: compiled once). */
const StatsBody = compiledSchema(
  z.looseObject({
    request_status: z.string(),
    timeseries_stats: z.array(
      z.looseObject({
        timeseries_stat: z.looseObject({
          breakdown_stats: z.looseObject({ ad: z.array(AdSeries).optional() }).optional(),
        }),
      }),
    ),
    paging: z.looseObject({ next_link: z.string().optional() }).optional(),
  }),
)

/**
 * A stats page validated and mapped to normalised ad-days (days without delivery skipped), and
 * its `paging.next_link`. An ad the listing did not return (even with read_deleted_entities) still
 * spent: its rows are kept under an unlisted squad and campaign named after the ad, which the sync
 * engine records as archived placeholders (sync-engine/placeholders.ts).
 */
export function statsPageSchema(c: StatsContext): z.ZodType<{ rows: RemoteDailyRow[]; next?: string }> {
  const squadOf = pairsMap(c.adSquads)
  const campaignOf = pairsMap(c.squadCampaigns)
  const dates = new Map<string, string>()
  return StatsBody.transform((body, ctx) => {
    const rows: RemoteDailyRow[] = []
    body.timeseries_stats.forEach((ts, i) =>
      (ts.timeseries_stat.breakdown_stats?.ad ?? []).forEach((series, j) =>
        series.timeseries.forEach((point, k) => {
          const s = point.stats
          if (s.spend === 0 && s.impressions === 0 && s.conversion_purchases === 0) return
          const squad = squadOf.get(series.id) ?? `${UNLISTED_SQUAD}${series.id}`
          let date = dates.get(point.start_time)
          if (date === undefined) {
            const path = ['timeseries_stats', i, 'timeseries_stat', 'breakdown_stats', 'ad', j, 'timeseries', k]
            date = convertAt(ctx, [...path, 'start_time'], () => localDateOfInstant(point.start_time, c.timeZone))
            dates.set(point.start_time, date)
          }
          rows.push({
            adExternalId: series.id,
            adSetExternalId: squad,
            campaignExternalId: campaignOf.get(squad) ?? `${UNLISTED_CAMPAIGN}${series.id}`,
            date,
            spendMicros: s.spend,
            impressions: s.impressions,
            clicks: s.swipes,
            reach: s.uniques,
            conversions: s.conversion_purchases,
            conversionValueMicros: s.conversion_purchases_value,
            videoViews: s.video_views,
          })
        }),
      ),
    )
    const next = body.paging?.next_link
    return next !== undefined ? { rows, next } : { rows }
  })
}
