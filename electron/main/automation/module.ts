import { systemContext } from '../../../shared/domain/caller'
import { addDays } from '../../../shared/domain/dates'
import type { AUTOMATION_INVOKE_CHANNELS } from '../../../shared/ipc/channels/automation'
import type { CoreServices } from '../core-services'
import type { CoreModule, ModuleParts, ServiceRegistry } from '../module'
import { RulesRepo } from '../store/repos/rules-repo'
import { RulesService } from './rules-service'
import { DEMO_TEMPLATE_IDS, ruleTemplates, type TemplateBasis } from './templates'

type Channel = (typeof AUTOMATION_INVOKE_CHANNELS)[number]
type Provides = 'automation'
type Requires = 'analytics' | 'anomalies' | 'changes' | 'alerts' | 'forecasts'

/** How often the owner looks for rules whose scheduled time has come. */
export const TICK_MS = 30_000

/**
 * Automation rules: the `automation` service (store, preview, run, cycles, undo), the rule
 * scheduler (clock schedules in the account's time zone, "after each sync") and the demo's
 * three approval-mode rules. Reads through the analytics service and the rules repo; writes to
 * platforms only through the change pipeline, as the rule's principal.
 */
export const automationModule: CoreModule<Provides, Requires, Channel> = {
  name: 'automation',
  provides: ['automation'],
  requires: ['analytics', 'anomalies', 'changes', 'alerts', 'forecasts'],
  create: createAutomationModule,
}

function createAutomationModule(
  services: CoreServices,
  { analytics, anomalies, changes, alerts, forecasts }: Pick<ServiceRegistry, Requires>,
): ModuleParts<Provides, Channel> {
  const repo = new RulesRepo(services.store.sqlite)
  const rules = new RulesService({ core: services, repo, analytics, anomalies, changes, alerts, forecasts })
  let timer: NodeJS.Timeout | null = null
  const offs: (() => void)[] = []
  let running: Promise<unknown> = Promise.resolve()
  /** Cycles run one at a time. */
  const serial = (fn: () => Promise<unknown>): void => {
    running = running.then(fn, fn).catch(() => undefined)
  }

  const basis = (workspaceId: number): TemplateBasis => {
    const accounts = repo.accounts(workspaceId)
    const last = accounts
      .map((a) => a.lastSettledDate)
      .filter((d): d is string => d !== null)
      .sort()
      .pop()
    if (!last) return { cpa: null, roas: null }
    const scope = analytics.scope(workspaceId)
    let spend = 0
    let revenue = 0
    let conv = 0
    for (const t of analytics.entityTotals(scope, 'campaign', { from: addDays(last, -29), to: last }).values()) {
      spend += t.spendMicros
      revenue += t.revenueMicros
      conv += t.conversions
    }
    return { cpa: conv > 0 ? spend / 1e6 / conv : null, roas: spend > 0 ? revenue / spend : null }
  }

  /** The demo workspace gets three approval-mode rules once (deleting them is respected). */
  const seedDemoRules = async (): Promise<void> => {
    for (const ws of services.workspaces.list().filter((w) => w.isDemo)) {
      const key = `automation.demoRulesSeeded.${ws.id}`
      if (services.kv.get(key, false)) continue
      const ctx = systemContext('demo')
      for (const t of ruleTemplates(ws.id, basis(ws.id)).filter((x) =>
        (DEMO_TEMPLATE_IDS as readonly string[]).includes(x.id),
      ))
        await rules.create(t.rule, ctx)
      services.kv.set(key, true)
    }
  }

  return {
    services: { automation: rules },
    handlers: {
      'rules:list': ({ workspaceId }) => ({
        paused: rules.isPaused(),
        rules: rules.list(workspaceId).map((r) => ({
          ...rules.toRule(r),
          actionsByDay: rules.actionsPerDay(r.id, 30),
          pending: changes
            .list({ workspaceId, states: ['proposed'], limit: 500 })
            .items.filter((c) => c.actor.kind === 'rule' && c.actor.id.startsWith(`${r.id}@`)).length,
        })),
      }),
      'rules:get': ({ id }, ctx) => {
        const r = rules.get(id, ctx)
        return {
          rule: rules.toRule(r),
          versions: rules.versions(id).map(({ version, createdBy, createdAt }) => ({ version, createdBy, createdAt })),
          runs: rules.runs(id, 30),
        }
      },
      'rules:create': async (input, ctx) => rules.toRule(await rules.create(input, ctx)),
      'rules:update': async ({ id, rule }, ctx) => rules.toRule(await rules.update(id, rule, ctx)),
      'rules:delete': ({ id }, ctx) => rules.remove(id, ctx),
      'rules:preview': (input, ctx) => rules.preview(input, ctx),
      'rules:run': ({ id, dryRun }, ctx) => rules.run(id, dryRun !== undefined ? { dryRun } : {}, ctx),
      'rules:getRun': ({ runId, page }, ctx) => (page ? rules.getRunPage(runId, page, ctx) : rules.getRun(runId, ctx)),
      'rules:undoRun': ({ runId, force }, ctx) => rules.undoRun(runId, ctx, force !== undefined ? { force } : {}),
      'rules:entityHistory': ({ entityType, entityId }) => repo.entityHistory(entityType, entityId, 100),
      'rules:explain': ({ runId, entityType, entityId }, ctx) => rules.explain(runId, entityType, entityId, ctx),
      'rules:templates': ({ workspaceId }) => {
        services.workspaces.get(workspaceId)
        return ruleTemplates(workspaceId, basis(workspaceId))
      },
      'automation:setPaused': ({ paused }, ctx) => rules.setPaused(paused, ctx),
    },
    start() {
      serial(seedDemoRules)
      offs.push(
        services.events.on('job:finished', (f) => {
          if (f.status !== 'succeeded') return
          if (f.kind === 'demo:build') serial(seedDemoRules)
          if (f.kind === 'demo:build' || f.kind.startsWith('sync')) {
            serial(() => rules.afterSync())
            // A training queued behind this job waits for the cycle too (job-queue followUp).
            services.jobs.followUp(f.kind, null, running, 'rules cycle')
          }
        }),
      )
    },
    startWork() {
      // Clock schedules belong to the long-running hosts that own the store; tests call tick().
      if (services.platform.host !== 'electron' && services.platform.host !== 'web') return
      const tick = (): void => {
        if (services.ownership.isOwner) serial(() => rules.tick())
      }
      timer = setInterval(tick, TICK_MS)
      timer.unref()
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = null
      for (const off of offs.splice(0)) off()
      return running.then(() => undefined)
    },
  }
}
