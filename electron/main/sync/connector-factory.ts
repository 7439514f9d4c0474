import type { PlatformId } from '../../../shared/domain/entities'
import type { Connector, ConnectorContext } from './connectors/types'
import type { ConnectionRow } from '../store/repos/sync-repo'

/** Builds a connector for a platform over a context (fetch, base URL, credentials). */
export type ConnectorFactory = (platform: PlatformId, ctx: ConnectorContext, connection?: ConnectionRow) => Connector

let override: ConnectorFactory | null = null

/**
 * Replace the connector factory process-wide (engine tests with a fake connector). Pass null to
 * restore the real connectors.
 */
export function setConnectorOverride(f: ConnectorFactory | null): void {
  override = f
}

/** The real platform connectors, once they are available in this build. */
let realFactory: ConnectorFactory | null = null

/** Register the real connectors (done by `real-connectors.ts`). */
export function registerRealConnectors(f: ConnectorFactory): void {
  realFactory = f
}

/** A connector for `platform`: the override when set, else the real connector. */
export function connectorFor(platform: PlatformId, ctx: ConnectorContext, connection?: ConnectionRow): Connector {
  if (override) return override(platform, ctx, connection)
  if (!realFactory) throw new Error(`The ${platform} connector is not available in this build`)
  return realFactory(platform, ctx, connection)
}
