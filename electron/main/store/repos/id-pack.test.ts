import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../../../../shared/experiments/random'
import { packedHas, packIds, unpackIds } from './id-pack'

describe('packed id sets', () => {
  it('round-trips sets of any shape and answers membership exactly', () => {
    const rnd = new SeededRandom(7)
    const shapes: number[][] = [
      [],
      [0],
      [5, 3, 3, 0],
      Array.from({ length: 10_000 }, (_, i) => 1_000 + i),
      Array.from({ length: 2_000 }, () => Math.floor(rnd.next() * 2 ** 31)),
      [127, 128, 16_383, 16_384, 2 ** 31 - 1],
    ]
    for (const ids of shapes) {
      const want = [...new Set(ids)].sort((a, b) => a - b)
      const bytes = packIds(ids)
      expect(unpackIds(bytes)).toEqual(want)
      const set = new Set(want)
      const probes = [...want.slice(0, 50), ...Array.from({ length: 50 }, () => Math.floor(rnd.next() * 2 ** 31)), 0, 1]
      for (const p of probes) expect(packedHas(bytes, p)).toBe(set.has(p))
    }
  })

  it('dense ids take about a byte each', () => {
    const bytes = packIds(Array.from({ length: 10_000 }, (_, i) => 50_000 + i * 2))
    expect(bytes.length).toBeLessThan(10_010)
  })

  it('refuses negative ids', () => {
    expect(() => packIds([3, -1])).toThrow(/negative/)
  })
})
