import { hyp2f1, lgamma, nelderMead } from './optim'

/**
 * BG/NBD (Fader, Hardie & Lee 2005) for repeat-purchase counts and Gamma-Gamma (Fader, Hardie &
 * Lee 2005, "RFM and CLV") for spend per transaction. Inputs are per-customer summaries in any
 * time unit (weeks in tests): x = repeat transactions, tx = time of the last one since the first,
 * T = time from the first transaction to the end of calibration. Parameters are fitted by maximum
 * likelihood with Nelder-Mead on log-parameters; customers with identical (x, tx, T) are grouped.
 */

export interface CustomerSummary {
  x: number
  tx: number
  T: number
  /** Mean value of the repeat transactions (0 when x = 0). */
  monetary: number
}

export interface BgNbdParams {
  r: number
  alpha: number
  a: number
  b: number
}

export interface GammaGammaParams {
  p: number
  q: number
  gamma: number
}

interface Group {
  x: number
  tx: number
  T: number
  w: number
}

function group(customers: CustomerSummary[]): Group[] {
  const m = new Map<string, Group>()
  for (const c of customers) {
    const k = `${c.x}|${c.tx}|${c.T}`
    const g = m.get(k)
    if (g) g.w++
    else m.set(k, { x: c.x, tx: c.tx, T: c.T, w: 1 })
  }
  return [...m.values()]
}

/** Total BG/NBD log-likelihood. */
export function bgNbdLogLik(prm: BgNbdParams, groups: { x: number; tx: number; T: number; w: number }[]): number {
  const { r, alpha, a, b } = prm
  const base = lgamma(r) - r * Math.log(alpha)
  const lab = lgamma(a + b) - lgamma(b)
  let ll = 0
  for (const g of groups) {
    const a1 = lgamma(r + g.x) - base
    const a2 = lab + lgamma(b + g.x) - lgamma(a + b + g.x)
    const a3 = -(r + g.x) * Math.log(alpha + g.T)
    let l: number
    if (g.x > 0) {
      const a4 = Math.log(a) - Math.log(b + g.x - 1) - (r + g.x) * Math.log(alpha + g.tx)
      const mx = Math.max(a3, a4)
      l = a1 + a2 + mx + Math.log(Math.exp(a3 - mx) + Math.exp(a4 - mx))
    } else l = a1 + a2 + a3
    ll += g.w * l
  }
  return ll
}

/** Fit BG/NBD by maximum likelihood. */
export function fitBgNbd(customers: CustomerSummary[]): BgNbdParams & { logLik: number } {
  const groups = group(customers)
  const toP = (v: number[]): BgNbdParams => ({
    r: Math.exp(v[0] as number),
    alpha: Math.exp(v[1] as number),
    a: Math.exp(v[2] as number),
    b: Math.exp(v[3] as number),
  })
  let res = nelderMead((v) => -bgNbdLogLik(toP(v), groups), [0, 0, 0, 0], { maxIter: 4000, step: 1 })
  // A restart from the optimum escapes a collapsed simplex.
  res = nelderMead((v) => -bgNbdLogLik(toP(v), groups), res.x, { maxIter: 4000, step: 0.2 })
  return { ...toP(res.x), logLik: -res.value }
}

/** Expected transactions in the next `t` time units for a customer with history (x, tx, T). */
export function bgNbdExpected(prm: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = prm
  if (Math.abs(a - 1) < 1e-9) return Number.NaN // the closed form has a removable singularity at a = 1
  const z = t / (alpha + T + t)
  const head =
    ((a + b + x - 1) / (a - 1)) *
    (1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z))
  const tail = x > 0 ? 1 + (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x) : 1
  return head / tail
}

/** Probability the customer is still "alive" (has not dropped out). */
export function bgNbdProbAlive(prm: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1
  const { r, alpha, a, b } = prm
  return 1 / (1 + (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x))
}

/** Gamma-Gamma log-likelihood over repeat buyers (x > 0, monetary > 0). */
export function gammaGammaLogLik(prm: GammaGammaParams, buyers: { x: number; m: number }[]): number {
  const { p, q, gamma } = prm
  let ll = 0
  const c = q * Math.log(gamma) - lgamma(q)
  for (const { x, m } of buyers) {
    ll +=
      lgamma(p * x + q) -
      lgamma(p * x) +
      c +
      (p * x - 1) * Math.log(m) +
      p * x * Math.log(x) -
      (p * x + q) * Math.log(gamma + m * x)
  }
  return ll
}

/** Fit Gamma-Gamma on repeat buyers. */
export function fitGammaGamma(customers: CustomerSummary[]): GammaGammaParams & { logLik: number; buyers: number } {
  const buyers = customers.filter((c) => c.x > 0 && c.monetary > 0).map((c) => ({ x: c.x, m: c.monetary }))
  if (buyers.length < 10) throw new Error(`Gamma-Gamma needs at least 10 repeat buyers, found ${buyers.length}`)
  const toP = (v: number[]): GammaGammaParams => ({
    p: Math.exp(v[0] as number),
    q: Math.exp(v[1] as number),
    gamma: Math.exp(v[2] as number),
  })
  let res = nelderMead((v) => -gammaGammaLogLik(toP(v), buyers), [0, 0, 0], { maxIter: 4000, step: 1 })
  res = nelderMead((v) => -gammaGammaLogLik(toP(v), buyers), res.x, { maxIter: 4000, step: 0.2 })
  return { ...toP(res.x), logLik: -res.value, buyers: buyers.length }
}

/** Expected mean spend per future transaction given x repeat transactions with mean value m. */
export function gammaGammaExpectedSpend(prm: GammaGammaParams, x: number, m: number): number {
  const { p, q, gamma } = prm
  const pop = (p * gamma) / (q - 1)
  if (x === 0 || !(m > 0)) return pop
  const w = (q - 1) / (p * x + q - 1)
  return w * pop + (1 - w) * m
}

/** One order: a customer id, an ISO date and its value (any units). */
export interface OrderLike {
  customerId: string
  date: string
  value: number
}

/**
 * Per-customer summaries from orders, as the BTYD literature builds them: orders of a customer on
 * one day are merged into one transaction (values summed); only orders on or before `calEnd`
 * count; times in units of `unitDays` days, T from the first purchase day to `calEnd`.
 */
export function summarise(
  orders: OrderLike[],
  calEnd: string,
  unitDays = 7,
): Map<string, CustomerSummary & { first: string }> {
  const endMs = Date.parse(`${calEnd}T00:00:00Z`)
  const byCustomer = new Map<string, Map<string, number>>()
  for (const o of orders) {
    if (o.date > calEnd) continue
    const days = byCustomer.get(o.customerId) ?? new Map<string, number>()
    byCustomer.set(o.customerId, days)
    days.set(o.date, (days.get(o.date) ?? 0) + o.value)
  }
  const out = new Map<string, CustomerSummary & { first: string }>()
  const unit = unitDays * 86_400_000
  for (const [id, days] of byCustomer) {
    const dates = [...days.keys()].sort()
    const first = dates[0] as string
    const last = dates[dates.length - 1] as string
    const f = Date.parse(`${first}T00:00:00Z`)
    const x = dates.length - 1
    let repeatValue = 0
    for (const d of dates.slice(1)) repeatValue += days.get(d) as number
    out.set(id, {
      x,
      tx: (Date.parse(`${last}T00:00:00Z`) - f) / unit,
      T: (endMs - f) / unit,
      monetary: x > 0 ? repeatValue / x : 0,
      first,
    })
  }
  return out
}
