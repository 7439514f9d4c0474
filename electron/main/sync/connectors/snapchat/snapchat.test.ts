import { readFileSync } from 'node:fs'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { simulatedFetch } from '../../simulated'
import { PLATFORM_BASE_URLS, PLATFORM_TOKEN_URLS } from '../defaults'
import type { HttpExchange } from '../http'
import { accountKeyOf, byAdDay, collectRows, FAST_RETRY, simContext, TEST_CONFIG, testPlatforms } from '../test-support'
import type { RemoteAccount } from '../types'
import { localDateOfInstant, localMidnightIso } from '../tz'
import { createSnapchatConnector } from './snapchat-connector'
import { classifySnapchat } from './snapchat-protocol'

const fx = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>
const BASE = PLATFORM_BASE_URLS.snapchat
const ex = (status: number, json: unknown): HttpExchange => ({
  status,
  json,
  text: JSON.stringify(json),
  headers: new Headers(),
})

describe('Snapchat connector: real samples', () => {
  it('classifies the 401 and 429 samples and request_status ERROR', () => {
    expect(classifySnapchat(ex(401, fx('error_401_airbyte.json')))?.kind).toBe('auth')
    expect(classifySnapchat(ex(429, fx('error_429_airbyte.json')))?.kind).toBe('rate_limit')
    expect(classifySnapchat(ex(503, { request_status: 'ERROR', msg: 'down' }))?.kind).toBe('transient')
    expect(classifySnapchat(ex(200, { request_status: 'ERROR', msg: 'bad field' }))?.kind).toBe('bad_request')
    expect(classifySnapchat(ex(200, fx('campaigns_list_airbyte.json')))).toBeNull()
  })

  it('parses the campaigns sample (micro budgets, local dates) after an OAuth refresh', async () => {
    const handlers = [
      http.post(PLATFORM_TOKEN_URLS.snapchat ?? '', () =>
        HttpResponse.json({ access_token: 'fresh', expires_in: 1800, refresh_token: 'rotated' }),
      ),
      http.get(`${BASE}/adaccounts/test_adaccount_456/campaigns`, ({ request }) => {
        expect(request.headers.get('authorization')).toBe('Bearer fresh')
        expect(new URL(request.url).searchParams.get('limit')).toBe('1000')
        return HttpResponse.json(fx('campaigns_list_airbyte.json'))
      }),
    ]
    const rotated: Record<string, string>[] = []
    const c = createSnapchatConnector({
      fetch: simulatedFetch(handlers),
      baseUrl: BASE,
      tokenUrl: PLATFORM_TOKEN_URLS.snapchat ?? '',
      credentials: { clientId: 'c', clientSecret: 's', refreshToken: 'old' },
      retry: FAST_RETRY,
      onCredentialsChanged: (x) => void rotated.push(x),
    })
    const account: RemoteAccount = {
      externalId: 'test_adaccount_456',
      name: 'x',
      currency: 'USD',
      timeZone: 'America/Los_Angeles',
      status: 'active',
    }
    expect(await c.listCampaigns(account)).toEqual([
      {
        externalId: 'test_campaign_789',
        name: 'Test Campaign',
        objective: 'awareness',
        status: 'active',
        dailyBudgetMicros: 100_000_000,
        startDate: '2023-12-31',
        endDate: '2024-12-31',
      },
    ])
    expect(rotated).toEqual([{ refreshToken: 'rotated' }])
  })

  it('aligns bounds to the account time zone midnight, across DST changes', () => {
    expect(localMidnightIso('2024-01-15', 'America/Los_Angeles')).toBe('2024-01-15T00:00:00.000-08:00')
    expect(localMidnightIso('2024-03-10', 'America/New_York')).toBe('2024-03-10T00:00:00.000-05:00')
    expect(localMidnightIso('2024-03-11', 'America/New_York')).toBe('2024-03-11T00:00:00.000-04:00')
    expect(localMidnightIso('2024-07-01', 'Europe/Berlin')).toBe('2024-07-01T00:00:00.000+02:00')
    // Timestamps as in the stats sample (compact offset "-0800").
    const sample = fx('stats_timeseries_hour_airbyte.json') as {
      timeseries_stats: { timeseries_stat: { start_time: string } }[]
    }
    const start = sample.timeseries_stats[0]?.timeseries_stat.start_time ?? ''
    expect(localDateOfInstant(start, 'America/Los_Angeles')).toBe('2024-01-15')
    expect(localDateOfInstant(start, 'Europe/Berlin')).toBe('2024-01-15')
    expect(localDateOfInstant('2024-01-15T07:59:00.000Z', 'America/Los_Angeles')).toBe('2024-01-14')
  })
})

describe('Snapchat connector: simulated API', () => {
  async function setup(opts: Parameters<typeof testPlatforms>[0] = {}): Promise<{
    sim: ReturnType<typeof testPlatforms>
    c: ReturnType<typeof createSnapchatConnector>
    account: RemoteAccount
  }> {
    const sim = testPlatforms(opts)
    const c = createSnapchatConnector(simContext('snapchat', sim))
    const [account] = await c.listAccounts()
    if (!account) throw new Error('no account')
    return { sim, c, account }
  }

  it('fetches DAY stats by ad through next_link pages, over a DST switch, matching the platform', async () => {
    const { sim, c, account } = await setup({ pageSize: 7 })
    expect(account.timeZone).toBe('America/New_York')
    const rows = await collectRows(c.fetchDaily(account, '2025-02-20', '2025-03-20'))
    const key = accountKeyOf(sim, 'snapchat', account)
    expect(byAdDay(rows)).toEqual(
      byAdDay(sim.state.rows(key, '2025-02-20', '2025-03-20').map(({ accountKey: _k, ...r }) => r)),
    )
    const ads = await c.listAds(account)
    expect(new Set(ads.map((a) => a.creative.format)).size).toBeGreaterThan(1)
  })

  it('rejects bounds that are not on local midnight (the simulated API enforces it)', async () => {
    const { sim, account } = await setup()
    const f = simulatedFetch(sim.handlers)
    const token = sim.state.issueToken('snapchat') ?? ''
    const url = `${BASE}/adaccounts/${account.externalId}/stats?granularity=DAY&breakdown=ad&start_time=2025-03-01T00:00:00.000Z&end_time=2025-03-02T00:00:00.000Z`
    const res = await f(url, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { msg: string }).msg).toMatch(/not aligned/)
  })

  it('retries 429/5xx/timeouts, refreshes expired tokens, fails auth when the grant is revoked', async () => {
    const { sim, c, account } = await setup({ faults: { hangMs: 5000 } })
    sim.state.faults.set({ script: ['rate_limit', 'server_error', 'timeout'], hangMs: 5000 })
    expect((await c.listAdSets(account)).length).toBeGreaterThan(0)
    sim.state.expireTokens()
    expect((await c.listCampaigns(account)).length).toBeGreaterThan(0)
    sim.state.faults.set({ script: Array(FAST_RETRY.maxAttempts).fill('truncated') })
    await expect(c.listCampaigns(account)).rejects.toMatchObject({ kind: 'invalid_response' })
    sim.state.revoke('snapchat')
    sim.state.expireTokens()
    await expect(c.listCampaigns(account)).rejects.toMatchObject({ kind: 'auth' })
  })

  it('PUTs the full entity back with the new status or daily_budget_micro and reads it back', async () => {
    const { sim, c, account } = await setup({ config: { ...TEST_CONFIG, campaigns: 60 } })
    const key = accountKeyOf(sim, 'snapchat', account)
    const squad = sim.state.adSetsOf(key).find((s) => s.dailyBudgetMicros !== null && s.status === 'active')
    if (!squad) throw new Error('world too small')
    const res = await c.setDailyBudget(account, 'ad_set', squad.externalId, 75_123_456)
    expect(res).toMatchObject({ after: { dailyBudgetMicros: 75_120_000 } })
    expect(sim.state.adSets.get(squad.externalId)?.dailyBudgetMicros).toBe(75_120_000)
    const st = await c.setStatus(account, 'ad_set', squad.externalId, 'paused')
    expect(st).toMatchObject({ before: { status: 'active' }, after: { status: 'paused' } })
    expect(sim.state.adSets.get(squad.externalId)?.dailyBudgetMicros).toBe(75_120_000)
    const campaign = sim.state.campaignsOf(key)[0]
    if (!campaign) throw new Error('no campaign')
    await expect(c.setDailyBudget(account, 'campaign', campaign.externalId, 1_000_000)).rejects.toMatchObject({
      kind: 'bad_request',
    })
    sim.state.ignoreWrites.add('snapchat')
    await expect(c.setStatus(account, 'ad_set', squad.externalId, 'active')).rejects.toMatchObject({
      detail: { code: 'write_not_applied' },
    })
  })
})
