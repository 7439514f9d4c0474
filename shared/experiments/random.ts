/** A small seeded random source for simulations (benches, tests): reproducible run to run. */
export class SeededRandom {
  private s: number

  constructor(seed: number) {
    this.s = seed >>> 0
  }

  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0
    let t = this.s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = this.next()
    while (u === 0) u = this.next()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next())
  }

  /**
   * Binomial(n, p): exact inversion (walking the probability mass function) while n·p is
   * moderate, the normal approximation (rounded, clamped) beyond n·p = 1,000.
   */
  binomial(n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0
    if (p >= 1) return n
    if (p > 0.5) return n - this.binomial(n, 1 - p)
    const mean = n * p
    if (mean > 1000) {
      const x = Math.round(mean + Math.sqrt(mean * (1 - p)) * this.normal())
      return Math.min(n, Math.max(0, x))
    }
    const u = this.next()
    const q = 1 - p
    let pk = Math.exp(n * Math.log1p(-p))
    let cdf = pk
    let k = 0
    while (u > cdf && k < n) {
      pk *= ((n - k) / (k + 1)) * (p / q)
      k++
      cdf += pk
      if (pk < 1e-300 && k > mean) break
    }
    return k
  }
}
