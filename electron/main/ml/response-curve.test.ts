import { describe, expect, it } from 'vitest'
import { fitResponseCurve, marginalAt, responseAt } from './response-curve'

describe('adstock + Hill response curve', () => {
  // Simulated daily revenue with carry-over 0.5, shape 1.6 and half-saturation at adstock 400.
  const truth = { theta: 0.5, s: 1.6, k: 400, beta: 2000 }
  let seed = 3
  const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647
  const spend = Array.from({ length: 180 }, () => 50 + rnd() * 350)
  const y: number[] = []
  let a = 0
  for (const x of spend) {
    a = x + truth.theta * a
    y.push((truth.beta / (1 + Math.pow(truth.k / a, truth.s))) * (1 + (rnd() - 0.5) * 0.1))
  }

  it('recovers carry-over and saturation and gives the marginal return', () => {
    const c = fitResponseCurve(spend, y)
    expect(c).not.toBeNull()
    if (!c) return
    expect(c.r2).toBeGreaterThan(0.9)
    expect(c.theta).toBeGreaterThan(0.4)
    expect(c.theta).toBeLessThan(0.6)
    // The steady-state response at 200/day: adstock 400 = k, so half of beta.
    expect(responseAt(c, 200) / 1000).toBeGreaterThan(0.9)
    expect(responseAt(c, 200) / 1000).toBeLessThan(1.1)
    // Marginal return equals the numeric derivative and falls with spend (saturation).
    const h = 0.01
    expect(marginalAt(c, 300)).toBeCloseTo((responseAt(c, 300 + h) - responseAt(c, 300 - h)) / (2 * h), 3)
    expect(marginalAt(c, 600)).toBeLessThan(marginalAt(c, 300))
  })

  it('refuses to fit without enough spend days', () => {
    expect(fitResponseCurve([0, 0, 10], [0, 0, 5])).toBeNull()
  })
})
