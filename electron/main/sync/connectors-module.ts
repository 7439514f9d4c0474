import type { CoreModule } from '../module'
import { Connectors, type ConnectorFactory } from './connector-factory'
import { realConnector } from './real-connectors'

/**
 * Provides `connectors`: the connector factory (the real platform connectors unless the host
 * passes another, e.g. a test's fakes) and the page-decode pool, closed when the core closes.
 */
export function connectorsModule(factory: ConnectorFactory = realConnector): CoreModule<'connectors'> {
  return {
    name: 'connectors',
    provides: ['connectors'],
    requires: [],
    create() {
      const connectors = new Connectors(factory)
      return { services: { connectors }, handlers: {}, close: () => connectors.close() }
    },
  }
}
