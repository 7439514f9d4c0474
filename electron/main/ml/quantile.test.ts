import { describe, expect, it } from 'vitest'
import { conformalQuantile, quantile } from './forecast'
import { metricSummary } from './metrics'

// The training sorts calibration scores in a work space of its own (one buffer over glibc's mmap
// threshold) instead of a fresh copy per quantile, and keeps scored rows in typed columns instead of
// growing arrays: the figures must be those of the copies and arrays.
describe('quantiles and summaries over typed columns', () => {
  const values = Float64Array.from({ length: 1001 }, (_, i) => ((i * 7919) % 1001) / 13 - 20)

  it('a quantile sorted in a work space is the one sorted in a copy, and the values are left as they were', () => {
    const before = values.slice()
    const scratch = new Float64Array(2000).fill(99)
    for (const q of [0.001, 0.1, 1 / 3, 0.5, 2 / 3, 0.9, 1])
      expect(quantile(values, q, scratch)).toBe(quantile(values, q))
    expect(conformalQuantile(values, 0.8, scratch)).toBe(conformalQuantile(values, 0.8))
    expect(conformalQuantile(values.subarray(0, 37), 0.8, scratch)).toBe(conformalQuantile(values.subarray(0, 37), 0.8))
    expect(values).toEqual(before)
    // A work space too short is not used.
    expect(quantile(values, 0.5, new Float64Array(10))).toBe(quantile(values, 0.5))
  })

  it('a metric summary over typed columns is the one over arrays', () => {
    const n = values.length
    const cols = [0, 1, 2, 3, 4].map((k) => Float64Array.from(values, (v, i) => Math.max(0, v + k * ((i % 5) - 2))))
    const [a, p, lo, hi, b] = cols as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array]
    const arr = (c: Float64Array): number[] => Array.from(c)
    expect(metricSummary(a, p, lo, hi, b)).toEqual(metricSummary(arr(a), arr(p), arr(lo), arr(hi), arr(b)))
    expect(metricSummary(a, p, lo, hi, b).n).toBe(n)
  })
})
