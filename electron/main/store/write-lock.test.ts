import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { sourceResourcesDir } from '../platform/node'
import { openStore } from './db'
import { ChangeRepo } from './repos/change-repo'
import { JobsRepo } from './repos/jobs-repo'

const migrations = join(sourceResourcesDir(), 'migrations')
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/**
 * Another connection (as the sync's writer thread is) takes the write lock, tells us, holds it for
 * `holdMs`, then commits. Resolves with a function that waits for its commit.
 */
async function holdWriteLock(path: string, holdMs: number): Promise<{ done: Promise<void> }> {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads')
     const Database = require(workerData.driver)
     const db = new Database(workerData.path)
     db.pragma('busy_timeout = 5000')
     db.exec('BEGIN IMMEDIATE')
     db.prepare("INSERT INTO jobs (kind, payload, status, attempts, max_attempts, created_at) VALUES ('other', '{}', 'queued', 0, 1, '2026-01-01T00:00:00Z')").run()
     parentPort.postMessage('locked')
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs)
     db.exec('COMMIT')
     db.close()
     parentPort.postMessage('committed')`,
    {
      eval: true,
      workerData: { path, holdMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    },
  )
  const committed = new Promise<void>((resolve, reject) => {
    worker.on('message', (m) => m === 'committed' && resolve())
    worker.on('error', reject)
  })
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m) => m === 'locked' && resolve())
    worker.on('error', reject)
  })
  return { done: committed.then(() => worker.terminate()).then(() => undefined) }
}

describe('write transactions and another connection that is writing', () => {
  it('a transaction that reads before it writes waits for the other writer instead of failing SQLITE_BUSY', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-lock-'))
    dirs.push(dir)
    const store = openStore({ path: join(dir, 'store.db'), migrationsFolder: migrations })
    try {
      const changes = new ChangeRepo(store.sqlite)
      const jobs = new JobsRepo(store.sqlite)
      const other = await holdWriteLock(store.path, 300)
      // The change pipeline's shape: read (the target, the idempotency key), then insert. A
      // deferred transaction takes its read snapshot first and cannot upgrade while the other
      // connection holds the write lock: SQLite fails it at once, without the busy timeout.
      const id = changes.transaction(() => {
        const before = jobs.list(10).length
        return { before, id: jobs.insert('mine', '{}', 1, '2026-01-01T00:00:01Z') }
      })
      await other.done
      expect(id.before).toBe(1) // it began after the other commit, so it sees its row
      expect(
        jobs
          .list(10)
          .map((j) => j.kind)
          .sort(),
      ).toEqual(['mine', 'other'])
    } finally {
      store.close()
    }
  })
})
