import type { ChannelOutput } from '../../../shared/ipc/contract'
import { TEST_CALLER } from '../test-support'
import { afterEach, describe, expect, it } from 'vitest'
import { ConnectorError } from './connectors/types'
import { buildWorld } from './simulator'
import { FakeConnector, worldAccounts } from './sync-engine/testing/fake-connector'
import type { NodePlatform } from '../platform/node'
import { fakeWorld, syncNow, type FakeWorld } from './sync-engine/testing/setup'

const NOW = new Date('2026-06-15T12:00:00Z')
let w: FakeWorld | null = null
afterEach(async () => {
  await w?.core.close()
  w = null
})

const world = buildWorld({ seed: 3, campaigns: 8, days: 30, endDate: '2026-06-14' })

describe('connections, write-back and scheduling', () => {
  it('validates credentials before saving and keeps secrets out of the database and the IPC output', async () => {
    w = await fakeWorld(worldAccounts(world), { now: () => NOW })
    const fw = w
    const list = await fw.core.dispatch('connections:list', { workspaceId: fw.workspaceId }, TEST_CALLER)
    expect(list.ok).toBe(true)
    const json = JSON.stringify(list.ok ? list.value : null)
    expect(json).not.toContain('test-token-123')
    const dbDump = JSON.stringify(fw.core.store.sqlite.prepare('SELECT * FROM connections').all())
    expect(dbDump).not.toContain('test-token-123')
    const conn = fw.core.store.sqlite.prepare("SELECT secret_ref FROM connections WHERE platform = 'meta'").get() as {
      secret_ref: string
    }
    expect(await fw.core.platform.secrets.get(conn.secret_ref)).toContain('test-token-123')

    // An account the token cannot reach is refused and nothing is saved.
    const before = fw.core.store.sqlite.prepare('SELECT count(*) AS n FROM connections').get() as { n: number }
    const bad = await fw.core.dispatch(
      'connections:connect',
      {
        workspaceId: fw.workspaceId,
        credentials: { platform: 'meta', accessToken: 'another-token', accountIds: ['act_999'] },
      },
      TEST_CALLER,
    )
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/act_999/) })
    // A rejected token surfaces as UNAUTHORIZED with the platform's reason.
    fw.useConnectors(
      (p) =>
        new FakeConnector(p, [], {
          fault: () => {
            throw new ConnectorError('auth', p, 'Error validating access token: Session has expired')
          },
        }),
    )
    const expired = await fw.core.dispatch(
      'connections:connect',
      {
        workspaceId: fw.workspaceId,
        credentials: { platform: 'meta', accessToken: 'expired-token', accountIds: ['act_1'] },
      },
      TEST_CALLER,
    )
    expect(expired.ok).toBe(false)
    if (!expired.ok)
      expect(expired.error).toMatchObject({
        code: 'UNAUTHORIZED',
        message: expect.stringMatching(/Session has expired/),
      })
    expect(fw.core.store.sqlite.prepare('SELECT count(*) AS n FROM connections').get()).toEqual(before)
  })

  it('writes back status and budget through the connector and records both in the audit log', async () => {
    w = await fakeWorld(worldAccounts(world), { now: () => NOW })
    await syncNow(w.core, w.workspaceId)
    const c = w.core.store.sqlite
      .prepare('SELECT id FROM campaigns WHERE daily_budget_micros IS NOT NULL ORDER BY id LIMIT 1')
      .get() as { id: number }
    const paused = await w.core.dispatch(
      'entities:setStatus',
      {
        entityType: 'campaign',
        entityId: c.id,
        status: 'paused',
      },
      TEST_CALLER,
    )
    expect(paused.ok && paused.value).toMatchObject({ state: 'applied', applied: 'paused', writes: 1 })
    const budget = await w.core.dispatch(
      'entities:setBudget',
      {
        entityType: 'campaign',
        entityId: c.id,
        dailyBudgetMicros: 50_000_000,
      },
      TEST_CALLER,
    )
    expect(budget.ok && budget.value).toMatchObject({ state: 'applied', applied: 50_000_000 })
    expect(
      w.core.store.sqlite.prepare('SELECT status, daily_budget_micros AS b FROM campaigns WHERE id = ?').get(c.id),
    ).toEqual({ status: 'paused', b: 50_000_000 })
    const audit = w.core.store.sqlite
      .prepare("SELECT actor, action, entity_id, detail FROM audit_log WHERE action LIKE 'change.%' ORDER BY id")
      .all() as {
      actor: string
      action: string
      entity_id: number
      detail: string
    }[]
    const actor = 'user:tester (test)'
    expect(audit.map((a) => [a.actor, a.action, a.entity_id])).toEqual([
      [actor, 'change.approved', c.id],
      [actor, 'change.applying', c.id],
      [actor, 'change.applied', c.id],
      [actor, 'change.approved', c.id],
      [actor, 'change.applying', c.id],
      [actor, 'change.applied', c.id],
    ])
    expect(JSON.parse(audit[5]?.detail as string)).toMatchObject({ applied: 50_000_000 })
    const missing = await w.core.dispatch(
      'entities:setStatus',
      {
        entityType: 'ad',
        entityId: 999_999,
        status: 'paused',
      },
      TEST_CALLER,
    )
    expect(!missing.ok && missing.error.code).toBe('NOT_FOUND')
  })

  it('schedules a sync when the data is stale, on wake, and shows the last sync in the tray tooltip', async () => {
    let now = NOW
    w = await fakeWorld(worldAccounts(world), { now: () => now })
    const scheduler = w.core.services.syncScheduler
    // Never synced: due at once.
    expect(scheduler.check('start')).toEqual([w.workspaceId])
    const running = w.core.jobs.list(5).find((j) => j.kind === 'sync:run')
    await w.core.jobs.waitFor(running?.id as number)
    expect((w.core.platform as NodePlatform).badge.tooltip).toBe('Last sync just now')
    // Just synced: nothing is due, even on wake.
    expect(scheduler.check('interval')).toEqual([])
    now = new Date(NOW.getTime() + 3 * 3_600_000)
    expect(scheduler.check('interval')).toEqual([]) // 3 h < the 4 h default interval
    expect(scheduler.check('resume')).toEqual([w.workspaceId]) // a wake after 15+ minutes catches up
    await w.core.jobs.waitFor(
      (w.core.jobs.list(5).find((j) => j.kind === 'sync:run' && j.status !== 'succeeded') ?? running)?.id as number,
    )
    w.core.platform.settings.set({ ...w.core.platform.settings.get(), syncIntervalHours: 0 })
    now = new Date(NOW.getTime() + 30 * 3_600_000)
    expect(scheduler.check('interval')).toEqual([]) // manual only
  })
})

describe('API versions', () => {
  it('an advanced setting picks another version; the Connections list warns 60 days before its sunset and errors after (fixed clock)', async () => {
    let now = new Date('2026-08-01T12:00:00Z')
    w = await fakeWorld(worldAccounts(world), { now: () => now })
    const fw = w
    const list = async (): Promise<{ platform: string; apiVersion: string; apiNotice: unknown }[]> => {
      const r = await fw.core.dispatch('connections:list', { workspaceId: fw.workspaceId }, TEST_CALLER)
      if (!r.ok) throw new Error(r.error.message)
      return r.value as { platform: string; apiVersion: string; apiNotice: unknown }[]
    }
    const google = async (): Promise<{ apiVersion: string; apiNotice: unknown }> =>
      (await list()).find((c) => c.platform === 'google_ads') as { apiVersion: string; apiNotice: unknown }
    expect(await google()).toMatchObject({ apiVersion: 'v26', apiNotice: null })

    const bad = await fw.core.dispatch('sync:updateConfig', { apiVersions: { google_ads: 'v19' } }, TEST_CALLER)
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.message).toContain('Unknown google_ads API version "v19"')

    const set = await fw.core.dispatch('sync:updateConfig', { apiVersions: { google_ads: 'v22' } }, TEST_CALLER)
    expect(set.ok).toBe(true)
    if (set.ok) {
      const v = set.value as ChannelOutput<'sync:updateConfig'>
      expect(v.effective.apiVersions.google_ads).toBe('v22')
      expect(v.effective.baseUrls.google_ads).toBe('https://googleads.googleapis.com/v22')
      expect(v.apiVersionChoices.google_ads?.find((x) => x.current)?.version).toBe('v26')
    }
    // 2026-08-01 is 67 days before v22's sunset (2026-10-07): nothing yet.
    expect((await google()).apiNotice).toBeNull()
    now = new Date('2026-08-20T12:00:00Z')
    expect(await google()).toMatchObject({
      apiVersion: 'v22',
      apiNotice: { level: 'warning', message: expect.stringContaining('will be retired on 2026-10-07 (in 48 days)') },
    })
    now = new Date('2026-10-08T12:00:00Z')
    expect((await google()).apiNotice).toMatchObject({
      level: 'error',
      message: expect.stringContaining('this app needs an update'),
    })
  })
})
