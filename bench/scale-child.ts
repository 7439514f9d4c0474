/**
 * The scale bench's measured process (issue 18): opens the large demo store with the real core and
 * calls each page's channels through the core's IPC router, so the resident memory reported is this
 * process's alone. Started by bench/scale.ts with `node --import tsx`; reports one JSON message.
 */
import { addDays } from '../shared/domain/dates'
import { CREATIVES_WINDOW } from '../shared/domain/row-window'
import { createCore, type Core } from '../electron/main/core'
import { createNodePlatform } from '../electron/main/platform/node'
import { simulatedFetchOverLoopback } from './loopback-server'
import { TEST_CALLER } from '../electron/main/test-support'
import { writeFileSync } from 'node:fs'
import { residentByKind } from './smaps'

export interface ChildArgs {
  dataDir: string
  workspaceId: number
  /** The store's last day; the clock starts the next day at noon UTC (an incremental sync's morning). */
  endDate: string
  /** Page passes at idle (each page's figure is the median). */
  runs: number
  /** Longest busy phase (training + sync) in seconds. */
  busyMaxS: number
  /** The loopback port of the simulated platforms' process. */
  port: number
}

export interface PageFigure {
  name: string
  channels: string[]
  /** Median over the passes (answers kept until the data changes make later passes faster). */
  ms: number
  /** The first pass: the page opened for the first time after the start. */
  first_ms: number
  bytes: number
}

export interface ChildResult {
  pages: PageFigure[]
  /** Slowest channel and its time, per page (stderr detail). */
  channelMs: Record<string, number>
  maxResponseBytes: number
  maxResponseChannel: string
  errors: string[]
  busyCalls: number
  busyLatencies: number[]
  busyS: number
  busyJobs: Record<string, string>
  rssIdleMb: number
  rssIdleNoSimulatorMb: number
  rssPeakMb: number
  heapIdleMb: number
  openMs: number
  /** The explorer's first window on a fresh core (its list is then kept until the data changes). */
  explorerFirstMs: number
  /** Per-thread memory while busy: the core thread's heap peak, the training thread's heap (MB; null if it ran inline or did not finish). */
  mainHeapPeakMb: number
  trainingHeapMb: number | null
  /** RSS samples while busy: seconds into the busy phase, RSS, the core thread's heap, which jobs ran. */
  busyMemory: { s: number; rssMb: number; heapMb: number; jobs: string }[]
}

type Call = [channel: string, input: unknown]
interface Page {
  name: string
  calls: Call[]
}

const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The explorer's first screen as the renderer asks for it: the first window of campaigns by spend. */
function explorerInput(w: number, range: { from: string; to: string }): unknown {
  return {
    workspaceId: w,
    range,
    level: 'campaign',
    compare: true,
    window: { offset: 0, limit: 200, sort: 'spend', dir: 'desc', search: '' },
  }
}

/** A window of the Creatives page's list as the renderer asks for it (spend high to low). */
function creativesInput(w: number, range: { from: string; to: string }, offset: number): unknown {
  return { workspaceId: w, range, window: { offset, limit: CREATIVES_WINDOW, sort: 'spend', dir: 'desc', search: '' } }
}

function pagesOf(w: number, endDate: string, topCampaign: number | null, firstIds: number[] = []): Page[] {
  const range = { from: addDays(endDate, -29), to: endDate }
  const pages: Page[] = [
    {
      name: 'shell',
      calls: [
        ['workspaces:list', {}],
        ['settings:get', {}],
        ['jobs:list', { limit: 30 }],
      ],
    },
    {
      name: 'dashboard',
      calls: [
        ['dashboard:getSummary', { workspaceId: w, range, compare: true }],
        ['dashboard:getTrend', { workspaceId: w, range }],
        ['analytics:getTop', { workspaceId: w, range, metric: 'roas', limit: 8, minSpend: 100 }],
        ['analytics:getBreakdown', { workspaceId: w, range, level: 'platform' }],
        ['analytics:getPacing', { workspaceId: w }],
        ['analytics:listAnomalies', { workspaceId: w, range, minSeverity: 'warning' }],
      ],
    },
    {
      name: 'explorer',
      calls: [
        ['analytics:getBreakdown', explorerInput(w, range)],
        // The badges of the first window's rows (the explorer asks for the rows it loaded).
        ['ml:listEntityForecasts', { workspaceId: w, entityType: 'campaign', ids: firstIds }],
      ],
    },
    {
      name: 'creatives',
      calls: [
        ['analytics:listCreatives', creativesInput(w, range, 0)],
        ['analytics:compareFormats', { workspaceId: w, range }],
      ],
    },
    {
      // Scrolled far down the list (53,726 ads delivered in the last 30 days of the large demo): the
      // kept order of the first window, then only this window's rows.
      name: 'creatives-scrolled',
      calls: [['analytics:listCreatives', creativesInput(w, range, 40_000)]],
    },
    {
      name: 'anomalies',
      calls: [['analytics:listAnomalies', { workspaceId: w, range, minSeverity: 'warning', includeSeasonal: false }]],
    },
    {
      name: 'predictions',
      calls: [
        ['ml:listEntities', { workspaceId: w, limit: 200 }],
        ['ml:listModels', { workspaceId: w }],
        ['ml:getDrivers', { workspaceId: w, days: 90 }],
      ],
    },
    {
      name: 'connections',
      calls: [
        ['connections:list', { workspaceId: w }],
        ['sync:listRuns', { workspaceId: w, limit: 10 }],
        ['sync:getStatus', { workspaceId: w }],
      ],
    },
    {
      name: 'recommendations',
      calls: [['recommendations:list', { workspaceId: w, states: ['new'], limit: 50 }]],
    },
    {
      name: 'automation',
      calls: [
        ['rules:list', { workspaceId: w }],
        ['changes:list', { workspaceId: w, state: 'proposed', limit: 500, offset: 0 }],
        ['accounts:list', { workspaceId: w }],
      ],
    },
    {
      name: 'reports',
      calls: [
        ['reports:listTemplates', { workspaceId: w }],
        ['reports:listSchedules', { workspaceId: w }],
        ['reports:listHistory', { workspaceId: w, limit: 100 }],
        ['reports:getSettings', { workspaceId: w }],
        ['accounts:list', { workspaceId: w }],
      ],
    },
    {
      name: 'alerts',
      calls: [
        ['alerts:list', { workspaceId: w, state: ['open', 'acknowledged'], limit: 100 }],
        ['channels:list', {}],
      ],
    },
    {
      name: 'experiments',
      calls: [
        ['experiments:suggest', { workspaceId: w }],
        ['experiments:listEntities', { workspaceId: w, level: 'ad_set' }],
      ],
    },
    {
      name: 'settings',
      calls: [
        ['app:getInfo', {}],
        ['store:getStatus', {}],
        ['backups:list', {}],
        ['security:getStatus', {}],
      ],
    },
    {
      name: 'diagnostics',
      calls: [
        ['diagnostics:get', { integrity: false }],
        ['diagnostics:logs', { lines: 200 }],
      ],
    },
  ]
  if (topCampaign !== null)
    pages.splice(3, 0, {
      name: 'drawer',
      calls: [['analytics:getTrend', { workspaceId: w, range, entity: { level: 'campaign', id: topCampaign } }]],
    })
  return pages
}

async function call(
  core: Core,
  channel: string,
  input: unknown,
): Promise<{ ms: number; bytes: number; value: unknown }> {
  const t = performance.now()
  const env = await core.dispatch(channel, input, TEST_CALLER)
  const ms = performance.now() - t
  // What the host sends to the renderer: the envelope as JSON.
  const bytes = Buffer.byteLength(JSON.stringify(env))
  if (!env.ok) throw new Error(`${channel}: ${env.error.code}: ${env.error.message}`)
  return { ms, bytes, value: env.value }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)] as number
}

async function pagePass(
  core: Core,
  a: ChildArgs,
  runs: number,
  log: (m: string) => void,
): Promise<
  Omit<
    ChildResult,
    | 'busyCalls'
    | 'busyLatencies'
    | 'busyS'
    | 'busyJobs'
    | 'rssIdleMb'
    | 'rssIdleNoSimulatorMb'
    | 'rssPeakMb'
    | 'heapIdleMb'
    | 'openMs'
    | 'explorerFirstMs'
    | 'mainHeapPeakMb'
    | 'trainingHeapMb'
    | 'busyMemory'
  > & { explorerFirstMs: number }
> {
  const errors: string[] = []
  let maxResponseBytes = 0
  let maxResponseChannel = ''
  const channelMs: Record<string, number> = {}
  // The drawer opens on the explorer's first row.
  let top: number | null = null
  let explorerFirstMs = 0
  let firstIds: number[] = []
  try {
    const first = await call(core, 'analytics:getBreakdown', pagesOf(a.workspaceId, a.endDate, null)[2]?.calls[0]?.[1])
    explorerFirstMs = Math.round(first.ms)
    log(`  explorer's first window (list built): ${explorerFirstMs} ms`)
    const b = first.value as { rows: { id: string }[] }
    top = b.rows[0] ? Number(b.rows[0].id) : null
    firstIds = b.rows.map((r) => Number(r.id))
  } catch (err) {
    errors.push((err as Error).message)
  }
  const figures: PageFigure[] = []
  for (const page of pagesOf(a.workspaceId, a.endDate, top, firstIds)) {
    const times: number[] = []
    let bytes = 0
    for (let r = 0; r < runs; r++) {
      const t = performance.now()
      // The renderer sends a page's requests together and the core answers them one after another:
      // calling them in turn gives the page's time and each channel's own.
      const answers: PromiseSettledResult<Awaited<ReturnType<typeof call>>>[] = []
      for (const [c, input] of page.calls) {
        try {
          answers.push({ status: 'fulfilled', value: await call(core, c, input) })
        } catch (reason) {
          answers.push({ status: 'rejected', reason })
        }
      }
      times.push(performance.now() - t)
      bytes = 0
      answers.forEach((x, i) => {
        const channel = page.calls[i]?.[0] as string
        if (x.status === 'rejected') {
          if (r === 0) errors.push(`${page.name}: ${(x.reason as Error).message}`)
          return
        }
        bytes += x.value.bytes
        const key = `${page.name} ${channel}`
        channelMs[key] = Math.max(channelMs[key] ?? 0, Math.round(x.value.ms))
        if (x.value.bytes > maxResponseBytes) {
          maxResponseBytes = x.value.bytes
          maxResponseChannel = channel
        }
      })
    }
    const fig = {
      name: page.name,
      channels: page.calls.map(([c]) => c),
      ms: Math.round(median(times) * 10) / 10,
      first_ms: Math.round((times[0] ?? 0) * 10) / 10,
      bytes,
    }
    log(
      `  ${page.name}: ${fig.ms} ms (first ${fig.first_ms} ms), ${Math.round(bytes / 1024)} kB (${page.calls.map(([c]) => `${c} ${channelMs[`${page.name} ${c}`] ?? 'error'} ms`).join(', ')})`,
    )
    figures.push(fig)
  }
  return { pages: figures, channelMs, maxResponseBytes, maxResponseChannel, errors, explorerFirstMs }
}

/** Calls the dashboard and the explorer every 100 ms while training and a sync run; latency from the intended send time. */
async function busyPhase(
  core: Core,
  a: ChildArgs,
  log: (m: string) => void,
): Promise<{
  latencies: number[]
  seconds: number
  jobs: Record<string, string>
  errors: string[]
  memory: ChildResult['busyMemory']
  mainHeapPeakMb: number
  trainingHeapMb: number | null
}> {
  const w = a.workspaceId
  const range = { from: addDays(a.endDate, -29), to: a.endDate }
  const errors: string[] = []
  const train = (await call(core, 'ml:train', { workspaceId: w, model: 'forecast' })).value as { jobId: number }
  const sync = (await call(core, 'sync:start', { workspaceId: w })).value as { jobId: number }
  const ids = { 'ml:train': train.jobId, 'sync:run': sync.jobId }
  const jobsDone = (): boolean =>
    Object.values(ids).every((id) => {
      const s = core.jobs.get(id)?.status
      return s !== 'queued' && s !== 'running'
    })
  // The work a finished sync queues (alert checks with the anomaly scan, the recommendations'
  // generation, the rules cycle) belongs to the busy phase too: it runs until the queued after-sync
  // work is idle and AFTER_SYNC_TAIL_MS have passed since the jobs ended (the rules cycle has no idle()).
  const AFTER_SYNC_TAIL_MS = 20_000
  let jobsEndedAt: number | null = null
  let afterSyncIdle = false
  const done = (): boolean => {
    if (!jobsDone()) return false
    if (jobsEndedAt === null) {
      jobsEndedAt = performance.now()
      void Promise.all([core.services.alertSources.idle(), core.services.recommendations.idle()]).then(() => {
        afterSyncIdle = true
      })
    }
    return afterSyncIdle && performance.now() - jobsEndedAt >= AFTER_SYNC_TAIL_MS
  }
  const latencies: number[] = []
  const probes: Call[] = [
    ['dashboard:getSummary', { workspaceId: w, range, compare: true }],
    ['analytics:getBreakdown', explorerInput(w, range)],
  ]
  // ME_BENCH_SCALE_GAPS=<file>: every stretch over 50 ms the core's thread did not turn its event
  // loop (a 10 ms timer's lateness), with its end in CPU-profile time (us), to attribute from a profile.
  const gaps: { endUs: number; ms: number }[] = []
  let lastTick = performance.now()
  const ticker = setInterval(() => {
    const now = performance.now()
    if (now - lastTick > 60)
      gaps.push({ endUs: Number(process.hrtime.bigint() / 1000n), ms: Math.round(now - lastTick - 10) })
    lastTick = now
  }, 10)
  const t0 = performance.now()
  let next = t0
  let k = 0
  let lastLog = t0
  let lastSample = t0
  let mainHeapPeakMb = 0
  const memory: ChildResult['busyMemory'] = []
  while (!done() && performance.now() - t0 < a.busyMaxS * 1000) {
    next += 100
    const wait = next - performance.now()
    if (wait > 0) await sleep(wait)
    const probe = probes[k++ % probes.length] as Call
    try {
      await call(core, probe[0], probe[1])
    } catch (err) {
      if (errors.length < 5) errors.push(`busy: ${(err as Error).message}`)
    }
    const end = performance.now()
    // Calls the window would have made while the loop was blocked were answered no sooner than this one.
    while (next <= end - 100) {
      latencies.push(end - next)
      next += 100
    }
    latencies.push(end - next)
    if (end - lastSample > 2_000) {
      lastSample = end
      const m = process.memoryUsage()
      mainHeapPeakMb = Math.max(mainHeapPeakMb, mb(m.heapUsed))
      memory.push({
        s: Math.round((end - t0) / 1000),
        rssMb: mb(m.rss),
        heapMb: mb(m.heapUsed),
        jobs: Object.entries(ids)
          .filter(([, id]) => core.jobs.get(id)?.status === 'running')
          .map(([kind]) => kind)
          .concat(core.memoryRelease.count ? [`released×${core.memoryRelease.count}`] : [])
          .join('+'),
      })
    }
    if (end - lastLog > 10_000) {
      lastLog = end
      const j = Object.entries(ids).map(([kind, id]) => {
        const job = core.jobs.get(id)
        return `${kind} ${job?.status ?? '?'}`
      })
      log(`  busy ${Math.round((end - t0) / 1000)} s: ${j.join(', ')}, rss ${mb(process.memoryUsage().rss)} MB`)
    }
  }
  clearInterval(ticker)
  log(
    `  memory releases by the core: ${core.memoryRelease.count}${core.memoryRelease.last ? `, the last ${core.memoryRelease.last.ms.toFixed(0)} ms` : ''}`,
  )
  if (process.env.ME_BENCH_SCALE_GAPS) writeFileSync(process.env.ME_BENCH_SCALE_GAPS, JSON.stringify(gaps))
  log(`  event-loop stalls over 50 ms while busy: ${gaps.length}, longest ${Math.max(0, ...gaps.map((g) => g.ms))} ms`)
  const jobs: Record<string, string> = {}
  for (const [kind, id] of Object.entries(ids)) {
    const job = core.jobs.get(id)
    jobs[kind] = job?.status === 'failed' ? `failed: ${job.error ?? ''}` : (job?.status ?? 'unknown')
    if (job?.status === 'failed') errors.push(`${kind} failed: ${job.error ?? ''}`)
  }
  const trained = core.jobs.result<{ workerHeapMb?: number | null }>(ids['ml:train'])
  return {
    latencies,
    seconds: (performance.now() - t0) / 1000,
    jobs,
    errors,
    memory,
    mainHeapPeakMb,
    trainingHeapMb: trained?.workerHeapMb ?? null,
  }
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2] as string) as ChildArgs
  const log = (m: string): void => {
    console.error(m)
  }
  // The clock reads the morning after the store's last day, moving with real time.
  const offset = Date.parse(`${addDays(a.endDate, 1)}T12:00:00Z`) - Date.now()
  const platform = createNodePlatform({ host: 'cli', dataDir: a.dataDir, now: () => new Date(Date.now() + offset) })
  const t = performance.now()
  // As the desktop app: the slow page reads and the dashboard's anomaly scan are computed ahead
  // (page-reads.ts); the pages are measured "at idle", once that start-up work is done.
  const core = createCore(platform, { ownerLabel: 'the scale bench', warmPageReads: true })
  // Demo connections fetch from the simulated platforms' own process, over loopback HTTP.
  core.services.sync.useSimulatedFetch(simulatedFetchOverLoopback(a.port))
  const openMs = Math.round(performance.now() - t)
  log(`  store opened in ${openMs} ms, rss ${mb(process.memoryUsage().rss)} MB`)
  try {
    // The start-up work is the `pages:prepare` job (jobs panel), queued at the start.
    const [prepare] = core.jobs.active('pages:prepare')
    if (!prepare) throw new Error('no pages:prepare job was queued at the start')
    const done = await core.jobs.waitFor(prepare.id)
    const took = done.startedAt && done.finishedAt ? Date.parse(done.finishedAt) - Date.parse(done.startedAt) : NaN
    log(
      `  start-up work (pages:prepare: page reads on their worker, the dashboard's anomaly scan) ${done.status} in ${took} ms`,
    )
    const idle = await pagePass(core, a, a.runs, log)
    await sleep(3000)
    const idleMem = process.memoryUsage()
    const rssIdleNoSimulatorMb = mb(idleMem.rss)
    // Where it lies (read after the figure: the read itself allocates): the core's V8 heap, the
    // ArrayBuffers, and bench/smaps.ts's split (main malloc heap, thread arenas, other anonymous, files).
    log(
      `  idle before any sync: rss ${rssIdleNoSimulatorMb} MB (core V8 heap ${mb(idleMem.heapUsed)} used / ${mb(idleMem.heapTotal)} committed, ArrayBuffers ${mb(idleMem.arrayBuffers)}; resident ${JSON.stringify(residentByKind())})`,
    )
    // The same 12 s later (log only): what of the figure is V8's and the allocator's timing.
    await sleep(12_000)
    const later = process.memoryUsage()
    log(
      `  idle 15 s: rss ${mb(later.rss)} MB (core V8 heap ${mb(later.heapUsed)} used / ${mb(later.heapTotal)} committed; resident ${JSON.stringify(residentByKind())})`,
    )
    // With NODE_OPTIONS=--expose-gc: what of the core's heap is still referenced after a full collection.
    const gc = (globalThis as { gc?: () => void }).gc
    if (gc) {
      gc()
      const after = process.memoryUsage()
      log(
        `  after a full GC: rss ${mb(after.rss)} MB (core V8 heap ${mb(after.heapUsed)} used / ${mb(after.heapTotal)} committed)`,
      )
    }
    const busy = await busyPhase(core, a, log)
    await sleep(3000)
    // One more pass after the sync and training, then idle.
    const after = await pagePass(core, a, 1, () => undefined)
    await sleep(3000)
    const mem = process.memoryUsage()
    const result: ChildResult = {
      ...idle,
      errors: [...idle.errors, ...busy.errors, ...after.errors.map((e) => `after busy: ${e}`)],
      maxResponseBytes: Math.max(idle.maxResponseBytes, after.maxResponseBytes),
      // The largest answer's channel, from whichever pass had it (after a training the badges exist).
      maxResponseChannel:
        after.maxResponseBytes > idle.maxResponseBytes
          ? `${after.maxResponseChannel} (after the busy phase)`
          : idle.maxResponseChannel,
      busyCalls: busy.latencies.length,
      busyLatencies: busy.latencies,
      busyS: Math.round(busy.seconds),
      busyJobs: busy.jobs,
      rssIdleMb: mb(mem.rss),
      rssIdleNoSimulatorMb,
      rssPeakMb: Math.round(process.resourceUsage().maxRSS / 1024),
      heapIdleMb: mb(mem.heapUsed),
      openMs,
      explorerFirstMs: idle.explorerFirstMs,
      mainHeapPeakMb: busy.mainHeapPeakMb,
      trainingHeapMb: busy.trainingHeapMb,
      busyMemory: busy.memory,
    }
    process.send?.(result)
  } finally {
    await core.close()
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err))
  process.exit(1)
})
