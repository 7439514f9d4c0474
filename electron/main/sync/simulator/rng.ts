/**
 * Integer hashing and a seeded PRNG. Per-row noise must be a pure function of (seed, entity, day)
 * so that any date range reproduces the same numbers; only world building uses the sequential
 * `Rng`, whose draw order is fixed by the config.
 */

import { SeededRandom } from '../../../../shared/experiments/random'

const GOLDEN = 0x9e3779b9

/** murmur3's 32-bit finaliser: cheap, bijective and avalanches well enough for noise. */
export function mix32(x: number): number {
  let h = x | 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Hash of three integers (seed, entity key, epoch day), as an unsigned 32-bit int. */
export function hash3(a: number, b: number, c: number): number {
  return mix32(mix32(mix32(a + GOLDEN) ^ b) + Math.imul(c, 0x27d4eb2f))
}

/** FNV-1a over UTF-16 code units: turns an external id into a stable entity key. */
export function hashString(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return mix32(h)
}

/** Bins of the quantised noise: a 10-bit field of a hash picks one equal-probability bin. */
const NOISE_BINS = 1024

/** Acklam's rational approximation of the standard normal quantile function (|error| < 1.2e-9). */
function normalQuantile(p: number): number {
  const [a0, a1, a2, a3, a4, a5] = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ] as const
  const [b0, b1, b2, b3, b4] = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ] as const
  const [c0, c1, c2, c3, c4, c5] = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ] as const
  const [d0, d1, d2, d3] = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416] as const
  const tail = (q: number): number =>
    (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)))
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)))
  const q = p - 0.5
  const r = q * q
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  )
}

/**
 * Standard normal quantiles at the bin midpoints. Table lookups replace a transcendental call per
 * noise term in the row loop; 1,024 levels are far finer than any chart can show.
 */
export const Z_TABLE: Float64Array = Float64Array.from({ length: NOISE_BINS }, (_, k) =>
  normalQuantile((k + 0.5) / NOISE_BINS),
)

/** Mean-one log-normal multipliers exp(sigma * z - sigma^2 / 2), one per bin. */
export function noiseTable(sigma: number): Float64Array {
  return Z_TABLE.map((z) => Math.exp(sigma * z - 0.5 * sigma * sigma))
}

/** Mean-one log-normal multiplier from the top 10 bits of a hash (for non-hot code). */
export function logNoise(h: number, sigma: number): number {
  return Math.exp(sigma * (Z_TABLE[h >>> 22] ?? 0) - 0.5 * sigma * sigma)
}

/**
 * Poisson-like count from a 10-bit field: exact inversion for small means (where rounding a normal
 * would distort low-volume days), normal approximation above.
 */
export function poisson(lambda: number, field: number): number {
  if (!(lambda > 0)) return 0
  if (lambda >= 12) {
    const k = Math.round(lambda + Math.sqrt(lambda) * (Z_TABLE[field] ?? 0))
    return k > 0 ? k : 0
  }
  const u = (field + 0.5) / NOISE_BINS
  let p = Math.exp(-lambda)
  let cdf = p
  let k = 0
  while (u > cdf && k < 60) {
    k++
    p *= lambda / k
    cdf += p
  }
  return k
}

/**
 * The sequential generator used only while building the world: the project's one seeded source
 * (`SeededRandom`, mulberry32) keyed by the mixed seed, with the world builder's helpers on top.
 */
export class Rng {
  private readonly source: SeededRandom

  constructor(seed: number) {
    this.source = new SeededRandom(mix32(seed ^ 0x5bd1e995))
  }

  next(): number {
    return this.source.next()
  }

  /** Integer in [lo, hi], inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }

  range(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo)
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  normal(): number {
    const u = 1 - this.next()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next())
  }

  /** Log-normal with the given median. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal())
  }

  pick<T>(items: readonly T[]): T {
    const v = items[Math.floor(this.next() * items.length)]
    if (v === undefined) throw new Error('pick from an empty list')
    return v
  }

  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0
    for (const [, w] of items) total += w
    let r = this.next() * total
    for (const [v, w] of items) {
      r -= w
      if (r < 0) return v
    }
    const last = items[items.length - 1]
    if (last === undefined) throw new Error('weighted pick from an empty list')
    return last[0]
  }

  /** `n` decimal digits; the first is never 0 so the id keeps its length as a number. */
  digits(n: number): string {
    let s = String(1 + Math.floor(this.next() * 9))
    while (s.length < n) {
      const chunk = Math.min(9, n - s.length)
      s += String(Math.floor(this.next() * 10 ** chunk)).padStart(chunk, '0')
    }
    return s
  }

  hex(n: number): string {
    let s = ''
    while (s.length < n)
      s += Math.floor(this.next() * 65_536)
        .toString(16)
        .padStart(4, '0')
    return s.slice(0, n)
  }
}
