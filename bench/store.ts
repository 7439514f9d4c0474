import { TEST_CALLER } from '../electron/main/test-support'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { addDays } from '../shared/domain/dates'
import { createCore, type Core } from '../electron/main/core'
import { createNodePlatform } from '../electron/main/platform/node'
import { timeMedian, type Bench } from './types'

/**
 * Store bench (issue 2): generate 10,000 campaigns x 365 days into a fresh database through the
 * real demo pipeline (simulator -> prepared upserts -> rollups), then time the Dashboard's own
 * summary query for the last 30 days.
 */
/** The bench world (the simulator's `bench` preset) built through the real demo pipeline, with progress logged. */
export async function buildBenchWorld(
  core: Core,
  o: { campaigns: number; days: number; endDate: string; log: (m: string) => void },
): Promise<{ rows: number; workspaceId: number; seconds: number }> {
  const t0 = performance.now()
  const id = core.jobs.enqueue('demo:build', {
    preset: 'bench',
    campaigns: o.campaigns,
    days: o.days,
    endDate: o.endDate,
  })
  let lastLog = 0
  const off = core.events.on('job:progress', (p) => {
    if (Date.now() - lastLog > 2000) {
      lastLog = Date.now()
      o.log(`  ${p.step} ${p.current.toLocaleString()} / ${p.total.toLocaleString()}`)
    }
  })
  const job = await core.jobs.waitFor(id)
  off()
  if (job.status !== 'succeeded') throw new Error(`generation failed: ${job.error}`)
  const result = core.jobs.result<{ rows: number; workspaceId: number }>(id) as { rows: number; workspaceId: number }
  return { ...result, seconds: (performance.now() - t0) / 1000 }
}

export const storeBench: Bench = {
  name: 'store',
  description: 'generate 10k campaigns x 365 days into a fresh store; dashboard summary over 30 days',
  async run({ tmpDir, log }) {
    const campaigns = Number(process.env.ME_BENCH_CAMPAIGNS ?? 10_000)
    const days = Number(process.env.ME_BENCH_DAYS ?? 365)
    const platform = createNodePlatform({ host: 'cli', dataDir: tmpDir })
    const core = createCore(platform, { dbPath: join(tmpDir, 'bench-store.db') })
    try {
      const endDate = '2026-10-31'
      const { rows, workspaceId, seconds } = await buildBenchWorld(core, { campaigns, days, endDate, log })
      const result = { rows, workspaceId }
      core.store.sqlite.pragma('wal_checkpoint(TRUNCATE)')
      const dbBytes = statSync(core.store.path).size
      const range = { from: addDays(endDate, -29), to: endDate }
      const input = { workspaceId: result.workspaceId, range, compare: true }
      const summaryMs = await timeMedian(7, async () => {
        const env = await core.dispatch('dashboard:getSummary', input, TEST_CALLER)
        if (!env.ok) throw new Error(env.error.message)
      })
      return {
        campaigns,
        days,
        rows: result.rows,
        generate_s: Math.round(seconds * 100) / 100,
        generate_rows_per_s: Math.round(result.rows / seconds),
        db_mb: Math.round((dbBytes / 1024 / 1024) * 10) / 10,
        dashboard_summary_ms: summaryMs,
      }
    } finally {
      await core.close()
    }
  },
}
