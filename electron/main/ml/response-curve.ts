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
  /**
   * The elasticity of the outcome to the entity's own spend with the season controlled for (see
   * `controlledElasticity`), when the fit was given the account's totals; null when too few
   * weeks allowed it. Undefined: fitted without a control (then the gates below do not apply).
   */
  controlled?: ControlledElasticity | null
  /**
   * Out-of-sample check: 1 − SSE(curve) / SSE(constant ROAS) on the weekly outcomes of the last
   * HOLDOUT_DAYS, both fitted on the days before and levelled on their last 28 days. Positive: the
   * curve's shape predicts unseen weeks better than "revenue in proportion to spend". Null when
   * the hold-out could not be fitted; undefined without a control.
   */
  holdoutGain?: number | null
  /** The curve's elasticity (marginal / average return) at the mean daily spend of its last 28 days. */
  recentElasticity?: number
}

/** Weekly share regression of an entity against the rest of its account (the season control). */
export interface ControlledElasticity {
  /** d log outcome / d log own spend, the rest of the account held as the control. */
  e: number
  /** Its standard error. */
  se: number
  weeks: number
}

/** The account's daily totals on the entity's days (the entity included), currency units. */
export interface SeasonControl {
  spend: ArrayLike<number>
  y: ArrayLike<number>
}

/** A curve is only used when the season-controlled elasticity is known this precisely. */
export const MAX_ELASTICITY_SE = 0.15
/** Days held out at the end of the window for the out-of-sample check. */
export const HOLDOUT_DAYS = 28
/**
 * Two-sided 95% normal quantile: a curve is refused when its elasticity disagrees with the
 * season-controlled estimate at the usual 5% level (an 80% interval refused one in five curves
 * that agree with the truth).
 */
const Z95 = 1.96
/** Fewest full weeks for the controlled regression. */
export const MIN_CONTROL_WEEKS = 8

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

/** Sums over 7-day weeks aligned to the end of the series: week k covers days [n − 7(k+1), n − 7k). */
function weekSums(v: ArrayLike<number>, n: number): Float64Array {
  const w = new Float64Array(Math.floor(n / 7))
  for (let k = 0; k < w.length; k++) for (let i = n - 7 * (k + 1); i < n - 7 * k; i++) w[k]! += v[i] as number
  return w
}

/**
 * Elasticity of an entity's outcome to its own spend with the season controlled for. Seasons,
 * weekdays and market swings move an account's spend and its revenue per unit of spend together
 * (budgets are raised for the months that convert best), so a curve fitted on an entity's own
 * history reads the season as the response to spend. Here each week's outcome and spend are taken
 * relative to the rest of the account in the same week (the control: what the season did to
 * everyone):
 *
 *   log(y_w / Y_w) = a + e · log(s_w / S_w) + ε_w,   Y, S = the rest of the account's outcome and spend,
 *
 * so a season that multiplies the account's revenue per unit of spend cancels, and `e` is read off
 * the weeks where this entity's spend moved differently from the account's (its own budget
 * changes). It assumes the rest of the account responds to its spend with about the same
 * elasticity (if it responded with e', e is biased towards e' in proportion to how much the two
 * spends move together). Only full weeks with spend every day and a positive outcome on both
 * sides count; null with fewer than MIN_CONTROL_WEEKS of them or no spread in relative spend.
 */
export function controlledElasticity(
  spend: ArrayLike<number>,
  y: ArrayLike<number>,
  control: SeasonControl,
): ControlledElasticity | null {
  const n = spend.length
  const xs: number[] = []
  const ys: number[] = []
  for (let k = 0; 7 * (k + 1) <= n; k++) {
    let s = 0
    let r = 0
    let S = 0
    let R = 0
    let idle = false
    for (let i = n - 7 * (k + 1); i < n - 7 * k; i++) {
      if (!((spend[i] as number) > 0)) idle = true
      s += spend[i] as number
      r += y[i] as number
      S += control.spend[i] as number
      R += control.y[i] as number
    }
    const So = S - s
    const Ro = R - r
    if (idle || !(r > 0) || !(So > 0) || !(Ro > 0)) continue
    xs.push(Math.log(s / So))
    ys.push(Math.log(r / Ro))
  }
  const m = xs.length
  if (m < MIN_CONTROL_WEEKS) return null
  const mx = xs.reduce((a, b) => a + b, 0) / m
  const my = ys.reduce((a, b) => a + b, 0) / m
  let sxx = 0
  let sxy = 0
  for (let i = 0; i < m; i++) {
    sxx += ((xs[i] as number) - mx) ** 2
    sxy += ((xs[i] as number) - mx) * ((ys[i] as number) - my)
  }
  if (!(sxx > 1e-12)) return null
  const e = sxy / sxx
  let sse = 0
  for (let i = 0; i < m; i++) sse += ((ys[i] as number) - my - e * ((xs[i] as number) - mx)) ** 2
  return { e, se: Math.sqrt(sse / (m - 2) / sxx), weeks: m }
}

/**
 * The outcome series with the season taken out, in the conditions of the last four weeks: each
 * week's outcome × exp(c_ref − c_w), where c_w = log Y_w − ê log S_w is the rest of the account's
 * outcome net of what its own spend explains (ê = the controlled elasticity, in [0.05, 1]) and
 * c_ref its mean over the last four weeks. Days before the first full week take its factor.
 */
export function deseasonalise(
  spend: ArrayLike<number>,
  y: ArrayLike<number>,
  control: SeasonControl,
  e: number,
): Float64Array {
  const n = spend.length
  const out = Float64Array.from(y as ArrayLike<number>)
  const weeks = Math.floor(n / 7)
  if (weeks < 4) return out
  const own = { s: weekSums(spend, n), y: weekSums(y, n) }
  const all = { s: weekSums(control.spend, n), y: weekSums(control.y, n) }
  const ee = Math.min(1, Math.max(0.05, e))
  const c = new Float64Array(weeks).fill(Number.NaN)
  for (let k = 0; k < weeks; k++) {
    const So = (all.s[k] as number) - (own.s[k] as number)
    const Yo = (all.y[k] as number) - (own.y[k] as number)
    if (So > 0 && Yo > 0) c[k] = Math.log(Yo) - ee * Math.log(So)
  }
  let ref = 0
  let cnt = 0
  for (let k = 0; k < 4; k++)
    if (Number.isFinite(c[k])) {
      ref += c[k] as number
      cnt++
    }
  if (!cnt) return out
  ref /= cnt
  for (let i = 0; i < n; i++) {
    const k = Math.min(weeks - 1, Math.floor((n - 1 - i) / 7))
    const ck = c[k] as number
    if (Number.isFinite(ck)) out[i] = (out[i] as number) * Math.exp(ref - ck)
  }
  return out
}

/**
 * The out-of-sample check of a curve fitted on `spend`/`y` (see ResponseCurve.holdoutGain): the
 * same model is fitted without the last HOLDOUT_DAYS, both it and a constant ROAS are levelled on
 * the LEVEL_DAYS before the hold-out, and their weekly errors on the hold-out are compared.
 */
function holdoutGain(spend: ArrayLike<number>, y: ArrayLike<number>): number | null {
  const n = spend.length
  const cut = n - HOLDOUT_DAYS
  if (cut < 42) return null
  const s0 = Float64Array.from(spend as ArrayLike<number>).subarray(0, cut)
  const y0 = Float64Array.from(y as ArrayLike<number>).subarray(0, cut)
  const fit = fitShape(s0, y0)
  if (!fit) return null
  const c = anchorLevel(fit, s0, y0)
  const f = fitted(spend, c.theta, c.s, c.k)
  let ls = 0
  let ly = 0
  for (let i = cut - LEVEL_DAYS; i < cut; i++) {
    ls += spend[i] as number
    ly += y[i] as number
  }
  if (!(ls > 0)) return null
  const roas = ly / ls
  let eCurve = 0
  let eProp = 0
  for (let end = n; end - 7 >= cut; end -= 7) {
    let obs = 0
    let pc = 0
    let pp = 0
    for (let i = end - 7; i < end; i++) {
      obs += y[i] as number
      pc += c.beta * (f[i] as number)
      pp += roas * (spend[i] as number)
    }
    eCurve += (obs - pc) ** 2
    eProp += (obs - pp) ** 2
  }
  return eProp > 0 ? 1 - eCurve / eProp : null
}

/** Enough spend days to fit a curve on (fewer than 14, or no spend: `fitShape` gives none). */
function spendToFit(spend: ArrayLike<number>): { maxSpend: number } | null {
  let active = 0
  let maxSpend = 0
  for (let i = 0; i < spend.length; i++) {
    if ((spend[i] as number) > 0) active++
    maxSpend = Math.max(maxSpend, spend[i] as number)
  }
  return active < 14 || maxSpend <= 0 ? null : { maxSpend }
}

/** Fit a curve on aligned daily spend and outcome arrays (units); null without enough spend days. */
function fitShape(spend: ArrayLike<number>, y: ArrayLike<number>): ResponseCurve | null {
  const n = spend.length
  const enough = spendToFit(spend)
  if (!enough) return null
  const { maxSpend } = enough
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

/**
 * Fit a curve on aligned daily spend and outcome arrays (units); null without enough spend days.
 * With `control` (the account's daily totals on the same days) the season is taken out first: the
 * controlled elasticity is estimated (`controlledElasticity`), the outcome deseasonalised with it,
 * the curve fitted on that, and checked out of sample (`holdoutGain`); `curveProblem` then also
 * requires a precisely known controlled elasticity and a positive hold-out gain.
 */
export function fitResponseCurve(
  spend: ArrayLike<number>,
  y: ArrayLike<number>,
  control?: SeasonControl,
): ResponseCurve | null {
  if (!control) return fitShape(spend, y)
  const controlled = controlledElasticity(spend, y, control)
  const adjusted = controlled ? deseasonalise(spend, y, control, controlled.e) : Float64Array.from(y)
  const c = fitShape(spend, adjusted)
  if (!c) return null
  let recent = 0
  for (let i = Math.max(0, spend.length - LEVEL_DAYS); i < spend.length; i++) recent += spend[i] as number
  recent /= Math.min(LEVEL_DAYS, spend.length)
  const at = responseAt(c, recent)
  return {
    ...c,
    controlled,
    holdoutGain: holdoutGain(spend, adjusted),
    recentElasticity: at > 0 ? (marginalAt(c, recent) * recent) / at : 0,
  }
}

/**
 * The problem `curveProblem` gives the curve `fitResponseCurve(spend, y, control)` fits (anchored or
 * not) when the season control alone decides it (too few weeks with spend every day, or an
 * elasticity not identified), found without fitting the curve; null when the fit decides, or when
 * there are too few spend days to fit one (the curve is then null).
 */
export function problemBeforeFit(
  spend: ArrayLike<number>,
  y: ArrayLike<number>,
  control: SeasonControl,
): string | null {
  if (!spendToFit(spend)) return null
  return controlProblem(controlledElasticity(spend, y, control))
}

/** The season control's part of `curveProblem` (a curve fitted with a control). */
function controlProblem(controlled: ControlledElasticity | null): string | null {
  if (controlled === null)
    return `too few weeks (< ${MIN_CONTROL_WEEKS}) with spend every day to separate the response to spend from the season`
  if (!(controlled.se <= MAX_ELASTICITY_SE))
    return `the response to spend is not identified once the season is controlled for (elasticity ${controlled.e.toFixed(2)} ± ${controlled.se.toFixed(2)}, needs ± ${MAX_ELASTICITY_SE})`
  return null
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
  const control = c.controlled === undefined ? null : controlProblem(c.controlled)
  if (control !== null) return control
  if (!(c.r2Weekly >= MIN_CURVE_R2))
    return `the response curve explains too little of the weekly outcomes (R² ${c.r2Weekly.toFixed(2)} < ${MIN_CURVE_R2})`
  if (c.beta <= 0) return 'no measurable response to spend'
  // Without the season control, a fit with K at its bound reads as a straight line; with it, the
  // curve's elasticity is checked against the controlled estimate instead (a power law below
  // saturation is a fine curve when its elasticity is the one the data shows).
  if (c.controlled === undefined && c.kRel >= K_MAX * K_BOUND_SHARE)
    return 'no saturation in the spend seen: the fit is a straight line at the bound of its saturation point'
  if (c.controlled && c.recentElasticity !== undefined) {
    const half = Z95 * c.controlled.se
    if (Math.abs(c.recentElasticity - c.controlled.e) > half)
      return `the curve's elasticity at recent spend (${c.recentElasticity.toFixed(2)}) is outside the season-controlled estimate's 95% interval (${(c.controlled.e - half).toFixed(2)} to ${(c.controlled.e + half).toFixed(2)})`
  }
  if (c.holdoutGain === null) return 'too few days before the last four weeks to check the curve out of sample'
  if (c.holdoutGain !== undefined && !(c.holdoutGain > 0))
    return `the curve predicts the last four weeks no better than revenue in proportion to spend (out-of-sample gain ${c.holdoutGain.toFixed(2)})`
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
