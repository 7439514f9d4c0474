import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Core } from '../core'
import { createTestCore, TEST_CALLER } from '../test-support'
import { driversTree } from './drivers'

// The drivers tree is computed on a worker thread (its own read-only connection to the store file)
// and kept until the data it reads changes (issue 18): the same tree as computed on the core's connection.
let core: Core
let dir: string
let ws: number

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drivers-'))
  core = createTestCore({ dbPath: join(dir, 'store.db'), seedDemo: true, demo: { campaigns: 24, days: 120 } })
  expect((await core.jobs.waitFor(core.startupJobId as number)).status).toBe('succeeded')
  ws = core.workspaces.list().find((w) => w.isDemo)!.id
}, 120_000)
afterAll(async () => {
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

async function drivers(days: number): Promise<ReturnType<typeof driversTree>> {
  const env = await core.dispatch('ml:getDrivers', { workspaceId: ws, days }, TEST_CALLER)
  if (!env.ok) throw new Error(env.error.message)
  return env.value as ReturnType<typeof driversTree>
}

describe('ml:getDrivers on its worker', () => {
  it('answers the tree computed on the core connection, kept until the data it reads changes', async () => {
    const direct = driversTree(core.store.sqlite, ws, 90)
    expect(direct.nodes.length).toBeGreaterThan(1)
    const first = await drivers(90)
    expect(first).toEqual(direct)
    // Kept: the same answer again (the second call is not another computation).
    const again = core.dispatch('ml:getDrivers', { workspaceId: ws, days: 90 }, TEST_CALLER)
    expect(await drivers(90)).toEqual(first)
    expect((await again).ok).toBe(true)

    // Rows change (every conversion of the busiest ad set doubled): a data:changed naming them forgets the tree.
    const top = core.store.sqlite
      .prepare('SELECT ad_set_id FROM daily_metrics GROUP BY ad_set_id ORDER BY sum(spend_micros) DESC LIMIT 3')
      .pluck()
      .all() as number[]
    core.store.sqlite
      .prepare(`UPDATE daily_metrics SET conversions = conversions * 5 WHERE ad_set_id IN (${top.join(',')})`)
      .run()
    expect(await drivers(90)).toEqual(first) // no event yet: still the kept tree
    core.events.emit('data:changed', { tables: ['alerts'], workspaceId: ws })
    expect(await drivers(90)).toEqual(first)
    core.events.emit('data:changed', { tables: ['daily_metrics'], workspaceId: ws })
    const changed = await drivers(90)
    expect(changed).toEqual(driversTree(core.store.sqlite, ws, 90))
    expect(changed).not.toEqual(first)
  }, 60_000)
})
