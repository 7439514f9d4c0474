import type { PlatformId } from '../../../shared/domain/entities'
import type { ConnectionRow } from '../store/repos/sync-repo'
import { DecodePool } from './connectors/decode-pool'
import type { Connector, ConnectorContext } from './connectors/types'

/** Builds a connector for a platform over a context (fetch, base URL, credentials). */
export type ConnectorFactory = (platform: PlatformId, ctx: ConnectorContext, connection?: ConnectionRow) => Connector

/**
 * The connector service: builds connectors with the core's factory (the real platform connectors,
 * or a test's fakes, given to `createCore`) and owns the page-decode pool they share. One per
 * core, closed with it: no process-wide connector registry or pool.
 */
export class Connectors {
  constructor(
    private readonly factory: ConnectorFactory,
    readonly decodePool: DecodePool = new DecodePool(),
  ) {}

  /** A connector for `platform` whose daily pages decode on this core's pool. */
  for(platform: PlatformId, ctx: ConnectorContext, connection?: ConnectionRow): Connector {
    return this.factory(platform, { decoder: this.decodePool, ...ctx }, connection)
  }

  /** Stop the decode pool's workers. */
  close(): Promise<void> {
    return this.decodePool.close()
  }
}
