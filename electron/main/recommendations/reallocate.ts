/**
 * Budget reallocation along response curves, under guardrails. Pure: the service hands it the
 * budget holders with their curves (from the ML module's response-curve service) and gets back
 * the new budgets and the curve-predicted revenue before and after.
 *
 * A curve is a table of points (daily spend → daily revenue and marginal ROAS) in units of the
 * account currency; the engine interpolates it, so it works with whatever curve model the ML
 * module fits. Changing a budget by a factor m is assumed to change the entity's spend by the
 * same factor (spend = budget × its recent utilisation).
 */

import { runSteps, type Steps } from '../scheduler/slices'

export interface CurvePoint {
  spend: number
  revenue: number
  marginalRoas: number
}

export interface Holder {
  key: string
  /** Daily budget, currency units. */
  budget: number
  /** Recent daily spend, currency units. */
  spend: number
  curve: CurvePoint[] | null
  /** Why this holder may not move (learning, paused, no usable curve), or null. */
  held: string | null
}

export interface Guardrails {
  /** Largest relative change per entity per step (0.3 = ±30%). */
  maxStep: number
  /** Smallest daily budget a holder may be given, currency units. */
  floor: number
}

export const DEFAULT_GUARDRAILS: Guardrails = { maxStep: 0.3, floor: 1 }

export interface Allocation {
  key: string
  budgetBefore: number
  budgetAfter: number
  spendBefore: number
  spendAfter: number
  revenueBefore: number
  revenueAfter: number
  marginalBefore: number
  marginalAfter: number
  held: string | null
}

function locate(curve: CurvePoint[], x: number): { i: number; t: number } {
  const last = curve.length - 1
  if (x <= (curve[0] as CurvePoint).spend) return { i: 0, t: 0 }
  if (x >= (curve[last] as CurvePoint).spend) return { i: last - 1, t: 1 }
  let lo = 0
  let hi = last
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if ((curve[mid] as CurvePoint).spend <= x) lo = mid
    else hi = mid
  }
  const a = curve[lo] as CurvePoint
  const b = curve[hi] as CurvePoint
  return { i: lo, t: b.spend > a.spend ? (x - a.spend) / (b.spend - a.spend) : 0 }
}

/** Daily revenue at a steady daily spend `x` (linear between points; linear beyond the last). */
export function revenueAt(curve: CurvePoint[], x: number): number {
  const { i, t } = locate(curve, x)
  const a = curve[i] as CurvePoint
  const b = curve[i + 1] as CurvePoint
  if (x > b.spend) return b.revenue + b.marginalRoas * (x - b.spend)
  return a.revenue + t * (b.revenue - a.revenue)
}

/** Marginal ROAS (d revenue / d spend) at daily spend `x`. */
export function marginalAt(curve: CurvePoint[], x: number): number {
  const { i, t } = locate(curve, x)
  const a = curve[i] as CurvePoint
  const b = curve[i + 1] as CurvePoint
  return a.marginalRoas + Math.min(1, t) * (b.marginalRoas - a.marginalRoas)
}

/**
 * Move budget from the holders with the lowest marginal return per unit of budget to those with
 * the highest, in small steps, until the marginal returns are as equal as the guardrails allow
 * (each holder within ±maxStep of its budget and above the floor; held holders do not move).
 * The total budget is unchanged.
 */
export function reallocate(holders: Holder[], g: Guardrails = DEFAULT_GUARDRAILS): Allocation[] {
  return runSteps(reallocateSteps(holders, g))
}

/** Moves of `reallocateSteps` between two steps (an account of 2,000 holders: a few ms each). */
const MOVES_PER_STEP = 200

/** `reallocate` as steps (a turn of the event loop can be given between them): the same allocation. */
export function* reallocateSteps(holders: Holder[], g: Guardrails = DEFAULT_GUARDRAILS): Steps<Allocation[]> {
  const movable = holders.filter((h) => h.held === null && h.curve !== null && h.budget > 0 && h.spend > 0)
  const n = movable.length
  const budget = new Float64Array(n)
  const lo = new Float64Array(n)
  const hi = new Float64Array(n)
  const util = new Float64Array(n)
  let total = 0
  movable.forEach((h, i) => {
    budget[i] = h.budget
    lo[i] = Math.min(h.budget, Math.max(g.floor, h.budget * (1 - g.maxStep)))
    hi[i] = h.budget * (1 + g.maxStep)
    util[i] = h.spend / h.budget
    total += h.budget
  })
  // Gains are cached: a move changes only the giver's and the taker's (on an account of 1,700
  // holders, recomputing every gain on every move was most of a 10,000-campaign generation).
  const gains = Float64Array.from(movable, (_, i) => gainOf(movable, budget, util, i))
  yield
  const mover = new Mover(movable, budget, lo, hi, util, gains, total)
  while (!mover.run(MOVES_PER_STEP)) yield
  const after = new Map(movable.map((h, i) => [h.key, budget[i] as number]))
  return holders.map((h) => {
    const b = after.get(h.key) ?? h.budget
    const u = h.budget > 0 ? h.spend / h.budget : 0
    const sAfter = b * u
    const c = h.curve
    return {
      key: h.key,
      budgetBefore: h.budget,
      budgetAfter: b,
      spendBefore: h.spend,
      spendAfter: sAfter,
      revenueBefore: c ? revenueAt(c, h.spend) : 0,
      revenueAfter: c ? revenueAt(c, sAfter) : 0,
      marginalBefore: c ? marginalAt(c, h.spend) : 0,
      marginalAfter: c ? marginalAt(c, sAfter) : 0,
      held: h.held,
    }
  })
}

/** Return of one more unit of budget: marginal ROAS at the spend it buys × spend per budget unit. */
function gainOf(movable: readonly Holder[], budget: Float64Array, util: Float64Array, i: number): number {
  return marginalAt(movable[i]?.curve as CurvePoint[], budget[i]! * util[i]!) * util[i]!
}

/**
 * The reallocation's moves, a batch per call (`run`): its loop lives here and not in the steps'
 * generator, so V8 optimises this small loop instead of recompiling the generator (session 17).
 */
class Mover {
  // The step halves whenever a move overshoots (the donor ends up returning more than the
  // receiver), so the loop converges instead of trading the same amount back and forth.
  private step: number
  private readonly minStep: number
  private iter = 0
  private done: boolean
  // The scan's picks from two heaps: the giver is the holder with the lowest gain that may still
  // give (ties: the lowest index), the taker the one with the highest gain that may still take.
  // A move changes only the giver's and the taker's gain and room, so only their entries are
  // renewed (older ones are skipped when they reach the top): log n per move instead of a scan of
  // every holder (20,000 moves over 2,000 holders on an account at 10,000 campaigns).
  private readonly version: Uint32Array
  private readonly give = new PickHeap((a, b) => a.g < b.g || (a.g === b.g && a.i < b.i))
  private readonly take = new PickHeap((a, b) => a.g > b.g || (a.g === b.g && a.i < b.i))

  constructor(
    private readonly movable: readonly Holder[],
    private readonly budget: Float64Array,
    private readonly lo: Float64Array,
    private readonly hi: Float64Array,
    private readonly util: Float64Array,
    private readonly gains: Float64Array,
    total: number,
  ) {
    const n = movable.length
    this.step = total / 1000
    this.minStep = total / 1e6
    this.done = n < 2
    this.version = new Uint32Array(n)
    if (!this.done) for (let i = 0; i < n; i++) this.offer(i)
  }

  private offer(i: number): void {
    const gi = this.gains[i]!
    // As the scan: a gain of NaN is never picked, +Infinity never gives, -Infinity never takes.
    if (gi < Infinity && this.budget[i]! > this.lo[i]! + 1e-9) this.give.push({ i, g: gi, v: this.version[i]! })
    if (gi > -Infinity && this.budget[i]! < this.hi[i]! - 1e-9) this.take.push({ i, g: gi, v: this.version[i]! })
  }

  /** Up to `moves` moves (20,000 in all at most); true when the reallocation is done. */
  run(moves: number): boolean {
    const { budget, lo, hi, gains, version } = this
    for (let k = 0; k < moves && !this.done; k++) {
      if (this.iter >= 20_000 || this.step < this.minStep) {
        this.done = true
        break
      }
      this.iter++
      const g = this.give.top(version)
      const t = this.take.top(version)
      if (g < 0 || t < 0 || g === t) {
        this.done = true
        break
      }
      const gMin = gains[g]!
      const gMax = gains[t]!
      if (gMax - gMin <= 1e-3 * Math.abs(gMax)) {
        this.done = true
        break
      }
      const d = Math.min(this.step, budget[g]! - lo[g]!, hi[t]! - budget[t]!)
      if (d <= 1e-12) {
        this.done = true
        break
      }
      budget[g]! -= d
      budget[t]! += d
      gains[g] = gainOf(this.movable, budget, this.util, g)
      gains[t] = gainOf(this.movable, budget, this.util, t)
      if (gains[g]! > gains[t]!) {
        budget[g]! += d / 2
        budget[t]! -= d / 2
        gains[g] = gainOf(this.movable, budget, this.util, g)
        gains[t] = gainOf(this.movable, budget, this.util, t)
        this.step /= 2
      }
      version[g]! += 1
      version[t]! += 1
      this.offer(g)
      this.offer(t)
    }
    return this.done
  }
}

/** A holder's gain as it was when offered, with its version then (a newer version makes it stale). */
interface Pick {
  i: number
  g: number
  v: number
}

/** A binary heap of picks, `before` at the top; `top` drops the stale ones first. */
class PickHeap {
  private readonly a: Pick[] = []

  constructor(private readonly before: (x: Pick, y: Pick) => boolean) {}

  push(p: Pick): void {
    const a = this.a
    let k = a.length
    a.push(p)
    while (k > 0) {
      const up = (k - 1) >> 1
      if (!this.before(p, a[up] as Pick)) break
      a[k] = a[up] as Pick
      k = up
    }
    a[k] = p
  }

  /** The top holder whose entry is current (-1: none). */
  top(version: Uint32Array): number {
    const a = this.a
    while (a.length && (a[0] as Pick).v !== version[(a[0] as Pick).i]) this.pop()
    return a.length ? (a[0] as Pick).i : -1
  }

  private pop(): void {
    const a = this.a
    const last = a.pop() as Pick
    if (!a.length) return
    let k = 0
    for (;;) {
      const l = 2 * k + 1
      if (l >= a.length) break
      const r = l + 1
      const c = r < a.length && this.before(a[r] as Pick, a[l] as Pick) ? r : l
      if (!this.before(a[c] as Pick, last)) break
      a[k] = a[c] as Pick
      k = c
    }
    a[k] = last
  }
}
