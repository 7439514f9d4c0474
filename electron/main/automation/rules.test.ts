import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallContext } from '../../../shared/domain/caller'
import { dateRange } from '../../../shared/domain/dates'
import type { RuleDecision, RuleInput, RuleRunResult } from '../../../shared/domain/rules'
import { MetricsRepo, type DailyMetricInput } from '../store/repos/metrics-repo'
import { seedAccount, type SeededCampaign } from '../store/repos/testing'
import { RulesRepo, type RuleChangeRow } from '../store/repos/rules-repo'
import { createTestCore, TEST_CALLER } from '../test-support'
import { EvalData, type EvalAccount } from './data'
import { evaluateRule } from './evaluate'

/*
 * A hand-computable world: one USD account in UTC, "now" 2026-06-15 12:00 UTC, rows from
 * 2026-06-01 to 2026-06-15 with the same numbers every day per campaign; days from 2026-06-13 on
 * are provisional. So "the last 7 days" are the last 7 settled days, 06-06..06-12.
 *
 *   per day   spend  impr    clicks conv  revenue  budget/day  launched
 *   C0        100    10,000  200    2     300      150         2026-05-01
 *   C1        50     5,000   50     0.5   50       100         2026-05-01
 *   C2        10     100     1      0     0        none        2026-05-01
 *   C3        20     2,000   40     1     40       50          2026-06-14 (learning)
 *   C4        archived (deleted on the platform)
 */
const NOW = new Date('2026-06-15T12:00:00Z')
const FIRST = '2026-06-01'
const TODAY = '2026-06-15'
const PER_DAY = [
  { spend: 100, impr: 10_000, clicks: 200, conv: 2, rev: 300, budget: 150, launch: '2026-05-01' },
  { spend: 50, impr: 5_000, clicks: 50, conv: 0.5, rev: 50, budget: 100, launch: '2026-05-01' },
  { spend: 10, impr: 100, clicks: 1, conv: 0, rev: 0, budget: null, launch: '2026-05-01' },
  { spend: 20, impr: 2_000, clicks: 40, conv: 1, rev: 40, budget: 50, launch: '2026-06-14' },
  { spend: 30, impr: 3_000, clicks: 30, conv: 1, rev: 30, budget: 60, launch: '2026-05-01' },
]

type TestCore = ReturnType<typeof createTestCore>
let core: TestCore
let ws = 0
let camps: SeededCampaign[] = []

beforeAll(() => {
  core = createTestCore({ startJobs: false, now: () => NOW })
  const s = core.store.sqlite
  ws = core.workspaces.create('Rules', 'USD')
  const seeded = seedAccount(s, ws, 'acc', PER_DAY.length)
  camps = seeded.campaigns
  const rows: DailyMetricInput[] = []
  camps.forEach((c, i) => {
    const p = PER_DAY[i] as (typeof PER_DAY)[number]
    s.prepare('UPDATE campaigns SET daily_budget_micros = ?, start_date = ? WHERE id = ?').run(
      p.budget === null ? null : p.budget * 1e6,
      p.launch,
      c.campaignId,
    )
    s.prepare('UPDATE ads SET launch_date = ? WHERE id = ?').run(p.launch, c.adId)
    for (const date of dateRange(FIRST, TODAY))
      rows.push({
        ...c,
        date,
        accountId: seeded.accountId,
        spendMicros: p.spend * 1e6,
        impressions: p.impr,
        clicks: p.clicks,
        reach: 0,
        conversions: p.conv,
        conversionValueMicros: p.rev * 1e6,
        videoViews: 0,
        provisional: date >= '2026-06-13',
        source: 'import',
      })
  })
  s.prepare("UPDATE campaigns SET status = 'archived' WHERE id = ?").run(camps[4]?.campaignId)
  const m = new MetricsRepo(s)
  s.transaction(() => {
    m.upsert(rows)
    m.refreshRollups(seeded.accountId, FIRST, TODAY)
  })()
})
afterAll(() => core.close())

async function call<T>(channel: string, input: unknown, ctx: CallContext = TEST_CALLER): Promise<T> {
  const env = await core.dispatch(channel, input, ctx)
  if (!env.ok) throw Object.assign(new Error(`${env.error.code}: ${env.error.message}`), { code: env.error.code })
  return env.value as T
}

async function refused(channel: string, input: unknown): Promise<{ code: string; message: string }> {
  const env = await core.dispatch(channel, input, TEST_CALLER)
  if (env.ok) throw new Error(`${channel} was not refused`)
  return env.error
}

const last7 = { kind: 'last_n_days', days: 7, includeToday: false, offsetDays: 0 } as const

function rule(over: Partial<RuleInput> & Pick<RuleInput, 'conditions'>): RuleInput {
  return {
    workspaceId: ws,
    name: 'Test rule',
    scope: { level: 'campaign' },
    actions: [{ kind: 'pause' }],
    ...over,
  }
}

const preview = (r: RuleInput): Promise<RuleRunResult> => call<RuleRunResult>('rules:preview', { rule: r })
const of = (res: RuleRunResult, i: number): RuleDecision => {
  const d = res.decisions.find((x) => x.entityId === camps[i]?.campaignId)
  if (!d) throw new Error(`no decision for C${i}`)
  return d
}

describe('conditions against hand-computed values', () => {
  it('every metric, window and operand kind gives the hand-computed numbers', async () => {
    const res = await preview(
      rule({
        guardrails: { minConversions: 0, minSpendMicros: 0, minImpressions: 0, learningDays: 0 },
        conditions: {
          type: 'group',
          op: 'and',
          items: [
            // 7 settled days (06-06..06-12): C0 spend 700, revenue 2100, 14 conversions.
            { type: 'condition', metric: 'spend', window: last7, op: 'eq', value: 700 },
            { type: 'condition', metric: 'revenue', window: last7, op: 'eq', value: 2100 },
            { type: 'condition', metric: 'roas', window: last7, op: 'eq', value: 3 },
            { type: 'condition', metric: 'conversions', window: last7, op: 'eq', value: 14 },
            { type: 'condition', metric: 'cpa', window: last7, op: 'eq', value: 50 },
            { type: 'condition', metric: 'ctr', window: last7, op: 'eq', value: 0.02 },
            { type: 'condition', metric: 'cpc', window: last7, op: 'eq', value: 0.5 },
            { type: 'condition', metric: 'cpm', window: last7, op: 'eq', value: 10 },
            { type: 'condition', metric: 'impressions', window: last7, op: 'eq', value: 70_000 },
            { type: 'condition', metric: 'clicks', window: last7, op: 'eq', value: 1_400 },
            { type: 'condition', metric: 'budget', op: 'eq', value: 150 },
            // Spend 700 over 7 days against 150/day: 700 / 1050.
            { type: 'condition', metric: 'budget_utilisation', window: last7, op: 'gt', value: 0.66 },
            { type: 'condition', metric: 'days_since_launch', op: 'eq', value: 45 },
            // Today counts only with provisional days: 100 of a 150 budget.
            {
              type: 'condition',
              metric: 'spend',
              window: { kind: 'today' },
              op: 'eq',
              value: 100,
              includeProvisional: true,
            },
            {
              type: 'condition',
              metric: 'spend',
              window: { kind: 'yesterday' },
              op: 'eq',
              value: 100,
              includeProvisional: true,
            },
            // Lifetime settled: 06-01..06-12 = 12 days; with provisional days 15.
            { type: 'condition', metric: 'spend', window: { kind: 'lifetime' }, op: 'eq', value: 1200 },
            {
              type: 'condition',
              metric: 'spend',
              window: { kind: 'lifetime' },
              op: 'eq',
              value: 1500,
              includeProvisional: true,
            },
            // 14 days including today, shifted back 3: 05-30..06-12, data from 06-01 = 12 days.
            {
              type: 'condition',
              metric: 'spend',
              window: { kind: 'last_n_days', days: 14, includeToday: true, offsetDays: 3 },
              op: 'eq',
              value: 1200,
              includeProvisional: true,
            },
            // Metric × factor: spend today > 0.6 × budget (100 > 90).
            {
              type: 'condition',
              metric: 'spend',
              window: { kind: 'today' },
              op: 'gt',
              compareTo: { metric: 'budget', factor: 0.6 },
              includeProvisional: true,
            },
            // CTR of the last 3 days (with provisional) equals 1 × CTR of the 14 before.
            {
              type: 'condition',
              metric: 'ctr',
              window: { kind: 'last_n_days', days: 3, includeToday: false, offsetDays: 0 },
              op: 'eq',
              compareTo: {
                metric: 'ctr',
                window: { kind: 'last_n_days', days: 14, includeToday: false, offsetDays: 3 },
                factor: 1,
              },
              includeProvisional: true,
            },
            { type: 'condition', metric: 'spend', window: { kind: 'since_last_change' }, op: 'eq', value: 1200 },
            {
              type: 'group',
              op: 'or',
              items: [
                { type: 'condition', metric: 'spend', window: last7, op: 'lt', value: 1 },
                { type: 'condition', metric: 'cpa', window: last7, op: 'lte', value: 50 },
              ],
            },
          ],
        },
      }),
    )
    const c0 = of(res, 0)
    expect(c0.conditions.filter((c) => c.result !== true).map((c) => c.path)).toEqual(['21.0'])
    expect(c0.outcome).toBe('matched')
    const byPath = new Map(c0.conditions.map((c) => [c.path, c]))
    expect(byPath.get('0')?.value).toBe(700)
    expect(byPath.get('11')?.value).toBeCloseTo(700 / 1050, 9)
    expect(byPath.get('18')).toMatchObject({ value: 100, against: 90 })
    expect(byPath.get('21.0')).toMatchObject({ result: false })
    expect(byPath.get('21.1')).toMatchObject({ result: true, value: 50 })
    // C1 differs (spend 350): not matched, its values recorded.
    const c1 = of(res, 1)
    expect(c1.outcome).toBe('not_matched')
    expect(c1.conditions[0]).toMatchObject({ value: 350, result: false })
  })

  it('compares an ad set with its parent campaign', async () => {
    const res = await preview(
      rule({
        scope: { level: 'ad_set' },
        guardrails: { minConversions: 0, minSpendMicros: 0, learningDays: 0 },
        conditions: {
          type: 'group',
          op: 'and',
          items: [
            {
              type: 'condition',
              metric: 'cpa',
              window: last7,
              op: 'gte',
              compareTo: { metric: 'cpa', of: 'parent_campaign', factor: 1 },
            },
          ],
        },
      }),
    )
    const d = res.decisions.find((x) => x.entityId === camps[0]?.adSetId)
    expect(d?.conditions[0]).toMatchObject({ value: 50, against: 50, result: true })
  })

  it('excludes provisional days unless asked: today, while provisional, is skipped with the reason', async () => {
    const res = await preview(
      rule({
        guardrails: { learningDays: 0 },
        conditions: {
          type: 'group',
          op: 'and',
          items: [{ type: 'condition', metric: 'spend', window: { kind: 'today' }, op: 'gt', value: 0 }],
        },
      }),
    )
    expect(of(res, 0)).toMatchObject({ outcome: 'skipped', reason: 'provisional' })
  })
})

describe('guardrails, each both ways', () => {
  const cpaOver = (min: number) =>
    rule({
      guardrails: { minConversions: min, learningDays: 0, minSpendMicros: 0 },
      conditions: {
        type: 'group',
        op: 'and',
        items: [{ type: 'condition', metric: 'cpa', window: last7, op: 'gt', value: 10 }],
      },
    })

  it('data minimum: CPA on 3.5 conversions is skipped at 10, evaluated at 2', async () => {
    const strict = await preview(cpaOver(10))
    expect(of(strict, 1)).toMatchObject({ outcome: 'skipped', reason: 'data_minimum' })
    expect(of(strict, 1).detail).toContain('3.5 conversions')
    const loose = await preview(cpaOver(2))
    // C1: spend 350 / 3.5 conversions = 100 > 10.
    expect(of(loose, 1)).toMatchObject({ outcome: 'matched' })
    expect(of(loose, 1).conditions[0]?.value).toBe(100)
  })

  it('CTR needs impressions: C2 (700 impressions) is skipped at 2,000, evaluated at 100', async () => {
    const ctr = (min: number) =>
      rule({
        guardrails: { minImpressions: min, learningDays: 0 },
        conditions: {
          type: 'group',
          op: 'and',
          items: [{ type: 'condition', metric: 'ctr', window: last7, op: 'gte', value: 0.01 }],
        },
      })
    expect(of(await preview(ctr(2000)), 2)).toMatchObject({ outcome: 'skipped', reason: 'data_minimum' })
    expect(of(await preview(ctr(100)), 2)).toMatchObject({ outcome: 'matched' })
  })

  it('learning: C3 (launched yesterday) is skipped with 3 learning days, evaluated with 0', async () => {
    const r = (days: number) =>
      rule({
        guardrails: { learningDays: days },
        conditions: {
          type: 'group',
          op: 'and',
          items: [{ type: 'condition', metric: 'spend', window: last7, op: 'gte', value: 0 }],
        },
      })
    expect(of(await preview(r(3)), 3)).toMatchObject({ outcome: 'skipped', reason: 'learning' })
    expect(of(await preview(r(0)), 3).outcome).toBe('matched')
  })

  it('actions per run: with a limit of 1 only the biggest spender acts, the others are skipped', async () => {
    const r = (max: number) =>
      rule({
        guardrails: { learningDays: 0, maxActionsPerRun: max },
        conditions: {
          type: 'group',
          op: 'and',
          items: [{ type: 'condition', metric: 'spend', window: last7, op: 'gt', value: 0 }],
        },
      })
    const one = await preview(r(1))
    expect(one.decisions.filter((d) => d.outcome === 'matched').map((d) => d.entityId)).toEqual([camps[0]?.campaignId])
    expect(of(one, 1)).toMatchObject({ outcome: 'skipped', reason: 'action_limit' })
    const many = await preview(r(10))
    expect(many.decisions.filter((d) => d.outcome === 'matched')).toHaveLength(4)
  })

  it("actions per account and day count the account's calendar day (its time zone), not the last 24 hours", async () => {
    const { id } = await call<{ id: number }>('rules:create', {
      ...rule({
        name: 'daily limit',
        guardrails: { learningDays: 0, cooldownHours: 0, maxActionsPerDayPerAccount: 1 },
        scope: { level: 'campaign', nameContains: 'C0' },
        conditions: {
          type: 'group',
          op: 'and',
          items: [{ type: 'condition', metric: 'spend', window: last7, op: 'gte', value: 500 }],
        },
      }),
    })
    const def = core.services.automation.get(id).definition
    const accountId = (
      core.store.sqlite.prepare('SELECT account_id AS a FROM campaigns WHERE id = ?').get(camps[0]?.campaignId) as {
        a: number
      }
    ).a
    const change = (createdAt: string): RuleChangeRow => ({
      id: 1,
      entityType: 'campaign',
      entityId: camps[1]?.campaignId as number,
      accountId,
      actorKind: 'rule',
      actorId: `${id}@1`,
      state: 'applied',
      field: 'status',
      action: 'pause',
      beforeValue: 'active',
      requestedValue: 'paused',
      createdAt,
    })
    const c0 = (recent: RuleChangeRow[], timeZone = 'UTC'): RuleDecision => {
      const data = new EvalData(ws, NOW, new RulesRepo(core.store.sqlite), core.services.analytics)
      const acc = data.accounts.get(accountId) as EvalAccount
      acc.timeZone = timeZone
      const out = evaluateRule(def, data, { recent, lastChange: new Map(), othersOpen: [] })
      return out.find((o) => o.decision.entityId === camps[0]?.campaignId)?.decision as RuleDecision
    }
    // 23:30 UTC yesterday is within 24 hours but not today in UTC: the limit of 1 is free.
    expect(c0([change('2026-06-14T23:30:00.000Z')]).outcome).toBe('matched')
    // 00:30 UTC today uses it up.
    expect(c0([change('2026-06-15T00:30:00.000Z')])).toMatchObject({ outcome: 'skipped', reason: 'action_limit' })
    // In Tokyo (UTC+9, now 21:00 on 06-15) 16:00 UTC on 06-14 is 01:00 today: it counts.
    expect(c0([change('2026-06-14T16:00:00.000Z')], 'Asia/Tokyo')).toMatchObject({ reason: 'action_limit' })
    expect(c0([change('2026-06-14T14:00:00.000Z')], 'Asia/Tokyo').outcome).toBe('matched')
    await call('rules:delete', { id })
  })

  it('budget ceiling and caps: +50% is capped; a ceiling at the current budget stops the change', async () => {
    const raise = (ceiling?: number) =>
      rule({
        guardrails: { learningDays: 0, ...(ceiling ? { budgetCeilingMicros: ceiling } : {}) },
        conditions: {
          type: 'group',
          op: 'and',
          items: [{ type: 'condition', metric: 'spend', window: last7, op: 'gte', value: 500 }],
        },
        actions: [{ kind: 'change_budget', pct: 50, maxMicros: 200_000_000, maxChangePerDayPct: 100 }],
      })
    const capped = await preview(raise())
    expect(of(capped, 0).actions[0]).toMatchObject({ before: 150e6, after: 200e6, outcome: 'would' })
    const ceiling = await preview(raise(150_000_000))
    expect(of(ceiling, 0)).toMatchObject({ outcome: 'skipped', reason: 'budget_limit' })
  })

  it('maximum change per day: +50% asked, 20% allowed', async () => {
    const res = await preview(
      rule({
        guardrails: { learningDays: 0 },
        conditions: {
          type: 'group',
          op: 'and',
          items: [{ type: 'condition', metric: 'spend', window: last7, op: 'gte', value: 500 }],
        },
        actions: [{ kind: 'change_budget', pct: 50, maxChangePerDayPct: 20 }],
      }),
    )
    expect(of(res, 0).actions[0]).toMatchObject({ before: 150e6, after: 180e6 })
  })

  it('cooldown: a rule that proposed a change skips the entity on its next run; with no cooldown it does not', async () => {
    const make = async (cooldownHours: number): Promise<number> =>
      (
        await call<{ id: number }>('rules:create', {
          ...rule({
            name: `cooldown ${cooldownHours}`,
            mode: 'approval',
            guardrails: { learningDays: 0, cooldownHours },
            scope: { level: 'campaign', nameContains: 'C0' },
            conditions: {
              type: 'group',
              op: 'and',
              items: [{ type: 'condition', metric: 'spend', window: last7, op: 'gte', value: 500 }],
            },
            actions: [{ kind: 'change_budget', pct: -10, maxChangePerDayPct: 50 }],
          }),
        })
      ).id
    const withCooldown = await make(24)
    const first = await call<RuleRunResult>('rules:run', { id: withCooldown })
    expect(of(first, 0).actions[0]).toMatchObject({ outcome: 'proposed', before: 150e6, after: 135e6 })
    const second = await call<RuleRunResult>('rules:run', { id: withCooldown })
    expect(of(second, 0)).toMatchObject({ outcome: 'skipped', reason: 'cooldown' })
    await call('rules:delete', { id: withCooldown })
    // Without a cooldown the next run acts again, bounded by today's maximum change from 150.
    const none = await make(0)
    const again = await call<RuleRunResult>('rules:run', { id: none })
    expect(of(again, 0).outcome).toBe('matched')
    await call('rules:delete', { id: none })
    // Withdraw the proposals so later tests start clean.
    for (const c of core.services.changes.list({ workspaceId: ws, states: ['proposed'] }).items)
      core.services.changes.reject(c.id, TEST_CALLER, 'test cleanup')
  })
})

describe('conflicts, deleted entities and modes', () => {
  const spendAtLeast = {
    type: 'group',
    op: 'and',
    items: [{ type: 'condition', metric: 'spend', window: last7, op: 'gte', value: 500 }],
  } as const

  it('two rules moving one entity in opposite directions in one cycle: neither acts, both say why', async () => {
    const up = await call<{ id: number }>('rules:create', {
      ...rule({
        name: 'up',
        mode: 'approval',
        guardrails: { learningDays: 0 },
        conditions: spendAtLeast,
        actions: [{ kind: 'change_budget', pct: 10 }],
      }),
    })
    const down = await call<{ id: number }>('rules:create', {
      ...rule({
        name: 'down',
        mode: 'approval',
        guardrails: { learningDays: 0 },
        conditions: spendAtLeast,
        actions: [{ kind: 'pause' }],
      }),
    })
    const rows = [core.services.automation.get(up.id), core.services.automation.get(down.id)]
    const [a, b] = await core.services.automation.cycle(rows, 'schedule')
    for (const [res, other] of [
      [a, down.id],
      [b, up.id],
    ] as const) {
      expect(of(res as RuleRunResult, 0)).toMatchObject({ outcome: 'skipped', reason: 'conflict' })
      expect(of(res as RuleRunResult, 0).detail).toContain(String(other))
    }
    expect(core.services.changes.list({ workspaceId: ws, states: ['proposed'] }).total).toBe(0)
    const alert = core.services.alerts
      .list({ workspaceId: ws, source: ['automation'] })
      .find((a) => a.title.startsWith('Rules in conflict'))
    expect(alert?.body).toContain('Neither rule acted')
    // Alone, each acts.
    const [alone] = await core.services.automation.cycle([rows[0] as never], 'manual')
    expect(of(alone as RuleRunResult, 0).actions[0]?.outcome).toBe('proposed')
    // And now the other rule sees the open opposite change: conflict across cycles too.
    const later = await call<RuleRunResult>('rules:preview', { id: down.id })
    expect(of(later, 0)).toMatchObject({ outcome: 'skipped', reason: 'conflict' })
    for (const c of core.services.changes.list({ workspaceId: ws, states: ['proposed'] }).items)
      core.services.changes.reject(c.id, TEST_CALLER, 'test cleanup')
    await call('rules:delete', { id: up.id })
    await call('rules:delete', { id: down.id })
  })

  it('deleted entities are skipped with a reason (archived, or gone from a fixed list)', async () => {
    const res = await preview(
      rule({
        scope: {
          level: 'campaign',
          includeNew: false,
          entityIds: [camps[0]?.campaignId as number, camps[4]?.campaignId as number, 999_999],
        },
        guardrails: { learningDays: 0 },
        conditions: spendAtLeast,
      }),
    )
    expect(of(res, 4)).toMatchObject({ outcome: 'skipped', reason: 'deleted' })
    expect(res.decisions.find((d) => d.entityId === 999_999)).toMatchObject({ outcome: 'skipped', reason: 'deleted' })
    expect(res.decisions).toHaveLength(3)
  })

  it('approval mode proposes changes as the rule (principal rule:id@version); runs record the version', async () => {
    const created = await call<{ id: number; version: number }>('rules:create', {
      ...rule({
        name: 'approve me',
        mode: 'approval',
        guardrails: { learningDays: 0 },
        conditions: spendAtLeast,
        actions: [{ kind: 'pause' }],
      }),
    })
    const updated = await call<{ version: number }>('rules:update', {
      id: created.id,
      rule: rule({
        name: 'approve me v2',
        mode: 'approval',
        guardrails: { learningDays: 0 },
        conditions: spendAtLeast,
        actions: [{ kind: 'pause' }],
      }),
    })
    expect(updated.version).toBe(2)
    const res = await call<RuleRunResult>('rules:run', { id: created.id })
    expect(res.run.version).toBe(2)
    const changeId = of(res, 0).actions[0]?.changeId as number
    const change = core.services.changes.get(changeId)
    expect(change).toMatchObject({ state: 'proposed', actor: { kind: 'rule', label: `rule:${created.id}@2` } })
    expect(change.metrics).toHaveProperty(['Spend (last 7d) ≥ 500'], 700)
    const stored = await call<RuleRunResult>('rules:getRun', { runId: res.run.id })
    expect(stored.decisions).toEqual(res.decisions)
    const got = await call<{ versions: unknown[] }>('rules:get', { id: created.id })
    expect(got.versions).toHaveLength(2)
    // Undoing the run withdraws its open proposal.
    const undone = await call<{ changes: { state: string }[] }>('rules:undoRun', { runId: res.run.id })
    expect(undone.changes.map((c) => c.state)).toEqual(['rejected'])
    await call('rules:delete', { id: created.id })
  })

  it('notify raises an alert with the numbers behind the match (deduped per rule and entity)', async () => {
    const r = await call<{ id: number }>('rules:create', {
      ...rule({
        name: 'tell me',
        mode: 'approval',
        guardrails: { learningDays: 0 },
        conditions: spendAtLeast,
        actions: [{ kind: 'notify', severity: 'error' }],
      }),
    })
    const res = await call<RuleRunResult>('rules:run', { id: r.id })
    expect(of(res, 0).actions[0]).toMatchObject({ kind: 'notify', outcome: 'done' })
    const alerts = core.services.alerts
      .list({ workspaceId: ws, source: ['automation'] })
      .filter((a) => a.title.endsWith('tell me'))
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({ severity: 'error', entity: { level: 'campaign', id: camps[0]?.campaignId } })
    expect(alerts[0]?.numbers[0]).toMatchObject({
      value: 700e6,
      unit: 'money_micros',
      currency: 'USD',
      previous: 500e6,
    })
    await call('rules:delete', { id: r.id })
  })

  it('preview mode and dry runs act on nothing; pause all automation stops runs', async () => {
    const r = await call<{ id: number }>('rules:create', {
      ...rule({ name: 'dry', mode: 'automatic', guardrails: { learningDays: 0 }, conditions: spendAtLeast }),
    })
    const dry = await call<RuleRunResult>('rules:run', { id: r.id, dryRun: true })
    expect(dry.run.dryRun).toBe(true)
    expect(of(dry, 0).actions[0]?.outcome).toBe('would')
    expect(
      core.services.changes.list({ workspaceId: ws }).items.filter((c) => c.actor.id.startsWith(`${r.id}@`)),
    ).toEqual([])
    await call('automation:setPaused', { paused: true })
    expect((await refused('rules:run', { id: r.id })).code).toBe('CONFLICT')
    expect((await call<{ paused: boolean }>('rules:list', { workspaceId: ws })).paused).toBe(true)
    await call('automation:setPaused', { paused: false })
    await call('rules:delete', { id: r.id })
  })
})

describe('validation', () => {
  it('refuses invalid rule JSON naming the field, and stores nothing', async () => {
    const before = (await call<{ rules: unknown[] }>('rules:list', { workspaceId: ws })).rules.length
    const bad = [
      [
        {
          ...rule({
            conditions: {
              type: 'group',
              op: 'and',
              items: [{ type: 'condition', metric: 'cpa', op: 'bigger', value: 1 }],
            },
          }),
        },
        'conditions.items.0',
      ],
      [{ ...rule({ conditions: { type: 'group', op: 'and', items: [] } }) }, 'conditions.items'],
      [{ ...rule({ conditions: spend0(), schedule: { kind: 'every_minutes', minutes: 5 } }) }, 'schedule.minutes'],
      [{ ...rule({ conditions: spend0(), schedule: { kind: 'cron', cron: '61 * * * *' } }) }, 'schedule.cron'],
      [{ ...rule({ conditions: spend0(), actions: [{ kind: 'change_budget' }] }) }, 'actions.0.pct'],
      [
        {
          ...rule({
            conditions: spend0(),
            scope: { level: 'ad' },
            actions: [{ kind: 'set_budget', dailyBudgetMicros: 5 }],
          }),
        },
        'actions.0.kind',
      ],
      [{ ...rule({ conditions: spend0() }), name: '' }, 'name'],
    ] as const
    for (const [input, field] of bad) {
      const e = await refused('rules:create', input)
      expect(e.code).toBe('VALIDATION')
      expect(e.message).toContain(field)
    }
    expect((await call<{ rules: unknown[] }>('rules:list', { workspaceId: ws })).rules).toHaveLength(before)
  })
})

function spend0() {
  return { type: 'group', op: 'and', items: [{ type: 'condition', metric: 'spend', op: 'gt', value: 0 }] } as const
}
