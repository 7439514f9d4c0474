import { addDays, daysBetween, endOfMonth, startOfMonth } from '../../../shared/domain/dates'
import type { Vertical } from '../../../shared/domain/recommendations'
import type { ResponseCurveView } from '../../../shared/ipc/contracts/ml'
import type { ResponseCurvesInput, UnusableCurve } from '../ml/forecast-service'
import { NO_YIELD, runStepsSliced, type SliceBudget, type Steps } from '../scheduler/slices'
import type {
  RecAccount,
  RecommendationDraft,
  RecommendationsRepo,
  WindowSums,
} from '../store/repos/recommendations-repo'
import {
  audienceExpansion,
  benchmarkTip,
  budgetReallocationSteps,
  creativeRefresh,
  DEFAULT_ELASTICITY,
  elasticityOf,
  fallbackCurve,
  pacingTip,
  scaling,
  structure,
  waste,
  type AccountData,
  type CurveView,
  type PacingFacts,
} from './engine'

/** Busiest budget holders per account that get a fitted response curve (the rest: the fallback). */
const FITS_PER_ACCOUNT = 25
/** Busiest active ads per account checked for fatigue. */
const ADS_PER_ACCOUNT = 40
/** Fallback curves built between two chances to yield (2,000 holders on an account at 10,000 campaigns). */
const FALLBACKS_PER_STEP = 250
/** Ads whose days one read takes (each read a short step at 10,000 campaigns). */
const AD_DAYS_GROUP = 10

/** Per-entity sums of two disjoint windows (an entity in either one). */
function addWindows(a: WindowSums[], b: WindowSums[]): WindowSums[] {
  const out = new Map(a.map((s) => [s.id, { ...s }]))
  for (const s of b) {
    const o = out.get(s.id)
    if (!o) {
      out.set(s.id, { ...s })
      continue
    }
    o.days += s.days
    o.spendMicros += s.spendMicros
    o.revenueMicros += s.revenueMicros
    o.conversions += s.conversions
    o.impressions += s.impressions
    o.clicks += s.clicks
    o.reach += s.reach
  }
  return [...out.values()]
}

type WindowPair = { campaign: WindowSums[]; ad_set: WindowSums[] }

/**
 * A fallback curve for each of `active` without a usable fitted one but with 14 days or more of
 * spend and revenue in its last 28 (`recent`), at elasticity `e`. (A loop of its own, not in
 * `accountData`: a hot loop inside that large async function made V8 optimise all of it.)
 */
function addFallbacks(
  active: readonly { h: { entityType: 'campaign' | 'ad_set'; id: number } }[],
  curves: Map<string, CurveView | { problem: string }>,
  recent: Record<'campaign' | 'ad_set', Map<number, WindowSums>>,
  currency: string,
  e: number,
): void {
  for (const { h } of active) {
    const key = `${h.entityType}:${h.id}`
    const c = curves.get(key)
    const w = recent[h.entityType].get(h.id)
    if (!c || !('problem' in c) || !w || w.spendMicros <= 0 || w.revenueMicros <= 0 || w.days < 14) continue
    curves.set(key, fallbackCurve(currency, w.spendMicros / 1e6 / w.days, w.revenueMicros / 1e6 / w.days, e))
  }
}

/** What one account's advice reads: the store's rows and the ML module's response curves, on one connection. */
export interface AccountDraftDeps {
  repo: RecommendationsRepo
  curveSteps(input: ResponseCurvesInput): Steps<Map<string, ResponseCurveView | UnusableCurve | { problem: string }>>
}

/** One account's drafts, and the holders whose response curve was not used (with why). */
export interface AccountDrafts {
  drafts: RecommendationDraft[]
  skipped: string[]
}

/**
 * The advice of one ad account: its windows, curves and ads read, then every rule of the engine
 * that works within an account (no writes). The same code on the core's thread (sliced) and on the
 * draft worker (`draft-worker.ts`, its own read-only connection), so both give the same drafts.
 */
export class AccountDrafter {
  constructor(private readonly d: AccountDraftDeps) {}

  /** Drafts of one account (null: no settled data yet), with a turn of the event loop when `budget` says. */
  async draft(
    workspaceId: number,
    acc: RecAccount,
    rate: number,
    vertical: Vertical,
    budget: SliceBudget = NO_YIELD,
  ): Promise<AccountDrafts | null> {
    const a = await this.accountData(workspaceId, acc, rate, vertical, budget)
    await budget.maybeYield()
    if (!a) return null
    const drafts: RecommendationDraft[] = []
    const skipped: string[] = []
    for (const [key, c] of a.curves) if ('problem' in c) skipped.push(`${key}: ${c.problem}`)
    // One rule at a time, with a turn of the event loop between them when the slice is used up.
    const r = await runStepsSliced(budgetReallocationSteps(a), budget)
    if (r) drafts.push(r)
    for (const rule of [scaling, waste, audienceExpansion, creativeRefresh, structure]) {
      await budget.maybeYield()
      drafts.push(...rule(a))
    }
    drafts.push(...pacingTip(a), ...benchmarkTip(a))
    await budget.maybeYield()
    return { drafts, skipped }
  }

  /**
   * The ML module's response curves of some holders of one account (one read), or why none is
   * used: the forecasts service's own gate (`usable`), so the curve on the page, its what-if and
   * the reallocation stand on the same model.
   */
  private async curves(
    workspaceId: number,
    accountId: number,
    holders: { entityType: 'campaign' | 'ad_set'; id: number }[],
    budget: SliceBudget,
  ): Promise<Map<string, CurveView | { problem: string }>> {
    const out = new Map<string, CurveView | { problem: string }>()
    const got = await runStepsSliced(
      this.d.curveSteps({
        workspaceId,
        accountId,
        entities: holders.map((h) => ({ entityType: h.entityType, entityId: h.id })),
        // A curve that is not usable is only its problem here: no conversions fit for it.
        usableOnly: true,
      }),
      budget,
    )
    for (const [key, c] of got) {
      if ('problem' in c && !('usable' in c)) out.set(key, { problem: c.problem })
      else if (!c.usable) out.set(key, { problem: `${c.problem ?? 'response curve not usable'}: not used` })
      else
        out.set(key, {
          source: 'fitted',
          currency: c.currency,
          r2: c.params.r2Weekly,
          days: c.params.days,
          currentDailySpendMicros: c.currentDailySpendMicros,
          points: c.points,
        })
    }
    return out
  }

  /** Month-to-date spend of an account against its plan (the month of its last day with data). */
  private pacingFacts(acc: RecAccount, holders: ReturnType<RecommendationsRepo['budgetHolders']>): PacingFacts | null {
    const last = acc.lastDate
    if (!last) return null
    const first = startOfMonth(last)
    const daysInMonth = daysBetween(first, endOfMonth(last)) + 1
    let planMicros = acc.monthlyPlanMicros
    let planSource: PacingFacts['planSource'] = 'account'
    if (planMicros === null) {
      const daily = holders.filter((h) => h.status === 'active').reduce((x, h) => x + h.dailyBudgetMicros, 0)
      planMicros = daily > 0 ? daily * daysInMonth : null
      planSource = 'budgets'
    }
    return {
      month: last.slice(0, 7),
      daysElapsed: daysBetween(first, last) + 1,
      daysInMonth,
      spentMicros: this.d.repo.accountSpend(acc.id, first, last),
      last7Micros: this.d.repo.accountSpend(acc.id, addDays(last, -6), last),
      planMicros,
      planSource,
    }
  }

  async accountData(
    workspaceId: number,
    acc: RecAccount,
    rate: number,
    vertical: Vertical = 'unknown',
    budget: SliceBudget = NO_YIELD,
  ): Promise<AccountData | null> {
    const to = acc.lastSettledDate
    if (!to) return null
    const repo = this.d.repo
    const holders = await runStepsSliced(repo.budgetHolderSteps([acc.id]), budget)
    await budget.maybeYield()
    const latest = acc.lastDate ?? to
    // The last 28 days to the last day with data (budgets, curves), and the last 7 settled days
    // with the 21 before them (waste, audience, structure): one read of the monthly rollup.
    const [w28, w7, w21] = (await runStepsSliced(
      repo.windowSumsSteps(acc.id, [
        { from: addDays(latest, -27), to: latest },
        { from: addDays(to, -6), to },
        { from: addDays(to, -27), to: addDays(to, -7) },
      ]),
      budget,
    )) as [WindowPair, WindowPair, WindowPair]
    const recent = {
      campaign: new Map(w28.campaign.map((s) => [s.id, s])),
      ad_set: new Map(w28.ad_set.map((s) => [s.id, s])),
    }
    // The busiest holders get a fitted curve (one read for all of them), the rest the fallback.
    const active = holders
      .filter((h) => h.status === 'active')
      .map((h) => ({ h, spend: recent[h.entityType].get(h.id)?.spendMicros ?? 0 }))
      .sort((x, y) => y.spend - x.spend || (x.h.entityType < y.h.entityType ? -1 : 1) || x.h.id - y.h.id)
    const curves = await this.curves(
      workspaceId,
      acc.id,
      active.slice(0, FITS_PER_ACCOUNT).map((x) => x.h),
      budget,
    )
    for (const { h } of active.slice(FITS_PER_ACCOUNT))
      curves.set(`${h.entityType}:${h.id}`, {
        problem: `not among the ${FITS_PER_ACCOUNT} busiest of the account: no curve fitted`,
      })
    await budget.maybeYield()
    const elasticities = [...curves.values()]
      .filter((c): c is CurveView => !('problem' in c))
      .map(elasticityOf)
      .filter((e): e is number => e !== null && e > 0 && e < 1.5)
      .sort((x, y) => x - y)
    const e = elasticities.length
      ? Math.min(0.95, Math.max(0.1, elasticities[Math.floor(elasticities.length / 2)] as number))
      : DEFAULT_ELASTICITY
    for (let i = 0; i < active.length; i += FALLBACKS_PER_STEP) {
      if (i > 0) await budget.maybeYield()
      addFallbacks(active.slice(i, i + FALLBACKS_PER_STEP), curves, recent, acc.currency, e)
    }
    await budget.maybeYield()
    const adSets7 = w7.ad_set
    const ads = await runStepsSliced(repo.activeAdsSteps(acc.id, addDays(to, -6), to, ADS_PER_ACCOUNT), budget)
    await budget.maybeYield()
    const adDays = new Map<number, { date: string; impressions: number; clicks: number }[]>()
    // Ads by launch, ten per read, each read from the day before its earliest launch (an ad has no
    // row before its launch; the busiest ads are mostly recent: most of a year of day lookups skipped).
    // The day before: a platform's launch date can be a UTC date (Meta's created_time sliced), a day
    // later than the first day in an account's time zone west of UTC.
    const byLaunch = [...ads].sort((x, y) => (x.launchDate ?? '').localeCompare(y.launchDate ?? '') || x.id - y.id)
    for (let i = 0; i < byLaunch.length; i += AD_DAYS_GROUP) {
      const group = byLaunch.slice(i, i + AD_DAYS_GROUP)
      const first = group.some((a) => a.launchDate === null) ? null : (group[0]?.launchDate ?? null)
      const from = first === null ? null : addDays(first, -1)
      for (const [id, days] of repo.adDays(
        acc.id,
        group.map((a) => a.id),
        to,
        from,
      ))
        adDays.set(id, days)
      await budget.maybeYield()
    }
    const revenue7 = new Map(adSets7.map((s) => [s.id, s]))
    const adSetsPrior21 = w21.ad_set
    // The 28 days are the 21 and the 7 together (disjoint windows: sums and day counts add).
    const adSets28 = addWindows(adSetsPrior21, adSets7)
    await budget.maybeYield()
    const campaigns = [...recent.campaign.values()]
    return {
      account: acc,
      to,
      rate,
      holders,
      curves,
      latest,
      adSets28,
      adSets7,
      adSetsPrior21,
      adSetCounts: repo.adSetCounts(acc.id),
      campaignNames: new Map(campaigns.map((c) => [c.id, c.name])),
      campaigns28: campaigns,
      pacing: this.pacingFacts(acc, holders),
      vertical,
      ads: ads.map((a) => {
        const set = revenue7.get(a.adSetId)
        // An ad's share of its ad set's revenue, by its share of the ad set's spend.
        const share = set && set.spendMicros > 0 ? a.spendMicros / set.spendMicros : 0
        return {
          id: a.id,
          name: a.name,
          adSetId: a.adSetId,
          campaignId: a.campaignId,
          spendMicros7: a.spendMicros,
          revenueMicros7: set ? set.revenueMicros * share : 0,
          days: adDays.get(a.id) ?? [],
        }
      }),
    }
  }
}
