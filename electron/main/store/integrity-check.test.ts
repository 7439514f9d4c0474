import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createCore } from '../core'
import { createNodePlatform, sourceResourcesDir } from '../platform/node'
import { openStore, StoreCorruptError } from './db'
import { integrityFailedFile, runStoreCheck } from './integrity-check'

const migrations = join(sourceResourcesDir(), 'migrations')
const dirs: string[] = []
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'me-integrity-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const ctx = { signal: new AbortController().signal, progress: () => undefined }

/** A migrated store with a filler table whose last page (never read while opening) can be damaged. */
function storeWithFiller(path: string): number {
  const s = openStore({ path, migrationsFolder: migrations })
  s.sqlite.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)')
  const ins = s.sqlite.prepare('INSERT INTO filler (body) VALUES (?)')
  s.sqlite.transaction(() => {
    for (let i = 0; i < 3000; i++) ins.run('x'.repeat(300))
  })()
  const pages = s.sqlite.pragma('page_count', { simple: true }) as number
  const size = s.sqlite.pragma('page_size', { simple: true }) as number
  s.close()
  return (pages - 1) * size
}

describe('the integrity check of a large store, after the start', () => {
  it('opens a store above the limit without the check, finds damage on a worker thread and makes the next open refuse it', async () => {
    const path = join(tmp(), 'marketing-engine.db')
    const lastPage = storeWithFiller(path)
    const good = openStore({ path, migrationsFolder: migrations, checkAtOpenMaxBytes: 0 })
    expect(good.integrityDeferred).toBe(true)
    good.close()
    expect(await runStoreCheck(path, ctx)).toMatchObject({ ms: expect.any(Number) })
    expect(existsSync(integrityFailedFile(path))).toBe(false)

    const buf = readFileSync(path)
    buf.fill(0x5a, lastPage + 8, lastPage + 400)
    writeFileSync(path, buf)
    // Opening reads none of the damaged page: the store opens, and the background check finds it.
    const damaged = openStore({ path, migrationsFolder: migrations, checkAtOpenMaxBytes: 0 })
    expect(damaged.integrityDeferred).toBe(true)
    damaged.close()
    await expect(runStoreCheck(path, ctx)).rejects.toThrow(
      /The store failed its integrity check \(.+\)\. Quit and start the app again: it will offer to restore/,
    )
    expect(existsSync(integrityFailedFile(path))).toBe(true)
    // The next start checks in full first, whatever the size, and refuses the store (the recovery path).
    expect(() => openStore({ path, migrationsFolder: migrations, checkAtOpenMaxBytes: 0 })).toThrow(StoreCorruptError)
  })

  it('forgets an earlier failure once a full check at open passes (the store was restored)', () => {
    const path = join(tmp(), 'marketing-engine.db')
    storeWithFiller(path)
    writeFileSync(integrityFailedFile(path), 'earlier damage')
    const s = openStore({ path, migrationsFolder: migrations, checkAtOpenMaxBytes: 0 })
    expect(s.integrityDeferred).toBe(false)
    s.close()
    expect(existsSync(integrityFailedFile(path))).toBe(false)
  })

  it('queues the store:check job at start for a store above the limit, and only then', async () => {
    const dataDir = tmp()
    storeWithFiller(join(dataDir, 'marketing-engine.db'))
    const platform = createNodePlatform({ host: 'test', ephemeral: true, dataDir })
    const core = createCore(platform, { checkAtOpenMaxBytes: 0, storeCheckDelayMs: 0 })
    try {
      const job = core.jobs.list(10).find((j) => j.kind === 'store:check')
      if (!job) throw new Error('no store:check job')
      expect((await core.jobs.waitFor(job.id)).status).toBe('succeeded')
    } finally {
      await core.close()
    }
    const again = createCore(createNodePlatform({ host: 'test', ephemeral: true, dataDir }))
    try {
      expect(again.jobs.list(10).filter((j) => j.kind === 'store:check')).toHaveLength(1)
    } finally {
      await again.close()
    }
  })

  it('waits after the start before reading the store (queued, saying why)', async () => {
    const dataDir = tmp()
    storeWithFiller(join(dataDir, 'marketing-engine.db'))
    const core = createCore(createNodePlatform({ host: 'test', ephemeral: true, dataDir }), {
      checkAtOpenMaxBytes: 0,
      storeCheckDelayMs: 60_000,
    })
    try {
      const job = core.jobs.list(10).find((j) => j.kind === 'store:check')
      if (!job) throw new Error('no store:check job')
      // The first pump claims it and puts it back with its wait.
      while (core.jobs.get(job.id)?.message !== 'Waits until the first pages are shown')
        await new Promise((r) => setTimeout(r, 10))
      expect(core.jobs.get(job.id)?.status).toBe('queued')
    } finally {
      await core.close()
    }
  })
})
