import { TEST_CALLER } from '../electron/main/test-support'
import { fork } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { addDays, addMonths, startOfMonth } from '../shared/domain/dates'
import { createCore } from '../electron/main/core'
import { createNodePlatform } from '../electron/main/platform/node'
import { openStore } from '../electron/main/store/db'
import { FxRepo } from '../electron/main/store/repos/fx-repo'
import { createMetaConnector } from '../electron/main/sync/connectors/meta/meta-connector'
import { realConnector } from '../electron/main/sync/real-connectors'
import { createSimulatedPlatforms, simulatedFetch } from '../electron/main/sync/simulated'
import { benchConfig, buildWorld, type SimConfig, type SimWorld } from '../electron/main/sync/simulator'
import type { SimServerArgs } from './sim-server'
import { fakeCredentials } from '../electron/main/sync/sync-engine/testing/setup'
import type { Connector, ConnectorContext } from '../electron/main/sync/connectors/types'
import { PageReplay, prefetchSync } from './ingest-replay'
import { p99 } from './percentile'
import type { Bench } from './types'
import type { PlatformId } from '../shared/domain/entities'

const ROWS_PER_TX = 20_000

/** One timed backfill of a simulated world into a fresh store (its core left open for the caller). */
interface Backfill {
  core: ReturnType<typeof createCore>
  platform: ReturnType<typeof createNodePlatform>
  dbPath: string
  requests: number
  rows: number
  backfillS: number
  /** From the sync's data committed to its job finished: other modules' after-sync checks (alerts, anomalies). */
  postSyncS: number
  cpu: NodeJS.CpuUsage
  latencies: number[]
  prerenderS: number
  simulatedApiMs: number
  serverMs: number
  /**
   * What the replay served (counts only: the recorded pages, about 2 GB at full size, and the
   * simulated world behind them must not outlive the run, or the churn run works in a full heap).
   */
  replay: { replayed: number; live: number; bytes: number }
  /** The store's size after the backfill, WAL checkpointed into it. */
  dbBytes: number
}

interface BackfillOptions {
  dir: string
  world: SimWorld
  /** The world's config (the loopback server builds the same world in its own process). */
  config: SimConfig
  platforms: PlatformId[]
  days: number
  endDate: string
  now: Date
  /** pre-rendered (replayed from memory), live (msw in this process) or loopback (HTTP, own process). */
  api: ApiMode
  /** Ask the dashboard's summary and top campaigns every 100 ms during the backfill. */
  askDuring: boolean
  log(message: string): void
}

async function backfill(o: BackfillOptions): Promise<Backfill> {
  const { world, platforms, days, endDate, now, log } = o
  const liveApi = o.api !== 'pre-rendered'
  mkdirSync(o.dir, { recursive: true })
  const pageSize = { meta: 5000, google_ads: 10_000, tiktok: 1000, snapchat: 1000 }
  const sim = createSimulatedPlatforms({ world, pageSize })
  const server = o.api === 'loopback' ? await startSimServer(o.config, pageSize) : null
  const served = simulatedFetch(sim.handlers)
  // Time spent inside the simulated APIs (building pages), reported beside the end-to-end figure.
  let serverMs = 0
  const live: typeof fetch = async (input, init) => {
    const t = performance.now()
    try {
      return await served(input, init)
    } finally {
      serverMs += performance.now() - t
    }
  }
  // Pages are pre-rendered before the timer (see PageReplay); set ME_BENCH_LIVE_API=1 to serve live.
  const replay = new PageReplay(live)
  let f: typeof fetch = server ? server.fetch : liveApi ? live : replay.record
  const timedFetch: typeof fetch = (input, init) => f(input, init)
  const retry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 10, timeoutMs: 120_000 }
  const contexts = new Map<PlatformId, ConnectorContext>()
  // Meta's page limit: 5,000 rows for the in-process modes; the connector's own (500) over loopback.
  const make = (p: PlatformId, ctx: ConnectorContext): Connector =>
    p === 'meta' && !server
      ? createMetaConnector({ ...ctx, fetch: timedFetch, retry }, { pageLimit: 5000 })
      : realConnector(p, { ...ctx, fetch: timedFetch, retry })
  const platform = createNodePlatform({ host: 'cli', dataDir: o.dir, now: () => now })
  const dbPath = join(o.dir, 'ingest.db')
  const core = createCore(platform, {
    dbPath,
    connectors: (p, ctx) => {
      contexts.set(p, ctx)
      return make(p, ctx)
    },
  })
  try {
    const ws = core.workspaces.create('Bench', 'USD')
    for (const p of platforms) {
      const ids = world.accounts.filter((a) => a.platform === p).map((a) => a.externalId)
      if (!ids.length) continue
      const env = await core.dispatch(
        'connections:connect',
        {
          workspaceId: ws,
          credentials: fakeCredentials(p, ids),
        },
        TEST_CALLER,
      )
      if (!env.ok) throw new Error(`connect ${p}: ${env.error.message}`)
    }
    const since = addDays(endDate, -(days - 1))
    // Monthly rates for the accounts' other currencies, so the dashboard's calls below convert.
    const foreign = [...new Set(world.accounts.map((a) => a.currency))].filter((c) => c !== 'USD')
    const rates: { currency: string; month: string; rate: number }[] = []
    for (let m = startOfMonth(since); m <= endDate; m = addMonths(m, 1))
      for (const currency of foreign) rates.push({ currency, month: m.slice(0, 7), rate: 1.1 })
    new FxRepo(core.store.sqlite).upsertMany(ws, rates)
    let prerenderS = 0
    if (!liveApi) {
      log('  pre-rendering the simulated API pages (untimed)')
      const tp = performance.now()
      for (const p of platforms) {
        const ctx = contexts.get(p)
        if (!ctx) continue
        const ids = world.accounts.filter((a) => a.platform === p).map((a) => a.externalId)
        await prefetchSync(make(p, ctx), ids, since, now)
      }
      prerenderS = (performance.now() - tp) / 1000
      f = replay.replay
    }
    const simulatedApiMs = serverMs
    let lastLog = 0
    const off = core.events.on('job:progress', (p) => {
      if (Date.now() - lastLog > 3000) {
        lastLog = Date.now()
        log(`  ${p.step}: ${p.message}`)
      }
    })
    // Responsiveness while the backfill runs: the dashboard's summary and its top campaigns asked
    // every 100 ms through the core's dispatcher, as the window asks them (issue 12 item 7). Each
    // latency counts from when the ask was due, so a stretch in which the core's thread was blocked
    // counts every ask the window would have made meanwhile (as bench/scale-child.ts does).
    const latencies: number[] = []
    const asks = [
      ['dashboard:getSummary', { workspaceId: ws, range: { from: addDays(endDate, -29), to: endDate } }],
      [
        'analytics:getTop',
        { workspaceId: ws, range: { from: addDays(endDate, -29), to: endDate }, metric: 'spend', limit: 10 },
      ],
    ] as const
    let asking = o.askDuring
    let turn = 0
    const askLoop = (async (): Promise<void> => {
      let due = performance.now()
      while (asking) {
        due += 100
        const wait = due - performance.now()
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
        if (!asking) break
        const [channel, input] = asks[turn++ % asks.length] as (typeof asks)[number]
        const r = await core.dispatch(channel, input as never, TEST_CALLER)
        const end = performance.now()
        if (!r.ok) throw new Error(`${channel} during the backfill: ${r.error.message}`)
        // Asks that fell due while this one waited were answered no sooner than it.
        for (; due <= end - 100; due += 100) latencies.push(end - due)
        latencies.push(end - due)
      }
    })()
    // The pipeline's time ends when the sync's rows are committed and its run recorded (the sync
    // module then announces the data); the other modules' after-sync checks that run next, inside the
    // job (alert sources, the anomaly scan), are timed apart as post_sync_s.
    let committedAt = 0
    let cpu: NodeJS.CpuUsage | null = null
    const cpu0 = process.cpuUsage()
    const offCommitted = core.events.on('data:changed', (e) => {
      if (committedAt || !e.tables.includes('sync_runs')) return
      committedAt = performance.now()
      cpu = process.cpuUsage(cpu0)
      asking = false
      if (process.env.ME_BENCH_MARKS) log(`  mark end ${process.hrtime.bigint() / 1000n}`)
    })
    // ME_BENCH_MARKS=1 logs the timed span in the CPU profiler's clock (µs), to cut a --cpu-prof to it.
    if (process.env.ME_BENCH_MARKS) log(`  mark start ${process.hrtime.bigint() / 1000n}`)
    const t0 = performance.now()
    const env = await core.dispatch('sync:start', { workspaceId: ws, mode: 'full', since }, TEST_CALLER)
    if (!env.ok) throw new Error(env.error.message)
    const job = await core.jobs.waitFor((env.value as { jobId: number }).jobId)
    const finishedAt = performance.now()
    offCommitted()
    if (!committedAt) committedAt = finishedAt
    const backfillS = (committedAt - t0) / 1000
    const postSyncS = (finishedAt - committedAt) / 1000
    asking = false
    await askLoop
    off()
    core.store.sqlite.pragma('wal_checkpoint(TRUNCATE)')
    const dbBytes = statSync(dbPath).size
    if (job.status !== 'succeeded') throw new Error(`sync ${job.status}: ${job.error}`)
    const result = core.jobs.result<{ status: string; rowsWritten: number }>(job.id) as {
      status: string
      rowsWritten: number
    }
    if (result.status !== 'succeeded') {
      const failed = (result as { accounts?: { name: string; error: string | null }[] }).accounts ?? []
      const why = failed.filter((a) => a.error).map((a) => `${a.name}: ${a.error}`)
      throw new Error(`sync ended ${result.status}${why.length ? `\n${why.join('\n')}` : ''}`)
    }
    return {
      core,
      platform,
      dbPath,
      requests: server ? await server.requests() : Object.values(sim.state.requestCount).reduce((a, b) => a + b, 0),
      rows: result.rowsWritten,
      backfillS,
      postSyncS,
      cpu: cpu ?? process.cpuUsage(cpu0),
      latencies,
      prerenderS,
      simulatedApiMs,
      serverMs,
      replay: { replayed: replay.replayed, live: replay.live, bytes: replay.bytes },
      dbBytes,
    }
  } catch (e) {
    await core.close()
    throw e
  } finally {
    server?.stop()
  }
}

/**
 * The raw figure: the store's normalised rows (read back, untimed) upserted into a fresh store with
 * one prepared statement, 20,000 rows per transaction. Its own function so the rows read back (about
 * 1.5 GB of arrays at full size) are garbage once it returns, not through the churn run.
 */
function rawUpsert(
  core: ReturnType<typeof createCore>,
  platform: ReturnType<typeof createNodePlatform>,
  dbPath: string,
  tmpDir: string,
): { rawS: number; rawRows: number } {
  const data = core.store.sqlite
    .prepare('SELECT * FROM daily_metrics ORDER BY account_id, date, ad_id')
    .raw()
    .all() as unknown[][]
  // ME_BENCH_HASH=1: a SHA-256 of the synced rows (stderr), to show an optimisation kept them identical.
  if (process.env.ME_BENCH_HASH === '1') {
    const h = createHash('sha256')
    for (const r of data) h.update(`${r.join('\t')}\n`)
    console.error(`  daily_metrics sha256 ${h.digest('hex')} (${data.length} rows)`)
  }
  const raw = openStore({
    path: join(tmpDir, 'raw.db'),
    migrationsFolder: join(platform.paths.resourcesDir, 'migrations'),
  })
  try {
    raw.sqlite.exec(`ATTACH '${dbPath}' AS src`)
    for (const t of ['workspaces', 'connections', 'ad_accounts', 'campaigns', 'ad_sets', 'creatives', 'ads'])
      raw.sqlite.exec(`INSERT INTO main.${t} SELECT * FROM src.${t}`)
    raw.sqlite.exec('DETACH src')
    const cols = (core.store.sqlite.prepare('SELECT * FROM daily_metrics LIMIT 1').columns() as { name: string }[]).map(
      (c) => c.name,
    )
    const stmt = raw.sqlite.prepare(
      `INSERT INTO daily_metrics (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
       ON CONFLICT (account_id, date, ad_id) DO UPDATE SET ${cols
         .filter((c) => c !== 'ad_id' && c !== 'date' && c !== 'account_id')
         .map((c) => `${c} = excluded.${c}`)
         .join(', ')}`,
    )
    const insert = raw.sqlite.transaction((batch: unknown[][]) => {
      for (const r of batch) stmt.run(...r)
    })
    const t1 = performance.now()
    for (let i = 0; i < data.length; i += ROWS_PER_TX) insert(data.slice(i, i + ROWS_PER_TX))
    return { rawS: (performance.now() - t1) / 1000, rawRows: data.length }
  } finally {
    raw.close()
    rmSync(join(tmpDir, 'raw.db'), { force: true })
  }
}

type ApiMode = 'pre-rendered' | 'live' | 'loopback'

const SIM_SERVER = fileURLToPath(new URL('./sim-server.ts', import.meta.url))

/**
 * The simulated APIs on a loopback HTTP server in a child process (sim-server.ts): `fetch` sends
 * each request there over a real socket with its URL in `x-target`.
 */
async function startSimServer(
  config: SimConfig,
  pageSize: Record<string, number>,
): Promise<{ fetch: typeof fetch; requests(): Promise<number>; stop(): void }> {
  const args: SimServerArgs = {
    campaigns: config.campaigns,
    days: config.days,
    endDate: config.endDate,
    ...(config.churnEveryDays ? { churnEveryDays: config.churnEveryDays } : {}),
    pageSize,
  }
  const child = fork(SIM_SERVER, [JSON.stringify(args)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`the loopback API server exited with ${code}`)))
  })
  const origin = `http://127.0.0.1:${port}/`
  return {
    fetch: async (input, init) => {
      const req = new Request(input, init)
      const headers = new Headers(req.headers)
      headers.set('x-target', req.url)
      const body = req.body ? await req.arrayBuffer() : undefined
      return fetch(origin, { method: req.method, headers, body, signal: req.signal, redirect: 'manual' })
    },
    requests: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve((m as { requests: number }).requests))
        child.send('count')
      }),
    stop: () => {
      if (child.connected) child.send('stop')
    },
  }
}

/**
 * Ingest bench (issue 3): 10,000 campaigns x 365 days served page by page by the simulated
 * platform APIs, pulled by the real connectors, normalised and written by the sync engine
 * (chunked window replacement + rollups). Beside it, a raw prepared-statement upsert of the same
 * normalised rows into a fresh store. ratio = pipeline rows/s / raw rows/s.
 *
 * The simulated APIs' pages are pre-rendered before the timer (building them is the platforms'
 * work, reported as `simulated_api_s`); the timed section is fetch -> parse -> normalise -> upsert
 * -> rollups. ME_BENCH_API=live (or ME_BENCH_LIVE_API=1) serves them live inside the timed section
 * instead; ME_BENCH_API=loopback serves them live over real HTTP on 127.0.0.1 from a child process
 * (the connectors' own page sizes; what a real sync's parsing costs, minus the platforms' latency).
 *
 * `db_mb_churn` (issue 12 item 6): the store after a second backfill of a year in which half the
 * campaigns are replaced every quarter (as many live each day, 2.5x as many ever seen), to compare
 * with `db_mb`. ME_BENCH_CHURN=0 skips it.
 */
export const ingestBench: Bench = {
  name: 'ingest',
  description: 'sync 10k campaigns x 365 days from the simulated APIs; raw prepared upsert of the same rows',
  async run({ tmpDir, log }) {
    const campaigns = Number(process.env.ME_BENCH_CAMPAIGNS ?? 10_000)
    const days = Number(process.env.ME_BENCH_DAYS ?? 365)
    const platforms = (process.env.ME_BENCH_PLATFORMS ?? 'meta,google_ads,tiktok,snapchat').split(',') as PlatformId[]
    const now = new Date('2026-11-01T12:00:00Z')
    const endDate = '2026-10-31'
    const api: ApiMode =
      process.env.ME_BENCH_API === 'loopback'
        ? 'loopback'
        : process.env.ME_BENCH_LIVE_API === '1' || process.env.ME_BENCH_API === 'live'
          ? 'live'
          : 'pre-rendered'
    const liveApi = api !== 'pre-rendered'
    const common = { platforms, days, endDate, now, api, log }
    const config = benchConfig(endDate, campaigns, days)
    const b = await backfill({
      ...common,
      dir: join(tmpDir, 'steady'),
      world: buildWorld(config),
      config,
      askDuring: true,
    })
    const { core, platform, rows, backfillS, cpu, latencies, replay } = b
    let open = true
    try {
      // Raw: the same normalised rows (read back, untimed) upserted into a fresh store.
      log('  raw prepared-statement upsert of the same rows')
      const { rawS, rawRows } = rawUpsert(core, platform, b.dbPath, tmpDir)
      const pipeline = rows / backfillS
      const rawRate = rawRows / rawS
      const figures = {
        campaigns,
        days,
        platforms: platforms.join(','),
        rows,
        requests: b.requests,
        // From sync:start to the sync's rows committed and its run recorded.
        backfill_s: Math.round(backfillS * 100) / 100,
        // CPU time of the whole process (every thread) over the same span.
        backfill_cpu_s: Math.round((cpu.user + cpu.system) / 1e4) / 100,
        // Then, inside the same job, the other modules' after-sync checks (alerts, the anomaly scan).
        post_sync_s: Math.round(b.postSyncS * 100) / 100,
        api_pages: api,
        // Time the simulated APIs spent building pages (before the timer when pre-rendered).
        simulated_api_s: Math.round((liveApi ? b.serverMs : b.simulatedApiMs) / 10) / 100,
        prerender_s: Math.round(b.prerenderS * 100) / 100,
        live_api_in_timed_s: Math.round((b.serverMs - (liveApi ? 0 : b.simulatedApiMs)) / 10) / 100,
        replayed_requests: replay.replayed,
        live_requests: replay.live,
        recorded_mb: Math.round(replay.bytes / 1e5) / 10,
        pipeline_rows_per_s: Math.round(pipeline),
        raw_s: Math.round(rawS * 100) / 100,
        raw_rows_per_s: Math.round(rawRate),
        ratio: Math.round((pipeline / rawRate) * 1000) / 1000,
        // 99th percentile of dashboard:getSummary / analytics:getTop asked every 100 ms during the
        // backfill, each from when it was due (a blocked thread delays every ask that fell due).
        ipc_p99_ms: Math.round(p99(latencies) * 10) / 10,
        ipc_max_ms: Math.round(Math.max(0, ...latencies) * 10) / 10,
        ipc_calls: latencies.length,
        // The store after the backfill (WAL checkpointed into it).
        db_mb: Math.round(b.dbBytes / 1e5) / 10,
      }
      open = false
      await core.close()
      if (process.env.ME_BENCH_CHURN === '0') return figures
      // Logged now too: a churn run stopped before its end (it is as long again) keeps these.
      log(`  steady figures: ${JSON.stringify(figures)}`)
      // The churned year: as many campaigns live every day, half of them replaced every quarter.
      log('  churn run: half the campaigns replaced every quarter')
      rmSync(join(tmpDir, 'steady'), { recursive: true, force: true })
      const churnConfig = benchConfig(endDate, campaigns, days, Math.ceil(days / 4))
      const churned = buildWorld(churnConfig)
      const c = await backfill({
        ...common,
        dir: join(tmpDir, 'churn'),
        world: churned,
        config: churnConfig,
        askDuring: false,
      })
      await c.core.close()
      return {
        ...figures,
        churn_campaigns: churned.campaigns.length,
        churn_rows: c.rows,
        // The store after the churned year (WAL checkpointed), target <= 1.3 x db_mb.
        db_mb_churn: Math.round(c.dbBytes / 1e5) / 10,
        db_churn_ratio: Math.round((c.dbBytes / b.dbBytes) * 1000) / 1000,
      }
    } finally {
      if (open) await core.close()
    }
  },
}
