import { addDays } from '../../../shared/domain/dates'
import type {
  EvidenceChart,
  EvidenceMetric,
  RecChange,
  RecEntity,
  ReallocationRow,
  RecommendationBody,
} from '../../../shared/domain/recommendations'
import type { Vertical } from '../../../shared/domain/recommendations'
import { fitFatigue } from '../analytics/fatigue'
import {
  BENCHMARK_CURRENCY,
  BENCHMARK_PLATFORMS,
  BENCHMARK_SOURCE,
  BENCHMARK_URL,
  FACEBOOK_BENCHMARKS,
  impliedCpmUsd,
} from './benchmarks'
import type { BudgetHolder, RecAccount, RecommendationDraft, WindowSums } from '../store/repos/recommendations-repo'
import { MIN_CURVE_R2 } from '../ml/response-curve'
import {
  DEFAULT_GUARDRAILS,
  reallocateSteps,
  revenueAt,
  type Allocation,
  type CurvePoint,
  type Holder,
} from './reallocate'
import { runSteps, type Steps } from '../scheduler/slices'
import { formatMoney } from '../../../shared/domain/money'

/**
 * The recommendation engine's rules, pure over the data the service reads. Each builder returns
 * drafts with the evidence, the expected impact per week (point and 80% interval, micros of the
 * account currency), a confidence in [0, 1] and priority = impact in the reporting currency ×
 * confidence. Thresholds are named here and documented in docs/recommendations.md.
 */

/** An amount in currency units, formatted as everywhere else ("$5,540.00"). */
const money = (units: number, currency: string): string => formatMoney(Math.round(units * 1e6), currency)

/** z of the 80% two-sided interval. */
export const Z80 = 1.2816
/** Entities launched fewer days ago than this are in their learning phase and left alone. */
export const LEARNING_DAYS = 14
/** Days after applying when the outcome is measured. */
export const HORIZON_DAYS = 14
/** A reallocation or scaling is only advised when it is worth at least this share of weekly revenue. */
export const MIN_GAIN_SHARE = 0.005
/** Waste: expected conversions at the account's rate before "none" is convincing (P(0) = e^-3 ≈ 5%). */
export const WASTE_MIN_EXPECTED = 3
/** Scaling: marginal ROAS at current spend above which another unit of budget pays for itself with room. */
export const SCALE_MIN_MARGINAL = 1.3
/** Scaling: spend at this share of budget or more means the budget is what limits it. */
export const SCALE_BUDGET_BOUND = 0.85
/** Scaling step (+20% budget, within the ±30% guardrail). */
export const SCALE_STEP = 0.2
/** Audience saturation: frequency up, CTR down and CPM up by at least these shares, last 7 vs prior 21 days. */
export const AUDIENCE_FREQ_UP = 0.15
export const AUDIENCE_CTR_DOWN = 0.1
export const AUDIENCE_CPM_UP = 0.1
/** Meta's learning threshold: about 50 optimisation events per ad set per week. */
export const LEARNING_EVENTS_PER_WEEK = 50

const micros = (units: number): number => Math.round(units * 1e6)
const round2 = (x: number): number => Math.round(x * 100) / 100

/** A curve as the ML module's service gives it (micros), with its fit quality. */
export interface CurveView {
  /**
   * 'fitted': the ML module's response curve. 'fallback': no usable fitted curve; a power law
   * through the entity's own recent spend and revenue at the workspace's median elasticity.
   */
  source: 'fitted' | 'fallback'
  /*
   * A fitted curve is used when the ML module's own gate says so (`usable`: R² of weekly sums at
   * least MIN_CURVE_R2): the gate of the curve on the page and of its what-if too.
   */
  /** The fallback's elasticity. */
  elasticity?: number
  currency: string
  /** Fitted: the curve's R² of weekly sums (the gate's measure); fallback: 0. */
  r2: number
  days: number
  currentDailySpendMicros: number
  points: { spendMicros: number; revenueMicros: number; marginalRoas: number }[]
}

export interface AccountData {
  account: RecAccount
  /** The last settled day (the end of the windows that count conversions: waste, audience, structure). */
  to: string
  /**
   * The last day with data, provisional ones included: budgets, learning phases and the fallback
   * curves' recent spend and revenue are read up to it (within an account the conversion lag of
   * the last days is alike for every entity, so comparisons between them hold).
   */
  latest: string
  /** Units of the reporting currency per unit of the account currency. */
  rate: number
  holders: BudgetHolder[]
  /** Curves by `${entityType}:${id}`, or the reason there is none. */
  curves: Map<string, CurveView | { problem: string }>
  /** Ad-set sums over the last 28 days, the last 7 and the 21 before those. */
  adSets28: WindowSums[]
  adSets7: WindowSums[]
  adSetsPrior21: WindowSums[]
  /** Active ad sets per campaign. */
  adSetCounts: Map<number, number>
  /** Campaign names by id. */
  campaignNames: Map<number, string>
  /** Campaign sums over the last 28 days (to `latest`). */
  campaigns28: WindowSums[]
  /** Month-to-date spend against the month's plan (null: no day of the month yet). */
  pacing: PacingFacts | null
  /** The workspace's vertical ('unknown': no benchmark tip). */
  vertical: Vertical
  /** The account's busiest active ads with their daily impressions and clicks since launch. */
  ads: {
    id: number
    name: string
    adSetId: number
    campaignId: number
    spendMicros7: number
    revenueMicros7: number
    days: { date: string; impressions: number; clicks: number }[]
  }[]
}

/** What the pacing tip needs of one account's month (micros of the account currency). */
export interface PacingFacts {
  /** The month of the account's last day with data. */
  month: string
  /** Days of the month with data so far (1st to the last day with data). */
  daysElapsed: number
  daysInMonth: number
  spentMicros: number
  /** Spend over the last 7 days with data (the run rate the projection continues). */
  last7Micros: number
  /** The month's plan: the account's monthly plan, or its active daily budgets × days in the month. */
  planMicros: number | null
  planSource: 'account' | 'budgets'
}

function entityOf(acc: RecAccount, entityType: RecEntity['entityType'], id: number, name: string): RecEntity {
  return { entityType, entityId: id, name, accountId: acc.id }
}

function body(
  partial: Partial<RecommendationBody> & Pick<RecommendationBody, 'summary' | 'entities' | 'impactMethod'>,
): RecommendationBody {
  return {
    evidence: { metrics: [], chart: null, notes: [] },
    horizonDays: HORIZON_DAYS,
    changes: [],
    reallocation: null,
    link: null,
    ...partial,
  }
}

function draft(
  d: Omit<RecommendationDraft, 'priority' | 'impact'> & {
    impactUnits: { point: number; lower: number; upper: number } | null
  },
  rate: number,
): RecommendationDraft {
  const impact = d.impactUnits
    ? { point: micros(d.impactUnits.point), lower: micros(d.impactUnits.lower), upper: micros(d.impactUnits.upper) }
    : null
  const { impactUnits: _u, ...rest } = d
  void _u
  return { ...rest, impact, priority: impact ? (impact.point / 1e6) * rate * d.confidence : 0 }
}

/** A curve's points in currency units (a fallback's computed from its power law: the same numbers, fewer objects). */
const curvePoints = (c: CurveView): CurvePoint[] => {
  const f = FALLBACKS.get(c)
  if (f) {
    // fallbackPoint's numbers, without its object per point (20,000 fallbacks a generation).
    const { s0, r0, e } = f
    const out: CurvePoint[] = []
    for (let i = 0; i <= FALLBACK_STEPS; i++) {
      const x = fallbackSpend(s0, i)
      out.push({
        spend: micros(x) / 1e6,
        revenue: micros(fallbackRevenue(s0, r0, e, x)) / 1e6,
        marginalRoas: fallbackMarginalRoas(s0, r0, e, x),
      })
    }
    return out
  }
  return c.points.map((p) => ({
    spend: p.spendMicros / 1e6,
    revenue: p.revenueMicros / 1e6,
    marginalRoas: p.marginalRoas,
  }))
}

const isCurve = (c: CurveView | { problem: string } | undefined): c is CurveView => !!c && !('problem' in c)

/** A reallocation's table carries the curves of its fitted rows and of this many biggest moves. */
export const CURVES_IN_TABLE = 40

/** Confidence given to a move that stands on a fallback curve (no usable fitted one). */
export const FALLBACK_CONFIDENCE = 0.3

/** Elasticity (d log revenue / d log spend) used when no fitted curve gives one. */
export const DEFAULT_ELASTICITY = 0.6

/** Elasticity of a fitted curve at its current spend: marginal ROAS / average ROAS. */
export function elasticityOf(c: CurveView): number | null {
  const pts = curvePoints(c)
  const x = c.currentDailySpendMicros / 1e6
  const r = revenueAt(pts, x)
  if (!(x > 0) || !(r > 0)) return null
  const step = x * 0.05
  const m = (revenueAt(pts, x + step) - revenueAt(pts, x - step)) / (2 * step)
  return (m * x) / r
}

/**
 * A curve through an entity's recent daily spend s0 and revenue r0 at elasticity e:
 * revenue(x) = r0 (x / s0)^e, marginal ROAS e r0 / s0 (x / s0)^(e − 1). Explained variance is not
 * known, so it carries r2 = 0 (its changes get the widest interval).
 */
export function fallbackCurve(currency: string, s0: number, r0: number, e: number): CurveView {
  // The points are built when first read: a generation at 10,000 campaigns makes ~20,000 fallbacks
  // and reads the points of a few hundred (the reallocation reads its units via `curvePoints`);
  // built eagerly they were ~900,000 objects that outlived young-generation collections.
  let points: CurveView['points'] | undefined
  const view: CurveView = {
    source: 'fallback',
    elasticity: e,
    currency,
    r2: 0,
    days: 28,
    currentDailySpendMicros: micros(s0),
    get points() {
      if (!points) {
        points = []
        for (let i = 0; i <= FALLBACK_STEPS; i++) points.push(fallbackPoint(s0, r0, e, i))
      }
      return points
    },
  }
  FALLBACKS.set(view, { s0, r0, e })
  return view
}

/** Points of a fallback curve: 0 to twice the recent spend in this many steps. */
const FALLBACK_STEPS = 40

/** The power law of each fallback curve (`curvePoints` computes its points without building `points`). */
const FALLBACKS = new WeakMap<CurveView, { s0: number; r0: number; e: number }>()

/** The fallback curve through (s0, r0) at elasticity e: spend at point i, revenue and marginal ROAS at spend x. */
const fallbackSpend = (s0: number, i: number): number => (2 * s0 * i) / FALLBACK_STEPS
const fallbackRevenue = (s0: number, r0: number, e: number, x: number): number => (x > 0 ? r0 * Math.pow(x / s0, e) : 0)
const fallbackMarginalRoas = (s0: number, r0: number, e: number, x: number): number =>
  x > 0 ? ((e * r0) / s0) * Math.pow(x / s0, e - 1) : e * (r0 / s0) * 10

/** Point i of the fallback curve (`curvePoints` computes the same numbers without this object). */
function fallbackPoint(s0: number, r0: number, e: number, i: number): CurveView['points'][number] {
  const x = fallbackSpend(s0, i)
  return {
    spendMicros: micros(x),
    revenueMicros: micros(fallbackRevenue(s0, r0, e, x)),
    marginalRoas: fallbackMarginalRoas(s0, r0, e, x),
  }
}

/** Why a holder may not move, or null. */
function heldReason(h: BudgetHolder, to: string, c: CurveView | { problem: string } | undefined): string | null {
  if (h.status !== 'active') return `${h.status}: left alone`
  if (h.launchDate && h.launchDate > addDays(to, -LEARNING_DAYS))
    return `launched ${h.launchDate}: in its learning phase (< ${LEARNING_DAYS} days)`
  if (!c) return 'no response curve'
  if ('problem' in c) return c.problem
  if (c.currentDailySpendMicros <= 0) return 'no recent spend'
  return null
}

/**
 * Budget reallocation within one account: the holders' budgets move from low to high marginal
 * ROAS (guardrails: ±30% per entity per step, a floor, learning and paused entities left alone,
 * curves below the fit-quality threshold not used) until the marginal returns are as equal as
 * the guardrails allow. The impact is the curve-predicted change in daily net (revenue − spend)
 * × 7; its 80% interval treats each moved entity's revenue change as uncertain by √(1 − R²) of
 * itself (independent across entities).
 */
export function budgetReallocation(a: AccountData): RecommendationDraft | null {
  return runSteps(budgetReallocationSteps(a))
}

/** Holders (curves, table rows) a reallocation handles between two chances to yield. */
const ROWS_PER_STEP = 500

/** What the reallocation's table adds up over its rows. */
interface TableSums {
  dRev: number
  dSpend: number
  variance: number
  revBefore: number
  r2w: number
  wsum: number
  rows: ReallocationRow[]
  changes: RecChange[]
}

/**
 * The account's active holders `a.holders[from, to)` as the reallocation's holders, added to `out`.
 * (The steps' loops call functions like this one a step at a time: a hot loop inside a large
 * generator makes V8 optimise the whole generator, over and over as it meets new branches; that
 * compiling was ~1 s of a generation's CPU at 10,000 campaigns, docs/performance.md, session 17.)
 */
function addHolders(a: AccountData, from: number, to: number, out: (Holder & { h: BudgetHolder })[]): void {
  for (let i = from; i < to && i < a.holders.length; i++) {
    const h = a.holders[i] as BudgetHolder
    // Paused and archived holders are not part of the account's live budget: left out entirely.
    if (h.status !== 'active') continue
    const key = `${h.entityType}:${h.id}`
    const c = a.curves.get(key)
    const held = heldReason(h, a.latest, c)
    const curve = isCurve(c) ? curvePoints(c) : null
    out.push({
      key,
      h,
      budget: h.dailyBudgetMicros / 1e6,
      spend: isCurve(c) ? c.currentDailySpendMicros / 1e6 : 0,
      curve,
      held,
    })
  }
}

/** The table's rows (and changes) of `alloc[from, to)`, added into `t`. */
function addTableRows(
  a: AccountData,
  holders: readonly (Holder & { h: BudgetHolder })[],
  alloc: readonly Allocation[],
  charted: ReadonlySet<string>,
  from: number,
  to: number,
  t: TableSums,
): void {
  for (let i = from; i < to && i < alloc.length; i++) {
    const x = alloc[i] as Allocation
    const { h } = holders[i] as (typeof holders)[number]
    const c = a.curves.get(x.key)
    const r2 = isCurve(c) ? c.r2 : null
    const dr = x.revenueAfter - x.revenueBefore
    t.dRev += dr
    t.dSpend += x.spendAfter - x.spendBefore
    t.revBefore += x.revenueBefore
    if (isCurve(c) && x.held === null) {
      const fitted = c.source === 'fitted'
      t.variance += (dr * (fitted ? Math.sqrt(Math.max(0, 1 - c.r2)) : 1)) ** 2
      const w = Math.abs(x.budgetAfter - x.budgetBefore)
      t.r2w += w * (fitted ? c.r2 : FALLBACK_CONFIDENCE)
      t.wsum += w
    }
    const budgetAfterMicros = Math.round(x.budgetAfter * 100) * 10_000
    const moved = budgetAfterMicros !== h.dailyBudgetMicros
    t.rows.push({
      entityType: h.entityType,
      entityId: h.id,
      name: h.name,
      budgetBeforeMicros: h.dailyBudgetMicros,
      budgetAfterMicros: moved ? budgetAfterMicros : h.dailyBudgetMicros,
      spendBeforeMicros: micros(x.spendBefore),
      spendAfterMicros: micros(x.spendAfter),
      marginalRoasBefore: round2(x.marginalBefore),
      marginalRoasAfter: round2(x.marginalAfter),
      revenueBeforeMicros: micros(x.revenueBefore),
      revenueAfterMicros: micros(x.revenueAfter),
      held:
        x.held ??
        (isCurve(c) && c.source === 'fallback'
          ? `no usable fitted curve: power law at elasticity ${c.elasticity?.toFixed(2)} (fallback)`
          : null) ??
        (!moved
          ? 'at its best budget'
          : Math.abs(x.budgetAfter / x.budgetBefore - 1) >= DEFAULT_GUARDRAILS.maxStep - 1e-6
            ? `capped at ±${DEFAULT_GUARDRAILS.maxStep * 100}%`
            : null),
      curve:
        isCurve(c) && (c.source === 'fitted' || charted.has(x.key))
          ? c.points
              .filter((_, k) => k % 2 === 0)
              .map((p) => ({ spendMicros: p.spendMicros, revenueMicros: p.revenueMicros }))
          : [],
      curveR2: r2 === null || (isCurve(c) && c.source === 'fallback') ? null : round2(r2),
    })
    if (moved && x.held === null)
      t.changes.push({
        entityType: h.entityType,
        entityId: h.id,
        name: h.name,
        action: { kind: 'set_budget', dailyBudgetMicros: budgetAfterMicros },
      })
  }
}

/** `budgetReallocation` as steps (the holders, the reallocation's moves and the table's rows a few hundred at a time). */
export function* budgetReallocationSteps(a: AccountData): Steps<RecommendationDraft | null> {
  const holders: (Holder & { h: BudgetHolder })[] = []
  for (let i = 0; i < a.holders.length; i += ROWS_PER_STEP) {
    // A turn now and then: an account's thousands of holders' curves are not one step.
    if (i > 0) yield
    addHolders(a, i, i + ROWS_PER_STEP, holders)
  }
  const movable = holders.filter((x) => x.held === null)
  if (movable.length < 2) return null
  yield
  const alloc = yield* reallocateSteps(holders, DEFAULT_GUARDRAILS)
  const t: TableSums = { dRev: 0, dSpend: 0, variance: 0, revBefore: 0, r2w: 0, wsum: 0, rows: [], changes: [] }
  // The table lists every holder; its curve goes with the fitted ones and the biggest moves only
  // (on a 1,700-campaign account every curve made the advice 2.8 MB of JSON).
  const charted = new Set(
    alloc
      .map((x) => ({ key: x.key, d: Math.abs(x.budgetAfter - x.budgetBefore) }))
      .filter((x) => x.d > 0)
      .sort((p, q) => q.d - p.d)
      .slice(0, CURVES_IN_TABLE)
      .map((x) => x.key),
  )
  for (let i = 0; i < alloc.length; i += ROWS_PER_STEP) {
    if (i > 0) yield
    addTableRows(a, holders, alloc, charted, i, i + ROWS_PER_STEP, t)
  }
  const { dRev, dSpend, variance, revBefore, r2w, wsum, rows, changes } = t
  const pointDay = dRev - dSpend
  if (!changes.length || pointDay <= 0 || pointDay * 7 < MIN_GAIN_SHARE * revBefore * 7) return null
  const half = Z80 * Math.sqrt(variance) * 7
  const point = pointDay * 7
  const confidence = wsum > 0 ? Math.min(1, Math.max(0, r2w / wsum)) : 0
  const held = rows.filter(
    (r) => r.held && !r.held.startsWith('capped') && r.held !== 'at its best budget' && !r.held.includes('(fallback)'),
  )
  const fallbacks = rows.filter((r) => r.held?.includes('(fallback)')).length
  const cur = a.account.currency
  const moved = changes.length
  const totalBudget = movable.reduce((s, x) => s + x.budget, 0)
  return draft(
    {
      kind: 'budget_reallocation',
      key: `budget_reallocation:account:${a.account.id}`,
      title: `Move budget between ${moved} ${moved === 1 ? 'entity' : 'entities'} of ${a.account.name}`,
      currency: cur,
      confidence,
      impactUnits: { point, lower: point - half, upper: point + half },
      body: body({
        summary: `Shift daily budget from the entities whose next ${cur} returns least to those whose next ${cur} returns most, keeping the account's total of ${money(totalBudget, cur)} a day. ${
          fallbacks >= movable.length
            ? 'No fitted response curve is usable here, so a fallback power law through each entity’s last 28 days predicts'
            : fallbacks > 0
              ? `The response curves (${fallbacks} of the ${movable.length} entities on a fallback power law) predict`
              : 'The response curves predict'
        } ${money(pointDay * 7, cur)} more revenue net of spend per week.`,
        entities: changes.map((c) => entityOf(a.account, c.entityType, c.entityId, c.name)),
        impactMethod:
          'Curve-predicted daily revenue after − before (each entity at its new budget × its recent spend-to-budget ratio), minus the spend change, × 7. 80% interval: each moved entity’s revenue change uncertain by √(1 − R²) of itself (all of itself on a fallback curve), combined as independent.',
        evidence: {
          metrics: [
            { label: 'Entities weighed (fitted or fallback curve)', value: movable.length, unit: 'count' },
            { label: 'Held (learning, no usable curve)', value: held.length, unit: 'count' },
            {
              label: 'Daily budget moved',
              value: round2(alloc.reduce((s, x) => s + Math.max(0, x.budgetAfter - x.budgetBefore), 0)),
              unit: 'money',
            },
            { label: 'Revenue per day before (curves)', value: round2(revBefore), unit: 'money' },
            { label: 'Revenue per day after (curves)', value: round2(revBefore + dRev), unit: 'money' },
            { label: 'On a fallback curve', value: fallbacks, unit: 'count' },
            { label: 'Confidence (move-weighted R², fallback 0.3)', value: round2(confidence), unit: 'ratio' },
          ],
          chart: null,
          notes: [
            `Guardrails: at most ±${DEFAULT_GUARDRAILS.maxStep * 100}% per entity per step, budgets of at least ${DEFAULT_GUARDRAILS.floor} ${cur}, entities launched in the last ${LEARNING_DAYS} days and paused ones left alone, fitted curves the ML module does not mark usable (weekly R² below ${MIN_CURVE_R2}, or an elasticity the season-controlled fit cannot identify; the Predictions page gives each reason) not used: those entities move along a fallback power law through their own last 28 days (revenue ∝ spend^e, e the median elasticity of the account's usable fitted curves, else ${DEFAULT_ELASTICITY}), with confidence ${FALLBACK_CONFIDENCE} and an interval as wide as the change.`,
            ...held.slice(0, 5).map((r) => `${r.name}: ${r.held}`),
            ...(held.length > 5 ? [`… and ${held.length - 5} more held`] : []),
          ],
        },
        changes,
        reallocation: rows.sort(
          (x, y) => y.budgetAfterMicros - y.budgetBeforeMicros - (x.budgetAfterMicros - x.budgetBeforeMicros),
        ),
      }),
    },
    a.rate,
  )
}

/** Scaling: budget-limited entities whose marginal ROAS at current spend is well above 1, on a usable curve. */
export function scaling(a: AccountData): RecommendationDraft[] {
  const out: RecommendationDraft[] = []
  for (const h of a.holders) {
    const c = a.curves.get(`${h.entityType}:${h.id}`)
    if (heldReason(h, a.latest, c) !== null || !isCurve(c) || c.source !== 'fitted') continue
    const spend = c.currentDailySpendMicros / 1e6
    const budget = h.dailyBudgetMicros / 1e6
    if (spend < SCALE_BUDGET_BOUND * budget) continue
    const pts = curvePoints(c)
    const before = revenueAt(pts, spend)
    const after = revenueAt(pts, spend * (1 + SCALE_STEP))
    const marginal = (after - before) / (spend * SCALE_STEP)
    if (marginal < SCALE_MIN_MARGINAL) continue
    const dRev = after - before
    const point = (dRev - spend * SCALE_STEP) * 7
    if (point <= MIN_GAIN_SHARE * before * 7) continue
    const half = Z80 * Math.abs(dRev) * Math.sqrt(Math.max(0, 1 - c.r2)) * 7
    const newBudget = Math.round(budget * (1 + SCALE_STEP) * 100) * 10_000
    const cur = a.account.currency
    const level = h.entityType === 'campaign' ? 'campaign' : 'ad set'
    out.push(
      draft(
        {
          kind: 'scaling',
          key: `scaling:${h.entityType}:${h.id}`,
          title: `Raise the budget of ${level} ${h.name} by ${SCALE_STEP * 100}%`,
          currency: cur,
          confidence: Math.min(1, Math.max(0, c.r2)),
          impactUnits: { point, lower: point - half, upper: point + half },
          body: body({
            summary: `It spends ${Math.round((spend / budget) * 100)}% of its budget and each extra ${cur} still returns ${marginal.toFixed(2)} ${cur} on its response curve: ${SCALE_STEP * 100}% more budget is predicted to add ${(dRev * 7).toFixed(2)} ${cur} revenue for ${(spend * SCALE_STEP * 7).toFixed(2)} ${cur} spend a week.`,
            entities: [entityOf(a.account, h.entityType, h.id, h.name)],
            impactMethod:
              'Curve-predicted daily revenue at 1.2 × current spend − at current spend, minus the extra spend, × 7. 80% interval: the revenue change uncertain by √(1 − R²) of itself.',
            evidence: {
              metrics: [
                { label: 'Daily budget', value: round2(budget), unit: 'money' },
                { label: 'Recent daily spend', value: round2(spend), unit: 'money' },
                { label: 'Marginal ROAS over the step', value: round2(marginal), unit: 'ratio' },
                { label: 'Curve R²', value: round2(c.r2), unit: 'ratio' },
              ],
              chart: curveChart(c, spend),
              notes: [`Response curve fitted on ${c.days} days.`],
            },
            changes: [
              {
                entityType: h.entityType,
                entityId: h.id,
                name: h.name,
                action: { kind: 'set_budget', dailyBudgetMicros: newBudget },
              },
            ],
          }),
        },
        a.rate,
      ),
    )
  }
  return out
}

function curveChart(c: CurveView, current: number): EvidenceChart {
  return {
    title: `Response curve (current spend ${current.toFixed(2)} ${c.currency}/day)`,
    xKind: 'money',
    x: c.points.map((p) => round2(p.spendMicros / 1e6)),
    series: [{ name: 'Revenue per day', values: c.points.map((p) => round2(p.revenueMicros / 1e6)) }],
  }
}

/**
 * Waste: active ad sets with spend and no conversions over 28 days where the account's own
 * conversions per unit of spend would have given at least 3 (so "none" is not bad luck).
 * Impact: the weekly spend saved net of revenue; lower bound: minus the value of the conversions
 * an 80% upper bound on a zero count (−ln 0.2 ≈ 1.61) would have brought.
 */
export function waste(a: AccountData): RecommendationDraft[] {
  let spend = 0
  let conv = 0
  let value = 0
  for (const s of a.adSets28) {
    spend += s.spendMicros
    conv += s.conversions
    value += s.revenueMicros
  }
  if (spend <= 0 || conv <= 0) return []
  const convPerMicro = conv / spend
  const valuePerConv = value / conv / 1e6
  const out: RecommendationDraft[] = []
  const cur = a.account.currency
  for (const s of a.adSets28) {
    if (s.status !== 'active' || s.conversions > 0 || s.spendMicros <= 0) continue
    const expected = s.spendMicros * convPerMicro
    if (expected < WASTE_MIN_EXPECTED) continue
    const weeks = s.days / 7
    const point = (s.spendMicros - s.revenueMicros) / 1e6 / weeks
    const lost = (-Math.log(0.2) * valuePerConv) / weeks
    const campaign = a.campaignNames.get(s.campaignId) ?? `campaign ${s.campaignId}`
    out.push(
      draft(
        {
          kind: 'waste',
          key: `waste:ad_set:${s.id}`,
          title: `Pause ad set ${s.name}: ${(s.spendMicros / 1e6).toFixed(2)} ${cur} spent, no conversions in ${s.days} days`,
          currency: cur,
          confidence: 1 - Math.exp(-expected),
          impactUnits: { point, lower: point - lost, upper: point },
          body: body({
            summary: `At the account's rate (${(conv / (spend / 1e6)).toFixed(3)} conversions per ${cur}) this spend would have brought about ${expected.toFixed(1)} conversions; it brought none. The chance of that by bad luck alone is ${(Math.exp(-expected) * 100).toFixed(1)}%.`,
            entities: [entityOf(a.account, 'ad_set', s.id, s.name)],
            impactMethod:
              'Weekly spend − revenue of the ad set (saved by pausing). Lower bound: minus the value of 1.61 conversions per window (the 80% upper bound on a zero count) at the account’s value per conversion.',
            evidence: {
              metrics: [
                { label: 'Spend (28 days)', value: round2(s.spendMicros / 1e6), unit: 'money' },
                { label: 'Conversions', value: 0, unit: 'count' },
                { label: 'Expected at the account rate', value: round2(expected), unit: 'count' },
                { label: 'Clicks', value: s.clicks, unit: 'count' },
                { label: 'Impressions', value: s.impressions, unit: 'count' },
              ],
              chart: null,
              notes: [`Campaign: ${campaign}. Pausing can move a campaign budget to its other ad sets.`],
            },
            changes: [{ entityType: 'ad_set', entityId: s.id, name: s.name, action: { kind: 'pause' } }],
          }),
        },
        a.rate,
      ),
    )
  }
  return out
}

/**
 * Audience expansion: frequency rising with CTR falling and CPM rising (last 7 days vs the 21
 * before) on an ad set, from the reach, impressions, clicks and spend the platform reports.
 * Impact: if CPM went back to its earlier level, the same spend would buy that many more
 * impressions; the point assumes half of it is won back by widening the audience, the interval
 * runs from nothing to all of it.
 */
export function audienceExpansion(a: AccountData): RecommendationDraft[] {
  const prior = new Map(a.adSetsPrior21.map((s) => [s.id, s]))
  const cur = a.account.currency
  const out: RecommendationDraft[] = []
  for (const s of a.adSets7) {
    const p = prior.get(s.id)
    if (!p || s.status !== 'active' || s.reach <= 0 || p.reach <= 0 || s.impressions < 10_000 || p.impressions < 10_000)
      continue
    if (s.clicks <= 0 || p.clicks <= 0) continue
    const freq = s.impressions / s.reach
    const freqP = p.impressions / p.reach
    const ctr = s.clicks / s.impressions
    const ctrP = p.clicks / p.impressions
    const cpm = s.spendMicros / s.impressions
    const cpmP = p.spendMicros / p.impressions
    if (!(
      freq >= freqP * (1 + AUDIENCE_FREQ_UP) &&
      ctr <= ctrP * (1 - AUDIENCE_CTR_DOWN) &&
      cpm >= cpmP * (1 + AUDIENCE_CPM_UP)
    ))
      continue
    const weeklyRevenue = (s.revenueMicros / 1e6) * (7 / Math.max(1, s.days))
    const full = weeklyRevenue * (cpm / cpmP - 1)
    if (full <= 0) continue
    out.push(
      draft(
        {
          kind: 'audience_expansion',
          key: `audience_expansion:ad_set:${s.id}`,
          title: `Widen the audience of ad set ${s.name}: frequency up ${Math.round((freq / freqP - 1) * 100)}%, CTR down ${Math.round((1 - ctr / ctrP) * 100)}%`,
          currency: cur,
          confidence: 0.5,
          impactUnits: { point: full / 2, lower: 0, upper: full },
          body: body({
            summary: `The same people see its ads more often (${freqP.toFixed(2)} → ${freq.toFixed(2)} a day), fewer of them click (CTR ${(ctrP * 100).toFixed(2)}% → ${(ctr * 100).toFixed(2)}%) and each thousand impressions costs more (${((cpmP * 1000) / 1e6).toFixed(2)} → ${((cpm * 1000) / 1e6).toFixed(2)} ${cur}): the audience looks saturated. Broaden targeting or add lookalike/interest expansion on the platform.`,
            entities: [entityOf(a.account, 'ad_set', s.id, s.name)],
            impactMethod:
              'If CPM returned to the earlier 21 days’ level, the same spend would buy (CPM now / CPM before − 1) more impressions, worth that share of the weekly revenue. Point: half of it; 80% interval: none to all of it (a rule of thumb, checked by the follow-up).',
            evidence: {
              metrics: [
                { label: 'Frequency (7 days)', value: round2(freq), unit: 'ratio' },
                { label: 'Frequency (21 days before)', value: round2(freqP), unit: 'ratio' },
                { label: 'CTR (7 days)', value: ctr * 100, unit: 'percent' },
                { label: 'CTR (21 days before)', value: ctrP * 100, unit: 'percent' },
                { label: 'CPM (7 days)', value: round2((cpm * 1000) / 1e6), unit: 'money' },
                { label: 'CPM (21 days before)', value: round2((cpmP * 1000) / 1e6), unit: 'money' },
              ],
              chart: null,
              notes: [
                `Signals used: daily reach, impressions, clicks and spend reported by ${a.account.platform} (frequency = impressions / daily reach). Audience size and overlap are not available from the platforms' reports.`,
                'The change is made on the platform (targeting is not written by this app): apply it there, then mark this advice applied by dismissing it.',
              ],
            },
          }),
        },
        a.rate,
      ),
    )
  }
  return out
}

/**
 * Creative refresh: busy active ads whose CTR decays with exposure (fitted decay, as on the
 * Creatives page) to or near the fatigue line. Impact: restoring the launch CTR at the ad's
 * recent weekly revenue; point half of that, interval none to all of it.
 */
export function creativeRefresh(a: AccountData): RecommendationDraft[] {
  return creativeCandidates(a)
    .sort((x, y) => y.priority - x.priority)
    .slice(0, CREATIVE_PER_ACCOUNT)
}

/** At most this many creative refreshes per account (the most valuable). */
export const CREATIVE_PER_ACCOUNT = 5

function creativeCandidates(a: AccountData): RecommendationDraft[] {
  const out: RecommendationDraft[] = []
  const cur = a.account.currency
  for (const ad of a.ads) {
    const f = fitFatigue(ad.days)
    const near = f.state === 'declining' && f.daysUntilFatigue !== null && f.daysUntilFatigue <= 14
    if (f.state !== 'fatigued' && !near) continue
    const fittedNow = f.fitted?.[f.fitted.length - 1]
    if (!f.initialCtr || !fittedNow || !f.currentCtr) continue
    const rel = fittedNow / f.initialCtr
    const full = (ad.revenueMicros7 / 1e6) * (1 / rel - 1)
    if (full <= 0) continue
    const chartDays = ad.days.slice(-56)
    const offset = ad.days.length - chartDays.length
    out.push(
      draft(
        {
          kind: 'creative_refresh',
          key: `creative_refresh:ad:${ad.id}`,
          title:
            f.state === 'fatigued'
              ? `Refresh the creative of ad ${ad.name}: CTR at ${Math.round(rel * 100)}% of launch`
              : `Prepare a new creative for ad ${ad.name}: about ${f.daysUntilFatigue} days to fatigue`,
          currency: cur,
          confidence: f.state === 'fatigued' ? 0.6 : 0.4,
          impactUnits: { point: full / 2, lower: 0, upper: full },
          body: body({
            summary: f.explanation,
            entities: [entityOf(a.account, 'ad', ad.id, ad.name)],
            impactMethod:
              'Weekly revenue of the ad × (launch CTR / fitted CTR now − 1): what a fresh creative at the launch CTR would add. Point: half of it; 80% interval: none to all of it.',
            evidence: {
              metrics: [
                { label: 'Launch CTR (fitted)', value: f.initialCtr * 100, unit: 'percent' },
                { label: 'CTR now (fitted)', value: fittedNow * 100, unit: 'percent' },
                { label: 'CTR, last 7 days', value: f.currentCtr * 100, unit: 'percent' },
                { label: 'Days until fatigue', value: f.daysUntilFatigue, unit: 'days' },
                { label: 'Spend, last 7 days', value: round2(ad.spendMicros7 / 1e6), unit: 'money' },
              ],
              chart: {
                title: 'CTR by day and the fitted decay',
                xKind: 'date',
                x: chartDays.map((d) => d.date),
                series: [
                  {
                    name: 'CTR %',
                    values: chartDays.map((d) =>
                      d.impressions > 0 ? round2((d.clicks / d.impressions) * 10_000) / 100 : null,
                    ),
                  },
                  {
                    name: 'Fitted %',
                    values: chartDays.map((_, k) => {
                      const v = f.fitted?.[offset + k]
                      return v === undefined ? null : round2(v * 10_000) / 100
                    }),
                  },
                ],
              },
              notes: ['A new creative is made on the platform; dismiss this advice once it runs.'],
            },
          }),
        },
        a.rate,
      ),
    )
  }
  return out
}

/**
 * Structure: campaigns with three or more active ad sets of which most are below the learning
 * threshold while together they would pass it: consolidate. No money estimate.
 */
export function structure(a: AccountData): RecommendationDraft[] {
  const byCampaign = new Map<number, WindowSums[]>()
  for (const s of a.adSets7) {
    if (s.status !== 'active') continue
    let l = byCampaign.get(s.campaignId)
    if (!l) byCampaign.set(s.campaignId, (l = []))
    l.push(s)
  }
  const out: RecommendationDraft[] = []
  for (const [campaignId, sets] of byCampaign) {
    const n = a.adSetCounts.get(campaignId) ?? sets.length
    if (n < 3) continue
    const weekly = (s: WindowSums): number => (s.conversions * 7) / Math.max(1, s.days)
    const below = sets.filter((s) => weekly(s) < LEARNING_EVENTS_PER_WEEK)
    const total = sets.reduce((x, s) => x + weekly(s), 0)
    if (below.length < Math.ceil((2 * n) / 3) || total < LEARNING_EVENTS_PER_WEEK) continue
    const name = a.campaignNames.get(campaignId) ?? `campaign ${campaignId}`
    const target = Math.max(1, Math.floor(total / LEARNING_EVENTS_PER_WEEK))
    out.push(
      draft(
        {
          kind: 'structure',
          key: `structure:campaign:${campaignId}`,
          title: `Consolidate campaign ${name}: ${below.length} of ${n} ad sets below the learning threshold`,
          currency: a.account.currency,
          confidence: 0.5,
          impactUnits: null,
          body: body({
            summary: `Together its ad sets get ${Math.round(total)} conversions a week, enough for ${target} ad set${target === 1 ? '' : 's'} to leave the learning phase (about ${LEARNING_EVENTS_PER_WEEK} optimisation events per week each), but split ${n} ways ${below.length} of them stay in it.`,
            entities: [entityOf(a.account, 'campaign', campaignId, name)],
            impactMethod: 'Not estimated in money: a structural tip.',
            evidence: {
              metrics: sets.slice(0, 8).map((s): EvidenceMetric => ({
                label: `${s.name}: conversions per week`,
                value: round2(weekly(s)),
                unit: 'count',
              })),
              chart: null,
              notes: [
                'Learning threshold: Meta’s 50 optimisation events per ad set per week; other platforms use similar volumes.',
              ],
            },
          }),
        },
        a.rate,
      ),
    )
  }
  return out
}

/** Pacing: projected month-end spend this far from the plan (either way) makes a tip. */
export const PACING_OFF = 0.15
/** Pacing is judged from this many days into the month. */
export const PACING_MIN_DAYS = 3
/** Benchmark: CTR below this share of the vertical's average, or CPM above this multiple of it. */
export const BENCHMARK_CTR_LOW = 0.5
export const BENCHMARK_CPM_HIGH = 2
/** Benchmark: impressions over 28 days before an account's CTR and CPM are compared. */
export const BENCHMARK_MIN_IMPRESSIONS = 50_000

/**
 * Pacing off plan: the month's projected spend (spent so far + the last 7 days' daily run rate ×
 * the days left) more than PACING_OFF from the plan. The plan is the account's monthly plan when
 * one is set (Advice settings), else its active daily budgets × days in the month. Says what daily
 * spend would land on plan. No money impact is claimed.
 */
export function pacingTip(a: AccountData): RecommendationDraft[] {
  const p = a.pacing
  if (!p || p.planMicros === null || p.planMicros <= 0 || p.daysElapsed < PACING_MIN_DAYS) return []
  const left = p.daysInMonth - p.daysElapsed
  const rate = p.last7Micros / 7
  const projected = p.spentMicros + rate * left
  const pace = projected / p.planMicros
  if (Math.abs(pace - 1) <= PACING_OFF) return []
  const over = pace > 1
  const cur = a.account.currency
  const m = (x: number): string => `${(x / 1e6).toFixed(2)} ${cur}`
  const needed = left > 0 ? Math.max(0, p.planMicros - p.spentMicros) / left : null
  const planWords =
    p.planSource === 'account'
      ? `the account's plan of ${m(p.planMicros)} for ${p.month}`
      : `its active daily budgets × ${p.daysInMonth} days (${m(p.planMicros)}; no monthly plan is set for the account)`
  const pct = Math.round(Math.abs(pace - 1) * 100)
  return [
    draft(
      {
        kind: 'structure',
        key: `structure:pacing:account:${a.account.id}:${p.month}`,
        title: `${a.account.name} is pacing ${pct}% ${over ? 'over' : 'under'} plan for ${p.month}`,
        currency: cur,
        confidence: Math.min(0.9, 0.4 + p.daysElapsed / p.daysInMonth),
        impactUnits: null,
        body: body({
          summary:
            `${m(p.spentMicros)} spent in the first ${p.daysElapsed} days of ${p.month}; at the last 7 days' rate (${m(rate)} a day) the month ends at ${m(projected)}, ${pct}% ${over ? 'above' : 'below'} ${planWords}.` +
            (needed === null
              ? ''
              : p.spentMicros >= p.planMicros
                ? ` The plan is already spent with ${left} days left: lower budgets or pause campaigns to limit the overspend.`
                : ` To land on plan, spend about ${m(needed)} a day for the ${left} days left${over ? ': lower budgets or pause the weakest campaigns' : ': raise budgets where returns hold, or check for limited or paused campaigns'}.`),
          entities: [],
          impactMethod: 'Not estimated in money: a pacing tip (spend against the plan, not returns).',
          evidence: {
            metrics: [
              { label: 'Spent this month', value: round2(p.spentMicros / 1e6), unit: 'money' },
              { label: 'Daily run rate (last 7 days)', value: round2(rate / 1e6), unit: 'money' },
              { label: 'Projected month', value: round2(projected / 1e6), unit: 'money' },
              {
                label: p.planSource === 'account' ? 'Monthly plan' : 'Daily budgets × days',
                value: round2(p.planMicros / 1e6),
                unit: 'money',
              },
              { label: 'Days into the month', value: p.daysElapsed, unit: 'days' },
              ...(needed === null
                ? []
                : [{ label: 'Daily spend to land on plan', value: round2(needed / 1e6), unit: 'money' as const }]),
            ],
            chart: null,
            notes: [
              `Projection: spend so far + the last 7 days' average daily spend × ${left} days left (days in the account's time zone, ${a.account.timeZone}).`,
              p.planSource === 'account'
                ? 'The plan is the monthly plan set for this account under Advice settings.'
                : 'No monthly plan is set for this account (Advice settings): the sum of its active daily budgets over the month stands in for one.',
            ],
          },
        }),
      },
      a.rate,
    ),
  ]
}

/**
 * CTR or CPM far from the vertical's benchmark: a Meta account's CTR over 28 days below half the
 * vertical's average, or (US-dollar accounts) its CPM above twice the CPM the vertical's averages
 * imply. Only when the workspace's vertical is set; no money impact is claimed. The campaigns
 * furthest below the benchmark CTR are listed.
 */
export function benchmarkTip(a: AccountData): RecommendationDraft[] {
  if (a.vertical === 'unknown' || !BENCHMARK_PLATFORMS.includes(a.account.platform)) return []
  const b = FACEBOOK_BENCHMARKS[a.vertical]
  let impressions = 0
  let clicks = 0
  let spend = 0
  for (const c of a.campaigns28) {
    impressions += c.impressions
    clicks += c.clicks
    spend += c.spendMicros
  }
  if (impressions < BENCHMARK_MIN_IMPRESSIONS) return []
  const ctr = (clicks / impressions) * 100
  const cpm = (spend / 1e6 / impressions) * 1000
  const usd = a.account.currency === BENCHMARK_CURRENCY
  const benchCpm = impliedCpmUsd(b)
  const ctrLow = ctr < b.ctrPercent * BENCHMARK_CTR_LOW
  const cpmHigh = usd && cpm > benchCpm * BENCHMARK_CPM_HIGH
  if (!ctrLow && !cpmHigh) return []
  const cur = a.account.currency
  const what = [
    ctrLow ? `CTR ${ctr.toFixed(2)}% vs ${b.ctrPercent.toFixed(2)}%` : null,
    cpmHigh ? `CPM ${cpm.toFixed(2)} vs ${benchCpm.toFixed(2)} USD` : null,
  ]
    .filter((x) => x !== null)
    .join(', ')
  const worst = a.campaigns28
    .filter((c) => c.impressions >= 5_000)
    .map((c) => ({ c, ctr: (c.clicks / c.impressions) * 100 }))
    .sort((x, y) => x.ctr - y.ctr)
    .slice(0, 5)
  return [
    draft(
      {
        kind: 'structure',
        key: `structure:benchmark:account:${a.account.id}`,
        title: `${a.account.name}: ${what} (the ${a.vertical.replace(/_/g, ' ')} benchmark)`,
        currency: cur,
        confidence: 0.4,
        impactUnits: null,
        body: body({
          summary:
            (ctrLow
              ? `Over the last 28 days its ads got ${ctr.toFixed(2)}% CTR, less than half the ${b.ctrPercent.toFixed(2)}% average of the vertical: test new creatives and offers, and check that targeting reaches people who care. `
              : '') +
            (cpmHigh
              ? `Each thousand impressions cost ${cpm.toFixed(2)} USD, more than twice the ${benchCpm.toFixed(2)} USD the vertical's averages imply: broaden audiences and placements, and lift relevance (a low CTR raises the price of the auction). `
              : '') +
            'Benchmarks are averages from another time and mix of advertisers: read this as a prompt to look, not a verdict.',
          entities: [],
          impactMethod: 'Not estimated in money: a comparison with a public benchmark.',
          evidence: {
            metrics: [
              { label: 'CTR (28 days)', value: ctr, unit: 'percent' },
              { label: 'Benchmark CTR', value: b.ctrPercent, unit: 'percent' },
              ...(usd
                ? [
                    { label: 'CPM (28 days)', value: round2(cpm), unit: 'money' as const },
                    { label: 'Benchmark CPM (CPC × CTR)', value: round2(benchCpm), unit: 'money' as const },
                  ]
                : []),
              ...worst.map((w): EvidenceMetric => ({ label: `CTR of ${w.c.name}`, value: w.ctr, unit: 'percent' })),
            ],
            chart: null,
            notes: [
              `Vertical: ${a.vertical.replace(/_/g, ' ')} (set under Advice settings). Source: ${BENCHMARK_SOURCE}, ${BENCHMARK_URL}. Figures from 2017; CPMs have risen since.`,
              usd
                ? 'CPM benchmark: the average CPC × CTR of the vertical (the source gives no CPM).'
                : `CPM is not compared: the source's figures are US dollars from US advertisers, this account is in ${cur}.`,
              'Only Meta accounts are compared (the source measured Facebook ads).',
            ],
          },
        }),
      },
      a.rate,
    ),
  ]
}
