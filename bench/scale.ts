import { fork, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildArgs, ChildResult } from './scale-child'
import { SCALE_WORLD, scaleStore } from './scale-store'
import type { Bench } from './types'

const CHILD = fileURLToPath(new URL('./scale-child.ts', import.meta.url))
/** The demo's simulated platforms in their own process (as in the memory bench): measured apart. */
const SIM = fileURLToPath(new URL('./memory-sim-server.ts', import.meta.url))

/** A process's peak RSS in MB (Linux: VmHWM of /proc/<pid>/status; null elsewhere or once it is gone). */
function peakRssMb(pid: number | undefined): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Math.round(Number(m[1]) / 1024) : null
  } catch {
    return null
  }
}

/** Starts the demo's simulated platforms in their own process (the scale and memory benches); `port` once it listens. */
export function startSimulator(): { child: ChildProcess; port: Promise<number> } {
  const child = fork(SIM, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const port = new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`the simulated platforms process exited with ${code}`)))
  })
  return { child, port }
}

function p99(xs: number[]): number {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)] as number
}

function runChild(args: ChildArgs): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [JSON.stringify(args)], {
      // ME_BENCH_SCALE_CPU_PROF=<dir>: a CPU profile of the measured process (its main thread).
      execArgv: [
        '--import',
        'tsx',
        ...(process.env.ME_BENCH_SCALE_CPU_PROF
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.ME_BENCH_SCALE_CPU_PROF}`]
          : []),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let result: ChildResult | null = null
    child.on('message', (m) => {
      result = m as ChildResult
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (result) resolve(result)
      else reject(new Error(`the measured process exited with ${code} before reporting`))
    })
  })
}

/**
 * Scale bench (issue 18): the large demo (10,000 campaigns, ~128,000 ads, 365 days) built once into
 * a cache folder and copied per run; every page's channels through the real core's IPC router in a
 * child process (its RSS is the figure), then dashboard/explorer calls every 100 ms while a training
 * and a sync run. The demo's simulated platforms answer from their own process over loopback HTTP (as in
 * the memory bench), so the measured process holds what a user's app holds with real platforms. `ME_BENCH_SCALE_RUNS` (page passes, default 3), `ME_BENCH_SCALE_BUSY_S` (cap, default 600).
 */
export const scaleBench: Bench = {
  name: 'scale',
  description: 'every page of the large demo (10k campaigns, 128k ads): page times, answer sizes, IPC while busy, RSS',
  async run({ tmpDir, log }) {
    const dataDir = join(tmpDir, 'data')
    const built = await scaleStore(dataDir, log)
    log(`store: ${built.campaigns} campaigns, ${built.ads} ads, ${built.rows} rows (built in ${built.build_s} s)`)
    const sim = startSimulator()
    let r: ChildResult
    let simulatorRssPeakMb: number | null
    try {
      r = await runChild({
        dataDir,
        workspaceId: built.workspaceId,
        endDate: SCALE_WORLD.endDate,
        runs: Number(process.env.ME_BENCH_SCALE_RUNS ?? 3),
        busyMaxS: Number(process.env.ME_BENCH_SCALE_BUSY_S ?? 600),
        port: await sim.port,
      })
      simulatorRssPeakMb = peakRssMb(sim.child.pid)
    } finally {
      sim.child.kill()
    }
    for (const e of r.errors) log(`  ERROR ${e}`)
    log(`  busy: ${r.busyCalls} calls over ${r.busyS} s; jobs ${JSON.stringify(r.busyJobs)}`)
    log(`  largest answer: ${r.maxResponseChannel} ${Math.round(r.maxResponseBytes / 1024)} kB`)
    log(`  idle heap used ${r.heapIdleMb} MB, store opened in ${r.openMs} ms`)
    log(
      `  memory while busy (s: rss/core heap MB, jobs): ${r.busyMemory.map((m) => `${m.s}: ${m.rssMb}/${m.heapMb} ${m.jobs}`).join('; ')}`,
    )
    log(`  simulated platforms (their own process): peak RSS ${simulatorRssPeakMb ?? '?'} MB`)
    return {
      campaigns: built.campaigns,
      ads: built.ads,
      rows: built.rows,
      pages: r.pages,
      worst_page_ms: Math.max(...r.pages.map((p) => p.ms)),
      // The same over each page's first opening (before anything is kept).
      worst_first_page_ms: Math.max(...r.pages.map((p) => p.first_ms)),
      max_response_kb: Math.round(r.maxResponseBytes / 1024),
      ipc_p99_busy_ms: Math.round(p99(r.busyLatencies)),
      rss_idle_mb: r.rssIdleMb,
      rss_peak_mb: r.rssPeakMb,
      rss_idle_mb_no_simulator: r.rssIdleNoSimulatorMb,
      // The demo's simulated platforms run in their own process (a user's real store has none): their peak RSS, apart.
      simulator_rss_peak_mb: simulatorRssPeakMb,
      // The rest of the process's memory by thread: the core's heap at its peak while busy, the
      // training thread's heap (null when the training did not finish within the busy cap).
      main_heap_peak_mb: r.mainHeapPeakMb,
      training_heap_mb: r.trainingHeapMb,
      // The explorer's first window on a fresh core (the page figure is of the kept list).
      explorer_first_ms: r.explorerFirstMs,
    }
  },
}
