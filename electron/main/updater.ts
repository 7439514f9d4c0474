import { app, dialog } from 'electron'
import electronUpdater from 'electron-updater'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { feedUrlOfAppUpdateYml, updateFeedProblem } from './hardening-policy'

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Auto-update through electron-updater (provider in electron-builder.yml): check at start and
 * daily, download in the background, then offer "Restart to update". Off in development.
 */
export function startUpdater(): () => void {
  if (!app.isPackaged || process.env.ME_DISABLE_UPDATES === '1') return () => undefined
  // Updates come only over https: a feed the build or a tampered app-update.yml points elsewhere is refused.
  let yml = ''
  try {
    yml = readFileSync(join(process.resourcesPath, 'app-update.yml'), 'utf8')
  } catch {
    // no feed configured in this build
  }
  const problem = updateFeedProblem(feedUrlOfAppUpdateYml(yml))
  if (problem) {
    console.error(`[updater] updates are off: ${problem}`)
    return () => undefined
  }
  const { autoUpdater } = electronUpdater
  autoUpdater.forceDevUpdateConfig = false
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
