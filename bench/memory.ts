import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MemoryChildArgs, MemoryChildResult } from './memory-child'
import { startSimulator } from './scale'
import { SCALE_WORLD, scaleStore } from './scale-store'
import type { Bench } from './types'

const CHILD = fileURLToPath(new URL('./memory-child.ts', import.meta.url))

function start(path: string, args: unknown, profileDir?: string): ChildProcess {
  return fork(path, [JSON.stringify(args)], {
    execArgv: ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
}

const firstMessage = <T>(child: ChildProcess, what: string): Promise<T> =>
  new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T))
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code} before reporting`)))
  })

/**
 * Memory bench (issue 18 item 4): the large demo store (the scale bench's cache) opened by the real
 * core in a child process whose RSS is the figure, with the demo's simulated platforms in another
 * process (so none of their world is counted: "a user's real store, no simulator"). Opens the
 * heavy pages, then runs a training and an incremental sync together and waits for their after-sync
 * work. `ME_BENCH_MEMORY_BUSY_S` caps the busy phase (default 480: the bench lock's 10-minute runs; `jobs` says whether both ended).
 * `ME_BENCH_MEMORY_PROFILE_DIR` writes the measured process's CPU profile there (`--cpu-prof`): the log's
 * stall lines give the monotonic microsecond of each stall, the profile's own clock, to find what ran.
 */
export const memoryBench: Bench = {
  name: 'memory',
  description: 'RSS of the core on the large demo (no simulator in the process): idle, and peak during sync + training',
  async run({ tmpDir, log }) {
    const dataDir = join(tmpDir, 'data')
    const built = await scaleStore(dataDir, log)
    const sim = startSimulator()
    try {
      const port = await sim.port
      const args: MemoryChildArgs = {
        dataDir,
        workspaceId: built.workspaceId,
        endDate: SCALE_WORLD.endDate,
        port,
        busyMaxS: Number(process.env.ME_BENCH_MEMORY_BUSY_S ?? 480),
      }
      const r = await firstMessage<MemoryChildResult>(
        start(CHILD, args, process.env.ME_BENCH_MEMORY_PROFILE_DIR || undefined),
        'the measured process',
      )
      for (const e of r.errors) log(`  ERROR ${e}`)
      log(`  jobs ${JSON.stringify(r.jobs)} in ${r.busyS} s`)
      log(
        `  samples (s: peak rss/core heap used/committed MB, loop max ms, jobs (follow-ups), resident heap/arenas/anon/file MB): ${r.samples.map((m) => `${m.s}: ${m.rssMb}/${m.heapMb}/${m.heapTotalMb} ${m.loopMaxMs}ms ${m.jobs} ${m.resident.heap}/${m.resident.arenas}/${m.resident.anon}/${m.resident.file}`).join('; ')}`,
      )
      return {
        campaigns: built.campaigns,
        rows: built.rows,
        rss_open_mb: r.rssOpenMb,
        rss_peak_pages_mb: r.rssPeakPagesMb,
        // Idle after the heavy pages, before any sync.
        rss_idle_before_sync_mb: r.rssIdleBeforeSyncMb,
        // Training and an incremental sync together (with their after-sync work), simulator in its own process.
        rss_peak_mb: r.rssPeakBusyMb,
        // Idle 5 s after the sync, the training and their after-sync work ended.
        rss_idle_mb_no_simulator: r.rssIdleAfterMb,
        rss_max_mb: r.rssPeakMb,
        main_heap_idle_mb: r.mainHeapIdleMb,
        main_heap_peak_mb: r.mainHeapPeakMb,
        main_heap_after_mb: r.mainHeapAfterMb,
        training_heap_mb: r.trainingHeapMb,
        // The core thread's event-loop delay over the busy phase (ms).
        loop_delay_max_ms: r.loopDelayMaxMs,
        loop_delay_p99_ms: r.loopDelayP99Ms,
        gc_pause_max_ms: r.gcPauseMaxMs,
        // Where the idle RSS lies (bench/smaps.ts: main thread's malloc heap, worker threads' malloc arenas, other anonymous memory, files).
        resident_idle_before_sync: r.residentIdleBefore,
        resident_idle_after: r.residentIdleAfter,
        // Freed memory the core returned to the system after its big jobs (memory-release.ts; Linux with glibc).
        memory_releases: r.memoryReleases,
        memory_release_ms: r.memoryReleaseMs,
        // One more release called by the bench after the idle figure: what was still releasable.
        rss_after_release_mb: r.rssAfterReleaseMb,
        resident_after_release: r.residentAfterRelease,
        release_ms: r.releaseMs,
        busy_s: r.busyS,
        busy_cpu_s: r.busyCpuS,
        // What the core set for the process (heap-growth.ts, memory-release.ts): figures are comparable only at the same values.
        heap_growing_percent: r.heapGrowingPercent,
        malloc_mmap_kib: r.mallocMmapKib,
        jobs: r.jobs,
      }
    } finally {
      sim.child.kill()
    }
  },
}
