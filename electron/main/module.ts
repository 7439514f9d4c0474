import type { InvokeChannel } from '../../shared/ipc/channels'
import type { AlertService } from './alerts/alert-service'
import type { AlertSources } from './alerts/sources'
import type { AnalyticsService } from './analytics/analytics-service'
import type { AnomalyService } from './analytics/anomaly-service'
import type { RulesService } from './automation/rules-service'
import type { Backups } from './backups-module'
import type { ChangeService } from './changes/change-service'
import type { ChangeWorker } from './changes/change-worker'
import type { CoreServices } from './core-services'
import type { ExperimentService } from './experiments/experiment-service'
import type { Handlers } from './ipc/router'
import type { ForecastService } from './ml/forecast-service'
import type { LtvService } from './ml/ltv-service'
import type { RecommendationService } from './recommendations/recommendation-service'
import type { ReportCenter } from './reports/report-center'
import type { Connectors } from './sync/connector-factory'
import type { CsvImporter } from './sync/csv-import/importer'
import type { SyncScheduler } from './sync/scheduler'
import type { SyncService } from './sync/sync-service'

/**
 * Every service a module can provide, by name: what one domain offers the others (and the CLI
 * and tests, through `core.services`). A module names the ones it provides and the ones it
 * requires; the core creates modules in dependency order. Add a service here when a module
 * starts providing it.
 */
export interface ServiceRegistry {
  /** Connector factory and the page-decode pool (closed by the core). */
  connectors: Connectors
  /** Connections, credentials, sync jobs and platform write-back. */
  sync: SyncService
  /** Automatic syncs per workspace (long-running hosts only). */
  syncScheduler: SyncScheduler
  /** CSV imports (plan, then commit as a job). */
  importer: CsvImporter
  /** Breakdowns, rankings and trends in the reporting currency. */
  analytics: AnalyticsService
  /** Anomalies on daily metrics (cached until data changes). */
  anomalies: AnomalyService
  /** Forecasts, response curves and training. */
  forecasts: ForecastService
  /** Lifetime value from imported orders. */
  ltv: LtvService
  /** A/B tests: analyses between entities or from CSV files, suggestions, power plans. */
  experiments: ExperimentService
  /**
   * The change pipeline, the one way to write to an ad platform: propose (as the caller's
   * principal: a rule or recommendation context for the app's own changes), approve, reject,
   * undo, list, wait for a change to settle. See docs/architecture.md "Proposing a change".
   */
  changes: ChangeService
  /** The change pipeline's worker (runs only in the store's owner): `kick()` after bulk work, `stop`/`start` in tests. */
  changeWorker: ChangeWorker
  /** Backups of the store file: take, list, the daily backup and its retention. */
  backups: Backups
  /** Alerts: raise (deduped, routed, delivered through the outbox), history, channels, routes. */
  alerts: AlertService
  /** The core's own alert checks (after syncs, trained models, changes); `idle()` waits for the queued after-sync checks. */
  alertSources: AlertSources
  /** PDF reports: saved templates, branding, generation, schedules with email, history. */
  reports: ReportCenter
  /** Automation rules: store with versions, preview, run (through the change pipeline), schedules, undo. */
  automation: RulesService
  /** Recommendations: generate from the store and the ML curves, list with follow-ups, apply through the change pipeline. */
  recommendations: RecommendationService
}
export type ServiceName = keyof ServiceRegistry

/** What a module's `create` returns. */
export interface ModuleParts<P extends ServiceName, C extends InvokeChannel> {
  /** Its IPC handlers, merged into the core's one handler map. */
  handlers: Pick<Handlers, C>
  /** The services it provides (exactly those it declares). */
  services: Pick<ServiceRegistry, P>
  /** Called once every module exists, in dependency order (register job kinds, start schedules). */
  start?(): void
  /**
   * Called when the core starts its job queue (`startJobs`, default on), after every `start`:
   * begin work that only the store's owner does besides jobs (the change worker).
   */
  startWork?(): void
  /** Called on shutdown in reverse order, before the job queue stops (timers, listeners). */
  stop?(): Promise<void> | void
  /** Called after the job queue stopped, in reverse order: release what it owns (worker pools). */
  close?(): Promise<void> | void
}

/**
 * A domain plugged into the core (sync, analytics, ML, ...): the services it provides `P`, the
 * ones it requires `R` and the IPC channels `C` it handles.
 */
export interface CoreModule<
  P extends ServiceName = never,
  R extends ServiceName = never,
  C extends InvokeChannel = never,
> {
  name: string
  provides: readonly P[]
  requires: readonly R[]
  create(core: CoreServices, needs: Pick<ServiceRegistry, R>): ModuleParts<P, C>
}

/** Any module, as the wiring sees it. */
export interface AnyModule {
  name: string
  provides: readonly ServiceName[]
  requires: readonly ServiceName[]
  create(
    core: CoreServices,
    needs: never,
  ): {
    handlers: Partial<Handlers>
    services: Partial<ServiceRegistry>
    start?(): void
    startWork?(): void
    stop?(): Promise<void> | void
    close?(): Promise<void> | void
  }
}

/** The channels a module handles (for the core's compile-time "every channel handled" check). */
export type ChannelsOf<M> = M extends { create(core: CoreServices, needs: never): { handlers: infer H } }
  ? keyof H & InvokeChannel
  : never

/**
 * Modules in an order where each comes after the providers of what it requires. Throws at start,
 * naming the modules, when a need has no provider, a service has two, or needs form a circle.
 */
export function orderModules<M extends AnyModule>(modules: readonly M[]): M[] {
  const provider = new Map<ServiceName, M>()
  for (const m of modules) {
    for (const s of m.provides) {
      const other = provider.get(s)
      if (other) throw new Error(`Service "${s}" is provided by both module "${other.name}" and module "${m.name}"`)
      provider.set(s, m)
    }
  }
  for (const m of modules) {
    for (const r of m.requires) {
      if (!provider.has(r)) throw new Error(`Module "${m.name}" requires service "${r}", which no module provides`)
    }
  }
  const order: M[] = []
  const state = new Map<M, 'visiting' | 'done'>()
  const visit = (m: M, path: string[]): void => {
    if (state.get(m) === 'done') return
    if (state.get(m) === 'visiting') {
      const from = path.findIndex((step) => step.startsWith(`"${m.name}"`))
      throw new Error(`Circular service needs: ${[...path.slice(from), `"${m.name}"`].join(' → ')}`)
    }
    state.set(m, 'visiting')
    for (const r of m.requires) visit(provider.get(r) as M, [...path, `"${m.name}" requires ${r} from`])
    state.set(m, 'done')
    order.push(m)
  }
  for (const m of modules) visit(m, [])
  return order
}

/** The modules created in dependency order, with what they provide and handle. */
export interface WiredModules {
  services: ServiceRegistry
  handlers: Partial<Handlers>
  /** Created modules, providers first. */
  parts: ReturnType<AnyModule['create']>[]
}

/**
 * Create the modules in dependency order, giving each exactly the services it requires. Throws
 * when a module does not provide what it declared or two modules handle one channel.
 */
export function wireModules(core: CoreServices, modules: readonly AnyModule[]): WiredModules {
  const services: Partial<ServiceRegistry> = {}
  const handlers: Partial<Handlers> = {}
  const handledBy = new Map<string, string>()
  const parts: WiredModules['parts'] = []
  for (const m of orderModules(modules)) {
    const needs = Object.fromEntries(m.requires.map((r) => [r, services[r]])) as never
    const made = m.create(core, needs)
    const given = Object.keys(made.services).sort()
    const declared = [...m.provides].sort()
    if (given.join() !== declared.join())
      throw new Error(
        `Module "${m.name}" declares it provides [${declared.join(', ')}] but created [${given.join(', ')}]`,
      )
    Object.assign(services, made.services)
    for (const channel of Object.keys(made.handlers)) {
      const other = handledBy.get(channel)
      if (other) throw new Error(`Channel ${channel} is handled by both module "${other}" and module "${m.name}"`)
      handledBy.set(channel, m.name)
    }
    Object.assign(handlers, made.handlers)
    parts.push(made)
  }
  return { services: services as ServiceRegistry, handlers, parts }
}
