import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  curveProblem,
  curveUsable,
  fitResponseCurve,
  K_MAX,
  K_MIN,
  marginalAt,
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

  it('refuses to fit without enough spend days', () => {
    expect(fitResponseCurve([0, 0, 10], [0, 0, 5])).toBeNull()
    expect(curveProblem(null)).toMatch(/fewer than 14 spend days/)
  })
})
