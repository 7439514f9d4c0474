import { readFileSync } from 'node:fs'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { simulatedFetch } from '../../simulated'
import { PLATFORM_BASE_URLS, PLATFORM_TOKEN_URLS } from '../defaults'
import type { HttpExchange } from '../http'
import { accountKeyOf, byAdDay, collectRows, FAST_RETRY, simContext, testPlatforms } from '../test-support'
import { ConnectorError, type RemoteAccount } from '../types'
import { createGoogleAdsConnector, dailyRequestDays } from './google-connector'
import { classifyGoogle, parseDurationMs } from './google-protocol'

const fx = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'))
const BASE = PLATFORM_BASE_URLS.google_ads
const TOKEN = PLATFORM_TOKEN_URLS.google_ads ?? ''
const ex = (status: number, json: unknown): HttpExchange => ({
  status,
  json,
  text: JSON.stringify(json),
  headers: new Headers(),
})
const quota = (errorCode: Record<string, string>, retryDelay: string): unknown => ({
  error: {
    code: 429,
    status: 'RESOURCE_EXHAUSTED',
    message: 'Resource has been exhausted',
    details: [
      {
        '@type': 'type.googleapis.com/google.ads.googleads.v21.errors.GoogleAdsFailure',
        errors: [{ errorCode, details: { quotaErrorDetails: { rateScope: 'DEVELOPER', retryDelay } } }],
      },
    ],
  },
})

describe('Google Ads connector: real samples', () => {
  it('refreshes the token, sends developer-token and login-customer-id, expands the manager tree', async () => {
    const seen: Record<string, string | null>[] = []
    const handlers = [
      http.post(TOKEN, async ({ request }) => {
        const form = new URLSearchParams(await request.text())
        expect(form.get('grant_type')).toBe('refresh_token')
        return HttpResponse.json(fx('oauth_token_refresh_airbyte_mock.json') as Record<string, unknown>)
      }),
      http.post(`${BASE}/customers/9990001111/googleAds\\:searchStream`, async ({ request }) => {
        seen.push({
          auth: request.headers.get('authorization'),
          dev: request.headers.get('developer-token'),
          login: request.headers.get('login-customer-id'),
        })
        const body = (await request.json()) as { query: string }
        expect(body.query).toMatch(/FROM customer_client/)
        // The sample lacks currency: add it as the real query selects it.
        const batches = fx('searchstream_customer_client_airbyte_mock.json') as {
          results: { customerClient: Record<string, unknown> }[]
        }[]
        for (const b of batches) for (const r of b.results) r.customerClient.currencyCode = 'USD'
        return HttpResponse.json(batches)
      }),
    ]
    const c = createGoogleAdsConnector({
      fetch: simulatedFetch(handlers),
      baseUrl: BASE,
      tokenUrl: TOKEN,
      credentials: {
        developerToken: 'dev',
        refreshToken: 'r',
        clientId: 'c',
        clientSecret: 's',
        loginCustomerId: '999-000-1111',
      },
      retry: FAST_RETRY,
    })
    expect(await c.listAccounts()).toEqual([
      { externalId: '1234567890', name: '1234567890', currency: 'USD', timeZone: 'America/New_York', status: 'active' },
    ])
    expect(seen).toEqual([{ auth: 'Bearer test_access_token', dev: 'dev', login: '9990001111' }])
  })

  it('lists accessible customers from the sample when there is no manager', async () => {
    const handlers = [
      http.get(`${BASE}/customers\\:listAccessibleCustomers`, () =>
        HttpResponse.json(fx('list_accessible_customers_airbyte_mock.json') as Record<string, unknown>),
      ),
      http.post(`${BASE}/customers/1234567890/googleAds\\:searchStream`, () =>
        HttpResponse.json([
          {
            results: [
              {
                customer: {
                  id: '1234567890',
                  descriptiveName: 'Shop',
                  currencyCode: 'EUR',
                  timeZone: 'Europe/Berlin',
                  status: 'ENABLED',
                  manager: false,
                },
              },
            ],
          },
        ]),
      ),
    ]
    const c = createGoogleAdsConnector({
      fetch: simulatedFetch(handlers),
      baseUrl: BASE,
      credentials: { developerToken: 'd', accessToken: 'static' },
      retry: FAST_RETRY,
    })
    expect(await c.listAccounts()).toEqual([
      { externalId: '1234567890', name: 'Shop', currency: 'EUR', timeZone: 'Europe/Berlin', status: 'active' },
    ])
  })

  it('classifies quota, auth, permission and server errors with retryDelay', () => {
    const exhausted = classifyGoogle(ex(429, quota({ quotaError: 'RESOURCE_EXHAUSTED' }, '8962s')))
    expect(exhausted).toMatchObject({
      kind: 'rate_limit',
      retryAfterMs: 8_962_000,
      code: 'quotaError.RESOURCE_EXHAUSTED',
    })
    expect(
      classifyGoogle(
        ex(401, {
          error: { code: 401, status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' },
        }),
      )?.kind,
    ).toBe('auth')
    expect(
      classifyGoogle(
        ex(403, {
          error: {
            code: 403,
            status: 'PERMISSION_DENIED',
            details: [{ errors: [{ errorCode: { authorizationError: 'USER_PERMISSION_DENIED' } }] }],
          },
        }),
      )?.kind,
    ).toBe('permission')
    expect(classifyGoogle(ex(503, { error: { code: 503, status: 'UNAVAILABLE' } }))?.kind).toBe('transient')
    expect(classifyGoogle(ex(400, { error: { code: 400, status: 'INVALID_ARGUMENT' } }))?.kind).toBe('bad_request')
    // An error element inside a searchStream array.
    expect(classifyGoogle(ex(200, [{ results: [] }, { error: { code: 500, status: 'INTERNAL' } }]))?.kind).toBe(
      'transient',
    )
    expect(parseDurationMs('1.5s')).toBe(1500)
  })

  it('sits out a platform-given wait up to an hour (shown through onWait), and surfaces a longer one at once with its time', async () => {
    let calls = 0
    let delay = '300s'
    const handlers = [
      http.get(`${BASE}/customers\\:listAccessibleCustomers`, () => {
        calls += 1
        if (calls === 1 || delay === '8962s')
          return HttpResponse.json(quota({ quotaError: 'RESOURCE_EXHAUSTED' }, delay) as Record<string, unknown>, {
            status: 429,
          })
        return HttpResponse.json({ resourceNames: [] })
      }),
    ]
    const slept: number[] = []
    const waits: { untilMs: number; delayMs: number; reason: string }[] = []
    const now = new Date('2026-12-04T13:00:00Z')
    const c = createGoogleAdsConnector({
      fetch: simulatedFetch(handlers),
      baseUrl: BASE,
      credentials: { developerToken: 'd', accessToken: 'x' },
      retry: FAST_RETRY,
      now: () => now,
      sleep: async (ms) => void slept.push(ms),
      onWait: (w) => void waits.push(w),
    })
    expect(await c.listAccounts()).toEqual([])
    expect(slept).toEqual([300_000])
    expect(waits).toEqual([
      { untilMs: now.getTime() + 300_000, delayMs: 300_000, reason: expect.stringContaining('RESOURCE_EXHAUSTED') },
    ])
    // Google's documented Explorer-access example: 8962 s, beyond the hour a request waits.
    delay = '8962s'
    calls = 0
    const err = await c.listAccounts().catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'rate_limit', detail: { retryAfterMs: 8_962_000 } })
    expect((err as Error).message).toContain('the platform asks to wait 2 h 30 min (until 15:29 UTC)')
    expect(calls).toBe(1)
  })
})

describe('Google Ads connector: simulated API', () => {
  it('reads searchStream batches (micros strings, fractional conversions) and matches the platform', async () => {
    const sim = testPlatforms({ pageSize: 100 })
    const c = createGoogleAdsConnector(simContext('google_ads', sim))
    const accounts = await c.listAccounts()
    expect(accounts.map((a) => a.currency).sort()).toEqual(['EUR', 'USD'])
    const account = accounts.find((a) => a.currency === 'USD')
    if (!account) throw new Error('no account')
    const rows = await collectRows(c.fetchDaily(account, '2025-02-01', '2025-03-15'))
    const key = accountKeyOf(sim, 'google_ads', account)
    const expected = byAdDay(
      sim.state.rows(key, '2025-02-01', '2025-03-15').map(({ accountKey: _k, ...r }) => ({ ...r, reach: 0 })),
    )
    expect(byAdDay(rows)).toEqual(expected)
    expect(rows.some((r) => !Number.isInteger(r.conversions))).toBe(true)
    const campaigns = await c.listCampaigns(account)
    expect(campaigns.length).toBe(sim.state.campaignsOf(key).length)
    expect(campaigns.every((c2) => c2.dailyBudgetMicros !== null)).toBe(true)
  })

  it('asks for fewer days per daily request once the account listed many ads, and gets the same rows', async () => {
    const sim = testPlatforms({ pageSize: 100 })
    const ctx = simContext('google_ads', sim)
    const daily: string[] = []
    const counting: typeof ctx.fetch = async (input, init) => {
      const body = typeof init?.body === 'string' ? init.body : ''
      if (body.includes('segments.date BETWEEN')) daily.push(body)
      return ctx.fetch(input, init)
    }
    const c = createGoogleAdsConnector({ ...ctx, fetch: counting }, { dailyRowsPerRequest: 200 })
    const account = (await c.listAccounts()).find((a) => a.currency === 'USD')
    if (!account) throw new Error('no account')
    // 43 days: two requests (31 + 12 days) while the connector knows nothing of the account's ads.
    const whole = await collectRows(c.fetchDaily(account, '2025-02-01', '2025-03-15'))
    expect(daily).toHaveLength(2)
    const ads = (await c.listAds(account)).length
    const days = dailyRequestDays(ads, 200)
    expect(days).toBeLessThan(31)
    daily.length = 0
    const split = await collectRows(c.fetchDaily(account, '2025-02-01', '2025-03-15'))
    expect(daily).toHaveLength(Math.ceil(43 / days))
    expect(byAdDay(split)).toEqual(byAdDay(whole))
    expect(split.length).toBeGreaterThan(0)
  })

  it('refreshes an expired access token once; a revoked grant is an auth error', async () => {
    const sim = testPlatforms()
    const c = createGoogleAdsConnector(simContext('google_ads', sim))
    const [account] = await c.listAccounts()
    if (!account) throw new Error('no account')
    sim.state.expireTokens()
    expect((await c.listAdSets(account)).length).toBeGreaterThan(0)
    sim.state.revoke('google_ads')
    await expect(c.listAds(account)).rejects.toMatchObject({ kind: 'auth' })
  })

  it('retries 429 RESOURCE_EXHAUSTED and 503, gives up on truncated streams with invalid_response', async () => {
    const sim = testPlatforms()
    const c = createGoogleAdsConnector(simContext('google_ads', sim))
    const [account] = await c.listAccounts()
    if (!account) throw new Error('no account')
    sim.state.faults.set({ script: ['rate_limit', 'server_error', 'rate_limit'] })
    expect((await c.listCampaigns(account)).length).toBeGreaterThan(0)
    sim.state.faults.set({ script: Array(FAST_RETRY.maxAttempts).fill('truncated') })
    const err = await collectRows(c.fetchDaily(account, '2025-03-01', '2025-03-02')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectorError)
    expect((err as ConnectorError).kind).toBe('invalid_response')
  })

  it('writes status via :mutate and budgets in micros, warning when the budget is shared', async () => {
    const sim = testPlatforms()
    const c = createGoogleAdsConnector(simContext('google_ads', sim))
    const account = (await c.listAccounts()).find((a) => a.currency === 'USD')
    if (!account) throw new Error('no account')
    const key = accountKeyOf(sim, 'google_ads', account)
    const [c1, c2] = sim.state.campaignsOf(key)
    const ad = sim.state.adsOf(key).find((a) => a.status === 'active')
    if (!c1 || !c2 || !ad) throw new Error('world too small')

    const res = await c.setStatus(account, 'ad', ad.externalId, 'paused')
    expect(res.after.status).toBe('paused')
    expect(sim.state.ads.get(ad.externalId)?.status).toBe('paused')

    const own = await c.setDailyBudget(account, 'campaign', c1.externalId, 123_456_789)
    expect(own).toMatchObject({ after: { dailyBudgetMicros: 123_460_000 }, warnings: [] })

    sim.state.shareGoogleBudget([c1.externalId, c2.externalId])
    const shared = await c.setDailyBudget(account, 'campaign', c2.externalId, 50_000_000)
    expect(shared.warnings).toEqual(['Budget is shared by 2 campaigns: the new amount applies to all of them'])
    expect((await c.listCampaigns(account)).find((x) => x.externalId === c1.externalId)?.dailyBudgetMicros).toBe(
      50_000_000,
    )

    await expect(c.setDailyBudget(account, 'ad_set', '1', 1)).rejects.toMatchObject({ kind: 'bad_request' })
    sim.state.ignoreWrites.add('google_ads')
    await expect(c.setDailyBudget(account, 'campaign', c1.externalId, 70_000_000)).rejects.toMatchObject({
      detail: { code: 'write_not_applied' },
    })
  })
})

describe('Google Ads connector: API versions', () => {
  const sim = testPlatforms()
  const account = (): Promise<RemoteAccount> =>
    createGoogleAdsConnector(simContext('google_ads', sim))
      .listAccounts()
      .then((a) => a[0] as RemoteAccount)

  it('speaks the current version (v26): video_trueview_views and campaign start/end date times', async () => {
    const queries: string[] = []
    const c = createGoogleAdsConnector(
      simContext('google_ads', sim, {
        fetch: async (input, init) => {
          const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
          if (typeof init?.body === 'string' && url.includes('/v26/')) queries.push(init.body)
          return simulatedFetch(sim.handlers)(input, init)
        },
      }),
    )
    const acc = await account()
    const campaigns = await c.listCampaigns(acc)
    expect(campaigns.every((x) => /^\d{4}-\d{2}-\d{2}$/.test(x.startDate ?? ''))).toBe(true)
    const rows = await collectRows(c.fetchDaily(acc, '2025-03-01', '2025-03-31'))
    expect(rows.some((r) => r.videoViews > 0)).toBe(true)
    expect(queries.some((q) => q.includes('metrics.video_trueview_views'))).toBe(true)
    expect(queries.some((q) => q.includes('campaign.start_date_time'))).toBe(true)
    expect(queries.some((q) => q.includes('metrics.video_views'))).toBe(false)
  })

  it('a picked older version speaks its own field names and gets the same rows', async () => {
    const acc = await account()
    const v26 = createGoogleAdsConnector(simContext('google_ads', sim))
    const v21 = createGoogleAdsConnector(
      simContext('google_ads', sim, { apiVersion: 'v21', baseUrl: 'https://googleads.googleapis.com/v21' }),
    )
    const a = byAdDay(await collectRows(v26.fetchDaily(acc, '2025-03-01', '2025-03-31')))
    const b = byAdDay(await collectRows(v21.fetchDaily(acc, '2025-03-01', '2025-03-31')))
    expect(b).toEqual(a)
    expect((await v21.listCampaigns(acc)).map((x) => x.startDate)).toEqual(
      (await v26.listCampaigns(acc)).map((x) => x.startDate),
    )
  })

  it("keeps Google's own text naming a field the version no longer knows", async () => {
    const acc = await account()
    // v21 field names sent to the v26 endpoint: what a connector pinned to v21 met after v22.
    const stale = createGoogleAdsConnector(
      simContext('google_ads', sim, { apiVersion: 'v21', baseUrl: 'https://googleads.googleapis.com/v26' }),
    )
    const err = await collectRows(stale.fetchDaily(acc, '2025-03-01', '2025-03-31')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectorError)
    expect((err as ConnectorError).kind).toBe('bad_request')
    expect((err as ConnectorError).message).toContain("Unrecognized field in the query: 'metrics.video_views'.")
    expect((err as ConnectorError).message).toContain('queryError=UNRECOGNIZED_FIELD')
  })
})
