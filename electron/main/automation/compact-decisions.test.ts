import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallContext } from '../../../shared/domain/caller'
import type { RuleExplanation, RuleRunResult } from '../../../shared/domain/rules'
import type { DailyMetricInput } from '../store/repos/metrics-repo'
import { seedAccount, type SeededCampaign } from '../store/repos/testing'
import { createTestCore, TEST_CALLER } from '../test-support'
import { cpaAbove40, JUNE_NOW, juneRows, writeJuneRows } from './testing'

/*
 * A stored run keeps matched entities (and guardrail skips of matched ones) in full and the rest
 * as compact sets; `rules:explain` recomputes the numbers of a compact one from the run's inputs.
 *
 * One USD account in UTC, "now" 2026-06-15 12:00 UTC, rows 2026-06-01..15 with the same numbers
 * every day, 06-13 on provisional: "the last 7 days" are 06-06..06-12. Rule: CPA (last 7d) > 40.
 *
 *   per day   spend  conv   7-day CPA            outcome
 *   C0        100    2      700/14 = 50          matched
 *   C1        50     2      350/14 = 25          not matched
 *   C2        10     0.5    3.5 conv < 10        skipped, data minimum
 *   C3        100    2      launched 06-14       skipped, learning (3 days)
 *   C4        archived                            skipped, deleted
 */
const NOW = JUNE_NOW
const PER_DAY = [
  { spend: 100, conv: 2, launch: '2026-05-01' },
  { spend: 50, conv: 2, launch: '2026-05-01' },
  { spend: 10, conv: 0.5, launch: '2026-05-01' },
  { spend: 100, conv: 2, launch: '2026-06-14' },
  { spend: 30, conv: 1, launch: '2026-05-01' },
]

let core: ReturnType<typeof createTestCore>
let ws = 0
let accountId = 0
let camps: SeededCampaign[] = []

const rowsOf = (i: number, spendPerDay: number, convPerDay: number, from?: string): DailyMetricInput[] =>
  juneRows(
    camps[i] as SeededCampaign,
    accountId,
    { spend: spendPerDay, conv: convPerDay, valueMicros: spendPerDay * 2e6 },
    from,
  )
const write = (rows: DailyMetricInput[]): void => writeJuneRows(core.store.sqlite, accountId, rows)

beforeAll(() => {
  core = createTestCore({ startJobs: false, now: () => NOW })
  const s = core.store.sqlite
  ws = core.workspaces.create('Compact', 'USD')
  const seeded = seedAccount(s, ws, 'acc', PER_DAY.length)
  accountId = seeded.accountId
  camps = seeded.campaigns
  PER_DAY.forEach((p, i) => {
    const c = camps[i] as SeededCampaign
    s.prepare('UPDATE campaigns SET daily_budget_micros = 100000000, start_date = ? WHERE id = ?').run(
      p.launch,
      c.campaignId,
    )
  })
  s.prepare("UPDATE campaigns SET status = 'archived' WHERE id = ?").run(camps[4]?.campaignId)
  write(PER_DAY.flatMap((p, i) => rowsOf(i, p.spend, p.conv)))
})
afterAll(() => core.close())

async function call<T>(channel: string, input: unknown, ctx: CallContext = TEST_CALLER): Promise<T> {
  const env = await core.dispatch(channel, input, ctx)
  if (!env.ok) throw Object.assign(new Error(`${env.error.code}: ${env.error.message}`), { code: env.error.code })
  return env.value as T
}

const cpaRule = cpaAbove40(0)

const id = (i: number): number => camps[i]?.campaignId as number

describe('compact decision recording', () => {
  let ruleId = 0
  let run: RuleRunResult
  let preview: RuleRunResult

  beforeAll(async () => {
    ruleId = (await call<{ id: number }>('rules:create', { ...cpaRule, workspaceId: ws })).id
    preview = await call<RuleRunResult>('rules:preview', { id: ruleId })
    run = await call<RuleRunResult>('rules:run', { id: ruleId })
  })

  it('stores matched entities in full and the others as ids per outcome and reason', async () => {
    const s = core.store.sqlite
    const full = s
      .prepare('SELECT entity_id AS id, outcome FROM rule_decisions WHERE run_id = ? ORDER BY entity_id')
      .all(run.run.id)
    expect(full).toEqual([{ id: id(0), outcome: 'matched' }])
    const sets = s
      .prepare('SELECT outcome, reason, count FROM rule_decision_sets WHERE run_id = ? ORDER BY outcome, reason')
      .all(run.run.id)
    expect(sets).toEqual([
      { outcome: 'not_matched', reason: null, count: 1 },
      { outcome: 'skipped', reason: 'data_minimum', count: 1 },
      { outcome: 'skipped', reason: 'deleted', count: 1 },
      { outcome: 'skipped', reason: 'learning', count: 1 },
    ])
    expect(run.run).toMatchObject({ considered: 5, matched: 1, skipped: 3 })
    // The run answers what it stored: every entity, the compact ones flagged and without numbers.
    const stored = await call<RuleRunResult>('rules:getRun', { runId: run.run.id })
    expect(stored.decisions).toEqual(run.decisions)
    const byId = new Map(stored.decisions.map((d) => [d.entityId, d]))
    expect(byId.get(id(0))).toMatchObject({ outcome: 'matched', actions: [{ kind: 'pause', outcome: 'proposed' }] })
    expect(byId.get(id(0))?.compact).toBeUndefined()
    expect(byId.get(id(0))?.conditions[0]).toMatchObject({ value: 50, against: 40, result: true })
    expect(byId.get(id(1))).toMatchObject({ outcome: 'not_matched', compact: true, conditions: [], entityName: 'C1' })
    expect(byId.get(id(2))).toMatchObject({ outcome: 'skipped', reason: 'data_minimum', compact: true })
    expect(byId.get(id(3))).toMatchObject({ outcome: 'skipped', reason: 'learning', compact: true })
    expect(byId.get(id(4))).toMatchObject({ outcome: 'skipped', reason: 'deleted', compact: true })
  })

  it('explains a compact decision by recomputing it: the same numbers the preview showed', async () => {
    for (const i of [1, 2, 3, 4]) {
      const ex = await call<RuleExplanation>('rules:explain', {
        runId: run.run.id,
        entityType: 'campaign',
        entityId: id(i),
      })
      const shown = preview.decisions.find((d) => d.entityId === id(i))
      expect(ex.recomputed).toBe(true)
      expect(ex.sameAsRecorded).toBe(true)
      expect(ex.note).toMatch(/^Recomputed now/)
      expect(ex.decision).toEqual(shown)
    }
    const notMatched = await call<RuleExplanation>('rules:explain', {
      runId: run.run.id,
      entityType: 'campaign',
      entityId: id(1),
    })
    expect(notMatched.decision.conditions[0]).toMatchObject({ value: 25, against: 40, result: false })
    const minimum = await call<RuleExplanation>('rules:explain', {
      runId: run.run.id,
      entityType: 'campaign',
      entityId: id(2),
    })
    expect(minimum.decision.detail).toContain('3.5 conversions')
  })

  it('a matched decision is explained as stored; an entity the run did not consider is NOT_FOUND', async () => {
    const ex = await call<RuleExplanation>('rules:explain', {
      runId: run.run.id,
      entityType: 'campaign',
      entityId: id(0),
    })
    expect(ex).toMatchObject({ recomputed: false, sameAsRecorded: true, note: null })
    expect(ex.decision).toEqual(run.decisions.find((d) => d.entityId === id(0)))
    const env = await core.dispatch(
      'rules:explain',
      { runId: run.run.id, entityType: 'ad', entityId: camps[1]?.adId },
      TEST_CALLER,
    )
    expect(env.ok ? null : env.error.code).toBe('NOT_FOUND')
  })

  it('recomputes with the account days the run saw, and says so when the data changed since', async () => {
    const s = core.store.sqlite
    // Every day settled now: without the run's inputs, "the last 7 days" would move to 06-09..06-15.
    s.prepare('UPDATE account_daily SET provisional = 0 WHERE account_id = ?').run(accountId)
    s.prepare('UPDATE daily_metrics SET provisional = 0 WHERE account_id = ?').run(accountId)
    // ... and C1's last three days become expensive (CPA 100 over 06-13..15 only).
    write(rowsOf(1, 200, 2, '2026-06-13'))
    const same = await call<RuleExplanation>('rules:explain', {
      runId: run.run.id,
      entityType: 'campaign',
      entityId: id(1),
    })
    expect(same.decision.conditions[0]).toMatchObject({ value: 25, result: false })
    expect(same.sameAsRecorded).toBe(true)
    // A restatement inside the run's window changes the recomputation, and the answer says so.
    write(rowsOf(1, 200, 2, '2026-06-10'))
    const changed = await call<RuleExplanation>('rules:explain', {
      runId: run.run.id,
      entityType: 'campaign',
      entityId: id(1),
    })
    expect(changed.decision.outcome).toBe('matched')
    expect(changed.sameAsRecorded).toBe(false)
    expect(changed.recorded).toEqual({ outcome: 'not_matched', reason: null })
    expect(changed.note).toContain('the run recorded not matched')
    write(rowsOf(1, 50, 2))
  })

  it('a match past the action limit is recorded compactly and explained with the limit', async () => {
    const limited = await call<{ id: number }>('rules:create', {
      ...cpaRule,
      workspaceId: ws,
      name: 'Spend above 100, one action per run',
      guardrails: { maxActionsPerRun: 1 },
      conditions: {
        type: 'group',
        op: 'and',
        items: [
          {
            type: 'condition',
            metric: 'spend',
            window: { kind: 'last_n_days', days: 7, includeToday: false, offsetDays: 0 },
            op: 'gt',
            value: 100,
          },
        ],
      },
    })
    const res = await call<RuleRunResult>('rules:run', { id: limited.id, dryRun: true })
    const byId = new Map(res.decisions.map((d) => [d.entityId, d]))
    // C0 (700 spent) acts first; C1 (350) matched too but the run had used its one action.
    expect(byId.get(id(0))).toMatchObject({ outcome: 'matched' })
    expect(byId.get(id(1))).toMatchObject({ outcome: 'skipped', reason: 'action_limit', compact: true })
    const ex = await call<RuleExplanation>('rules:explain', {
      runId: res.run.id,
      entityType: 'campaign',
      entityId: id(1),
    })
    expect(ex).toMatchObject({ recomputed: true, sameAsRecorded: true })
    expect(ex.decision).toMatchObject({ outcome: 'skipped', reason: 'action_limit', actions: [] })
    expect(ex.decision.detail).toContain('at most 1 actions per run')
    expect(ex.decision.conditions[0]).toMatchObject({ value: 350, result: true })
    await call('rules:delete', { id: limited.id })
  })

  it("an entity's history lists runs that recorded it compactly, newest first", async () => {
    const again = await call<RuleRunResult>('rules:run', { id: ruleId, dryRun: true })
    const all = await call<{ runId: number; ruleId: number; outcome: string; compact?: true }[]>(
      'rules:entityHistory',
      { entityType: 'campaign', entityId: id(1) },
    )
    const h = all.filter((x) => x.ruleId === ruleId)
    expect(h.map((x) => x.runId)).toEqual([again.run.id, run.run.id])
    expect(h.every((x) => x.compact === true && x.outcome === 'not_matched')).toBe(true)
    const matched = (
      await call<{ runId: number; ruleId: number; outcome: string; compact?: true }[]>('rules:entityHistory', {
        entityType: 'campaign',
        entityId: id(0),
      })
    ).filter((x) => x.ruleId === ruleId)
    expect(matched.map((x) => [x.runId, x.outcome, x.compact])).toEqual([
      [again.run.id, 'skipped', undefined],
      [run.run.id, 'matched', undefined],
    ])
  })
})
