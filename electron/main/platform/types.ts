import type { Settings } from '../../../shared/domain/settings'
import type { Clock } from './clock'
import type { SecretsProtection } from './secrets-key'

export type { SecretsProtection }

/** Where a core runs: the desktop app, the browser preview host, the CLI, or a test. */
export type HostKind = 'electron' | 'web' | 'cli' | 'test'

/** Encrypted secret storage (safeStorage in Electron, an owner-only encrypted file under Node). */
export interface SecretStore {
  get(ref: string): Promise<string | null>
  set(ref: string, value: string): Promise<void>
  delete(ref: string): Promise<void>
  /** How well the secrets are protected (doctor, Settings): a weak backend comes with a warning. */
  protection(): SecretsProtection
  /** Where protection is weak but usable (Electron's basic_text): the user chose to proceed. */
  acceptWeakProtection?(at: Date): void
}

/** Persisted user settings (electron-store in Electron, a JSON file under Node). */
export interface SettingsStore {
  get(): Settings
  set(next: Settings): void
}

export interface Notification {
  title: string
  body: string
  /** App route to open when the notification is clicked (`/alerts?id=3`). */
  link?: string
}

/** A Sentry event as the seam sees it (the SDKs' own types stay behind it). */
export type ErrorReportEvent = Record<string, unknown>

export interface ErrorReporterOptions {
  dsn: string
  release: string
  environment: string
  /** Runs on every event before it leaves (secrets, user and host names scrubbed); null drops it. */
  beforeSend(event: ErrorReportEvent): ErrorReportEvent | null
}

/** One error to report: what happened, and tags saying where (origin, host, route). */
export interface ErrorReportInput {
  error: Error
  tags: Record<string, string>
}

/** A started Sentry client (see `Platform.startErrorReporter`). */
export interface ErrorReporter {
  capture(r: ErrorReportInput): void
  /** Wait until what was captured has been sent (or `timeoutMs` passed). */
  flush(timeoutMs: number): Promise<boolean>
  /** Flush and stop; nothing is sent afterwards. */
  close(timeoutMs: number): Promise<void>
}

/**
 * Everything the core needs from its host. The core never imports `electron`; the Electron
 * shell passes an implementation of this interface in.
 */
export interface Platform {
  host: HostKind
  appName: string
  appVersion: string
  paths: {
    /** Folder of the SQLite store, secrets and settings. */
    dataDir: string
    /** Folder holding `migrations/`, `benchmarks/` and other shipped resources. */
    resourcesDir: string
  }
  secrets: SecretStore
  settings: SettingsStore
  /** Native notification (no-op or a log line off the desktop). */
  notify(n: Notification): void
  /** Tray badge and tooltip (unread alerts, last sync). */
  setBadge(count: number, tooltip: string): void
  clock: Clock
  openExternal(url: string): Promise<void>
  /**
   * Open a local file with the system's default app (a generated PDF). Only the desktop app can:
   * absent in the browser preview and the CLI, whose user is not at this process's screen.
   */
  openPath?(path: string): Promise<void>
  /** Subscribe to wake-from-sleep; returns an unsubscribe function. */
  onResume(cb: () => void): () => void
  /**
   * Start a Sentry client (only ever called once the user entered a DSN): `@sentry/electron` in
   * the desktop app (main-process errors and native crashes of every process), `@sentry/node`
   * under Node. The SDK is loaded on this call, never before.
   */
  startErrorReporter(opts: ErrorReporterOptions): Promise<ErrorReporter>
}
