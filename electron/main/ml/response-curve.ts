import { nelderMead } from './optim'

/**
 * Spend-response curve of one entity: y_t = beta * hill(A_t) with geometric adstock
 * A_t = spend_t + theta * A_{t-1} (carry-over) and Hill saturation hill(A) = A^s / (A^s + K^s).
 *
 * Constrained to diminishing returns: the shape s is kept in [S_MIN, 1], where the Hill function is
 * concave in spend, so the marginal return never rises with spend (an S-shaped s > 1 would let
 * marginal ROAS grow with spend). Every parameter is bounded: theta in [0, THETA_MAX],
 * K within [K_MIN, K_MAX] times the steady adstock of the largest daily spend seen, beta >= 0 (closed
 * form). Fitted by least squares: a coarse grid with beta in closed form, then Nelder-Mead on
 * sigmoid-mapped (bounded) coordinates. At a steady daily spend x the adstock settles at
 * x / (1 - theta), which gives the response and its derivative (the marginal return) at any x.
 *
 * Fit quality: `r2` on the fitted days and `r2Weekly` on 7-day sums (daily outcomes carry
 * Poisson-like noise a spend curve cannot explain). A curve is only *used* (shown, and driving the
 * what-if, and the recommendation engine's reallocation) when `r2Weekly >= MIN_CURVE_R2` and the
 * saturation point is not at its bound; see `curveProblem`. Its level is then re-estimated on the
 * last LEVEL_DAYS days (`anchorLevel`).
 */

export const S_MIN = 0.5
export const S_MAX = 1
export const THETA_MAX = 0.8
export const K_MIN = 0.1
export const K_MAX = 10
/**
 * A fit whose saturation point reaches this share of K_MAX is at the bound: the data showed no
 * saturation (measured on the recommend bench: such fits are nearly straight lines whose
 * elasticity, about 0.92, is set by the bound, while the simulator's true one is 0.64).
 */
export const K_BOUND_SHARE = 0.95
/** Below this R² of weekly sums a fitted curve is not used. */
export const MIN_CURVE_R2 = 0.5

export interface ResponseCurve {
  theta: number
  s: number
  k: number
  beta: number
  /** Share of variance explained on the fitted days. */
  r2: number
  /** Share of variance of 7-day sums explained (the quality gate). */
  r2Weekly: number
  days: number
  /**
   * Saturation point K relative to the steady adstock of the largest daily spend seen. At the
   * upper bound K_MAX the data showed no saturation: the curve is a straight line over the spend
   * seen and its curvature is an artefact of the bound.
   */
  kRel: number
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

function fitted(spend: ArrayLike<number>, theta: number, s: number, k: number): Float64Array {
  const a = adstock(spend, theta)
  for (let i = 0; i < a.length; i++) a[i] = hill(a[i] as number, s, k)
  return a
}

function sse(
  spend: ArrayLike<number>,
  y: ArrayLike<number>,
  theta: number,
  s: number,
  k: number,
): { sse: number; beta: number } {
  const h = fitted(spend, theta, s, k)
  let sy = 0
  let ss = 0
  for (let i = 0; i < h.length; i++) {
    sy += (h[i] as number) * (y[i] as number)
    ss += (h[i] as number) ** 2
  }
  const beta = ss > 0 ? Math.max(0, sy / ss) : 0
  let e = 0
  for (let i = 0; i < h.length; i++) e += ((y[i] as number) - beta * (h[i] as number)) ** 2
  return { sse: e, beta }
}

function r2Of(y: ArrayLike<number>, f: ArrayLike<number>): number {
  let mean = 0
  for (let i = 0; i < y.length; i++) mean += (y[i] as number) / y.length
  let res = 0
  let tot = 0
  for (let i = 0; i < y.length; i++) {
    res += ((y[i] as number) - (f[i] as number)) ** 2
    tot += ((y[i] as number) - mean) ** 2
  }
  return tot > 0 ? 1 - res / tot : 0
}

/** 7-day sums aligned to the end of the series (a partial first week is dropped). */
function weekly(v: ArrayLike<number>): number[] {
  const out: number[] = []
  for (let end = v.length; end - 7 >= 0; end -= 7) {
    let s = 0
    for (let i = end - 7; i < end; i++) s += v[i] as number
    out.push(s)
  }
  return out
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v))
const logit = (p: number): number => {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p))
  return Math.log(q / (1 - q))
}

/** Fit a curve on aligned daily spend and outcome arrays (units); null without enough spend days. */
export function fitResponseCurve(spend: ArrayLike<number>, y: ArrayLike<number>): ResponseCurve | null {
  const n = spend.length
  let active = 0
  let maxSpend = 0
  for (let i = 0; i < n; i++) {
    if ((spend[i] as number) > 0) active++
    maxSpend = Math.max(maxSpend, spend[i] as number)
  }
  if (active < 14 || maxSpend <= 0) return null
  // K is expressed relative to the steady adstock of the largest daily spend, kept in [K_MIN, K_MAX].
  const kOf = (theta: number, m: number): number => (m * maxSpend) / (1 - theta)
  let best = { theta: 0, s: 1, m: 1, sse: Number.POSITIVE_INFINITY }
  for (const theta of [0, 0.2, 0.4, 0.6, 0.8]) {
    for (const s of [0.5, 0.75, 1]) {
      for (const m of [0.1, 0.25, 0.5, 1, 2, 4, 10]) {
        const r = sse(spend, y, theta, s, kOf(theta, m))
        if (r.sse < best.sse) best = { theta, s, m, sse: r.sse }
      }
    }
  }
  const lnMin = Math.log(K_MIN)
  const lnMax = Math.log(K_MAX)
  const decode = (v: number[]): { theta: number; s: number; k: number } => {
    const theta = THETA_MAX * sigmoid(v[0] as number)
    const s = S_MIN + (S_MAX - S_MIN) * sigmoid(v[1] as number)
    const m = Math.exp(lnMin + (lnMax - lnMin) * sigmoid(v[2] as number))
    return { theta, s, k: kOf(theta, m) }
  }
  const res = nelderMead(
    (v) => {
      const d = decode(v)
      return sse(spend, y, d.theta, d.s, d.k).sse
    },
    [
      logit(best.theta / THETA_MAX),
      logit((best.s - S_MIN) / (S_MAX - S_MIN)),
      logit((Math.log(best.m) - lnMin) / (lnMax - lnMin)),
    ],
    { maxIter: 300, step: 0.3, tol: 1e-8 },
  )
  // Keep the grid point if the local search did not improve on it.
  const d = res.value <= best.sse ? decode(res.x) : { theta: best.theta, s: best.s, k: kOf(best.theta, best.m) }
  const kRel = (d.k * (1 - d.theta)) / maxSpend
  const fit = sse(spend, y, d.theta, d.s, d.k)
  const f = fitted(spend, d.theta, d.s, d.k)
  for (let i = 0; i < n; i++) f[i] = fit.beta * (f[i] as number)
  return {
    ...d,
    beta: fit.beta,
    r2: r2Of(y, f),
    r2Weekly: r2Of(weekly(y), weekly(f)),
    days: n,
    kRel,
  }
}

/** Days at the end of the fitted window on which the curve's level is re-estimated. */
export const LEVEL_DAYS = 28

/**
 * The same curve with its level (beta) re-estimated on the last `days` days: the shape (carry-over,
 * curvature, saturation point) is what a long history tells; the level drifts (creatives tire and
 * are replaced, seasons change), so it is read where the next weeks will be. beta' = beta × Σ y /
 * Σ fitted over those days (the least-squares level with the shape fixed would weight them by the
 * fitted values; the ratio keeps recent revenue per unit of fitted response exact). The R²s stay
 * those of the fit.
 */
export function anchorLevel(
  c: ResponseCurve,
  spend: ArrayLike<number>,
  y: ArrayLike<number>,
  days = LEVEL_DAYS,
): ResponseCurve {
  const f = fitted(spend, c.theta, c.s, c.k)
  let sy = 0
  let sf = 0
  for (let i = Math.max(0, spend.length - days); i < spend.length; i++) {
    sy += y[i] as number
    sf += c.beta * (f[i] as number)
  }
  if (!(sf > 0) || !(sy > 0)) return c
  return { ...c, beta: (c.beta * sy) / sf }
}

/** Why a fitted curve is not used, or null when it is usable. */
export function curveProblem(c: ResponseCurve | null): string | null {
  if (!c) return 'fewer than 14 spend days to fit a response curve'
  if (!(c.r2Weekly >= MIN_CURVE_R2))
    return `the response curve explains too little of the weekly outcomes (R² ${c.r2Weekly.toFixed(2)} < ${MIN_CURVE_R2})`
  if (c.beta <= 0) return 'no measurable response to spend'
  if (c.kRel >= K_MAX * K_BOUND_SHARE)
    return 'no saturation in the spend seen: the fit is a straight line at the bound of its saturation point'
  return null
}

export const curveUsable = (c: ResponseCurve | null): c is ResponseCurve => curveProblem(c) === null

/** Expected outcome per day at a steady daily spend `x`. */
export function responseAt(c: ResponseCurve, x: number): number {
  return c.beta * hill(x / (1 - c.theta), c.s, c.k)
}

/** Marginal outcome of one more unit of daily spend at steady spend `x` (d response / d spend). */
export function marginalAt(c: ResponseCurve, x: number): number {
  const a = x / (1 - c.theta)
  if (a <= 0) return c.s < 1 ? Number.POSITIVE_INFINITY : c.beta / c.k / (1 - c.theta)
  const ks = Math.pow(c.k, c.s)
  const as = Math.pow(a, c.s)
  return (c.beta * c.s * ks * Math.pow(a, c.s - 1)) / ((as + ks) * (as + ks)) / (1 - c.theta)
}
