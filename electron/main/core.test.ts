import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INVOKE_CHANNELS, type InvokeChannel } from '../../shared/ipc/channels'
import type { Account, Summary, TrendPoint, Workspace } from '../../shared/ipc/contract'
import { addDays } from '../../shared/domain/dates'
import type { Core } from './core'
import { createTestCore, TEST_CALLER } from './test-support'
import { adMonthMismatches } from './store/repos/testing'

let core: Core
let ws: Workspace
let to: string

/** A small demo (12 campaigns x 90 days) keeps the suite fast; the simulator is the same. */
beforeAll(async () => {
  core = createTestCore({ seedDemo: true, demo: { campaigns: 12, days: 90 } })
  const job = await core.jobs.waitFor(core.startupJobId as number)
  expect(job.status).toBe('succeeded')
  ws = (await call<Workspace[]>('workspaces:list', {}))[0] as Workspace
  to = (core.jobs.result<{ to: string }>(core.startupJobId as number) as { to: string }).to
})
afterAll(() => core.close())

async function call<T = unknown>(channel: string, input: unknown): Promise<T> {
  const env = await core.dispatch(channel, input, TEST_CALLER)
  if (!env.ok) throw new Error(`${channel}: ${env.error.code} ${env.error.message}`)
  return env.value as T
}

/** Inputs every channel must refuse: wrong types and unknown keys (every input schema is strict). */
const GENERIC_INVALID: unknown[] = [42, 'x', [1, 2], true, { __unexpected: 1 }]

/** Channel-specific bad values on top of the generic ones. */
const INVALID: Partial<Record<InvokeChannel, unknown[]>> = {
  'app:getInfo': [{ extra: 1 }, 'x'],
  'store:getStatus': [{ extra: true }],
  'workspaces:list': [{ x: 1 }, [1]],
  'accounts:list': [{}, { workspaceId: 'one' }, { workspaceId: -1 }],
  'dashboard:getSummary': [
    {},
    { workspaceId: 1, range: { from: '2026-13-01', to: '2026-12-01' } },
    { workspaceId: 1, range: { from: '2026-02-01', to: '2026-01-01' } },
    { workspaceId: 1, range: { from: '2026-01-01', to: '2026-01-31' }, compare: 'yes' },
  ],
  'dashboard:getTrend': [{ workspaceId: 1 }, { workspaceId: 1, range: { from: '2026-02-30', to: '2026-03-01' } }],
  'jobs:list': [{ limit: 0 }, { limit: 'ten' }],
  'jobs:cancel': [{}, { jobId: 'x' }],
  'demo:reset': [{ force: true }],
  'settings:get': [{ a: 1 }],
  'settings:update': [{ reportingCurrency: 'usd' }, { syncIntervalHours: -1 }, { theme: 'blue' }, { unknown: 1 }],
}

describe('dispatch', () => {
  it.each(INVOKE_CHANNELS)('%s refuses invalid payloads with a VALIDATION error', async (channel) => {
    for (const input of [...GENERIC_INVALID, ...(INVALID[channel] ?? [])]) {
      const env = await core.dispatch(channel, input, TEST_CALLER)
      expect(env.ok, `${channel} accepted ${JSON.stringify(input)}`).toBe(false)
      if (!env.ok) {
        expect(env.error.code).toBe('VALIDATION')
        expect(env.error.message).toMatch(new RegExp(`^Invalid input for ${channel}`))
      }
    }
  })

  it('refuses an unknown channel', async () => {
    const env = await core.dispatch('campaigns:deleteEverything', {}, TEST_CALLER)
    expect(env).toEqual({
      ok: false,
      error: { code: 'UNKNOWN_CHANNEL', message: 'Unknown channel "campaigns:deleteEverything"' },
    })
  })

  it('answers NOT_FOUND for a workspace that does not exist', async () => {
    const env = await core.dispatch('accounts:list', { workspaceId: 999 }, TEST_CALLER)
    expect(env.ok).toBe(false)
    if (!env.ok) expect(env.error.code).toBe('NOT_FOUND')
  })

  it('serves app info and store status', async () => {
    const info = await call<{ host: string; name: string }>('app:getInfo', {})
    expect(info).toMatchObject({ host: 'test', name: 'Marketing Engine' })
    const status = await call<{ workspaces: { dailyRows: number; ads: number; lastDate: string }[] }>(
      'store:getStatus',
      {},
    )
    expect(status.workspaces[0]?.dailyRows).toBeGreaterThan(1000)
    // The count comes from the maintained per-account-day counter; it must equal the rows.
    const rows = core.store.sqlite.prepare('SELECT count(*) AS n FROM daily_metrics').get() as { n: number }
    expect(status.workspaces[0]?.dailyRows).toBe(rows.n)
    expect(status.workspaces[0]?.lastDate).toBe(to)
  })

  it('lists accounts in 4 platforms, 2 currencies, 3 time zones with their date span', async () => {
    const accounts = await call<Account[]>('accounts:list', { workspaceId: ws.id })
    expect(new Set(accounts.map((a) => a.platform)).size).toBe(4)
    expect(new Set(accounts.map((a) => a.currency))).toEqual(new Set(['USD', 'EUR']))
    expect(new Set(accounts.map((a) => a.timeZone)).size).toBe(3)
    expect(accounts.some((a) => a.lastDate === to)).toBe(true)
    for (const a of accounts) expect((a.lastDate ?? '') <= to).toBe(true)
  })

  it('updates settings and emits settings:changed; refuses invalid values with the reason', async () => {
    const seen: unknown[] = []
    const off = core.events.on('settings:changed', (s) => seen.push(s))
    const next = await call<{ theme: string }>('settings:update', { theme: 'dark' })
    expect(next.theme).toBe('dark')
    expect(seen).toHaveLength(1)
    const bad = await core.dispatch('settings:update', { reportingCurrency: 'US' }, TEST_CALLER)
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.message).toContain('3-letter ISO currency code')
    off()
  })
})

describe('dashboard numbers', () => {
  /** Direct computation from the ad-level rows: per account currency, per month, then converted. */
  function direct(
    from: string,
    toDate: string,
  ): { spend: number; revenue: number; clicks: number; impressions: number; conversions: number } {
    const rows = core.store.sqlite
      .prepare(
        `SELECT a.currency, substr(m.date,1,7) AS month, sum(m.spend_micros) AS spend, sum(m.conversion_value_micros) AS revenue,
                sum(m.clicks) AS clicks, sum(m.impressions) AS impressions, sum(m.conversions) AS conversions
         FROM daily_metrics m JOIN ad_accounts a ON a.id = m.account_id
         WHERE a.workspace_id = ? AND m.date BETWEEN ? AND ? GROUP BY a.currency, month`,
      )
      .all(ws.id, from, toDate) as {
      currency: string
      month: string
      spend: number
      revenue: number
      clicks: number
      impressions: number
      conversions: number
    }[]
    const rates = new Map(
      (
        core.store.sqlite.prepare('SELECT currency, month, rate FROM fx_rates WHERE workspace_id = ?').all(ws.id) as {
          currency: string
          month: string
          rate: number
        }[]
      ).map((r) => [`${r.currency}|${r.month}`, r.rate]),
    )
    const conv = (v: number, c: string, m: string): number =>
      c === 'USD' ? v : Math.round(v * (rates.get(`${c}|${m}`) as number))
    return rows.reduce(
      (t, r) => ({
        spend: t.spend + conv(r.spend, r.currency, r.month),
        revenue: t.revenue + conv(r.revenue, r.currency, r.month),
        clicks: t.clicks + r.clicks,
        impressions: t.impressions + r.impressions,
        conversions: t.conversions + r.conversions,
      }),
      { spend: 0, revenue: 0, clicks: 0, impressions: 0, conversions: 0 },
    )
  }

  it('summary totals equal a direct computation from ad-level rows, to the micro', async () => {
    const range = { from: addDays(to, -29), to }
    const s = await call<Summary>('dashboard:getSummary', { workspaceId: ws.id, range })
    const d = direct(range.from, range.to)
    expect(s.totals.spendMicros).toBe(d.spend)
    expect(s.totals.revenueMicros).toBe(d.revenue)
    expect(s.totals.clicks).toBe(d.clicks)
    expect(s.totals.impressions).toBe(d.impressions)
    expect(s.totals.conversions).toBeCloseTo(d.conversions, 6)
    expect(s.convertedFrom).toEqual(['EUR'])
    expect(s.kpis.roas).toBeCloseTo(d.revenue / d.spend, 12)
    expect(s.kpis.ctr).toBeCloseTo(d.clicks / d.impressions, 12)
    expect(s.kpis.cpa).toBeCloseTo(d.spend / 1e6 / d.conversions, 9)
    expect(s.provisionalDays).toBeGreaterThanOrEqual(28)
  })

  it('compares with the previous period of the same length', async () => {
    const range = { from: addDays(to, -6), to }
    const s = await call<Summary>('dashboard:getSummary', { workspaceId: ws.id, range, compare: true })
    expect(s.previousRange).toEqual({ from: addDays(to, -13), to: addDays(to, -7) })
    const d = direct(addDays(to, -13), addDays(to, -7))
    expect(s.previousTotals?.spendMicros).toBe(d.spend)
  })

  it('the trend has one point per day and sums to the summary', async () => {
    const range = { from: addDays(to, -29), to }
    const t = await call<{ points: TrendPoint[] }>('dashboard:getTrend', { workspaceId: ws.id, range })
    const s = await call<Summary>('dashboard:getSummary', { workspaceId: ws.id, range, compare: false })
    expect(t.points).toHaveLength(30)
    expect(t.points.reduce((n, p) => n + p.clicks, 0)).toBe(s.totals.clicks)
    // per-day conversion rounds each day, so the sum may differ by a few micros per day at most
    expect(Math.abs(t.points.reduce((n, p) => n + p.spendMicros, 0) - s.totals.spendMicros)).toBeLessThanOrEqual(30)
    expect(t.points.at(-1)?.provisional).toBe(true)
    // the longest restatement window is 30 days (Google Ads): the first of these 30 days is still provisional
    expect(t.points[0]?.provisional).toBe(true)
    const older = await call<{ points: TrendPoint[] }>('dashboard:getTrend', {
      workspaceId: ws.id,
      range: { from: addDays(to, -40), to: addDays(to, -31) },
    })
    expect(older.points.every((p) => !p.provisional)).toBe(true)
  })

  it('scopes to chosen accounts', async () => {
    const accounts = await call<Account[]>('accounts:list', { workspaceId: ws.id })
    const usd = accounts.filter((a) => a.currency === 'USD').map((a) => a.id)
    const s = await call<Summary>('dashboard:getSummary', {
      workspaceId: ws.id,
      range: { from: addDays(to, -29), to },
      accountIds: usd,
    })
    expect(s.convertedFrom).toEqual([])
    const all = await call<Summary>('dashboard:getSummary', {
      workspaceId: ws.id,
      range: { from: addDays(to, -29), to },
    })
    expect(s.totals.spendMicros).toBeLessThan(all.totals.spendMicros)
  })

  it('an empty range gives zero totals and null ratios, not NaN', async () => {
    const s = await call<Summary>('dashboard:getSummary', {
      workspaceId: ws.id,
      range: { from: '2001-01-01', to: '2001-01-31' },
    })
    expect(s.totals.spendMicros).toBe(0)
    expect(s.kpis.roas).toBeNull()
    expect(s.kpis.ctr).toBeNull()
  })
})

describe('demo reset', () => {
  it('runs as a job with progress and replaces only the demo workspace', async () => {
    core.store.sqlite.prepare("INSERT INTO workspaces (name, reporting_currency) VALUES ('Client A', 'EUR')").run()
    const progress: string[] = []
    const off = core.events.on('job:progress', (p) => progress.push(p.step))
    const changed: string[][] = []
    const off2 = core.events.on('data:changed', (c) => changed.push(c.tables))
    const { jobId } = await call<{ jobId: number }>('demo:reset', {})
    const job = await core.jobs.waitFor(jobId)
    off()
    off2()
    expect(job.status).toBe('succeeded')
    expect(progress.length).toBeGreaterThan(0)
    expect(changed.length).toBeGreaterThan(0)
    const list = await call<Workspace[]>('workspaces:list', {})
    expect(list.map((w) => w.name).sort()).toEqual(['Client A', 'Demo'])
    // the full-size demo: ~120 campaigns, ~1,500 ads
    const status = await call<{ workspaces: { name: string; campaigns: number; ads: number }[] }>('store:getStatus', {})
    const demo = status.workspaces.find((w) => w.name === 'Demo')
    expect(demo?.campaigns).toBeGreaterThanOrEqual(100)
    expect(demo?.ads).toBeGreaterThan(1200)
    const jobs = await call<{ id: number; status: string }[]>('jobs:list', {})
    expect(jobs.find((j) => j.id === jobId)?.status).toBe('succeeded')
    // The old demo's per-ad monthly sums went with it; the new demo's match its rows.
    expect(adMonthMismatches(core.store.sqlite)).toEqual([])
  }, 60_000)
})
