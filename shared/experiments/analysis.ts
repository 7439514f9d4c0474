/**
 * One A/B test analysed end to end from per-variant totals (and, when known, per-day totals):
 * each challenger against the control with the two-proportion test, the beta-binomial
 * probability to beat and expected loss, revenue per user (Welch), CPA and ROAS (delta method
 * over days), the sample-ratio check, the always-valid sequential p-value with the cumulative
 * lift and its band over time, and a verdict in plain words. Pure: the CSV reader, the store
 * and the page all feed it.
 */
import {
  betaBinomial,
  planTest,
  powerTwoProportions,
  ratioTest,
  SequentialProportionTest,
  srmTest,
  twoProportionZTest,
  welchTTest,
  type MeanSummary,
  type PowerPlan,
  type RatioSums,
  type RatioTest,
  type SrmResult,
  type WelchResult,
} from './stats'

/** One variant's totals. Money in micros where it is money. */
export interface VariantTotals {
  name: string
  /** Trials: users (user-level files), clicks or sessions (aggregates). */
  n: number
  conversions: number
  /** Per-user revenue summary (user-level files with a revenue column). */
  revenuePerUser?: MeanSummary
}

/** One day of one variant (not cumulative). */
export interface VariantDay {
  name: string
  n: number
  conversions: number
  spendMicros?: number
  revenueMicros?: number
}

export interface DayTotals {
  date: string
  variants: VariantDay[]
}

export interface ExperimentInput {
  variants: VariantTotals[]
  /** Per-day totals, in date order (optional: user-level files without a date). */
  days?: DayTotals[]
  /** Name of the control variant. */
  control: string
  /** 0.95 by default. */
  confidence?: number
  /** Smallest relative lift worth detecting, 0.1 by default (sequential mixing and the power check). */
  relativeMde?: number
  /** Power the test was planned for, 0.8 by default. */
  power?: number
  /** Planned traffic shares per variant, in `variants` order (equal by default). */
  plannedShares?: number[]
  /**
   * False when the traffic was not split at random (entities of the store that the platforms
   * deliver as they see fit): the sample-ratio check is still computed but does not decide the verdict.
   */
  randomized?: boolean
}

export interface CumulativePoint {
  date: string
  /** Relative lift of the challenger's cumulative rate over the control's. */
  lift: number | null
  /** Always-valid band of the relative lift at the test's confidence. */
  lower: number | null
  upper: number | null
  /** Always-valid p-value so far. */
  pValue: number
}

export interface Comparison {
  variant: string
  rate: number
  controlRate: number
  diff: number
  relativeLift: number | null
  /** Interval of the absolute difference (fixed horizon). */
  ci: [number, number]
  /** Two-sided fixed-horizon p-value (unadjusted). */
  pValue: number
  /** p-value adjusted for the number of challengers (Bonferroni). */
  adjustedPValue: number
  probToBeat: number
  /** Expected loss in conversion rate of choosing this variant over the control. */
  expectedLoss: number
  /** Expected loss of keeping the control instead. */
  controlExpectedLoss: number
  /** Always-valid p-value after the last day (null without days). */
  sequentialPValue: number | null
  cumulative: CumulativePoint[]
  revenuePerUser: WelchResult | null
  cpa: RatioTest | null
  roas: RatioTest | null
}

export type VerdictKind = 'winner' | 'loser' | 'no_difference' | 'keep_running' | 'sample_ratio_mismatch'

export interface ExperimentAnalysis {
  control: string
  confidence: number
  relativeMde: number
  variants: { name: string; n: number; conversions: number; rate: number }[]
  comparisons: Comparison[]
  /** The challenger the headline numbers are about (lowest adjusted p-value). */
  best: string
  pValue: number
  significant: boolean
  probToBeat: number
  srm: SrmResult
  /** Days of data (null without dates). */
  days: number | null
  /** Trials per variant needed to detect `relativeMde` at the confidence and power. */
  plan: PowerPlan | null
  /** Power reached so far against `relativeMde`. */
  powerReached: number
  /** Estimated extra days to reach the planned sample (null when not applicable). */
  daysMore: number | null
  verdict: { kind: VerdictKind; text: string }
}

/** SRM alarm threshold: the usual p < 0.001 (a real mismatch, not noise). */
export const SRM_ALPHA = 0.001

function pct(x: number, digits = 2): string {
  return `${(x * 100).toFixed(digits)}%`
}

function signedPct(x: number, digits = 1): string {
  return `${signedPoints(x, digits)}%`
}

function signedPoints(x: number, digits: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(digits)}`
}

function sumsOf(
  days: DayTotals[],
  name: string,
  num: 'spendMicros' | 'revenueMicros',
  den: 'conversions' | 'spendMicros',
): RatioSums | null {
  const s: RatioSums = { n: 0, sumNum: 0, sumDen: 0, sumNum2: 0, sumDen2: 0, sumNumDen: 0 }
  for (const d of days) {
    const v = d.variants.find((x) => x.name === name)
    if (!v) continue
    const x = v[num]
    const y = v[den]
    if (x === undefined || y === undefined) return null
    s.n++
    s.sumNum += x
    s.sumDen += y
    s.sumNum2 += x * x
    s.sumDen2 += y * y
    s.sumNumDen += x * y
  }
  return s.n >= 2 && s.sumDen > 0 ? s : null
}

function safeRatio(a: RatioSums | null, b: RatioSums | null, confidence: number): RatioTest | null {
  if (!a || !b) return null
  try {
    return ratioTest(a, b, confidence)
  } catch {
    return null
  }
}

/** Analyse a test. Throws a RangeError naming the problem for unusable input. */
export function analyzeExperiment(input: ExperimentInput): ExperimentAnalysis {
  const confidence = input.confidence ?? 0.95
  const relativeMde = input.relativeMde ?? 0.1
  const power = input.power ?? 0.8
  if (!(confidence > 0.5 && confidence < 1))
    throw new RangeError(`confidence must be between 0.5 and 1, got ${confidence}`)
  if (!(relativeMde > 0)) throw new RangeError(`the minimum detectable effect must be positive, got ${relativeMde}`)
  if (input.variants.length < 2)
    throw new RangeError(
      `an experiment needs at least 2 variants, found ${input.variants.length} (${input.variants.map((v) => v.name).join(', ') || 'none'})`,
    )
  const names = input.variants.map((v) => v.name)
  if (new Set(names).size !== names.length) throw new RangeError(`variant names repeat: ${names.join(', ')}`)
  const control = input.variants.find((v) => v.name === input.control)
  if (!control) throw new RangeError(`unknown control "${input.control}": the variants are ${names.join(', ')}`)
  for (const v of input.variants) if (v.n <= 0) throw new RangeError(`variant "${v.name}" has no trials`)
  const alpha = 1 - confidence
  const challengers = input.variants.filter((v) => v !== control)
  const k = challengers.length
  const days = input.days && input.days.length > 0 ? input.days : null

  const comparisons: Comparison[] = challengers.map((v) => {
    const z = twoProportionZTest(control, v, confidence)
    const bayes = betaBinomial(control, v)
    let sequentialPValue: number | null = null
    const cumulative: CumulativePoint[] = []
    if (days) {
      // Bonferroni over the challengers keeps the family-wise rate at α for the sequential test too.
      const seq = new SequentialProportionTest(alpha / k, relativeMde)
      const a = { conversions: 0, n: 0 }
      const b = { conversions: 0, n: 0 }
      for (const d of days) {
        const da = d.variants.find((x) => x.name === control.name)
        const db = d.variants.find((x) => x.name === v.name)
        a.n += da?.n ?? 0
        a.conversions += da?.conversions ?? 0
        b.n += db?.n ?? 0
        b.conversions += db?.conversions ?? 0
        if (a.n === 0 || b.n === 0) continue
        const look = seq.look(a, b)
        const ra = a.conversions / a.n
        cumulative.push({
          date: d.date,
          lift: ra > 0 ? look.diff / ra : null,
          lower: ra > 0 && Number.isFinite(look.ci[0]) ? look.ci[0] / ra : null,
          upper: ra > 0 && Number.isFinite(look.ci[1]) ? look.ci[1] / ra : null,
          pValue: Math.min(1, look.pValue * k),
        })
      }
      sequentialPValue = Math.min(1, seq.pValue * k)
    }
    let revenuePerUser: WelchResult | null = null
    if (control.revenuePerUser && v.revenuePerUser && control.revenuePerUser.n >= 2 && v.revenuePerUser.n >= 2)
      revenuePerUser = welchTTest(control.revenuePerUser, v.revenuePerUser, confidence)
    return {
      variant: v.name,
      rate: z.rateB,
      controlRate: z.rateA,
      diff: z.diff,
      relativeLift: z.relativeLift,
      ci: z.ci,
      pValue: z.pValue,
      adjustedPValue: Math.min(1, z.pValue * k),
      probToBeat: bayes.probBBeatsA,
      expectedLoss: bayes.expectedLossB,
      controlExpectedLoss: bayes.expectedLossA,
      sequentialPValue,
      cumulative,
      revenuePerUser,
      cpa: days
        ? safeRatio(
            sumsOf(days, control.name, 'spendMicros', 'conversions'),
            sumsOf(days, v.name, 'spendMicros', 'conversions'),
            confidence,
          )
        : null,
      roas: days
        ? safeRatio(
            sumsOf(days, control.name, 'revenueMicros', 'spendMicros'),
            sumsOf(days, v.name, 'revenueMicros', 'spendMicros'),
            confidence,
          )
        : null,
    }
  })

  const head = comparisons.reduce((best, c) => (c.adjustedPValue < best.adjustedPValue ? c : best))
  const srm = srmTest(
    input.variants.map((v) => v.n),
    input.plannedShares,
  )
  // With daily data the decision uses the always-valid p-value (safe to look every day); a
  // single snapshot is read as a test run to its planned end (the fixed-horizon p-value).
  const decisionP = head.sequentialPValue ?? head.adjustedPValue
  const significant = decisionP < alpha
  const totalTrials = input.variants.reduce((s, v) => s + v.n, 0)
  const baseRate = control.conversions / control.n
  let plan: PowerPlan | null = null
  let daysMore: number | null = null
  const dayCount = days ? days.length : null
  const dailyTrials = dayCount ? totalTrials / dayCount : 0
  if (baseRate > 0 && baseRate * (1 + relativeMde) < 1) {
    plan = planTest({
      baseRate,
      relativeMde,
      confidence,
      power,
      variants: input.variants.length,
      dailyTrials: dailyTrials > 0 ? dailyTrials : totalTrials,
    })
  }
  const minN = Math.min(...input.variants.map((v) => v.n))
  const powerReached =
    baseRate > 0 && baseRate * (1 + relativeMde) < 1
      ? powerTwoProportions(minN, baseRate, baseRate * (1 + relativeMde), alpha / k)
      : 0
  if (plan && dailyTrials > 0 && minN < plan.nPerVariant)
    daysMore = Math.max(1, Math.ceil(((plan.nPerVariant - minN) * input.variants.length) / dailyTrials))

  const verdict = verdictOf({
    control: control.name,
    head,
    significant,
    srm,
    plan,
    minN,
    daysMore,
    relativeMde,
    confidence,
    power,
    powerReached,
    k,
    sequential: head.sequentialPValue !== null,
    randomized: input.randomized ?? true,
  })
  return {
    control: control.name,
    confidence,
    relativeMde,
    variants: input.variants.map((v) => ({
      name: v.name,
      n: v.n,
      conversions: v.conversions,
      rate: v.conversions / v.n,
    })),
    comparisons,
    best: head.variant,
    pValue: head.adjustedPValue,
    significant,
    probToBeat: head.probToBeat,
    srm,
    days: dayCount,
    plan,
    powerReached,
    daysMore,
    verdict,
  }
}

function verdictOf(o: {
  control: string
  head: Comparison
  significant: boolean
  srm: SrmResult
  plan: PowerPlan | null
  minN: number
  daysMore: number | null
  relativeMde: number
  confidence: number
  power: number
  powerReached: number
  k: number
  sequential: boolean
  randomized: boolean
}): { kind: VerdictKind; text: string } {
  const { head } = o
  const level = `${Math.round(o.confidence * 100)}%`
  const lift = head.relativeLift !== null ? ` (${signedPct(head.relativeLift)})` : ''
  const rates = `${head.variant} converts at ${pct(head.rate)} vs ${pct(head.controlRate)} for ${o.control}${lift}`
  const ci = `${level} interval of the difference ${signedPoints(head.ci[0], 2)} to ${signedPoints(head.ci[1], 2)} percentage points`
  if (o.randomized && o.srm.pValue < SRM_ALPHA)
    return {
      kind: 'sample_ratio_mismatch',
      text: `Do not trust this result: the variants' traffic does not match the planned split (sample-ratio p = ${o.srm.pValue.toExponential(1)}). Check how users are assigned and tracked before reading the numbers.`,
    }
  if (o.significant) {
    const better = head.diff > 0
    const how = o.sequential ? 'always-valid sequential test' : 'two-sided test'
    return better
      ? {
          kind: 'winner',
          text: `${head.variant} wins: ${rates}; significant at ${level} (${how}), ${pct(head.probToBeat, 1)} probability to beat ${o.control}; ${ci}.`,
        }
      : {
          kind: 'loser',
          text: `${o.control} wins: ${rates}; ${head.variant} is worse, significant at ${level} (${how}); ${ci}.`,
        }
  }
  const mde = pct(o.relativeMde, 0)
  if (o.powerReached >= o.power)
    return {
      kind: 'no_difference',
      text: `No detectable difference: ${rates}, not significant at ${level}; with ${o.minN.toLocaleString('en-US')} per variant the test had ${pct(o.powerReached, 0)} power to detect a ${mde} lift and found none; ${ci}.`,
    }
  const more =
    o.daysMore !== null
      ? `keep running for about ${o.daysMore} more day${o.daysMore === 1 ? '' : 's'}`
      : o.plan
        ? `keep running until each variant has about ${o.plan.nPerVariant.toLocaleString('en-US')} trials`
        : 'keep running: no conversions yet'
  return {
    kind: 'keep_running',
    text: `Not enough data yet: ${rates}, not significant at ${level}; to detect a ${mde} lift with ${pct(o.power, 0)} power, ${more}.`,
  }
}
