import { app, dialog } from 'electron'
import electronUpdater from 'electron-updater'

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Auto-update through electron-updater (provider in electron-builder.yml): check at start and
 * daily, download in the background, then offer "Restart to update". Off in development.
 */
export function startUpdater(): () => void {
  if (!app.isPackaged || process.env.ME_DISABLE_UPDATES === '1') return () => undefined
  const { autoUpdater } = electronUpdater
  autoUpdater.autoDownload = true
  autoUpdater.autoInstallOnAppQuit = true
  autoUpdater.on('error', (err) => console.error('[updater]', err.message))
  autoUpdater.on('update-downloaded', (info) => {
    void dialog
      .showMessageBox({
        type: 'info',
        buttons: ['Restart to update', 'Later'],
        defaultId: 0,
        cancelId: 1,
        title: 'Update ready',
        message: `Marketing Engine ${info.version} is ready to install.`,
        detail: 'Restart now to finish updating, or it will install the next time you quit.',
      })
      .then(({ response }) => {
        if (response === 0) autoUpdater.quitAndInstall()
      })
  })
  const check = (): void => {
    autoUpdater.checkForUpdates().catch((err: unknown) => console.error('[updater] check failed', err))
  }
  check()
  const timer = setInterval(check, DAY_MS)
  return () => clearInterval(timer)
}
