import { describe, expect, it } from 'vitest'
import { addDays } from '../../../shared/domain/dates'
import { SeededRandom } from '../../../shared/experiments/random'
import { median, scoreSeries, type DayParts } from './anomaly-detector'

/** The plain definition the selection-based median must agree with. */
function sortedMedian(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

describe('median (selection)', () => {
  it('equals the sorted definition on odd, even, tied, negative and long inputs, and leaves its input alone', () => {
    const r = new SeededRandom(5)
    for (let n = 1; n <= 300; n++) {
      const xs = Array.from({ length: n }, () => (r.next() < 0.3 ? Math.round(r.normal() * 3) : r.normal() * 100))
      const before = [...xs]
      // Equal as numbers (selection does not order -0 before +0 the way a sort does).
      expect(median(xs) === sortedMedian(xs)).toBe(true)
      expect(xs).toEqual(before)
    }
    expect(median([])).toBeNaN()
    expect(median([2, 2, 2, 1])).toBe(2)
  })
})

describe('volume floor of a window', () => {
  // June days (no retail season); spend alternates between $12 and a lower amount, so every
  // 28-day window has exactly 14 days at the $10 floor: only the true median decides.
  const series = (low: number): DayParts[] =>
    Array.from({ length: 100 }, (_, i) => {
      const spend = (i % 2 ? 12 : low) * 1e6
      return {
        date: addDays('2026-06-01', i),
        spend,
        revenue: spend * 2,
        impressions: 5000,
        clicks: 60,
        conversions: 3,
      }
    })

  it('is reached when the two middle days average to the floor or more', () => {
    // median (9.99 + 12) / 2 = 11 >= 10: assessed
    expect(scoreSeries(series(9.99), 'spend').every((d) => d.expected !== null)).toBe(true)
  })

  it('is missed when they average below it, though half the days are above', () => {
    // median (5 + 12) / 2 = 8.5 < 10: not assessed
    expect(scoreSeries(series(5), 'spend').every((d) => d.expected === null)).toBe(true)
  })
})
