import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_SETTINGS, SettingsSchema, type Settings } from '../../../shared/domain/settings'
import type { HostKind, Notification, Platform, SecretStore, SettingsStore } from './types'
import { systemClock } from './clock'
import { ensurePrivateDir, tightenDataDir, writeFileAtomic } from './private-files'
import { startNodeErrorReporter } from './sentry-node'
import {
  resolveSecretsKey,
  SecretsKeyError,
  type KeyOptions,
  type ResolvedKey,
  type SecretsProtection,
} from './secrets-key'

/** The OS app-data folder for Marketing Engine, unless ME_DATA_DIR names another. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ME_DATA_DIR) return resolve(env.ME_DATA_DIR)
  const home = homedir()
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Marketing Engine')
  if (process.platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Marketing Engine')
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Marketing Engine')
}

/** The repository's `resources/` folder when running from source. */
export function sourceResourcesDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../resources')
}

/**
 * Secrets in an AES-256-GCM encrypted JSON file (`secrets.enc`, 0600). Its key is never beside it:
 * it comes from the OS keychain, a passphrase (ME_SECRETS_PASSPHRASE), or, with a warning, a key
 * file outside the data folder (see `resolveSecretsKey`). Every write replaces the file atomically.
 */
export class EncryptedFileSecretStore implements SecretStore {
  private readonly file: string
  private resolved: ResolvedKey | null = null
  private committed = false
  constructor(
    private readonly dir: string,
    private readonly keyOptions: Omit<KeyOptions, 'dataDir'> = {},
  ) {
    ensurePrivateDir(dir)
    this.file = join(dir, 'secrets.enc')
  }

  private resolve(): ResolvedKey {
    this.resolved ??= resolveSecretsKey({ dataDir: this.dir, ...this.keyOptions })
    return this.resolved
  }

  /** How the secrets are protected (resolves the key source without writing anything). */
  protection(): SecretsProtection {
    return this.resolve().protection
  }

  private decrypt(buf: Buffer, key: Buffer): Record<string, string> {
    const iv = buf.subarray(0, 12)
    const tag = buf.subarray(12, 28)
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
    decipher.setAuthTag(tag)
    const plain = Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()])
    return JSON.parse(plain.toString('utf8')) as Record<string, string>
  }

  private readAll(): Record<string, string> {
    if (!existsSync(this.file)) return {}
    const r = this.resolve()
    const buf = readFileSync(this.file)
    try {
      return this.decrypt(buf, r.fresh && r.legacyKey ? r.legacyKey : r.key)
    } catch {
      throw new SecretsKeyError(
        r.fresh && !r.legacyKey
          ? `${this.file} exists but there is no record of its key (secrets.meta.json): move it aside and reconnect your platforms`
          : `${this.file} could not be decrypted: it is damaged or the key (${r.protection.where}) is not the one it was written with`,
      )
    }
  }

  private writeAll(all: Record<string, string>): void {
    const r = this.resolve()
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', r.key, iv)
    const body = Buffer.concat([cipher.update(JSON.stringify(all), 'utf8'), cipher.final()])
    writeFileAtomic(this.file, Buffer.concat([iv, cipher.getAuthTag(), body]))
    if (r.fresh && !this.committed) {
      // Only now, with secrets.enc written under the new key, record the source and drop the old key file.
      r.commit()
      this.committed = true
      if (r.legacyKeyFile) rmSync(r.legacyKeyFile, { force: true })
    }
  }

  async get(ref: string): Promise<string | null> {
    return this.readAll()[ref] ?? null
  }
  async set(ref: string, value: string): Promise<void> {
    this.writeAll({ ...this.readAll(), [ref]: value })
  }
  async delete(ref: string): Promise<void> {
    const all = this.readAll()
    if (!(ref in all)) return
    delete all[ref]
    this.writeAll(all)
  }
}

/** Secrets kept in memory only (tests). */
export class MemorySecretStore implements SecretStore {
  private readonly map = new Map<string, string>()
  async get(ref: string): Promise<string | null> {
    return this.map.get(ref) ?? null
  }
  async set(ref: string, value: string): Promise<void> {
    this.map.set(ref, value)
  }
  async delete(ref: string): Promise<void> {
    this.map.delete(ref)
  }
  protection(): SecretsProtection {
    return { backend: 'memory', strong: true, where: 'memory (this process only)', warning: null }
  }
}

/** Settings in `settings.json`; an invalid file is reported, kept aside and replaced by defaults. */
export class JsonFileSettingsStore implements SettingsStore {
  private current: Settings
  constructor(private readonly file: string | null) {
    this.current = this.load()
  }
  private load(): Settings {
    if (!this.file || !existsSync(this.file)) return { ...DEFAULT_SETTINGS }
    const raw = readFileSync(this.file, 'utf8')
    let parsed: unknown
    try {
      parsed = JSON.parse(raw)
    } catch {
      parsed = undefined
    }
    const result = SettingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...(parsed as object) })
    if (result.success) return result.data
    // Keep the broken file for the user to inspect rather than silently overwriting it.
    renameSync(this.file, `${this.file}.invalid-${systemClock.now().getTime()}`)
    console.warn(`settings: ${this.file} was invalid and was set aside: ${result.error.issues[0]?.message}`)
    return { ...DEFAULT_SETTINGS }
  }
  get(): Settings {
    return { ...this.current }
  }
  set(next: Settings): void {
    this.current = SettingsSchema.parse(next)
    if (this.file) writeFileAtomic(this.file, JSON.stringify(this.current, null, 2))
  }
}

export interface NodePlatformOptions {
  host: HostKind
  dataDir?: string
  resourcesDir?: string
  /** Keep secrets and settings in memory (tests). */
  ephemeral?: boolean
  now?: () => Date
  version?: string
}

/** A Node platform with what it recorded, for tests and the web host to inspect. */
export interface NodePlatform extends Platform {
  notifications: Notification[]
  badge: { count: number; tooltip: string }
  opened: string[]
  /** Files tests asked the desktop to open (only the 'test' host pretends to be a desktop). */
  openedPaths: string[]
  /** Simulate a wake from sleep (tests). */
  emitResume(): void
}

/** The Platform used by tests, the browser preview and the CLI. */
export function createNodePlatform(opts: NodePlatformOptions): NodePlatform {
  const dataDir = opts.dataDir ?? defaultDataDir()
  if (!opts.ephemeral) {
    ensurePrivateDir(dataDir)
    tightenDataDir(dataDir)
  }
  const power = new EventEmitter()
  const notifications: Notification[] = []
  const opened: string[] = []
  const openedPaths: string[] = []
  const platform: NodePlatform = {
    host: opts.host,
    appName: 'Marketing Engine',
    appVersion: opts.version ?? process.env.npm_package_version ?? '0.1.0',
    paths: { dataDir, resourcesDir: opts.resourcesDir ?? sourceResourcesDir() },
    secrets: opts.ephemeral ? new MemorySecretStore() : new EncryptedFileSecretStore(dataDir),
    settings: new JsonFileSettingsStore(opts.ephemeral ? null : join(dataDir, 'settings.json')),
    notifications,
    badge: { count: 0, tooltip: '' },
    opened,
    notify(n) {
      notifications.push(n)
    },
    setBadge(count, tooltip) {
      platform.badge = { count, tooltip }
    },
    clock: opts.now ? { now: opts.now } : systemClock,
    async openExternal(url) {
      opened.push(url)
    },
    ...(opts.host === 'test'
      ? {
          async openPath(path: string) {
            openedPaths.push(path)
          },
        }
      : {}),
    openedPaths,
    onResume(cb) {
      power.on('resume', cb)
      return () => power.off('resume', cb)
    },
    emitResume() {
      power.emit('resume')
    },
    startErrorReporter: startNodeErrorReporter,
  }
  return platform
}
