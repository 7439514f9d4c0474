import { describe, expect, it } from 'vitest'
import {
  betaInc,
  chiSquareQuantile,
  chiSquareSf,
  lgamma,
  normCdf,
  normQuantile,
  normTwoSidedP,
  tCdf,
  tQuantile,
} from './distributions'
import { SeededRandom } from './random'
import {
  betaBinomial,
  deltaRatio,
  msprtHalfWidth,
  msprtLikelihoodRatio,
  planTest,
  powerTwoProportions,
  ratioSums,
  ratioTest,
  sampleSizeMeans,
  sampleSizeTwoProportions,
  SequentialProportionTest,
  srmTest,
  summarize,
  twoProportionZTest,
  welchTTest,
} from './stats'

// Reference values are from published tables, R's documented output, Python's standard
// library (statistics.NormalDist, math.erfc, math.lgamma) or closed forms, never from this code.

describe('distributions', () => {
  it('standard normal CDF and quantile match Python statistics.NormalDist', () => {
    expect(normCdf(1.96)).toBeCloseTo(0.9750021048517796, 14)
    expect(normCdf(0)).toBe(0.5)
    expect(normQuantile(0.975)).toBeCloseTo(1.9599639845400536, 12)
    expect(normQuantile(0.8)).toBeCloseTo(0.8416212335729144, 12)
    expect(normQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 9)
    // Far tail without cancellation: 0.5·erfc(8/√2) = 6.220960574271819e-16.
    expect(normCdf(-8) / 6.220960574271819e-16).toBeCloseTo(1, 10)
    expect(normTwoSidedP(1.959963984540054)).toBeCloseTo(0.05, 12)
  })

  it('log-gamma matches factorials and Γ(1/2) = √π', () => {
    expect(lgamma(10)).toBeCloseTo(Math.log(362880), 12)
    expect(lgamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12)
    expect(lgamma(171)).toBeCloseTo(706.5730622457874, 9) // Python math.lgamma(171)
  })

  it('incomplete beta matches closed forms', () => {
    // I_x(1, b) = 1 − (1 − x)^b and I_x(a, 1) = x^a.
    expect(betaInc(0.3, 1, 5)).toBeCloseTo(1 - 0.7 ** 5, 14)
    expect(betaInc(0.3, 4, 1)).toBeCloseTo(0.3 ** 4, 14)
    expect(betaInc(0.5, 7.5, 7.5)).toBeCloseTo(0.5, 14)
  })

  it("Student's t matches closed forms (df 1 and 2) and table quantiles", () => {
    for (const t of [-3, -0.5, 0.7, 4]) {
      expect(tCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 13) // Cauchy
      expect(tCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 13)
    }
    // Two-sided 5% critical values from the t table.
    const table: [number, number][] = [
      [1, 12.706],
      [5, 2.571],
      [10, 2.228],
      [30, 2.042],
      [120, 1.98],
    ]
    for (const [df, q] of table) expect(tQuantile(0.975, df)).toBeCloseTo(q, 3)
    expect(tQuantile(0.995, 20)).toBeCloseTo(2.845, 3)
    expect(tQuantile(0.95, 2)).toBeCloseTo(2.92, 3)
  })

  it('chi-square matches its closed form (df 2) and table quantiles', () => {
    for (const x of [0.1, 1, 5, 20]) expect(chiSquareSf(x, 2)).toBeCloseTo(Math.exp(-x / 2), 14)
    // df 1: P(X ≥ x) = erfc(√(x/2)); 3.841 is the 5% critical value.
    expect(chiSquareSf(3.841458820694124, 1)).toBeCloseTo(0.05, 12)
    const table: [number, number][] = [
      [1, 3.841],
      [2, 5.991],
      [3, 7.815],
      [5, 11.07],
      [10, 18.307],
    ]
    for (const [df, q] of table) expect(chiSquareQuantile(0.95, df)).toBeCloseTo(q, 3)
    expect(chiSquareQuantile(0.99, 1)).toBeCloseTo(6.635, 3)
  })
})

describe('two-proportion z-test', () => {
  it('gives the published Udacity result: 12.04% vs 11.88%, p ≈ 0.19', () => {
    // Counts after the usual cleaning (mismatched group/page rows and the duplicate user dropped).
    const r = twoProportionZTest({ conversions: 17489, n: 145274 }, { conversions: 17264, n: 145310 })
    expect(r.rateA).toBeCloseTo(0.1204, 4)
    expect(r.rateB).toBeCloseTo(0.1188, 4)
    // Hand computation (pooled p = 34753/290584): z = −1.3109242, p = erfc(|z|/√2) = 0.1898834.
    expect(r.z).toBeCloseTo(-1.3109242, 6)
    expect(r.pValue).toBeCloseTo(0.1898834, 6)
    expect(r.ci[0]).toBeLessThan(0)
    expect(r.ci[1]).toBeGreaterThan(0)
  })

  it('is significant for a large clear difference and refuses impossible counts', () => {
    const r = twoProportionZTest({ conversions: 100, n: 1000 }, { conversions: 150, n: 1000 })
    // z by hand: pooled 0.125, se = √(0.125·0.875·0.002) = 0.0147902, z = 0.05/0.0147902 = 3.380617.
    expect(r.z).toBeCloseTo(3.380617, 5)
    expect(r.pValue).toBeLessThan(0.001)
    expect(r.relativeLift).toBeCloseTo(0.5, 12)
    expect(() => twoProportionZTest({ conversions: 5, n: 0 }, { conversions: 1, n: 10 })).toThrow(/at least one trial/)
    expect(() => twoProportionZTest({ conversions: 11, n: 10 }, { conversions: 1, n: 10 })).toThrow(/between 0 and n/)
  })
})

describe('beta-binomial', () => {
  /** Evan Miller's closed form for P(B > A) with integer posterior parameters (independent method). */
  function millerProb(aA: number, bA: number, aB: number, bB: number): number {
    const lb = (a: number, b: number): number => lgamma(a) + lgamma(b) - lgamma(a + b)
    let s = 0
    for (let i = 0; i < aB; i++) s += Math.exp(lb(aA + i, bA + bB) - Math.log(bB + i) - lb(1 + i, bB) - lb(aA, bA))
    return s
  }

  it("probability to beat matches Evan Miller's closed form and Python's Monte Carlo", () => {
    const r = betaBinomial({ conversions: 20, n: 100 }, { conversions: 30, n: 100 })
    expect(r.probBBeatsA).toBeCloseTo(millerProb(21, 81, 31, 71), 8)
    expect(r.probBBeatsA).toBeCloseTo(0.9476031, 6) // Python, the same sum with math.lgamma
    // 2,000,000 draws of random.betavariate (seed 1): loss of B 0.0013454, of A 0.0994024 (±2e-5).
    expect(r.expectedLossB).toBeCloseTo(0.0013454, 4)
    expect(r.expectedLossA).toBeCloseTo(0.0994024, 4)
    const r2 = betaBinomial({ conversions: 120, n: 1000 }, { conversions: 135, n: 1000 })
    expect(r2.probBBeatsA).toBeCloseTo(0.8422815, 6)
    expect(r2.expectedLossB).toBeCloseTo(0.001237, 4)
    expect(r2.expectedLossA).toBeCloseTo(0.016213, 4)
  })

  it('is symmetric and handles ad-sized volumes', () => {
    const a = { conversions: 17489, n: 145274 }
    const b = { conversions: 17264, n: 145310 }
    const ab = betaBinomial(a, b)
    const ba = betaBinomial(b, a)
    expect(ab.probBBeatsA + ba.probBBeatsA).toBeCloseTo(1, 6)
    // With a flat prior the posterior probability is close to the one-sided p-value's complement.
    expect(ab.probBBeatsA).toBeCloseTo(normCdf(-1.3109242), 2)
    expect(ab.expectedLossB).toBeCloseTo(ba.expectedLossA, 8)
  })
})

describe("Welch's t-test", () => {
  it("matches R's t.test output", () => {
    // R: t.test(c(11,9,10,11,10,12,9,11,12,9), c(11,13,10,13,12,9,11,12,12,11))
    // t = -1.8325, df = 17.9, p-value = 0.08356, 95% CI -2.1469104 0.1469104 (x − y).
    const x = summarize([11, 9, 10, 11, 10, 12, 9, 11, 12, 9])
    const y = summarize([11, 13, 10, 13, 12, 9, 11, 12, 12, 11])
    const r = welchTTest(y, x) // A = y, B = x: B − A = x − y as R reports
    expect(r.t).toBeCloseTo(-1.8325, 4)
    expect(r.df).toBeCloseTo(17.9, 1)
    expect(r.pValue).toBeCloseTo(0.08356, 5)
    expect(r.ci[0]).toBeCloseTo(-2.1469104, 5)
    expect(r.ci[1]).toBeCloseTo(0.1469104, 5)
  })

  it('uses the Welch–Satterthwaite degrees of freedom (hand computation)', () => {
    // Group 1 n 20, mean 100, sd 15; group 2 n 20, mean 95, sd 20: se = √31.25, t = 0.8944, df ≈ 35.2.
    const r = welchTTest({ n: 20, mean: 95, variance: 400 }, { n: 20, mean: 100, variance: 225 })
    expect(r.t).toBeCloseTo(5 / Math.sqrt(31.25), 10)
    expect(r.df).toBeCloseTo(31.25 ** 2 / ((11.25 ** 2 + 20 ** 2) / 19), 10)
    expect(() => welchTTest({ n: 1, mean: 1, variance: 0 }, { n: 5, mean: 1, variance: 1 })).toThrow(/at least 2/)
  })
})

describe('delta method', () => {
  it('computes the ratio of sums and the textbook variance', () => {
    const num = [10, 12, 9, 15, 11]
    const den = [2, 3, 2, 4, 2]
    const r = deltaRatio(ratioSums(num, den))
    expect(r.ratio).toBe(57 / 13)
    // Hand: means 11.4, 2.6; var x 5.3, var y 0.8, cov 1.95 (n − 1).
    const R = 11.4 / 2.6
    expect(r.variance).toBeCloseTo((5.3 - 2 * R * 1.95 + R * R * 0.8) / (5 * 2.6 * 2.6), 12)
  })

  it("variance agrees with the ratio's spread over simulated samples", () => {
    // Daily spend and conversions for 28 days, repeated 4,000 times: the delta-method variance of
    // CPA should match the empirical variance of the CPA estimates within sampling error.
    const rnd = new SeededRandom(7)
    const ratios: number[] = []
    const deltaVars: number[] = []
    for (let s = 0; s < 4000; s++) {
      const spend: number[] = []
      const conv: number[] = []
      for (let d = 0; d < 28; d++) {
        const sp = 500 + 100 * rnd.normal()
        spend.push(sp)
        conv.push(rnd.binomial(Math.round(sp), 0.04))
      }
      const r = deltaRatio(ratioSums(spend, conv))
      ratios.push(r.ratio)
      deltaVars.push(r.variance)
    }
    const empirical = summarize(ratios).variance
    const meanDelta = deltaVars.reduce((a, b) => a + b, 0) / deltaVars.length
    expect(meanDelta / empirical).toBeGreaterThan(0.9)
    expect(meanDelta / empirical).toBeLessThan(1.1)
  })

  it('compares two CPAs', () => {
    const a = ratioSums([100, 120, 90, 110], [4, 5, 3, 5])
    const b = ratioSums([100, 120, 90, 110], [4, 5, 3, 5])
    expect(ratioTest(a, b).pValue).toBe(1)
    expect(() => deltaRatio(ratioSums([1, 2], [0, 0]))).toThrow(/denominator/)
  })
})

describe('sample-ratio mismatch', () => {
  it('matches the hand-computed chi-square', () => {
    // 1,000 vs 1,100 on a 50/50 split: χ² = 2·50²/1050 = 4.7619, p = erfc(√(χ²/2)).
    const r = srmTest([1000, 1100])
    expect(r.chiSquare).toBeCloseTo(5000 / 1050, 12)
    expect(r.pValue).toBeCloseTo(0.02909633, 6)
    expect(srmTest([500, 500]).pValue).toBe(1)
    // Planned 90/10 split honoured.
    expect(srmTest([9000, 1000], [0.9, 0.1]).pValue).toBe(1)
    expect(() => srmTest([10])).toThrow(/at least 2/)
  })
})

describe('mSPRT', () => {
  it('likelihood ratio and confidence sequence invert each other', () => {
    const V = 1e-5
    const tau2 = 4e-5
    const hw = msprtHalfWidth(V, tau2, 0.05)
    // At the edge of the confidence sequence the likelihood ratio is exactly 1/α.
    expect(msprtLikelihoodRatio(hw, V, tau2)).toBeCloseTo(20, 8)
    expect(msprtLikelihoodRatio(0, V, tau2)).toBeCloseTo(Math.sqrt(V / (V + tau2)), 12)
  })

  it('keeps the p-value non-increasing and wider than the fixed-horizon interval', () => {
    const t = new SequentialProportionTest(0.05, 0.1)
    const l1 = t.look({ conversions: 50, n: 1000 }, { conversions: 70, n: 1000 })
    const l2 = t.look({ conversions: 100, n: 2000 }, { conversions: 100, n: 2000 })
    expect(l2.pValue).toBeLessThanOrEqual(l1.pValue)
    const fixed = twoProportionZTest({ conversions: 100, n: 2000 }, { conversions: 100, n: 2000 })
    expect(l2.ci[1] - l2.ci[0]).toBeGreaterThan(fixed.ci[1] - fixed.ci[0])
  })

  it('holds its false-positive rate under daily peeking while the naive test does not', () => {
    const rnd = new SeededRandom(42)
    let naive = 0
    let seq = 0
    const runs = 300
    for (let r = 0; r < runs; r++) {
      const t = new SequentialProportionTest(0.05, 0.1)
      const a = { conversions: 0, n: 0 }
      const b = { conversions: 0, n: 0 }
      let naiveHit = false
      for (let d = 0; d < 28; d++) {
        a.n += 500
        b.n += 500
        a.conversions += rnd.binomial(500, 0.05)
        b.conversions += rnd.binomial(500, 0.05)
        if (twoProportionZTest(a, b).pValue < 0.05) naiveHit = true
        t.look(a, b)
      }
      if (naiveHit) naive++
      if (t.pValue < 0.05) seq++
    }
    expect(seq / runs).toBeLessThanOrEqual(0.05)
    expect(naive / runs).toBeGreaterThan(0.1)
  })
})

describe('power analysis', () => {
  it("matches R's documented power.prop.test examples", () => {
    // power.prop.test(p1 = .50, p2 = .75, power = .90) → n = 76.7069
    expect(sampleSizeTwoProportions(0.5, 0.75, 0.05, 0.9)).toBeCloseTo(76.7069, 3)
    // power.prop.test(n = 50, p1 = .50, p2 = .75) → power = 0.7401659
    expect(powerTwoProportions(50, 0.5, 0.75)).toBeCloseTo(0.7401659, 5)
    expect(powerTwoProportions(Math.ceil(sampleSizeTwoProportions(0.1, 0.11)), 0.1, 0.11)).toBeGreaterThanOrEqual(0.8)
  })

  it('sample size for means is the textbook 2(z_a + z_b)²σ²/δ²', () => {
    // σ = δ: 2·(1.959964 + 0.841621)² = 15.698
    expect(sampleSizeMeans(1, 1)).toBeCloseTo(15.698, 3)
  })

  it('plans days and budget from real traffic', () => {
    const plan = planTest({ baseRate: 0.05, relativeMde: 0.1, dailyTrials: 2000, dailySpendMicros: 300_000_000 })
    expect(plan.nPerVariant).toBe(Math.ceil(sampleSizeTwoProportions(0.05, 0.055)))
    expect(plan.days).toBe(Math.ceil((2 * plan.nPerVariant) / 2000))
    expect(plan.budgetMicros).toBe(plan.days * 300_000_000)
    // A tiny MDE on busy traffic still runs a full week.
    expect(planTest({ baseRate: 0.3, relativeMde: 0.5, dailyTrials: 1e6 }).days).toBe(7)
    // Three variants split α over two comparisons: more trials per variant.
    const three = planTest({ baseRate: 0.05, relativeMde: 0.1, dailyTrials: 2000, variants: 3 })
    expect(three.nPerVariant).toBeGreaterThan(plan.nPerVariant)
    expect(() => planTest({ baseRate: 0.05, relativeMde: 0.1, dailyTrials: 0 })).toThrow(/daily traffic/)
  })
})
