import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { daysBetween } from '../../shared/domain/dates'
import { EventBus } from './events'
import { appHandlers } from './ipc/handlers/app'
import { jobHandlers } from './ipc/handlers/jobs'
import { workspaceHandlers } from './ipc/handlers/workspace'
import { createDispatcher, type Dispatch, type Handlers } from './ipc/router'
import type { Platform } from './platform/types'
import { DashboardService } from './analytics/dashboard-service'
import { JobQueue, RunLaterError, throwIfAborted } from './scheduler/job-queue'
import { JOB_KINDS } from './scheduler/job-kinds'
import { startTrayStatus } from './tray-status'
import { openStore } from './store/db'
import { shrinkConnectionMemory } from './store/connect'
import { runStoreCheck, STORE_CHECK_DELAY_MS } from './store/integrity-check'
import { adMonthDaysPending } from './store/repos/ad-month-days-build'
import { runAdMonthDaysBuild } from './store/ad-days-build-job'
import { StoreOwnership } from './store/ownership'
import { JobsRepo } from './store/repos/jobs-repo'
import { StatusRepo } from './store/repos/status-repo'
import { FxRepo } from './store/repos/fx-repo'
import { KvRepo } from './store/repos/kv-repo'
import { ScopeRepo } from './store/repos/scope-repo'
import { WorkspaceRepo } from './store/repos/workspace-repo'
import { demoWorldRef } from './sync/demo-connections'
import { DemoService, demoBuildJob } from './sync/demo-service'
import { INVOKE_CHANNELS, type InvokeChannel } from '../../shared/ipc/channels'
import { alertsModule } from './alerts/module'
import { alertSourcesModule } from './alerts/sources'
import { analyticsModule } from './analytics/module'
import { automationModule } from './automation/module'
import type { CoreServices } from './core-services'
import { mlModule } from './ml/module'
import { reportsModule } from './reports/module'
import type { ReportCenterOptions } from './reports/report-center'
import { experimentsModule } from './experiments/module'
import { recommendationsModule } from './recommendations/module'
import { wireModules, type ChannelsOf, type ServiceRegistry } from './module'
import type { ConnectorFactory } from './sync/connector-factory'
import { connectorsModule } from './sync/connectors-module'
import { syncModule } from './sync/module'
import { changesModule } from './changes/module'
import type { ChangeWorkerOptions } from './changes/change-worker'
import { Mutations } from './mutations'
import { AuditRepo } from './store/repos/audit-repo'
import { backupsModule } from './backups-module'
import { securityModule } from './security-module'
import { PageReads, registerPreparePages } from './page-reads'
import { MemoryRelease, tuneMalloc } from './memory-release'
import { limitHeapGrowth } from './heap-growth'

export interface CoreOptions {
  /** Database file; default `<dataDir>/marketing-engine.db`; ':memory:' for tests. */
  dbPath?: string
  /** Largest store given its full integrity check while opening; larger ones get the `store:check` job. */
  checkAtOpenMaxBytes?: number
  /** How long after the start the `store:check` job waits (default STORE_CHECK_DELAY_MS), so the window's first pages come first. */
  storeCheckDelayMs?: number
  /** How long after the start the `store:upgrade` job waits (default STORE_UPGRADE_DELAY_MS). */
  storeUpgradeDelayMs?: number
  /** Create the demo workspace on first launch (no workspace yet) and refresh it when stale. */
  seedDemo?: boolean
  /** Check every IPC output against its schema (on in tests and development). */
  validateOutput?: boolean
  /** Start the job queue at once (default true); it runs only while this process owns the store. */
  startJobs?: boolean
  /**
   * Compute the slow page reads ahead after the start and each sync (page-reads.ts); default: in
   * the desktop app and the preview.
   */
  warmPageReads?: boolean
  /** How long after the start the `pages:prepare` job waits (default PAGE_READS_WARM_DELAY_MS). */
  preparePagesDelayMs?: number
  /**
   * Try to own the store (default true): the owner runs jobs and the change pipeline. false opens
   * it without claiming (read-only CLI commands beside a running app).
   */
  claimStore?: boolean
  /** What this process is, for other processes' messages (default from the host: "the desktop app"...). */
  ownerLabel?: string
  /** Change worker tuning (tests shrink the retry delays). */
  changeWorker?: Partial<ChangeWorkerOptions>
  /** Simulator size overrides for the first-launch demo (tests use small ones). */
  demo?: { campaigns?: number; days?: number }
  /** Builds platform connectors (default: the real ones); tests and benches pass fakes or simulated fetch. */
  connectors?: ConnectorFactory
  /** Reports' SMTP transport and fallback font (tests). */
  reports?: ReportCenterOptions
}

export type { CoreServices }

export interface Core extends CoreServices {
  /** The services the modules provide (the CLI and tests reach domain services here). */
  services: ServiceRegistry
  dispatch: Dispatch
  /** Id of the demo build queued at start, if any. */
  startupJobId: number | null
  /** Returns freed memory to the system after big jobs (memory-release.ts; Linux with glibc). */
  memoryRelease: MemoryRelease
  close(): Promise<void>
}

/** Jobs after which freed memory is returned to the system (they allocate hundreds of MB on other threads). */
const BIG_JOBS: ReadonlySet<string> = new Set([
  'sync:run',
  'ml:train',
  'import:csv',
  'demo:build',
  'store:check',
  'store:upgrade',
])
/** Big jobs that write the store: no memory release while one runs (its end asks for one). */
const WRITER_JOBS: ReadonlySet<string> = new Set(['sync:run', 'import:csv', 'demo:build', 'store:upgrade'])
/** Jobs at whose end a `store:upgrade` that failed is queued again (once per process). */
const UPGRADE_RETRY_AFTER: ReadonlySet<string> = new Set(['sync:run', 'import:csv', 'demo:build'])

/**
 * How long after the start the `store:upgrade` job waits: the window's first pages come first (they
 * read the accounts still to build from the rows meanwhile, with the same answers).
 */
export const STORE_UPGRADE_DELAY_MS = 10_000

/** Days after which the demo's data is rebuilt at start so "last 7 days" is never empty. */
const DEMO_STALE_DAYS = 1

const OWNER_LABELS: Record<Platform['host'], string> = {
  electron: 'the desktop app',
  web: 'the browser preview (npm run web)',
  cli: 'the CLI',
  test: 'a test process',
}

/** The domains of the core; some are built from the options (tests pass fake connectors, fast retries). */
function modulesOf(options: CoreOptions) {
  return [
    alertsModule,
    alertSourcesModule,
    connectorsModule(options.connectors),
    syncModule,
    analyticsModule,
    mlModule,
    experimentsModule,
    changesModule(options.changeWorker ? { worker: options.changeWorker } : {}),
    automationModule,
    recommendationsModule,
    backupsModule(),
    reportsModule(options.reports),
    securityModule,
  ] as const
}

/** Channels the core handles itself (app, workspaces, jobs); every other channel belongs to a module. */
type CoreChannels =
  | keyof ReturnType<typeof appHandlers>
  | keyof ReturnType<typeof workspaceHandlers>
  | keyof ReturnType<typeof jobHandlers>
/** A compile error here names a channel that no module handles. */
const everyChannelHandled: [
  Exclude<InvokeChannel, CoreChannels | ChannelsOf<ReturnType<typeof modulesOf>[number]>>,
] extends [never]
  ? true
  : never = true
void everyChannelHandled

/** The store file and the migrations folder the core opens (the desktop app upgrades them first: `upgradeStore`). */
export function storeLocation(platform: Platform): { path: string; migrationsFolder: string } {
  return {
    path: join(platform.paths.dataDir, 'marketing-engine.db'),
    migrationsFolder: join(platform.paths.resourcesDir, 'migrations'),
  }
}

/**
 * The composition root. Opens and migrates the store before any handler exists, wires services,
 * registers job kinds and returns the dispatcher. Never imports `electron`.
 */
export function createCore(platform: Platform, options: CoreOptions = {}): Core {
  // V8 collects the core's garbage before it reaches 1.5x what is alive (heap-growth.ts; issue 18 item 4).
  limitHeapGrowth()
  // glibc (Linux): blocks of 16 MB or more get mappings of their own, given back when freed (memory-release.ts).
  tuneMalloc()
  const location = storeLocation(platform)
  const store = openStore({
    path: options.dbPath ?? location.path,
    migrationsFolder: location.migrationsFolder,
    clock: platform.clock,
    checkAtOpenMaxBytes: options.checkAtOpenMaxBytes,
  })
  const events = new EventBus()
  const now = (): Date => platform.clock.now()
  const ownership = new StoreOwnership(store.sqlite, {
    label: options.ownerLabel ?? OWNER_LABELS[platform.host],
    claim: options.claimStore ?? true,
  })
  const jobs = new JobQueue(new JobsRepo(store.sqlite), events, ownership, { concurrency: 2, now }, JOB_KINDS)
  const workspaces = new WorkspaceRepo(store.sqlite)
  const fx = new FxRepo(store.sqlite)
  const services: CoreServices = {
    platform,
    store,
    events,
    jobs,
    ownership,
    workspaces,
    fx,
    kv: new KvRepo(store.sqlite),
    dashboard: new DashboardService(store.sqlite, workspaces, fx),
    demo: new DemoService(store.sqlite, events, now),
    mutations: new Mutations(new AuditRepo(store.sqlite), events, now),
    pageReads: new PageReads(store.sqlite, store.path),
  }
  const offPageReads = events.on('data:changed', (e) => services.pageReads.invalidate(e.tables))
  jobs.register(
    demoBuildJob(services.demo, async () => {
      // A demo reset deletes the old demo workspace: its syncs (queued, or resumed after a crash)
      // are cancelled and awaited first, so none writes into rows that are being deleted.
      const demo = new Set(
        workspaces
          .list()
          .filter((w) => w.isDemo)
          .map((w) => w.id),
      )
      for (;;) {
        const id = jobs.activeWhere('sync:run', (p) => demo.has(p.workspaceId))
        if (id === null || !jobs.cancel(id)) return
        await jobs.waitFor(id)
      }
    }),
  )
  // Created in dependency order; a missing or circular need stops the start here, naming the modules.
  const wired = wireModules(services, modulesOf(options))
  const modules = wired.parts
  const handlers = {
    ...appHandlers(services),
    ...workspaceHandlers(services),
    ...jobHandlers(services),
    ...wired.handlers,
  } as Handlers
  for (const channel of INVOKE_CHANNELS) {
    if (typeof handlers[channel] !== 'function') throw new Error(`No module handles the IPC channel ${channel}`)
  }
  const routed = createDispatcher(handlers, {
    validateOutput: options.validateOutput ?? false,
    owners: new ScopeRepo(store.sqlite),
  })
  // When the UI last called (the memory release waits for a quiet spell).
  let lastCall = -Infinity
  const dispatch: Dispatch = (channel, input, context) => {
    lastCall = performance.now()
    const answer = routed(channel, input, context)
    // A long call counts until it answers.
    const stamp = (): void => {
      lastCall = performance.now()
    }
    answer.then(stamp, stamp)
    return answer
  }
  // Reports read their figures through the dispatcher, as the caller who asked (not UI calls: the
  // memory release's quiet spell counts the host's calls only).
  wired.services.reports.dispatch = routed

  let startupJobId: number | null = null
  if (options.seedDemo && ownership.isOwner) {
    const pending = jobs
      .list(50)
      .some((j) => j.kind === 'demo:build' && (j.status === 'queued' || j.status === 'running'))
    const last = services.demo.demoLastDate()
    const yesterday = services.demo.config({}).endDate
    // A demo with no days left (its removal cut short by a cancel) is rebuilt too.
    const stale =
      new StatusRepo(store.sqlite).demoWorkspace() !== null &&
      (last === null || daysBetween(last, yesterday) >= DEMO_STALE_DAYS)
    if (!pending && (!services.demo.hasAnyWorkspace() || stale)) {
      // A stale demo is rebuilt at its own size (a 10,000-campaign demo built with the CLI stays one).
      const previous = stale ? demoWorldRef(store.sqlite) : null
      const size = previous
        ? { seed: previous.seed, campaigns: previous.campaigns, days: previous.days, preset: previous.preset }
        : {}
      startupJobId = jobs.enqueue('demo:build', { ...size, ...options.demo })
    }
  }
  // A large store opened without its integrity check: checked now on a worker thread (jobs panel).
  // It runs in the background lane (a sync asked for meanwhile does not wait for a slot behind it)
  // and only STORE_CHECK_DELAY_MS after the start: reading the whole file competes for the disk and
  // the CPU with the window's first pages.
  const storeCheckAfter = now().getTime() + (options.storeCheckDelayMs ?? STORE_CHECK_DELAY_MS)
  jobs.register({
    kind: 'store:check',
    maxAttempts: 1,
    background: true,
    run: async (_p, ctx) => {
      if (now().getTime() < storeCheckAfter)
        throw new RunLaterError(new Date(storeCheckAfter), 'Waits until the first pages are shown')
      return runStoreCheck(store.path, ctx)
    },
  })
  if (store.integrityDeferred && ownership.isOwner) jobs.enqueueOnce('store:check', {}, () => true)
  // What a migration left to build after the start (0022: each ad's packed days of the accounts that
  // had days before 0021; opening the store built them in 7.5 s before the window on the large demo).
  // On a worker thread with its own connection (sliced on the core's thread for in-memory stores), a
  // piece of a month's ads per transaction; it gives way to the jobs that write metrics (they would
  // hold the write lock the pieces wait for), and resumes where it was.
  const upgradeAfter = now().getTime() + (options.storeUpgradeDelayMs ?? STORE_UPGRADE_DELAY_MS)
  jobs.register({
    kind: 'store:upgrade',
    maxAttempts: 3,
    background: true,
    yieldsTo: {
      kinds: ['sync:run', 'import:csv', 'demo:build'],
      message: 'Waiting for the sync, import or demo build to finish',
    },
    run: async (_p, ctx) => {
      if (now().getTime() < upgradeAfter)
        throw new RunLaterError(new Date(upgradeAfter), 'Waits until the first pages are shown')
      const result = await runAdMonthDaysBuild(store, ctx)
      throwIfAborted(ctx.signal)
      ctx.progress("Ads' daily history", 1, 1, "The ads' daily history is ready")
      return result
    },
  })
  // Queued by the store's owner: now, or when this process takes the store over from another.
  const queueUpgrade = (): void => {
    if (ownership.isOwner && store.sqlite.open && adMonthDaysPending(store.sqlite))
      jobs.enqueueOnce('store:upgrade', {})
  }
  ownership.onAcquired(queueUpgrade)
  // A build that failed (three attempts) is queued once more when the next sync, import or demo build
  // ends: until it is built, the pending accounts' ad days are read row by row (the Creatives window
  // and the recommendations' drafts are slower, never wrong). Once per process: a build that keeps
  // failing waits for the next start. A build the user cancelled in the jobs panel also waits for it.
  let upgradeFailed = false
  let upgradeRetried = false
  const offUpgradeRetry = events.on('job:finished', (f) => {
    if (f.kind === 'store:upgrade') upgradeFailed = f.status === 'failed'
    else if (UPGRADE_RETRY_AFTER.has(f.kind) && upgradeFailed && !upgradeRetried) {
      upgradeRetried = true
      queueUpgrade()
    }
  })
  // The desktop app and the preview compute the slow page reads ahead, as a job in the jobs panel
  // (the bench asks for it too); elsewhere a leftover `pages:prepare` job has nothing to do.
  const stopWarm = registerPreparePages(services, {
    enabled: options.warmPageReads ?? (platform.host === 'electron' || platform.host === 'web'),
    anomalies: wired.services.anomalies,
    startDelayMs: options.preparePagesDelayMs,
  })
  for (const m of modules) m.start?.()
  if (options.startJobs ?? true) {
    jobs.start()
    for (const m of modules) m.startWork?.()
  }
  const stopTrayStatus = startTrayStatus(new StatusRepo(store.sqlite), events, platform)
  // After a big job, and once its follow-ups (after-sync checks, recommendations) are done, the
  // memory they freed goes back to the system: glibc keeps it resident otherwise (issue 18 item 4).
  const memoryRelease = new MemoryRelease({
    settled: () =>
      Promise.all([
        wired.services.alertSources.idle(),
        wired.services.anomalies.idle(),
        wired.services.recommendations.idle(),
      ]),
    // The trim can hold the core's thread on the heap's lock: only once the UI has made no call for QUIET_MS.
    quietFor: () => performance.now() - lastCall,
    writing: () => jobs.runningKinds().some((k) => WRITER_JOBS.has(k)),
    // The core connection's page cache (64 MB) is full after the after-sync work: freed first, then returned.
    before: () => shrinkConnectionMemory(store.sqlite),
  })
  const offMemoryRelease = events.on('job:finished', (f) => {
    if (BIG_JOBS.has(f.kind)) memoryRelease.request()
  })

  return {
    ...services,
    services: wired.services,
    dispatch,
    startupJobId,
    memoryRelease,
    async close() {
      memoryRelease.close()
      offMemoryRelease()
      offUpgradeRetry()
      stopTrayStatus()
      stopWarm()
      offPageReads()
      for (const m of [...modules].reverse()) await m.stop?.()
      await jobs.stop()
      for (const m of [...modules].reverse()) await m.close?.()
      await services.pageReads.close()
      ownership.release()
      store.close()
    },
  }
}
