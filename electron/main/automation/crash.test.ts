import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import {
  killPoints,
  runChild,
  scratchDirs,
  serveSimulatedPlatforms,
  type LoopbackPlatforms,
} from '../../../tests/support/crash-harness'
import { buildWorld } from '../sync/simulator'

/**
 * The change pipeline's crash test with a rule-generated batch: an automatic rule raises every
 * active campaign's budget by 10%; the process running it (and applying its changes) is SIGKILLed
 * at random points and started again, running the rule again each time. Never a change applied
 * twice, none lost: checked against the simulated platforms' own state and write counts.
 */
const CHILD = join(import.meta.dirname, '..', 'changes', 'testing', 'crash-child.ts')
const KILLS = 12
const dirs = scratchDirs()
let platforms: LoopbackPlatforms | null = null
afterAll(async () => {
  await platforms?.close()
  dirs.cleanup()
})

interface ChangeRow {
  id: number
  state: string
  entityId: number
  ext: string
  before: string | null
  requested: string
  platform: string
  actor: string
  batch: string
}

describe('crash: SIGKILL a process running an automatic rule and applying its batch, restart and re-run it', () => {
  it('applies the rule’s change to every matched campaign exactly once (platform, outbox, runs and audit agree)', async () => {
    const world = buildWorld({ seed: 21, campaigns: 40, days: 3, endDate: '2026-06-14' })
    platforms = await serveSimulatedPlatforms(world)
    const { sim, originalBudgets } = platforms
    const dataDir = dirs.make('me-rule-crash-')
    const env = { ME_DATA_DIR: dataDir, ME_CRASH_SOURCE: 'rule', ...platforms.env }

    // "APPLYING" is printed just before the rule runs: early kills land in its evaluation and
    // proposal, later ones in the worker's attempts, some after the end.
    const points = killPoints(20261205, KILLS, (i) => (i < 6 ? 200 : 900))
    let kills = 0
    for (const afterMs of points) if ((await runChild(CHILD, env, { marker: 'APPLYING', afterMs })).killed) kills++
    const last = await runChild(CHILD, env)
    expect(last.out).toMatch(/DONE /)

    const db = new Database(join(dataDir, 'marketing-engine.db'), { readonly: true })
    const expected = db
      .prepare(
        `SELECT c.id, c.external_id AS ext, a.platform FROM campaigns c JOIN ad_accounts a ON a.id = c.account_id
         WHERE c.status = 'active' AND c.daily_budget_micros IS NOT NULL ORDER BY c.id`,
      )
      .all() as { id: number; ext: string; platform: string }[]
    const rows = db
      .prepare(
        `SELECT c.id, c.state, c.entity_id AS entityId, c.external_id AS ext, c.before_value AS before,
           c.requested_value AS requested, a.platform, c.actor_id AS actor, c.batch_id AS batch
         FROM changes c JOIN ad_accounts a ON a.id = c.account_id WHERE c.actor_kind = 'rule' ORDER BY c.id`,
      )
      .all() as ChangeRow[]
    const applied = db
      .prepare(
        `SELECT json_extract(detail, '$.changeId') AS id, count(*) AS n FROM audit_log WHERE action = 'change.applied' GROUP BY 1`,
      )
      .all() as { id: number; n: number }[]
    const runs = db.prepare(`SELECT id, batch_id AS batch, matched FROM rule_runs ORDER BY id`).all() as {
      id: number
      batch: string | null
      matched: number
    }[]
    const decided = db
      .prepare(
        `SELECT d.entity_id AS id, count(*) AS n FROM rule_decisions d WHERE d.outcome = 'matched' GROUP BY d.entity_id`,
      )
      .all() as { id: number; n: number }[]
    db.close()

    expect(expected.length).toBeGreaterThan(20)
    // None lost: one change per matched campaign, all applied.
    const byEntity = new Map<number, ChangeRow[]>()
    for (const r of rows) byEntity.set(r.entityId, [...(byEntity.get(r.entityId) ?? []), r])
    expect([...byEntity.keys()].sort((a, b) => a - b)).toEqual(expected.map((e) => e.id))
    const appliedAudits = new Map(applied.map((a) => [a.id, a.n]))
    let duplicateWrites = 0
    for (const e of expected) {
      const changes = byEntity.get(e.id) ?? []
      // Never twice: exactly one change per campaign across every re-run of the rule.
      expect(
        changes.map((c) => c.state),
        `changes of campaign ${e.id}`,
      ).toEqual(['applied'])
      const c = changes[0] as ChangeRow
      expect(c.actor).toMatch(/^1@1$/)
      const original = originalBudgets.get(e.ext) as number
      // +10% of the platform's budget before the rule, in whole cents: a second application would show as +21%.
      expect(Number(c.before)).toBe(original)
      expect(
        Math.abs(Number(c.requested) - original * 1.1),
        `requested budget of campaign ${e.id}`,
      ).toBeLessThanOrEqual(10_000)
      expect(platforms.budgetOf(e.platform, e.ext), `platform budget of campaign ${e.id}`).toBe(Number(c.requested))
      const writes = sim.state.writes.get(`${e.platform}:${e.ext}`) ?? 0
      if (writes > 1) duplicateWrites += writes - 1
      expect(writes, `platform writes for campaign ${e.id}`).toBe(1)
      expect(appliedAudits.get(c.id), `change.applied audit rows for change ${c.id}`).toBe(1)
    }
    expect(duplicateWrites).toBe(0)
    // Every recorded run that proposed something names its batch; the changes belong to those batches.
    const batches = new Set(runs.flatMap((r) => (r.batch ? [r.batch] : [])))
    for (const r of rows) expect(batches.has(r.batch), `batch of change ${r.id}`).toBe(true)
    // No campaign was matched (and so acted on) by more than one recorded run: later runs skipped it (cooldown).
    for (const d of decided) expect(d.n, `matched decisions for campaign ${d.id}`).toBe(1)
    console.log(
      JSON.stringify({ kills, runs: runs.length, changes: rows.length, campaigns: expected.length, duplicateWrites }),
    )
  }, 480_000)
})
