/**
 * What limits the recommend bench's `capture` (docs/recommendations.md, "Session 10"): on the
 * bench's simulated world (120 campaigns x 240 days, cut-off 28 days before the end), campaign-level
 * holders, the engine's optimiser and guardrails, allocations built from different knowledge
 * (fallback power law, true past/future elasticities, the expected future level, estimated
 * elasticities with and without the season control, level estimators) are evaluated on the
 * bench's draw, against the oracle on the evaluated draw and against the oracle on the mean of K
 * other draws (noiseSeed). Diagnosis only: not part of the app or the bench.
 *
 *   npx tsx scripts/recommend-ceiling.ts SEED      (K=16 by default: ME env K=4 for a quicker run)
 */
import { addDays } from '../shared/domain/dates'
import { reallocate, type CurvePoint, type Holder } from '../electron/main/recommendations/reallocate'
import { buildWorld, type SimWorld } from '../electron/main/sync/simulator'

const HORIZON = 28
const GRID = Array.from({ length: 13 }, (_, i) => 0.7 + i * 0.05)
const seed = Number(process.argv[2] ?? 42)
const endDate = '2026-10-31'
const days = 240
const campaigns = 120
const cutoff = addDays(endDate, -HORIZON)
const world = buildWorld({ seed, campaigns, days, endDate })
const from = addDays(cutoff, 1)

function simulate(w: SimWorld, f: string, t: string, asOf: string, budgets: Map<string, number>) {
  const out = new Map<string, number>()
  for (const acc of w.accounts)
    for (const r of w.rows(acc.key, { from: f, to: t, asOf, budgets }))
      out.set(r.campaignExternalId, (out.get(r.campaignExternalId) ?? 0) + r.conversionValueMicros / 1e6)
  return out
}
const total = (m: Map<string, number>) => [...m.values()].reduce((s, v) => s + v, 0)
const setBudgets = new Map<string, number>()
for (const s of world.adSets)
  setBudgets.set(s.campaignExternalId, (setBudgets.get(s.campaignExternalId) ?? 0) + (s.dailyBudgetMicros ?? 0))
const live = world.campaigns
  .filter((c) => c.status === 'active' && c.startDate <= cutoff && (c.endDate === null || c.endDate >= endDate))
  .map((c) => ({
    id: c.externalId,
    acc: c.accountKey,
    budget: c.dailyBudgetMicros ?? setBudgets.get(c.externalId) ?? 0,
    start: c.startDate,
  }))
  .filter((c) => c.budget > 0)
const base = total(simulate(world, from, endDate, addDays(endDate, 60), new Map()))
const uplift = (b: Map<string, number>) => total(simulate(world, from, endDate, addDays(endDate, 60), b)) / base - 1

// Past daily series per campaign and per account (as the store would see them the day after the cut-off).
const D = 180
const pastFrom = addDays(cutoff, -(D - 1))
const dayIdx = (d: string) => Math.round((Date.parse(d) - Date.parse(pastFrom)) / 864e5)
const ser = new Map<string, { s: Float64Array; r: Float64Array }>()
const accT = new Map<string, { s: Float64Array; r: Float64Array }>()
for (const acc of world.accounts) {
  const A = { s: new Float64Array(D), r: new Float64Array(D) }
  accT.set(acc.key, A)
  for (const r of world.rows(acc.key, { from: pastFrom, to: cutoff, asOf: addDays(cutoff, 1) })) {
    const i = dayIdx(r.date)
    let e = ser.get(r.campaignExternalId)
    if (!e) ser.set(r.campaignExternalId, (e = { s: new Float64Array(D), r: new Float64Array(D) }))
    e.s[i] = (e.s[i] ?? 0) + r.spendMicros / 1e6
    e.r[i] = (e.r[i] ?? 0) + r.conversionValueMicros / 1e6
    A.s[i] = (A.s[i] ?? 0) + r.spendMicros / 1e6
    A.r[i] = (A.r[i] ?? 0) + r.conversionValueMicros / 1e6
  }
}
// True local elasticity over the past 28 days and the next 28 (budgets x1.1 vs x0.9 for all live campaigns).
function trueE(f: string, t: string, asOf: string) {
  const up = simulate(world, f, t, asOf, new Map(live.map((c) => [c.id, c.budget * 1.1])))
  const dn = simulate(world, f, t, asOf, new Map(live.map((c) => [c.id, c.budget * 0.9])))
  return new Map(live.map((c) => [c.id, Math.log((up.get(c.id) ?? 0) / (dn.get(c.id) ?? 1)) / Math.log(1.1 / 0.9)]))
}
const ePast = trueE(addDays(cutoff, -27), cutoff, addDays(cutoff, 60))
const eFut = trueE(from, endDate, addDays(endDate, 60))

function power(s0: number, r0: number, e: number): CurvePoint[] {
  const pts: CurvePoint[] = []
  for (let i = 1; i <= 40; i++) {
    const x = (2 * s0 * i) / 40
    pts.push({ spend: x, revenue: r0 * (x / s0) ** e, marginalRoas: ((e * r0) / s0) * (x / s0) ** (e - 1) })
  }
  return pts
}
const recent = (c: string, k = 28) => {
  const e = ser.get(c)!
  let s = 0,
    r = 0
  for (let i = D - k; i < D; i++) {
    s += e.s[i]!
    r += e.r[i]!
  }
  return { s: s / k, r: r / k }
}

// Controlled elasticity: weekly logs, y = log rev − log(account other rev), x = [1, log spend, log other spend].
function ols(X: number[][], y: number[]): { b: number[]; se: number[] } | null {
  if (!X.length) return null
  const p = X[0]!.length,
    n = y.length
  if (n <= p + 1) return null
  const XtX = Array.from({ length: p }, () => new Array(p).fill(0)),
    Xty = new Array(p).fill(0)
  for (let i = 0; i < n; i++)
    for (let a = 0; a < p; a++) {
      Xty[a] += X[i]![a]! * y[i]!
      for (let b = 0; b < p; b++) XtX[a]![b] += X[i]![a]! * X[i]![b]!
    }
  // invert
  const M = XtX.map((r, i) => [...r, ...Array.from({ length: p }, (_, j) => (i === j ? 1 : 0))])
  for (let c = 0; c < p; c++) {
    let piv = c
    for (let r = c + 1; r < p; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[piv]![c]!)) piv = r
    const tmp = M[c]!
    M[c] = M[piv]!
    M[piv] = tmp
    const d = M[c]![c]!
    if (Math.abs(d) < 1e-12) return null
    for (let j = 0; j < 2 * p; j++) M[c]![j]! /= d
    for (let r = 0; r < p; r++)
      if (r !== c) {
        const f = M[r]![c]!
        for (let j = 0; j < 2 * p; j++) M[r]![j]! -= f * M[c]![j]!
      }
  }
  const inv = M.map((r) => r.slice(p))
  const b = inv.map((r) => r.reduce((s, v, j) => s + v * Xty[j], 0))
  let sse = 0
  for (let i = 0; i < n; i++) sse += (y[i]! - X[i]!.reduce((s, v, j) => s + v * b[j]!, 0)) ** 2
  const s2 = sse / (n - p)
  return { b, se: inv.map((r, i) => Math.sqrt(s2 * r[i]!)) }
}
function controlledE(c: string, accKey: string, withControl: boolean) {
  const e = ser.get(c)!,
    A = accT.get(accKey)!
  const X: number[][] = [],
    y: number[] = []
  for (let end = D; end - 7 >= 0; end -= 7) {
    let s = 0,
      r = 0,
      S = 0,
      R = 0,
      act = 0
    for (let i = end - 7; i < end; i++) {
      s += e.s[i]!
      r += e.r[i]!
      S += A.s[i]!
      R += A.r[i]!
      if (e.s[i]! > 0) act++
    }
    const So = S - s,
      Ro = R - r
    if (act < 7 || r <= 0 || So <= 0 || Ro <= 0) continue
    if (withControl) {
      X.push([1, Math.log(s), Math.log(So)])
      y.push(Math.log(r) - Math.log(Ro))
    } else {
      X.push([1, Math.log(s)])
      y.push(Math.log(r))
    }
  }
  const f = ols(X, y)
  return f ? { e: f.b[1]!, se: f.se[1]! } : null
}

const corr = (a: number[], b: number[]) => {
  const ma = a.reduce((s, v) => s + v, 0) / a.length,
    mb = b.reduce((s, v) => s + v, 0) / b.length
  let sab = 0,
    saa = 0,
    sbb = 0
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb)
    saa += (a[i]! - ma) ** 2
    sbb += (b[i]! - mb) ** 2
  }
  return sab / Math.sqrt(saa * sbb)
}

type Eng = (c: (typeof live)[number]) => CurvePoint[] | null
function run(eng: Eng): number {
  const budgets = new Map<string, number>()
  const byAcc = new Map<string, typeof live>()
  for (const c of live) byAcc.set(c.acc, [...(byAcc.get(c.acc) ?? []), c])
  for (const list of byAcc.values()) {
    const holders: Holder[] = list.map((c) => {
      const rc = recent(c.id)
      const curve = eng(c)
      // learning phase: launched in the last 14 days
      const held = c.start > addDays(cutoff, -14) ? 'learning' : curve ? null : 'none'
      return { key: c.id, budget: c.budget / 1e6, spend: rc.s, curve, held }
    })
    for (const a of reallocate(holders)) budgets.set(a.key, a.budgetAfter * 1e6)
  }
  return uplift(budgets)
}
// Oracle
const truth = GRID.map((m) =>
  simulate(world, from, endDate, addDays(endDate, 60), new Map(live.map((c) => [c.id, c.budget * m]))),
)
const oracle = (() => {
  const budgets = new Map<string, number>()
  const byAcc = new Map<string, typeof live>()
  for (const c of live) byAcc.set(c.acc, [...(byAcc.get(c.acc) ?? []), c])
  for (const list of byAcc.values()) {
    const holders: Holder[] = list.map((c) => {
      const b = c.budget / 1e6
      const curve: CurvePoint[] = GRID.map((m, i) => ({
        spend: b * m,
        revenue: (truth[i]!.get(c.id) ?? 0) / HORIZON,
        marginalRoas: 0,
      }))
      for (let i = 0; i < curve.length; i++) {
        const a = curve[Math.max(0, i - 1)]!,
          z = curve[Math.min(curve.length - 1, i + 1)]!
        curve[i]!.marginalRoas = (z.revenue - a.revenue) / (z.spend - a.spend)
      }
      return { key: c.id, budget: b, spend: b, curve, held: null }
    })
    for (const a of reallocate(holders)) budgets.set(a.key, a.budgetAfter * 1e6)
  }
  return uplift(budgets)
})()

const ctrl = new Map(live.map((c) => [c.id, controlledE(c.id, c.acc, true)]))
const unctrl = new Map(live.map((c) => [c.id, controlledE(c.id, c.acc, false)]))
const ids = live.map((c) => c.id).filter((id) => ctrl.get(id) && unctrl.get(id))
const ep = ids.map((id) => ePast.get(id)!)
console.log(`seed ${seed}: live ${live.length}, oracle ${oracle.toFixed(4)}`)
console.log(
  `true past e: mean ${(ep.reduce((s, v) => s + v, 0) / ep.length).toFixed(3)}; corr(past e, future e) ${corr(
    ep,
    ids.map((i) => eFut.get(i)!),
  ).toFixed(3)}`,
)
const seMedian = ids.map((i) => ctrl.get(i)!.se).sort((a, b) => a - b)[ids.length >> 1]!
const ce = ids.map((id) => ctrl.get(id)!.e),
  ue = ids.map((id) => unctrl.get(id)!.e)
console.log(
  `controlled e: mean ${(ce.reduce((s, v) => s + v, 0) / ce.length).toFixed(3)} median se ${seMedian.toFixed(3)} corr w/ true ${corr(ce, ep).toFixed(3)}`,
)
console.log(
  `uncontrolled e: mean ${(ue.reduce((s, v) => s + v, 0) / ue.length).toFixed(3)} corr w/ true ${corr(ue, ep).toFixed(3)}`,
)
const cap = (u: number) => (u / oracle).toFixed(3)
const show = (name: string, eng: Eng) => {
  const u = run(eng)
  console.log(`${name.padEnd(40)} uplift ${u.toFixed(4)} capture ${cap(u)}`)
}
show('fallback e=0.6', (c) => {
  const r = recent(c.id)
  return power(r.s, r.r, 0.6)
})
show('ideal: true past e, past-28 level', (c) => {
  const r = recent(c.id)
  return power(r.s, r.r, ePast.get(c.id)!)
})
show('ideal: true future e, past-28 level', (c) => {
  const r = recent(c.id)
  return power(r.s, r.r, eFut.get(c.id)!)
})
show('ideal: e=0.6, future level', (c) => {
  const r = recent(c.id)
  const f = truth[6]!.get(c.id)! / HORIZON
  return power(r.s, f, 0.6)
})
show('ideal: future e + future level', (c) => {
  const r = recent(c.id)
  const f = truth[6]!.get(c.id)! / HORIZON
  return power(r.s, f, eFut.get(c.id)!)
})
for (const lvl of [14, 28, 56])
  show(`fallback e=0.6 level ${lvl}d`, (c) => {
    const r = recent(c.id, lvl)
    return power(r.s, r.r, 0.6)
  })
show('controlled e raw (clamped .05..1)', (c) => {
  const r = recent(c.id)
  const e = ctrl.get(c.id)
  return e ? power(r.s, r.r, Math.min(1, Math.max(0.05, e.e))) : power(r.s, r.r, 0.6)
})
show('uncontrolled e raw (clamped)', (c) => {
  const r = recent(c.id)
  const e = unctrl.get(c.id)
  return e ? power(r.s, r.r, Math.min(1, Math.max(0.05, e.e))) : power(r.s, r.r, 0.6)
})
// Shrink controlled toward the account's precision-weighted mean.
const shrunk = new Map<string, number>()
{
  const byAcc = new Map<string, string[]>()
  for (const c of live) byAcc.set(c.acc, [...(byAcc.get(c.acc) ?? []), c.id])
  for (const list of byAcc.values()) {
    const est = list
      .map((id) => ctrl.get(id))
      .filter((x): x is { e: number; se: number } => !!x && Number.isFinite(x.se) && x.se > 0)
    if (!est.length) continue
    const w = est.map((x) => 1 / x.se ** 2)
    const mu = est.reduce((s, x, i) => s + x.e * w[i]!, 0) / w.reduce((s, v) => s + v, 0)
    // between-entity variance (method of moments), floored
    const tau2 = Math.max(0.0025, est.reduce((s, x) => s + (x.e - mu) ** 2 - x.se ** 2, 0) / est.length)
    for (const id of list) {
      const x = ctrl.get(id)
      shrunk.set(id, x && x.se > 0 ? mu + (tau2 / (tau2 + x.se ** 2)) * (x.e - mu) : mu)
    }
    console.log(`  account pooled controlled e ${mu.toFixed(3)} tau ${Math.sqrt(tau2).toFixed(3)} n ${est.length}`)
  }
}
show('controlled e shrunk', (c) => {
  const r = recent(c.id)
  const e = shrunk.get(c.id) ?? 0.6
  return power(r.s, r.r, Math.min(1, Math.max(0.05, e)))
})
// Oracles that know the true curves but not the next 28 days' draws: curves averaged over K other lucks.
function oracleFrom(curvesOf: (c: (typeof live)[number], b: number) => CurvePoint[]) {
  const budgets = new Map<string, number>()
  const byAcc = new Map<string, typeof live>()
  for (const c of live) byAcc.set(c.acc, [...(byAcc.get(c.acc) ?? []), c])
  for (const list of byAcc.values()) {
    const holders: Holder[] = list.map((c) => ({
      key: c.id,
      budget: c.budget / 1e6,
      spend: c.budget / 1e6,
      curve: curvesOf(c, c.budget / 1e6),
      held: null,
    }))
    for (const a of reallocate(holders)) budgets.set(a.key, a.budgetAfter * 1e6)
  }
  return uplift(budgets)
}
function gridCurve(tr: Map<string, number>[], id: string, b: number): CurvePoint[] {
  const curve: CurvePoint[] = GRID.map((m, i) => ({
    spend: b * m,
    revenue: (tr[i]!.get(id) ?? 0) / HORIZON,
    marginalRoas: 0,
  }))
  for (let i = 0; i < curve.length; i++) {
    const a = curve[Math.max(0, i - 1)]!,
      z = curve[Math.min(curve.length - 1, i + 1)]!
    curve[i]!.marginalRoas = (z.revenue - a.revenue) / (z.spend - a.spend)
  }
  return curve
}
const K = Number(process.env.K ?? 16)
const lucks: Map<string, number>[][] = []
for (let k = 1; k <= K; k++) {
  const w2 = buildWorld({ seed, campaigns, days, endDate, noiseSeed: seed + 7919 * k })
  lucks.push(
    GRID.map((m) => simulate(w2, from, endDate, addDays(endDate, 60), new Map(live.map((c) => [c.id, c.budget * m])))),
  )
}
const avg: Map<string, number>[] = GRID.map((_, i) => {
  const m = new Map<string, number>()
  for (const c of live) m.set(c.id, lucks.reduce((s, l) => s + (l[i]!.get(c.id) ?? 0), 0) / K)
  return m
})
const o1 = oracleFrom((c, b) => gridCurve(lucks[0]!, c.id, b))
const oK = oracleFrom((c, b) => gridCurve(avg, c.id, b))
console.log(
  `oracle (realised luck) ${oracle.toFixed(4)}; oracle from another luck ${o1.toFixed(4)} (${(o1 / oracle).toFixed(3)}); oracle from the mean of ${K} other lucks ${oK.toFixed(4)} (${(oK / oracle).toFixed(3)})`,
)
const fb = run((c) => {
  const r = recent(c.id)
  return power(r.s, r.r, 0.6)
})
console.log(`fallback / expected-oracle: ${(fb / oK).toFixed(3)}`)
// ---- level estimators vs the expected oracle
const rel = (name: string, eng: Eng) => {
  const u = run(eng)
  console.log(
    `${name.padEnd(44)} capture vs expected oracle ${(u / oK).toFixed(3)}  (vs known luck ${(u / oracle).toFixed(3)})`,
  )
}
const win = (c: string, end: number, k: number) => {
  const e = ser.get(c)!
  let s = 0,
    r = 0
  for (let i = Math.max(0, end - k); i < end; i++) {
    s += e.s[i]!
    r += e.r[i]!
  }
  return { s, r }
}
rel('fallback e=0.6 (28d)', (c) => {
  const r = recent(c.id)
  return power(r.s, r.r, 0.6)
})
rel('ideal: true past e', (c) => {
  const r = recent(c.id)
  return power(r.s, r.r, ePast.get(c.id)!)
})
rel('ideal: e=0.6 + expected future level', (c) => {
  const r = recent(c.id)
  return power(r.s, avg[6]!.get(c.id)! / HORIZON, 0.6)
})
// (a) empirical-Bayes shrinkage of the 28-day log ROAS toward the account's
const shrinkLevel = new Map<string, number>()
{
  const byAcc = new Map<string, string[]>()
  for (const c of live) byAcc.set(c.acc, [...(byAcc.get(c.acc) ?? []), c.id])
  for (const list of byAcc.values()) {
    const est = list.map((id) => {
      const w = [0, 1, 2, 3].map((k) => win(id, D - 7 * k, 7))
      const lr = w.filter((x) => x.s > 0 && x.r > 0).map((x) => Math.log(x.r / x.s))
      const t = win(id, D, 28)
      const m = Math.log(t.r / t.s)
      const v =
        lr.length > 1
          ? lr.reduce((s, x) => s + (x - lr.reduce((a, b) => a + b, 0) / lr.length) ** 2, 0) /
            (lr.length - 1) /
            lr.length
          : 1
      return { id, m, v }
    })
    const mu = est.reduce((s, x) => s + x.m, 0) / est.length
    const tau2 = Math.max(1e-4, est.reduce((s, x) => s + (x.m - mu) ** 2 - x.v, 0) / est.length)
    for (const x of est) shrinkLevel.set(x.id, Math.exp(mu + (tau2 / (tau2 + x.v)) * (x.m - mu)))
  }
}
rel('fallback, EB-shrunk 28d ROAS', (c) => {
  const r = recent(c.id)
  return power(r.s, r.s * shrinkLevel.get(c.id)!, 0.6)
})
// (b) level window chosen by backtest (per workspace): predict the previous 28 days' ROAS
for (const scope of ['workspace', 'account'] as const) {
  const choice = new Map<string, number>()
  const byAcc = new Map<string, string[]>()
  for (const c of live)
    byAcc.set(scope === 'account' ? c.acc : 'all', [...(byAcc.get(scope === 'account' ? c.acc : 'all') ?? []), c.id])
  for (const list of byAcc.values()) {
    let best = 28,
      bestErr = Infinity
    for (const W of [7, 14, 21, 28, 42, 56, 84]) {
      let err = 0
      for (const back of [28, 56]) {
        for (const id of list) {
          const p = win(id, D - back, W),
            a = win(id, D - back + 28, 28)
          if (p.s > 0 && p.r > 0 && a.s > 0 && a.r > 0) err += a.s * Math.log(p.r / p.s / (a.r / a.s)) ** 2
        }
      }
      if (err < bestErr) {
        bestErr = err
        best = W
      }
    }
    for (const id of list) choice.set(id, best)
    if (scope === 'workspace') console.log(`  backtest window (workspace): ${best}`)
  }
  rel(`fallback, level window by backtest (${scope})`, (c) => {
    const r = recent(c.id, choice.get(c.id)!)
    return power(r.s, r.r, 0.6)
  })
}
