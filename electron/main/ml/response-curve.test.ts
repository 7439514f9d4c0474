import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../../../shared/experiments/random'
import {
  anchorLevel,
  controlledElasticity,
  curveProblem,
  curveUsable,
  fitResponseCurve,
  K_MAX,
  K_MIN,
  MAX_ELASTICITY_SE,
  marginalAt,
  problemBeforeFit,
  responseAt,
  S_MAX,
  S_MIN,
  THETA_MAX,
} from './response-curve'

interface RefCase {
  name: string
  truth: { theta: number; s: number; k: number; beta: number }
  spend: number[]
  y: number[]
  scipy: { theta: number; s: number; k: number; beta: number; sse: number }
}
// Written by scripts/ml-curve-reference.py: scipy.optimize.least_squares on the same bounded model.
const ref = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'response-curve-reference.json'), 'utf8')) as {
  cases: RefCase[]
}

function sseOf(c: NonNullable<ReturnType<typeof fitResponseCurve>>, spend: number[], y: number[]): number {
  let a = 0
  let e = 0
  spend.forEach((x, i) => {
    a = x + c.theta * a
    const f = a > 0 ? c.beta / (1 + Math.pow(c.k / a, c.s)) : 0
    e += ((y[i] as number) - f) ** 2
  })
  return e
}

describe('adstock + Hill response curve (concave, bounded)', () => {
  for (const rc of ref.cases) {
    it(`reaches scipy's least-squares optimum (${rc.name})`, () => {
      const c = fitResponseCurve(rc.spend, rc.y)
      expect(c).not.toBeNull()
      if (!c) return
      // Same or better optimum than scipy's bounded least squares from the same starts.
      expect(sseOf(c, rc.spend, rc.y)).toBeLessThanOrEqual(rc.scipy.sse * 1.001)
      for (const x of [100, 200, 400]) {
        const theirs = rc.scipy.beta / (1 + Math.pow(rc.scipy.k / (x / (1 - rc.scipy.theta)), rc.scipy.s))
        expect(Math.abs(responseAt(c, x) / theirs - 1)).toBeLessThan(0.01)
      }
      expect(c.r2Weekly).toBeGreaterThan(0.5)
      expect(curveUsable(c)).toBe(true)
    })
  }

  it('keeps every parameter inside its bounds and the marginal return non-increasing, even for an S-shaped truth', () => {
    const rc = ref.cases.find((c) => c.name === 's_shaped_truth') as RefCase
    const c = fitResponseCurve(rc.spend, rc.y)
    if (!c) throw new Error('no fit')
    expect(c.s).toBeGreaterThanOrEqual(S_MIN)
    expect(c.s).toBeLessThanOrEqual(S_MAX)
    expect(c.theta).toBeGreaterThanOrEqual(0)
    expect(c.theta).toBeLessThanOrEqual(THETA_MAX)
    const maxSpend = Math.max(...rc.spend)
    expect(c.k).toBeGreaterThanOrEqual((K_MIN * maxSpend) / (1 - c.theta) - 1e-6)
    expect(c.k).toBeLessThanOrEqual((K_MAX * maxSpend) / (1 - c.theta) + 1e-6)
    let prev = Number.POSITIVE_INFINITY
    for (let x = 5; x <= 4 * maxSpend; x += 5) {
      const m = marginalAt(c, x)
      expect(m).toBeLessThanOrEqual(prev + 1e-12)
      prev = m
    }
    // The analytic marginal is the derivative of the response.
    const h = 0.01
    expect(marginalAt(c, 300)).toBeCloseTo((responseAt(c, 300 + h) - responseAt(c, 300 - h)) / (2 * h), 3)
  })

  it('marks a fit on noise unrelated to spend as not usable, saying why', () => {
    let seed = 11
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647
    const spend = Array.from({ length: 180 }, () => 200 + rnd() * 20)
    const y = spend.map(() => 400 + rnd() * 400)
    const c = fitResponseCurve(spend, y)
    expect(c).not.toBeNull()
    expect(curveUsable(c)).toBe(false)
    expect(curveProblem(c)).toMatch(/R² -?\d\.\d\d < 0\.5/)
  })

  it('marks a straight-line fit (saturation point at its bound) as not usable, saying why', () => {
    // Revenue exactly proportional to spend: the fit explains it, but shows no saturation at all.
    const spend = Array.from({ length: 120 }, (_, i) => 100 + 60 * Math.sin(i / 5))
    const c = fitResponseCurve(
      spend,
      spend.map((x) => 3 * x),
    )
    if (!c) throw new Error('no fit')
    expect(c.r2Weekly).toBeGreaterThan(0.9)
    expect(c.kRel).toBeGreaterThanOrEqual(K_MAX * 0.95)
    expect(curveProblem(c)).toMatch(/no saturation in the spend seen/)
  })

  it('re-estimates the level on the last 28 days, keeping the shape', () => {
    // A curve's level halves over the last 28 of 120 days (a tired creative): the fit averages the
    // two levels; the anchored curve predicts the recent revenue at the recent spend.
    const spend = Array.from({ length: 120 }, (_, i) => 100 + 60 * Math.sin(i / 5))
    const truth = { theta: 0, s: 0.8, k: 150, beta: 1000, r2: 1, r2Weekly: 1, days: 120, kRel: 1 }
    const y = spend.map((x, i) => responseAt(truth, x) * (i >= 92 ? 0.5 : 1))
    const c = fitResponseCurve(spend, y)
    if (!c) throw new Error('no fit')
    const a = anchorLevel(c, spend, y)
    expect([a.theta, a.s, a.k]).toEqual([c.theta, c.s, c.k])
    let fitted = 0
    let actual = 0
    for (let i = 92; i < 120; i++) {
      fitted += responseAt(a, spend[i] as number)
      actual += y[i] as number
    }
    expect(Math.abs(fitted / actual - 1)).toBeLessThan(0.05)
    expect(a.beta).toBeLessThan(c.beta * 0.7)
  })

  it('refuses to fit without enough spend days', () => {
    expect(fitResponseCurve([0, 0, 10], [0, 0, 5])).toBeNull()
    expect(curveProblem(null)).toMatch(/fewer than 14 spend days/)
  })
})

/**
 * A known-elasticity account with a season: revenue_ct = A_c · g_t · spend_ct^E (E = 0.6) with a
 * season g_t (±35% over a 120-day cycle, and a 30% rise over the window), budgets raised when the
 * season converts best (the account's spend ∝ g_t^1.5), and each entity's own budget moves on
 * its own slower cycle (±25%). 5% log-normal noise on revenue. The truth is the elasticity E.
 */
function seasonalAccount(o: { days: number; own: number; seed: number }): {
  spend: number[][]
  revenue: number[][]
  total: { spend: number[]; y: number[] }
} {
  const E = 0.6
  const rnd = new SeededRandom(o.seed)
  const g = Array.from(
    { length: o.days },
    (_, t) => (1 + 0.35 * Math.sin((2 * Math.PI * t) / 120)) * (1 + (0.3 * t) / o.days),
  )
  const spend: number[][] = []
  const revenue: number[][] = []
  for (let c = 0; c < 8; c++) {
    const period = 45 + 17 * c
    const phase = rnd.next() * 2 * Math.PI
    const base = 50 + 30 * c
    const s = g.map((gt, t) => base * gt ** 1.5 * Math.exp(o.own * Math.sin((2 * Math.PI * t) / period + phase)))
    spend.push(s)
    revenue.push(s.map((x, t) => 4 * (g[t] as number) * x ** E * base ** (1 - E) * Math.exp(0.05 * rnd.normal())))
  }
  const total = {
    spend: g.map((_, t) => spend.reduce((a, s) => a + (s[t] as number), 0)),
    y: g.map((_, t) => revenue.reduce((a, r) => a + (r[t] as number), 0)),
  }
  return { spend, revenue, total }
}

/** Elasticity of a curve at steady spend x: marginal / average return. */
const elasticityAt = (c: NonNullable<ReturnType<typeof fitResponseCurve>>, x: number): number =>
  (marginalAt(c, x) * x) / responseAt(c, x)

describe('response curves with the season controlled for', () => {
  it('recovers a known elasticity that a fit on the entity alone confounds with the season', () => {
    const a = seasonalAccount({ days: 180, own: 0.25, seed: 11 })
    const spend = a.spend[3] as number[]
    const y = a.revenue[3] as number[]
    // The naive log-log slope on the entity's own weeks reads the season as the response.
    const naive = controlledElasticity(spend, y, { spend: spend.map((x) => x * 2), y: y.map((v) => v * 2) })
    expect(naive).toBeNull() // the entity against itself: no spread in relative spend
    const ctl = controlledElasticity(spend, y, a.total)
    if (!ctl) throw new Error('no controlled estimate')
    expect(Math.abs(ctl.e - 0.6)).toBeLessThan(0.1)
    expect(ctl.se).toBeLessThan(MAX_ELASTICITY_SE)
    expect(ctl.weeks).toBe(25)
    // The curve fitted without the control is much steeper than the truth at current spend; with
    // the control it is close to it, and usable.
    const x = spend.slice(-28).reduce((s, v) => s + v, 0) / 28
    const plain = fitResponseCurve(spend, y)
    const controlled = fitResponseCurve(spend, y, a.total)
    if (!plain || !controlled) throw new Error('no fit')
    expect(elasticityAt(plain, x)).toBeGreaterThan(0.8)
    expect(Math.abs(elasticityAt(controlled, x) - 0.6)).toBeLessThan(0.12)
    expect(controlled.controlled?.e).toBeCloseTo(ctl.e, 10)
    expect(controlled.holdoutGain).toBeGreaterThan(0)
    expect(curveProblem(controlled)).toBeNull()
  })

  it('does not use a curve when the entity never moved apart from its account (response not identified)', () => {
    const a = seasonalAccount({ days: 180, own: 0.005, seed: 12 })
    const c = fitResponseCurve(a.spend[2] as number[], a.revenue[2] as number[], a.total)
    if (!c) throw new Error('no fit')
    expect(c.controlled?.se ?? Infinity).toBeGreaterThan(MAX_ELASTICITY_SE)
    expect(curveProblem(c)).toMatch(/not identified once the season is controlled for/)
  })

  it("finds the season control's problem without fitting, the same as the fitted curve's", () => {
    const cases: [number[], number[], { spend: number[]; y: number[] }][] = []
    for (const [days, own, seed] of [
      [180, 0.25, 11],
      [180, 0.005, 12],
      [49, 0.25, 13],
      [180, 0.1, 14],
    ] as const) {
      const a = seasonalAccount({ days, own, seed })
      for (let c = 0; c < 8; c++) cases.push([a.spend[c] as number[], a.revenue[c] as number[], a.total])
    }
    // Ten spend days only: no curve at all (that is not the control's to say).
    const [s0, y0, t0] = cases[0] as (typeof cases)[number]
    cases.push([s0.map((x, i) => (i < s0.length - 10 ? 0 : x)), y0, t0])
    const seen = new Set<string>()
    for (const [spend, y, control] of cases) {
      const fitted = fitResponseCurve(spend, y, control)
      const early = problemBeforeFit(spend, y, control)
      const problem = curveProblem(fitted ? anchorLevel(fitted, spend, y) : null)
      if (early !== null) expect(early).toBe(problem)
      else if (fitted) expect(problem ?? '').not.toMatch(/too few weeks|not identified once the season/)
      seen.add(
        early === null
          ? fitted
            ? 'fit decides'
            : 'no curve'
          : (early.match(/too few weeks|not identified/)?.[0] ?? ''),
      )
    }
    expect([...seen].sort()).toEqual(['fit decides', 'no curve', 'not identified', 'too few weeks'])
  })

  it('needs enough full weeks of spend to control for the season', () => {
    const a = seasonalAccount({ days: 49, own: 0.25, seed: 13 })
    const c = fitResponseCurve(a.spend[1] as number[], a.revenue[1] as number[], a.total)
    if (!c) throw new Error('no fit')
    expect(c.controlled).toBeNull()
    expect(curveProblem(c)).toMatch(/too few weeks/)
  })
})
