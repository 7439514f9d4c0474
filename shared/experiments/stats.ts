/**
 * A/B test statistics (pure functions): two-proportion z-test, Bayesian beta-binomial (exact
 * integration), Welch's t-test, the delta method for ratio metrics, the sample-ratio-mismatch
 * chi-square test, the mixture sequential probability ratio test (always-valid p-values and
 * confidence sequences) and power analysis. Formulas and the references they were checked
 * against are in docs/experiments.md; the tests compare with published table values.
 */
import {
  betaInc,
  betaPdf,
  chiSquareSf,
  normCdf,
  normQuantile,
  normTwoSidedP,
  tQuantile,
  tTwoSidedP,
} from './distributions'

/** Conversions out of trials (users, clicks or sessions) of one variant. */
export interface Proportion {
  conversions: number
  n: number
}

function checkProportion(p: Proportion, label: string): void {
  if (!(Number.isFinite(p.n) && p.n > 0)) throw new RangeError(`${label}: needs at least one trial, got n = ${p.n}`)
  if (!(Number.isFinite(p.conversions) && p.conversions >= 0 && p.conversions <= p.n))
    throw new RangeError(`${label}: conversions must be between 0 and n (${p.n}), got ${p.conversions}`)
}

function checkLevel(level: number, label: string): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`${label} must be between 0 and 1, got ${level}`)
}

export interface ProportionTest {
  rateA: number
  rateB: number
  /** rateB − rateA. */
  diff: number
  /** diff / rateA (null when rateA is 0). */
  relativeLift: number | null
  /** Pooled z statistic of B vs A. */
  z: number
  /** Two-sided p-value of the pooled test. */
  pValue: number
  /** Unpooled (Wald) interval for diff at `confidence`. */
  ci: [number, number]
  confidence: number
}

/**
 * Two-proportion z-test of B against A: pooled standard error for the test statistic (the
 * textbook test, what statsmodels' `proportions_ztest` computes), unpooled for the interval.
 */
export function twoProportionZTest(a: Proportion, b: Proportion, confidence = 0.95): ProportionTest {
  checkProportion(a, 'variant A')
  checkProportion(b, 'variant B')
  checkLevel(confidence, 'confidence')
  const pa = a.conversions / a.n
  const pb = b.conversions / b.n
  const pool = (a.conversions + b.conversions) / (a.n + b.n)
  const se = Math.sqrt(pool * (1 - pool) * (1 / a.n + 1 / b.n))
  const z = se > 0 ? (pb - pa) / se : 0
  const seU = Math.sqrt((pa * (1 - pa)) / a.n + (pb * (1 - pb)) / b.n)
  const q = normQuantile(1 - (1 - confidence) / 2)
  return {
    rateA: pa,
    rateB: pb,
    diff: pb - pa,
    relativeLift: pa > 0 ? (pb - pa) / pa : null,
    z,
    pValue: se > 0 ? normTwoSidedP(z) : 1,
    ci: [pb - pa - q * seU, pb - pa + q * seU],
    confidence,
  }
}

export interface BetaPrior {
  alpha: number
  beta: number
}

export interface BayesianResult {
  /** P(rate_B > rate_A) under independent Beta posteriors. */
  probBBeatsA: number
  /** E[max(rate_A − rate_B, 0)]: what choosing B costs in conversion rate if A is really better. */
  expectedLossB: number
  /** E[max(rate_B − rate_A, 0)]: the same for choosing A. */
  expectedLossA: number
  posteriorA: BetaPrior
  posteriorB: BetaPrior
}

/**
 * Beta-binomial comparison with a Beta(α, β) prior (uniform by default), by exact numerical
 * integration over A's posterior (composite Simpson, 4,000 panels over ±40 sd), using
 *   P(B > A) = ∫ f_A(x) (1 − I_x(α_B, β_B)) dx
 *   E[(A − B)+] = ∫ f_A(x) (x·I_x(α_B, β_B) − m_B·I_x(α_B + 1, β_B)) dx, m_B = α_B / (α_B + β_B).
 * Deterministic (no sampling); the tests check it against Evan Miller's closed-form sum.
 */
export function betaBinomial(a: Proportion, b: Proportion, prior: BetaPrior = { alpha: 1, beta: 1 }): BayesianResult {
  checkProportion(a, 'variant A')
  checkProportion(b, 'variant B')
  if (!(prior.alpha >= 1 && prior.beta >= 1))
    throw new RangeError(`prior alpha and beta must be at least 1, got ${prior.alpha}, ${prior.beta}`)
  const aA = prior.alpha + a.conversions
  const bA = prior.beta + a.n - a.conversions
  const aB = prior.alpha + b.conversions
  const bB = prior.beta + b.n - b.conversions
  const mA = aA / (aA + bA)
  const mB = aB / (aB + bB)
  const sdA = Math.sqrt((aA * bA) / ((aA + bA) ** 2 * (aA + bA + 1)))
  const lo = Math.max(0, mA - 40 * sdA)
  const hi = Math.min(1, mA + 40 * sdA)
  const panels = 4000
  const h = (hi - lo) / panels
  let pBeat = 0
  let lossB = 0
  for (let i = 0; i <= panels; i++) {
    const x = lo + i * h
    const w = i === 0 || i === panels ? 1 : i % 2 === 1 ? 4 : 2
    const f = betaPdf(x, aA, bA)
    if (f === 0) continue
    const cdfB = betaInc(x, aB, bB)
    pBeat += w * f * (1 - cdfB)
    lossB += w * f * Math.max(0, x * cdfB - mB * betaInc(x, aB + 1, bB))
  }
  pBeat *= h / 3
  lossB *= h / 3
  const probBBeatsA = Math.min(1, Math.max(0, pBeat))
  return {
    probBBeatsA,
    expectedLossB: Math.max(0, lossB),
    expectedLossA: Math.max(0, mB - mA + lossB),
    posteriorA: { alpha: aA, beta: bA },
    posteriorB: { alpha: aB, beta: bB },
  }
}

/** Mean, sample variance (n − 1) and size of one variant's per-user values. */
export interface MeanSummary {
  n: number
  mean: number
  variance: number
}

export function summarize(values: readonly number[]): MeanSummary {
  const n = values.length
  if (n === 0) return { n: 0, mean: 0, variance: 0 }
  let mean = 0
  let m2 = 0
  // Welford's update: stable for revenue values of very different sizes.
  for (let i = 0; i < n; i++) {
    const v = values[i] as number
    const d = v - mean
    mean += d / (i + 1)
    m2 += d * (v - mean)
  }
  return { n, mean, variance: n > 1 ? m2 / (n - 1) : 0 }
}

export interface WelchResult {
  diff: number
  relativeLift: number | null
  t: number
  df: number
  pValue: number
  ci: [number, number]
  confidence: number
}

/** Welch's unequal-variance t-test of B's mean against A's (e.g. revenue per user). */
export function welchTTest(a: MeanSummary, b: MeanSummary, confidence = 0.95): WelchResult {
  if (a.n < 2 || b.n < 2)
    throw new RangeError(`Welch's t-test needs at least 2 values per variant, got ${a.n} and ${b.n}`)
  checkLevel(confidence, 'confidence')
  const va = a.variance / a.n
  const vb = b.variance / b.n
  const se = Math.sqrt(va + vb)
  const diff = b.mean - a.mean
  const relativeLift = a.mean !== 0 ? diff / a.mean : null
  if (se === 0)
    return { diff, relativeLift, t: 0, df: a.n + b.n - 2, pValue: diff === 0 ? 1 : 0, ci: [diff, diff], confidence }
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1))
  const t = diff / se
  const q = tQuantile(1 - (1 - confidence) / 2, df)
  return { diff, relativeLift, t, df, pValue: tTwoSidedP(t, df), ci: [diff - q * se, diff + q * se], confidence }
}

/**
 * Sufficient statistics of a ratio metric Σnum / Σden over n independent units (users or days):
 * e.g. CPA = spend / conversions, ROAS = revenue / spend.
 */
export interface RatioSums {
  n: number
  sumNum: number
  sumDen: number
  sumNum2: number
  sumDen2: number
  sumNumDen: number
}

export function ratioSums(num: readonly number[], den: readonly number[]): RatioSums {
  if (num.length !== den.length)
    throw new RangeError(`numerator and denominator lengths differ: ${num.length} vs ${den.length}`)
  const s: RatioSums = { n: num.length, sumNum: 0, sumDen: 0, sumNum2: 0, sumDen2: 0, sumNumDen: 0 }
  for (let i = 0; i < num.length; i++) {
    const x = num[i] as number
    const y = den[i] as number
    s.sumNum += x
    s.sumDen += y
    s.sumNum2 += x * x
    s.sumDen2 += y * y
    s.sumNumDen += x * y
  }
  return s
}

/**
 * A ratio of sums and its variance by the delta method:
 *   R = μ_x / μ_y, Var(R) ≈ (σ_x² − 2R·σ_xy + R²·σ_y²) / (n·μ_y²)
 * (sample moments with n − 1). The ratio is of summed parts, never a mean of per-unit ratios.
 */
export function deltaRatio(s: RatioSums): { ratio: number; variance: number } {
  if (s.n < 2) throw new RangeError(`the delta method needs at least 2 units, got ${s.n}`)
  if (s.sumDen === 0) throw new RangeError('the ratio is undefined: its denominator sums to 0')
  const mx = s.sumNum / s.n
  const my = s.sumDen / s.n
  const vx = (s.sumNum2 - s.n * mx * mx) / (s.n - 1)
  const vy = (s.sumDen2 - s.n * my * my) / (s.n - 1)
  const cxy = (s.sumNumDen - s.n * mx * my) / (s.n - 1)
  const r = mx / my
  const variance = Math.max(0, (vx - 2 * r * cxy + r * r * vy) / (s.n * my * my))
  return { ratio: r, variance }
}

export interface RatioTest {
  ratioA: number
  ratioB: number
  diff: number
  relativeLift: number | null
  z: number
  pValue: number
  ci: [number, number]
  confidence: number
}

/** Compare a ratio metric between B and A with delta-method variances (z-test on the difference). */
export function ratioTest(a: RatioSums, b: RatioSums, confidence = 0.95): RatioTest {
  checkLevel(confidence, 'confidence')
  const ra = deltaRatio(a)
  const rb = deltaRatio(b)
  const se = Math.sqrt(ra.variance + rb.variance)
  const diff = rb.ratio - ra.ratio
  const z = se > 0 ? diff / se : 0
  const q = normQuantile(1 - (1 - confidence) / 2)
  return {
    ratioA: ra.ratio,
    ratioB: rb.ratio,
    diff,
    relativeLift: ra.ratio !== 0 ? diff / ra.ratio : null,
    z,
    pValue: se > 0 ? normTwoSidedP(z) : diff === 0 ? 1 : 0,
    ci: [diff - q * se, diff + q * se],
    confidence,
  }
}

export interface SrmResult {
  chiSquare: number
  df: number
  pValue: number
  expected: number[]
}

/**
 * Sample-ratio mismatch: Pearson's chi-square goodness of fit of the variants' trial counts to
 * the planned split (equal by default). A tiny p-value (the usual alarm is < 0.001) means the
 * assignment or the tracking is broken and the comparison cannot be trusted.
 */
export function srmTest(counts: readonly number[], shares?: readonly number[]): SrmResult {
  if (counts.length < 2) throw new RangeError(`the sample-ratio check needs at least 2 variants, got ${counts.length}`)
  const w = shares ?? counts.map(() => 1)
  if (w.length !== counts.length) throw new RangeError(`${w.length} planned shares for ${counts.length} variants`)
  if (w.some((x) => !(x > 0))) throw new RangeError('planned shares must be positive')
  const total = counts.reduce((s, c) => s + c, 0)
  const wsum = w.reduce((s, x) => s + x, 0)
  if (total <= 0) return { chiSquare: 0, df: counts.length - 1, pValue: 1, expected: counts.map(() => 0) }
  const expected = w.map((x) => (total * x) / wsum)
  let chi = 0
  for (let i = 0; i < counts.length; i++)
    chi += ((counts[i] as number) - (expected[i] as number)) ** 2 / (expected[i] as number)
  const df = counts.length - 1
  return { chiSquare: chi, df, pValue: chiSquareSf(chi, df), expected }
}

/**
 * Mixture sequential probability ratio test (mSPRT, Johari et al. 2017, "Peeking at A/B tests")
 * for a difference estimate `diff` with variance `variance` and a normal mixing distribution
 * N(0, τ²) over the true difference:
 *   Λ = sqrt(V / (V + τ²)) · exp(τ² · diff² / (2V(V + τ²)))
 * The always-valid p-value is the running minimum of min(1, 1/Λ) over every look; stopping the
 * first time it drops below α keeps the false-positive rate at most α however often one looks.
 */
export function msprtLikelihoodRatio(diff: number, variance: number, tau2: number): number {
  if (!(variance > 0) || !(tau2 > 0)) return 1
  const s = variance + tau2
  return Math.sqrt(variance / s) * Math.exp((tau2 * diff * diff) / (2 * variance * s))
}

/** Half-width of the always-valid (1 − α) confidence sequence around `diff` (inverting the mSPRT). */
export function msprtHalfWidth(variance: number, tau2: number, alpha: number): number {
  if (!(variance > 0) || !(tau2 > 0)) return Infinity
  const s = variance + tau2
  return Math.sqrt(((variance * s) / tau2) * (2 * Math.log(1 / alpha) + Math.log(s / variance)))
}

/** One look of a sequential test on two proportions. */
export interface SequentialLook {
  diff: number
  /** Always-valid p-value so far (non-increasing over looks). */
  pValue: number
  /** Always-valid confidence interval for rateB − rateA. */
  ci: [number, number]
}

/**
 * The mSPRT applied look after look to cumulative two-proportion counts. τ (the mixing sd) is
 * the absolute difference a `relativeMde` lift would make at the pooled rate seen so far, so
 * the test is most sensitive around the effect the test was planned for.
 */
export class SequentialProportionTest {
  private p = 1

  constructor(
    readonly alpha = 0.05,
    readonly relativeMde = 0.1,
  ) {
    checkLevel(alpha, 'alpha')
    if (!(relativeMde > 0)) throw new RangeError(`the minimum detectable effect must be positive, got ${relativeMde}`)
  }

  look(a: Proportion, b: Proportion): SequentialLook {
    const pa = a.n > 0 ? a.conversions / a.n : 0
    const pb = b.n > 0 ? b.conversions / b.n : 0
    const diff = pb - pa
    if (a.n === 0 || b.n === 0) return { diff, pValue: this.p, ci: [-Infinity, Infinity] }
    const pool = (a.conversions + b.conversions) / (a.n + b.n)
    const variance = pool * (1 - pool) * (1 / a.n + 1 / b.n)
    const tau = this.relativeMde * pool
    const tau2 = tau * tau
    if (variance > 0 && tau2 > 0) this.p = Math.min(this.p, 1 / msprtLikelihoodRatio(diff, variance, tau2))
    const vU = (pa * (1 - pa)) / a.n + (pb * (1 - pb)) / b.n
    const hw = msprtHalfWidth(vU > 0 ? vU : variance, tau2, this.alpha)
    return { diff, pValue: this.p, ci: [diff - hw, diff + hw] }
  }

  get pValue(): number {
    return this.p
  }
}

/**
 * Power of the two-sided two-proportion test with n trials per variant (normal approximation,
 * the formula of R's `power.prop.test` with strict = FALSE).
 */
export function powerTwoProportions(nPerVariant: number, p1: number, p2: number, alpha = 0.05): number {
  const qa = normQuantile(1 - alpha / 2)
  const pbar = (p1 + p2) / 2
  const d = Math.abs(p2 - p1)
  const sdNull = Math.sqrt(2 * pbar * (1 - pbar))
  const sdAlt = Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
  return normCdf((d * Math.sqrt(nPerVariant) - qa * sdNull) / sdAlt)
}

/**
 * Trials per variant for the two-sided two-proportion test to detect a change from `p1` to `p2`
 * with the given power (closed form; equal to R's `power.prop.test(p1, p2, power)` n).
 */
export function sampleSizeTwoProportions(p1: number, p2: number, alpha = 0.05, power = 0.8): number {
  if (!(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1))
    throw new RangeError(`rates must be between 0 and 1, got ${p1} and ${p2}`)
  if (p1 === p2) throw new RangeError('the two rates are equal: no sample size detects a zero effect')
  checkLevel(alpha, 'alpha')
  checkLevel(power, 'power')
  const qa = normQuantile(1 - alpha / 2)
  const qb = normQuantile(power)
  const pbar = (p1 + p2) / 2
  const num = qa * Math.sqrt(2 * pbar * (1 - pbar)) + qb * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
  return (num * num) / (p2 - p1) ** 2
}

/** Per-variant sample size to detect a difference `delta` in means with standard deviation `sd`. */
export function sampleSizeMeans(sd: number, delta: number, alpha = 0.05, power = 0.8): number {
  if (!(sd > 0) || delta === 0) throw new RangeError('needs a positive standard deviation and a non-zero difference')
  const q = normQuantile(1 - alpha / 2) + normQuantile(power)
  return (2 * q * q * sd * sd) / (delta * delta)
}

export interface PowerPlanInput {
  /** Current conversion rate per trial (e.g. conversions / clicks). */
  baseRate: number
  /** Smallest relative lift worth detecting, e.g. 0.1 for +10%. */
  relativeMde: number
  /** 0.95 by default. */
  confidence?: number
  /** 0.8 by default. */
  power?: number
  /** Number of variants sharing the traffic (2 by default). */
  variants?: number
  /** Trials per day across the whole test (the entity's real traffic). */
  dailyTrials: number
  /** Spend per day across the whole test, micros (optional). */
  dailySpendMicros?: number
}

export interface PowerPlan {
  nPerVariant: number
  totalTrials: number
  /** Whole days of traffic needed (at least 7, so every weekday is seen once). */
  days: number
  /** The test's spend over those days, micros (null without a daily spend). */
  budgetMicros: number | null
  /** The rate the treatment would need to reach. */
  targetRate: number
}

/**
 * Days and budget for a test to detect `relativeMde` at the chosen confidence and power, from
 * the traffic the entity really gets. With more than two variants α is split (Bonferroni) over
 * the comparisons with control.
 */
export function planTest(input: PowerPlanInput): PowerPlan {
  const confidence = input.confidence ?? 0.95
  const power = input.power ?? 0.8
  const variants = input.variants ?? 2
  if (!Number.isInteger(variants) || variants < 2)
    throw new RangeError(`variants must be a whole number ≥ 2, got ${variants}`)
  if (!(input.dailyTrials > 0)) throw new RangeError(`daily traffic must be positive, got ${input.dailyTrials}`)
  const target = input.baseRate * (1 + input.relativeMde)
  if (!(target < 1)) throw new RangeError(`a ${input.relativeMde * 100}% lift on ${input.baseRate} exceeds a rate of 1`)
  const alpha = (1 - confidence) / (variants - 1)
  const n = Math.ceil(sampleSizeTwoProportions(input.baseRate, target, alpha, power))
  const totalTrials = n * variants
  const days = Math.max(7, Math.ceil(totalTrials / input.dailyTrials))
  return {
    nPerVariant: n,
    totalTrials,
    days,
    budgetMicros: input.dailySpendMicros !== undefined ? Math.round(days * input.dailySpendMicros) : null,
    targetRate: target,
  }
}
