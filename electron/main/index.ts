import { app, type BrowserWindow, dialog, Menu, type MenuItemConstructorOptions, powerMonitor } from 'electron'
import type { SyncRequestInput } from '../../shared/domain/sync-request'
import { join } from 'node:path'
import { createCore, storeLocation, type Core } from './core'
import { hardenApp } from './hardening'
import { desktopCaller, registerBridge } from './ipc/bridge'
import { createElectronPlatform } from './platform/electron'
import { restoreBackup, StoreDamagedError } from './store/backups'
import { storeNeedsUpgrade } from './store/db'
import { upgradeStore } from './store/upgrade'
import { weakStoragePrompt } from './platform/safe-storage-policy'
import { AppTray } from './tray'
import { TRAY_ALERTS } from './tray-menu'
import { decideProposal, trayProposals } from './tray-proposals'
import { startUpdater } from './updater'
import { createMainWindow, createUpgradeWindow } from './window'

// Packaged: resources ship beside the asar; from source: the repo's resources/ folder.
const resourcesDir = app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources')
const preloadDir = join(import.meta.dirname, '../preload')
const rendererDir = join(import.meta.dirname, '../renderer')

let win: BrowserWindow | null = null
let tray: AppTray | null = null
let core: Core | null = null
let quitting = false
/** The "updating your data" window while the first open after an update runs (no core yet). */
let updating: BrowserWindow | null = null

function showWindow(): void {
  // The dock, a second launch or the tray before the core is open: the updating window stays in front.
  if (!core) {
    if (updating && !updating.isDestroyed()) updating.focus()
    return
  }
  if (!win || win.isDestroyed()) {
    win = createMainWindow(preloadDir, rendererDir)
    win.on('close', (e) => {
      // Keep running in the tray so schedules and alerts go on.
      if (!quitting) {
        e.preventDefault()
        win?.hide()
      }
    })
  }
  if (win.isMinimized()) win.restore()
  win.show()
  win.focus()
}

function buildMenu(): void {
  const about = (): void => {
    void dialog.showMessageBox({
      type: 'info',
      title: 'About Marketing Engine',
      message: `Marketing Engine ${app.getVersion()}`,
      detail: `Electron ${process.versions.electron} · Chromium ${process.versions.chrome} · Node ${process.versions.node}\nData: ${core?.platform.paths.dataDir ?? ''}`,
    })
  }
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'About Marketing Engine', click: about }] },
  ]
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}

/**
 * The store cannot be opened. When it is damaged and a good backup exists, offer to restore it in
 * one step (the damaged file is moved aside, never deleted) and restart; otherwise say what is wrong
 * and how to recover (the message names the backups folder and the CLI command).
 */
async function offerRecovery(err: unknown, now: Date): Promise<void> {
  const message = err instanceof Error ? err.message : String(err)
  const backup = err instanceof StoreDamagedError ? err.backup : null
  if (!(err instanceof StoreDamagedError) || !backup) {
    dialog.showErrorBox('Marketing Engine cannot open its data', message)
    app.exit(1)
    return
  }
  const { response } = await dialog.showMessageBox({
    type: 'error',
    title: 'Marketing Engine cannot open its data',
    message: `Your data file is damaged: ${err.problem}.`,
    detail:
      `The newest good backup was taken ${new Date(backup.createdAt).toLocaleString()}. Restoring it brings ` +
      `your data back to that moment; the damaged file is moved aside next to it, never deleted.\n\n${message}`,
    buttons: ['Restore this backup', 'Quit'],
    defaultId: 0,
    cancelId: 1,
  })
  if (response === 0) {
    try {
      restoreBackup(err.path, backup.path, now)
    } catch (restoreErr) {
      dialog.showErrorBox('The backup could not be restored', (restoreErr as Error).message)
      app.exit(1)
      return
    }
    app.relaunch()
  }
  app.exit(response === 0 ? 0 : 1)
}

/** Show the window at an app route (`/automation?tab=approvals`); the renderer's hash router follows. */
function openRoute(link: string): void {
  showWindow()
  void win?.webContents.executeJavaScript(`window.location.hash = ${JSON.stringify(`#${link}`)}`)
}

async function start(): Promise<void> {
  await app.whenReady()
  // Permissions denied by default; navigation guards on every webContents, before any window opens.
  hardenApp({ devUrl: process.env.ELECTRON_RENDERER_URL, rendererIndex: join(rendererDir, 'index.html') })
  const platform = createElectronPlatform({
    resourcesDir,
    setBadge: (count, tooltip) => tray?.setBadge(count, tooltip),
    openLink: (link) => openRoute(link),
  })
  // Linux without a keyring: safeStorage would protect credentials with a fixed key. Say so and let
  // the user choose; "Not now" saves no credentials until they proceed (also offered in Settings).
  if (platform.secrets.protection().needsConsent) {
    const p = weakStoragePrompt()
    const { response } = await dialog.showMessageBox({
      type: 'warning',
      title: p.title,
      message: p.message,
      detail: p.detail,
      buttons: p.buttons,
      defaultId: 1,
      cancelId: 1,
    })
    if (response === 0) platform.secrets.acceptWeakProtection?.(platform.clock.now())
  }
  // The first start after an update backs up and migrates the store (seconds on a large one): on a
  // worker thread behind a small "updating your data" window, so the app never looks frozen. An error
  // is left to createCore, which opens the store again and offers the way back.
  const location = storeLocation(platform)
  if (storeNeedsUpgrade(location.path, location.migrationsFolder)) {
    updating = createUpgradeWindow(resourcesDir)
    // A quit asked for meanwhile (the menu's Quit) waits for the worker: cut short, the backup is left
    // unfinished and the migration rolled back for nothing.
    let quitAfter = false
    const holdQuit = (e: Electron.Event): void => {
      e.preventDefault()
      quitAfter = true
    }
    app.on('before-quit', holdQuit)
    try {
      await upgradeStore(location.path, location.migrationsFolder)
    } catch (err) {
      // createCore below opens the store again and reports it (with the way back).
      console.error(`The data update failed: ${err instanceof Error ? err.message : String(err)}`)
    } finally {
      app.off('before-quit', holdQuit)
    }
    if (quitAfter) {
      app.exit(0)
      return
    }
  }
  try {
    // Migrations run inside createCore, before the bridge registers any handler (none are left after an
    // upgrade; after a failed one it tries again here, with the updating window still shown).
    core = createCore(platform, { seedDemo: true, validateOutput: !app.isPackaged })
  } catch (err) {
    await offerRecovery(err, platform.clock.now())
    return
  } finally {
    if (updating && !updating.isDestroyed()) updating.destroy()
    updating = null
  }
  registerBridge(core, () => win)
  // Timers run late across a laptop's sleep: a job waiting for a time that passed meanwhile (a
  // platform's throttle, a retry) runs at once after waking.
  const jobs = core.jobs
  powerMonitor.on('resume', () => jobs.wake())
  // A restore chosen in Settings is applied at the next start: restart now.
  core.events.on('backups:restoreScheduled', () => {
    quitting = true
    app.relaunch()
    app.quit()
  })
  buildMenu()
  tray = new AppTray(
    join(resourcesDir, 'icons'),
    {
      open: showWindow,
      syncNow: () => {
        // Every workspace with connected accounts; a sync already running is reused, not doubled.
        const c = core
        if (!c) return
        for (const w of c.workspaces.list()) {
          if (w.accountCount > 0)
            void c.dispatch(
              'sync:start',
              { workspaceId: w.id, mode: 'incremental' } satisfies SyncRequestInput,
              desktopCaller(),
            )
        }
      },
      setAutomationPaused: (paused) => {
        // Through the typed channel, as the desktop user (audited like the page's button).
        void core?.dispatch('automation:setPaused', { paused }, desktopCaller()).then((r) => {
          if (!r.ok) dialog.showErrorBox('Automation', r.error.message)
          showAutomation()
        })
      },
      openApprovals: () => openRoute('/automation?tab=approvals'),
      decideProposal: (changeId, decision) => {
        const c = core
        if (!c) return
        // Through the typed channels, as the desktop user (audited like the page's buttons).
        void decideProposal(c.dispatch, desktopCaller(), changeId, decision).then((r) => {
          if (r.ok) platform.notify({ title: 'Automation', body: r.message, link: '/automation?tab=approvals' })
          else dialog.showErrorBox('Automation', r.message)
          showAutomation()
        })
      },
      openRoute,
      quit: () => {
        quitting = true
        app.quit()
      },
    },
    () => platform.clock.now(),
  )
  // The tray shows the paused state however it was changed (the page, the CLI, the tray itself) and
  // how many changes wait for approval.
  function showAutomation(): void {
    const c = core
    if (!c) return
    const analytics = c.services.analytics
    const { items, total } = trayProposals({
      changes: c.services.changes,
      currencyOf: (ws, account) => analytics.scope(ws).byId.get(account)?.currency ?? null,
    })
    tray?.setAutomationState(c.services.automation.isPaused(), total, items)
  }
  showAutomation()
  // The menu lists the latest unread WARNING+ alerts (raised, acknowledged, snoozed or resolved anywhere).
  function showAlerts(): void {
    const c = core
    if (!c) return
    tray?.setAlerts(
      c.services.alerts.list({ severity: ['warning', 'error', 'critical'], state: ['open'], limit: TRAY_ALERTS + 1 }),
    )
  }
  showAlerts()
  core.events.on('data:changed', (c) => {
    if (c.tables.some((t) => t === 'settings' || t === 'automation_rules' || t === 'changes')) showAutomation()
    if (c.tables.includes('alerts')) showAlerts()
  })
  showWindow()
  const stopUpdater = startUpdater()
  app.on('before-quit', () => {
    quitting = true
    stopUpdater()
  })
  app.on('will-quit', (e) => {
    if (core) {
      e.preventDefault()
      const c = core
      core = null
      void c.close().finally(() => app.exit(0))
    }
  })
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => showWindow())
  app.on('activate', () => showWindow())
  app.on('window-all-closed', () => {
    // Stay in the tray on every OS.
  })
  void start()
}
