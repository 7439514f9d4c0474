import type { EventChannel, InvokeChannel } from '../../../shared/ipc/channels'
import type { Envelope } from '../../../shared/ipc/result'

/** What the sandboxed preload exposes with contextBridge (absent in the browser preview). */
export interface ElectronApi {
  invoke(channel: InvokeChannel, input: unknown): Promise<Envelope<unknown>>
  on(channel: EventChannel, cb: (payload: unknown) => void): () => void
}

declare global {
  interface Window {
    api?: ElectronApi
  }
}
