import type { ChangeField, ChangeValue } from '../../../shared/domain/changes'
import { AppError } from '../../../shared/ipc/result'
import type { ChangeTarget } from '../store/repos/change-repo'
import type { EntityState, RemoteAccount, WriteResult } from '../sync/connectors/types'
import type { SyncService } from '../sync/sync-service'

/** How the change pipeline reaches the platforms: one read and one write of a target's field. */
export interface PlatformGateway {
  read(target: ChangeTarget): Promise<EntityState>
  /** One write (connectors send writes once, never retried inside) followed by the connector's read-back. */
  write(target: ChangeTarget, field: ChangeField, value: ChangeValue): Promise<WriteResult>
}

/** The gateway over the sync module's connections and connectors. */
export function connectorGateway(sync: SyncService): PlatformGateway {
  const connector = async (
    t: ChangeTarget,
  ): Promise<{ c: Awaited<ReturnType<SyncService['connectorForConnection']>>; account: RemoteAccount }> => {
    const conn = t.connectionId !== null ? sync.repo.connection(t.connectionId) : null
    if (!conn) throw new AppError('VALIDATION', `Account ${t.accountName} is not connected: connect it first`)
    return {
      c: await sync.connectorForConnection(conn),
      account: {
        externalId: t.accountExternalId,
        name: t.accountName,
        currency: t.currency,
        timeZone: t.timeZone,
        status: 'active',
      },
    }
  }
  return {
    async read(t) {
      const { c, account } = await connector(t)
      return c.readState(account, t.level, t.externalId)
    },
    async write(t, field, value) {
      const { c, account } = await connector(t)
      if (field === 'status') {
        if (value !== 'active' && value !== 'paused')
          throw new AppError('VALIDATION', `Cannot set status ${String(value)}`)
        return c.setStatus(account, t.level, t.externalId, value)
      }
      if (t.level === 'ad') throw new AppError('VALIDATION', 'Budgets live on campaigns or ad sets, not ads')
      if (typeof value !== 'number') throw new AppError('VALIDATION', 'A daily budget must be a number of micros')
      return c.setDailyBudget(account, t.level, t.externalId, value)
    },
  }
}
