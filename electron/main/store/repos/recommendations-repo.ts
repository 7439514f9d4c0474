import type { EntityLevel, EntityStatus, PlatformId } from '../../../../shared/domain/entities'
import type {
  Recommendation,
  RecommendationBody,
  RecommendationFollowUp,
  RecommendationKind,
  RecommendationState,
} from '../../../../shared/domain/recommendations'
import { dateRange } from '../../../../shared/domain/dates'
import type { Sqlite } from '../db'
import { inChunks } from '../id-lists'
import { packedAdDays } from './report-ads-repo'
import { runSteps, type Steps } from '../../scheduler/slices'
import { onAccountSnapshots } from './account-snapshots'
import { adMonthSteps, idRangeSteps, WindowSumsReader, type EntityWindow, type WindowColumns } from './window-sums'

/** Bytes of bodies a step of `saveGenerationSteps` writes in its transaction (~10-15 ms at 10,000 campaigns). */
const SAVE_STEP_BYTES = 1_000_000

/** Ad rows one step of `activeAdsSteps` groups at most (7–11 ms at 10,000 campaigns). */
const ACTIVE_AD_ROWS_PER_READ = 20_000

/** Ad sets one step of `budgetHolderSteps` reads, with their first launch (~4 ms at 10,000 campaigns). */
const HOLDER_SETS_PER_READ = 1_000

const list = (n: number): string => Array.from({ length: n }, () => '?').join(',')

/** An account as the engine needs it: currency, time zone and its last settled day. */
export interface RecAccount {
  id: number
  name: string
  platform: PlatformId
  currency: string
  timeZone: string
  /** Last day outside the restatement window (null: no settled day). */
  lastSettledDate: string | null
  /** Last day with data (provisional days included). */
  lastDate: string | null
  /** The account's monthly spend plan (micros), or null. */
  monthlyPlanMicros: number | null
}

/** A campaign or ad set that holds a daily budget (what a reallocation moves). */
export interface BudgetHolder {
  entityType: 'campaign' | 'ad_set'
  id: number
  name: string
  accountId: number
  campaignId: number
  status: EntityStatus
  dailyBudgetMicros: number
  /** Campaign start, or an ad set's first ad launch. */
  launchDate: string | null
}

/** An active ad with its spend over a window (micros of its account currency). */
export interface ActiveAd {
  id: number
  name: string
  adSetId: number
  campaignId: number
  spendMicros: number
  launchDate: string | null
}

/** Sums of one entity over a window, in micros of its account currency, with its account, name and status. */
export interface WindowSums extends EntityWindow {
  accountId: number
  name: string
  status: EntityStatus
}

/** One day of an entity, micros of its account currency. */
export interface EntityDay {
  date: string
  spendMicros: number
  revenueMicros: number
  conversions: number
  impressions: number
  clicks: number
}

/** A recommendation as the engine produces it (before it has an id and state). */
export interface RecommendationDraft {
  kind: RecommendationKind
  key: string
  title: string
  currency: string
  impact: { point: number; lower: number; upper: number } | null
  confidence: number
  priority: number
  body: RecommendationBody
}

interface Row {
  id: number
  workspace_id: number
  kind: string
  key: string
  state: string
  title: string
  currency: string
  impact_micros: number | null
  impact_lower_micros: number | null
  impact_upper_micros: number | null
  confidence: number
  priority: number
  body: string
  snoozed_until: string | null
  batch_id: string | null
  follow_up: string | null
  decided_by: string | null
  decided_at: string | null
  created_at: string
  seen_at: string
}

function toRecommendation(r: Row): Recommendation {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    kind: r.kind as RecommendationKind,
    key: r.key,
    state: r.state as RecommendationState,
    title: r.title,
    currency: r.currency,
    impact:
      r.impact_micros === null
        ? null
        : { point: r.impact_micros, lower: r.impact_lower_micros ?? 0, upper: r.impact_upper_micros ?? 0 },
    confidence: r.confidence,
    priority: r.priority,
    body: JSON.parse(r.body) as RecommendationBody,
    snoozedUntil: r.snoozed_until,
    batchId: r.batch_id,
    followUp: r.follow_up ? (JSON.parse(r.follow_up) as RecommendationFollowUp) : null,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    createdAt: r.created_at,
    seenAt: r.seen_at,
  }
}

/** Every statement of the recommendations module: its own table and the reads the engine needs. */
export class RecommendationsRepo {
  private readonly windows: WindowSumsReader

  constructor(
    private readonly sqlite: Sqlite,
    /** Step sizes of `budgetHolderSteps` and `activeAdsSteps` (tests use tiny ones to split a small store). */
    private readonly stepSizes = { holderSets: HOLDER_SETS_PER_READ, activeAdRows: ACTIVE_AD_ROWS_PER_READ },
  ) {
    this.windows = new WindowSumsReader(sqlite)
  }

  accounts(workspaceId: number): RecAccount[] {
    return this.sqlite
      .prepare(
        `SELECT a.id, a.name, a.platform, a.currency, a.time_zone AS timeZone, a.monthly_budget_micros AS monthlyPlanMicros,
           (SELECT max(date) FROM account_daily d WHERE d.account_id = a.id AND d.provisional = 0) AS lastSettledDate,
           (SELECT max(date) FROM account_daily d WHERE d.account_id = a.id) AS lastDate
         FROM ad_accounts a WHERE a.workspace_id = ? ORDER BY a.id`,
      )
      .all(workspaceId) as RecAccount[]
  }

  /** Set (or clear, with null) an account's monthly spend plan; the dashboard's pacing reads it too. */
  setMonthlyPlan(accountId: number, micros: number | null): void {
    this.sqlite.prepare('UPDATE ad_accounts SET monthly_budget_micros = ? WHERE id = ?').run(micros, accountId)
  }

  /** Spend (micros) of one account over [from, to] (its daily rollup). */
  accountSpend(accountId: number, from: string, to: string): number {
    return (
      this.sqlite
        .prepare(
          'SELECT coalesce(sum(spend_micros), 0) AS s FROM account_daily WHERE account_id = ? AND date BETWEEN ? AND ?',
        )
        .get(accountId, from, to) as { s: number }
    ).s
  }

  /** Campaigns with their own daily budget and ad sets with theirs, in the accounts. */
  budgetHolders(accountIds: number[]): BudgetHolder[] {
    return runSteps(this.budgetHolderSteps(accountIds))
  }

  /**
   * `budgetHolders` as steps: the campaigns, the accounts' ad set ids, then `HOLDER_SETS_PER_READ` ad
   * sets per step by id with their first launch dates (one read of an account's 8,052 ad sets found
   * by account, 4,047 with a budget, each one's ads looked up: ~36 ms at 10,000 campaigns, one
   * stretch on the core's thread; session 20). The last step checks that the campaigns with a budget
   * and the ad sets' count and largest id are still those of the first steps; if not (a sync moved a
   * campaign's budget to its ad sets, or added or removed ad sets, between two steps), they are read
   * again at once, in one turn, until the check holds, so a campaign and its ad sets never both hold,
   * or both lack, the budget from two states. (One read of the campaigns and ad sets with a budget
   * instead: 13–20 ms for that account warm, 33–42 ms cold in a generation's profile, one stretch again.)
   */
  *budgetHolderSteps(accountIds: number[]): Generator<void, BudgetHolder[]> {
    if (!accountIds.length) return []
    const stepped = yield* this.holderSteps(accountIds)
    if (stepped) return stepped
    for (;;) {
      // Only a commit of another connection between its statements can change it now.
      const whole = runSteps(this.holderSteps(accountIds))
      if (whole) return whole
    }
  }

  /** `budgetHolderSteps`' steps; null when the last step finds the holders changed since the first. */
  private *holderSteps(accountIds: number[]): Generator<void, BudgetHolder[] | null> {
    const acc = list(accountIds.length)
    const campaigns = this.sqlite
      .prepare(
        `SELECT 'campaign' AS entityType, c.id, c.name, c.account_id AS accountId, c.id AS campaignId, c.status,
           c.daily_budget_micros AS dailyBudgetMicros, c.start_date AS launchDate
         FROM campaigns c WHERE c.account_id IN (${acc}) AND c.daily_budget_micros IS NOT NULL ORDER BY c.id`,
      )
      .all(...accountIds) as BudgetHolder[]
    yield
    const ids = (
      this.sqlite
        .prepare(`SELECT id FROM ad_sets WHERE account_id IN (${acc})`)
        .pluck()
        .all(...accountIds) as number[]
    ).sort((x, y) => x - y)
    const adSets: BudgetHolder[] = []
    for (let i = 0; i < ids.length; i += this.stepSizes.holderSets) {
      yield
      const chunk = ids.slice(i, i + this.stepSizes.holderSets)
      // An ad set's launch: its ads' earliest (none, or none known: null).
      const rows = this.sqlite
        .prepare(
          `SELECT 'ad_set' AS entityType, s.id, s.name, s.account_id AS accountId, s.campaign_id AS campaignId, s.status,
             s.daily_budget_micros AS dailyBudgetMicros,
             (SELECT min(x.launch_date) FROM ads x WHERE x.ad_set_id = s.id) AS launchDate
           FROM ad_sets s WHERE s.id IN (${list(chunk.length)}) AND s.daily_budget_micros IS NOT NULL ORDER BY s.id`,
        )
        .all(...chunk) as BudgetHolder[]
      for (const r of rows) adSets.push(r)
    }
    yield
    // Still the state of the first steps? Read after every chunk: a budget moved (a campaign's and
    // its ad sets' in one commit) before this read shows here, one moved after it was not seen by
    // the chunks. Ids are autoincrement, never reused: an ad set added moves the largest id, one
    // removed the count.
    const budgeted = this.sqlite
      .prepare(`SELECT id FROM campaigns WHERE account_id IN (${acc}) AND daily_budget_micros IS NOT NULL ORDER BY id`)
      .pluck()
      .all(...accountIds) as number[]
    const [count, last] = this.sqlite
      .prepare(`SELECT count(*), coalesce(max(id), 0) FROM ad_sets WHERE account_id IN (${acc})`)
      .raw()
      .get(...accountIds) as [number, number]
    const same =
      count === ids.length &&
      last === (ids[ids.length - 1] ?? 0) &&
      budgeted.length === campaigns.length &&
      budgeted.every((id, i) => id === campaigns[i]?.id)
    return same ? [...campaigns, ...adSets] : null
  }

  /** Sums per campaign or ad set of one account over [from, to] (entities with any delivery). */
  windowSums(level: 'campaign' | 'ad_set', accountId: number, from: string, to: string): WindowSums[] {
    const col = level === 'campaign' ? 'campaign_id' : 'ad_set_id'
    const table = level === 'campaign' ? 'campaigns' : 'ad_sets'
    // Grouped first, then joined to the names (joining every row first cost about a fifth more).
    return this.sqlite
      .prepare(
        `SELECT g.*, e.name, e.status FROM (
           SELECT m.${col} AS id, m.account_id AS accountId, m.campaign_id AS campaignId,
             count(DISTINCT m.date) AS days, sum(m.spend_micros) AS spendMicros,
             sum(m.conversion_value_micros) AS revenueMicros, sum(m.conversions) AS conversions,
             sum(m.impressions) AS impressions, sum(m.clicks) AS clicks, sum(m.reach) AS reach
           FROM daily_metrics m WHERE m.account_id = ? AND m.date BETWEEN ? AND ? GROUP BY m.${col}) g
         JOIN ${table} e ON e.id = g.id`,
      )
      .all(accountId, from, to) as WindowSums[]
  }

  /**
   * Sums per campaign and per ad set of one account over several windows (entities with any row
   * in the window, ascending id), as `windowSums` gives them, read mostly from the monthly rollup
   * (WindowSumsReader); a generator with one bounded read per step.
   */
  *windowSumsSteps(
    accountId: number,
    windows: { from: string; to: string }[],
  ): Generator<void, { campaign: WindowSums[]; ad_set: WindowSums[] }[]> {
    const totals = yield* this.windows.steps(accountId, windows)
    yield
    const names = (table: 'campaigns' | 'ad_sets'): Map<number, { name: string; status: EntityStatus }> =>
      new Map(
        (
          this.sqlite.prepare(`SELECT id, name, status FROM ${table} WHERE account_id = ?`).raw().all(accountId) as [
            number,
            string,
            EntityStatus,
          ][]
        ).map(([id, name, status]) => [id, { name, status }]),
      )
    const campaigns = names('campaigns')
    const adSets = names('ad_sets')
    yield
    // One object per entity and window, made here from the reader's columns (spreading window
    // objects into named ones cost ~200 ms for an account's 31,000, one stretch on the core's thread).
    const named = (c: WindowColumns, n: typeof campaigns): WindowSums[] => {
      const out: WindowSums[] = []
      for (let i = 0; i < c.ids.length; i++) {
        const x = n.get(c.ids[i] as number)
        if (x)
          out.push({
            id: c.ids[i] as number,
            campaignId: c.campaignIds[i] as number,
            days: c.days[i] as number,
            spendMicros: c.v[i * 6] as number,
            revenueMicros: c.v[i * 6 + 1] as number,
            conversions: c.v[i * 6 + 2] as number,
            impressions: c.v[i * 6 + 3] as number,
            clicks: c.v[i * 6 + 4] as number,
            reach: c.v[i * 6 + 5] as number,
            accountId,
            name: x.name,
            status: x.status,
          })
      }
      return out
    }
    return totals.map((t) => ({ campaign: named(t.campaigns, campaigns), ad_set: named(t.adSets, adSets) }))
  }

  /** Daily sums of some campaigns or ad sets over [from, to], by entity. */
  entityDays(level: 'campaign' | 'ad_set', ids: number[], from: string, to: string): Map<number, EntityDay[]> {
    const out = new Map<number, EntityDay[]>()
    if (!ids.length) return out
    const col = level === 'campaign' ? 'campaign_id' : 'ad_set_id'
    const table = level === 'campaign' ? 'campaigns' : 'ad_sets'
    const rows = inChunks(
      ids,
      (chunk, marks) =>
        this.sqlite
          .prepare(
            `SELECT m.${col} AS id, m.date, sum(m.spend_micros) AS spendMicros, sum(m.conversion_value_micros) AS revenueMicros,
               sum(m.conversions) AS conversions, sum(m.impressions) AS impressions, sum(m.clicks) AS clicks
             FROM daily_metrics m
             WHERE m.account_id IN (SELECT DISTINCT account_id FROM ${table} WHERE id IN (${marks}))
               AND m.date BETWEEN ? AND ? AND m.${col} IN (${marks})
             GROUP BY m.${col}, m.date ORDER BY m.${col}, m.date`,
          )
          .all(...chunk, from, to, ...chunk) as (EntityDay & { id: number })[],
    )
    for (const { id, ...d } of rows) {
      let a = out.get(id)
      if (!a) out.set(id, (a = []))
      a.push(d)
    }
    return out
  }

  /** Active ads of an account with spend in [from, to], highest spend first (ties by id). */
  activeAds(accountId: number, from: string, to: string, limit: number): ActiveAd[] {
    return runSteps(this.activeAdsSteps(accountId, from, to, limit))
  }

  /**
   * `activeAds` as steps: the account's ads in id order, as many per step as make about
   * `ACTIVE_AD_ROWS_PER_READ` ad rows over the days (`adMonthSteps`), each step's best `limit` kept,
   * the best of those at the end (the same ads and order: spends are integers, ties by id). One read of an
   * account's 7 days at 10,000 campaigns was 40–55 ms, one stretch on the core's thread (session 20).
   * Each step reads on a snapshot after checking the account's data mark (`onAccountSnapshots`): a
   * metrics write between two steps reads the account again on one state.
   */
  *activeAdsSteps(accountId: number, from: string, to: string, limit: number): Generator<void, ActiveAd[]> {
    const days = dateRange(from, to)
    if (!days.length || limit <= 0) return []
    return yield* onAccountSnapshots(
      this.sqlite,
      accountId,
      () => this.activeAdsOnSnapshots(accountId, days, limit),
      [],
    )
  }

  private *activeAdsOnSnapshots(accountId: number, days: string[], limit: number): Generator<void, ActiveAd[]> {
    // Steps of at most `n` ads with rows in the first day's month and `n` in the last day's (an ad
    // has at most a row per day): the ads of a window across a month's start, whichever month they ran in.
    const n = Math.floor(this.stepSizes.activeAdRows / days.length)
    const months = [...new Set([(days[0] as string).slice(0, 7), (days[days.length - 1] as string).slice(0, 7)])]
    const nexts = months.map((m) => adMonthSteps(this.sqlite, accountId, m, n))
    const next = (after: number): number | null => {
      let upTo: number | null = null
      // The smaller of the months' next bounds (null: every ad after `after`, as +infinity).
      for (const f of nexts) {
        const x = f(after)
        if (x !== null && (upTo === null || x < upTo)) upTo = x
      }
      return upTo
    }
    const read = this.sqlite.prepare(
      // Grouped first, then joined to the ads: one lookup per ad instead of one per ad row (measured on
      // the whole read before the steps, an account's 7 days at 10,000 campaigns, 88,000 rows and 12,600
      // ads: 134 -> 73 ms warm; a step now reads about 2,857 of those ads, 20,000 rows).
      `SELECT g.id, x.name, x.ad_set_id AS adSetId, x.campaign_id AS campaignId, g.spendMicros, x.launch_date AS launchDate
       FROM (SELECT ad_id AS id, sum(spend_micros) AS spendMicros FROM daily_metrics
             WHERE account_id = ? AND date IN (${list(days.length)}) AND ad_id > ? AND ad_id <= ? GROUP BY ad_id) g
       JOIN ads x ON x.id = g.id WHERE x.status = 'active'
       ORDER BY g.spendMicros DESC, g.id LIMIT ?`,
    )
    const best: ActiveAd[] = []
    yield* idRangeSteps(next, (after, upTo) => {
      for (const r of read.all(accountId, ...days, after, upTo, limit) as ActiveAd[]) best.push(r)
    })
    return best.sort((x, y) => y.spendMicros - x.spendMicros || x.id - y.id).slice(0, limit)
  }

  /**
   * Daily impressions and clicks of ads from their first day up to `to`, by ad; with `from` (the
   * earliest launch date of the ads) the days before it are not looked up.
   */
  adDays(
    accountId: number,
    ids: number[],
    to: string,
    from: string | null = null,
  ): Map<number, { date: string; impressions: number; clicks: number }[]> {
    const out = new Map<number, { date: string; impressions: number; clicks: number }[]>()
    if (!ids.length) return out
    for (const id of ids) out.set(id, [])
    // Read from the ads' packed months (`ad_month_days`: one row per ad and month), not by scanning
    // every row of the account's history (~600,000 on the 10,000-campaign store) nor by one key
    // lookup per ad-day. Days from the later of the account's first day and `from`.
    const accountFirst = this.sqlite
      .prepare('SELECT min(date) FROM account_daily WHERE account_id = ?')
      .pluck()
      .get(accountId) as string | null
    if (accountFirst === null) return out
    const first = from !== null && from > accountFirst ? from : accountFirst
    for (const r of packedAdDays(this.sqlite, ids, first, to, accountId))
      out.get(r.ad_id)?.push({ date: r.date, impressions: r.impressions, clicks: r.clicks })
    return out
  }

  /** Ad rows per account of a workspace over its history (`account_daily`'s counters): how much an account's advice reads. */
  adRowsByAccount(workspaceId: number): Map<number, number> {
    const rows = this.sqlite
      .prepare(
        `SELECT d.account_id, sum(d.ad_rows) FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id
         WHERE a.workspace_id = ? GROUP BY d.account_id`,
      )
      .raw()
      .all(workspaceId) as [number, number][]
    return new Map(rows)
  }

  /** Active ad sets per campaign (for structure tips). */
  adSetCounts(accountId: number): Map<number, number> {
    const rows = this.sqlite
      .prepare(
        `SELECT campaign_id AS campaignId, count(*) AS n FROM ad_sets WHERE account_id = ? AND status = 'active' GROUP BY campaign_id`,
      )
      .all(accountId) as { campaignId: number; n: number }[]
    return new Map(rows.map((r) => [r.campaignId, r.n]))
  }

  /** The entity's level name and account, or null. */
  entityAccount(level: EntityLevel, id: number): number | null {
    const table = level === 'campaign' ? 'campaigns' : level === 'ad_set' ? 'ad_sets' : 'ads'
    const r = this.sqlite.prepare(`SELECT account_id AS a FROM ${table} WHERE id = ?`).get(id) as
      { a: number } | undefined
    return r ? r.a : null
  }

  /** Platform ids of some campaigns or ad sets, with their campaign's (the bench maps them to the simulator). */
  externalIds(
    level: 'campaign' | 'ad_set',
    ids: number[],
  ): { id: number; externalId: string; campaignExternalId: string }[] {
    if (!ids.length) return []
    const sql =
      level === 'campaign'
        ? `SELECT id, external_id AS externalId, external_id AS campaignExternalId FROM campaigns WHERE id IN (${list(ids.length)})`
        : `SELECT s.id, s.external_id AS externalId, c.external_id AS campaignExternalId
           FROM ad_sets s JOIN campaigns c ON c.id = s.campaign_id WHERE s.id IN (${list(ids.length)})`
    return this.sqlite.prepare(sql).all(...ids) as { id: number; externalId: string; campaignExternalId: string }[]
  }

  // --- the recommendations table ---

  get(id: number): Recommendation | null {
    const r = this.sqlite.prepare('SELECT * FROM recommendations WHERE id = ?').get(id) as Row | undefined
    return r ? toRecommendation(r) : null
  }

  list(workspaceId: number, states?: readonly RecommendationState[]): Recommendation[] {
    const rows = (
      states?.length
        ? this.sqlite
            .prepare(
              `SELECT * FROM recommendations WHERE workspace_id = ? AND state IN (${list(states.length)})
               ORDER BY priority DESC, id`,
            )
            .all(workspaceId, ...states)
        : this.sqlite
            .prepare('SELECT * FROM recommendations WHERE workspace_id = ? ORDER BY priority DESC, id')
            .all(workspaceId)
    ) as Row[]
    return rows.map(toRecommendation)
  }

  /**
   * One page of `list` (same order), with the count of every match: only the page's bodies are
   * read and parsed (a 10,000-campaign workspace has over a thousand, 8 MB of JSON).
   */
  listPage(
    workspaceId: number,
    opts: { states?: readonly string[]; kinds?: readonly string[]; offset: number; limit: number },
  ): { rows: Recommendation[]; total: number } {
    const where = ['workspace_id = ?']
    const args: unknown[] = [workspaceId]
    if (opts.states?.length) {
      where.push(`state IN (${list(opts.states.length)})`)
      args.push(...opts.states)
    }
    if (opts.kinds?.length) {
      where.push(`kind IN (${list(opts.kinds.length)})`)
      args.push(...opts.kinds)
    }
    const w = where.join(' AND ')
    const total = (
      this.sqlite.prepare(`SELECT count(*) AS n FROM recommendations WHERE ${w}`).get(...args) as { n: number }
    ).n
    const rows = this.sqlite
      .prepare(`SELECT * FROM recommendations WHERE ${w} ORDER BY priority DESC, id LIMIT ? OFFSET ?`)
      .all(...args, opts.limit, opts.offset) as Row[]
    return { rows: rows.map(toRecommendation), total }
  }

  /**
   * Store one generation's drafts: new keys are inserted as `new`; a `new`, `expired` or `snoozed`
   * row with the same key gets the fresh numbers (an expired one is `new` again); applied and
   * dismissed rows keep what the person decided on. Then every `new` or `snoozed` row the generation
   * did not produce is `expired` (the data no longer supports it). At once: `saveGenerationSteps`.
   */
  saveGeneration(
    workspaceId: number,
    drafts: RecommendationDraft[],
    at: string,
    bodies?: readonly string[],
  ): { inserted: number; updated: number; expired: number } {
    return runSteps(this.saveGenerationSteps(workspaceId, drafts, at, bodies))
  }

  /**
   * `saveGeneration` as steps: a transaction per SAVE_STEP_BYTES of bodies, then one that expires.
   * At 10,000 campaigns a generation writes ~1,100 bodies of 8 MB: one transaction held the core's
   * thread 110-130 ms. Between steps a reader sees some rows with this generation's numbers and the
   * rest with the last one's (each row whole); the open rows to expire are read in the last step, so
   * a row decided on meanwhile (applied, dismissed) is never expired. A failure between steps keeps
   * the steps committed (whole rows of this generation) and expires nothing: the next generation's
   * save completes it. The caller runs one save of a workspace at a time (two interleaved would
   * expire each other's new rows).
   */
  *saveGenerationSteps(
    workspaceId: number,
    drafts: RecommendationDraft[],
    at: string,
    /** The drafts' bodies as JSON, when the caller serialised them already (a few at a time, between turns of the event loop). */
    bodies: readonly string[] = drafts.map((d) => JSON.stringify(d.body)),
    stepBytes = SAVE_STEP_BYTES,
  ): Steps<{ inserted: number; updated: number; expired: number }> {
    const find = this.sqlite.prepare('SELECT id, state FROM recommendations WHERE workspace_id = ? AND key = ?')
    const insert = this.sqlite.prepare(
      `INSERT INTO recommendations (workspace_id, kind, key, state, title, currency, impact_micros, impact_lower_micros,
         impact_upper_micros, confidence, priority, body, created_at, seen_at)
       VALUES (?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const update = this.sqlite.prepare(
      `UPDATE recommendations SET title = ?, currency = ?, impact_micros = ?, impact_lower_micros = ?,
         impact_upper_micros = ?, confidence = ?, priority = ?, body = ?, seen_at = ?,
         state = CASE WHEN state = 'expired' THEN 'new' ELSE state END
       WHERE id = ?`,
    )
    const touch = this.sqlite.prepare('UPDATE recommendations SET seen_at = ? WHERE id = ?')
    const open = this.sqlite.prepare(
      `SELECT id FROM recommendations WHERE workspace_id = ? AND state IN ('new', 'snoozed')`,
    )
    const expire = this.sqlite.prepare(`UPDATE recommendations SET state = 'expired' WHERE id = ?`)
    let inserted = 0
    let updated = 0
    // The rows this generation produced (found or inserted): the others still open expire.
    const seen = new Set<number>()
    const write = this.sqlite.transaction((from: number): number => {
      let bytes = 0
      let i = from
      for (; i < drafts.length && (i === from || bytes < stepBytes); i++) {
        const d = drafts[i] as RecommendationDraft
        const body = bodies[i] as string
        bytes += body.length
        const row = find.get(workspaceId, d.key) as { id: number; state: string } | undefined
        const impact = [d.impact?.point ?? null, d.impact?.lower ?? null, d.impact?.upper ?? null]
        if (!row) {
          const r = insert.run(
            workspaceId,
            d.kind,
            d.key,
            d.title,
            d.currency,
            ...impact,
            d.confidence,
            d.priority,
            body,
            at,
            at,
          )
          seen.add(Number(r.lastInsertRowid))
          inserted++
          continue
        }
        seen.add(row.id)
        if (row.state === 'new' || row.state === 'expired' || row.state === 'snoozed') {
          update.run(d.title, d.currency, ...impact, d.confidence, d.priority, body, at, row.id)
          updated++
        } else touch.run(at, row.id)
      }
      return i
    })
    for (let i = 0; i < drafts.length;) {
      if (i > 0) yield
      i = write.immediate(i)
    }
    if (drafts.length) yield
    const expired = this.sqlite
      .transaction((): number => {
        let n = 0
        for (const { id } of open.all(workspaceId) as { id: number }[]) if (!seen.has(id)) n += expire.run(id).changes
        return n
      })
      .immediate()
    return { inserted, updated, expired }
  }

  /** Move a recommendation to a new state (with who decided and when). */
  decide(
    id: number,
    state: RecommendationState,
    by: string,
    at: string,
    extra: { snoozedUntil?: string | null; batchId?: string | null; followUp?: RecommendationFollowUp | null } = {},
  ): void {
    this.sqlite
      .prepare(
        `UPDATE recommendations SET state = ?, decided_by = ?, decided_at = ?,
           snoozed_until = ?, batch_id = coalesce(?, batch_id), follow_up = coalesce(?, follow_up) WHERE id = ?`,
      )
      .run(
        state,
        by,
        at,
        extra.snoozedUntil ?? null,
        extra.batchId ?? null,
        extra.followUp ? JSON.stringify(extra.followUp) : null,
        id,
      )
  }

  /** Snoozed rows whose snooze ended go back to `new` (the next generation expires them if unsupported). */
  wakeSnoozed(workspaceId: number, today: string): number {
    return this.sqlite
      .prepare(
        `UPDATE recommendations SET state = 'new', snoozed_until = NULL
         WHERE workspace_id = ? AND state = 'snoozed' AND snoozed_until <= ?`,
      )
      .run(workspaceId, today).changes
  }

  setFollowUp(id: number, followUp: RecommendationFollowUp): void {
    this.sqlite.prepare('UPDATE recommendations SET follow_up = ? WHERE id = ?').run(JSON.stringify(followUp), id)
  }
}
