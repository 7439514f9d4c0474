import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { userContext, type CallContext } from '../../../shared/domain/caller'
import type { Change } from '../../../shared/domain/changes'
import type { Recommendation } from '../../../shared/domain/recommendations'
import type { RecommendationView } from '../../../shared/ipc/contracts/recommendations'
import { NO_YIELD, sliceBudget } from '../scheduler/slices'
import { MetricsRepo } from '../store/repos/metrics-repo'
import { RecommendationsRepo } from '../store/repos/recommendations-repo'
import { createTestCore, TEST_CALLER } from '../test-support'
import { elasticityOf, fallbackCurve } from './engine'
import { marginalAt, reallocate, revenueAt, type CurvePoint, type Holder } from './reallocate'
import { SeededRandom } from '../../../shared/experiments/random'
import { seedWasteWorld, WASTE_WORLD_NOW } from '../store/repos/testing'

/* The hand-computable world of store/repos/testing.ts (seedWasteWorld) (C1 wastes 40 a day: 280 a week, lower bound 227.693268). */
const NOW = WASTE_WORLD_NOW

type TestCore = ReturnType<typeof createTestCore>
let core: TestCore

function seed(name: string): { ws: number; adSets: number[] } {
  const ws = core.workspaces.create(name, 'USD')
  return { ws, ...seedWasteWorld(core.store.sqlite, ws, `acc-${name}`) }
}

async function call<T>(channel: string, input: unknown, ctx: CallContext = TEST_CALLER): Promise<T> {
  const env = await core.dispatch(channel, input, ctx)
  if (!env.ok) throw Object.assign(new Error(`${env.error.code}: ${env.error.message}`), { code: env.error.code })
  return env.value as T
}

async function refused(channel: string, input: unknown, ctx: CallContext = TEST_CALLER): Promise<string> {
  const env = await core.dispatch(channel, input, ctx)
  if (env.ok) throw new Error(`${channel} was not refused`)
  return `${env.error.code}: ${env.error.message}`
}

const list = async (ws: number): Promise<RecommendationView[]> =>
  (await call<{ items: RecommendationView[] }>('recommendations:list', { workspaceId: ws })).items

beforeAll(() => {
  core = createTestCore({ startJobs: false, now: () => NOW })
})
afterAll(() => core.close())

describe('reallocation along response curves', () => {
  // Revenue = a·√spend: marginal a / (2√x); equal marginals put budgets in the ratio a².
  const sqrtCurve = (a: number): CurvePoint[] =>
    Array.from({ length: 401 }, (_, i) => {
      const x = i
      return { spend: x, revenue: a * Math.sqrt(x), marginalRoas: x === 0 ? 1e6 : a / (2 * Math.sqrt(x)) }
    })

  it('equalises marginal returns inside the guardrails and keeps the total', () => {
    // a = 1.2 vs 1: 200 × 1.44 / 2.44 = 118.03 and 81.97 (inside ±30%).
    const out = reallocate([
      { key: 'a', budget: 100, spend: 100, curve: sqrtCurve(1.2), held: null },
      { key: 'b', budget: 100, spend: 100, curve: sqrtCurve(1), held: null },
    ])
    expect(out[0]?.budgetAfter).toBeCloseTo(118.03, 0)
    expect(out[1]?.budgetAfter).toBeCloseTo(81.97, 0)
    expect((out[0]?.budgetAfter ?? 0) + (out[1]?.budgetAfter ?? 0)).toBeCloseTo(200, 9)
    expect(out[0]?.revenueAfter).toBeCloseTo(revenueAt(sqrtCurve(1.2), out[0]?.budgetAfter ?? 0), 9)
  })

  it('stops at ±30% and never moves a held entity', () => {
    // a = 2 vs 1 wants 160 / 40: capped at 130 / 70; the held one keeps its 100.
    const out = reallocate([
      { key: 'a', budget: 100, spend: 100, curve: sqrtCurve(2), held: null },
      { key: 'b', budget: 100, spend: 100, curve: sqrtCurve(1), held: null },
      { key: 'c', budget: 100, spend: 100, curve: sqrtCurve(5), held: 'learning' },
    ])
    expect(out.map((x) => Math.round(x.budgetAfter * 100) / 100)).toEqual([130, 70, 100])
  })

  it('builds a fallback curve’s points when they are read: the power law through the recent spend and revenue', () => {
    const c = fallbackCurve('USD', 50, 150, 0.6)
    const copy = JSON.parse(JSON.stringify(c)) as typeof c
    expect(copy.points).toHaveLength(41)
    // x = 2 · 50 · i / 40: the recent spend at i = 20, where revenue is the recent revenue.
    expect(copy.points[20]).toEqual({ spendMicros: 50e6, revenueMicros: 150e6, marginalRoas: (0.6 * 150) / 50 })
    expect(copy.points[40]?.revenueMicros).toBe(Math.round(150 * 2 ** 0.6 * 1e6))
    // The engine reads the same curve whether it computes the points itself or reads them.
    const plain = { ...c, points: c.points.map((p) => ({ ...p })) }
    expect(elasticityOf(c)).toBe(elasticityOf(plain))
    expect(elasticityOf(c)).toBeCloseTo(0.6, 2)
  })

  it('picks the same moves as scanning every holder for the lowest and highest gain (ties and flat curves included)', () => {
    // The reallocation as it was before the picks came from heaps: a scan of every holder per move.
    const scan = (hs: Holder[]): number[] => {
      const m = hs.filter((h) => h.held === null && h.curve !== null && h.budget > 0 && h.spend > 0)
      const budget = m.map((h) => h.budget)
      const lo = m.map((h) => Math.min(h.budget, Math.max(1, h.budget * 0.7)))
      const hi = m.map((h) => h.budget * 1.3)
      const util = m.map((h) => h.spend / h.budget)
      const gain = (i: number): number => marginalAt(m[i]?.curve as CurvePoint[], budget[i]! * util[i]!) * util[i]!
      const gains = m.map((_, i) => gain(i))
      const total = budget.reduce((x, y) => x + y, 0)
      let step = total / 1000
      for (let iter = 0; iter < 20_000 && step >= total / 1e6; iter++) {
        let give = -1
        let take = -1
        let gMin = Infinity
        let gMax = -Infinity
        gains.forEach((gi, i) => {
          if (gi < gMin && budget[i]! > lo[i]! + 1e-9) [gMin, give] = [gi, i]
          if (gi > gMax && budget[i]! < hi[i]! - 1e-9) [gMax, take] = [gi, i]
        })
        if (give < 0 || take < 0 || give === take || gMax - gMin <= 1e-3 * Math.abs(gMax)) break
        const d = Math.min(step, budget[give]! - lo[give]!, hi[take]! - budget[take]!)
        if (d <= 1e-12) break
        budget[give]! -= d
        budget[take]! += d
        gains[give] = gain(give)
        gains[take] = gain(take)
        if (gains[give]! > gains[take]!) {
          budget[give]! += d / 2
          budget[take]! -= d / 2
          gains[give] = gain(give)
          gains[take] = gain(take)
          step /= 2
        }
      }
      const after = new Map(m.map((h, i) => [h.key, budget[i] as number]))
      return hs.map((h) => after.get(h.key) ?? h.budget)
    }
    const flat = (roas: number): CurvePoint[] => [
      { spend: 0, revenue: 0, marginalRoas: roas },
      { spend: 1000, revenue: 1000 * roas, marginalRoas: roas },
    ]
    const rnd = new SeededRandom(18)
    for (let world = 0; world < 30; world++) {
      const hs: Holder[] = Array.from({ length: 5 + Math.floor(rnd.next() * 60) }, (_, i) => {
        const kind = rnd.next()
        return {
          key: `h${i}`,
          budget: 20 + Math.floor(rnd.next() * 8) * 10,
          spend: 10 + Math.floor(rnd.next() * 6) * 10,
          // Many equal gains: a few curve shapes shared by many holders, some of them flat.
          curve: kind < 0.4 ? flat(1 + Math.floor(rnd.next() * 3) / 2) : sqrtCurve(1 + Math.floor(rnd.next() * 4) / 4),
          held: rnd.next() < 0.1 ? 'learning' : null,
        }
      })
      expect(reallocate(hs).map((x) => x.budgetAfter)).toEqual(scan(hs))
    }
  })
})

describe('recommendations on a seeded account', () => {
  let ws = 0
  let rec: RecommendationView

  it('finds the ad set that spends without converting, with the hand-computed impact and confidence', async () => {
    const seeded = seed('Waste')
    ws = seeded.ws
    const g = await call<{ inserted: number }>('recommendations:generate', { workspaceId: ws })
    expect(g.inserted).toBe(1)
    const items = await list(ws)
    expect(items.map((r) => r.kind)).toEqual(['waste'])
    rec = items[0] as RecommendationView
    expect(rec.body.entities).toMatchObject([{ entityType: 'ad_set', entityId: seeded.adSets[1] }])
    expect(rec.impact).toEqual({ point: 280_000_000, lower: 227_693_268, upper: 280_000_000 })
    expect(rec.confidence).toBeCloseTo(1 - Math.exp(-16.8), 12)
    expect(rec.priority).toBeCloseTo(280 * rec.confidence, 6)
    expect(rec.body.changes).toEqual([
      { entityType: 'ad_set', entityId: seeded.adSets[1], name: 'S', action: { kind: 'pause' } },
    ])
  })

  it('applies through the change pipeline as the recommendation, waiting for approval, and starts its follow-up', async () => {
    const viewer = userContext('test', { role: 'viewer' })
    expect(await refused('recommendations:apply', { id: rec.id }, viewer)).toMatch(/^FORBIDDEN/)
    const res = await call<{ recommendation: Recommendation; changes: Change[] }>('recommendations:apply', {
      id: rec.id,
    })
    expect(res.recommendation.state).toBe('applied')
    expect(res.recommendation.decidedBy).toBe('user:tester (test)')
    expect(res.changes).toHaveLength(1)
    const c = res.changes[0] as Change
    expect(c.state).toBe('proposed') // the workspace policy: the app's changes wait for a person
    expect(c.actor).toEqual({ kind: 'recommendation', id: String(rec.id), label: `recommendation:${rec.id}` })
    expect(c.reason).toContain(rec.title)
    expect(c.metrics).toMatchObject({ recommendation: rec.id, impactPerWeekMicros: 280_000_000 })
    // Follow-up: the 14 days before 06-30 (06-16..06-29) net −40 a day → −280 a week.
    expect(res.recommendation.followUp).toMatchObject({
      appliedDate: '2026-06-30',
      dueDate: '2026-07-13',
      before: { from: '2026-06-16', to: '2026-06-29', netPerWeekMicros: -280_000_000 },
      realisedMicros: null,
    })
    expect(await refused('recommendations:apply', { id: rec.id })).toMatch(/^CONFLICT: .*is applied/)
    expect(await refused('recommendations:dismiss', { id: rec.id })).toMatch(/^CONFLICT/)
    const again = await list(ws)
    expect(again[0]?.changeStates).toMatchObject([{ id: c.id, state: 'proposed' }])
  })

  it('measures the outcome once the horizon has settled days: predicted vs realised', async () => {
    // Move the follow-up back so its horizon (06-01..06-14) is settled: the numbers never changed,
    // so the realised change is 0, outside the predicted [227.69, 280].
    const repo = new RecommendationsRepo(core.store.sqlite)
    const f = repo.get(rec.id)?.followUp
    if (!f) throw new Error('no follow-up')
    repo.setFollowUp(rec.id, {
      ...f,
      appliedDate: '2026-06-01',
      dueDate: '2026-06-14',
      before: { from: '2026-05-18', to: '2026-05-31', netPerWeekMicros: -280_000_000 },
    })
    const out = await call<{ items: RecommendationView[]; calibration: unknown }>('recommendations:list', {
      workspaceId: ws,
    })
    expect(out.items[0]?.followUp).toMatchObject({
      after: { from: '2026-06-01', to: '2026-06-14', netPerWeekMicros: -280_000_000 },
      realisedMicros: 0,
      withinInterval: false,
      measuredAt: NOW.toISOString(),
    })
    expect(out.calibration).toEqual({
      currency: 'USD',
      measured: 1,
      withinInterval: 0,
      predictedMicros: 280_000_000,
      realisedMicros: 0,
    })
  })

  it('snoozes, expires when the data no longer supports it, and keeps what a person decided', async () => {
    const seeded = seed('Lifecycle')
    await call('recommendations:generate', { workspaceId: seeded.ws })
    const [r] = await list(seeded.ws)
    if (!r) throw new Error('no recommendation')
    const snoozed = await call<Recommendation>('recommendations:snooze', { id: r.id, days: 7 })
    expect(snoozed).toMatchObject({ state: 'snoozed', snoozedUntil: '2026-07-07' })
    await call('recommendations:generate', { workspaceId: seeded.ws })
    expect((await list(seeded.ws))[0]?.state).toBe('snoozed')
    // Paused on the platform: no longer waste → expired.
    core.store.sqlite.prepare("UPDATE ad_sets SET status = 'paused' WHERE id = ?").run(seeded.adSets[1])
    const g = await call<{ expired: number }>('recommendations:generate', { workspaceId: seeded.ws })
    expect(g.expired).toBe(1)
    expect((await list(seeded.ws))[0]?.state).toBe('expired')
    expect(await refused('recommendations:dismiss', { id: r.id })).toMatch(/^CONFLICT: .*is expired/)
    // The data supports it again: new again; dismissed stays dismissed through regenerations.
    core.store.sqlite.prepare("UPDATE ad_sets SET status = 'active' WHERE id = ?").run(seeded.adSets[1])
    await call('recommendations:generate', { workspaceId: seeded.ws })
    expect((await list(seeded.ws))[0]?.state).toBe('new')
    await call('recommendations:dismiss', { id: r.id })
    await call('recommendations:generate', { workspaceId: seeded.ws })
    expect((await list(seeded.ws))[0]).toMatchObject({ state: 'dismissed', decidedBy: 'user:tester (test)' })
    const other = userContext('test', { workspaces: [ws] })
    expect(await refused('recommendations:snooze', { id: r.id, days: 1 }, other)).toMatch(/^NOT_FOUND/)
  })
})

describe('structure tips: pacing off plan and CTR/CPM far from the vertical benchmark', () => {
  const tips = async (ws: number): Promise<RecommendationView[]> => {
    await call('recommendations:generate', { workspaceId: ws })
    return (await list(ws)).filter((r) => r.kind === 'structure')
  }

  it('compares the month with the account plan set in the advice settings', async () => {
    const { ws } = seed('Pacing')
    // No plan and no daily budgets: nothing to pace against, no tip.
    expect(await tips(ws)).toEqual([])
    const settings = await call<{ vertical: string; plans: { accountId: number; monthlyPlanMicros: number | null }[] }>(
      'recommendations:getSettings',
      { workspaceId: ws },
    )
    expect(settings.vertical).toBe('unknown')
    const accountId = settings.plans[0]?.accountId as number
    expect(settings.plans).toEqual([expect.objectContaining({ accountId, monthlyPlanMicros: null })])
    // June: 200 a day for 30 days = 6,000 spent, 0 days left. Plan 5,000 → 20% over.
    await call('recommendations:setSettings', { workspaceId: ws, plans: [{ accountId, monthlyPlanMicros: 5_000e6 }] })
    const [t] = await tips(ws)
    expect(t?.title).toBe('ACC-PACING is pacing 20% over plan for 2026-06')
    expect(t?.impact).toBeNull()
    expect(t?.body.evidence.metrics).toEqual(
      expect.arrayContaining([
        { label: 'Spent this month', value: 6000, unit: 'money' },
        { label: 'Projected month', value: 6000, unit: 'money' },
        { label: 'Monthly plan', value: 5000, unit: 'money' },
      ]),
    )
    // The dashboard's pacing reads the same plan.
    const pacing = await call<{ rows: { accountId: number; budgetSource: string; budgetMicros: number }[] }>(
      'analytics:getPacing',
      { workspaceId: ws },
    )
    expect(pacing.rows[0]).toMatchObject({ accountId, budgetSource: 'account', budgetMicros: 5_000e6 })
    // Within 15% of plan: no tip, and the earlier one expires.
    await call('recommendations:setSettings', { workspaceId: ws, plans: [{ accountId, monthlyPlanMicros: 5_500e6 }] })
    expect((await tips(ws)).map((r) => r.state)).toEqual(['expired'])
  })

  it('compares CTR and CPM with the public benchmark only once the vertical is set', async () => {
    const { ws } = seed('Bench')
    // CTR 0.3% (30 clicks per 10,000 impressions); CPM 200 / 30,000 × 1,000 = 6.67 USD.
    const accountId = new RecommendationsRepo(core.store.sqlite).accounts(ws)[0]?.id as number
    // Rows written here directly: their rollups (the windows read the monthly one) rebuilt, as every writer does.
    core.store.sqlite
      .transaction(() => {
        core.store.sqlite.prepare('UPDATE daily_metrics SET clicks = 30 WHERE account_id = ?').run(accountId)
        new MetricsRepo(core.store.sqlite).refreshRollups(accountId, '2026-05-01', '2026-06-30')
      })
      .immediate()
    expect(await tips(ws)).toEqual([]) // vertical unknown: no guess
    // Employment's average CTR 0.47%: 0.3% is above half of it; CPM under twice 12.78.
    await call('recommendations:setSettings', { workspaceId: ws, vertical: 'employment' })
    expect(await tips(ws)).toEqual([])
    // Legal: 1.61% average CTR, 0.3% is below half of it (CPM benchmark 1.32 × 1.61% × 1,000 = 21.25: not far).
    await call('recommendations:setSettings', { workspaceId: ws, vertical: 'legal' })
    const [t] = (await tips(ws)).filter((r) => r.state === 'new')
    expect(t?.title).toBe('ACC-BENCH: CTR 0.30% vs 1.61% (the legal benchmark)')
    expect(t?.body.evidence.metrics.slice(0, 4)).toEqual([
      { label: 'CTR (28 days)', value: expect.closeTo(0.3, 9), unit: 'percent' },
      { label: 'Benchmark CTR', value: 1.61, unit: 'percent' },
      { label: 'CPM (28 days)', value: 6.67, unit: 'money' },
      { label: 'Benchmark CPM (CPC × CTR)', value: 21.25, unit: 'money' },
    ])
    expect(t?.body.evidence.notes.join(' ')).toContain('wordstream.com')
    expect((await call<{ vertical: string }>('recommendations:getSettings', { workspaceId: ws })).vertical).toBe(
      'legal',
    )
  })

  it('refuses settings it cannot keep: a viewer, an unknown vertical, another workspace’s account', async () => {
    const a = seed('SettingsA')
    const b = seed('SettingsB')
    const other = (await call<{ plans: { accountId: number }[] }>('recommendations:getSettings', { workspaceId: b.ws }))
      .plans[0]?.accountId
    const viewer = userContext('test', { role: 'viewer' })
    expect(await refused('recommendations:setSettings', { workspaceId: a.ws, vertical: 'legal' }, viewer)).toMatch(
      /^FORBIDDEN/,
    )
    expect(await refused('recommendations:setSettings', { workspaceId: a.ws, vertical: 'astrology' })).toMatch(
      /^VALIDATION: .*vertical/,
    )
    expect(
      await refused('recommendations:setSettings', {
        workspaceId: a.ws,
        plans: [{ accountId: other, monthlyPlanMicros: 1e6 }],
      }),
    ).toBe(`VALIDATION: plans: account ${other} is not an account of workspace ${a.ws}`)
    expect((await call<{ vertical: string }>('recommendations:getSettings', { workspaceId: a.ws })).vertical).toBe(
      'unknown',
    )
  })
})

describe('recommendations on a simulated workspace', () => {
  it('stores only the days up to `through`, and keeps every reallocation inside its guardrails with the total unchanged', async () => {
    const id = core.jobs.enqueue('demo:build', {
      campaigns: 24,
      days: 120,
      endDate: '2026-06-28',
      through: '2026-06-20',
    })
    core.jobs.start()
    const job = await core.jobs.waitFor(id)
    expect(job.status).toBe('succeeded')
    const built = core.jobs.result(id) as { workspaceId: number; to: string }
    expect(built.to).toBe('2026-06-20')
    const repo = new RecommendationsRepo(core.store.sqlite)
    const accounts = repo.accounts(built.workspaceId)
    expect(accounts.every((a) => a.lastDate === null || a.lastDate <= '2026-06-20')).toBe(true)
    // The fatigue fits' ad days, as the service reads them (its groups of ads by launch, each read
    // from the day before the group's earliest launch), are the days read from the account's first
    // day: a group read from a later launch than one of its ads' would lose that ad's first days.
    const adDays = RecommendationsRepo.prototype.adDays
    const reads: { accountId: number; ids: number[]; to: string; from: string | null; got: string }[] = []
    const spy = vi.spyOn(RecommendationsRepo.prototype, 'adDays').mockImplementation(function (
      this: RecommendationsRepo,
      accountId,
      ids,
      to,
      from = null,
    ) {
      const got = adDays.call(this, accountId, ids, to, from)
      reads.push({ accountId, ids: [...ids], to, from, got: JSON.stringify([...got]) })
      return got
    })
    let drafted: Awaited<ReturnType<typeof core.services.recommendations.draft>>
    try {
      drafted = await core.services.recommendations.draft(built.workspaceId)
    } finally {
      spy.mockRestore()
    }
    const launch = new Map(
      accounts.flatMap((a) =>
        repo.activeAds(a.id, '2025-01-01', '2026-06-20', 10_000).map((x) => [x.id, x.launchDate] as const),
      ),
    )
    let bounded = 0
    let spread = 0
    for (const r of reads) {
      expect(r.got).toBe(JSON.stringify([...repo.adDays(r.accountId, r.ids, r.to)]))
      if (r.from === null) continue
      bounded++
      const launches = r.ids.map((id) => launch.get(id) ?? '')
      // Only reads whose ads launched on different days can catch a group read from a wrong launch.
      if (new Set(launches).size > 1) spread++
    }
    expect(bounded).toBeGreaterThan(0)
    expect(spread).toBeGreaterThan(0)
    const { drafts } = drafted
    expect(drafts.filter((x) => x.kind === 'budget_reallocation').length).toBeGreaterThan(0)
    for (const d of drafts.filter((x) => x.kind === 'budget_reallocation')) {
      const rows = d.body.reallocation ?? []
      const before = rows.reduce((s, r) => s + r.budgetBeforeMicros, 0)
      const after = rows.reduce((s, r) => s + r.budgetAfterMicros, 0)
      // Rounded to cents per entity: the total moves by at most half a cent each.
      expect(Math.abs(after - before)).toBeLessThanOrEqual(rows.length * 5_000)
      for (const r of rows) {
        expect(r.budgetAfterMicros).toBeGreaterThanOrEqual(Math.floor(r.budgetBeforeMicros * 0.7) - 5_000)
        expect(r.budgetAfterMicros).toBeLessThanOrEqual(Math.ceil(r.budgetBeforeMicros * 1.3) + 5_000)
      }
      // The impact is what the table's curve numbers say: Δrevenue − Δspend per day × 7.
      const perDay = rows.reduce(
        (s, r) => s + (r.revenueAfterMicros - r.revenueBeforeMicros) - (r.spendAfterMicros - r.spendBeforeMicros),
        0,
      )
      expect(Math.abs((d.impact?.point ?? 0) - perDay * 7)).toBeLessThanOrEqual(rows.length * 20)
      expect(d.body.changes.length).toBeGreaterThan(0)
    }
    // Sliced (a turn of the event loop whenever asked: a 0 ms budget) it drafts the same advice,
    // and other work runs in between: the generation never holds the core's thread for its whole length.
    const sliced = sliceBudget(0)
    let turns = 0
    let ticking = true
    const tick = (): void => {
      turns++
      if (ticking) setImmediate(tick)
    }
    setImmediate(tick)
    const again = await core.services.recommendations.draft(built.workspaceId, sliced)
    ticking = false
    const whole = await core.services.recommendations.draft(built.workspaceId, NO_YIELD)
    expect(again).toEqual(whole)
    expect(JSON.stringify(again.drafts)).toBe(JSON.stringify(drafts))
    expect(sliced.yields).toBeGreaterThan(50)
    expect(turns).toBeGreaterThanOrEqual(sliced.yields)
    // The A/B advice is the Experiments page's answer: its best three suggestions, computed here (and
    // given to the page reads) or, once the page reads keep that answer (the page's warm-up after a
    // sync), read from there.
    const input = { workspaceId: built.workspaceId, mde: 0.1, confidence: 0.95, power: 0.8, days: 28 }
    const best = core.services.experiments.suggest(input).slice(0, 3)
    expect(best.length).toBeGreaterThan(0)
    expect(drafts.filter((x) => x.kind === 'ab_test').map((x) => x.key)).toEqual(
      best.map((s) => `ab_test:ad_set:${s.adSetId}`),
    )
    expect(core.pageReads.has('experiments:suggest', input)).toBe(true)
    expect(await core.pageReads.get('experiments:suggest', input)).toEqual(core.services.experiments.suggest(input))
    core.events.emit('data:changed', { tables: ['daily_metrics'], workspaceId: built.workspaceId })
    expect(core.pageReads.has('experiments:suggest', input)).toBe(false)
    await core.pageReads.get('experiments:suggest', input)
    const withKept = await core.services.recommendations.draft(built.workspaceId)
    expect(JSON.stringify(withKept.drafts)).toBe(JSON.stringify(drafts))
  }, 120_000)
})

describe('lists a page at a time, with large tables cut and paged', () => {
  // A workspace-wide reallocation at 10,000 campaigns is over 3,000 rows with curves (2 MB): lists
  // carry its first 50 rows (largest budget moves first) and recommendations:reallocationRows the rest.
  const row = (i: number, moveMicros: number) => ({
    entityType: 'campaign' as const,
    entityId: 1000 + i,
    name: `Campaign ${String(i).padStart(3, '0')}`,
    budgetBeforeMicros: 100_000_000,
    budgetAfterMicros: 100_000_000 + moveMicros,
    spendBeforeMicros: 90_000_000,
    spendAfterMicros: 90_000_000 + moveMicros,
    marginalRoasBefore: 1.5,
    marginalRoasAfter: 1.4,
    revenueBeforeMicros: 200_000_000,
    revenueAfterMicros: 210_000_000,
    held: moveMicros === 0 ? 'no usable curve' : null,
    // 101 points: views chart 32 of them, evenly spaced with both ends.
    curve: Array.from({ length: 101 }, (_, k) => ({ spendMicros: k * 1_000_000, revenueMicros: k * 2_000_000 })),
    curveR2: null,
  })
  const body = (accountIds: number[], rows: ReturnType<typeof row>[] | null) => ({
    summary: 's',
    entities: accountIds.map((accountId, i) => ({
      entityType: 'campaign' as const,
      entityId: 1000 + i,
      name: `Campaign ${i}`,
      accountId,
    })),
    evidence: { metrics: [], chart: null, notes: [] },
    impactMethod: 'm',
    horizonDays: 14,
    changes: accountIds.map((_, i) => ({
      entityType: 'campaign' as const,
      entityId: 1000 + i,
      name: `Campaign ${i}`,
      action: { kind: 'pause' as const },
    })),
    reallocation: rows,
    link: null,
  })

  it('pages by priority, filters by account, and pages through a whole reallocation table', async () => {
    const ws = core.workspaces.create('paging', 'USD')
    // 130 rows: every third holds its budget; the moves grow with i, in both directions.
    const rows = Array.from({ length: 130 }, (_, i) => row(i, i % 3 === 0 ? 0 : (i % 2 ? 1 : -1) * i * 1_000_000))
    const drafts = [
      {
        kind: 'budget_reallocation' as const,
        key: 'realloc',
        title: 'Move budget',
        currency: 'USD',
        impact: { point: 9, lower: 1, upper: 20 },
        confidence: 0.9,
        priority: 1000,
        body: body(
          Array.from({ length: 130 }, (_, i) => (i < 65 ? 11 : 12)),
          rows,
        ),
      },
      ...Array.from({ length: 59 }, (_, i) => ({
        kind: 'waste' as const,
        key: `waste-${i}`,
        title: `Waste ${i}`,
        currency: 'USD',
        impact: { point: 1, lower: 0, upper: 2 },
        confidence: 0.5,
        priority: 100 - i,
        body: body([i % 2 ? 11 : 13], null),
      })),
    ]
    new RecommendationsRepo(core.store.sqlite).saveGeneration(ws, drafts, NOW.toISOString())

    type Page = { items: RecommendationView[]; total: number }
    const first = await call<Page>('recommendations:list', { workspaceId: ws })
    expect(first.total).toBe(60)
    expect(first.items).toHaveLength(50) // the default page
    expect(first.items.map((r) => r.key).slice(0, 3)).toEqual(['realloc', 'waste-0', 'waste-1'])
    const second = await call<Page>('recommendations:list', { workspaceId: ws, offset: 50, limit: 50 })
    expect(second.items.map((r) => r.key)).toEqual(Array.from({ length: 10 }, (_, i) => `waste-${49 + i}`))

    // The reallocation's view: 20 of 130 rows, the largest moves first; 20 of 130 entities.
    const view = first.items[0] as RecommendationView
    expect(view.reallocationTotal).toBe(130)
    expect(view.entitiesTotal).toBe(130)
    expect(view.body.entities).toHaveLength(20)
    expect(view.changesTotal).toBe(130)
    expect(view.body.changes).toHaveLength(20)
    const shown = view.body.reallocation ?? []
    expect(shown).toHaveLength(20)
    const curve = shown[0]?.curve ?? []
    expect(curve).toHaveLength(32)
    expect(curve[0]?.spendMicros).toBe(0)
    expect(curve[31]?.spendMicros).toBe(100_000_000)
    expect(curve[16]?.spendMicros).toBe(52_000_000) // round(16 × 100 / 31) = 52
    const moved = (r: { budgetAfterMicros: number; budgetBeforeMicros: number }): number =>
      Math.abs(r.budgetAfterMicros - r.budgetBeforeMicros)
    expect(shown.map(moved)).toEqual([...shown.map(moved)].sort((a, b) => b - a))
    expect(moved(shown[0] as (typeof shown)[0])).toBe(128_000_000)
    expect(first.items[1]?.reallocationTotal).toBeNull()

    // Paging the table gives every row once, in the view's order.
    const pages: string[] = []
    for (let offset = 0; offset < 130; offset += 60) {
      const p = await call<{ rows: typeof shown; total: number }>('recommendations:reallocationRows', {
        id: view.id,
        offset,
        limit: 60,
      })
      expect(p.total).toBe(130)
      pages.push(...p.rows.map((r) => r.name))
    }
    expect(pages.slice(0, 20)).toEqual(shown.map((r) => r.name))
    expect(new Set(pages).size).toBe(130)
    expect(pages.slice(-43).every((n) => Number(n.slice(-3)) % 3 === 0)).toBe(true) // the held rows last

    // Account filter: advice naming account 12 (the reallocation) or 13 (the even wastes).
    const acc = await call<Page>('recommendations:list', { workspaceId: ws, accountIds: [13], limit: 200 })
    expect(acc.total).toBe(30)
    expect(acc.items.every((r) => r.key.startsWith('waste-') && Number(r.key.slice(6)) % 2 === 0)).toBe(true)
    expect(
      (await call<Page>('recommendations:list', { workspaceId: ws, accountIds: [12] })).items.map((r) => r.key),
    ).toEqual(['realloc'])

    const byKind = await call<Page>('recommendations:list', { workspaceId: ws, kinds: ['budget_reallocation'] })
    expect(byKind.items.map((r) => r.key)).toEqual(['realloc'])
    expect(byKind.total).toBe(1)

    // Bad pages are refused; another workspace's reader cannot page a table it cannot see.
    expect(await refused('recommendations:list', { workspaceId: ws, limit: 201 })).toMatch(/^VALIDATION/)
    expect(await refused('recommendations:reallocationRows', { id: view.id, offset: -1, limit: 10 })).toMatch(
      /^VALIDATION/,
    )
    const other = userContext('test', { id: 'u2', role: 'viewer', workspaces: [ws + 1000] })
    expect(await refused('recommendations:reallocationRows', { id: view.id, offset: 0, limit: 10 }, other)).toMatch(
      /^NOT_FOUND|^FORBIDDEN/,
    )
  })
})

describe('a generation saved in steps', () => {
  const draft = (key: string, priority: number) => ({
    kind: 'waste' as const,
    key,
    title: `Waste ${key}`,
    currency: 'USD',
    impact: { point: priority, lower: 0, upper: 2 * priority },
    confidence: 0.5,
    priority,
    body: {
      summary: `s ${key} ${priority}`,
      entities: [],
      evidence: { metrics: [], chart: null, notes: [] },
      impactMethod: 'm',
      horizonDays: 14,
      changes: [],
      reallocation: null,
      link: null,
    },
  })
  const rows = (ws: number) =>
    (
      core.store.sqlite
        .prepare('SELECT key, state, priority, body FROM recommendations WHERE workspace_id = ? ORDER BY key')
        .all(ws) as { key: string; state: string; priority: number; body: string }[]
    ).map((r) => ({ ...r, body: JSON.parse(r.body).summary }))

  it('writes a transaction per step, each row whole, and never expires a row decided on between steps', () => {
    const repo = new RecommendationsRepo(core.store.sqlite)
    const [a, b] = [core.workspaces.create('steps-a', 'USD'), core.workspaces.create('steps-b', 'USD')]
    const first = ['k1', 'k2', 'k3', 'k4', 'k5'].map((k, i) => draft(k, i + 1))
    for (const ws of [a, b]) repo.saveGeneration(ws, first, NOW.toISOString())
    // The next generation: k1..k3 with new numbers, k6 new; k4 and k5 no longer supported.
    const next = [draft('k1', 11), draft('k2', 12), draft('k3', 13), draft('k6', 16)]
    const atOnce = repo.saveGeneration(a, next, NOW.toISOString())
    // In workspace b, in steps of one body each (stepBytes 1), a person dismisses k2 and applies k4
    // between the steps: k2 keeps its old numbers (decided rows do), and k4 is not expired.
    const steps = repo.saveGenerationSteps(b, next, NOW.toISOString(), undefined, 1)
    let turns = 0
    let r = steps.next()
    while (!r.done) {
      turns++
      if (turns === 1) {
        // After the first step: k1 has the new numbers, k2 still the last generation's.
        expect(
          rows(b)
            .slice(0, 2)
            .map((x) => [x.key, x.priority]),
        ).toEqual([
          ['k1', 11],
          ['k2', 2],
        ])
        repo.decide(repo.list(b).find((x) => x.key === 'k2')!.id, 'dismissed', 'test', NOW.toISOString())
        repo.decide(repo.list(b).find((x) => x.key === 'k4')!.id, 'applied', 'test', NOW.toISOString())
      }
      r = steps.next()
    }
    // Four drafts, a step each, then the expiry: four turns between them.
    expect(turns).toBe(4)
    expect(r.value).toEqual({ inserted: 1, updated: 2, expired: 1 })
    expect(atOnce).toEqual({ inserted: 1, updated: 3, expired: 2 })
    expect(rows(a).map((x) => [x.key, x.state, x.priority])).toEqual([
      ['k1', 'new', 11],
      ['k2', 'new', 12],
      ['k3', 'new', 13],
      ['k4', 'expired', 4],
      ['k5', 'expired', 5],
      ['k6', 'new', 16],
    ])
    expect(rows(b).map((x) => [x.key, x.state, x.priority])).toEqual([
      ['k1', 'new', 11],
      ['k2', 'dismissed', 2],
      ['k3', 'new', 13],
      ['k4', 'applied', 4],
      ['k5', 'expired', 5],
      ['k6', 'new', 16],
    ])
  })

  it('runs two generations of a workspace one save after the other: neither expires the other’s new advice', async () => {
    const { ws } = seed('two-saves')
    const original = RecommendationsRepo.prototype.saveGenerationSteps
    let inside = 0
    let most = 0
    const spy = vi.spyOn(RecommendationsRepo.prototype, 'saveGenerationSteps').mockImplementation(function* (
      this: RecommendationsRepo,
      w,
      drafts,
      at,
      bodies,
    ) {
      inside++
      most = Math.max(most, inside)
      try {
        // Many steps (turns for the other generation), then the save one body per step.
        for (let k = 0; k < 200; k++) yield
        return yield* original.call(this, w, drafts, at, bodies, 1)
      } finally {
        inside--
      }
    })
    try {
      const [g1, g2] = await Promise.all([
        call<{ inserted: number; updated: number; expired: number }>('recommendations:generate', { workspaceId: ws }),
        call<{ inserted: number; updated: number; expired: number }>('recommendations:generate', { workspaceId: ws }),
      ])
      expect(spy).toHaveBeenCalledTimes(2)
      expect(most).toBe(1)
      expect(g1.inserted).toBeGreaterThan(0)
      expect(g2).toMatchObject({ inserted: 0, updated: g1.inserted, expired: 0 })
      expect((await list(ws)).map((r) => r.state)).toEqual((await list(ws)).map(() => 'new'))
    } finally {
      spy.mockRestore()
    }
  })
})
