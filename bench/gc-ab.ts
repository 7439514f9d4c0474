/**
 * A/B of V8's heap growth on the recommendations' generation (issue 18 item 4 against issue 16's
 * generate_s): the cached large demo copied, one core (no job queue), generations alternating between
 * `--heap-growing-percent=0` (V8's own factor) and the core's HEAP_GROWING_PERCENT. Prints per
 * generation wall and CPU seconds, the core heap's peak used and committed MB.
 * A first warm-up generation is printed apart; the measured arms alternate A B B A.
 * Heavy (reads the 10k store): run under the bench lock. ME_GC_AB_ROUNDS (default 2: four measured generations).
 */
import { setFlagsFromString } from 'node:v8'
import { join } from 'node:path'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createCore } from '../electron/main/core'
import { HEAP_GROWING_PERCENT } from '../electron/main/heap-growth'
import { createNodePlatform } from '../electron/main/platform/node'
import { scaleStore } from './scale-store'

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gc-ab-'))
  try {
    const built = await scaleStore(dir, (m) => console.error(m))
    const core = createCore(
      createNodePlatform({ host: 'cli', dataDir: dir, now: () => new Date('2026-11-01T12:00:00Z') }),
      { dbPath: join(dir, 'marketing-engine.db'), startJobs: false },
    )
    try {
      const rounds = Number(process.env.ME_GC_AB_ROUNDS ?? 2)
      // A first generation warms the JIT and the page cache and is printed apart (arm "warm-up"); then
      // the arms go A B B A, A B B A, ... so neither always runs first.
      for (let i = -1; i < rounds * 2; i++) {
        const percent = i < 0 || i % 4 === 0 || i % 4 === 3 ? 0 : HEAP_GROWING_PERCENT
        setFlagsFromString(`--heap-growing-percent=${percent}`)
        let used = 0
        let committed = 0
        const t = setInterval(() => {
          const m = process.memoryUsage()
          used = Math.max(used, m.heapUsed)
          committed = Math.max(committed, m.heapTotal)
        }, 20)
        const cpu0 = process.cpuUsage()
        const t0 = performance.now()
        await core.services.recommendations.generate(built.workspaceId)
        const cpu = process.cpuUsage(cpu0)
        clearInterval(t)
        console.log(
          JSON.stringify({
            arm: i < 0 ? 'warm-up' : 'measured',
            percent,
            wall_s: Math.round(performance.now() - t0) / 1000,
            cpu_s: Math.round((cpu.user + cpu.system) / 1e4) / 100,
            heap_used_peak_mb: Math.round(used / 1048576),
            heap_committed_peak_mb: Math.round(committed / 1048576),
          }),
        )
      }
    } finally {
      await core.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err))
  process.exit(1)
})
