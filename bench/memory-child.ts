/**
 * The memory bench's measured process (issue 18 item 4): opens the large demo store with the real
 * core, opens the heavy pages, then runs a training and an incremental sync together against the
 * simulated platforms served from another process (bench/memory-sim-server.ts), as a user's real
 * store syncs against the real platforms. RSS is sampled every 50 ms from a thread of its own, so a
 * phase's peak is seen even while the core's thread is busy. Reports one JSON message.
 */
import { heavyPageCalls } from './heavy-pages'
import { startWorker } from '../electron/main/worker-entry'
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { addDays } from '../shared/domain/dates'
import { createCore, type Core } from '../electron/main/core'
import { createNodePlatform } from '../electron/main/platform/node'
import { TEST_CALLER } from '../electron/main/test-support'
import { printMallocStats, residentByKind } from './smaps'
import { mmapThresholdKib, releaseFreedMemory } from '../electron/main/memory-release'
import { heapGrowingPercent } from '../electron/main/heap-growth'
import { simulatedFetchOverLoopback } from './loopback-server'

export interface MemoryChildArgs {
  dataDir: string
  workspaceId: number
  endDate: string
  /** The loopback port of the simulated platforms' process. */
  port: number
  busyMaxS: number
}

export interface MemoryChildResult {
  rssOpenMb: number
  rssIdleBeforeSyncMb: number
  rssPeakPagesMb: number
  rssPeakBusyMb: number
  rssIdleAfterMb: number
  rssPeakMb: number
  mainHeapIdleMb: number
  mainHeapPeakMb: number
  mainHeapAfterMb: number
  trainingHeapMb: number | null
  busyS: number
  jobs: Record<string, string>
  samples: {
    s: number
    rssMb: number
    heapMb: number
    /** The core V8 heap's committed size (MB): what its garbage holds resident. */
    heapTotalMb: number
    /** The longest event-loop delay of the core's thread since the previous sample (ms). */
    loopMaxMs: number
    jobs: string
    resident: Record<string, number>
  }[]
  /** The core thread's event-loop delay over the busy phase (ms): longest and 99th percentile. */
  loopDelayMaxMs: number
  loopDelayP99Ms: number
  /** The longest garbage-collection pause of the core's thread over the busy phase (ms). */
  gcPauseMaxMs: number
  /** CPU time of the whole process over the busy phase (s). */
  busyCpuS: number
  /** What the core set for the process: V8's heap growth (percent, 0 = V8's own) and glibc's mmap threshold (kB, 0 = glibc's own). */
  heapGrowingPercent: number | null
  mallocMmapKib: number | null
  /** Where the resident memory lies (bench/smaps.ts) idle before the sync and idle after it. */
  residentIdleBefore: Record<string, number>
  residentIdleAfter: Record<string, number>
  /** Releases of freed memory the core made after its big jobs (memory-release.ts), the last one's ms. */
  memoryReleases: number
  memoryReleaseMs: number | null
  /** RSS and where it lies right after one more release called by the bench (what is left to release). */
  rssAfterReleaseMb: number
  residentAfterRelease: Record<string, number>
  releaseMs: number | null
  errors: string[]
}

const mb = (b: number): number => Math.round(b / 1024 / 1024)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * Process RSS sampled every 50 ms on its own thread (bench/memory-sampler-thread.ts): `take()` returns
 * the peak since the last take (MB); `resident()` bench/smaps.ts's breakdown, read on that thread.
 */
function rssSampler(): { take(): number; resident(): Promise<Record<string, number>>; stop(): Promise<void> } {
  const peak = new Int32Array(new SharedArrayBuffer(4))
  const w = startWorker(new URL('./memory-sampler-thread.ts', import.meta.url), peak, { loader: 'require' })
  w.unref()
  let next = 0
  const waiting = new Map<number, (r: Record<string, number>) => void>()
  w.on('message', (m: { id: number; resident: Record<string, number> }) => {
    waiting.get(m.id)?.(m.resident)
    waiting.delete(m.id)
  })
  const take = (): number => Math.max(Atomics.exchange(peak, 0, 0), mb(process.memoryUsage.rss()))
  const resident = (): Promise<Record<string, number>> =>
    new Promise((resolve) => {
      const id = next++
      waiting.set(id, resolve)
      w.postMessage(id)
    })
  return { take, resident, stop: async () => void (await w.terminate()) }
}

/**
 * Attribution of the core thread's stalls over the busy phase: every event-loop gap of 100 ms or more
 * (a 10 ms timer that fired late) and every garbage-collection pause of 50 ms or more, logged with the
 * phase's second and the monotonic microsecond (process.hrtime, the clock of a `--cpu-prof` profile).
 */
function stallLog(log: (m: string) => void, t0: number): { stop(): { gcPauseMaxMs: number } } {
  const at = (ms: number): string =>
    `${((ms - t0) / 1000).toFixed(1)} s (µs ${Math.round(Number(process.hrtime.bigint() / 1000n) - (performance.now() - ms) * 1000)})`
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    if (now - last >= 110)
      log(`  stall: the core's thread did not run timers for ${Math.round(now - last - 10)} ms, ending at ${at(now)}`)
    last = now
  }, 10)
  let gcPauseMaxMs = 0
  const kinds: Record<number, string> = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
  }
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcPauseMaxMs = Math.max(gcPauseMaxMs, e.duration)
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0
      if (e.duration >= 50)
        log(`  gc pause: ${kinds[kind] ?? kind} ${Math.round(e.duration)} ms, starting at ${at(e.startTime)}`)
    }
  })
  gc.observe({ entryTypes: ['gc'] })
  return {
    stop: () => {
      clearInterval(timer)
      gc.disconnect()
      return { gcPauseMaxMs: Math.round(gcPauseMaxMs) }
    },
  }
}

async function call(core: Core, channel: string, input: unknown): Promise<unknown> {
  const env = await core.dispatch(channel, input, TEST_CALLER)
  if (!env.ok) throw new Error(`${channel}: ${env.error.code}: ${env.error.message}`)
  return env.value
}

/** The pages that read the most rows, opened once (what a user who looks around holds afterwards). */
async function openPages(core: Core, a: MemoryChildArgs, errors: string[]): Promise<void> {
  const w = a.workspaceId
  const calls = heavyPageCalls(w, a.endDate)
  for (const [c, input] of calls) {
    try {
      await call(core, c, input)
    } catch (err) {
      errors.push((err as Error).message)
    }
  }
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2] as string) as MemoryChildArgs
  const log = (m: string): void => console.error(m)
  const rss = rssSampler()
  const errors: string[] = []
  const offset = Date.parse(`${addDays(a.endDate, 1)}T12:00:00Z`) - Date.now()
  const platform = createNodePlatform({ host: 'cli', dataDir: a.dataDir, now: () => new Date(Date.now() + offset) })
  const core = createCore(platform, { ownerLabel: 'the memory bench' })
  // Demo connections fetch from the simulated platforms' own process, over loopback HTTP.
  core.services.sync.useSimulatedFetch(simulatedFetchOverLoopback(a.port))
  try {
    const rssOpenMb = rss.take()
    log(`  opened: rss ${rssOpenMb} MB`)
    await openPages(core, a, errors)
    await core.services.alertSources.idle()
    const rssPeakPagesMb = rss.take()
    await sleep(3000)
    const rssIdleBeforeSyncMb = mb(process.memoryUsage.rss())
    const mainHeapIdleMb = mb(process.memoryUsage().heapUsed)
    const residentIdleBefore = residentByKind()
    rss.take()
    log(
      `  pages opened: peak ${rssPeakPagesMb} MB, idle ${rssIdleBeforeSyncMb} MB (core heap ${mainHeapIdleMb} MB), resident ${JSON.stringify(residentIdleBefore)}`,
    )
    const w = a.workspaceId
    const train = (await call(core, 'ml:train', { workspaceId: w, model: 'forecast' })) as { jobId: number }
    const sync = (await call(core, 'sync:start', { workspaceId: w })) as { jobId: number }
    const ids = { 'ml:train': train.jobId, 'sync:run': sync.jobId }
    const running = (): string[] =>
      Object.entries(ids)
        .filter(([, id]) => ['queued', 'running'].includes(core.jobs.get(id)?.status ?? ''))
        .map(([k]) => k)
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    const loop = monitorEventLoopDelay({ resolution: 10 })
    loop.enable()
    const loopAll = monitorEventLoopDelay({ resolution: 10 })
    loopAll.enable()
    const stalls = stallLog(log, t0)
    let releasesSeen = core.memoryRelease.count
    const offEvents = core.events.on('job:finished', (f) => {
      log(`  ${((performance.now() - t0) / 1000).toFixed(1)} s: ${f.kind} ${f.status}`)
    })
    const samples: MemoryChildResult['samples'] = []
    let mainHeapPeakMb = 0
    let rssPeakBusyMb = 0
    while (running().length && performance.now() - t0 < a.busyMaxS * 1000) {
      await sleep(2000)
      const peak = rss.take()
      rssPeakBusyMb = Math.max(rssPeakBusyMb, peak)
      const mu = process.memoryUsage()
      const heap = mb(mu.heapUsed)
      mainHeapPeakMb = Math.max(mainHeapPeakMb, heap)
      const follow = core.jobs.pendingFollowUps('sync:run')
      if (core.memoryRelease.count !== releasesSeen) {
        releasesSeen = core.memoryRelease.count
        log(
          `  ${((performance.now() - t0) / 1000).toFixed(1)} s: memory release ${core.memoryRelease.last?.ms.toFixed(1)} ms`,
        )
      }
      samples.push({
        s: Math.round((performance.now() - t0) / 1000),
        rssMb: peak,
        heapMb: heap,
        heapTotalMb: mb(mu.heapTotal),
        loopMaxMs: Math.round(loop.max / 1e6),
        jobs: [...running(), ...follow.map((f) => `(${f})`)].join('+'),
        // Read on another thread: on the core's, the read of /proc/self/smaps (60-110 ms at 10k under
        // load) stalled the thread whose stalls are measured.
        resident: await rss.resident(),
      })
      loop.reset()
      if (samples.length % 10 === 0)
        log(
          `  busy ${samples.at(-1)?.s} s: peak rss ${peak} MB, core heap ${heap} MB, ${running().join('+')}, resident ${JSON.stringify(samples.at(-1)?.resident)}`,
        )
    }
    const busyS = Math.round((performance.now() - t0) / 1000)
    const cpu = process.cpuUsage(cpu0)
    const busyCpuS = Math.round((cpu.user + cpu.system) / 1e5) / 10
    loop.disable()
    // The after-sync work (alert checks, recommendations) belongs to the sync.
    await core.services.alertSources.idle()
    await core.services.recommendations.idle()
    rssPeakBusyMb = Math.max(rssPeakBusyMb, rss.take())
    loopAll.disable()
    const stalled = stalls.stop()
    offEvents()
    await sleep(5000)
    const rssIdleAfterMb = mb(process.memoryUsage.rss())
    const mainHeapAfterMb = mb(process.memoryUsage().heapUsed)
    const residentIdleAfter = residentByKind()
    const jobs: Record<string, string> = {}
    for (const [kind, id] of Object.entries(ids)) {
      const job = core.jobs.get(id)
      jobs[kind] = job?.status === 'failed' ? `failed: ${job.error ?? ''}` : (job?.status ?? 'unknown')
    }
    const memoryReleases = core.memoryRelease.count
    const memoryReleaseMs = core.memoryRelease.last?.ms ?? null
    const released = await releaseFreedMemory()
    const rssAfterReleaseMb = mb(process.memoryUsage.rss())
    const residentAfterRelease = residentByKind()
    log(
      `  idle after: ${rssIdleAfterMb} MB ${JSON.stringify(residentIdleAfter)} (core releases ${memoryReleases}, last ${memoryReleaseMs?.toFixed(1)} ms); after one more release (${released.ms.toFixed(1)} ms): ${rssAfterReleaseMb} MB ${JSON.stringify(residentAfterRelease)}`,
    )
    printMallocStats()
    const trained = core.jobs.result<{ workerHeapMb?: number | null }>(ids['ml:train'])
    const result: MemoryChildResult = {
      rssOpenMb,
      rssIdleBeforeSyncMb,
      rssPeakPagesMb,
      rssPeakBusyMb,
      rssIdleAfterMb,
      rssPeakMb: Math.round(process.resourceUsage().maxRSS / 1024),
      mainHeapIdleMb,
      mainHeapPeakMb,
      mainHeapAfterMb,
      trainingHeapMb: trained?.workerHeapMb ?? null,
      busyS,
      jobs,
      samples,
      busyCpuS,
      heapGrowingPercent: heapGrowingPercent() ?? null,
      mallocMmapKib: mmapThresholdKib() ?? null,
      loopDelayMaxMs: Math.round(loopAll.max / 1e6),
      loopDelayP99Ms: Math.round(loopAll.percentile(99) / 1e6),
      gcPauseMaxMs: stalled.gcPauseMaxMs,
      residentIdleBefore,
      residentIdleAfter,
      memoryReleases,
      memoryReleaseMs,
      rssAfterReleaseMb,
      residentAfterRelease,
      releaseMs: released.supported ? released.ms : null,
      errors,
    }
    process.send?.(result)
  } finally {
    await core.close()
    await rss.stop()
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err))
  process.exit(1)
})
