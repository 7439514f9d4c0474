import { app, Notification as ElectronNotification, powerMonitor, safeStorage, shell } from 'electron'
import Store from 'electron-store'
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { AppLinkSchema } from '../../../shared/domain/alerts'
import { DEFAULT_SETTINGS, SettingsSchema, type Settings } from '../../../shared/domain/settings'
import type { Platform, SecretStore, SettingsStore } from './types'
import { systemClock } from './clock'

/** Secrets encrypted with the OS keychain through safeStorage, stored in an owner-only file. */
class SafeStorageSecrets implements SecretStore {
  private readonly file: string
  constructor(dir: string) {
    this.file = join(dir, 'secrets.safe.json')
  }
  private read(): Record<string, string> {
    if (!existsSync(this.file)) return {}
    return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>
  }
  private write(all: Record<string, string>): void {
    writeFileSync(this.file, JSON.stringify(all), { mode: 0o600 })
    chmodSync(this.file, 0o600)
  }
  async get(ref: string): Promise<string | null> {
    const v = this.read()[ref]
    return v ? safeStorage.decryptString(Buffer.from(v, 'base64')) : null
  }
  async set(ref: string, value: string): Promise<void> {
    if (!safeStorage.isEncryptionAvailable()) throw new Error('The OS keychain is not available to encrypt secrets')
    this.write({ ...this.read(), [ref]: safeStorage.encryptString(value).toString('base64') })
  }
  async delete(ref: string): Promise<void> {
    const all = this.read()
    delete all[ref]
    this.write(all)
  }
}

/** Settings in electron-store with a JSON schema; invalid values are refused by the schema. */
class ElectronSettings implements SettingsStore {
  private readonly store = new Store<Settings>({
    name: 'settings',
    defaults: DEFAULT_SETTINGS,
    schema: {
      reportingCurrency: { type: 'string', pattern: '^[A-Z]{3}$' },
      syncIntervalHours: { type: 'integer', minimum: 0, maximum: 48 },
      theme: { type: 'string', enum: ['system', 'light', 'dark'] },
      notifications: { type: 'boolean' },
    },
    clearInvalidConfig: true,
  })
  get(): Settings {
    return SettingsSchema.parse({ ...DEFAULT_SETTINGS, ...this.store.store })
  }
  set(next: Settings): void {
    this.store.set(SettingsSchema.parse(next))
  }
}

const ALLOWED_EXTERNAL = /^https:\/\//

/** The Platform of the desktop app. */
export function createElectronPlatform(opts: {
  resourcesDir: string
  setBadge: (count: number, tooltip: string) => void
  /** Show the window at an app route (a clicked notification). */
  openLink?: (link: string) => void
}): Platform {
  const dataDir = process.env.ME_DATA_DIR ?? app.getPath('userData')
  mkdirSync(dataDir, { recursive: true })
  const live = new Set<ElectronNotification>()
  return {
    host: 'electron',
    appName: app.getName(),
    appVersion: app.getVersion(),
    paths: { dataDir, resourcesDir: opts.resourcesDir },
    secrets: new SafeStorageSecrets(dataDir),
    settings: new ElectronSettings(),
    notify(n) {
      if (!ElectronNotification.isSupported()) return
      const shown = new ElectronNotification({ title: n.title, body: n.body })
      // Only app routes (never a URL) are opened, and only inside the app's own window.
      const link = AppLinkSchema.safeParse(n.link ?? '/alerts')
      // Held until clicked or closed: a collected notification loses its click handler.
      live.add(shown)
      shown.on('click', () => {
        live.delete(shown)
        opts.openLink?.(link.success ? link.data : '/alerts')
      })
      shown.on('close', () => live.delete(shown))
      shown.show()
    },
    setBadge: opts.setBadge,
    clock: systemClock,
    async openExternal(url) {
      if (!ALLOWED_EXTERNAL.test(url)) throw new Error(`Refusing to open ${url}: only https links open outside the app`)
      await shell.openExternal(url)
    },
    onResume(cb) {
      powerMonitor.on('resume', cb)
      return () => powerMonitor.off('resume', cb)
    },
  }
}
