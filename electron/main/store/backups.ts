import Database from 'better-sqlite3'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import type { Sqlite } from './connect'

/** How a backup came to be: the daily schedule, a user's request, or the copy taken before a restore. */
export type BackupKind = 'daily' | 'manual' | 'pre-restore'

export interface BackupInfo {
  file: string
  path: string
  kind: BackupKind
  bytes: number
  /** ISO time the backup was taken (from its name). */
  createdAt: string
}

/** How many automatic backups to keep (Settings › Backups, or ME_BACKUP_KEEP_DAILY / ME_BACKUP_KEEP_WEEKLY). */
export interface Retention {
  daily: number
  weekly: number
}

const NAME = /^marketing-engine-(\d{8}T\d{6}Z)-(daily|manual|pre-restore)\.db$/

/** The data folder's backup folder. */
export function backupsDir(dbPath: string): string {
  return join(dirname(dbPath), 'backups')
}

function stampOf(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
}

function isoOf(stamp: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp) as RegExpExecArray
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`
}

/** `PRAGMA integrity_check` of a database file, opened read-only: 'ok' or what is wrong. */
export function checkFile(path: string): string {
  let st
  try {
    st = statSync(path)
  } catch {
    return 'the file does not exist'
  }
  if (st.size === 0) return 'the file is empty (0 bytes)'
  let db: Sqlite | null = null
  try {
    db = new Database(path, { readonly: true, fileMustExist: true })
    const rows = db.pragma('integrity_check') as { integrity_check: string }[]
    const msg = rows.map((r) => r.integrity_check).join('; ')
    return msg === 'ok' ? 'ok' : msg
  } catch (err) {
    return (err as Error).message
  } finally {
    db?.close()
  }
}

/**
 * Copy the live store with SQLite's online backup API (consistent under WAL, other work goes on
 * between its steps), make it owner-only, and verify the copy with integrity_check; a copy that
 * fails the check is deleted and the call throws.
 */
export async function createBackup(sqlite: Sqlite, target: string): Promise<void> {
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 })
  const part = `${target}.part`
  rmSync(part, { force: true })
  await sqlite.backup(part)
  chmodSync(part, 0o600)
  // A backup is one self-contained file: out of WAL mode, so reading it (the check below, a
  // restore) leaves no -wal/-shm files beside it.
  const copy = new Database(part)
  try {
    copy.pragma('journal_mode = DELETE')
  } finally {
    copy.close()
  }
  for (const suffix of ['-wal', '-shm']) rmSync(part + suffix, { force: true })
  const check = checkFile(part)
  if (check !== 'ok') {
    rmSync(part, { force: true })
    throw new Error(`The backup copy failed its integrity check (${check}); nothing was kept`)
  }
  renameSync(part, target)
}

/** Take a backup into the backup folder; returns it. */
export async function backupNow(sqlite: Sqlite, dbPath: string, kind: BackupKind, at: Date): Promise<BackupInfo> {
  const file = `marketing-engine-${stampOf(at)}-${kind}.db`
  const path = join(backupsDir(dbPath), file)
  await createBackup(sqlite, path)
  return { file, path, kind, bytes: statSync(path).size, createdAt: isoOf(stampOf(at)) }
}

/** The backups in the folder, newest first. */
export function listBackups(dbPath: string): BackupInfo[] {
  const dir = backupsDir(dbPath)
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  const out: BackupInfo[] = []
  for (const file of names) {
    const m = NAME.exec(file)
    if (!m) continue
    const path = join(dir, file)
    out.push({ file, path, kind: m[2] as BackupKind, bytes: statSync(path).size, createdAt: isoOf(m[1] as string) })
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
}

/** The newest backup that passes integrity_check, or null. */
export function newestGoodBackup(dbPath: string): BackupInfo | null {
  for (const b of listBackups(dbPath)) if (checkFile(b.path) === 'ok') return b
  return null
}

/** Monday of the ISO week of a date (YYYY-MM-DD). */
function weekOf(iso: string): string {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7))
  return d.toISOString().slice(0, 10)
}

/**
 * Keep the newest daily backup of each of the last `daily` days that have one, then the newest of
 * each of the `weekly` weeks (Monday-based) before those; delete the other daily backups. Manual and
 * pre-restore backups are the user's and are never pruned. Returns the deleted files.
 */
export function pruneBackups(dbPath: string, keep: Retention): string[] {
  const daily = listBackups(dbPath).filter((b) => b.kind === 'daily')
  const perDay: BackupInfo[] = []
  const days = new Set<string>()
  for (const b of daily) {
    const day = b.createdAt.slice(0, 10)
    if (!days.has(day)) {
      days.add(day)
      perDay.push(b)
    }
  }
  const kept = new Set(perDay.slice(0, keep.daily).map((b) => b.file))
  const weeks = new Set<string>()
  for (const b of perDay.slice(keep.daily)) {
    const week = weekOf(b.createdAt)
    if (weeks.has(week) || weeks.size >= keep.weekly) continue
    weeks.add(week)
    kept.add(b.file)
  }
  const removed: string[] = []
  for (const b of daily)
    if (!kept.has(b.file)) {
      rmSync(b.path, { force: true })
      removed.push(b.file)
    }
  return removed
}

/** Why a store cannot be opened, with the way back (the newest good backup and how to restore it). */
export class StoreDamagedError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly backup: BackupInfo | null,
  ) {
    const where = backup
      ? `The newest good backup is ${backup.path} (taken ${backup.createdAt}). Restore it with \`npm run cli -- restore "${backup.path}"\` or the Restore button the app offers; the damaged file is moved aside, not deleted.`
      : `There is no good backup in ${backupsDir(path)}. The file was left as it is: move it aside to start with an empty store, or restore a copy of your own with \`npm run cli -- restore FILE\`.`
    super(`The database ${path} cannot be used: ${problem}. ${where}`)
    this.name = 'StoreDamagedError'
  }
}

/** A zero-length or damaged store, checked before the store is opened (opening an empty file would create a new store). */
export function checkBeforeOpen(dbPath: string): void {
  if (!existsSync(dbPath)) return
  if (statSync(dbPath).size === 0)
    throw new StoreDamagedError(dbPath, 'the file is empty (0 bytes); it was not replaced', newestGoodBackup(dbPath))
}

/**
 * Restore a backup over the store at `dbPath` (the store must not be open in this process): the
 * backup is verified first, the current file and its WAL/SHM are moved aside next to it (never
 * deleted), then the backup is copied in (0600). Returns the moved-aside path, if there was a file.
 */
export function restoreBackup(dbPath: string, backupFile: string, at: Date): { movedAside: string | null } {
  const src = resolve(backupFile)
  const check = checkFile(src)
  if (check !== 'ok') throw new Error(`${src} is not a good backup: ${check}`)
  if (resolve(dbPath) === src) throw new Error('The backup is the store itself')
  let movedAside: string | null = null
  const aside = `${dbPath}.replaced-${stampOf(at)}`
  for (const suffix of ['', '-wal', '-shm']) {
    if (!existsSync(dbPath + suffix)) continue
    renameSync(dbPath + suffix, aside + suffix)
    if (suffix === '') movedAside = aside
  }
  mkdirSync(dirname(dbPath), { recursive: true })
  copyFileSync(src, `${dbPath}.restoring`)
  chmodSync(`${dbPath}.restoring`, 0o600)
  renameSync(`${dbPath}.restoring`, dbPath)
  return { movedAside }
}

/** A restore the app asked for while the store was open: done at the next start, before opening. */
export function pendingRestoreFile(dbPath: string): string {
  return join(dirname(dbPath), `${basename(dbPath)}.restore-pending`)
}
