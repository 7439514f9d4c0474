import { startWorker, workerEntryUrl } from '../worker-entry'
import { openStore } from './db'

/** What `upgradeStore` did: the schema version reached, the backup taken before migrating, where it ran. */
export interface UpgradeResult {
  schemaVersion: number
  backupPath: string | null
  ms: number
  ranIn: 'worker' | 'inline'
}

/** The worker's answer: the result, or the error's message. */
export type UpgradeMessage = { ok: true; value: Omit<UpgradeResult, 'ranIn'> } | { ok: false; message: string }

/** Open the store once (restore, backup, migrations, rebuilds) and close it: what a first open after an update does. */
export function upgradeHere(path: string, migrationsFolder: string): Omit<UpgradeResult, 'ranIn'> {
  const started = performance.now()
  const store = openStore({ path, migrationsFolder })
  try {
    return {
      schemaVersion: store.schemaVersion,
      backupPath: store.backupPath,
      ms: Math.round(performance.now() - started),
    }
  } finally {
    store.close()
  }
}

/**
 * The first open after an update, on a worker thread with its own connection: a pending restore, the
 * backup before migrating (`VACUUM INTO`, ~6.5 s for the 1 GB large demo), the migrations and the
 * rebuilds they need. The desktop app awaits it behind its "updating your data" window before the core
 * opens the store (then at once), so the main process never freezes on it. Inline where no worker entry
 * exists. Rejects with the open's error message; the caller then opens the store itself to report it.
 */
export function upgradeStore(path: string, migrationsFolder: string): Promise<UpgradeResult> {
  const url = workerEntryUrl(import.meta.url, 'upgrade-worker')
  if (!url) return Promise.resolve({ ...upgradeHere(path, migrationsFolder), ranIn: 'inline' })
  return new Promise((resolve, reject) => {
    const w = startWorker(url, { path, migrationsFolder })
    let answered = false
    w.once('message', (m: UpgradeMessage) => {
      answered = true
      if (m.ok) resolve({ ...m.value, ranIn: 'worker' })
      else reject(new Error(m.message))
    })
    w.once('error', reject)
    w.once('exit', (code) => {
      if (!answered) reject(new Error(`The data update stopped (worker exit ${code})`))
    })
  })
}
