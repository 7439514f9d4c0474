import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { userContext, type CallContext } from '../../../shared/domain/caller'
import { CHANGE_STATES, canTransition, type Change, type ChangeState } from '../../../shared/domain/changes'
import { PLATFORMS } from '../../../shared/domain/entities'
import { ChangeRepo, type ChangeLevel } from '../store/repos/change-repo'
import { AuditRepo } from '../store/repos/audit-repo'
import { buildWorld } from '../sync/simulator'
import { syncNow } from '../sync/sync-engine/testing/setup'
import { simWorkspace, type SimWorkspace } from '../sync/testing/sim-setup'
import { TEST_CALLER } from '../test-support'

const NOW = new Date('2026-06-15T12:00:00Z')
const world = buildWorld({ seed: 11, campaigns: 12, days: 10, endDate: '2026-06-14' })
const RULE: CallContext = { principal: { kind: 'rule', ruleId: 7, version: 3, role: 'editor' }, workspaces: 'all' }
const VIEWER = userContext('test', { id: 'viewer', role: 'viewer' })

let w: SimWorkspace
let repo: ChangeRepo

beforeAll(async () => {
  w = await simWorkspace(
    [...PLATFORMS],
    { world },
    { now: () => NOW, coreOptions: { changeWorker: { baseDelayMs: 2, maxDelayMs: 10 } } },
  )
  const r = await syncNow(w.core, w.workspaceId)
  expect(r.status).toBe('succeeded')
  repo = new ChangeRepo(w.core.store.sqlite)
}, 60_000)

afterAll(async () => {
  await w.core.close()
})

async function call<T>(channel: string, input: unknown, ctx: CallContext = TEST_CALLER): Promise<T> {
  const env = await w.core.dispatch(channel, input, ctx)
  if (!env.ok) throw Object.assign(new Error(env.error.message), { code: env.error.code })
  return env.value as T
}

async function refused(
  channel: string,
  input: unknown,
  ctx: CallContext = TEST_CALLER,
): Promise<{ code: string; message: string }> {
  const env = await w.core.dispatch(channel, input, ctx)
  if (env.ok) throw new Error(`${channel} was not refused`)
  return env.error
}

/** Local entities with an own daily budget, one level per platform where budgets live. */
function budgeted(
  platform: string,
  n: number,
  skip = 0,
): { level: ChangeLevel; id: number; externalId: string; budget: number }[] {
  const rows = w.core.store.sqlite
    .prepare(
      `SELECT 'campaign' AS level, c.id, c.external_id AS externalId, c.daily_budget_micros AS budget FROM campaigns c
         JOIN ad_accounts a ON a.id = c.account_id WHERE a.platform = ? AND c.daily_budget_micros IS NOT NULL
       UNION ALL
       SELECT 'ad_set', s.id, s.external_id, s.daily_budget_micros FROM ad_sets s
         JOIN ad_accounts a ON a.id = s.account_id WHERE a.platform = ? AND s.daily_budget_micros IS NOT NULL
       ORDER BY 1, 2`,
    )
    .all(platform, platform) as { level: ChangeLevel; id: number; externalId: string; budget: number }[]
  return rows.slice(skip, skip + n)
}

/** The platform's own value (the simulated API's state), by level and external id. */
function platformBudget(platform: string, level: ChangeLevel, externalId: string): number | null {
  if (platform === 'google_ads') return w.state.googleBudgets.get(w.state.googleBudgetOf.get(externalId) ?? '') ?? null
  const e = level === 'campaign' ? w.state.campaigns.get(externalId) : w.state.adSets.get(externalId)
  return e?.dailyBudgetMicros ?? null
}

function writesTo(platform: string, externalId: string): number {
  return w.state.writes.get(`${platform}:${externalId}`) ?? 0
}

describe('change states: every transition, legal and illegal', () => {
  it('allows exactly the documented transitions (the repo refuses the others)', async () => {
    // Rows made here must not be applied: the worker is off during this test.
    await w.core.services.changeWorker.stop()
    onTestFinished(() => w.core.services.changeWorker.start())
    const [t] = budgeted('meta', 1)
    if (!t) throw new Error('no budgeted entity')
    const target = repo.target(t.level, t.id)
    if (!target) throw new Error('no target')
    const at = NOW.toISOString()
    let n = 0
    /** A fresh row in `state`, reached through legal transitions only. */
    const rowIn = (state: ChangeState): number => {
      const id = repo.insert({
        workspaceId: target.workspaceId,
        accountId: target.accountId,
        entityType: t.level,
        entityId: t.id,
        externalId: t.externalId,
        action: { kind: 'set_budget', dailyBudgetMicros: 1_000_000 },
        field: 'daily_budget',
        before: t.budget,
        requested: 1_000_000,
        state: state === 'proposed' || state === 'rejected' ? 'proposed' : 'approved',
        actor: { kind: 'user', id: 'tester', label: 'user:tester (test)' },
        reason: null,
        metrics: {},
        idempotencyKey: `transition-test-${n++}`,
        batchId: 'transition-test',
        undoOf: null,
        decidedBy: null,
        at,
      })
      const path: Record<ChangeState, ChangeState[]> = {
        proposed: [],
        approved: [],
        rejected: ['rejected'],
        applying: ['applying'],
        applied: ['applying', 'applied'],
        failed: ['applying', 'failed'],
        undone: ['applying', 'applied', 'undone'],
      }
      for (const to of path[state]) {
        const from = repo.get(id)?.state as ChangeState
        expect(repo.transition(id, [from], to, {}, at)).toBe(true)
      }
      expect(repo.get(id)?.state).toBe(state)
      return id
    }
    let legal = 0
    for (const from of CHANGE_STATES) {
      for (const to of CHANGE_STATES) {
        const id = rowIn(from)
        // A transition from a state the row is not in does nothing (someone moved it first).
        const other = CHANGE_STATES.find((s) => s !== from && canTransition(s, to))
        if (other) expect(repo.transition(id, [other], to, {}, at)).toBe(false)
        if (canTransition(from, to)) {
          expect(repo.transition(id, [from], to, {}, at)).toBe(true)
          expect(repo.get(id)?.state).toBe(to)
          legal++
        } else {
          expect(() => repo.transition(id, [from], to, {}, at)).toThrow(/Illegal change transition/)
          expect(repo.get(id)?.state).toBe(from)
        }
      }
    }
    expect(legal).toBe(8)
    // The worker must not pick these rows up: take them out of its reach.
    for (const c of repo.list({ batchId: 'transition-test', limit: 500, offset: 0 }).items)
      if (c.state === 'approved' || c.state === 'proposed') repo.transition(c.id, [c.state], 'rejected', {}, at)
      else if (c.state === 'applying') repo.transition(c.id, ['applying'], 'failed', { error: 'test row' }, at)
  })

  it('refuses illegal requests with CONFLICT and a reason, and checks roles', async () => {
    const [t] = budgeted('tiktok', 1)
    if (!t) throw new Error('no budgeted entity')
    const proposed = await call<Change>('changes:propose', {
      entityType: t.level,
      entityId: t.id,
      action: { kind: 'change_budget_pct', pct: 10 },
      approval: 'required',
    })
    expect(proposed.state).toBe('proposed')
    expect(proposed.requested).toBe(Math.round((t.budget * 1.1) / 10_000) * 10_000)
    expect(await refused('changes:undo', { id: proposed.id })).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/is proposed: only applied changes can be undone/),
    })
    expect(await refused('changes:approve', { id: proposed.id }, VIEWER)).toMatchObject({ code: 'FORBIDDEN' })
    const rejected = await call<Change>('changes:reject', { id: proposed.id, reason: 'not now' })
    expect(rejected).toMatchObject({ state: 'rejected', decidedBy: 'user:tester (test)' })
    expect(await refused('changes:approve', { id: proposed.id })).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/is rejected: only proposed changes can be approved/),
    })
    expect(writesTo('tiktok', t.externalId)).toBe(0)
    expect(
      await refused('changes:propose', {
        entityType: 'ad',
        entityId: 1,
        action: { kind: 'set_budget', dailyBudgetMicros: 5 },
      }),
    ).toMatchObject({
      code: 'VALIDATION',
    })
  })
})

describe('applying changes on the simulated platforms', () => {
  it('applies a budget and a pause on all four platforms, once each, and records every transition', async () => {
    for (const p of PLATFORMS) {
      const [t] = budgeted(p, 1)
      if (!t) throw new Error(`no budgeted entity on ${p}`)
      const target = t.budget + 1_230_000
      const c = await call<Change>('entities:setBudget', {
        entityType: t.level,
        entityId: t.id,
        dailyBudgetMicros: target,
      })
      expect(c).toMatchObject({ state: 'applied', applied: target, platformBefore: t.budget, writes: 1, attempts: 1 })
      expect(platformBudget(p, t.level, t.externalId)).toBe(target)
      expect(writesTo(p, t.externalId)).toBe(1)
      const local = repo.target(t.level, t.id)
      expect(local?.dailyBudgetMicros).toBe(target)
      const paused = await call<Change>('entities:setStatus', { entityType: t.level, entityId: t.id, status: 'paused' })
      expect(paused).toMatchObject({ state: 'applied', applied: 'paused', writes: 1 })
      expect(writesTo(p, t.externalId)).toBe(2)
      const got = await call<{ change: Change; history: { action: string; actor: string }[] }>('changes:get', {
        id: c.id,
      })
      expect(got.history.map((h) => h.action)).toEqual(['change.approved', 'change.applying', 'change.applied'])
      expect(new Set(got.history.map((h) => h.actor))).toEqual(new Set(['user:tester (test)']))
    }
  })

  it('marks a change applied without writing when the platform already has the value', async () => {
    const [t] = budgeted('snapchat', 1, 1)
    if (!t) throw new Error('no entity')
    const before = writesTo('snapchat', t.externalId)
    const c = await call<Change>('entities:setBudget', {
      entityType: t.level,
      entityId: t.id,
      dailyBudgetMicros: t.budget,
    })
    expect(c).toMatchObject({ state: 'applied', writes: 0, applied: t.budget })
    expect(writesTo('snapchat', t.externalId)).toBe(before)
    // Nothing changed, so there is nothing to undo.
    expect(await refused('changes:undo', { id: c.id })).toMatchObject({
      message: expect.stringMatching(/changed nothing/),
    })
  })

  it('reads back after a 5xx that followed an applied write: one write, applied on the retry', async () => {
    const [t] = budgeted('meta', 1, 1)
    if (!t) throw new Error('no entity')
    w.state.faults.set({ writeScript: ['error_after_apply'] })
    const target = t.budget + 2_000_000
    const c = await call<Change>('entities:setBudget', {
      entityType: t.level,
      entityId: t.id,
      dailyBudgetMicros: target,
    })
    w.state.faults.set({})
    expect(c).toMatchObject({ state: 'applied', applied: target, writes: 1, attempts: 2, platformBefore: t.budget })
    expect(writesTo('meta', t.externalId)).toBe(1)
    expect(platformBudget('meta', t.level, t.externalId)).toBe(target)
    const history = (
      await call<{ history: { action: string; detail: { retry?: number; error?: string } }[] }>('changes:get', {
        id: c.id,
      })
    ).history
    expect(history.map((h) => h.action)).toEqual([
      'change.approved',
      'change.applying',
      'change.applying',
      'change.applied',
    ])
    expect(history[2]?.detail).toMatchObject({ retry: 2, error: expect.stringMatching(/unexpected error/i) })
  })

  it('fails with both values when the platform accepts a write but reads back another value', async () => {
    const [t] = budgeted('tiktok', 1, 1)
    if (!t) throw new Error('no entity')
    w.state.ignoreWrites.add('tiktok')
    const c = await call<Change>('entities:setBudget', {
      entityType: t.level,
      entityId: t.id,
      dailyBudgetMicros: t.budget + 10_000_000,
    })
    w.state.ignoreWrites.delete('tiktok')
    expect(c.state).toBe('failed')
    expect(c.error).toMatch(new RegExp(`${t.budget}.*${t.budget + 10_000_000}|${t.budget + 10_000_000}.*${t.budget}`))
    expect(writesTo('tiktok', t.externalId)).toBe(1)
  })

  it('proposes a rule change for approval (workspace policy), dedupes by idempotency key, applies on approval', async () => {
    const [t] = budgeted('google_ads', 1, 1)
    if (!t) throw new Error('no entity')
    expect(await call('changes:getPolicy', { workspaceId: w.workspaceId })).toEqual({ requireApproval: true })
    const metrics = { roas: 4.2, conversions: 31 }
    const input = {
      entityType: t.level,
      entityId: t.id,
      action: { kind: 'change_budget_pct', pct: 15, maxMicros: t.budget * 2 },
      reason: 'ROAS above target',
      metrics,
      idempotencyKey: `rule-7-run-1-${t.id}`,
    }
    const first = await call<Change>('changes:propose', input, RULE)
    const again = await call<Change>('changes:propose', input, RULE)
    expect(again.id).toBe(first.id)
    expect(first).toMatchObject({ state: 'proposed', actor: { kind: 'rule', id: '7@3', label: 'rule:7@3' }, metrics })
    expect(await refused('changes:propose', { ...input, action: { kind: 'pause' } }, RULE)).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/Idempotency key/),
    })
    expect(writesTo('google_ads', t.externalId)).toBe(0)
    const listed = await call<{ items: Change[]; total: number }>('changes:list', {
      workspaceId: w.workspaceId,
      state: 'proposed',
    })
    expect(listed.items.map((c) => c.id)).toContain(first.id)
    const applied = await call<Change>('changes:approve', { id: first.id })
    expect(applied).toMatchObject({ state: 'applied', decidedBy: 'user:tester (test)', writes: 1 })
    expect(platformBudget('google_ads', t.level, t.externalId)).toBe(first.requested)
    // Every transition is audited with the rule's label and the metric values it attached.
    const audit = new AuditRepo(w.core.store.sqlite).list('change.', first.id)
    expect(audit.map((a) => a.action)).toEqual([
      'change.proposed',
      'change.approved',
      'change.applying',
      'change.applied',
    ])
    for (const a of audit) expect(a.detail).toMatchObject({ changeId: first.id, metrics })
    expect(audit[0]?.actor).toBe('rule:7@3')
    expect(audit[1]?.actor).toBe('user:tester (test)')
    // With the policy off, a rule's change is approved at once.
    await call('changes:setPolicy', { workspaceId: w.workspaceId, requireApproval: false })
    const auto = await call<Change>(
      'changes:propose',
      { entityType: t.level, entityId: t.id, action: { kind: 'pause' }, wait: true },
      RULE,
    )
    expect(auto.state).toBe('applied')
    await call('changes:setPolicy', { workspaceId: w.workspaceId, requireApproval: true })
  })
})

describe('undo', () => {
  it('refuses an undo after a platform-side edit (naming both values) and restores with force', async () => {
    const [t] = budgeted('snapchat', 1, 2)
    if (!t) throw new Error('no entity')
    const c = await call<Change>('entities:setBudget', {
      entityType: t.level,
      entityId: t.id,
      dailyBudgetMicros: t.budget + 5_000_000,
    })
    expect(c.state).toBe('applied')
    // Someone edits the budget in the platform's own UI.
    const e = t.level === 'campaign' ? w.state.campaigns.get(t.externalId) : w.state.adSets.get(t.externalId)
    if (!e) throw new Error('no platform entity')
    e.dailyBudgetMicros = t.budget + 7_770_000
    const no = await refused('changes:undo', { id: c.id })
    expect(no.code).toBe('CONFLICT')
    expect(no.message).toMatch(/changed on the platform since/)
    expect(no.message).toContain(String(t.budget + 7_770_000))
    expect(no.message).toContain(String(t.budget + 5_000_000))
    expect(platformBudget('snapchat', t.level, t.externalId)).toBe(t.budget + 7_770_000)
    const undo = await call<Change>('changes:undo', { id: c.id, force: true })
    expect(undo).toMatchObject({ state: 'applied', undoOf: c.id, applied: t.budget, requested: t.budget })
    expect(platformBudget('snapchat', t.level, t.externalId)).toBe(t.budget)
    expect((await call<{ change: Change }>('changes:get', { id: c.id })).change).toMatchObject({
      state: 'undone',
      undoneBy: undo.id,
    })
    // An undone change cannot be undone again.
    expect(await refused('changes:undo', { id: c.id })).toMatchObject({ code: 'CONFLICT' })
  })

  it('undoes a whole batch, and refuses the batch when one of its entities changed on the platform', async () => {
    const ts = budgeted('meta', 3, 2)
    expect(ts).toHaveLength(3)
    const made = w.core.services.changes.proposeBatch(
      ts.map((t) => ({
        entityType: t.level,
        entityId: t.id,
        action: { kind: 'change_budget_amount' as const, deltaMicros: 3_000_000 },
        approval: 'auto' as const,
      })),
      TEST_CALLER,
      { batchId: 'batch-undo-test' },
    )
    const done = await Promise.all(made.map((c) => w.core.services.changes.settled(c.id)))
    expect(done.map((c) => c.state)).toEqual(['applied', 'applied', 'applied'])
    for (const t of ts) expect(platformBudget('meta', t.level, t.externalId)).toBe(t.budget + 3_000_000)
    // One entity edited on the platform: the batch undo is refused as a whole.
    const first = ts[0] as (typeof ts)[number]
    const e =
      first.level === 'campaign' ? w.state.campaigns.get(first.externalId) : w.state.adSets.get(first.externalId)
    if (!e) throw new Error('no platform entity')
    e.dailyBudgetMicros = first.budget + 9_000_000
    const no = await refused('changes:undoBatch', { batchId: 'batch-undo-test' })
    expect(no.message).toMatch(/was not undone: change \d+: .* changed on the platform since/)
    expect(platformBudget('meta', ts[1]?.level as ChangeLevel, ts[1]?.externalId as string)).toBe(
      (ts[1]?.budget as number) + 3_000_000,
    )
    e.dailyBudgetMicros = first.budget + 3_000_000
    const undos = await call<Change[]>('changes:undoBatch', { batchId: 'batch-undo-test' })
    expect(undos.map((u) => u.state)).toEqual(['applied', 'applied', 'applied'])
    for (const t of ts) {
      expect(platformBudget('meta', t.level, t.externalId)).toBe(t.budget)
      expect(writesTo('meta', t.externalId)).toBe(2)
    }
    const originals = await call<{ items: Change[] }>('changes:list', { batchId: 'batch-undo-test' })
    expect(originals.items.map((c) => c.state)).toEqual(['undone', 'undone', 'undone'])
  })
})

describe('local mutations', () => {
  it('settings and sync configuration go through the mutation wrapper: audited with the principal, data:changed', async () => {
    const seen: string[][] = []
    const off = w.core.events.on('data:changed', (e) => seen.push(e.tables))
    await call('sync:updateConfig', { backfillMonths: 6 })
    await call('settings:update', { syncIntervalHours: 6 })
    off()
    const audit = new AuditRepo(w.core.store.sqlite).list('s')
    expect(
      audit
        .filter((a) => a.action === 'sync_config.update' || a.action === 'settings.update')
        .map((a) => [a.action, a.actor]),
    ).toEqual([
      ['sync_config.update', 'user:tester (test)'],
      ['settings.update', 'user:tester (test)'],
    ])
    expect(seen).toContainEqual(['settings'])
    expect(await refused('sync:updateConfig', { backfillMonths: 7 }, VIEWER)).toMatchObject({ code: 'FORBIDDEN' })
  })
})
