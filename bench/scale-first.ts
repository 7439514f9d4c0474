/**
 * Iterating on issue 18's first-open pages: copies the cached large demo (bench/scale-store.ts),
 * opens it with the real core (no job queue) and calls the named channels once each, printing each
 * answer's wall time, the core thread's CPU time and its size; `--twice` calls each again (kept answers).
 * Heavy (reads the 10k store): run under the bench lock.
 *   flock -w 30 /work/wt/bench.lock node --import tsx bench/scale-first.ts [--twice] [--hash] [channel ...]
 * Also: analytics:getTop and analytics:getBreakdown (the dashboard's top list and the explorer's first window);
 * analytics:listCreatives@<offset> asks the Creatives window at that offset (the scale bench's `creatives-scrolled`
 * is @40000; after a first window the order is kept, so a window of another offset costs its rows only, cold).
 * ME_SCALE_FIRST_DIR=<dir> opens the store in that data folder in place instead of a copy of the cache (a
 * store migrated once, for alternating builds without copying 900 MB each run; it is written to: lease, migrations).
 * Channels default to the slow first-open set: analytics:listCreatives ml:getDrivers experiments:suggest
 * experiments:listEntities analytics:listAnomalies. ME_BENCH_SCALE_CPU_PROF=<dir> is honoured by node's --cpu-prof.
 */
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { addDays } from '../shared/domain/dates'
import { CREATIVES_WINDOW } from '../shared/domain/row-window'
import { createCore } from '../electron/main/core'
import { createNodePlatform } from '../electron/main/platform/node'
import { TEST_CALLER } from '../electron/main/test-support'
import { SCALE_WORLD, scaleCacheDir } from './scale-store'

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const twice = args.includes('--twice')
  const hash = args.includes('--hash')
  const wanted = args.filter((a) => !a.startsWith('--'))
  const cache = scaleCacheDir()
  if (!existsSync(join(cache, 'built.json')))
    throw new Error(`no cached large demo in ${cache}: run the scale bench once`)
  const built = JSON.parse(readFileSync(join(cache, 'built.json'), 'utf8')) as { workspaceId: number }
  const inPlace = process.env.ME_SCALE_FIRST_DIR
  const dir = inPlace ?? mkdtempSync(join(tmpdir(), 'scale-first-'))
  try {
    if (!inPlace) copyFileSync(join(cache, 'marketing-engine.db'), join(dir, 'marketing-engine.db'))
    const offset = Date.parse(`${addDays(SCALE_WORLD.endDate, 1)}T12:00:00Z`) - Date.now()
    const platform = createNodePlatform({ host: 'cli', dataDir: dir, now: () => new Date(Date.now() + offset) })
    const core = createCore(platform, { startJobs: false, ownerLabel: 'scale-first' })
    const w = built.workspaceId
    const range = { from: addDays(SCALE_WORLD.endDate, -29), to: SCALE_WORLD.endDate }
    const inputs: Record<string, unknown> = {
      'analytics:listCreatives': {
        workspaceId: w,
        range,
        window: { offset: 0, limit: CREATIVES_WINDOW, sort: 'spend', dir: 'desc', search: '' },
      },
      'analytics:compareFormats': { workspaceId: w, range },
      'ml:getDrivers': { workspaceId: w, days: 90 },
      'ml:listEntities': { workspaceId: w, limit: 200 },
      'experiments:suggest': { workspaceId: w },
      'experiments:listEntities': { workspaceId: w, level: 'ad_set' },
      'analytics:listAnomalies': { workspaceId: w, range, minSeverity: 'warning', includeSeasonal: false },
      'dashboard:getSummary': { workspaceId: w, range, compare: true },
      'analytics:getTop': { workspaceId: w, range, metric: 'roas', limit: 8, minSpend: 100 },
      // The explorer's first window (bench/scale-child.ts explorerInput).
      'analytics:getBreakdown': {
        workspaceId: w,
        range,
        level: 'campaign',
        compare: true,
        window: { offset: 0, limit: 200, sort: 'spend', dir: 'desc', search: '' },
      },
    }
    const channels = wanted.length
      ? wanted
      : [
          'analytics:listCreatives',
          'ml:getDrivers',
          'experiments:suggest',
          'experiments:listEntities',
          'analytics:listAnomalies',
        ]
    try {
      for (let pass = 0; pass < (twice ? 2 : 1); pass++)
        for (const channel of channels) {
          const c0 = process.cpuUsage()
          const t = performance.now()
          const [name, at] = channel.split('@') as [string, string | undefined]
          const input =
            at === undefined
              ? (inputs[channel] ?? { workspaceId: w })
              : {
                  workspaceId: w,
                  range,
                  window: { offset: Number(at), limit: CREATIVES_WINDOW, sort: 'spend', dir: 'desc', search: '' },
                }
          const env = await core.dispatch(name, input, TEST_CALLER)
          const ms = performance.now() - t
          const cpu = process.cpuUsage(c0)
          const json = JSON.stringify(env)
          const bytes = Buffer.byteLength(json)
          console.log(
            JSON.stringify({
              pass,
              channel,
              ok: env.ok,
              ms: Math.round(ms),
              cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
              kb: Math.round(bytes / 1024),
              // --hash: the answer's sha256 (compare answers before and after a change).
              ...(hash ? { sha256: createHash('sha256').update(json).digest('hex').slice(0, 16) } : {}),
              ...(env.ok ? {} : { error: env.error.message }),
            }),
          )
        }
    } finally {
      await core.close()
    }
  } finally {
    if (!inPlace) rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err))
  process.exit(1)
})
