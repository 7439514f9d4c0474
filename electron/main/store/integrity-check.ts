import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import type { JobContext } from '../scheduler/job-queue'
import { startWorker, workerEntryUrl } from '../worker-entry'
import { checkFile, newestGoodBackup } from './backups'

/**
 * Stores up to this size get the full `PRAGMA integrity_check` while opening, before the window shows
 * (about 0.1 s per 16 MB); a larger store opens at once and is checked by the `store:check` job on a
 * worker thread (the 10,000-campaign demo's 920 MB took 5-13 s of the start). Checking all pages is
 * what finds damage anywhere in the file; `quick_check` measured no cheaper (it reads every page too).
 */
export const CHECK_AT_OPEN_MAX_BYTES = 64 * 1024 * 1024

/** How long after the start the `store:check` job waits (the window's first pages and the first sync come first). */
export const STORE_CHECK_DELAY_MS = 30_000

/** Left beside the store by a background check that found damage: the next open checks in full first. */
export const integrityFailedFile = (dbPath: string): string => `${dbPath}.integrity-failed`

/** Whether a background check found damage that the next open must look at (and, if the store is now fine, forget). */
export function integrityFailedBefore(dbPath: string): boolean {
  return existsSync(integrityFailedFile(dbPath))
}

export function forgetIntegrityFailure(dbPath: string): void {
  rmSync(integrityFailedFile(dbPath), { force: true })
}

/**
 * The `store:check` job: the store's integrity check on a worker thread (inline where no worker entry
 * exists). When it finds damage it leaves `<store>.integrity-failed`, so the next start checks in full
 * and offers the newest good backup, and fails with a message that says so.
 */
export async function runStoreCheck(
  dbPath: string,
  ctx: Pick<JobContext, 'signal' | 'progress'>,
): Promise<{ ms: number }> {
  const started = performance.now()
  ctx.progress('checking', 0, 1, 'Checking the store for damage')
  const url = workerEntryUrl(import.meta.url, 'integrity-worker')
  const result = url
    ? await new Promise<string>((resolve, reject) => {
        const w = startWorker(url, { path: dbPath })
        const onAbort = (): void => {
          void w.terminate()
          reject(new Error('The store check was cancelled'))
        }
        ctx.signal.addEventListener('abort', onAbort, { once: true })
        w.once('message', (m: string) => resolve(m))
        w.once('error', reject)
        w.once('exit', (code) => reject(new Error(`The store check stopped (worker exit ${code})`)))
      })
    : checkFile(dbPath)
  ctx.progress('checking', 1, 1)
  if (result !== 'ok') {
    writeFileSync(integrityFailedFile(dbPath), result, { mode: 0o600 })
    const backup = newestGoodBackup(dbPath)
    // The first problems SQLite lists (the marker file keeps them all).
    const lines = result.split('\n').filter((l) => l.trim() && !l.startsWith('***'))
    const detail = lines.slice(0, 2).join('; ') + (lines.length > 2 ? `; and ${lines.length - 2} more` : '')
    throw new Error(
      `The store failed its integrity check (${detail}). Quit and start the app again: it will offer to restore ` +
        (backup ? `the newest good backup (${basename(backup.path)}).` : 'a backup (none passes its check yet).'),
    )
  }
  return { ms: Math.round(performance.now() - started) }
}
