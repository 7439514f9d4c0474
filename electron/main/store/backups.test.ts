import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../core'
import { createNodePlatform } from '../platform/node'
import { TEST_CALLER } from '../test-support'
import { sourceResourcesDir } from '../platform/node'
import { retentionFromEnv } from '../backups-module'
import { backupNow, listBackups, pruneBackups, restoreBackup, StoreDamagedError } from './backups'
import { openStore, StoreCorruptError } from './db'

const migrations = join(sourceResourcesDir(), 'migrations')
const dirs: string[] = []
const cores: Core[] = []
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'me-backups-'))
  dirs.push(d)
  return d
}

function coreIn(dataDir: string, now?: () => Date): Core {
  const platform = createNodePlatform({ host: 'test', dataDir, ephemeral: true, ...(now ? { now } : {}) })
  const c = createCore(platform, { validateOutput: true })
  cores.push(c)
  return c
}

async function call<T>(c: Core, channel: string, input: unknown): Promise<T> {
  const env = await c.dispatch(channel, input, TEST_CALLER)
  if (!env.ok) throw new Error(`${env.error.code}: ${env.error.message}`)
  return env.value as T
}

const names = (c: Core): string[] => c.workspaces.list().map((w) => w.name)

describe('backups', () => {
  it('round trip: back up, change, restore through the app at restart; files are 0600 and the old store is kept', async () => {
    const dir = tmp()
    let c = coreIn(dir)
    c.workspaces.create('Before', 'USD')
    const b = await call<{ file: string; path: string; kind: string }>(c, 'backups:create', {})
    expect(b.kind).toBe('manual')
    expect(statSync(b.path).mode & 0o777).toBe(0o600)
    c.workspaces.create('After', 'USD')
    const listed = await call<{ backups: { file: string }[]; keep: { daily: number; weekly: number } }>(
      c,
      'backups:list',
      {},
    )
    expect(listed.backups.map((x) => x.file)).toEqual([b.file])
    // One self-contained file per backup: no WAL/SHM or partial files left beside it.
    expect(readdirSync(join(dir, 'backups'))).toEqual([b.file])
    expect(listed.keep).toEqual({ daily: 7, weekly: 4 })
    // Restoring needs an explicit confirmation.
    const unconfirmed = await c.dispatch('backups:restore', { file: b.file }, TEST_CALLER)
    expect(unconfirmed.ok).toBe(false)
    const r = await call<{ restartRequired: boolean; preRestoreBackup: string }>(c, 'backups:restore', {
      file: b.file,
      confirm: true,
    })
    expect(r.restartRequired).toBe(true)
    await c.close()
    cores.splice(0)
    c = coreIn(dir)
    expect(names(c)).toEqual(['Before'])
    // The replaced store is beside it, and the pre-restore backup holds 'After'.
    expect(readdirSync(dir).some((f) => f.startsWith('marketing-engine.db.replaced-'))).toBe(true)
    const pre = listBackups(c.store.path).find((x) => x.kind === 'pre-restore')
    expect(pre?.path).toBe(r.preRestoreBackup)
  })

  it('a damaged page names the newest good backup, and restore brings the store back with the damaged file moved aside', async () => {
    const dir = tmp()
    const c = coreIn(dir)
    c.workspaces.create('Kept', 'USD')
    const good = await backupNow(c.store.sqlite, c.store.path, 'manual', new Date('2026-03-01T10:00:00Z'))
    const path = c.store.path
    await c.close()
    cores.splice(0)
    // Write garbage over a page of the live file (page 3: a table's b-tree page).
    const buf = readFileSync(path)
    const page = 4096
    expect(buf.length).toBeGreaterThan(4 * page)
    buf.fill(0xa5, 2 * page, 3 * page)
    writeFileSync(path, buf)
    let err: unknown = null
    try {
      openStore({ path, migrationsFolder: migrations })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(StoreCorruptError)
    expect(err).toBeInstanceOf(StoreDamagedError)
    const msg = (err as Error).message
    expect(msg).toContain(good.path)
    expect(msg).toContain(`npm run cli -- restore "${good.path}"`)
    // One step: the damaged file moves aside (kept), the backup comes in, the store opens.
    const r = restoreBackup(path, good.path, new Date('2026-03-02T09:00:00Z'))
    expect(r.movedAside).toBe(`${path}.replaced-20260302T090000Z`)
    expect(readFileSync(r.movedAside as string)).toEqual(buf)
    const again = coreIn(dir)
    expect(names(again)).toEqual(['Kept'])
  })

  it('a zero-length database is reported, not silently replaced', async () => {
    const dir = tmp()
    const path = join(dir, 'marketing-engine.db')
    writeFileSync(path, '')
    expect(() => openStore({ path, migrationsFolder: migrations })).toThrow(/empty \(0 bytes\); it was not replaced/)
    expect(statSync(path).size).toBe(0)
    expect(() => openStore({ path, migrationsFolder: migrations })).toThrow(/There is no good backup/)
  })

  it('refuses to restore a file that is not a good backup', () => {
    const dir = tmp()
    const bogus = join(dir, 'x.db')
    writeFileSync(bogus, 'not a database at all, just text that is long enough to look like something')
    expect(() => restoreBackup(join(dir, 'marketing-engine.db'), bogus, new Date())).toThrow(/is not a good backup/)
    expect(existsSync(join(dir, 'marketing-engine.db'))).toBe(false)
  })

  it('retention keeps 7 daily and 4 weekly automatic backups and never prunes manual ones', async () => {
    const dir = tmp()
    let now = new Date('2026-01-01T03:00:00Z')
    const c = coreIn(dir, () => now)
    const start = now.getTime()
    // 60 days of daily backups, two on some days.
    for (let d = 0; d < 60; d++) {
      now = new Date(start + d * 86_400_000)
      await backupNow(c.store.sqlite, c.store.path, 'daily', now)
      if (d % 10 === 0) {
        now = new Date(start + d * 86_400_000 + 3_600_000)
        await backupNow(c.store.sqlite, c.store.path, 'daily', now)
      }
    }
    await backupNow(c.store.sqlite, c.store.path, 'manual', new Date(start))
    pruneBackups(c.store.path, { daily: 7, weekly: 4 })
    const left = listBackups(c.store.path)
    const daily = left.filter((b) => b.kind === 'daily').map((b) => b.createdAt.slice(0, 10))
    // The last 7 days (2026-02-23 .. 2026-03-01), then the newest of each of 4 earlier weeks.
    expect(daily.slice(0, 7)).toEqual([
      '2026-03-01',
      '2026-02-28',
      '2026-02-27',
      '2026-02-26',
      '2026-02-25',
      '2026-02-24',
      '2026-02-23',
    ])
    expect(daily.slice(7)).toEqual(['2026-02-22', '2026-02-15', '2026-02-08', '2026-02-01'])
    expect(left.filter((b) => b.kind === 'manual')).toHaveLength(1)
  })

  it('retention set in Settings applies at the next daily backup; ME_BACKUP_KEEP_* override it', async () => {
    const dir = tmp()
    let now = new Date('2026-03-01T03:00:00Z')
    const c = coreIn(dir, () => now)
    for (let d = 0; d < 5; d++) {
      await backupNow(c.store.sqlite, c.store.path, 'daily', new Date(now.getTime() - (5 - d) * 86_400_000))
    }
    const saved = await call<{ backupKeepDaily: number }>(c, 'settings:update', {
      backupKeepDaily: 2,
      backupKeepWeekly: 0,
    })
    expect(saved.backupKeepDaily).toBe(2)
    const listed = await call<{ keep: { daily: number; weekly: number }; keepFromEnv: boolean }>(c, 'backups:list', {})
    expect([listed.keep, listed.keepFromEnv]).toEqual([{ daily: 2, weekly: 0 }, false])
    now = new Date('2026-03-01T04:00:00Z')
    expect(await c.services.backups.dailyIfDue()).not.toBeNull()
    expect(listBackups(c.store.path).filter((b) => b.kind === 'daily')).toHaveLength(2)
    // Out-of-range values are refused with the field's rule, and nothing changes.
    const bad = await c.dispatch('settings:update', { backupKeepDaily: 0 }, TEST_CALLER)
    expect(!bad.ok && bad.error.message).toMatch(/at least 1 daily backup/)
    expect(c.platform.settings.get().backupKeepDaily).toBe(2)

    expect(retentionFromEnv({ daily: 2, weekly: 0 }, {})).toBeNull()
    expect(retentionFromEnv({ daily: 2, weekly: 0 }, { ME_BACKUP_KEEP_DAILY: '10' })).toEqual({ daily: 10, weekly: 0 })
    expect(retentionFromEnv({ daily: 2, weekly: 0 }, { ME_BACKUP_KEEP_WEEKLY: 'x' })).toEqual({ daily: 2, weekly: 0 })
  })
})
