import type { CallContext } from '../../../shared/domain/caller'
import type { Change, ChangeAction } from '../../../shared/domain/changes'
import type { CHANGES_INVOKE_CHANNELS } from '../../../shared/ipc/channels/changes'
import type { CoreServices } from '../core-services'
import type { CoreModule, ModuleParts, ServiceRegistry } from '../module'
import { AuditRepo } from '../store/repos/audit-repo'
import { ChangeRepo } from '../store/repos/change-repo'
import { ChangeService } from './change-service'
import { ChangeWorker, type ChangeWorkerOptions } from './change-worker'
import { connectorGateway, type PlatformGateway } from './platform-gateway'

type Channel = (typeof CHANGES_INVOKE_CHANNELS)[number] | 'entities:setStatus' | 'entities:setBudget'
type Provides = 'changes' | 'changeWorker'

/** How long a call that waits for its change gives the worker before answering the state reached. */
export const SETTLE_TIMEOUT_MS = 30_000
/** How often the store's owner looks for changes another process put in the outbox. */
const POLL_MS = 2_000

export interface ChangesModuleOptions {
  /** Worker tuning (tests shrink the retry delays). */
  worker?: Partial<ChangeWorkerOptions>
  /** How changes reach the platforms (default: the sync module's connectors). */
  gateway?: PlatformGateway
}

/**
 * The change pipeline: every write to an ad platform (the UI's pause/enable/budget buttons, the
 * CLI, rules and recommendations) is a change in the `changes` outbox, applied by the worker.
 * Only the store's owner runs the worker; any process may propose, approve or undo (the owner
 * picks the rows up). Provides `changes` (propose, approve, reject, undo, list, settle) and
 * `changeWorker` (the worker handle: `kick`, `isRunning`, `stop`/`start` for tests).
 */
export function changesModule(opts: ChangesModuleOptions = {}): CoreModule<Provides, 'sync', Channel> {
  return {
    name: 'changes',
    provides: ['changes', 'changeWorker'],
    requires: ['sync'],
    create: (services, needs) => createChangesModule(services, needs, opts),
  }
}

function createChangesModule(
  services: CoreServices,
  { sync }: Pick<ServiceRegistry, 'sync'>,
  opts: ChangesModuleOptions,
): ModuleParts<Provides, Channel> {
  const repo = new ChangeRepo(services.store.sqlite)
  const now = (): Date => services.platform.clock.now()
  const gateway = opts.gateway ?? connectorGateway(sync)
  const service = new ChangeService({
    repo,
    audit: new AuditRepo(services.store.sqlite),
    events: services.events,
    kv: services.kv,
    gateway,
    now,
  })
  const worker = new ChangeWorker(repo, service, gateway, now, opts.worker)
  service.onApproved = () => worker.kick()
  let poll: NodeJS.Timeout | null = null

  const settle = async (c: Change, wait: boolean | undefined): Promise<Change> =>
    wait === false ? c : service.settled(c.id, SETTLE_TIMEOUT_MS)

  /** The UI's buttons: an approved change by the caller, answered once it settled. */
  const button = async (
    entityType: Change['entityType'],
    entityId: number,
    action: ChangeAction,
    ctx: CallContext,
  ): Promise<Change> => settle(service.propose({ entityType, entityId, action, approval: 'auto' }, ctx), true)

  return {
    services: { changes: service, changeWorker: worker },
    handlers: {
      'changes:list': ({ workspaceId, state, batchId, entityType, entityId, limit, offset }, ctx) =>
        service.list(
          {
            ...(workspaceId !== undefined ? { workspaceId } : {}),
            ...(state !== undefined ? { states: Array.isArray(state) ? state : [state] } : {}),
            ...(batchId !== undefined ? { batchId } : {}),
            ...(entityType !== undefined && entityId !== undefined
              ? { entity: { type: entityType, id: entityId } }
              : {}),
            limit,
            offset,
          },
          ctx,
        ),
      'changes:get': ({ id }, ctx) => ({
        change: service.get(id, ctx),
        history: service
          .history(id)
          .map((h) => ({ id: h.id, at: h.at, actor: h.actor, action: h.action, detail: h.detail })),
      }),
      'changes:propose': ({ wait, ...input }, ctx) => settle(service.propose(input, ctx), wait ?? false),
      'changes:approve': ({ id, wait }, ctx) => settle(service.approve(id, ctx), wait ?? true),
      'changes:reject': ({ id, reason }, ctx) => service.reject(id, ctx, reason),
      'changes:undo': async ({ id, force, wait }, ctx) =>
        settle(await service.undo(id, ctx, { force: force ?? false }), wait ?? true),
      'changes:undoBatch': async ({ batchId, force, wait }, ctx) => {
        const made = await service.undoBatch(batchId, ctx, { force: force ?? false })
        return Promise.all(made.map((c) => settle(c, wait ?? true)))
      },
      'changes:getPolicy': ({ workspaceId }) => {
        services.workspaces.get(workspaceId)
        return service.policy(workspaceId)
      },
      'changes:setPolicy': ({ workspaceId, ...policy }, ctx) => {
        services.workspaces.get(workspaceId)
        return services.mutations.run(
          { action: 'changes.policy', ctx, tables: ['settings'], workspaceId, detail: (p) => p },
          () => service.setPolicy(workspaceId, policy),
        )
      },
      'entities:setStatus': ({ entityType, entityId, status }, ctx) =>
        button(entityType, entityId, { kind: status === 'paused' ? 'pause' : 'enable' }, ctx),
      'entities:setBudget': ({ entityType, entityId, dailyBudgetMicros }, ctx) =>
        button(entityType, entityId, { kind: 'set_budget', dailyBudgetMicros }, ctx),
    },
    startWork() {
      // Only the store's owner applies changes; it also picks up rows other processes proposed.
      services.ownership.onAcquired(() => {
        worker.start()
        poll ??= setInterval(() => worker.kick(), POLL_MS)
        poll.unref()
      })
      services.ownership.onLost(() => {
        if (poll) clearInterval(poll)
        poll = null
        void worker.stop()
      })
    },
    async stop() {
      if (poll) clearInterval(poll)
      poll = null
      await worker.stop()
    },
  }
}
