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

const CHILD = join(import.meta.dirname, 'testing', 'crash-child.ts')
const KILLS = 20
const dirs = scratchDirs()
let platforms: LoopbackPlatforms | null = null
afterAll(async () => {
  await platforms?.close()
  dirs.cleanup()
})

describe('crash: SIGKILL a process applying 50 budget changes at 20 random points, restart each time', () => {
  it('applies every change exactly once and loses none (platform, outbox and audit log agree)', async () => {
    // The simulated platforms live in this process, behind a loopback HTTP server, so their state
    // (and the count of write requests per entity) survives every kill of the child.
    const world = buildWorld({ seed: 21, campaigns: 40, days: 3, endDate: '2026-06-14' })
    platforms = await serveSimulatedPlatforms(world)
    const { sim, originalBudgets: original } = platforms
    const dataDir = dirs.make('me-changes-crash-')
    const env = { ME_DATA_DIR: dataDir, ...platforms.env }

    // Early kills land in the first attempts; later ones anywhere, also after the end.
    const points = killPoints(20261204, KILLS, (i) => (i < 10 ? 150 : 600))
    let kills = 0
    let finishedEarly = 0
    for (const afterMs of points) {
      const r = await runChild(CHILD, env, { marker: 'APPLYING', afterMs })
      if (r.killed) kills++
      else finishedEarly++
    }
    const last = await runChild(CHILD, env)
    expect(last.out).toMatch(/DONE /)

    const db = new Database(join(dataDir, 'marketing-engine.db'), { readonly: true })
    const rows = db
      .prepare(
        `SELECT c.id, c.state, c.external_id AS ext, c.requested_value AS requested, c.writes, a.platform
         FROM changes c JOIN ad_accounts a ON a.id = c.account_id WHERE c.batch_id = 'crash-batch' ORDER BY c.id`,
      )
      .all() as { id: number; state: string; ext: string; requested: string; writes: number; platform: string }[]
    const applied = db
      .prepare(
        `SELECT json_extract(detail, '$.changeId') AS id, count(*) AS n FROM audit_log WHERE action = 'change.applied' GROUP BY 1`,
      )
      .all() as { id: number; n: number }[]
    db.close()
    const appliedAudits = new Map(applied.map((a) => [a.id, a.n]))
    // None lost: one row per change, all applied.
    expect(rows).toHaveLength(50)
    expect(rows.map((r) => r.state)).toEqual(rows.map(() => 'applied'))
    let duplicateWrites = 0
    for (const r of rows) {
      const writes = sim.state.writes.get(`${r.platform}:${r.ext}`) ?? 0
      const want = original.get(r.ext) === Number(r.requested) ? 0 : 1
      if (writes > want) duplicateWrites += writes - want
      expect(writes, `platform writes for change ${r.id}`).toBe(want)
      // The platform holds the requested value, and the audit log says applied exactly once.
      expect(platforms.budgetOf(r.platform, r.ext), `platform value for change ${r.id}`).toBe(Number(r.requested))
      expect(appliedAudits.get(r.id), `change.applied audit rows for change ${r.id}`).toBe(1)
    }
    expect(duplicateWrites).toBe(0)
    console.log(JSON.stringify({ kills, finishedBeforeKill: finishedEarly, changes: rows.length, duplicateWrites }))
  }, 480_000)
})
