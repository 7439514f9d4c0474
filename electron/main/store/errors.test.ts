import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { createTestCore, TEST_CALLER } from '../test-support'
import { plainStoreError } from './errors'

const sqliteError = (code: string): Error => Object.assign(new Error(`${code}: raw text`), { code })

describe('SQLite failures in plain words', () => {
  it.each([
    ['SQLITE_BUSY', /busy with other work/],
    ['SQLITE_BUSY_SNAPSHOT', /busy with other work/],
    ['SQLITE_FULL', /disk holding your data is full/],
    ['SQLITE_CORRUPT', /damaged\. Restore a backup/],
    ['SQLITE_NOTADB', /damaged\. Restore a backup/],
    ['SQLITE_IOERR_WRITE', /cannot be read or written/],
    ['SQLITE_ERROR', /could not answer this request \(SQLITE_ERROR\)/],
  ])('%s', (code, words) => {
    expect(plainStoreError(sqliteError(code))).toMatch(words)
  })

  it('leaves other errors alone', () => {
    expect(plainStoreError(new Error('x'))).toBeNull()
    expect(plainStoreError(null)).toBeNull()
    expect(plainStoreError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBeNull()
  })

  it('a real SQLite error reaches the caller in plain words, never the raw message', async () => {
    // A real error from the driver, with its real code.
    const db = new Database(':memory:')
    let real: unknown
    try {
      db.prepare('SELECT * FROM nowhere').all()
    } catch (err) {
      real = err
    }
    expect(plainStoreError(real)).toMatch(/SQLITE_ERROR/)
    const core = createTestCore()
    try {
      const ws = core.workspaces.create('Broken', 'USD')
      core.store.sqlite.exec('DROP TABLE alert_deliveries; DROP TABLE alerts')
      const env = await core.dispatch('alerts:list', { workspaceId: ws }, TEST_CALLER)
      expect(env.ok).toBe(false)
      if (!env.ok) {
        expect(env.error.code).toBe('INTERNAL')
        expect(env.error.message).toMatch(/^The data store could not answer this request \(SQLITE_ERROR\)/)
        expect(env.error.message).not.toMatch(/no such table/)
      }
    } finally {
      await core.close()
    }
  })
})
