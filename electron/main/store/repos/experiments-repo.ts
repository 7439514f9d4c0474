import type { Sqlite } from '../connect'

/** The levels a test can compare: ads, ad sets or campaigns. */
export type ExperimentLevel = 'campaign' | 'ad_set' | 'ad'

/** Per level: the metrics column, the entity table and the parent's name for an entity row `e`. */
const LEVEL = {
  campaign: { key: 'd.campaign_id', table: 'campaigns', parent: 'NULL' },
  ad_set: { key: 'd.ad_set_id', table: 'ad_sets', parent: '(SELECT name FROM campaigns c WHERE c.id = e.campaign_id)' },
  ad: { key: 'd.ad_id', table: 'ads', parent: '(SELECT name FROM ad_sets s WHERE s.id = e.ad_set_id)' },
} as const satisfies Record<ExperimentLevel, { key: string; table: string; parent: string }>

/** One entity of a workspace with its parent's name and its currency. */
export interface ExperimentEntity {
  id: number
  name: string
  parent: string | null
  currency: string
  status: string
}

/** One day of one entity (sums of its ads' rows; money in micros of the account currency). */
export interface EntityDay {
  entityId: number
  date: string
  impressions: number
  clicks: number
  conversions: number
  spendMicros: number
  revenueMicros: number
}

/** One entity's totals over a window. */
export interface EntityTotals extends ExperimentEntity {
  days: number
  impressions: number
  clicks: number
  conversions: number
  spendMicros: number
  revenueMicros: number
}

/** An ad set with several delivering ads: where a creative test can run. */
export interface AdSetCandidate extends EntityTotals {
  campaign: string
  adIds: number[]
}

/** Reads for experiments (A/B tests between entities and test suggestions). Portable SQL. */
export class ExperimentsRepo {
  constructor(private readonly sqlite: Sqlite) {}

  /** The entities among `ids` that belong to the workspace (others are left out). */
  entities(workspaceId: number, level: ExperimentLevel, ids: number[]): ExperimentEntity[] {
    if (ids.length === 0) return []
    return this.sqlite
      .prepare(
        `SELECT e.id, e.name, ${LEVEL[level].parent} AS parent, a.currency, e.status FROM ${LEVEL[level].table} e
         JOIN ad_accounts a ON a.id = e.account_id
         WHERE a.workspace_id = ? AND e.id IN (${ids.map(() => '?').join(',')})`,
      )
      .all(workspaceId, ...ids) as ExperimentEntity[]
  }

  /** Daily sums per entity over [from, to] (account-local days); days without rows are absent. */
  days(workspaceId: number, level: ExperimentLevel, ids: number[], from: string, to: string): EntityDay[] {
    if (ids.length === 0) return []
    const key = LEVEL[level].key
    return this.sqlite
      .prepare(
        `SELECT ${key} AS entityId, d.date AS date, sum(d.impressions) AS impressions, sum(d.clicks) AS clicks,
                sum(d.conversions) AS conversions, sum(d.spend_micros) AS spendMicros,
                sum(d.conversion_value_micros) AS revenueMicros
         FROM daily_metrics d JOIN ad_accounts a ON a.id = d.account_id
         WHERE a.workspace_id = ? AND d.date BETWEEN ? AND ? AND ${key} IN (${ids.map(() => '?').join(',')})
         GROUP BY ${key}, d.date ORDER BY d.date, ${key}`,
      )
      .all(workspaceId, from, to, ...ids) as EntityDay[]
  }

  /** Entities of a level with delivery in [from, to], most clicks first. */
  activeEntities(workspaceId: number, level: ExperimentLevel, from: string, to: string, limit: number): EntityTotals[] {
    const { key, table, parent } = LEVEL[level]
    return this.sqlite
      .prepare(
        `SELECT e.id, e.name, ${parent} AS parent, a.currency, e.status, t.days, t.impressions, t.clicks,
                t.conversions, t.spendMicros, t.revenueMicros
         FROM (SELECT ${key} AS id, count(DISTINCT d.date) AS days, sum(d.impressions) AS impressions,
                      sum(d.clicks) AS clicks, sum(d.conversions) AS conversions, sum(d.spend_micros) AS spendMicros,
                      sum(d.conversion_value_micros) AS revenueMicros
               FROM daily_metrics d JOIN ad_accounts a ON a.id = d.account_id
               WHERE a.workspace_id = ? AND d.date BETWEEN ? AND ?
               GROUP BY ${key}) t
         JOIN ${table} e ON e.id = t.id JOIN ad_accounts a ON a.id = e.account_id
         WHERE t.clicks > 0
         ORDER BY t.clicks DESC, e.id LIMIT ?`,
      )
      .all(workspaceId, from, to, limit) as EntityTotals[]
  }

  /** Ad sets whose ads (at least two) delivered in [from, to], with their totals and ad ids. */
  adSetsWithSeveralAds(workspaceId: number, from: string, to: string, limit: number): AdSetCandidate[] {
    const rows = this.sqlite
      .prepare(
        `SELECT s.id, s.name, c.name AS campaign, c.name AS parent, a.currency, s.status, t.days, t.impressions,
                t.clicks, t.conversions, t.spendMicros, t.revenueMicros, t.ads, t.adIds
         FROM (SELECT d.ad_set_id AS id, count(DISTINCT d.date) AS days, sum(d.impressions) AS impressions,
                      sum(d.clicks) AS clicks, sum(d.conversions) AS conversions, sum(d.spend_micros) AS spendMicros,
                      sum(d.conversion_value_micros) AS revenueMicros, count(DISTINCT d.ad_id) AS ads,
                      group_concat(DISTINCT d.ad_id) AS adIds
               FROM daily_metrics d JOIN ad_accounts a ON a.id = d.account_id
               WHERE a.workspace_id = ? AND d.date BETWEEN ? AND ? AND d.clicks > 0
               GROUP BY d.ad_set_id) t
         JOIN ad_sets s ON s.id = t.id JOIN campaigns c ON c.id = s.campaign_id JOIN ad_accounts a ON a.id = s.account_id
         WHERE t.ads >= 2
         ORDER BY t.spendMicros DESC, s.id LIMIT ?`,
      )
      .all(workspaceId, from, to, limit) as (AdSetCandidate & { ads: number; adIds: string })[]
    return rows.map(({ ads: _ads, adIds, ...r }) => ({
      ...r,
      adIds: adIds
        .split(',')
        .map(Number)
        .sort((x, y) => x - y),
    }))
  }

  /** The last day with data of the workspace, or null. */
  lastDate(workspaceId: number): string | null {
    const r = this.sqlite
      .prepare(
        'SELECT max(d.date) AS d FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id WHERE a.workspace_id = ?',
      )
      .get(workspaceId) as { d: string | null }
    return r.d
  }
}
