/**
 * Iterating on the rules bench without rebuilding its world each time (not part of `npm run bench`):
 * the first run builds the bench world once into `$ME_RULES_STORE` (default
 * `$TMPDIR/me-rules-<campaigns>`), every run works on a copy of it. Prints JSON.
 *
 *   ME_BENCH_CAMPAIGNS=2000 PARTS=hash,eval,preview,cycle flock /work/wt/bench.lock npx tsx bench/rules-iterate.ts
 *
 * PARTS: `hash` (SHA-256 of every decision of the 100 bench rules, and their outcomes counted: compare
 * it before and after a change), `eval` (three evaluations as the bench does: wall ms, read-ahead ms,
 * CPU s of the process and of its main thread alone), `preview` (five previews of the first rule), `cycle` (one recorded cycle through the
 * service: wall ms, CPU s, and its evaluate/record split), `sliced` (one recorded cycle sliced as the
 * scheduler runs it: wall ms and the longest stretch it held the event loop). Run it under `node --cpu-prof --import tsx`
 * to profile.
 */
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EvalData } from '../electron/main/automation/data'
import { evaluateRule } from '../electron/main/automation/evaluate'
import { createCore } from '../electron/main/core'
import { createNodePlatform } from '../electron/main/platform/node'
import { SLICE_MS } from '../electron/main/scheduler/slices'
import { RulesRepo } from '../electron/main/store/repos/rules-repo'
import { TEST_CALLER } from '../electron/main/test-support'
import { benchRules, longestBlockMs } from './rules'
import { buildBenchWorld } from './store'

async function main(): Promise<void> {
  const campaigns = Number(process.env.ME_BENCH_CAMPAIGNS ?? 2000)
  const base = process.env.ME_RULES_STORE ?? join(tmpdir(), `me-rules-${campaigns}`)
  const now = (): Date => new Date('2026-11-01T12:00:00Z')
  if (!existsSync(join(base, 'pristine.db'))) {
    mkdirSync(base, { recursive: true })
    const platform = createNodePlatform({ host: 'cli', dataDir: base, now })
    const core = createCore(platform, { dbPath: join(base, 'build.db') })
    await buildBenchWorld(core, { campaigns, days: 365, endDate: '2026-10-31', log: (m) => console.error(m) })
    core.store.sqlite.pragma('wal_checkpoint(TRUNCATE)')
    await core.close()
    copyFileSync(join(base, 'build.db'), join(base, 'pristine.db'))
  }
  const work = join(base, `work-${process.pid}`)
  mkdirSync(work, { recursive: true })
  copyFileSync(join(base, 'pristine.db'), join(work, 'w.db'))
  const platform = createNodePlatform({ host: 'cli', dataDir: work, now })
  const core = createCore(platform, { dbPath: join(work, 'w.db'), startJobs: false })
  const out: Record<string, unknown> = { campaigns }
  try {
    const workspaceId = (core.workspaces.list()[0] as { id: number }).id
    const svc = core.services.automation
    svc.sliceMs = Number.MAX_SAFE_INTEGER
    const ids: number[] = []
    for (const r of benchRules(workspaceId)) ids.push((await svc.create(r, TEST_CALLER)).id)
    const rows = ids.map((id) => svc.get(id))
    const repo = new RulesRepo(core.store.sqlite)
    const parts = (process.env.PARTS ?? 'eval,preview,cycle').split(',')
    const evaluate = (hash: boolean): { ms: number; pre: number; hash: string; counts: Record<string, number> } => {
      const data = new EvalData(workspaceId, now(), repo, core.services.analytics, core.services.anomalies)
      const t0 = performance.now()
      data.prefetch(rows.map((r) => r.definition))
      const pre = performance.now() - t0
      const h = createHash('sha256')
      const counts: Record<string, number> = {}
      for (const r of rows) {
        const outcomes = evaluateRule(r.definition, data, { recent: [], lastChange: new Map(), othersOpen: [] })
        if (hash)
          for (const o of outcomes) {
            h.update(JSON.stringify(o.decision))
            h.update(JSON.stringify(o.changes))
            const k = `${o.decision.outcome}:${o.decision.reason ?? ''}`
            counts[k] = (counts[k] ?? 0) + 1
          }
      }
      return { ms: performance.now() - t0, pre, hash: h.digest('hex'), counts }
    }
    if (parts.includes('hash')) {
      const r = evaluate(true)
      out.hash = r.hash
      out.counts = r.counts
    }
    if (parts.includes('eval')) {
      evaluate(false)
      const c0 = process.cpuUsage()
      const m0 = mainThreadCpuS()
      const runs = [evaluate(false), evaluate(false), evaluate(false)]
      const c = process.cpuUsage(c0)
      const m1 = mainThreadCpuS()
      if (m0 !== null && m1 !== null) out.eval_main_thread_cpu_s = Math.round(((m1 - m0) / 3) * 100) / 100
      out.eval_ms = runs.map((r) => Math.round(r.ms))
      out.prefetch_ms = runs.map((r) => Math.round(r.pre))
      out.eval_cpu_s = Math.round((c.user + c.system) / 3e3) / 1e3
    }
    if (parts.includes('preview')) {
      const ms: number[] = []
      const c0 = process.cpuUsage()
      for (let i = 0; i < 5; i++) {
        const t = performance.now()
        svc.preview({ id: ids[0] as number }, TEST_CALLER)
        ms.push(Math.round(performance.now() - t))
      }
      const c = process.cpuUsage(c0)
      out.preview_ms = ms
      out.preview_cpu_ms = Math.round((c.user + c.system) / 5e3)
    }
    if (parts.includes('cycle')) {
      const c0 = process.cpuUsage()
      const t = performance.now()
      await svc.cycle(rows, 'manual', true)
      const c = process.cpuUsage(c0)
      out.cycle_ms = Math.round(performance.now() - t)
      out.cycle_cpu_s = Math.round((c.user + c.system) / 1e3) / 1e3
      out.cycle_split_ms = svc.lastCycle
    }
    if (parts.includes('sliced')) {
      svc.sliceMs = SLICE_MS
      const t = performance.now()
      const { maxBlockMs, maxBlockCpuMs } = await longestBlockMs(() => svc.cycle(rows, 'manual', true))
      out.sliced_cycle_ms = Math.round(performance.now() - t)
      out.sliced_max_block_ms = maxBlockMs
      // The longest block by the main thread's CPU time (Linux; null elsewhere): steadier under load.
      out.sliced_max_block_cpu_ms = maxBlockCpuMs
      svc.sliceMs = Number.MAX_SAFE_INTEGER
    }
  } finally {
    await core.close()
    rmSync(work, { recursive: true, force: true })
  }
  console.log(JSON.stringify(out))
}

/**
 * CPU seconds of this process's main thread alone (Linux: /proc; null elsewhere): unlike
 * `process.cpuUsage()` it leaves out V8's helper threads (parallel and concurrent GC, compilers), and
 * unlike wall time it does not count waiting for a core on a busy machine. 10 ms resolution.
 */
function mainThreadCpuS(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) / 100
  } catch {
    return null
  }
}

void main()
