import { z } from 'zod'
import { asObject, checkedList, idInPlace, isNumLike } from '../fast-shape'
import { IdSchema, NumLike } from '../normalize'

/** Snapchat stats bodies (`/adaccounts/{id}/stats`, DAY granularity, ad breakdown). */

const Stats = z.looseObject({
  impressions: NumLike,
  swipes: NumLike,
  spend: NumLike,
  uniques: NumLike,
  video_views: NumLike,
  conversion_purchases: NumLike,
  conversion_purchases_value: NumLike,
})
const AdSeries = z.looseObject({
  id: IdSchema,
  timeseries: z.array(z.looseObject({ start_time: z.string(), stats: Stats })),
})
export const StatsBody = z.looseObject({
  request_status: z.string(),
  timeseries_stats: z.array(
    z.looseObject({
      timeseries_stat: z.looseObject({
        breakdown_stats: z.looseObject({ ad: z.array(AdSeries).optional() }).optional(),
      }),
    }),
  ),
  paging: z.looseObject({ next_link: z.string().optional() }).optional(),
})

function isStats(v: unknown): boolean {
  const s = asObject(v)
  return (
    s !== undefined &&
    isNumLike(s.impressions) &&
    isNumLike(s.swipes) &&
    isNumLike(s.spend) &&
    isNumLike(s.uniques) &&
    isNumLike(s.video_views) &&
    isNumLike(s.conversion_purchases) &&
    isNumLike(s.conversion_purchases_value)
  )
}

function isPoint(v: unknown): boolean {
  const p = asObject(v)
  return p !== undefined && typeof p.start_time === 'string' && isStats(p.stats)
}

/** Fast path of one ad series of the breakdown (see idInPlace for `exact`). */
export function isAdSeries(v: unknown, exact = true): boolean {
  const a = asObject(v)
  return a !== undefined && idInPlace(a, 'id', exact) && checkedList(a.timeseries, isPoint) !== undefined
}

function isTimeseriesStat(v: unknown, exact: boolean): boolean {
  const t = asObject(asObject(v)?.timeseries_stat)
  if (!t) return false
  if (t.breakdown_stats === undefined) return true
  const b = asObject(t.breakdown_stats)
  return b !== undefined && (b.ad === undefined || checkedList(b.ad, (a) => isAdSeries(a, exact)) !== undefined)
}

/** Fast path of StatsBody (converts number ad ids in place; see idInPlace for `exact`). */
export function fastStatsBody(json: unknown, exact = true): z.infer<typeof StatsBody> | undefined {
  const body = asObject(json)
  if (!body || typeof body.request_status !== 'string') return undefined
  if (body.paging !== undefined) {
    const p = asObject(body.paging)
    if (!p || (p.next_link !== undefined && typeof p.next_link !== 'string')) return undefined
  }
  const stat = (v: unknown): boolean => isTimeseriesStat(v, exact)
  return checkedList(body.timeseries_stats, stat) ? (body as z.infer<typeof StatsBody>) : undefined
}
