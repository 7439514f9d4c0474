import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import * as schema from './schema'
import { applyPragmas, connectStore, type Sqlite } from './connect'
import { rebuildMissingAdMonths } from './repos/ad-month-rollup'
import { rebuildMissingCampaignCum } from './repos/cumulative-rollup'
import { checkBeforeOpen, newestGoodBackup, pendingRestoreFile, restoreBackup, StoreDamagedError } from './backups'
import { CHECK_AT_OPEN_MAX_BYTES, forgetIntegrityFailure, integrityFailedBefore } from './integrity-check'

export { StoreDamagedError }
import { systemClock, type Clock } from '../platform/clock'
import { ensurePrivateDir, makePrivate } from '../platform/private-files'

export type { Sqlite }
export { connectStore }
export type Db = BetterSQLite3Database<typeof schema>

export interface Store {
  sqlite: Sqlite
  db: Db
  path: string
  /** Number of migrations applied (the schema version). */
  schemaVersion: number
  /** Path of the backup taken before migrating, when one was needed. */
  backupPath: string | null
  /** The integrity check was left to the `store:check` job (a large store; see integrity-check.ts). */
  integrityDeferred: boolean
  close(): void
}

/** The store failed its integrity check or is not a database; the message names the newest good backup. */
export class StoreCorruptError extends StoreDamagedError {
  constructor(path: string, detail: string) {
    super(path, `it failed its integrity check (${detail})`, newestGoodBackup(path))
    this.name = 'StoreCorruptError'
  }
}

interface Journal {
  entries: { idx: number; tag: string; when: number }[]
}

function readJournal(migrationsFolder: string): Journal {
  const file = join(migrationsFolder, 'meta', '_journal.json')
  if (!existsSync(file)) throw new Error(`No migrations found at ${migrationsFolder}`)
  return JSON.parse(readFileSync(file, 'utf8')) as Journal
}

function appliedMigrations(sqlite: Sqlite): number {
  const table = sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type='table' AND name='__drizzle_migrations'")
    .get()
  if (!table) return 0
  return (sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n
}

function hasUserTables(sqlite: Sqlite): boolean {
  return !!sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' LIMIT 1").get()
}

const KEEP_BACKUPS = 3

/** Consistent copy of a live database (VACUUM INTO works with WAL and never copies a torn file). */
function backupBeforeMigrate(sqlite: Sqlite, path: string, fromVersion: number, now: Date): string {
  const dir = dirname(path)
  const stamp = now.toISOString().replace(/[:.]/g, '-')
  const target = join(dir, `${basename(path)}.backup-v${fromVersion}-${stamp}`)
  // Written under another name and renamed when whole: a backup cut short (the app quit, the disk
  // full) is never counted among the three kept, so it never pushes a good one out.
  const prefix = `${basename(path)}.backup-`
  for (const f of readdirSync(dir))
    if (f.startsWith(prefix) && f.endsWith('.partial')) rmSync(join(dir, f), { force: true })
  sqlite.prepare('VACUUM INTO ?').run(`${target}.partial`)
  renameSync(`${target}.partial`, target)
  const old = readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && !f.endsWith('.partial'))
    .sort()
  for (const f of old.slice(0, Math.max(0, old.length - KEEP_BACKUPS))) rmSync(join(dir, f), { force: true })
  return target
}

/** SQLite's "not a database" and "malformed" errors as a StoreCorruptError that names the way back. */
function damaged(path: string, err: unknown): Error {
  const code = (err as { code?: string }).code ?? ''
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB'))
    return new StoreCorruptError(path, (err as Error).message)
  return err as Error
}

/** A restore the app scheduled (`backups:restore`): done before the store is opened. */
function applyPendingRestore(path: string, now: Date): void {
  const marker = pendingRestoreFile(path)
  if (!existsSync(marker)) return
  const file = readFileSync(marker, 'utf8').trim()
  restoreBackup(path, file, now)
  rmSync(marker, { force: true })
}

export interface OpenOptions {
  /** File path, or ':memory:' for tests. */
  path: string
  migrationsFolder: string
  /** The clock that stamps the pre-migration backup's name (the core passes platform.clock). */
  clock?: Clock
  /**
   * Run PRAGMA integrity_check on open (default true for files): in full for stores up to
   * CHECK_AT_OPEN_MAX_BYTES and after a background check found damage; larger stores are left to
   * the `store:check` job (`Store.integrityDeferred`).
   */
  integrityCheck?: boolean
  /** Largest store checked in full while opening (default CHECK_AT_OPEN_MAX_BYTES; tests lower it). */
  checkAtOpenMaxBytes?: number
}

/**
 * Open the store: pragmas, integrity check, a backup when migrations are pending on an existing
 * database, then the drizzle-kit migrations. Must finish before any IPC handler is registered.
 */
export function openStore(opts: OpenOptions): Store {
  const memory = opts.path === ':memory:'
  if (!memory) {
    ensurePrivateDir(dirname(opts.path))
    applyPendingRestore(opts.path, (opts.clock ?? systemClock).now())
    checkBeforeOpen(opts.path)
  }
  let sqlite: Sqlite
  try {
    sqlite = new Database(opts.path)
  } catch (err) {
    throw damaged(opts.path, err)
  }
  try {
    try {
      applyPragmas(sqlite, memory)
    } catch (err) {
      throw damaged(opts.path, err)
    }
    // Owner-only: SQLite gives the WAL and SHM files it creates later the database file's mode.
    if (!memory) for (const suffix of ['', '-wal', '-shm']) makePrivate(opts.path + suffix)
    const failedBefore = !memory && integrityFailedBefore(opts.path)
    const integrityDeferred =
      !memory &&
      (opts.integrityCheck ?? true) &&
      !failedBefore &&
      statSync(opts.path).size > (opts.checkAtOpenMaxBytes ?? CHECK_AT_OPEN_MAX_BYTES)
    if (!memory && (opts.integrityCheck ?? true) && !integrityDeferred) {
      let rows: { integrity_check: string }[]
      try {
        rows = sqlite.pragma('integrity_check') as { integrity_check: string }[]
      } catch (err) {
        throw damaged(opts.path, err)
      }
      const first = rows[0]?.integrity_check
      if (first !== 'ok') throw new StoreCorruptError(opts.path, rows.map((r) => r.integrity_check).join('; '))
      if (failedBefore) forgetIntegrityFailure(opts.path)
    }
    const journal = readJournal(opts.migrationsFolder)
    const applied = appliedMigrations(sqlite)
    let backupPath: string | null = null
    if (!memory && applied < journal.entries.length && hasUserTables(sqlite)) {
      backupPath = backupBeforeMigrate(sqlite, opts.path, applied, (opts.clock ?? systemClock).now())
    }
    const db = drizzle(sqlite, { schema })
    migrate(db, { migrationsFolder: opts.migrationsFolder })
    // Data a migration cannot compute in SQL (0004 packs the running totals into blobs; 0016 drops
    // them to restart every month).
    if (appliedMigrations(sqlite) >= 5) rebuildMissingCampaignCum(sqlite)
    // 0015 adds the per-ad monthly sums empty: built from the rows once.
    if (appliedMigrations(sqlite) >= 16) rebuildMissingAdMonths(sqlite)
    // 0021 adds each ad's packed days empty and 0022 marks the accounts to build: the `store:upgrade`
    // job builds them after the start (7.5 s before the window on the 12.4M-row demo when built here).
    return {
      sqlite,
      db,
      path: opts.path,
      schemaVersion: appliedMigrations(sqlite),
      backupPath,
      integrityDeferred,
      close: () => {
        if (sqlite.open) {
          if (!memory) sqlite.pragma('wal_checkpoint(TRUNCATE)')
          sqlite.close()
        }
      },
    }
  } catch (err) {
    sqlite.close()
    throw err
  }
}

/**
 * Whether opening the store at `path` will back it up and migrate it (or restore a backup first): a
 * file with the app's tables and fewer migrations applied than this version has. Read-only and cheap,
 * so the desktop app can show its "updating" window first (the backup alone takes ~6.5 s on a 1 GB
 * store). A file that cannot be read answers false: opening it reports what is wrong.
 */
export function storeNeedsUpgrade(path: string, migrationsFolder: string): boolean {
  if (path === ':memory:') return false
  if (existsSync(pendingRestoreFile(path))) return true
  if (!existsSync(path)) return false
  let sqlite: Sqlite | null = null
  try {
    sqlite = new Database(path, { readonly: true, fileMustExist: true })
    return hasUserTables(sqlite) && appliedMigrations(sqlite) < readJournal(migrationsFolder).entries.length
  } catch {
    return false
  } finally {
    sqlite?.close()
  }
}
