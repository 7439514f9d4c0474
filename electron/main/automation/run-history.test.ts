import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { RuleDecision, RuleInput, RuleRunPage, RuleRunResult } from '../../../shared/domain/rules'
import type { DailyMetricInput } from '../store/repos/metrics-repo'
import { RulesRepo } from '../store/repos/rules-repo'
import { seedAccount } from '../store/repos/testing'
import { createTestCore, TEST_CALLER } from '../test-support'
import { RUN_HISTORY_DAYS, RUN_HISTORY_KEEP } from './rules-service'
import { cpaAbove40, JUNE_NOW, juneRows, writeJuneRows } from './testing'

/*
 * Bounded run history and paged runs. One USD account, "now" 2026-06-15 12:00 UTC, rows every day
 * 2026-06-01..15 (06-13.. provisional). Rule "CPA (last 7 days) above 40 → pause" in approval mode:
 *
 *   C0-C3  spend 100, 2 conversions a day: CPA 50     matched (its first live run proposes 4 pauses)
 *   C4     spend 50, 2 conversions a day: CPA 25      not matched
 *   C5     spend 10, 0.5 conversions a day            skipped, data minimum
 *   C6     archived                                   skipped, deleted
 *
 * Later live runs find C0-C3 in their cooldown, and dry runs act on nothing.
 */
const PER_DAY = [
  [100, 2],
  [100, 2],
  [100, 2],
  [100, 2],
  [50, 2],
  [10, 0.5],
  [100, 2],
] as const
let now = JUNE_NOW
let core: ReturnType<typeof createTestCore>
let ws = 0
let accountId = 0
let allRows: DailyMetricInput[] = []

beforeAll(() => {
  core = createTestCore({ startJobs: false, now: () => now })
  const s = core.store.sqlite
  ws = core.workspaces.create('History', 'USD')
  const seeded = seedAccount(s, ws, 'acc', PER_DAY.length)
  const rows = seeded.campaigns.flatMap((c, i) => {
    const [spend, conv] = PER_DAY[i] as readonly [number, number]
    return juneRows(c, seeded.accountId, { spend, conv, valueMicros: 150e6 })
  })
  for (const c of seeded.campaigns)
    s.prepare("UPDATE campaigns SET start_date = '2026-05-01' WHERE id = ?").run(c.campaignId)
  s.prepare("UPDATE campaigns SET status = 'archived' WHERE id = ?").run(seeded.campaigns[6]?.campaignId)
  accountId = seeded.accountId
  allRows = rows
  writeJuneRows(s, seeded.accountId, rows)
})
afterAll(() => core.close())

const rule = (name: string): RuleInput => cpaAbove40(ws, name)

describe('run history retention', () => {
  it('keeps runs that acted; other runs while among the newest RUN_HISTORY_KEEP and younger than RUN_HISTORY_DAYS, with their decisions', async () => {
    const svc = core.services.automation
    const s = core.store.sqlite
    const a = (await svc.create(rule('A'), TEST_CALLER)).id
    const b = (await svc.create(rule('B'), TEST_CALLER)).id
    const acted = await svc.run(a, {}, TEST_CALLER)
    expect(acted.run.actions).toBe(4)
    // B: three dry runs (never pruned by A's runs).
    for (let i = 0; i < 3; i++) await svc.run(b, { dryRun: true }, TEST_CALLER)
    const extra = 5
    const later: number[] = []
    for (let i = 0; i < RUN_HISTORY_KEEP + extra; i++) {
      now = new Date(now.getTime() + 60_000)
      // Alternate live runs (every match in its cooldown: no action) and dry runs.
      const r = await svc.run(a, { dryRun: i % 2 === 1 }, TEST_CALLER)
      expect(r.run.actions).toBe(0)
      later.push(r.run.id)
    }
    const runsOf = (id: number): number[] =>
      (s.prepare('SELECT id FROM rule_runs WHERE rule_id = ? ORDER BY id').all(id) as { id: number }[]).map((r) => r.id)
    // The run that acted (older than the newest RUN_HISTORY_KEEP), then the newest RUN_HISTORY_KEEP
    // runs: the oldest no-action runs went.
    expect(runsOf(a)).toEqual([acted.run.id, ...later.slice(extra)])
    expect(runsOf(b)).toHaveLength(3)
    // Their decisions and compact sets went with them.
    const orphans = s
      .prepare(
        `SELECT (SELECT count(*) FROM rule_decisions WHERE run_id NOT IN (SELECT id FROM rule_runs)) +
                (SELECT count(*) FROM rule_decision_sets WHERE run_id NOT IN (SELECT id FROM rule_runs)) AS n`,
      )
      .get() as { n: number }
    expect(orphans.n).toBe(0)
    expect(svc.getRun(acted.run.id).decisions.filter((d) => d.outcome === 'matched')).toHaveLength(4)

    // RUN_HISTORY_DAYS later, one more run: every older no-action run of A goes, the run that acted stays.
    now = new Date(now.getTime() + (RUN_HISTORY_DAYS + 1) * 86_400_000)
    const last = await svc.run(a, { dryRun: true }, TEST_CALLER)
    expect(runsOf(a)).toEqual([acted.run.id, last.run.id])
    expect(runsOf(b)).toHaveLength(3)
    expect(svc.getRun(acted.run.id).run.actions).toBe(4)
  })

  it('answers a run one page at a time, in reading order, with the counts per outcome', async () => {
    const svc = core.services.automation
    now = new Date('2026-06-15T12:00:00Z')
    const id = (await svc.create({ ...rule('Paged'), mode: 'preview' }, TEST_CALLER)).id
    const run = await svc.run(id, { dryRun: true }, TEST_CALLER)
    const all = svc.getRun(run.run.id).decisions
    // Matched first, then skipped (deleted last), then not matched: what the history reads first.
    const rank = (d: RuleDecision): number =>
      d.outcome === 'matched' ? 0 : d.outcome === 'skipped' ? (d.reason === 'deleted' ? 3 : 1) : 2
    const ordered = [...all].sort((a, b) => rank(a) - rank(b))
    expect(ordered.map((d) => [d.outcome, d.reason])).toEqual([
      ...Array.from({ length: 4 }, () => ['matched', null]),
      ['skipped', 'data_minimum'],
      ['not_matched', null],
      ['skipped', 'deleted'],
    ])
    for (const outcome of ['all', 'matched', 'skipped', 'not_matched'] as const)
      for (const limit of [1, 2, 3, 100]) {
        const want = ordered.filter((d) => outcome === 'all' || d.outcome === outcome)
        const got: RuleDecision[] = []
        for (let offset = 0; offset < want.length + limit; offset += limit) {
          const page = (await call('rules:getRun', {
            runId: run.run.id,
            page: { outcome, offset, limit },
          })) as RuleRunPage
          expect(page.page).toEqual({
            offset,
            total: want.length,
            counts: { all: 7, matched: 4, skipped: 2, not_matched: 1 },
          })
          expect(page.decisions.length).toBe(Math.max(0, Math.min(limit, want.length - offset)))
          got.push(...page.decisions)
        }
        expect(got).toEqual(want)
      }
    // Without a page: every decision, as before.
    expect(((await call('rules:getRun', { runId: run.run.id })) as RuleRunResult).decisions).toEqual(all)
    // A page asks at most 1,000.
    await expect(call('rules:getRun', { runId: run.run.id, page: { limit: 1001 } })).rejects.toThrow(/VALIDATION/)
  })
})

describe('previews', () => {
  it('keep entity lists and totals between them until a data:changed names what they read', async () => {
    const svc = core.services.automation
    now = new Date('2026-06-15T12:00:00Z')
    const id = (await svc.create({ ...rule('Kept'), mode: 'preview' }, TEST_CALLER)).id
    const s = core.store.sqlite
    const reads = vi.spyOn(RulesRepo.prototype, 'entities')
    const first = svc.preview({ id }, TEST_CALLER)
    expect(reads).toHaveBeenCalled()
    reads.mockClear()
    // A second preview reads no entity list again, with the same answer.
    expect(svc.preview({ id }, TEST_CALLER).decisions).toEqual(first.decisions)
    expect(reads).not.toHaveBeenCalled()
    // A campaign renamed (by a sync: data:changed names campaigns) shows in the next preview.
    const target = first.decisions.find((d) => d.outcome === 'matched') as RuleDecision
    s.prepare('UPDATE campaigns SET name = ? WHERE id = ?').run('Renamed by a sync', target.entityId)
    core.events.emit('data:changed', { tables: ['campaigns'], workspaceId: ws })
    const after = svc.preview({ id }, TEST_CALLER)
    expect(reads).toHaveBeenCalled()
    expect(after.decisions.find((d) => d.entityId === target.entityId)?.entityName).toBe('Renamed by a sync')
    // Restated rows (half the spend: CPA 50 -> 25): the totals are read again.
    writeJuneRows(
      s,
      accountId,
      allRows.filter((r) => r.campaignId === target.entityId).map((r) => ({ ...r, spendMicros: r.spendMicros / 2 })),
    )
    expect(svc.preview({ id }, TEST_CALLER).decisions.find((d) => d.entityId === target.entityId)?.outcome).toBe(
      'matched',
    )
    core.events.emit('data:changed', { tables: ['daily_metrics', 'campaign_cum'], workspaceId: ws })
    expect(svc.preview({ id }, TEST_CALLER).decisions.find((d) => d.entityId === target.entityId)?.outcome).toBe(
      'not_matched',
    )
    reads.mockRestore()
  })
})

async function call(channel: string, input: unknown): Promise<unknown> {
  const env = await core.dispatch(channel, input, TEST_CALLER)
  if (!env.ok) throw new Error(`${env.error.code}: ${env.error.message}`)
  return env.value
}
