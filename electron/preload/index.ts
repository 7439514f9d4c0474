import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../../shared/ipc/channels'

// Sandboxed preload: exposes only `invoke` and `on`, and only for the allowlisted channels.
const invokeAllowed = new Set<string>(INVOKE_CHANNELS)
const eventAllowed = new Set<string>(EVENT_CHANNELS)

const api = {
  invoke(channel: string, input: unknown): Promise<unknown> {
    if (!invokeAllowed.has(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `Unknown channel "${channel}"` } })
    }
    return ipcRenderer.invoke(channel, input)
  },
  on(channel: string, cb: (payload: unknown) => void): () => void {
    if (!eventAllowed.has(channel)) throw new Error(`Unknown event channel "${channel}"`)
    const listener = (_e: IpcRendererEvent, payload: unknown): void => cb(payload)
    ipcRenderer.on(channel, listener)
    return () => ipcRenderer.removeListener(channel, listener)
  },
}

contextBridge.exposeInMainWorld('api', api)
