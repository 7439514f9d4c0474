/** Log-gamma (Lanczos, g=7, n=9): relative error below 1e-13 for x > 0. */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
]
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x)
  const z = x - 1
  let a = LANCZOS[0] as number
  const t = z + 7.5
  for (let i = 1; i < 9; i++) a += (LANCZOS[i] as number) / (z + i)
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a)
}

/** Gauss hypergeometric 2F1(a, b; c; z) by its series, for 0 <= z < 1. */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  let term = 1
  let sum = 1
  for (let k = 0; k < 10_000; k++) {
    term *= (((a + k) * (b + k)) / ((c + k) * (k + 1))) * z
    sum += term
    if (Math.abs(term) < 1e-14 * Math.abs(sum)) break
  }
  return sum
}

/**
 * Nelder-Mead minimiser (adaptive parameters of Gao & Han for small dimensions). Deterministic;
 * returns the best point found and its value.
 */
export function nelderMead(
  fn: (x: number[]) => number,
  x0: number[],
  opts: { maxIter?: number; tol?: number; step?: number } = {},
): { x: number[]; value: number; iterations: number } {
  const n = x0.length
  const maxIter = opts.maxIter ?? 2000
  const tol = opts.tol ?? 1e-10
  const step = opts.step ?? 0.5
  const alpha = 1
  const gamma = 1 + 2 / n
  const rho = 0.75 - 1 / (2 * n)
  const sigma = 1 - 1 / n
  const safe = (x: number[]): number => {
    const v = fn(x)
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY
  }
  let simplex = [x0.slice()]
  for (let i = 0; i < n; i++) {
    const p = x0.slice()
    p[i] = (p[i] as number) + step
    simplex.push(p)
  }
  let values = simplex.map(safe)
  let it = 0
  for (; it < maxIter; it++) {
    const order = values.map((v, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number))
    simplex = order.map((i) => simplex[i] as number[])
    values = order.map((i) => values[i] as number)
    const best = values[0] as number
    const worst = values[n] as number
    if (Math.abs(worst - best) <= tol * (Math.abs(best) + tol)) break
    const centroid = new Array<number>(n).fill(0)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) centroid[j] = (centroid[j] as number) + ((simplex[i] as number[])[j] as number) / n
    const at = (t: number): number[] => centroid.map((c, j) => c + t * (((simplex[n] as number[])[j] as number) - c))
    const xr = at(-alpha)
    const fr = safe(xr)
    if (fr < best) {
      const xe = at(-gamma)
      const fe = safe(xe)
      if (fe < fr) {
        simplex[n] = xe
        values[n] = fe
      } else {
        simplex[n] = xr
        values[n] = fr
      }
    } else if (fr < (values[n - 1] as number)) {
      simplex[n] = xr
      values[n] = fr
    } else {
      const outside = fr < worst
      const xc = at(outside ? -rho * alpha : rho)
      const fc = safe(xc)
      if (fc < (outside ? fr : worst)) {
        simplex[n] = xc
        values[n] = fc
      } else {
        const x0b = simplex[0] as number[]
        for (let i = 1; i <= n; i++) {
          simplex[i] = (simplex[i] as number[]).map((v, j) => (x0b[j] as number) + sigma * (v - (x0b[j] as number)))
          values[i] = safe(simplex[i] as number[])
        }
      }
    }
  }
  let bi = 0
  for (let i = 1; i <= n; i++) if ((values[i] as number) < (values[bi] as number)) bi = i
  return { x: simplex[bi] as number[], value: values[bi] as number, iterations: it }
}
