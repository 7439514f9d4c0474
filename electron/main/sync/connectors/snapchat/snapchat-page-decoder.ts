import type { PageDecoder } from '../page-decode'
import { classifySnapchat } from './snapchat-protocol'
import { statsPageSchema, type StatsContext } from './snapchat-stats'

export { UNLISTED_CAMPAIGN, UNLISTED_SQUAD } from './snapchat-stats'

/** Arguments of the Snapchat stats page decoder: the account's zone and its ad -> squad -> campaign map. */
export interface SnapchatPageArgs extends StatsContext {
  /** Prefix of row errors ("Snapchat stats 2025-01-01..2025-01-31 (page 2)"). */
  what: string
}

/** Paging of a stats page. */
export interface SnapchatEnvelope {
  next?: string
}

/** `/adaccounts/{id}/stats` (DAY, breakdown=ad) page -> rows (statsPageSchema) and the next link. */
export const SNAPCHAT_STATS_DECODER: PageDecoder<SnapchatPageArgs, SnapchatEnvelope> = {
  platform: 'snapchat',
  classify: classifySnapchat,
  schema: (args) =>
    statsPageSchema(args).transform((p) => ({ rows: p.rows, envelope: p.next !== undefined ? { next: p.next } : {} })),
  // ['timeseries_stats', i, 'timeseries_stat', 'breakdown_stats', 'ad', j, ...]: the ad's id.
  where(path, json) {
    const i = path[1]
    const j = path[5]
    const body = json as {
      timeseries_stats?: { timeseries_stat?: { breakdown_stats?: { ad?: { id?: unknown }[] } } }[]
    }
    const id =
      typeof i === 'number' && typeof j === 'number'
        ? body.timeseries_stats?.[i]?.timeseries_stat?.breakdown_stats?.ad?.[j]?.id
        : undefined
    return id !== undefined ? `ad ${String(id)}` : path.join('.')
  },
  what: (args) => args.what,
}
