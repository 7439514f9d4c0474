import type { ANALYTICS_INVOKE_CHANNELS } from '../../../shared/ipc/channels/analytics'
import type { CoreServices } from '../core'
import type { CoreModule } from '../module'

type Channel = (typeof ANALYTICS_INVOKE_CHANNELS)[number]

/** The analytics domain: services, job kinds and IPC handlers. */
export function createAnalyticsModule(_services: CoreServices): CoreModule<Channel> {
  return { handlers: {} }
}
