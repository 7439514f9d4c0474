import { describe, expect, it } from 'vitest'
import { r2Score } from '../metrics'
import { predictGbm, trainGbm } from './gbm'

function data(n: number, seed: number): { x: Float64Array; y: Float64Array } {
  let s = seed
  const rnd = (): number => (s = (s * 16807) % 2147483647) / 2147483647
  const x = new Float64Array(n * 3)
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const a = rnd() * 4 - 2
    const b = rnd() * 4 - 2
    x[i * 3] = a
    x[i * 3 + 1] = b
    x[i * 3 + 2] = rnd() // noise feature
    // Heteroscedastic: noise grows with |a|.
    y[i] = 3 * a + Math.sin(2 * b) + (rnd() - 0.5) * 2 * (0.2 + Math.abs(a))
  }
  return { x, y }
}

describe('histogram GBM', () => {
  const train = data(4000, 7)
  const test = data(2000, 99)

  it('fits a non-linear signal and generalises to held-out rows', () => {
    const m = trainGbm(train.x, train.y, 4000, 3, { nTrees: 100 })
    const r2 = r2Score(test.y, predictGbm(m, test.x, 2000))
    expect(r2).toBeGreaterThan(0.8)
    // The noise feature earns the least split gain.
    expect(m.gain[2]).toBeLessThan(m.gain[0] as number)
    // A serialised model predicts the same.
    const back = JSON.parse(JSON.stringify(m)) as typeof m
    expect(predictGbm(back, test.x, 5)).toEqual(predictGbm(m, test.x, 5))
  })

  it('learns quantiles with the pinball loss', () => {
    const lo = predictGbm(
      trainGbm(train.x, train.y, 4000, 3, { nTrees: 100, loss: 'quantile', alpha: 0.1 }),
      test.x,
      2000,
    )
    const hi = predictGbm(
      trainGbm(train.x, train.y, 4000, 3, { nTrees: 100, loss: 'quantile', alpha: 0.9 }),
      test.x,
      2000,
    )
    let below = 0
    let above = 0
    for (let i = 0; i < 2000; i++) {
      if ((test.y[i] as number) < (lo[i] as number)) below++
      if ((test.y[i] as number) > (hi[i] as number)) above++
    }
    expect(below / 2000).toBeGreaterThan(0.05)
    expect(below / 2000).toBeLessThan(0.16)
    expect(above / 2000).toBeGreaterThan(0.05)
    expect(above / 2000).toBeLessThan(0.16)
  })
})
