import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dateRange } from '../../../shared/domain/dates'
import type { RuleInput, RuleRunResult } from '../../../shared/domain/rules'
import { MetricsRepo, type DailyMetricInput } from '../store/repos/metrics-repo'
import { seedAccount } from '../store/repos/testing'
import { createTestCore, TEST_CALLER } from '../test-support'

/*
 * The editor previews an edited draft of a stored rule with `{ id, rule }`: the draft is judged with
 * the stored rule's history (its cooldown after the change it proposed), as its next run would be;
 * the same draft as a new rule (`{ rule }`) has no history.
 */
const NOW = new Date('2026-06-15T12:00:00Z')

let core: ReturnType<typeof createTestCore>
let ws = 0
let other = 0
let campaignId = 0

beforeAll(() => {
  core = createTestCore({ startJobs: false, now: () => NOW })
  const s = core.store.sqlite
  ws = core.workspaces.create('Preview', 'USD')
  other = core.workspaces.create('Other', 'USD')
  const seeded = seedAccount(s, ws, 'acc', 1)
  const c = seeded.campaigns[0] as (typeof seeded.campaigns)[number]
  campaignId = c.campaignId
  s.prepare("UPDATE campaigns SET daily_budget_micros = 100000000, start_date = '2026-05-01' WHERE id = ?").run(
    campaignId,
  )
  s.prepare("UPDATE ads SET launch_date = '2026-05-01' WHERE id = ?").run(c.adId)
  const rows: DailyMetricInput[] = dateRange('2026-06-01', '2026-06-15').map((date) => ({
    ...c,
    date,
    accountId: seeded.accountId,
    spendMicros: 100e6,
    impressions: 10_000,
    clicks: 200,
    reach: 0,
    conversions: 2,
    conversionValueMicros: 300e6,
    videoViews: 0,
    provisional: date >= '2026-06-13',
    source: 'import',
  }))
  const m = new MetricsRepo(s)
  s.transaction(() => {
    m.upsert(rows)
    m.refreshRollups(seeded.accountId, '2026-06-01', '2026-06-15')
  })()
})
afterAll(() => core.close())

async function call<T>(channel: string, input: unknown): Promise<T> {
  const env = await core.dispatch(channel, input, TEST_CALLER)
  if (!env.ok) throw Object.assign(new Error(`${env.error.code}: ${env.error.message}`), { code: env.error.code })
  return env.value as T
}

const draft = (over: Partial<RuleInput> = {}): RuleInput => ({
  workspaceId: ws,
  name: 'Raise spenders',
  mode: 'approval',
  scope: { level: 'campaign' },
  conditions: {
    type: 'group',
    op: 'and',
    items: [
      {
        type: 'condition',
        metric: 'spend',
        window: { kind: 'last_n_days', days: 7, includeToday: false, offsetDays: 0 },
        op: 'gte',
        value: 500,
      },
    ],
  },
  actions: [{ kind: 'change_budget', pct: 10 }],
  guardrails: { learningDays: 0, cooldownHours: 24 },
  ...over,
})

describe('rules:preview of an edited draft', () => {
  it('applies the stored rule’s cooldown to the draft; a new draft has none; another workspace is refused', async () => {
    const { id } = await call<{ id: number }>('rules:create', draft())
    const run = await call<RuleRunResult>('rules:run', { id })
    expect(run.decisions[0]).toMatchObject({ entityId: campaignId, outcome: 'matched' })
    expect(run.decisions[0]?.actions[0]).toMatchObject({ outcome: 'proposed' })

    // The edited draft (a +20% raise now) of the stored rule: still cooling down.
    const edited = draft({ actions: [{ kind: 'change_budget', pct: 20 }] })
    const withHistory = await call<RuleRunResult>('rules:preview', { id, rule: edited })
    expect(withHistory.run).toMatchObject({ ruleId: id, version: 1, dryRun: true })
    expect(withHistory.decisions[0]).toMatchObject({ outcome: 'skipped', reason: 'cooldown' })

    // The same draft as a new rule: no history, it would act.
    const fresh = await call<RuleRunResult>('rules:preview', { rule: edited })
    expect(fresh.run.ruleId).toBe(0)
    expect(fresh.decisions[0]).toMatchObject({ outcome: 'matched' })
    expect(fresh.decisions[0]?.actions[0]).toMatchObject({ outcome: 'would', before: 100e6, after: 120e6 })

    // Nothing was stored by the previews: still the one run and the one proposal.
    const got = await call<{ runs: unknown[] }>('rules:get', { id })
    expect(got.runs).toHaveLength(1)
    expect(core.services.changes.list({ workspaceId: ws, states: ['proposed'] }).items).toHaveLength(1)

    const env = await core.dispatch('rules:preview', { id, rule: draft({ workspaceId: other }) }, TEST_CALLER)
    expect(env.ok).toBe(false)
    if (!env.ok) expect(env.error).toMatchObject({ code: 'VALIDATION' })
    expect(env.ok ? '' : env.error.message).toContain('workspaceId')
  })
})
