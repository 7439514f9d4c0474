import type { DashboardService } from './analytics/dashboard-service'
import type { EventBus } from './events'
import type { Mutations } from './mutations'
import type { Platform } from './platform/types'
import type { JobQueue } from './scheduler/job-queue'
import type { Store } from './store/db'
import type { StoreOwnership } from './store/ownership'
import type { FxRepo } from './store/repos/fx-repo'
import type { KvRepo } from './store/repos/kv-repo'
import type { WorkspaceRepo } from './store/repos/workspace-repo'
import type { DemoService } from './sync/demo-service'
import type { PageReads } from './page-reads'

/**
 * The services every module starts from (the core builds them before any module). A leaf of the
 * import graph: services and modules import this file, never `core.ts`.
 */
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
  /** Slow page reads computed on a worker and kept per data change (see page-reads.ts). */
  pageReads: PageReads
}
