/**
 * A SQLite failure in plain words with what to do, for callers (pages, the CLI) that would otherwise
 * show "SQLITE_BUSY: database is locked" or "too many SQL variables". The raw error stays in the log.
 */
export function plainStoreError(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return 'The data store is busy with other work (a sync, an import or a backup). Try again in a moment.'
  if (code.startsWith('SQLITE_FULL'))
    return 'The disk holding your data is full. Free some space, then try again; nothing was changed.'
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB'))
    return 'The data store is damaged. Restore a backup in Settings › Backups (or `npm run cli -- backups list`, then `restore FILE`).'
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR'))
    return 'The data store cannot be read or written (check the data folder’s permissions and free disk space), then try again.'
  return `The data store could not answer this request (${code}). Try again; if it keeps failing, run \`npm run cli -- doctor\` and send its report.`
}
