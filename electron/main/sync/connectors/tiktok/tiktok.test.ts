import { readFileSync } from 'node:fs'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { simulatedFetch } from '../../simulated'
import { tiktokValueSplit } from '../../simulated/tiktok'
import { PLATFORM_BASE_URLS } from '../defaults'
import type { HttpExchange } from '../http'
import { parseJsonPreservingBigInts } from '../json-text'
import { accountKeyOf, byAdDay, collectRows, FAST_RETRY, simContext, TEST_CONFIG, testPlatforms } from '../test-support'
import type { RemoteAccount } from '../types'
import { createTikTokConnector } from './tiktok-connector'
import { classifyTikTok } from './tiktok-protocol'

const text = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
const BASE = PLATFORM_BASE_URLS.tiktok
const ex = (json: unknown, status = 200): HttpExchange => ({
  status,
  json,
  text: JSON.stringify(json),
  headers: new Headers(),
})
const ACCOUNT: RemoteAccount = {
  externalId: '872746382648',
  name: 'x',
  currency: 'USD',
  timeZone: 'America/Los_Angeles',
  status: 'active',
}

describe('TikTok connector: real samples', () => {
  it('classifies errors carried in HTTP-200 bodies', () => {
    expect(classifyTikTok(ex(JSON.parse(text('error_40067_query_too_large.json'))))?.kind).toBe('too_large')
    expect(classifyTikTok(ex(JSON.parse(text('error_40133_advertiser_qps_limit.json'))))?.kind).toBe('rate_limit')
    expect(classifyTikTok(ex(JSON.parse(text('error_40001_no_permission.json'))))?.kind).toBe('permission')
    expect(classifyTikTok(ex({ code: 40100, message: 'Too many requests. Please retry in some time.' }))?.kind).toBe(
      'rate_limit',
    )
    expect(classifyTikTok(ex({ code: 40105, message: 'Access token is incorrect' }))?.kind).toBe('auth')
    expect(classifyTikTok(ex({ code: 40002, message: 'param error' }))?.kind).toBe('bad_request')
    expect(classifyTikTok(ex({ code: 40002, message: 'Insufficient permission' }))?.kind).toBe('permission')
    expect(classifyTikTok(ex({ code: 50000, message: 'System error.' }))?.kind).toBe('transient')
    expect(classifyTikTok(ex(JSON.parse(text('campaign_get_page_info.json'))))).toBeNull()
  })

  it('keeps 64-bit ids exact when they arrive as JSON numbers', () => {
    const parsed = parseJsonPreservingBigInts(
      '{"ad_id":1678604629756978123,"n":12,"s":"1234567890123456789","f":-0.5,"list":[7810937103699353404]}',
    )
    expect(parsed).toEqual({
      ad_id: '1678604629756978123',
      n: 12,
      s: '1234567890123456789',
      f: -0.5,
      list: ['7810937103699353404'],
    })
    expect(() => parseJsonPreservingBigInts('{"a":12345678901234567')).toThrow(SyntaxError)
  })

  it('parses campaign/get with page_info and a report page shaped like the sample (mixed encodings, nulls)', async () => {
    // The sample is hourly; the same row shape is served here as a daily row.
    const report = text('ads_reports_hourly_airbyte.json')
      .replace(/stat_time_hour/g, 'stat_time_day')
      .replace('"11111111"', '1714125049901106999')
    const handlers = [
      http.get(`${BASE}/campaign/get/`, ({ request }) => {
        expect(request.headers.get('access-token')).toBe('tok')
        return new HttpResponse(text('campaign_get_page_info.json'), {
          headers: { 'content-type': 'application/json' },
        })
      }),
      http.get(`${BASE}/report/integrated/get/`, ({ request }) => {
        const p = new URL(request.url).searchParams
        expect(JSON.parse(p.get('dimensions') ?? '')).toEqual(['ad_id', 'stat_time_day'])
        expect(p.get('data_level')).toBe('AUCTION_AD')
        return new HttpResponse(report, { headers: { 'content-type': 'application/json' } })
      }),
    ]
    const c = createTikTokConnector({
      fetch: simulatedFetch(handlers),
      baseUrl: BASE,
      credentials: { accessToken: 'tok' },
      retry: FAST_RETRY,
    })
    expect(await c.listCampaigns(ACCOUNT)).toEqual([
      {
        externalId: '123456789',
        name: 'Test Campaign',
        objective: 'traffic',
        status: 'active',
        dailyBudgetMicros: 100_000_000,
        startDate: null,
        endDate: null,
      },
    ])
    const rows = await collectRows(c.fetchDaily(ACCOUNT, '2024-01-01', '2024-01-01'))
    expect(rows[0]).toEqual({
      adExternalId: '1714125049901106999',
      adSetExternalId: '1714125049901106',
      campaignExternalId: '1714125042508817',
      date: '2024-01-01',
      spendMicros: 20_000_000,
      impressions: 5830,
      clicks: 69,
      reach: 4806,
      conversions: 0,
      conversionValueMicros: 0,
      videoViews: 5173,
    })
  })
})

describe('TikTok connector: simulated API', () => {
  async function setup(opts: Parameters<typeof testPlatforms>[0] = {}): Promise<{
    sim: ReturnType<typeof testPlatforms>
    c: ReturnType<typeof createTikTokConnector>
    account: RemoteAccount
  }> {
    const sim = testPlatforms(opts)
    const c = createTikTokConnector(simContext('tiktok', sim))
    const [account] = await c.listAccounts()
    if (!account) throw new Error('no account')
    return { sim, c, account }
  }
  const truth = (
    sim: ReturnType<typeof testPlatforms>,
    account: RemoteAccount,
    from: string,
    to: string,
  ): ReturnType<typeof byAdDay> =>
    byAdDay(sim.state.rows(accountKeyOf(sim, 'tiktok', account), from, to).map(({ accountKey: _k, ...r }) => r))

  it('lists the 19-digit advertiser id exactly and pages reports in windows of at most 30 days', async () => {
    const { sim, c, account } = await setup({ pageSize: 200 })
    expect(account.externalId).toBe(sim.state.accountsOf('tiktok')[0]?.externalId)
    expect(account.externalId).toHaveLength(19)
    const byId = createTikTokConnector(simContext('tiktok', sim, { credentials: { accessToken: 't' } }))
    expect((await byId.listAccounts([account.externalId]))[0]).toEqual(account)
    await expect(byId.listAccounts()).rejects.toMatchObject({ kind: 'bad_request' })
    const rows = await collectRows(c.fetchDaily(account, '2025-01-01', '2025-03-31'))
    expect(byAdDay(rows)).toEqual(truth(sim, account, '2025-01-01', '2025-03-31'))
  })

  it('halves the window on 40067 until the query is small enough', async () => {
    const { sim, c, account } = await setup({ faults: { tiktokMaxWindowDays: 6 } })
    const windows: string[] = []
    const c2 = createTikTokConnector(
      simContext('tiktok', sim, {
        fetch: async (input, init) => {
          const u = new URL(String(input))
          if (u.pathname.endsWith('/report/integrated/get/'))
            windows.push(`${u.searchParams.get('start_date')}..${u.searchParams.get('end_date')}`)
          return simulatedFetch(sim.handlers)(input, init)
        },
      }),
    )
    const rows = await collectRows(c2.fetchDaily(account, '2025-03-01', '2025-03-30'))
    expect(byAdDay(rows)).toEqual(truth(sim, account, '2025-03-01', '2025-03-30'))
    expect(windows[0]).toBe('2025-03-01..2025-03-30')
    expect(windows).toContain('2025-03-01..2025-03-04')
    void c
  })

  it('counts web (total_complete_payment_rate) and in-app (total_purchase_value) purchase value, added to the cent', async () => {
    const { sim, account } = await setup()
    const asked: string[][] = []
    const connector = (opts?: Parameters<typeof createTikTokConnector>[1]): ReturnType<typeof createTikTokConnector> =>
      createTikTokConnector(
        simContext('tiktok', sim, {
          fetch: async (input, init) => {
            const u = new URL(String(input))
            if (u.pathname.endsWith('/report/integrated/get/'))
              asked.push(JSON.parse(u.searchParams.get('metrics') ?? '[]') as string[])
            return simulatedFetch(sim.handlers)(input, init)
          },
        }),
        opts,
      )
    const sum = (rows: { conversionValueMicros: number }[]): number =>
      rows.reduce((n, r) => n + r.conversionValueMicros, 0)
    const world = sim.state.rows(accountKeyOf(sim, 'tiktok', account), '2025-02-01', '2025-02-28')
    const rows = await collectRows(connector().fetchDaily(account, '2025-02-01', '2025-02-28'))
    expect(asked[0]).toEqual(expect.arrayContaining(['total_complete_payment_rate', 'total_purchase_value']))
    expect(sum(world)).toBeGreaterThan(0)
    expect(sum(rows)).toBe(sum(world))
    // Asking for the in-app value alone (the request before 2026-12) misses every web purchase.
    const appOnly = await collectRows(
      connector({ valueMetrics: ['total_purchase_value'] }).fetchDaily(account, '2025-02-01', '2025-02-28'),
    )
    const appTruth = world.reduce((n, r) => n + tiktokValueSplit(r.conversionValueMicros).app, 0)
    expect(sum(appOnly)).toBe(appTruth)
    expect(sum(appOnly)).toBeLessThan(sum(world) / 2)
    expect(asked.at(-1)).not.toContain('total_complete_payment_rate')
  })

  it('retries 40100/50000/timeouts, stops on 40105 and gives up on malformed bodies', async () => {
    const { sim, c, account } = await setup({ faults: { hangMs: 5000 } })
    sim.state.faults.set({ script: ['rate_limit', 'server_error', 'timeout'], hangMs: 5000 })
    expect((await c.listAdSets(account)).length).toBeGreaterThan(0)
    sim.state.faults.set({ script: Array(FAST_RETRY.maxAttempts).fill('malformed') })
    await expect(c.listAds(account)).rejects.toMatchObject({ kind: 'invalid_response' })
    sim.state.revoke('tiktok')
    await expect(c.listCampaigns(account)).rejects.toMatchObject({ kind: 'auth', detail: { code: 40105 } })
  })

  it('writes status and decimal budgets (currency units), reading them back', async () => {
    const { sim, c, account } = await setup({ config: { ...TEST_CONFIG, campaigns: 60 } })
    const key = accountKeyOf(sim, 'tiktok', account)
    const campaign = sim.state.campaignsOf(key).find((x) => x.dailyBudgetMicros !== null && x.status !== 'archived')
    const adSet = sim.state.adSetsOf(key).find((s) => s.dailyBudgetMicros !== null && s.status !== 'archived')
    if (!campaign || !adSet) throw new Error('world too small')
    const bodies: unknown[] = []
    const spy = createTikTokConnector(
      simContext('tiktok', sim, {
        fetch: async (input, init) => {
          if (init?.method === 'POST') bodies.push(JSON.parse(String(init.body)))
          return simulatedFetch(sim.handlers)(input, init)
        },
      }),
    )
    const res = await spy.setDailyBudget(account, 'campaign', campaign.externalId, 123_456_789)
    expect(bodies.at(-1)).toEqual({
      advertiser_id: account.externalId,
      campaign_id: campaign.externalId,
      budget: 123.46,
    })
    expect(res.after.dailyBudgetMicros).toBe(123_460_000)
    const st = await spy.setStatus(account, 'ad_set', adSet.externalId, adSet.status === 'active' ? 'paused' : 'active')
    expect(bodies.at(-1)).toMatchObject({ adgroup_ids: [adSet.externalId] })
    expect(st.after.status).toBe(sim.state.adSets.get(adSet.externalId)?.status)
    const cbo = sim.state
      .adSetsOf(key)
      .find(
        (s) =>
          s.dailyBudgetMicros === null && sim.state.campaigns.get(s.campaignExternalId)?.dailyBudgetMicros !== null,
      )
    if (!cbo) throw new Error('world lacks a CBO ad group')
    const viaCampaign = await c.setDailyBudget(account, 'ad_set', cbo.externalId, 80_000_000)
    expect(viaCampaign).toMatchObject({
      level: 'campaign',
      externalId: cbo.campaignExternalId,
      after: { dailyBudgetMicros: 80_000_000 },
    })
    expect(viaCampaign.warnings[0]).toMatch(/CBO/)
    const own = await c.setDailyBudget(account, 'ad_set', adSet.externalId, 45_500_000)
    expect(own).toMatchObject({ level: 'ad_set', after: { dailyBudgetMicros: 45_500_000 }, warnings: [] })
  })
})
