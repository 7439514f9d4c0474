import type { ML_INVOKE_CHANNELS } from '../../../shared/ipc/channels/ml'
import type { CoreServices } from '../core'
import type { CoreModule } from '../module'

type Channel = (typeof ML_INVOKE_CHANNELS)[number]

/** The ml domain: services, job kinds and IPC handlers. */
export function createMlModule(_services: CoreServices): CoreModule<Channel> {
  return { handlers: {} }
}
