import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_SETTINGS, SettingsSchema, type Settings } from '../../../shared/domain/settings'
import type { HostKind, Notification, Platform, SecretStore, SettingsStore } from './types'
import { systemClock } from './clock'

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

function writeAtomic(path: string, data: string | Buffer, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, data, { mode })
  renameSync(tmp, path)
  chmodSync(path, mode)
}

/**
 * Secrets in an AES-256-GCM encrypted JSON file, its key in a separate owner-only file. Not as
 * strong as the OS keychain (Electron's safeStorage), but never plain text on disk.
 */
export class EncryptedFileSecretStore implements SecretStore {
  private readonly file: string
  private readonly keyFile: string
  constructor(dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    this.file = join(dir, 'secrets.enc')
    this.keyFile = join(dir, 'secrets.key')
  }

  private key(): Buffer {
    if (!existsSync(this.keyFile)) writeAtomic(this.keyFile, randomBytes(32))
    const key = readFileSync(this.keyFile)
    if (key.length !== 32) throw new Error(`Secret key file ${this.keyFile} is damaged (expected 32 bytes)`)
    return key
  }

  private readAll(): Record<string, string> {
    if (!existsSync(this.file)) return {}
    const buf = readFileSync(this.file)
    const iv = buf.subarray(0, 12)
    const tag = buf.subarray(12, 28)
    const decipher = createDecipheriv('aes-256-gcm', this.key(), iv)
    decipher.setAuthTag(tag)
    const plain = Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()])
    return JSON.parse(plain.toString('utf8')) as Record<string, string>
  }

  private writeAll(all: Record<string, string>): void {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key(), iv)
    const body = Buffer.concat([cipher.update(JSON.stringify(all), 'utf8'), cipher.final()])
    writeAtomic(this.file, Buffer.concat([iv, cipher.getAuthTag(), body]))
  }

  async get(ref: string): Promise<string | null> {
    return this.readAll()[ref] ?? null
  }
  async set(ref: string, value: string): Promise<void> {
    this.writeAll({ ...this.readAll(), [ref]: value })
  }
  async delete(ref: string): Promise<void> {
    const all = this.readAll()
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
    if (this.file) writeAtomic(this.file, JSON.stringify(this.current, null, 2), 0o644)
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
  /** Simulate a wake from sleep (tests). */
  emitResume(): void
}

/** The Platform used by tests, the browser preview and the CLI. */
export function createNodePlatform(opts: NodePlatformOptions): NodePlatform {
  const dataDir = opts.dataDir ?? defaultDataDir()
  if (!opts.ephemeral) mkdirSync(dataDir, { recursive: true })
  const power = new EventEmitter()
  const notifications: Notification[] = []
  const opened: string[] = []
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
    onResume(cb) {
      power.on('resume', cb)
      return () => power.off('resume', cb)
    },
    emitResume() {
      power.emit('resume')
    },
  }
  return platform
}
