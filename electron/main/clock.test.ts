import { afterEach, describe, expect, it } from 'vitest'
import type { Core } from './core'
import { createTestCore, TEST_CALLER } from './test-support'
import { syncNow } from './sync/sync-engine/testing/setup'

// One clock: every "now" of the core comes from platform.clock, so moving a fake clock moves job
// and sync-run timestamps, pacing's month and the automatic-sync schedule with it.

let core: Core | null = null
afterEach(async () => {
  await core?.close()
  core = null
})

async function call<T>(c: Core, channel: string, input: unknown): Promise<T> {
  const env = await c.dispatch(channel, input, TEST_CALLER)
  if (!env.ok) throw new Error(env.error.message)
  return env.value as T
}

describe('the injected clock', () => {
  it('stamps jobs and sync runs, places pacing and schedules automatic syncs', async () => {
    let now = new Date('2025-02-10T09:00:00.000Z')
    core = createTestCore({ seedDemo: true, demo: { campaigns: 3, days: 20 }, now: () => now })
    const c = core
    const demo = await c.jobs.waitFor(c.startupJobId as number)
    expect(demo.status).toBe('succeeded')
    expect([demo.createdAt, demo.startedAt, demo.finishedAt]).toEqual([
      now.toISOString(),
      now.toISOString(),
      now.toISOString(),
    ])
    const ws = c.workspaces.list().find((w) => w.isDemo)?.id as number

    // Pacing: the month of the last day the fake clock's demo produced.
    const pacing = await call<{ rows: { month: string; asOf: string | null }[] }>(c, 'analytics:getPacing', {
      workspaceId: ws,
    })
    expect(pacing.rows.length).toBeGreaterThan(0)
    for (const r of pacing.rows) expect(r.month).toBe('2025-02')

    // Nothing synced yet: the first automatic sync is due now.
    type Status = {
      lastRun: { startedAt: string; finishedAt: string | null } | null
      nextSyncAt: string | null
      intervalHours: number
    }
    const before = await call<Status>(c, 'sync:getStatus', { workspaceId: ws })
    expect(before.nextSyncAt).toBe(now.toISOString())

    now = new Date('2025-02-10T10:30:00.000Z')
    const account = c.workspaces.accounts(ws)[0]?.id as number
    expect((await syncNow(c, ws, { accountIds: [account] })).status).toBe('succeeded')
    const after = await call<Status>(c, 'sync:getStatus', { workspaceId: ws })
    expect(after.lastRun?.startedAt).toBe(now.toISOString())
    expect(after.lastRun?.finishedAt).toBe(now.toISOString())
    const due = new Date(now.getTime() + after.intervalHours * 3_600_000)
    expect(after.nextSyncAt).toBe(due.toISOString())

    // The scheduler starts nothing before the interval has passed on the clock, then starts it.
    const scheduler = c.services.syncScheduler
    now = new Date(due.getTime() - 60_000)
    expect(scheduler.check('interval')).toEqual([])
    now = new Date(due.getTime() + 1)
    expect(scheduler.check('interval')).toEqual([ws])
    const queued = c.jobs.active('sync:run')
    expect(queued).toHaveLength(1)
    expect(queued[0]?.createdAt).toBe(now.toISOString())
  })
})
