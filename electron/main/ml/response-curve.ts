import { nelderMead } from './optim'

/**
 * Spend-response curve of one entity: y_t = beta * hill(A_t) with geometric adstock
 * A_t = spend_t + theta * A_{t-1} (carry-over) and Hill saturation hill(A) = A^s / (A^s + K^s).
 * Fitted by least squares: a coarse grid over (theta, s, K) with beta in closed form, then
 * Nelder-Mead from the best grid point. At a steady daily spend x the adstock settles at
 * x / (1 - theta), which gives the response and its derivative (the marginal return) at any x.
 */

export interface ResponseCurve {
  theta: number
  s: number
  k: number
  beta: number
  /** Share of variance explained on the fitted days. */
  r2: number
  days: number
}

function adstock(spend: ArrayLike<number>, theta: number): Float64Array {
  const a = new Float64Array(spend.length)
  let prev = 0
  for (let i = 0; i < spend.length; i++) {
    prev = (spend[i] as number) + theta * prev
    a[i] = prev
  }
  return a
}

const hill = (a: number, s: number, k: number): number => (a <= 0 ? 0 : 1 / (1 + Math.pow(k / a, s)))

function sse(
  spend: ArrayLike<number>,
  y: ArrayLike<number>,
  theta: number,
  s: number,
  k: number,
): { sse: number; beta: number } {
  const a = adstock(spend, theta)
  let sy = 0
  let ss = 0
  for (let i = 0; i < a.length; i++) {
    const h = hill(a[i] as number, s, k)
    sy += h * (y[i] as number)
    ss += h * h
  }
  const beta = ss > 0 ? Math.max(0, sy / ss) : 0
  let e = 0
  for (let i = 0; i < a.length; i++) e += ((y[i] as number) - beta * hill(a[i] as number, s, k)) ** 2
  return { sse: e, beta }
}

/** Fit a curve on aligned daily spend and outcome arrays (units); null without enough spend days. */
export function fitResponseCurve(spend: ArrayLike<number>, y: ArrayLike<number>): ResponseCurve | null {
  const n = spend.length
  let active = 0
  let maxSpend = 0
  let mean = 0
  for (let i = 0; i < n; i++) {
    if ((spend[i] as number) > 0) active++
    maxSpend = Math.max(maxSpend, spend[i] as number)
    mean += (y[i] as number) / n
  }
  if (active < 14 || maxSpend <= 0) return null
  let best = { theta: 0, s: 1, k: maxSpend, sse: Number.POSITIVE_INFINITY }
  for (const theta of [0, 0.2, 0.4, 0.6, 0.8]) {
    for (const s of [0.7, 1, 1.5, 2.2, 3]) {
      for (const m of [0.25, 0.5, 1, 2, 4]) {
        const k = (m * maxSpend) / (1 - theta)
        const r = sse(spend, y, theta, s, k)
        if (r.sse < best.sse) best = { theta, s, k, sse: r.sse }
      }
    }
  }
  // Local refinement on unconstrained coordinates: logit(theta), log(s), log(k).
  const decode = (v: number[]): { theta: number; s: number; k: number } => ({
    theta: 0.95 / (1 + Math.exp(-(v[0] as number))),
    s: Math.min(5, Math.max(0.3, Math.exp(v[1] as number))),
    k: Math.exp(v[2] as number),
  })
  const t0 = Math.min(0.94, Math.max(0.01, best.theta)) / 0.95
  const res = nelderMead(
    (v) => {
      const d = decode(v)
      return sse(spend, y, d.theta, d.s, d.k).sse
    },
    [Math.log(t0 / (1 - t0)), Math.log(best.s), Math.log(best.k)],
    { maxIter: 300, step: 0.3, tol: 1e-8 },
  )
  const d = decode(res.x)
  const fit = sse(spend, y, d.theta, d.s, d.k)
  let ssTot = 0
  for (let i = 0; i < n; i++) ssTot += ((y[i] as number) - mean) ** 2
  return { ...d, beta: fit.beta, r2: ssTot > 0 ? 1 - fit.sse / ssTot : 0, days: n }
}

/** Expected outcome per day at a steady daily spend `x`. */
export function responseAt(c: ResponseCurve, x: number): number {
  return c.beta * hill(x / (1 - c.theta), c.s, c.k)
}

/** Marginal outcome of one more unit of daily spend at steady spend `x` (d response / d spend). */
export function marginalAt(c: ResponseCurve, x: number): number {
  const a = x / (1 - c.theta)
  if (a <= 0) return c.s < 1 ? Number.POSITIVE_INFINITY : c.s === 1 ? c.beta / c.k : 0
  const ks = Math.pow(c.k, c.s)
  const as = Math.pow(a, c.s)
  return (c.beta * c.s * ks * Math.pow(a, c.s - 1)) / ((as + ks) * (as + ks)) / (1 - c.theta)
}
