/** Small statistics helpers for comparisons and intervals (pure functions). */

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 via erf, |error| < 1.5e-7). */
export function normCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2)
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp((-x * x) / 2)
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2
}

export interface TwoProportion {
  diff: number
  diffCi: [number, number]
  z: number
  pValue: number
}

/** Pooled two-proportion z-test of b vs a and an unpooled 95% interval for rate_b - rate_a. */
export function twoProportionTest(xa: number, na: number, xb: number, nb: number): TwoProportion | null {
  if (na <= 0 || nb <= 0) return null
  const pa = xa / na
  const pb = xb / nb
  const pool = (xa + xb) / (na + nb)
  const se = Math.sqrt(pool * (1 - pool) * (1 / na + 1 / nb))
  const z = se > 0 ? (pb - pa) / se : 0
  const seU = Math.sqrt((pa * (1 - pa)) / na + (pb * (1 - pb)) / nb)
  return {
    diff: pb - pa,
    diffCi: [pb - pa - 1.96 * seU, pb - pa + 1.96 * seU],
    z,
    pValue: 2 * (1 - normCdf(Math.abs(z))),
  }
}

function logBeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b)
}

/** log Gamma (Lanczos, g = 7). */
export function lgamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ]
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x)
  x -= 1
  let a = c[0] as number
  const t = x + 7.5
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (x + i)
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a)
}

/**
 * P(p_b > p_a) with independent Beta(1 + x, 1 + n - x) posteriors. Exact sum (Evan Miller's
 * closed form) when b's successes are small, else a normal approximation of the two Betas
 * (accurate at the volumes ads reach).
 */
export function probBBeatsA(xa: number, na: number, xb: number, nb: number): number {
  const aA = 1 + xa
  const bA = 1 + na - xa
  const aB = 1 + xb
  const bB = 1 + nb - xb
  if (Number.isInteger(aB) && aB <= 2000) {
    let total = 0
    for (let i = 0; i < aB; i++) {
      total += Math.exp(logBeta(aA + i, bA + bB) - Math.log(bB + i) - logBeta(1 + i, bB) - logBeta(aA, bA))
    }
    return Math.min(1, Math.max(0, total))
  }
  const mean = (a: number, b: number): number => a / (a + b)
  const variance = (a: number, b: number): number => (a * b) / ((a + b) ** 2 * (a + b + 1))
  const d = mean(aB, bB) - mean(aA, bA)
  return normCdf(d / Math.sqrt(variance(aA, bA) + variance(aB, bB)))
}

/**
 * 95% interval of a ratio of sums (e.g. CTR = sum clicks / sum impressions) treating each unit
 * (ad) as a cluster: the ratio-estimator variance, so a few huge ads do not make it look precise.
 */
export function ratioCi(num: number[], den: number[]): [number, number] | null {
  const n = num.length
  const sn = num.reduce((a, b) => a + b, 0)
  const sd = den.reduce((a, b) => a + b, 0)
  if (n < 2 || sd <= 0) return null
  const r = sn / sd
  let ss = 0
  for (let i = 0; i < n; i++) ss += ((num[i] as number) - r * (den[i] as number)) ** 2
  const se = Math.sqrt((n / (n - 1)) * ss) / sd
  return [Math.max(0, r - 1.96 * se), r + 1.96 * se]
}

/** Weighted least squares of y = a + b x; null when x has no spread. */
export function weightedLine(xs: number[], ys: number[], ws: number[]): { a: number; b: number; r2: number } | null {
  let sw = 0
  let sx = 0
  let sy = 0
  for (let i = 0; i < xs.length; i++) {
    const w = ws[i] as number
    sw += w
    sx += w * (xs[i] as number)
    sy += w * (ys[i] as number)
  }
  if (sw <= 0) return null
  const mx = sx / sw
  const my = sy / sw
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (let i = 0; i < xs.length; i++) {
    const w = ws[i] as number
    const dx = (xs[i] as number) - mx
    const dy = (ys[i] as number) - my
    sxx += w * dx * dx
    sxy += w * dx * dy
    syy += w * dy * dy
  }
  if (sxx <= 0) return null
  const b = sxy / sxx
  return { a: my - b * mx, b, r2: syy > 0 ? (sxy * sxy) / (sxx * syy) : 0 }
}
