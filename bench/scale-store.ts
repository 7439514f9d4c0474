import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { createCore } from '../electron/main/core'
import { createNodePlatform } from '../electron/main/platform/node'
import { openStore } from '../electron/main/store/db'
import { buildPendingAdMonthDays } from '../electron/main/store/repos/ad-month-days-build'

/** The large demo of issue 18 (`npm run cli -- demo --campaigns 10000 --days 365`), with a fixed last day. */
export const SCALE_WORLD = { campaigns: 10_000, days: 365, endDate: '2026-10-31' } as const

export interface ScaleStoreInfo {
  workspaceId: number
  campaigns: number
  adSets: number
  ads: number
  rows: number
  from: string
  to: string
  build_s: number
}

/** Where the built store is kept between runs (`ME_BENCH_CACHE`, default ~/.cache/marketing-engine-bench). */
export function scaleCacheDir(): string {
  const base = process.env.ME_BENCH_CACHE ?? join(homedir(), '.cache', 'marketing-engine-bench')
  const w = SCALE_WORLD
  return join(base, `scale-${w.campaigns}x${w.days}-${w.endDate}`)
}

/**
 * Build the large demo once into the cache folder (or reuse it) and copy it into `dataDir`
 * (`marketing-engine.db`), so every run starts from the same store and the cache is never written by a run.
 */
export async function scaleStore(dataDir: string, log: (m: string) => void): Promise<ScaleStoreInfo> {
  const dir = scaleCacheDir()
  const info = join(dir, 'built.json')
  if (!existsSync(info)) {
    rmSync(dir, { recursive: true, force: true })
    const building = `${dir}.building`
    rmSync(building, { recursive: true, force: true })
    mkdirSync(building, { recursive: true })
    log(`building the large demo (${SCALE_WORLD.campaigns} campaigns x ${SCALE_WORLD.days} days) in ${dir}`)
    const t = performance.now()
    const platform = createNodePlatform({ host: 'cli', dataDir: building })
    const core = createCore(platform, { dbPath: join(building, 'marketing-engine.db') })
    try {
      const id = core.jobs.enqueue('demo:build', { ...SCALE_WORLD })
      const job = await core.jobs.waitFor(id)
      if (job.status !== 'succeeded') throw new Error(`demo build ${job.status}: ${job.error ?? ''}`)
      const r = core.jobs.result<Omit<ScaleStoreInfo, 'build_s'>>(id) as Omit<ScaleStoreInfo, 'build_s'>
      // The finished build queues the first training; the cached store must not carry it.
      for (const j of core.jobs.active('ml:train')) {
        core.jobs.cancel(j.id)
        await core.jobs.waitFor(j.id)
      }
      core.store.sqlite.pragma('wal_checkpoint(TRUNCATE)')
      const built: ScaleStoreInfo = { ...r, build_s: Math.round((performance.now() - t) / 100) / 10 }
      writeFileSync(join(building, 'built.json'), JSON.stringify(built))
    } finally {
      await core.close()
    }
    renameSync(building, dir)
  }
  const built = JSON.parse(readFileSync(info, 'utf8')) as ScaleStoreInfo
  // Migrations landed since the build run once on the cache (not in every measured run); their backup is dropped.
  const t = performance.now()
  const store = openStore({
    path: join(dir, 'marketing-engine.db'),
    migrationsFolder: join(import.meta.dirname, '..', 'resources', 'migrations'),
    integrityCheck: false,
  })
  if (store.backupPath) log(`migrated the cached store in ${Math.round(performance.now() - t)} ms`)
  // Data a migration leaves to a job after the start (0022: packed ad days), built once here too, so
  // the measured runs read what the app reads once that job has run.
  const upgraded = buildPendingAdMonthDays(store.sqlite)
  if (upgraded.accounts) log(`built the packed ad days of ${upgraded.accounts} accounts of the cached store`)
  store.sqlite.pragma('wal_checkpoint(TRUNCATE)')
  store.close()
  for (const f of readdirSync(dir)) if (f.includes('.backup-')) rmSync(join(dir, f))
  mkdirSync(dataDir, { recursive: true })
  copyFileSync(join(dir, 'marketing-engine.db'), join(dataDir, 'marketing-engine.db'))
  return built
}

// `tsx bench/scale-store.ts`: build (or check) the cache only.
if (process.argv[1]?.endsWith('scale-store.ts')) {
  const tmp = join(scaleCacheDir(), '..', 'scale-check')
  scaleStore(tmp, (m) => console.error(m))
    .then((r) => {
      rmSync(tmp, { recursive: true, force: true })
      console.log(JSON.stringify(r))
    })
    .catch((e: unknown) => {
      console.error(e)
      process.exit(1)
    })
}
