import { afterEach, describe, expect, it } from 'vitest'
import { addDays } from '../../../shared/domain/dates'
import { DEFAULT_RESTATEMENT_DAYS } from '../../../shared/domain/platforms'
import type { Core } from '../core'
import { createTestCore, TEST_CALLER } from '../test-support'
import { syncNow } from './sync-engine/testing/setup'
import { checkIntegrity } from './testing/sim-setup'

let core: Core | null = null
afterEach(async () => {
  await core?.close()
  core = null
})

type Row = {
  ad_id: number
  date: string
  account_id: number
  spend_micros: number
  conversions: number
  source: string
}
const rows = (c: Core): Map<string, Row> =>
  new Map(
    (
      c.store.sqlite
        .prepare('SELECT ad_id, date, account_id, spend_micros, conversions, source FROM daily_metrics')
        .all() as Row[]
    ).map((r) => [`${r.ad_id}|${r.date}`, r]),
  )

describe('demo workspace: "Sync now" runs the real connectors against the simulated platforms', () => {
  it('reproduces the generated demo exactly, then a later sync changes only each restatement window', async () => {
    let now = new Date('2026-06-15T18:00:00Z')
    core = createTestCore({ seedDemo: true, demo: { campaigns: 14, days: 50 }, now: () => now })
    const c = core
    expect((await c.jobs.waitFor(c.startupJobId as number)).status).toBe('succeeded')
    const ws = c.workspaces.list().find((w) => w.isDemo)?.id as number
    const conns = await c.dispatch('connections:list', { workspaceId: ws }, TEST_CALLER)
    expect(
      conns.ok && (conns.value as { platform: string; simulated: boolean }[]).map((x) => [x.platform, x.simulated]),
    ).toEqual([
      ['meta', true],
      ['google_ads', true],
      ['tiktok', true],
      ['snapchat', true],
    ])
    const generated = rows(c)
    // The demo generator keeps the per-ad monthly sums too.
    expect(checkIntegrity(c, ws)).toEqual({ duplicates: 0, rollupMismatches: 0 })
    const first = await syncNow(c, ws, { mode: 'full' })
    expect(first.error).toBe(null)
    expect(first.status).toBe('succeeded')
    const synced = rows(c)
    expect(synced.size).toBe(generated.size)
    for (const [k, r] of synced) expect({ ...r, source: 'demo' }).toEqual(generated.get(k))
    expect([...synced.values()].every((r) => r.source === 'sync')).toBe(true)

    // Three days later the platforms report late conversions for recent days.
    now = new Date('2026-06-18T18:00:00Z')
    expect((await syncNow(c, ws)).status).toBe('succeeded')
    const later = rows(c)
    const accounts = c.workspaces.accounts(ws)
    let changed = 0
    for (const [k, r] of later) {
      const acc = accounts.find((a) => a.id === r.account_id)
      const yesterday = addDays(new Date(now.getTime()).toISOString().slice(0, 10), -1)
      const windowFrom = addDays(yesterday, -(DEFAULT_RESTATEMENT_DAYS[acc?.platform ?? 'meta'] + 1))
      const before = synced.get(k)
      if (r.date < windowFrom) expect(r).toEqual(before)
      else if (before && before.conversions !== r.conversions) changed++
    }
    expect(changed).toBeGreaterThan(0)
    expect(checkIntegrity(c, ws)).toEqual({ duplicates: 0, rollupMismatches: 0 })
  })

  it("a demo reset cancels the old demo workspace's sync first (no sync writes into a deleted workspace)", async () => {
    const now = new Date('2026-06-15T18:00:00Z')
    core = createTestCore({ seedDemo: true, demo: { campaigns: 14, days: 50 }, now: () => now })
    const c = core
    expect((await c.jobs.waitFor(c.startupJobId as number)).status).toBe('succeeded')
    const ws = c.workspaces.list().find((w) => w.isDemo)?.id as number
    const sync = c.services.sync.startSync({ workspaceId: ws, mode: 'full' })
    // The reset is asked for while the sync is under way (its first progress report).
    const rebuild = await new Promise<number>((resolve) => {
      const off = c.events.on('job:progress', (p) => {
        if (p.jobId !== sync.jobId) return
        off()
        resolve(c.jobs.enqueue('demo:build', { campaigns: 6, days: 20 }))
      })
    })
    const [syncJob, rebuilt] = [await c.jobs.waitFor(sync.jobId), await c.jobs.waitFor(rebuild)]
    expect(rebuilt.status).toBe('succeeded')
    expect(syncJob.status).toBe('cancelled')
    expect(c.workspaces.list().filter((w) => w.isDemo)).toHaveLength(1)
  })
})
