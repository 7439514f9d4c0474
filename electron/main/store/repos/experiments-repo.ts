import { addDays } from '../../../../shared/domain/dates'
import { runSteps, type Steps } from '../../scheduler/slices'
import type { Sqlite } from '../connect'
import { inChunks } from '../id-lists'

/** Days of rows one step of `adSetsWithSeveralAdsSteps` groups (one account's). */
const CANDIDATE_CHUNK_DAYS = 2

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
    return runSteps(this.adSetsWithSeveralAdsSteps(workspaceId, from, to, limit))
  }

  /**
   * `adSetsWithSeveralAds` as steps, in two passes over each account's rows with clicks, read
   * CANDIDATE_CHUNK_DAYS days at a time (one grouping per step, short at 10,000 campaigns):
   * 1. per ad set, the spend and the smallest and largest ad id (two ads or more exactly when they
   *    differ): small groups, so the sort SQLite does to group is cheap; this picks the `limit`
   *    highest-spending ad sets with at least two such ads (spend, then id);
   * 2. only those ad sets' day counts, sums and ad ids (day counts of disjoint chunks add, ad ids are
   *    merged as sets), then their names.
   * The same candidates as grouping every ad set's sums, days and ads in one pass (that pass was
   * most of the A/B suggestions' cost: ~1 s of a generation's CPU at 10,000 campaigns; issue 16).
   * Ad sets by spend, then id.
   */
  *adSetsWithSeveralAdsSteps(workspaceId: number, from: string, to: string, limit: number): Steps<AdSetCandidate[]> {
    const accounts = this.sqlite
      .prepare('SELECT id FROM ad_accounts WHERE workspace_id = ? ORDER BY id')
      .pluck()
      .all(workspaceId) as number[]
    const chunks: [string, string][] = []
    for (let a = from; a <= to; a = addDays(a, CANDIDATE_CHUNK_DAYS))
      chunks.push([a, addDays(a, CANDIDATE_CHUNK_DAYS - 1) < to ? addDays(a, CANDIDATE_CHUNK_DAYS - 1) : to])
    const pick = this.sqlite
      .prepare(
        `SELECT ad_set_id, sum(spend_micros), min(ad_id), max(ad_id)
         FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ? AND clicks > 0 GROUP BY ad_set_id`,
      )
      .raw()
    type Pick = { id: number; accountId: number; spend: number; lo: number; hi: number }
    const picks = new Map<number, Pick>()
    for (const accountId of accounts)
      for (const [a, b] of chunks) {
        yield
        for (const [id, spend, lo, hi] of pick.all(accountId, a, b) as [number, number, number, number][]) {
          const e = picks.get(id)
          if (!e) picks.set(id, { id, accountId, spend, lo, hi })
          else {
            e.spend += spend
            if (lo < e.lo) e.lo = lo
            if (hi > e.hi) e.hi = hi
          }
        }
      }
    yield
    const chosen = [...picks.values()]
      .filter((e) => e.lo !== e.hi)
      .sort((x, y) => y.spend - x.spend || x.id - y.id)
      .slice(0, limit)
    const byAccount = new Map<number, number[]>()
    for (const e of chosen) {
      const ids = byAccount.get(e.accountId)
      if (ids) ids.push(e.id)
      else byAccount.set(e.accountId, [e.id])
    }
    type Sums = { id: number; v: number[]; ads: Set<number> }
    const sets = new Map<number, Sums>()
    for (const [accountId, ids] of byAccount)
      for (const [a, b] of chunks) {
        yield
        const rows = inChunks(
          ids,
          (chunk, m) =>
            this.sqlite
              .prepare(
                `SELECT ad_set_id, count(DISTINCT date), sum(impressions), sum(clicks), sum(conversions),
                   sum(spend_micros), sum(conversion_value_micros), group_concat(DISTINCT ad_id)
                 FROM daily_metrics
                 WHERE account_id = ? AND date BETWEEN ? AND ? AND clicks > 0 AND ad_set_id IN (${m})
                 GROUP BY ad_set_id`,
              )
              .raw()
              .all(accountId, a, b, ...chunk) as [number, ...number[], string][],
        )
        for (const r of rows) {
          const id = r[0]
          let e = sets.get(id)
          if (!e) sets.set(id, (e = { id, v: [0, 0, 0, 0, 0, 0], ads: new Set() }))
          for (let k = 0; k < 6; k++) e.v[k] = (e.v[k] as number) + (r[1 + k] as number)
          for (const ad of (r[7] as string).split(',')) e.ads.add(Number(ad))
        }
      }
    yield
    const top = [...sets.values()]
      .filter((e) => e.ads.size >= 2)
      .sort((x, y) => (y.v[4] as number) - (x.v[4] as number) || x.id - y.id)
    const names = new Map(
      inChunks(
        top.map((e) => e.id),
        (ids, marks) =>
          this.sqlite
            .prepare(
              `SELECT s.id, s.name, c.name AS campaign, a.currency, s.status
               FROM ad_sets s JOIN campaigns c ON c.id = s.campaign_id JOIN ad_accounts a ON a.id = s.account_id
               WHERE s.id IN (${marks})`,
            )
            .all(...ids) as { id: number; name: string; campaign: string; currency: string; status: string }[],
      ).map((n) => [n.id, n]),
    )
    return top.flatMap((e) => {
      const n = names.get(e.id)
      if (!n) return []
      const [days, impressions, clicks, conversions, spendMicros, revenueMicros] = e.v as [
        number,
        number,
        number,
        number,
        number,
        number,
      ]
      return [
        {
          id: e.id,
          name: n.name,
          campaign: n.campaign,
          parent: n.campaign,
          currency: n.currency,
          status: n.status,
          days,
          impressions,
          clicks,
          conversions,
          spendMicros,
          revenueMicros,
          adIds: [...e.ads].sort((x, y) => x - y),
        },
      ]
    })
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
