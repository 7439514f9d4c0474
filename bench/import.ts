import { writeFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { join } from 'node:path'
import { addDays } from '../shared/domain/dates'
import { createCore } from '../electron/main/core'
import { createNodePlatform } from '../electron/main/platform/node'
import { TEST_CALLER } from '../electron/main/test-support'
import type { Bench } from './types'

const HEADER =
  '"Campaign name","Ad Set Name","Ad name",Day,"Amount spent (USD)",Impressions,Reach,"Clicks (all)","Link clicks",Purchases,"Purchases conversion value","Reporting starts","Reporting ends"'

/**
 * A Meta Ads Manager export of `rows` ad-day lines (daily breakdown, ad level): 20 campaigns x 5 ad
 * sets x 5 ads, as many days back from 2026-10-31 as the rows need. Deterministic.
 */
export function metaExport(rows: number): string {
  const ads = 500
  const days = Math.ceil(rows / ads)
  const end = '2026-10-31'
  const out: string[] = [HEADER]
  let seed = 42
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
  let n = 0
  for (let d = days - 1; d >= 0 && n < rows; d--) {
    const day = addDays(end, -d)
    for (let a = 0; a < ads && n < rows; a++, n++) {
      const c = Math.floor(a / 25)
      const s = Math.floor(a / 5)
      const imp = Math.floor(rnd() * 20_000)
      const clicks = Math.floor(imp * rnd() * 0.03)
      const buys = Math.floor(clicks * rnd() * 0.1)
      out.push(
        [
          `"Campaign ${c} - Spring, sale"`,
          `"Ad set ${s}"`,
          `Ad ${a}`,
          day,
          (imp * 0.012 * (0.5 + rnd())).toFixed(2),
          imp,
          Math.floor(imp * 0.8),
          clicks,
          Math.floor(clicks * 0.7),
          buys,
          (buys * 39.9).toFixed(2),
          day,
          day,
        ].join(','),
      )
    }
  }
  return `${out.join('\n')}\n`
}

/**
 * Import bench (issue 17): a generated 100,000-line Meta export imported through `import:commit`
 * by path (validation, the job's bounded write transactions and rollups), timed from the call to
 * the job's end; `max_block_ms` is the longest the core's event loop was blocked meanwhile
 * (monitorEventLoopDelay, 10 ms resolution).
 */
export const importBench: Bench = {
  name: 'import',
  description: 'import a generated 100k-line Meta export; seconds and the longest event-loop block',
  async run({ tmpDir, log }) {
    const rows = Number(process.env.ME_BENCH_IMPORT_ROWS ?? 100_000)
    const file = join(tmpDir, 'meta-export.csv')
    writeFileSync(file, metaExport(rows))
    const platform = createNodePlatform({ host: 'cli', dataDir: tmpDir })
    const core = createCore(platform, { dbPath: join(tmpDir, 'bench-import.db') })
    try {
      const workspaceId = core.workspaces.create('Imported', 'USD')
      const off = core.events.on('job:progress', (p) =>
        log(`  ${p.step} ${p.current.toLocaleString()} / ${p.total.toLocaleString()}`),
      )
      const h = monitorEventLoopDelay({ resolution: 10 })
      h.enable()
      const t0 = performance.now()
      const env = await core.dispatch(
        'import:commit',
        { workspaceId, path: file, fileName: 'meta-export.csv' },
        TEST_CALLER,
      )
      if (!env.ok) throw new Error(env.error.message)
      const job = await core.jobs.waitFor((env.value as { jobId: number }).jobId)
      const seconds = (performance.now() - t0) / 1000
      h.disable()
      off()
      if (job.status !== 'succeeded') throw new Error(`import ${job.status}: ${job.error}`)
      const r = core.jobs.result<{ rows: number }>(job.id)
      if (r?.rows !== rows) throw new Error(`imported ${r?.rows} ad-days, expected ${rows}`)
      return {
        rows,
        import_s: Math.round(seconds * 100) / 100,
        // The histogram's max includes its own resolution (the timer's period): subtract it.
        max_block_ms: Math.max(0, Math.round(h.max / 1e6 - 10)),
      }
    } finally {
      await core.close()
    }
  },
}
