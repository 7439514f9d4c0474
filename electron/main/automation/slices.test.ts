import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { addDays, dateRange } from '../../../shared/domain/dates'
import type { RuleDefinition, RuleInput, RuleWindow } from '../../../shared/domain/rules'
import { MetricsRepo, type DailyMetricInput } from '../store/repos/metrics-repo'
import { RulesRepo } from '../store/repos/rules-repo'
import { lcg, seedAccount } from '../store/repos/testing'
import { createTestCore, TEST_CALLER } from '../test-support'
import { EvalData } from './data'
import { ENTITIES_PER_STEP, evaluateRule, evaluateRuleSliced } from './evaluate'
import { sliceBudget } from '../scheduler/slices'
import { parseRule } from './rules-service'

/*
 * Two accounts of 300 campaigns (one ad set and one ad each) with rows from 2026-03-20 to
 * 2026-06-14 (ads start on different days; the last 3 days provisional), "now" 2026-06-15: the
 * windows cross month ends, lifetime has whole months and partial ones.
 */
const NOW = new Date('2026-06-15T12:00:00Z')
const FIRST = '2026-03-20'
const LAST = '2026-06-14'

type TestCore = ReturnType<typeof createTestCore>
let core: TestCore
let ws = 0
const accounts: number[] = []

beforeAll(() => {
  core = createTestCore({ startJobs: false, now: () => NOW })
  const s = core.store.sqlite
  ws = core.workspaces.create('Slices', 'USD')
  const rnd = lcg(5)
  const m = new MetricsRepo(s)
  for (const key of ['a', 'b']) {
    const seeded = seedAccount(s, ws, key, 300)
    accounts.push(seeded.accountId)
    const rows: DailyMetricInput[] = []
    seeded.campaigns.forEach((c, i) => {
      for (const date of dateRange(addDays(FIRST, i % 40), LAST))
        rows.push({
          ...c,
          date,
          accountId: seeded.accountId,
          spendMicros: Math.round(rnd() * 50e6),
          impressions: Math.round(rnd() * 5_000),
          clicks: Math.round(rnd() * 80),
          reach: 0,
          conversions: Math.round(rnd() * 20) / 4,
          conversionValueMicros: Math.round(rnd() * 90e6),
          videoViews: 0,
          provisional: date >= '2026-06-12',
          source: 'import',
        })
    })
    s.transaction(() => {
      m.upsert(rows)
      m.refreshRollups(seeded.accountId, FIRST, LAST)
    })()
  }
})
afterAll(() => core.close())

const windows: RuleWindow[] = [
  { kind: 'lifetime' },
  { kind: 'last_n_days', days: 3, includeToday: false, offsetDays: 0 },
  { kind: 'last_n_days', days: 14, includeToday: false, offsetDays: 3 },
  { kind: 'last_n_days', days: 30, includeToday: true, offsetDays: 0 },
  { kind: 'yesterday' },
]

function inputs(level: 'ad' | 'ad_set'): RuleInput[] {
  return windows.map((w, i) => ({
    workspaceId: ws,
    name: `R${i}`,
    scope: { level },
    conditions: {
      type: 'group',
      op: 'or',
      items: [
        { type: 'condition', metric: 'cpa', window: w, op: 'gt', value: 20, includeProvisional: i % 2 === 0 },
        {
          type: 'condition',
          metric: 'ctr',
          window: w,
          op: 'lt',
          compareTo: { metric: 'ctr', window: windows[(i + 1) % windows.length], factor: 0.9 },
        },
      ],
    },
    actions: [{ kind: 'pause' }],
  }))
}

const rules = (level: 'ad' | 'ad_set'): RuleDefinition[] => inputs(level).map(parseRule)

const data = (): EvalData => new EvalData(ws, NOW, new RulesRepo(core.store.sqlite), core.services.analytics)
const history = { recent: [], lastChange: new Map(), othersOpen: [] }
const decisions = (d: EvalData, defs: RuleDefinition[]): unknown[] =>
  defs.map((r) => evaluateRule(r, d, history).map((o) => ({ ...o.decision, changes: o.changes, weight: o.weight })))

describe('rule evaluation in slices', () => {
  it('reads ahead every ad and ad-set window (ad_month + one read of the days) with the same decisions as reading each window', async () => {
    for (const level of ['ad', 'ad_set'] as const) {
      const defs = rules(level)
      const plain = decisions(data(), defs)
      const ahead = data()
      // A budget of 0 ms: a turn of the event loop at every step.
      const budget = sliceBudget(0)
      await ahead.prefetchSliced(defs, budget)
      // One step per entity list, account and range (and more for large ranges).
      expect(budget.yields).toBeGreaterThanOrEqual(accounts.length + 1)
      // Every window came from the read-ahead: no per-window read while evaluating.
      const perWindow = vi.spyOn(core.services.analytics, 'adAndAdSetTotals')
      expect(decisions(ahead, defs)).toEqual(plain)
      expect(perWindow).not.toHaveBeenCalled()
      perWindow.mockRestore()
      expect(plain.flat().length).toBe(defs.length * 600)
    }
  })

  it('reads the entity lists ahead in pieces of ids, the same lists as one read each', async () => {
    // Another workspace's campaigns, ad sets and ads sit in the id ranges the pieces cover.
    const other = core.workspaces.create('Other', 'USD')
    seedAccount(core.store.sqlite, other, 'other', 20)
    const repo = new RulesRepo(core.store.sqlite)
    const d = data()
    d.entityIdsPerStep = 7
    const budget = sliceBudget(0)
    const defs = [...rules('ad'), ...rules('ad_set')]
    defs.push(parseRule({ ...inputs('ad')[0], scope: { level: 'campaign' } } as RuleInput))
    await d.prefetchSliced(defs, budget)
    for (const level of ['campaign', 'ad_set', 'ad'] as const) {
      const whole = repo.entities(level, accounts)
      expect(whole.length).toBe(600)
      expect(d.entities(level)).toEqual(whole)
    }
    // At least a piece per 7 ids of each level's table (600 of this workspace's entities each).
    expect(budget.yields).toBeGreaterThanOrEqual((3 * 600) / 7)
  })

  it('gives the event loop back between steps of entities, with the same outcomes', async () => {
    const def = rules('ad')[0] as RuleDefinition
    const d = data()
    const plain = evaluateRule(def, d, history).map((o) => o.decision)
    // A real pause at every step: the event loop runs before the evaluation goes on.
    const budget = sliceBudget(0)
    const sliced = await evaluateRuleSliced(def, d, history, budget)
    // One step for the scope's filter over the level's entities, then one per ENTITIES_PER_STEP.
    expect(budget.yields).toBe(1 + Math.floor(600 / ENTITIES_PER_STEP))
    expect(sliced.map((o) => o.decision)).toEqual(plain)
  })

  it('a cycle answers other work while it evaluates (sliceMs 0: a pause at every step)', async () => {
    const svc = core.services.automation
    svc.sliceMs = 0
    const ruleIds: number[] = []
    for (const input of inputs('ad')) ruleIds.push((await svc.create({ ...input, mode: 'preview' }, TEST_CALLER)).id)
    let ticks = 0
    let done = false
    const spin = (): void => {
      if (done) return
      ticks++
      setImmediate(spin)
    }
    setImmediate(spin)
    const started = ticks
    const pending = svc.cycle(
      ruleIds.map((id) => svc.get(id)),
      'manual',
      true,
    )
    // Nothing of the cycle's evaluation has run the loop yet; it yields at its first step.
    expect(ticks).toBe(started)
    const results = await pending
    done = true
    expect(results.map((r) => r.run.considered)).toEqual(ruleIds.map(() => 600))
    expect(ticks - started).toBeGreaterThan(rules('ad').length * 2)
  })
})
