import { userInfo } from 'node:os'
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron'
import { userContext, type CallContext } from '../../../shared/domain/caller'
import { INVOKE_CHANNELS } from '../../../shared/ipc/channels'
import { fail } from '../../../shared/ipc/result'
import type { Core } from '../core'

/** True when the IPC call comes from our own renderer's main frame (not an iframe or other page). */
function trustedSender(e: IpcMainInvokeEvent, getWindow: () => BrowserWindow | null): boolean {
  const win = getWindow()
  if (!win || e.sender !== win.webContents) return false
  const frame = e.senderFrame
  if (!frame || frame !== win.webContents.mainFrame) return false
  const url = frame.url
  return (
    url.startsWith('file://') ||
    (process.env.ELECTRON_RENDERER_URL !== undefined && url.startsWith(process.env.ELECTRON_RENDERER_URL))
  )
}

/** The person at the desktop app: the one local user, admin over every workspace. */
export function desktopCaller(): CallContext {
  let name = 'desktop user'
  try {
    name = userInfo().username || name
  } catch {
    // no passwd entry (containers): keep the generic name
  }
  return userContext('desktop', { id: name, name })
}

/** One `ipcMain.handle` per channel, each checking the sender, plus event forwarding. */
export function registerBridge(core: Core, getWindow: () => BrowserWindow | null): () => void {
  const caller = desktopCaller()
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, (e, input: unknown) => {
      if (!trustedSender(e, getWindow)) return fail('FORBIDDEN', 'IPC call from an untrusted frame was refused')
      return core.dispatch(channel, input, caller)
    })
  }
  const off = core.events.onAny((event, payload) => {
    const win = getWindow()
    if (win && !win.isDestroyed()) win.webContents.send(event, payload)
  })
  return () => {
    off()
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel)
  }
}
