import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createCore } from '../electron/main/core'
import { EvalData } from '../electron/main/automation/data'
import { evaluateRule } from '../electron/main/automation/evaluate'
import { createNodePlatform } from '../electron/main/platform/node'
import { RulesRepo } from '../electron/main/store/repos/rules-repo'
import { TEST_CALLER } from '../electron/main/test-support'
import type { RuleInput, RuleWindow } from '../shared/domain/rules'
import { buildBenchWorld } from './store'
import { timeMedian, type Bench } from './types'

const ENTITY_LEVELS = ['campaign', 'ad_set', 'ad'] as const

/**
 * Runs `work` while a probe takes a turn of the event loop whenever it can: the longest gap
 * between two turns is the longest stretch `work` held the thread (what an IPC call waits at worst).
 */
export async function longestBlockMs<T>(
  work: () => Promise<T>,
): Promise<{ value: T; maxBlockMs: number; maxBlockCpuMs: number | null }> {
  // The main thread's CPU time (ns, Linux): under load a block's wall time includes the time the
  // thread waited for a core, its CPU time is what the work itself cost.
  const cpuNs = (): number | null => {
    try {
      return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0])
    } catch {
      return null
    }
  }
  let last = performance.now()
  let lastCpu = cpuNs()
  let max = 0
  let maxCpu = 0
  let on = true
  // ME_BENCH_BLOCKS=<file>: every block over 30 ms with its end in CPU-profile time (us), to
  // attribute from a profile taken with node --cpu-prof (as ME_BENCH_SCALE_GAPS in the scale bench).
  const blocks: { endUs: number; ms: number; cpuMs: number | null }[] = []
  const probe = (): void => {
    const t = performance.now()
    const cpu = cpuNs()
    const blockCpu = cpu !== null && lastCpu !== null ? (cpu - lastCpu) / 1e6 : null
    if (t - last > max) max = t - last
    if (blockCpu !== null && blockCpu > maxCpu) maxCpu = blockCpu
    if (t - last > 30)
      blocks.push({
        endUs: Number(process.hrtime.bigint() / 1000n),
        ms: Math.round(t - last),
        cpuMs: blockCpu === null ? null : Math.round(blockCpu),
      })
    last = t
    lastCpu = cpu
    if (on) setImmediate(probe)
  }
  setImmediate(probe)
  try {
    const value = await work()
    probe()
    if (process.env.ME_BENCH_BLOCKS) writeFileSync(process.env.ME_BENCH_BLOCKS, JSON.stringify(blocks))
    return {
      value,
      maxBlockMs: Math.round(max * 10) / 10,
      maxBlockCpuMs: lastCpu === null ? null : Math.round(maxCpu * 10) / 10,
    }
  } finally {
    on = false
  }
}

/**
 * 100 rules of mixed levels, windows and metric-vs-metric conditions, in preview mode (the bench
 * measures evaluation; acting goes through the change pipeline and its own bench).
 */
export function benchRules(workspaceId: number): RuleInput[] {
  const windows: RuleWindow[] = [
    { kind: 'last_n_days', days: 7, includeToday: false, offsetDays: 0 },
    { kind: 'last_n_days', days: 3, includeToday: false, offsetDays: 0 },
    { kind: 'last_n_days', days: 14, includeToday: false, offsetDays: 0 },
    { kind: 'last_n_days', days: 30, includeToday: false, offsetDays: 0 },
    { kind: 'yesterday' },
    { kind: 'lifetime' },
  ]
  const metrics = ['cpa', 'roas', 'ctr', 'spend', 'cpc', 'conversions'] as const
  const out: RuleInput[] = []
  for (let i = 0; i < 100; i++) {
    // 60 campaign, 25 ad-set and 15 ad rules.
    const level = i < 60 ? 'campaign' : i < 85 ? 'ad_set' : 'ad'
    const w = windows[i % windows.length] as RuleWindow
    const metric = metrics[i % metrics.length] as (typeof metrics)[number]
    const kind = i % 4
    const items: unknown[] =
      kind === 0
        ? [{ type: 'condition', metric, window: w, op: 'gt', value: 10 + i }]
        : kind === 1
          ? // CTR of the last 3 days < 0.75 × CTR of the 14 before.
            [
              {
                type: 'condition',
                metric: 'ctr',
                window: { kind: 'last_n_days', days: 3, includeToday: false, offsetDays: 0 },
                op: 'lt',
                compareTo: {
                  metric: 'ctr',
                  window: { kind: 'last_n_days', days: 14, includeToday: false, offsetDays: 3 },
                  factor: 0.75,
                },
              },
            ]
          : kind === 2
            ? // Spend > 0.8 × daily budget (campaigns), or CPA > 1.5 × the campaign's (ad sets, ads).
              level === 'campaign'
              ? [
                  {
                    type: 'condition',
                    metric: 'spend',
                    window: { kind: 'yesterday' },
                    op: 'gt',
                    compareTo: { metric: 'budget', factor: 0.8 },
                  },
                ]
              : [
                  {
                    type: 'condition',
                    metric: 'cpa',
                    window: w,
                    op: 'gt',
                    compareTo: { metric: 'cpa', of: 'parent_campaign', factor: 1.5 },
                  },
                ]
            : [
                {
                  type: 'group',
                  op: 'or',
                  items: [
                    { type: 'condition', metric: 'roas', window: w, op: 'lt', value: 1 },
                    { type: 'condition', metric: 'cpa', window: w, op: 'gt', value: 80 },
                  ],
                },
                { type: 'condition', metric: 'spend', window: w, op: 'gt', value: 50 },
              ]
    out.push({
      workspaceId,
      name: `Bench rule ${i + 1}`,
      mode: 'preview',
      scope: { level },
      conditions: { type: 'group', op: 'and', items },
      actions: [{ kind: 'pause' }],
    })
  }
  return out
}

export const rulesBench: Bench = {
  name: 'rules',
  description: '100 rules (mixed levels, windows, metric-vs-metric) over the 10k-campaign x 365-day store; one preview',
  async run({ tmpDir, log }) {
    const campaigns = Number(process.env.ME_BENCH_CAMPAIGNS ?? 10_000)
    const days = Number(process.env.ME_BENCH_DAYS ?? 365)
    const endDate = '2026-10-31'
    // The clock sits the day after the data ends, so "yesterday" and "the last N days" have data.
    const platform = createNodePlatform({ host: 'cli', dataDir: tmpDir, now: () => new Date('2026-11-01T12:00:00Z') })
    const dbPath = join(tmpDir, 'bench-rules.db')
    const builder = createCore(platform, { dbPath })
    let workspaceId: number
    try {
      workspaceId = (await buildBenchWorld(builder, { campaigns, days, endDate, log })).workspaceId
    } finally {
      await builder.close()
    }
    // Measured on a core that runs no job: the build queues background work (model training,
    // recommendations) that would otherwise share the CPU with what is timed.
    const core = createCore(platform, { dbPath, startJobs: false })
    try {
      const svc = core.services.automation
      const ids: number[] = []
      for (const r of benchRules(workspaceId)) ids.push((await svc.create(r, TEST_CALLER)).id)
      const rows = ids.map((id) => svc.get(id))
      const repo = new RulesRepo(core.store.sqlite)
      const now = platform.clock.now()
      let entities = 0
      let decisions = 0
      // One cycle: every rule over its scope with the cycle's shared reads (what the scheduler does).
      const evaluate = (): void => {
        const data = new EvalData(workspaceId, now, repo, core.services.analytics, core.services.anomalies)
        data.prefetch(rows.map((r) => r.definition))
        decisions = 0
        for (const r of rows) {
          const out = evaluateRule(r.definition, data, { recent: [], lastChange: new Map(), othersOpen: [] })
          decisions += out.length
        }
        entities = ENTITY_LEVELS.reduce((n, l) => n + data.entities(l).length, 0)
      }
      log('  evaluating 100 rules')
      const cpu0 = process.cpuUsage()
      const evaluateMs = await timeMedian(3, evaluate)
      const cpu = process.cpuUsage(cpu0)
      // CPU time of one evaluation (4 runs were timed): the machine's load inflates wall time.
      const evaluateCpuS = (cpu.user + cpu.system) / 1e6 / 4
      // A dry run of one campaign-level rule through the service (what the editor's live preview calls).
      const previewMs = await timeMedian(5, () => svc.preview({ id: ids[0] as number }, TEST_CALLER))
      // A whole cycle through the service: evaluating, then recording every run (matched decisions
      // in full, the rest as compact sets); `record_s` is the recording part alone.
      // Sliced as the scheduler runs it: `cycle_max_block_ms` is the longest stretch it held the thread.
      const t0 = performance.now()
      const { maxBlockMs, maxBlockCpuMs } = await longestBlockMs(() => svc.cycle(rows, 'manual', true))
      const cycleS = (performance.now() - t0) / 1000
      const recordS = (svc.lastCycle?.recordMs ?? NaN) / 1000
      return {
        rules: rows.length,
        entities,
        evaluate_s: Math.round(evaluateMs) / 1000,
        preview_ms: Math.round(previewMs * 10) / 10,
        evaluate_cpu_s: Math.round(evaluateCpuS * 1000) / 1000,
        decisions,
        cycle_with_recording_s: Math.round(cycleS * 100) / 100,
        record_s: Math.round(recordS * 1000) / 1000,
        cycle_max_block_ms: maxBlockMs,
        cycle_max_block_cpu_ms: maxBlockCpuMs,
        campaigns,
        days,
      }
    } finally {
      await core.close()
    }
  },
}
