import type { SYNC_INVOKE_CHANNELS } from '../../../shared/ipc/channels/sync'
import type { CoreServices } from '../core'
import type { CoreModule } from '../module'

type Channel = (typeof SYNC_INVOKE_CHANNELS)[number]

/** The sync domain: services, job kinds and IPC handlers. */
export function createSyncModule(_services: CoreServices): CoreModule<Channel> {
  return { handlers: {} }
}
