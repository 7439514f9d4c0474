import { BrowserWindow, nativeTheme, screen } from 'electron'
import { guardWebContents } from './hardening'
import Store from 'electron-store'
import { join } from 'node:path'

interface WindowState {
  x?: number
  y?: number
  width: number
  height: number
  maximized: boolean
}

const stateStore = new Store<{ window: WindowState }>({
  name: 'window-state',
  configFileMode: 0o600,
  defaults: { window: { width: 1360, height: 860, maximized: false } },
})

/** Keep a remembered position only if it is still on a connected display. */
function visible(s: WindowState): boolean {
  if (s.x === undefined || s.y === undefined) return false
  return screen
    .getAllDisplays()
    .some(({ workArea: a }) => s.x! >= a.x - 50 && s.y! >= a.y - 50 && s.x! < a.x + a.width && s.y! < a.y + a.height)
}

/** The main window with the locked-down webPreferences of the security baseline. */
export function createMainWindow(preloadDir: string, rendererDir: string): BrowserWindow {
  const saved = stateStore.get('window')
  const win = new BrowserWindow({
    width: saved.width,
    height: saved.height,
    ...(visible(saved) ? { x: saved.x, y: saved.y } : {}),
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Marketing Engine',
    backgroundColor: '#0f1115',
    webPreferences: {
      preload: join(preloadDir, 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      spellcheck: false,
    },
  })
  if (saved.maximized) win.maximize()
  win.once('ready-to-show', () => win.show())

  const save = (): void => {
    if (win.isDestroyed()) return
    const b = win.getNormalBounds()
    stateStore.set('window', { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() })
  }
  win.on('resize', save)
  win.on('move', save)
  win.on('close', save)

  // No new windows, no navigation or redirect away from the app, no webviews; https links open in
  // the browser (the same guards `hardenApp` gives every other webContents).
  guardWebContents(win.webContents, {
    devUrl: process.env.ELECTRON_RENDERER_URL,
    rendererIndex: join(rendererDir, 'index.html'),
  })

  const devUrl = process.env.ELECTRON_RENDERER_URL
  if (devUrl) void win.loadURL(devUrl)
  else void win.loadFile(join(rendererDir, 'index.html'))
  return win
}

/**
 * The small window shown while the first open after an update backs up and migrates the store on a
 * worker thread (`upgradeStore`): a static page (resources/upgrade.html, no script) in the same
 * locked-down webPreferences, closed by the caller when the store is ready.
 */
export function createUpgradeWindow(resourcesDir: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 460,
    height: 220,
    useContentSize: true,
    resizable: false,
    // Closing it would leave the app with no window and no tray while the store is updated.
    closable: false,
    maximizable: false,
    fullscreenable: false,
    show: false,
    title: 'Marketing Engine',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#0c0e13' : '#f6f7f9',
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      spellcheck: false,
      javascript: false,
    },
  })
  win.setMenuBarVisibility(false)
  win.once('ready-to-show', () => win.show())
  void win.loadFile(join(resourcesDir, 'upgrade.html'))
  return win
}
