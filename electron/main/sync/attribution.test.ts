import { afterEach, describe, expect, it } from 'vitest'
import { addDays } from '../../../shared/domain/dates'
import type { Summary } from '../../../shared/ipc/contract'
import type { Core } from '../core'
import { createTestCore, TEST_CALLER } from '../test-support'
import { syncNow } from './sync-engine/testing/setup'

let core: Core | null = null
afterEach(async () => {
  await core?.close()
  core = null
})

async function call<T>(c: Core, channel: string, input: unknown): Promise<T> {
  const r = await c.dispatch(channel as never, input as never, TEST_CALLER)
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code })
  return r.value as T
}

const conversionsOf = (c: Core, platform: string, from: string, to: string): number =>
  (
    c.store.sqlite
      .prepare(
        `SELECT coalesce(sum(d.conversions), 0) AS n FROM daily_metrics d JOIN ad_accounts a ON a.id = d.account_id
         WHERE a.platform = ? AND d.date BETWEEN ? AND ?`,
      )
      .get(platform, from, to) as { n: number }
  ).n
const snapConversions = (c: Core, from: string, to: string): number => conversionsOf(c, 'snapchat', from, to)

describe('attribution: every synced day records what its conversions were counted with, shown beside them', () => {
  it("follows each platform's own setting by default, and a pinned Snapchat window from the next sync on", async () => {
    let now = new Date('2026-06-15T18:00:00Z')
    core = createTestCore({ seedDemo: true, demo: { campaigns: 8, days: 40 }, now: () => now })
    const c = core
    expect((await c.jobs.waitFor(c.startupJobId as number)).status).toBe('succeeded')
    const ws = c.workspaces.list().find((w) => w.isDemo)?.id as number

    // Generated demo rows carry no attribution: nothing is claimed for them.
    const range = { from: '2026-04-01', to: '2026-06-30' }
    const before = await call<Summary>(c, 'dashboard:getSummary', { workspaceId: ws, range })
    expect(before.attribution).toEqual([])

    expect((await syncNow(c, ws, { mode: 'full' })).status).toBe('succeeded')
    const synced = await call<Summary>(c, 'dashboard:getSummary', { workspaceId: ws, range })
    const accountDays = c.store.sqlite
      .prepare(
        `SELECT a.platform AS platform, count(*) AS n FROM account_daily d JOIN ad_accounts a ON a.id = d.account_id
         JOIN workspaces w ON w.id = a.workspace_id WHERE w.id = ? AND d.date BETWEEN ? AND ? GROUP BY a.platform`,
      )
      .all(ws, range.from, range.to) as { platform: string; n: number }[]
    const days = Object.fromEntries(accountDays.map((r) => [r.platform, r.n]))
    expect(synced.attribution).toEqual([
      {
        platform: 'google_ads',
        code: 'google_ads:conversion_action',
        label: "each conversion action's own windows, as in Google Ads",
        days: days.google_ads,
      },
      {
        platform: 'meta',
        code: 'meta:ad_set',
        label: "each ad set's attribution setting, as in Ads Manager",
        days: days.meta,
      },
      {
        platform: 'snapchat',
        code: 'snapchat:account',
        label: "the ad account's attribution setting, as in Ads Manager",
        days: days.snapchat,
      },
      {
        platform: 'tiktok',
        code: 'tiktok:ad_group',
        label: "each ad group's attribution setting, as in TikTok Ads Manager",
        days: days.tiktok,
      },
    ])

    // An unknown window is refused naming it, and nothing changes.
    await expect(
      call(c, 'sync:updateConfig', { attribution: { snapchat: { swipe: '14_DAY', view: 'NONE' } } }),
    ).rejects.toMatchObject({ code: 'VALIDATION' })
    const cfg0 = await call<{ effective: { attribution: Record<string, { code: string }> } }>(c, 'sync:getConfig', {})
    expect(cfg0.effective.attribution.snapchat?.code).toBe('snapchat:account')

    // Pin 1-day swipe, no view-through: the next sync re-pulls the restatement window (made 8 days
    // here, so older days keep the account's setting) with it.
    const cfg = await call<{ effective: { attribution: Record<string, { code: string; label: string }> } }>(
      c,
      'sync:updateConfig',
      { attribution: { snapchat: { swipe: '1_DAY', view: 'NONE' } }, restatementDays: { snapchat: 8 } },
    )
    expect(cfg.effective.attribution.snapchat).toEqual({
      code: 'snapchat:1_DAY/NONE',
      label: '1-day swipe, no view-through (pinned)',
    })
    const windowStart = addDays('2026-06-16', -8)
    now = new Date('2026-06-16T18:00:00Z')
    expect((await syncNow(c, ws)).status).toBe('succeeded')
    const mixed = await call<Summary>(c, 'dashboard:getSummary', { workspaceId: ws, range })
    const snap = mixed.attribution.filter((a) => a.platform === 'snapchat')
    expect(snap.map((a) => a.code)).toEqual(['snapchat:1_DAY/NONE', 'snapchat:account'])
    expect(snap.every((a) => a.days > 0)).toBe(true)
    const pinnedConversions = snapConversions(c, windowStart, '2026-06-16')
    // Other platforms are not affected by Snapchat's pin.
    expect(mixed.attribution.filter((a) => a.platform === 'meta').map((a) => a.code)).toEqual(['meta:ad_set'])

    // Back to the account's own setting, synced at the same moment: the simulated platform counts
    // more conversions in its longer windows (the pinned 1-day swipe without views caught 0.8 x 0.55).
    const reset = await call<{ attribution?: { snapchat?: unknown } }>(c, 'sync:updateConfig', {
      attribution: { snapchat: null },
    })
    expect(reset.attribution?.snapchat).toBeUndefined()
    expect((await syncNow(c, ws)).status).toBe('succeeded')
    expect(snapConversions(c, windowStart, '2026-06-16')).toBeGreaterThan(pinnedConversions)
    const back = await call<Summary>(c, 'dashboard:getSummary', { workspaceId: ws, range })
    expect(back.attribution.filter((a) => a.platform === 'snapchat').map((a) => a.code)).toEqual(['snapchat:account'])
  }, 120_000)

  it('counts Meta conversions with pinned click/view windows (action_attribution_windows) from the next sync on', async () => {
    let now = new Date('2026-06-15T18:00:00Z')
    core = createTestCore({ seedDemo: true, demo: { campaigns: 8, days: 40 }, now: () => now })
    const c = core
    expect((await c.jobs.waitFor(c.startupJobId as number)).status).toBe('succeeded')
    const ws = c.workspaces.list().find((w) => w.isDemo)?.id as number
    expect((await syncNow(c, ws, { mode: 'full' })).status).toBe('succeeded')
    const range = { from: '2026-04-01', to: '2026-06-30' }

    // A window Meta does not return any more (7d_view since 2026-01-12) is refused, nothing changes.
    await expect(
      call(c, 'sync:updateConfig', { attribution: { meta: { click: '7d_click', view: '7d_view' } } }),
    ).rejects.toMatchObject({ code: 'VALIDATION' })

    const cfg = await call<{ effective: { attribution: Record<string, { code: string; label: string }> } }>(
      c,
      'sync:updateConfig',
      { attribution: { meta: { click: '1d_click', view: 'none' } }, restatementDays: { meta: 8 } },
    )
    expect(cfg.effective.attribution.meta).toEqual({
      code: 'meta:1d_click/none',
      label: '1-day click, no view-through (pinned)',
    })
    const windowStart = addDays('2026-06-16', -8)
    const setting = conversionsOf(c, 'meta', windowStart, '2026-06-16')
    now = new Date('2026-06-16T18:00:00Z')
    expect((await syncNow(c, ws)).status).toBe('succeeded')
    const mixed = await call<Summary>(c, 'dashboard:getSummary', { workspaceId: ws, range })
    const meta = mixed.attribution.filter((a) => a.platform === 'meta')
    expect(meta.map((a) => a.code)).toEqual(['meta:1d_click/none', 'meta:ad_set'])
    // The simulated Graph API's 1-day click window counts 0.6 of the ad set setting's purchases.
    const pinned = conversionsOf(c, 'meta', windowStart, '2026-06-16')
    expect(setting).toBeGreaterThan(0)
    expect(pinned).toBeLessThan(setting)
    // Snapchat is not affected by Meta's pin; both pins can be set apart and removed apart.
    expect(mixed.attribution.filter((a) => a.platform === 'snapchat').map((a) => a.code)).toEqual(['snapchat:account'])
    const both = await call<{ attribution?: Record<string, unknown> }>(c, 'sync:updateConfig', {
      attribution: { snapchat: { swipe: '7_DAY', view: 'NONE' } },
    })
    expect(Object.keys(both.attribution ?? {}).sort()).toEqual(['meta', 'snapchat'])
    const reset = await call<{ attribution?: Record<string, unknown> }>(c, 'sync:updateConfig', {
      attribution: { meta: null },
    })
    expect(Object.keys(reset.attribution ?? {})).toEqual(['snapchat'])
    expect((await syncNow(c, ws)).status).toBe('succeeded')
    expect(conversionsOf(c, 'meta', windowStart, '2026-06-16')).toBeGreaterThan(pinned)
  }, 120_000)
})
