/**
 * Iterating on issue 18's idle memory: copies the cached large demo (bench/scale-store.ts), opens it
 * with the real core (no job queue) and opens the memory bench's heavy pages one call at a time,
 * printing after each the process RSS, the core's V8 heap and where the resident memory lies
 * (`/proc/self/smaps`: the main thread's malloc heap `[heap]`, the other threads' malloc arenas
 * (64 MB-aligned anonymous regions), other anonymous mappings (V8 heaps, large allocations), files).
 * Options: ME_STEPS_SYNC_S (then an incremental sync alone against the simulated platforms in another
 * process, a report every 500 ms with the job's progress), ME_STEPS_TRAIN_S (then a training alone, RSS at each new peak), ME_STEPS_CACHE_KIB (the core connection's cache_size), ME_STEPS_AFTER_S (then run the after-sync work for
 * that long; ME_STEPS_AFTER_ONLY=recs|rules|alerts runs one part), ME_STEPS_WAIT_S (idle longer); with --expose-gc a
 * full GC after the after-sync work shows what stays referenced.
 * Heavy (reads the 10k store): run under the bench lock.
 *   flock -w 30 /work/wt/bench.lock node --import tsx bench/memory-steps.ts
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { addDays } from '../shared/domain/dates'
import { choiceFromEnv, intFromEnv } from '../electron/main/env-settings'
import { createCore } from '../electron/main/core'
import { createNodePlatform } from '../electron/main/platform/node'
import { TEST_CALLER } from '../electron/main/test-support'
import { SCALE_WORLD, scaleCacheDir } from './scale-store'
import { residentByKind } from './smaps'
import { simulatedFetchOverLoopback } from './loopback-server'
import { heavyPageCalls } from './heavy-pages'
import { setCacheSize } from '../electron/main/store/connect'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Core } from '../electron/main/core'
import { Session } from 'node:inspector/promises'
import { writeFileSync } from 'node:fs'

const mb = (kb: number): number => Math.round(kb / 1024)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * The demo's simulated platforms in another process (bench/memory-sim-server.ts), as the memory
 * bench serves them: the core's demo connections fetch from it over loopback HTTP.
 */
async function useSimulatorProcess(core: Core): Promise<() => void> {
  const sim = fork(fileURLToPath(new URL('./memory-sim-server.ts', import.meta.url)), ['{}'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const { port } = await new Promise<{ port: number }>((resolve) =>
    sim.once('message', (m) => resolve(m as { port: number })),
  )
  core.services.sync.useSimulatedFetch(simulatedFetchOverLoopback(port))
  return () => sim.kill()
}

async function main(): Promise<void> {
  const cache = scaleCacheDir()
  if (!existsSync(join(cache, 'built.json')))
    throw new Error(`no cached large demo in ${cache}: run the scale bench once`)
  const built = JSON.parse(readFileSync(join(cache, 'built.json'), 'utf8')) as { workspaceId: number }
  const dir = mkdtempSync(join(tmpdir(), 'memory-steps-'))
  const report = (step: string, ms?: number): void => {
    const m = process.memoryUsage()
    console.log(
      JSON.stringify({
        step,
        ...(ms === undefined ? {} : { ms: Math.round(ms) }),
        rss: mb(m.rss / 1024),
        v8: mb(m.heapUsed / 1024),
        v8total: mb(m.heapTotal / 1024),
        ext: mb((m.external + m.arrayBuffers) / 1024),
        ...residentByKind(),
      }),
    )
  }
  try {
    copyFileSync(join(cache, 'marketing-engine.db'), join(dir, 'marketing-engine.db'))
    const offset = Date.parse(`${addDays(SCALE_WORLD.endDate, 1)}T12:00:00Z`) - Date.now()
    const platform = createNodePlatform({ host: 'cli', dataDir: dir, now: () => new Date(Date.now() + offset) })
    report('start')
    const trainS = intFromEnv('ME_STEPS_TRAIN_S', 0, 3600) ?? 0
    const syncS = intFromEnv('ME_STEPS_SYNC_S', 0, 3600) ?? 0
    const core = createCore(platform, { startJobs: trainS > 0 || syncS > 0, ownerLabel: 'memory-steps' })
    report('opened')
    const cacheKib = intFromEnv('ME_STEPS_CACHE_KIB', 0, 4_194_304) ?? 0
    if (cacheKib) setCacheSize(core.store.sqlite, -cacheKib)
    const w = built.workspaceId
    // ME_STEPS_PAGES=0: no page opened first (a sync or training from a fresh start).
    const calls = process.env.ME_STEPS_PAGES === '0' ? [] : heavyPageCalls(w, SCALE_WORLD.endDate)
    try {
      for (const [channel, input] of calls) {
        const t = performance.now()
        const env = await core.dispatch(channel, input, TEST_CALLER)
        if (!env.ok) console.log(JSON.stringify({ channel, error: env.error.message }))
        report(channel, performance.now() - t)
      }
      await core.services.alertSources.idle()
      await sleep(3000)
      report('idle 3 s')
      // The after-sync work (rules cycle, recommendations, the alert checks with the anomaly scan) as a sync's end starts it.
      const afterS = intFromEnv('ME_STEPS_AFTER_S', 0, 3600) ?? 0
      if (afterS) {
        const only = choiceFromEnv('ME_STEPS_AFTER_ONLY', ['recs', 'rules', 'alerts'] as const)
        // ME_STEPS_HEAP_PROFILE=file: V8's sampling heap profiler over the after-sync work, garbage included
        // (what each function allocated, collected or not), written as a .heapprofile.
        const profileTo = process.env.ME_STEPS_HEAP_PROFILE
        const inspector = profileTo ? new Session() : null
        if (inspector) {
          inspector.connect()
          await inspector.post('HeapProfiler.enable')
          await inspector.post('HeapProfiler.startSampling', {
            samplingInterval: 65536,
            includeObjectsCollectedByMajorGC: true,
            includeObjectsCollectedByMinorGC: true,
          })
        }
        let done: Promise<unknown> = Promise.resolve()
        if (only === 'recs') done = core.dispatch('recommendations:generate', { workspaceId: w }, TEST_CALLER)
        else if (only === 'rules') done = core.services.automation.afterSync(w)
        else if (only === 'alerts') core.services.alertSources.afterSyncLater(w)
        else {
          core.events.emit('job:finished', { jobId: 0, kind: 'sync:run', status: 'succeeded', error: null })
          core.services.alertSources.afterSyncLater(w)
        }
        void done.then(() => report('after-sync work done'))
        const t0 = performance.now()
        let peak = 0
        while (performance.now() - t0 < afterS * 1000) {
          await sleep(1000)
          const m = process.memoryUsage()
          if (m.rss > peak) {
            peak = m.rss
            report(`after-sync ${Math.round((performance.now() - t0) / 1000)} s`)
          }
        }
        await done
        await core.services.recommendations.idle()
        await core.services.alertSources.idle()
        report('after-sync end')
        if (inspector && profileTo) {
          const { profile } = await inspector.post('HeapProfiler.stopSampling')
          writeFileSync(profileTo, JSON.stringify(profile))
          inspector.disconnect()
        }
        // With --expose-gc: what is still referenced once garbage is collected.
        const gc = (globalThis as { gc?: () => void }).gc
        if (gc) {
          gc()
          report('after-sync end, after a full GC')
        }
      }
      // An incremental sync alone (simulated platforms in another process), for at most ME_STEPS_SYNC_S:
      // a report every 500 ms with the job's progress, then its after-sync work.
      if (syncS) {
        const stopSim = await useSimulatorProcess(core)
        try {
          const env = await core.dispatch('sync:start', { workspaceId: w }, TEST_CALLER)
          if (!env.ok) throw new Error(env.error.message)
          const id = (env.value as { jobId: number }).jobId
          const t0 = performance.now()
          let progress = ''
          const off = core.events.on('job:progress', (p) => {
            if (p.jobId === id) progress = `${p.step} ${p.message}`
          })
          while (
            ['queued', 'running'].includes(core.jobs.get(id)?.status ?? '') &&
            performance.now() - t0 < syncS * 1000
          ) {
            await sleep(500)
            report(`sync ${((performance.now() - t0) / 1000).toFixed(1)} s: ${progress.slice(0, 90)}`)
          }
          off()
          console.log(JSON.stringify({ sync: core.jobs.get(id)?.status, error: core.jobs.get(id)?.error ?? null }))
          await core.services.alertSources.idle()
          await core.services.recommendations.idle()
          report('sync and its after-sync work done')
          await sleep(5000)
          report('sync end + 5 s')
        } finally {
          stopSim()
        }
      }
      // A training alone (its worker thread reads the store and trains), for at most ME_STEPS_TRAIN_S.
      if (trainS) {
        const env = await core.dispatch('ml:train', { workspaceId: w, model: 'forecast' }, TEST_CALLER)
        if (!env.ok) throw new Error(env.error.message)
        const id = (env.value as { jobId: number }).jobId
        const t0 = performance.now()
        let peak = 0
        let last = 0
        while (
          ['queued', 'running'].includes(core.jobs.get(id)?.status ?? '') &&
          performance.now() - t0 < trainS * 1000
        ) {
          await sleep(1000)
          const s = Math.round((performance.now() - t0) / 1000)
          const rss = process.memoryUsage.rss()
          if (rss > peak || s - last >= 30) {
            peak = Math.max(peak, rss)
            last = s
            report(`training ${s} s`)
          }
        }
        const r = core.jobs.result<{ workerHeapMb?: number | null }>(id)
        console.log(JSON.stringify({ training: core.jobs.get(id)?.status, workerHeapMb: r?.workerHeapMb ?? null }))
        report('training end')
        await sleep(3000)
        report('training end + 3 s')
      }
      const waitS = intFromEnv('ME_STEPS_WAIT_S', 0, 3600) ?? 0
      if (waitS) {
        await sleep(waitS * 1000)
        report(`idle ${3 + waitS} s`)
      }
    } finally {
      await core.close()
    }
    report('closed')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err))
  process.exit(1)
})
