import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { killRandom, runChild as runScript, scratchDirs, type ChildResult } from '../../../tests/support/crash-harness'

const CHILD = join(import.meta.dirname, 'testing', 'crash-child.ts')
const dirs = scratchDirs()
afterAll(() => dirs.cleanup())

/**
 * Run the child; kill it with SIGKILL `killAfterMs` after it starts syncing (null = let it
 * finish), or let it kill itself inside its `crashAtCheckpoint`-th checkpoint write.
 */
function runChild(dataDir: string, killAfterMs: number | null, crashAtCheckpoint = 0): Promise<ChildResult> {
  return runScript(
    CHILD,
    { ME_DATA_DIR: dataDir, ME_CRASH_AT_CHECKPOINT: String(crashAtCheckpoint) },
    killAfterMs === null ? null : { marker: 'SYNCING', afterMs: killAfterMs },
  )
}

interface Snapshot {
  integrity: string
  rows: Map<string, string>
  duplicates: number
  rollupSpend: number
  rowSpend: number
  runs: { status: string }[]
}

function inspect(dataDir: string): Snapshot {
  const db = new Database(join(dataDir, 'marketing-engine.db'), { readonly: true })
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join(';')
    const rows = new Map(
      (
        db
          .prepare(
            'SELECT x.external_id AS ad, d.date, d.spend_micros, d.impressions, d.conversions FROM daily_metrics d JOIN ads x ON x.id = d.ad_id',
          )
          .all() as Record<string, string | number>[]
      ).map((r) => [`${r.ad}|${r.date}`, `${r.spend_micros}|${r.impressions}|${Number(r.conversions).toFixed(4)}`]),
    )
    const duplicates = (
      db
        .prepare('SELECT count(*) AS n FROM (SELECT 1 FROM daily_metrics GROUP BY ad_id, date HAVING count(*) > 1)')
        .get() as { n: number }
    ).n
    const rollupSpend = (
      db.prepare('SELECT coalesce(sum(spend_micros),0) AS s FROM account_daily').get() as { s: number }
    ).s
    const rowSpend = (db.prepare('SELECT coalesce(sum(spend_micros),0) AS s FROM daily_metrics').get() as { s: number })
      .s
    const runs = db.prepare('SELECT status FROM sync_runs ORDER BY id').all() as { status: string }[]
    return { integrity, rows, duplicates, rollupSpend, rowSpend, runs }
  } finally {
    db.close()
  }
}

describe('crash: SIGKILL a syncing process at random points, restart, resume', () => {
  it('ends with an intact store, no duplicates and exactly the clean run totals', async () => {
    const clean = dirs.make('me-crash-clean-')
    const crash = dirs.make('me-crash-kill-')
    const cleanRun = await runChild(clean, null)
    expect(cleanRun.out).toMatch(/DONE succeeded/)
    const want = inspect(clean)
    expect(want.rows.size).toBeGreaterThan(1000)

    const rand = killRandom(20261126)
    // 1) A kill inside a chunk's transaction (after its rows, before COMMIT), at a random chunk.
    const first = await runChild(crash, null, 2 + Math.floor(rand.next() * 10))
    expect(first.killed).toBe(true)
    // 2) Kills from outside at random moments (may land anywhere, also inside the writer thread's
    // transaction, or after the end on a busy box).
    await runChild(crash, Math.floor(rand.next() * 900))
    await runChild(crash, Math.floor(rand.next() * 900))
    const last = await runChild(crash, null)
    expect(last.out).toMatch(/DONE succeeded/)
    const got = inspect(crash)
    expect(got.integrity).toBe('ok')
    expect(got.duplicates).toBe(0)
    expect(got.rollupSpend).toBe(got.rowSpend)
    expect(got.rows).toEqual(want.rows)
    // One run, resumed across the restarts (not restarted from scratch as a second run).
    expect(got.runs.map((r) => r.status)).toEqual(['succeeded'])
  }, 180_000)
})
