import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestCore } from '../../test-support'
import { connectStore } from '../connect'
import type { Sqlite } from '../db'
import { onAccountSnapshots } from './account-snapshots'
import { accountDataMark, touchAccountData } from './ad-month-rollup'
import { seedAccount } from './testing'

const dir = mkdtempSync(join(tmpdir(), 'me-snapshots-'))
let core: ReturnType<typeof createTestCore>
let other: Sqlite
let accountId = 0
beforeAll(() => {
  core = createTestCore({ startJobs: false, dbPath: join(dir, 'store.db') })
  accountId = seedAccount(core.store.sqlite, core.workspaces.create('Marks', 'USD'), 'marks', 1).accountId
  // Another connection to the file: the sync's writer thread commits from its own.
  other = connectStore(join(dir, 'store.db'))
})
afterAll(async () => {
  other.close()
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A write of the account's metrics committed by the other connection. */
const writeElsewhere = (): void => {
  other.transaction(() => touchAccountData(other, [accountId])).immediate()
}

describe('onAccountSnapshots', () => {
  it("tells the data mark of the state its result comes from, not a later commit's", () => {
    const s = core.store.sqlite
    const before = accountDataMark(s, accountId)
    let seen: number | null = null
    const steps = onAccountSnapshots(
      s,
      accountId,
      function* () {
        yield
        // The last step reads on its snapshot; another connection commits before the result is used.
        writeElsewhere()
        return accountDataMark(s, accountId)
      },
      -1,
      (mark) => (seen = mark),
    )
    let r = steps.next()
    while (!r.done) r = steps.next()
    expect(r.value).toBe(before)
    expect(seen).toBe(before)
    expect(accountDataMark(s, accountId)).not.toBe(before)
  })

  it('after a write between steps, reads again on one snapshot and tells that state’s mark', () => {
    const s = core.store.sqlite
    let seen: number | null = null
    let runs = 0
    const steps = onAccountSnapshots(
      s,
      accountId,
      function* () {
        runs++
        yield
        return accountDataMark(s, accountId)
      },
      -1,
      (mark) => (seen = mark),
    )
    steps.next()
    writeElsewhere()
    const moved = accountDataMark(s, accountId)
    let r = steps.next()
    while (!r.done) r = steps.next()
    expect(runs).toBe(2)
    expect(r.value).toBe(moved)
    expect(seen).toBe(moved)
  })
})
