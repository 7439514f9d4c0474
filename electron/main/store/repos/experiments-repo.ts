import type { Statement } from 'better-sqlite3'
import { addDays, dateRange, daysBetween, endOfMonth, startOfMonth } from '../../../../shared/domain/dates'
import { runSteps, type Steps } from '../../scheduler/slices'
import { onAccountSnapshots } from './account-snapshots'
import { accountDataMark } from './ad-month-rollup'
import type { Sqlite } from '../connect'
import { inChunks, marks } from '../id-lists'

/** Days of rows one step of `adSetsWithSeveralAdsSteps` groups (one account's). */
const CANDIDATE_CHUNK_DAYS = 2
/**
 * The A/B candidates' bounds read a month's rows on the days inside the window, or take its days
 * outside the window off its `ad_month` sums, when that is at most this many days of rows; else the
 * month's sums bound the window's (see `adSetsWithSeveralAdsSteps`).
 */
const BOUND_READ_DAYS = 7
/** Rows the A/B candidates' bounds read per step (a step of ~10-20 ms on the core's thread). */
const BOUND_PAGE_ROWS = 4_000
/** Ads per exact read of the A/B candidates (two days of each: a few thousand key lookups per step). */
const EXACT_ADS = 1_000

/** An ad's clicks and spend over a window for one ad set its rows carry (`next`: another ad set). */
type Bound = { set: number; clicks: number; spend: number; next: Bound | null }
/** An account's bounds per ad; `negative`: a row read, or a month's rows, had negative clicks or spend. */
type Bounds = { byAd: Map<number, Bound>; negative: boolean }

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

/** Page sizes of the A/B candidates' reads (tests use small ones to run every continuation). */
export interface ExperimentsRepoPages {
  /** Rows per bound read (default BOUND_PAGE_ROWS). */
  boundPageRows?: number
  /** Ads per exact read (default EXACT_ADS). */
  exactAds?: number
}

/** Reads for experiments (A/B tests between entities and test suggestions). Portable SQL. */
export class ExperimentsRepo {
  private readonly boundPageRows: number
  private readonly exactAds: number

  constructor(
    private readonly sqlite: Sqlite,
    pages: ExperimentsRepoPages = {},
  ) {
    this.boundPageRows = pages.boundPageRows ?? BOUND_PAGE_ROWS
    this.exactAds = pages.exactAds ?? EXACT_ADS
    for (const [name, v] of [
      ['boundPageRows', this.boundPageRows],
      ['exactAds', this.exactAds],
    ] as const)
      if (!Number.isInteger(v) || v < 1)
        throw new RangeError(`ExperimentsRepo: ${name} must be a whole number >= 1, not ${v}`)
  }

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
   * `adSetsWithSeveralAds` as steps. Reading every row of the window twice (once to pick the ad sets,
   * once to sum them) was most of the A/B suggestions' cost (1.4 M rows at 10,000 campaigns, issue
   * 16), so the rows are read by key for the few ad sets that can rank:
   * 1. bounds per (ad, ad set) from the monthly rollup (`boundSteps`): each month's `ad_month` sums,
   *    exact for the window where the month lies inside it or its few days outside are taken off (or
   *    its few days inside are read instead), else the whole month's. Where no row has negative
   *    clicks or spend (CSV import refuses them; the connectors store what a platform sends, a
   *    refund or credit included, so a sync never stops on one), an ad whose bounded clicks are 0 has no row with clicks in the
   *    window and the bounded spend of an ad set's ads with clicks is at least its spend over its rows
   *    with clicks (what ad sets are ranked by); ad sets with fewer than two such ads cannot be
   *    candidates. An account where a bound read meets a negative value (a day row, or an `ad_month`
   *    row whose `negative_rows` counts rows with negative clicks or spend, even where its sums stay
   *    positive) has no bounds: every ad set of it with two ads with rows is read exactly;
   * 2. exact sums (days, totals and ad ids over the rows with clicks, CANDIDATE_CHUNK_DAYS days per
   *    read, so the sums add in the same order as one grouping per chunk) of ad sets in order of their
   *    bound, read by key (their ads on those days), in growing batches until no ad set left could
   *    rank above the `limit`-th;
   * then their names. The same candidates as grouping every ad set's rows with clicks at once; ad sets
   * by spend, then id. The exact reads are tied to the state the bounds were read on: each account's
   * data mark (`accountDataMark`) is taken with its bounds and compared right after the last exact
   * read; if any moved (a sync wrote in between: its exact sums may miss rows of ads the bounds did not
   * list, or be compared with stale bounds), the whole read runs once more (in steps; a write during
   * that second run is not checked again: the page's answer is dropped on `data:changed` anyway).
   */
  *adSetsWithSeveralAdsSteps(workspaceId: number, from: string, to: string, limit: number): Steps<AdSetCandidate[]> {
    const first = yield* this.candidateSteps(workspaceId, from, to, limit)
    if (!first.moved) return first.candidates
    yield
    return (yield* this.candidateSteps(workspaceId, from, to, limit)).candidates
  }

  /** One run of `adSetsWithSeveralAdsSteps`; `moved`: an account's data mark moved during it. */
  private *candidateSteps(
    workspaceId: number,
    from: string,
    to: string,
    limit: number,
  ): Steps<{ candidates: AdSetCandidate[]; moved: boolean }> {
    if (limit < 1) return { candidates: [], moved: false }
    const accounts = this.sqlite
      .prepare('SELECT id FROM ad_accounts WHERE workspace_id = ? ORDER BY id')
      .pluck()
      .all(workspaceId) as number[]
    type Candidate = { id: number; accountId: number; bound: number; ads: number[] }
    const candidates: Candidate[] = []
    // Each account's data mark as its bounds were read (taken in the step of their last read).
    const marksAtBounds = new Map<number, number>()
    for (const accountId of accounts) {
      yield
      // The mark is the one checked inside the bounds' last snapshot: a commit right after it is
      // a change the exact reads must see as one.
      const { byAd, negative } = yield* this.boundSteps(accountId, from, to, (mark) =>
        marksAtBounds.set(accountId, mark),
      )
      yield
      const bySet = new Map<number, Candidate>()
      for (const [ad, head] of byAd)
        for (let b: Bound | null = head; b; b = b.next) {
          if (b.clicks <= 0 && !negative) continue
          const spend = negative ? Infinity : b.spend
          const c = bySet.get(b.set)
          if (c) {
            c.bound += spend
            c.ads.push(ad)
          } else bySet.set(b.set, { id: b.set, accountId, bound: spend, ads: [ad] })
        }
      for (const c of bySet.values()) if (c.ads.length >= 2) candidates.push(c)
    }
    yield
    // (Infinity - Infinity is NaN: such ties go by id too.)
    candidates.sort((x, y) => (x.bound === y.bound ? 0 : y.bound - x.bound) || x.id - y.id)
    const chunks: string[][] = []
    for (let a = from; a <= to; a = addDays(a, CANDIDATE_CHUNK_DAYS))
      chunks.push(dateRange(a, addDays(a, CANDIDATE_CHUNK_DAYS - 1) < to ? addDays(a, CANDIDATE_CHUNK_DAYS - 1) : to))
    type Sums = { id: number; v: number[]; ads: Set<number> }
    const sets = new Map<number, Sums>()
    const better = (x: Sums, y: Sums): number => (y.v[4] as number) - (x.v[4] as number) || x.id - y.id
    /** Exact sums of these candidates (of one account), a chunk of days per step. */
    const sum = function* (this: ExperimentsRepo, accountId: number, batch: Candidate[]): Steps<void> {
      for (const c of batch) sets.set(c.id, { id: c.id, v: [0, 0, 0, 0, 0, 0], ads: new Set() })
      // Statements of at most `exactAds` ads (more only for one ad set with more), each ad set's ads in one.
      const groups: Candidate[][] = [[]]
      let n = 0
      for (const c of batch) {
        if (n + c.ads.length > this.exactAds && n > 0) {
          groups.push([])
          n = 0
        }
        groups[groups.length - 1]?.push(c)
        n += c.ads.length
      }
      for (const group of groups) {
        const ads = [...new Set(group.flatMap((c) => c.ads))].sort((x, y) => x - y)
        const ids = group.map((c) => c.id)
        // By key: the ads on each day (a 'date IN' list, not a range, so SQLite seeks each ad).
        const read = new Map<number, Statement>()
        for (const dates of chunks) {
          yield
          let st = read.get(dates.length)
          if (!st)
            read.set(
              dates.length,
              (st = this.sqlite
                .prepare(
                  `SELECT ad_set_id, count(DISTINCT date), sum(impressions), sum(clicks), sum(conversions),
                     sum(spend_micros), sum(conversion_value_micros), group_concat(DISTINCT ad_id)
                   FROM daily_metrics
                   WHERE account_id = ? AND date IN (${marks(dates.length)}) AND ad_id IN (${marks(ads.length)})
                     AND clicks > 0 AND ad_set_id IN (${marks(ids.length)})
                   GROUP BY ad_set_id`,
                )
                .raw()),
            )
          const got = st.all(accountId, ...dates, ...ads, ...ids) as [number, ...number[], string][]
          for (const r of got) {
            const e = sets.get(r[0]) as Sums
            for (let k = 0; k < 6; k++) e.v[k] = (e.v[k] as number) + (r[1 + k] as number)
            for (const ad of (r[7] as string).split(',')) e.ads.add(Number(ad))
          }
        }
      }
    }
    // The first batch is the limit and a margin; then more while an unread bound could still rank.
    let next = 0
    for (let size = limit + Math.ceil(limit / 4); next < candidates.length; size *= 2) {
      const batch = candidates.slice(next, next + size)
      next += batch.length
      const byAccount = new Map<number, Candidate[]>()
      for (const c of batch) {
        const list = byAccount.get(c.accountId)
        if (list) list.push(c)
        else byAccount.set(c.accountId, [c])
      }
      for (const [accountId, list] of byAccount) yield* sum.call(this, accountId, list)
      const ranked = [...sets.values()].filter((e) => e.ads.size >= 2).sort(better)
      const kth = ranked[limit - 1]
      const bound = candidates[next]
      if (kth && bound && (bound.bound < (kth.v[4] as number) || (bound.bound === kth.v[4] && bound.id > kth.id))) break
    }
    // In the step of the last exact read: were all of them read on the state the bounds saw?
    let moved = false
    for (const [accountId, mark] of marksAtBounds) if (accountDataMark(this.sqlite, accountId) !== mark) moved = true
    yield
    const top = [...sets.values()]
      .filter((e) => e.ads.size >= 2)
      .sort(better)
      .slice(0, limit)
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
    const found = top.flatMap((e) => {
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
    return { candidates: found, moved }
  }

  /**
   * Per ad of the account, its clicks and spend over [from, to] for each ad set its rows carry:
   * `ad_month` minus the month's days outside the window, or a month's days inside it when they are
   * fewer, CANDIDATE_CHUNK_DAYS days of rows per step. Each step reads on a snapshot after checking
   * the account's data mark (`accountDataMark`) taken at the first; if its metrics were written in
   * between, the account is read again on one snapshot, so a month and the days taken off it are
   * always one state of its data.
   */
  private *boundSteps(accountId: number, from: string, to: string, seen?: (mark: number) => void): Steps<Bounds> {
    return yield* onAccountSnapshots(
      this.sqlite,
      accountId,
      () => this.boundsOnSnapshots(accountId, from, to),
      { byAd: new Map(), negative: false },
      seen,
    )
  }

  /** `boundSteps` without the data mark: each step one read. */
  private *boundsOnSnapshots(accountId: number, from: string, to: string): Steps<Bounds> {
    // Keyset pages of at most `boundPageRows` rows, one per step.
    const pageRows = this.boundPageRows
    const monthPage = this.sqlite
      .prepare(
        `SELECT ad_id, ad_set_id, clicks, spend_micros, campaign_id, negative_rows FROM ad_month
         WHERE account_id = ? AND month = ? AND (ad_id, ad_set_id, campaign_id) > (?, ?, ?)
         ORDER BY ad_id, ad_set_id, campaign_id LIMIT ?`,
      )
      .raw()
    const dayPage = this.sqlite
      .prepare(
        `SELECT ad_id, ad_set_id, clicks, spend_micros FROM daily_metrics
         WHERE account_id = ? AND date = ? AND ad_id > ? ORDER BY ad_id LIMIT ?`,
      )
      .raw()
    // Per ad, its bounds; an ad whose rows carry several ad sets has a chain.
    const byAd = new Map<number, Bound>()
    let negative = false
    // A day row, or an `ad_month` row (with its count of rows with negative clicks or spend).
    type Row = [ad: number, set: number, clicks: number, spend: number, campaign?: number, negativeRows?: number]
    const add = (list: number[][], sign: 1 | -1): void => {
      for (const [ad, set, clicks, spend, , negativeRows] of list as Row[]) {
        if (clicks < 0 || spend < 0 || (negativeRows ?? 0) > 0) negative = true
        let b = byAd.get(ad)
        while (b && b.set !== set) b = b.next ?? undefined
        if (b) {
          b.clicks += sign * clicks
          b.spend += sign * spend
        } else byAd.set(ad, { set, clicks: sign * clicks, spend: sign * spend, next: byAd.get(ad) ?? null })
      }
    }
    /** The month's `ad_month` rows added, a page per step. */
    const month = function* (m: string): Steps<void> {
      let key = [-Infinity, -Infinity, -Infinity]
      for (;;) {
        const page = monthPage.all(accountId, m.slice(0, 7), ...key, pageRows) as number[][]
        add(page, 1)
        const last = page[page.length - 1]
        if (page.length < pageRows || !last) return
        key = [last[0] as number, last[1] as number, last[4] as number]
        yield
      }
    }
    /** Rows of the days [a, b] added with `sign`, a page per step. */
    const days = function* (a: string, b: string, sign: 1 | -1): Steps<void> {
      for (let d = a; d <= b; d = addDays(d, 1))
        for (let after = -Infinity; ;) {
          if (d > a || after > -Infinity) yield
          const page = dayPage.all(accountId, d, after, pageRows) as number[][]
          add(page, sign)
          if (page.length < pageRows) break
          after = page[page.length - 1]?.[0] as number
        }
    }
    const lastData = this.sqlite
      .prepare('SELECT max(date) FROM account_daily WHERE account_id = ?')
      .pluck()
      .get(accountId) as string | null
    if (lastData === null) return { byAd, negative }
    for (let m = startOfMonth(from); m <= to; m = addDays(endOfMonth(m), 1)) {
      if (m > startOfMonth(from)) yield
      const end = endOfMonth(m)
      const first = m < from ? from : m
      const last = end > to ? to : end
      // The month's days outside the window that can have rows (none after the account's last day).
      const afterEnd = end < lastData ? end : lastData
      const before = daysBetween(m, first)
      const after = afterEnd > last ? daysBetween(last, afterEnd) : 0
      const inside = daysBetween(first, last) + 1
      if (before + after > 0 && inside <= BOUND_READ_DAYS && inside <= before + after) yield* days(first, last, 1)
      else {
        yield* month(m)
        if (before + after > BOUND_READ_DAYS) continue
        if (before > 0) {
          yield
          yield* days(m, addDays(first, -1), -1)
        }
        if (after > 0) {
          yield
          yield* days(addDays(last, 1), afterEnd, -1)
        }
      }
    }
    return { byAd, negative }
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
