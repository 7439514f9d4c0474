import { addDays, daysBetween, localDateIn, toEpochDay } from '../../../shared/domain/dates'
import type { EntityLevel } from '../../../shared/domain/entities'
import { currencyMinorDigits } from '../../../shared/domain/money'
import type { Totals } from '../../../shared/domain/metrics'
import type { Band } from '../../../shared/ipc/contracts/ml'
import {
  DEFAULT_RULE_FORECAST,
  FORECAST_METRICS,
  WINDOWLESS_METRICS,
  type RuleDefinition,
  type RuleGroup,
  type RuleMetric,
  type RuleWindow,
} from '../../../shared/domain/rules'
import type { AnalyticsService, ResolvedScope } from '../analytics/analytics-service'
import type { AnomalyService } from '../analytics/anomaly-service'
import { fitFatigue, type AdDay } from '../analytics/fatigue'
import type { ForecastService } from '../ml/forecast-service'
import { runSteps, runStepsSliced, type SliceBudget, type Steps } from '../scheduler/slices'
import type { RuleAccount, RuleEntity, RulesRepo } from '../store/repos/rules-repo'

/**
 * Ids of a level's table one step of the cycle's entity read covers (512 rows or fewer). Idle on the
 * large demo a step of 2,048 campaigns took up to 29 ms (load 2.6); right after a sync, with the
 * store's pages cold and the WAL long, single steps took 182-224 ms (memory bench, load 3-4).
 */
export const ENTITY_IDS_PER_STEP = 512

/** An account with its local "today" at evaluation time. */
export interface EvalAccount extends RuleAccount {
  today: string
  /** `today` as an epoch day. */
  todayDay: number
}

/** What forecast conditions read: the ML forecasts service's public `forecast`. */
export type ForecastReader = Pick<ForecastService, 'forecast'>

/** An entity's forecast over the next N days, or why there is none to use. */
export type EvalForecast =
  | { conversions: Band; roas: Band | null; methods: { conversions: string; revenue: string }; reasons: string[] }
  | { problem: string }

/**
 * Reads that stay valid until the data changes (entity lists per level of the workspace's accounts;
 * converted totals per level, range and accounts): kept between the editor's previews.
 */
export interface EvalShared {
  entities: Map<EntityLevel, RuleEntity[]>
  totals: Map<string, Map<number, Totals>>
}

/** A window resolved for one account: the days, or why there are none to use. */
export type ResolvedRange = { from: string; to: string; days: number } | { provisional: true }

/**
 * What one evaluation cycle reads, cached for the cycle: accounts, entities per level and converted
 * totals per (level, range, accounts). Many rules over the same windows read each total once.
 * Reads go through the analytics service (sums and currency conversion) and the rules repo.
 */
export class EvalData {
  private readonly entityCache: Map<EntityLevel, RuleEntity[]>
  private readonly totalsCache: Map<string, Map<number, Totals>>
  private readonly scopeCache = new Map<string, ResolvedScope>()
  readonly accounts: Map<number, EvalAccount>
  readonly currency: string
  private readonly baseScope: ResolvedScope

  constructor(
    readonly workspaceId: number,
    readonly now: Date,
    private readonly repo: RulesRepo,
    private readonly analytics: AnalyticsService,
    /** The anomaly detector (anomaly conditions; without it they have no value). */
    private readonly anomalies?: AnomalyService,
    /** The ML forecasts (forecast conditions; without them every entity is skipped for it). */
    private readonly forecasts?: ForecastReader,
    /**
     * Recomputing a stored run: only these accounts, and their days as the run saw them (first,
     * last and last settled day; an account the run did not know is left out).
     */
    asOf?: { accountIds: number[]; accounts: Pick<RuleAccount, 'id' | 'firstDate' | 'lastDate' | 'lastSettledDate'>[] },
    /** Entity lists and totals kept between evaluations of the whole workspace (the editor's previews). */
    shared?: EvalShared,
  ) {
    this.entityCache = shared && !asOf ? shared.entities : new Map()
    this.totalsCache = shared && !asOf ? shared.totals : new Map()
    const seen = asOf ? new Map(asOf.accounts.map((a) => [a.id, a])) : null
    this.accounts = new Map(
      repo
        .accounts(workspaceId)
        .filter((a) => !asOf || (asOf.accountIds.includes(a.id) && seen?.has(a.id)))
        .map((a) => {
          const then = seen?.get(a.id)
          const today = localDateIn(a.timeZone, now)
          const days = then
            ? { firstDate: then.firstDate, lastDate: then.lastDate, lastSettledDate: then.lastSettledDate }
            : {}
          return [a.id, { ...a, ...days, today, todayDay: toEpochDay(today) }]
        }),
    )
    this.baseScope = analytics.scope(workspaceId)
    this.currency = this.baseScope.currency
  }

  /** Ids of a level's table per step of the read-ahead's entity lists (tests make it small). */
  entityIdsPerStep = ENTITY_IDS_PER_STEP

  entities(level: EntityLevel): RuleEntity[] {
    let e = this.entityCache.get(level)
    if (!e) {
      e = this.repo.entities(level, [...this.accounts.keys()])
      this.entityCache.set(level, e)
    }
    return e
  }

  /**
   * Reads a level's entity list in steps of ENTITY_IDS_PER_STEP ids of its table (the list
   * `entities` reads, in id order): one account's ads at 10,000 campaigns are 15,000-32,000 rows,
   * 90-230 ms in one read.
   */
  private *entitySteps(level: EntityLevel): Steps<void> {
    if (this.entityCache.has(level)) return
    const all: RuleEntity[] = []
    const accountIds = [...this.accounts.keys()]
    yield
    const bounds = accountIds.length ? this.repo.idBounds(level) : null
    const labels = this.repo.labelsOf(level)
    const step = this.entityIdsPerStep
    for (let from = bounds?.min ?? 0; bounds && from <= bounds.max; from += step) {
      yield
      for (const e of this.repo.entities(level, accountIds, { from, to: from + step }, labels)) all.push(e)
    }
    this.entityCache.set(level, all)
  }

  private readonly epochDays = new Map<string, number>()

  /** Whole days from `date` to the account's today (null without a date); dates parsed once per cycle. */
  daysSince(date: string | null, account: EvalAccount): number | null {
    if (date === null) return null
    let d = this.epochDays.get(date)
    if (d === undefined) this.epochDays.set(date, (d = toEpochDay(date)))
    return account.todayDay - d
  }

  private readonly money = new Map<number, { rate: number; digits: number }>()

  private moneyOf(account: EvalAccount): { rate: number; digits: number } {
    let m = this.money.get(account.id)
    if (!m) {
      m = { rate: this.rate(account.currency, account.today), digits: currencyMinorDigits(account.currency) }
      this.money.set(account.id, m)
    }
    return m
  }

  /** The account currency's rate to the reporting currency on the account's today (once per cycle). */
  rateToday(account: EvalAccount): number {
    return this.moneyOf(account).rate
  }

  /** Minor-unit digits of the account's currency. */
  minorDigits(account: EvalAccount): number {
    return this.moneyOf(account).digits
  }

  /** Units of the reporting currency per unit of `currency` this month (for budgets). */
  rate(currency: string, date: string): number {
    return this.baseScope.rate(currency, date.slice(0, 7))
  }

  /** The days of a window for an account (`since` for "since the last change"). */
  range(account: EvalAccount, w: RuleWindow, includeProvisional: boolean, since?: string): ResolvedRange | null {
    const t = account.today
    let from: string
    let to: string
    switch (w.kind) {
      case 'today':
        from = to = t
        break
      case 'yesterday':
        from = to = addDays(t, -1)
        break
      case 'last_n_days':
        to = addDays(w.includeToday ? t : addDays(t, -1), -w.offsetDays)
        from = addDays(to, -(w.days - 1))
        break
      case 'lifetime':
        from = account.firstDate ?? t
        to = t
        break
      case 'since_last_change':
        from = since ?? account.firstDate ?? t
        to = t
        break
    }
    if (from > to) return null
    if (!includeProvisional && account.lastDate !== null && account.lastDate >= from) {
      // Provisional days are the trailing restatement window. "Today" and "yesterday" are those
      // days or nothing; a window of N days becomes the last N settled days; lifetime and "since
      // the last change" end at the last settled day.
      const settled = account.lastSettledDate
      if (settled === null) return { provisional: true }
      if (to > settled) {
        if (w.kind === 'today' || w.kind === 'yesterday') return { provisional: true }
        if (w.kind === 'last_n_days') from = addDays(settled, -(w.days - 1))
        to = settled
        if (from > to) return { provisional: true }
      }
    }
    return { from, to, days: daysBetween(from, to) + 1 }
  }

  private readonly reachCache = new Map<string, Map<number, { impressions: number; reach: number }>>()

  /** Impressions and summed daily reach per entity of a level over a range (cached). */
  reach(
    level: EntityLevel,
    from: string,
    to: string,
    accountIds: number[],
  ): Map<number, { impressions: number; reach: number }> {
    const key = `${level}|${from}|${to}|${[...accountIds].sort((a, b) => a - b).join(',')}`
    let r = this.reachCache.get(key)
    if (!r) this.reachCache.set(key, (r = this.repo.reach(level, accountIds, from, to)))
    return r
  }

  private fatigueStates: Map<number, ReturnType<typeof fitFatigue>> | null = null

  /**
   * Each ad's creative fatigue now, fitted as the Creatives page does from its days since launch
   * (read once per cycle, for every ad of the accounts).
   */
  fatigue(adId: number): ReturnType<typeof fitFatigue> | undefined {
    if (!this.fatigueStates) runSteps(this.fatigueSteps())
    return (this.fatigueStates as Map<number, ReturnType<typeof fitFatigue>>).get(adId)
  }

  /** Reads and fits every ad's fatigue: a step per 5,000 ads read, one per 1,000 ads fitted. */
  private *fatigueSteps(): Steps<void> {
    if (this.fatigueStates) return
    const ids = this.entities('ad')
      .filter((e) => e.status !== 'archived')
      .map((e) => e.id)
    const to = [...this.accounts.values()].map((a) => a.today).sort()[this.accounts.size - 1] ?? ''
    const days = new Map<number, AdDay[]>()
    for (let i = 0; i < ids.length; i += 5_000) {
      yield
      for (const r of this.repo.adDays(ids.slice(i, i + 5_000), to)) {
        let list = days.get(r.ad_id)
        if (!list) days.set(r.ad_id, (list = []))
        list.push({ date: r.date, impressions: r.impressions, clicks: r.clicks })
      }
    }
    const states = new Map<number, ReturnType<typeof fitFatigue>>()
    let n = 0
    for (const [id, d] of days) {
      if (++n % 1_000 === 0) yield
      states.set(id, fitFatigue(d))
    }
    this.fatigueStates = states
  }

  private readonly anomalyCache = new Map<string, Set<number> | null>()

  /**
   * Campaigns the anomaly detector flags on a day of the range, as the Anomalies page lists them
   * (seasonal peaks left out); null without a detector.
   */
  anomalousCampaigns(from: string, to: string): Set<number> | null {
    const key = `${from}|${to}`
    let set = this.anomalyCache.get(key)
    if (set === undefined) {
      set = this.anomalies
        ? new Set(
            this.anomalies
              .list({
                workspaceId: this.workspaceId,
                range: { from, to },
                levels: ['campaign'],
                minSeverity: 'info',
                includeSeasonal: false,
              })
              .anomalies.map((a) => a.entityId),
          )
        : null
      this.anomalyCache.set(key, set)
    }
    return set
  }

  private readonly forecastCache = new Map<string, EvalForecast>()

  /**
   * The ML forecast of a campaign or ad set over the next `days` (through the forecasts service,
   * once per entity and horizon per cycle), or why it has none: no trained model, no forecast for
   * the entity (new, idle), or an error reading it.
   */
  forecast(level: 'campaign' | 'ad_set', id: number, days: number): EvalForecast {
    const key = `${level}:${id}:${days}`
    let f = this.forecastCache.get(key)
    if (!f) {
      if (!this.forecasts) f = { problem: 'forecasts are not available here' }
      else
        try {
          const r = this.forecasts.forecast({ workspaceId: this.workspaceId, entityType: level, entityId: id, days })
          f = { conversions: r.conversions, roas: r.roas, methods: r.basis.methods, reasons: r.basis.reasons }
        } catch (e) {
          f = { problem: (e as Error).message }
        }
      this.forecastCache.set(key, f)
    }
    return f
  }

  /**
   * Read ahead the forecasts the rules' forecast conditions need, one entity per step (a forecast
   * reads the entity's history and runs the model: a few milliseconds each), so a cycle's slices
   * stay short. Entities of the rule's accounts and statuses; every campaign for `of: parent_campaign`.
   */
  private *forecastSteps(rules: RuleDefinition[]): Generator<void, void> {
    if (!this.forecasts) return
    const want = new Map<string, { level: 'campaign' | 'ad_set'; id: number; days: number }>()
    for (const rule of rules) {
      const accounts = new Set(
        [...this.accounts.values()]
          .filter(
            (a) =>
              (!rule.scope.platforms || rule.scope.platforms.includes(a.platform)) &&
              (!rule.scope.accountIds || rule.scope.accountIds.includes(a.id)),
          )
          .map((a) => a.id),
      )
      const sides: { metric: RuleMetric; of: 'self' | 'parent_campaign'; days: number }[] = []
      const walk = (g: RuleGroup): void => {
        for (const item of g.items) {
          if (item.type === 'group') walk(item)
          else {
            sides.push({ metric: item.metric, of: item.of, days: (item.forecast ?? DEFAULT_RULE_FORECAST).days })
            if (item.compareTo)
              sides.push({
                metric: item.compareTo.metric,
                of: item.compareTo.of,
                days: (item.compareTo.forecast ?? item.forecast ?? DEFAULT_RULE_FORECAST).days,
              })
          }
        }
      }
      walk(rule.conditions)
      for (const side of sides) {
        if (!FORECAST_METRICS.includes(side.metric)) continue
        const level = side.of === 'parent_campaign' ? 'campaign' : rule.scope.level
        if (level === 'ad') continue
        for (const e of this.entities(level))
          if (
            accounts.has(e.accountId) &&
            (side.of === 'parent_campaign' || (rule.scope.statuses as string[]).includes(e.status))
          )
            want.set(`${level}:${e.id}:${side.days}`, { level, id: e.id, days: side.days })
      }
    }
    for (const w of want.values()) {
      if (this.forecastCache.has(`${w.level}:${w.id}:${w.days}`)) continue
      this.forecast(w.level, w.id, w.days)
      yield
    }
  }

  /** Ad and ad-set totals read ahead for a cycle's rules, by `from|to`, with the accounts they cover. */
  private readonly adBatch = new Map<
    string,
    { accounts: Set<number>; ad: Map<number, Totals>; ad_set: Map<number, Totals> }
  >()

  /**
   * Read ahead the ad and ad-set totals every window of these rules needs, in one pass
   * (`AnalyticsService.adAndAdSetTotalsMany`: whole months from the per-ad monthly sums, the other
   * days from one read of the ad-day rows) instead of one grouped read per window. Windows it
   * does not know ahead ("since the last change") are read when asked, as before.
   */
  prefetch(rules: RuleDefinition[]): void {
    runSteps(this.prefetchSteps(rules))
  }

  /**
   * `prefetch` in slices: the budget's turn of the event loop between its steps (one entity list,
   * one campaign window or one account's ad rows each).
   */
  async prefetchSliced(rules: RuleDefinition[], budget: SliceBudget): Promise<void> {
    await runStepsSliced(this.prefetchSteps(rules), budget)
  }

  private *prefetchSteps(rules: RuleDefinition[]): Steps<void> {
    // The entity lists the rules read (their own level; campaigns for "the parent campaign's").
    const levels = new Set<EntityLevel>()
    for (const rule of rules) {
      levels.add(rule.scope.level)
      if (rule.scope.level !== 'campaign' && JSON.stringify(rule.conditions).includes('"parent_campaign"'))
        levels.add('campaign')
    }
    for (const level of levels) yield* this.entitySteps(level)
    if (rules.some((r) => JSON.stringify(r.conditions).includes('"fatigue"'))) yield* this.fatigueSteps()
    yield* this.forecastSteps(rules)
    const want = new Map<string, { from: string; to: string; accounts: Set<number> }>()
    const campaignReads = new Map<string, { from: string; to: string; accountIds: number[] }>()
    for (const rule of rules) {
      const accounts = [...this.accounts.values()].filter(
        (a) =>
          (!rule.scope.platforms || rule.scope.platforms.includes(a.platform)) &&
          (!rule.scope.accountIds || rule.scope.accountIds.includes(a.id)),
      )
      const sides: [RuleMetric, RuleWindow, boolean, EntityLevel][] = []
      const walk = (g: RuleGroup): void => {
        for (const item of g.items) {
          if (item.type === 'group') walk(item)
          else {
            // The first condition's window also orders matched entities (its own level).
            const own = rule.scope.level
            sides.push([item.of === 'self' ? item.metric : 'spend', item.window, item.includeProvisional, own])
            if (item.of === 'parent_campaign')
              sides.push([item.metric, item.window, item.includeProvisional, 'campaign'])
            if (item.compareTo)
              sides.push([
                item.compareTo.metric,
                item.compareTo.window ?? item.window,
                item.includeProvisional,
                item.compareTo.of === 'self' ? own : 'campaign',
              ])
          }
        }
      }
      walk(rule.conditions)
      for (const [metric, w, prov, level] of sides) {
        if (level !== 'campaign' || WINDOWLESS_METRICS.includes(metric) || w.kind === 'since_last_change') continue
        // Campaign totals are read per range with the accounts that share it (as the evaluator asks).
        const byDays = new Map<string, { from: string; to: string; accountIds: number[] }>()
        for (const a of accounts) {
          const r = this.range(a, w, prov)
          if (!r || 'provisional' in r) continue
          const k = `${r.from}|${r.to}`
          let e = byDays.get(k)
          if (!e) byDays.set(k, (e = { from: r.from, to: r.to, accountIds: [] }))
          e.accountIds.push(a.id)
        }
        for (const e of byDays.values()) campaignReads.set(`${e.from}|${e.to}|${e.accountIds.join(',')}`, e)
      }
      if (rule.scope.level === 'campaign') continue
      for (const [metric, w, prov, level] of sides) {
        if (level === 'campaign') continue
        if (WINDOWLESS_METRICS.includes(metric) || w.kind === 'since_last_change') continue
        for (const a of accounts) {
          const r = this.range(a, w, prov)
          if (!r || 'provisional' in r) continue
          const k = `${r.from}|${r.to}`
          let e = want.get(k)
          if (!e) want.set(k, (e = { from: r.from, to: r.to, accounts: new Set() }))
          e.accounts.add(a.id)
        }
      }
    }
    for (const r of campaignReads.values()) yield* this.campaignTotalsSteps(r.from, r.to, r.accountIds)
    const todo = [...want.entries()].filter(([k, e]) => {
      const have = this.adBatch.get(k)
      return !have || [...e.accounts].some((id) => !have.accounts.has(id))
    })
    if (!todo.length) return
    const res = yield* this.analytics.adAndAdSetTotalsSteps(
      this.baseScope,
      todo.map(([, e]) => ({ from: e.from, to: e.to, accountIds: [...e.accounts] })),
    )
    todo.forEach(([k, e], i) => {
      const r = res[i] as { ad: Map<number, Totals>; ad_set: Map<number, Totals> }
      this.adBatch.set(k, { accounts: e.accounts, ad: r.ad, ad_set: r.ad_set })
    })
  }

  /**
   * Campaign totals of a range for some accounts (as `totals` reads and keeps them), read one
   * account per step: a campaign's totals come from its own account's running totals only.
   */
  private *campaignTotalsSteps(from: string, to: string, accountIds: number[]): Steps<void> {
    const ids = [...accountIds].sort((a, b) => a - b)
    const key = `campaign|${from}|${to}|${ids.join(',')}`
    if (this.totalsCache.has(key)) return
    const all = new Map<number, Totals>()
    for (const id of ids) {
      yield
      for (const [k, t] of this.analytics.entityTotals(this.scopeOf([id]), 'campaign', { from, to })) all.set(k, t)
    }
    this.totalsCache.set(key, all)
  }

  /** The analytics scope of some accounts (sorted ids; once per cycle). */
  private scopeOf(ids: number[]): ResolvedScope {
    const sk = ids.join(',')
    let scope = this.scopeCache.get(sk)
    if (!scope) {
      scope = this.analytics.scope(this.workspaceId, ids)
      this.scopeCache.set(sk, scope)
    }
    return scope
  }

  /** Converted totals per entity of a level over a range for some accounts (cached). */
  totals(level: EntityLevel, from: string, to: string, accountIds: number[]): Map<number, Totals> {
    const ids = [...accountIds].sort((a, b) => a - b)
    const key = `${level}|${from}|${to}|${ids.join(',')}`
    let t = this.totalsCache.get(key)
    if (!t) {
      const scope = this.scopeOf(ids)
      const batch = this.adBatch.get(`${from}|${to}`)
      if (level !== 'campaign' && batch && ids.every((id) => batch.accounts.has(id))) t = batch[level]
      else if (level === 'campaign') t = this.analytics.entityTotals(scope, level, { from, to })
      else {
        // Ads and ad sets come from one read of the ad rows; keep both levels.
        const both = this.analytics.adAndAdSetTotals(scope, { from, to })
        const other = level === 'ad' ? 'ad_set' : 'ad'
        this.totalsCache.set(`${other}|${from}|${to}|${ids.join(',')}`, both[other])
        t = both[level]
      }
      this.totalsCache.set(key, t)
    }
    return t
  }
}
