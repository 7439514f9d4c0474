import { app, Notification as ElectronNotification, powerMonitor, safeStorage, shell } from 'electron'
import Store from 'electron-store'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { appRouteOf } from '../tray-menu'
import { DEFAULT_SETTINGS, SettingsSchema, type Settings } from '../../../shared/domain/settings'
import type {
  ErrorReporter,
  ErrorReporterOptions,
  Platform,
  SecretStore,
  SecretsProtection,
  SettingsStore,
} from './types'
import { ensurePrivateDir, tightenDataDir, writeFileAtomic } from './private-files'
import {
  decideSafeStorage,
  readWeakAcceptance,
  recordWeakAcceptance,
  type SafeStorageDecision,
  type SafeStorageFacts,
} from './safe-storage-policy'
import { systemClock } from './clock'

/**
 * Secrets encrypted with safeStorage (the OS keychain), in an owner-only file replaced atomically.
 * On Linux without a keyring safeStorage falls back to a fixed key (`basic_text`): that is reported
 * as weak and nothing is written until the user chose to proceed (see `decideSafeStorage`).
 */
class SafeStorageSecrets implements SecretStore {
  private readonly file: string
  constructor(private readonly dir: string) {
    this.file = join(dir, 'secrets.safe.json')
  }
  private facts(): SafeStorageFacts {
    const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null
    return {
      os: process.platform,
      encryptionAvailable: safeStorage.isEncryptionAvailable(),
      backend,
      acceptedWeak: readWeakAcceptance(this.dir, backend),
    }
  }
  decision(): SafeStorageDecision {
    return decideSafeStorage(this.facts())
  }
  protection(): SecretsProtection {
    return this.decision().protection
  }
  acceptWeakProtection(at: Date): void {
    recordWeakAcceptance(this.dir, this.facts().backend, at)
  }
  private read(): Record<string, string> {
    if (!existsSync(this.file)) return {}
    return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>
  }
  private write(all: Record<string, string>): void {
    writeFileAtomic(this.file, JSON.stringify(all))
  }
  async get(ref: string): Promise<string | null> {
    const v = this.read()[ref]
    return v ? safeStorage.decryptString(Buffer.from(v, 'base64')) : null
  }
  async set(ref: string, value: string): Promise<void> {
    const d = this.decision()
    if (!d.allowWrites) throw new Error(d.protection.warning ?? 'Secrets cannot be saved on this system')
    this.write({ ...this.read(), [ref]: safeStorage.encryptString(value).toString('base64') })
  }
  async delete(ref: string): Promise<void> {
    const all = this.read()
    if (!(ref in all)) return
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
      backupKeepDaily: { type: 'integer', minimum: 1, maximum: 365 },
      backupKeepWeekly: { type: 'integer', minimum: 0, maximum: 104 },
      errorReportingDsn: { type: ['string', 'null'], maxLength: 500 },
    },
    clearInvalidConfig: true,
    // Owner-only, like every file in the data folder.
    configFileMode: 0o600,
  })
  get(): Settings {
    return SettingsSchema.parse({ ...DEFAULT_SETTINGS, ...this.store.store })
  }
  set(next: Settings): void {
    this.store.set(SettingsSchema.parse(next))
  }
}

const ALLOWED_EXTERNAL = /^https:\/\//

/**
 * Integrations of `@sentry/electron` left out: the app reports uncaught errors and rejections itself
 * (logged, raised as alerts, then sent), the renderer reports through the app's own IPC
 * (`diagnostics:reportError`) so no preload is injected into its sandbox, and nothing that would
 * send more than the error: screenshots, console lines, local variables, network breadcrumbs,
 * session pings.
 */
const SENTRY_LEFT_OUT = new Set([
  'OnUncaughtException',
  'OnUnhandledRejection',
  'PreloadInjection',
  'Screenshots',
  'Console',
  'LocalVariables',
  'ElectronNet',
  'MainProcessSession',
  'RendererEventLoopBlock',
])

/**
 * The desktop app's error reporting: `@sentry/electron` in the main process (errors handed to
 * `capture`, and native crash reports of the main, renderer and GPU processes through its minidump
 * integration). Its client is process-wide: a new DSN closes the old client first (the core does).
 */
async function startElectronErrorReporter(opts: ErrorReporterOptions): Promise<ErrorReporter> {
  const Sentry = await import('@sentry/electron/main')
  Sentry.init({
    dsn: opts.dsn,
    release: opts.release,
    environment: opts.environment,
    ipcMode: Sentry.IPCMode.Classic,
    sendDefaultPii: false,
    integrations: (defaults) => defaults.filter((i) => !SENTRY_LEFT_OUT.has(i.name)),
    beforeSend: (event) => opts.beforeSend(event as unknown as Record<string, unknown>) as typeof event | null,
  })
  return {
    capture({ error, tags }) {
      Sentry.withScope((scope) => {
        scope.setTags(tags)
        Sentry.captureException(error)
      })
    },
    flush: (ms) => Sentry.flush(ms),
    async close(ms) {
      await Sentry.close(ms)
    },
  }
}

/** The Platform of the desktop app. */
export function createElectronPlatform(opts: {
  resourcesDir: string
  setBadge: (count: number, tooltip: string) => void
  /** Show the window at an app route (a clicked notification). */
  openLink?: (link: string) => void
}): Platform {
  const dataDir = process.env.ME_DATA_DIR ?? app.getPath('userData')
  ensurePrivateDir(dataDir)
  tightenDataDir(dataDir)
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
      const link = appRouteOf(n.link)
      // Held until clicked or closed: a collected notification loses its click handler.
      live.add(shown)
      shown.on('click', () => {
        live.delete(shown)
        opts.openLink?.(link)
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
    async openPath(path) {
      // shell.openPath resolves with an error message ('' when the file opened).
      const error = await shell.openPath(path)
      if (error) throw new Error(`The system could not open ${path}: ${error}`)
    },
    onResume(cb) {
      powerMonitor.on('resume', cb)
      return () => powerMonitor.off('resume', cb)
    },
    startErrorReporter: startElectronErrorReporter,
  }
}
