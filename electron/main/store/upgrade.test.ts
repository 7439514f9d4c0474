import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { sourceResourcesDir } from '../platform/node'
import { openStore, storeNeedsUpgrade } from './db'
import { upgradeStore } from './upgrade'

const migrations = join(sourceResourcesDir(), 'migrations')
const journalLength = (
  JSON.parse(readFileSync(join(migrations, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
).entries.length
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'me-upgrade-'))
  dirs.push(d)
  return d
}

/** A store written by an earlier version: every migration but the last `behind`, one workspace in it. */
function olderStore(behind: number): string {
  const old = join(tmp(), 'migrations')
  cpSync(migrations, old, { recursive: true })
  const journalPath = join(old, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: unknown[] }
  journal.entries = journal.entries.slice(0, journal.entries.length - behind)
  writeFileSync(journalPath, JSON.stringify(journal))
  const path = join(tmp(), 'marketing-engine.db')
  const s = openStore({ path, migrationsFolder: old })
  s.sqlite.exec("INSERT INTO workspaces (name, reporting_currency) VALUES ('Acme', 'USD')")
  s.close()
  return path
}

describe('the first open after an update', () => {
  it('is needed for a store an earlier version wrote, and runs on a worker: backup, migrations, data kept', async () => {
    const path = olderStore(2)
    expect(storeNeedsUpgrade(path, migrations)).toBe(true)
    const r = await upgradeStore(path, migrations)
    expect(r.ranIn).toBe('worker')
    expect(r.schemaVersion).toBe(journalLength)
    expect(r.backupPath).not.toBeNull()
    expect(existsSync(r.backupPath as string)).toBe(true)
    expect(storeNeedsUpgrade(path, migrations)).toBe(false)
    // The core's own open then has nothing left to do: no second backup, the data as it was.
    const s = openStore({ path, migrationsFolder: migrations })
    expect(s.backupPath).toBeNull()
    expect(s.sqlite.prepare('SELECT name FROM workspaces').pluck().all()).toEqual(['Acme'])
    s.close()
  })

  it('is not needed for a new store, a current one or a file that is not a store', () => {
    const dir = tmp()
    expect(storeNeedsUpgrade(join(dir, 'none.db'), migrations)).toBe(false)
    const current = join(dir, 'current.db')
    openStore({ path: current, migrationsFolder: migrations }).close()
    expect(storeNeedsUpgrade(current, migrations)).toBe(false)
    const garbage = join(dir, 'garbage.db')
    writeFileSync(garbage, 'not a database, '.repeat(512))
    // Opening it reports the damage (with the way back); the check itself stays quiet.
    expect(storeNeedsUpgrade(garbage, migrations)).toBe(false)
    expect(storeNeedsUpgrade(':memory:', migrations)).toBe(false)
  })

  it("rejects with the open's own message, leaving the file as it was", async () => {
    const path = olderStore(1)
    const before = readFileSync(path)
    await expect(upgradeStore(path, join(tmp(), 'no-migrations'))).rejects.toThrow(/No migrations found/)
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  it('a migration that fails after the backup leaves the store at its version and one whole backup', async () => {
    const path = olderStore(1)
    const broken = join(tmp(), 'migrations')
    cpSync(migrations, broken, { recursive: true })
    const journal = JSON.parse(readFileSync(join(broken, 'meta', '_journal.json'), 'utf8')) as {
      entries: { tag: string }[]
    }
    const lastTag = (journal.entries.at(-1) as { tag: string }).tag
    writeFileSync(join(broken, `${lastTag}.sql`), 'CREATE TABLE broken (;')
    await expect(upgradeStore(path, broken)).rejects.toThrow(/CREATE TABLE broken/)
    expect(storeNeedsUpgrade(path, migrations)).toBe(true)
    const dir = dirname(path)
    const backups = readdirSync(dir).filter((f) => f.includes('.backup-'))
    expect(backups).toHaveLength(1)
    expect(backups[0]).not.toMatch(/\.partial$/)
    // The next start's upgrade (the release's migrations) goes through, with the data.
    const r = await upgradeStore(path, migrations)
    expect(r.schemaVersion).toBe(journalLength)
  })

  it('shows a page that runs no script and loads nothing (resources/upgrade.html)', () => {
    const html = readFileSync(join(sourceResourcesDir(), 'upgrade.html'), 'utf8')
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`)
    expect(html).not.toMatch(/<script|<link|<img|url\(/i)
    expect(html).toContain('Updating your data')
  })
})
