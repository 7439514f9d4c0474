import { join } from 'node:path'
import { daysBetween } from '../../shared/domain/dates'
import { EventBus } from './events'
import { appHandlers } from './ipc/handlers/app'
import { jobHandlers } from './ipc/handlers/jobs'
import { workspaceHandlers } from './ipc/handlers/workspace'
import { createDispatcher, type Dispatch, type Handlers } from './ipc/router'
import type { Platform } from './platform/types'
import { DashboardService } from './analytics/dashboard-service'
import { JobQueue } from './scheduler/job-queue'
import { startTrayStatus } from './tray-status'
import { openStore, type Store } from './store/db'
import { StoreOwnership } from './store/ownership'
import { JobsRepo } from './store/repos/jobs-repo'
import { StatusRepo } from './store/repos/status-repo'
import { FxRepo } from './store/repos/fx-repo'
import { KvRepo } from './store/repos/kv-repo'
import { WorkspaceRepo } from './store/repos/workspace-repo'
import { DemoService, demoBuildJob } from './sync/demo-service'
import { createAnalyticsModule } from './analytics/module'
import { createMlModule } from './ml/module'
import { createSyncModule, syncServices } from './sync/module'
import { createChangesModule, type ChangesModule } from './changes/module'
import type { ChangeWorkerOptions } from './changes/change-worker'
import { Mutations } from './mutations'
import { AuditRepo } from './store/repos/audit-repo'
import { createBackupsModule } from './backups-module'

export interface CoreOptions {
  /** Database file; default `<dataDir>/marketing-engine.db`; ':memory:' for tests. */
  dbPath?: string
  /** Create the demo workspace on first launch (no workspace yet) and refresh it when stale. */
  seedDemo?: boolean
  /** Check every IPC output against its schema (on in tests and development). */
  validateOutput?: boolean
  /** Start the job queue at once (default true); it runs only while this process owns the store. */
  startJobs?: boolean
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
}

/** What handlers and hosts can reach. */
export interface CoreServices {
  platform: Platform
  store: Store
  events: EventBus
  jobs: JobQueue
  /** Whether this process owns the store (only the owner runs jobs and the change pipeline). */
  ownership: StoreOwnership
  workspaces: WorkspaceRepo
  fx: FxRepo
  /** Core state such as `automation.paused`. */
  kv: KvRepo
  dashboard: DashboardService
  demo: DemoService
  /** The one way local state is written: serialised, audited, `data:changed` (see mutations.ts). */
  mutations: Mutations
}

export interface Core extends CoreServices {
  dispatch: Dispatch
  /** The change pipeline (every write to an ad platform): its service and worker. */
  changes: Pick<ChangesModule, 'service' | 'worker' | 'startWorker'>
  /** Id of the demo build queued at start, if any. */
  startupJobId: number | null
  close(): Promise<void>
}

/** Days after which the demo's data is rebuilt at start so "last 7 days" is never empty. */
const DEMO_STALE_DAYS = 1

const OWNER_LABELS: Record<Platform['host'], string> = {
  electron: 'the desktop app',
  web: 'the browser preview (npm run web)',
  cli: 'the CLI',
  test: 'a test process',
}

/**
 * The composition root. Opens and migrates the store before any handler exists, wires services,
 * registers job kinds and returns the dispatcher. Never imports `electron`.
 */
export function createCore(platform: Platform, options: CoreOptions = {}): Core {
  const store = openStore({
    path: options.dbPath ?? join(platform.paths.dataDir, 'marketing-engine.db'),
    migrationsFolder: join(platform.paths.resourcesDir, 'migrations'),
    clock: platform.clock,
  })
  const events = new EventBus()
  const now = (): Date => platform.clock.now()
  const ownership = new StoreOwnership(store.sqlite, {
    label: options.ownerLabel ?? OWNER_LABELS[platform.host],
    claim: options.claimStore ?? true,
  })
  const jobs = new JobQueue(new JobsRepo(store.sqlite), events, ownership, { concurrency: 2, now })
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
  }
  jobs.register(demoBuildJob(services.demo))
  const modules = [
    createSyncModule(services),
    createAnalyticsModule(services),
    createMlModule(services),
    createBackupsModule(services),
  ] as const
  const [sync, analytics, ml, backups] = modules
  const changes = createChangesModule(services, syncServices(services).sync, {
    ...(options.changeWorker ? { worker: options.changeWorker } : {}),
  })

  const handlers: Handlers = {
    ...appHandlers(services),
    ...workspaceHandlers(services),
    ...jobHandlers(services),
    ...sync.handlers,
    ...analytics.handlers,
    ...ml.handlers,
    ...changes.handlers,
    ...backups.handlers,
  }
  const dispatch = createDispatcher(handlers, { validateOutput: options.validateOutput ?? false })

  let startupJobId: number | null = null
  if (options.seedDemo && ownership.isOwner) {
    const pending = jobs
      .list(50)
      .some((j) => j.kind === 'demo:build' && (j.status === 'queued' || j.status === 'running'))
    const last = services.demo.demoLastDate()
    const yesterday = services.demo.config({}).endDate
    const stale = last !== null && daysBetween(last, yesterday) >= DEMO_STALE_DAYS
    if (!pending && (!services.demo.hasAnyWorkspace() || stale)) {
      startupJobId = jobs.enqueue('demo:build', { ...options.demo })
    }
  }
  for (const m of modules) m.start?.()
  if (options.startJobs ?? true) {
    jobs.start()
    changes.startWorker()
  }
  const stopTrayStatus = startTrayStatus(new StatusRepo(store.sqlite), events, platform)

  return {
    ...services,
    dispatch,
    changes,
    startupJobId,
    async close() {
      stopTrayStatus()
      await changes.stop?.()
      for (const m of modules) await m.stop?.()
      await jobs.stop()
      ownership.release()
      store.close()
    },
  }
}
