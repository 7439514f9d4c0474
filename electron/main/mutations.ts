import { principalLabel, type CallContext } from '../../shared/domain/caller'
import type { DataTable } from '../../shared/domain/tables'
import type { EventBus } from './events'
import type { AuditRepo } from './store/repos/audit-repo'

export interface MutationSpec<T> {
  /** Audit action, e.g. `settings.update`, `sync_config.update`, `changes.policy`. */
  action: string
  ctx: CallContext
  /** Tables whose content changes (emitted as `data:changed`; none for shell-only settings). */
  tables: DataTable[]
  workspaceId?: number
  /** What the audit row records about the result (default: nothing beyond the action). */
  detail?: (result: T) => unknown
}

/**
 * The one way local state is written (settings, sync configuration, the change policy; later
 * rules, alert channels, report templates): mutations run one at a time in this process, each
 * writes an audit row with its principal, and each emits a typed `data:changed` for its tables.
 * Platform writes do not come here: they go through the change pipeline (electron/main/changes).
 */
export class Mutations {
  private tail: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly audit: AuditRepo,
    private readonly events: EventBus,
    private readonly now: () => Date,
  ) {}

  run<T>(spec: MutationSpec<T>, fn: () => T | Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const result = await fn()
      this.audit.record({
        at: this.now().toISOString(),
        actor: principalLabel(spec.ctx.principal),
        action: spec.action,
        detail: { principal: spec.ctx.principal.kind, ...(spec.detail ? { value: spec.detail(result) } : {}) },
      })
      if (spec.tables.length)
        this.events.emit('data:changed', {
          tables: spec.tables,
          ...(spec.workspaceId !== undefined ? { workspaceId: spec.workspaceId } : {}),
        })
      return result
    }
    const next = this.tail.then(run, run)
    this.tail = next.catch(() => undefined)
    return next
  }
}
