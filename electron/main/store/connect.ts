import Database from 'better-sqlite3'

/** A connection to the store (better-sqlite3). */
export type Sqlite = Database.Database

/**
 * The store's connection settings (every connection to the file uses them). Kept apart from the
 * ORM and the schema (db.ts) so a worker thread that only needs a connection loads nothing else.
 */
export function applyPragmas(sqlite: Sqlite, memory: boolean): void {
  if (!memory) sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('cache_size = -65536')
  sqlite.pragma('temp_store = MEMORY')
}

/**
 * A second connection to a store file that `openStore` already opened and migrated (e.g. the sync's
 * writer thread): the same settings, no checks, no migrations.
 */
export function connectStore(path: string): Sqlite {
  const sqlite = new Database(path)
  applyPragmas(sqlite, false)
  return sqlite
}

/**
 * A read-only connection to a store file another connection opened and migrated (a worker thread's
 * reads: a WAL snapshot per statement, never a writer).
 */
export function connectReadOnly(path: string): Sqlite {
  const sqlite = new Database(path, { readonly: true, fileMustExist: true })
  sqlite.pragma('busy_timeout = 5000')
  return sqlite
}

/** The connection's page cache setting (PRAGMA cache_size: negative = KiB, positive = pages). */
export function cacheSize(sqlite: Sqlite): number {
  return sqlite.pragma('cache_size', { simple: true }) as number
}

/** Set the connection's page cache (PRAGMA cache_size, same units as cacheSize). */
export function setCacheSize(sqlite: Sqlite, value: number): void {
  sqlite.pragma(`cache_size = ${Math.trunc(value)}`)
}

/** The connection's automatic checkpoint threshold in WAL pages (PRAGMA wal_autocheckpoint; 0 = off). */
export function walAutoCheckpoint(sqlite: Sqlite): number {
  return sqlite.pragma('wal_autocheckpoint', { simple: true }) as number
}

/** Set the connection's automatic checkpoint threshold (WAL pages; 0 = off). */
export function setWalAutoCheckpoint(sqlite: Sqlite, pages: number): void {
  sqlite.pragma(`wal_autocheckpoint = ${Math.max(0, Math.trunc(pages))}`)
}

/**
 * Free the connection's unused page cache and lookaside memory (PRAGMA shrink_memory): after big jobs,
 * so the memory release that follows can return those pages to the system (memory-release.ts). The
 * next reads fill the cache again from the OS's file cache.
 */
export function shrinkConnectionMemory(sqlite: Sqlite): void {
  if (sqlite.open) sqlite.pragma('shrink_memory')
}
