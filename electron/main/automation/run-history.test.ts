import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dateRange } from '../../../shared/domain/dates'
import type { RuleInput } from '../../../shared/domain/rules'
import { MetricsRepo, type DailyMetricInput } from '../store/repos/metrics-repo'
import { seedAccount } from '../store/repos/testing'
import { createTestCore, TEST_CALLER } from '../test-support'
import { RUN_HISTORY_DAYS, RUN_HISTORY_KEEP } from './rules-service'

/*
 * Bounded run history. One USD account, 4 campaigns with the same rows every day 2026-06-01..15
 * (CPA 50 over the last 7 days), "now" 2026-06-15 12:00 UTC. Rule "CPA above 40 → pause" in
 * approval mode: its first live run proposes 4 pauses (it acted); later runs find every campaign
 * in its cooldown, and dry runs act on nothing.
 */
let now = new Date('2026-06-15T12:00:00Z')
let core: ReturnType<typeof createTestCore>
let ws = 0

beforeAll(() => {
  core = createTestCore({ startJobs: false, now: () => now })
  const s = core.store.sqlite
  ws = core.workspaces.create('History', 'USD')
  const seeded = seedAccount(s, ws, 'acc', 4)
  const rows: DailyMetricInput[] = seeded.campaigns.flatMap((c) =>
    dateRange('2026-06-01', '2026-06-15').map((date) => ({
      ...c,
      date,
      accountId: seeded.accountId,
      spendMicros: 100e6,
      impressions: 10_000,
      clicks: 100,
      reach: 0,
      conversions: 2,
      conversionValueMicros: 150e6,
      videoViews: 0,
      provisional: date >= '2026-06-13',
      source: 'import' as const,
    })),
  )
  for (const c of seeded.campaigns)
    s.prepare("UPDATE campaigns SET start_date = '2026-05-01' WHERE id = ?").run(c.campaignId)
  const m = new MetricsRepo(s)
  s.transaction(() => {
    m.upsert(rows)
    m.refreshRollups(seeded.accountId, '2026-06-01', '2026-06-15')
  })()
})
afterAll(() => core.close())

const rule = (name: string): RuleInput => ({
  workspaceId: ws,
  name,
  mode: 'approval',
  scope: { level: 'campaign' },
  conditions: {
    type: 'group',
    op: 'and',
    items: [
      {
        type: 'condition',
        metric: 'cpa',
        window: { kind: 'last_n_days', days: 7, includeToday: false, offsetDays: 0 },
        op: 'gt',
        value: 40,
      },
    ],
  },
  actions: [{ kind: 'pause' }],
})

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
})
