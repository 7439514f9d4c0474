import { readFileSync } from 'node:fs'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { simulatedFetch } from '../../simulated'
import { PLATFORM_BASE_URLS } from '../defaults'
import type { HttpExchange } from '../http'
import { WriteNotAppliedError } from '../normalize'
import { accountKeyOf, byAdDay, collectRows, FAST_RETRY, simContext, testPlatforms } from '../test-support'
import { ConnectorError, type RemoteAccount, type RemoteDailyRow } from '../types'
import { createMetaConnector } from './meta-connector'
import { insightsPage, pickAction } from './meta-insights'
import { classifyMeta, DEFAULT_PURCHASE_ACTION_TYPES, metaThrottle, microsToMetaMinor } from './meta-protocol'

const fx = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'))
const BASE = PLATFORM_BASE_URLS.meta
const ex = (status: number, json: unknown, headers: Record<string, string> = {}): HttpExchange => ({
  status,
  json,
  text: JSON.stringify(json),
  headers: new Headers(headers),
})

function truth(
  sim: ReturnType<typeof testPlatforms>,
  account: RemoteAccount,
  from: string,
  to: string,
): Map<string, RemoteDailyRow> {
  const key = accountKeyOf(sim, 'meta', account)
  return byAdDay(sim.state.rows(key, from, to).map(({ accountKey: _k, ...r }) => r))
}

async function firstAccount(
  sim: ReturnType<typeof testPlatforms>,
  extra = {},
): Promise<{ c: ReturnType<typeof createMetaConnector>; account: RemoteAccount }> {
  const c = createMetaConnector(simContext('meta', sim, extra), { pollIntervalMs: 1 })
  const [account] = await c.listAccounts()
  if (!account) throw new Error('no account')
  return { c, account }
}

describe('Meta connector: real samples', () => {
  it('parses the ad-level daily insights sample (string numbers, ids as strings)', () => {
    const body = fx('ads_insights_ad_level_daily.json') as { data: unknown[] }
    const rows = insightsPage(body.data, DEFAULT_PURCHASE_ACTION_TYPES, 'fixture')
    expect(rows).toHaveLength(2)
    expect(rows[0]).toEqual({
      adExternalId: '23854695759200548',
      adSetExternalId: '23854404706320548',
      campaignExternalId: '23854404676180548',
      date: '2023-06-01',
      spendMicros: 14_350_000,
      impressions: 185,
      clicks: 9,
      reach: 0,
      conversions: 0,
      conversionValueMicros: 0,
      videoViews: 0,
    })
    expect(rows[1]?.spendMicros).toBe(8_530_000)
  })

  it('takes the first purchase action type present and never sums the redundant ones', () => {
    const actions = [
      { action_type: 'offsite_conversion.fb_pixel_purchase', value: '3' },
      { action_type: 'purchase', value: '3' },
      { action_type: 'omni_purchase', value: '4' },
    ]
    expect(pickAction(actions, DEFAULT_PURCHASE_ACTION_TYPES)?.value).toBe('4')
    expect(pickAction(actions.slice(0, 1), DEFAULT_PURCHASE_ACTION_TYPES)?.value).toBe('3')
    const row = {
      date_start: '2024-01-02',
      ad_id: '1',
      adset_id: '2',
      campaign_id: '3',
      spend: '1.00',
      actions,
      action_values: [{ action_type: 'purchase', value: '99.99' }],
    }
    const [r] = insightsPage([row], DEFAULT_PURCHASE_ACTION_TYPES, 't')
    expect(r?.conversions).toBe(4)
    expect(r?.conversionValueMicros).toBe(99_990_000)
    expect(insightsPage([row], ['purchase'], 't')[0]?.conversions).toBe(3)
  })

  it('with pinned windows, counts each purchase by its click and view window values, not the setting', () => {
    const row = {
      date_start: '2024-01-02',
      ad_id: '1',
      adset_id: '2',
      campaign_id: '3',
      spend: '1.00',
      actions: [{ action_type: 'omni_purchase', value: '9', '7d_click': '5', '1d_view': '2' }],
      action_values: [{ action_type: 'omni_purchase', value: '90.00', '7d_click': '50.00', '1d_view': '20.50' }],
    }
    const [r] = insightsPage([row], DEFAULT_PURCHASE_ACTION_TYPES, 't', ['7d_click', '1d_view'])
    expect(r?.conversions).toBe(7)
    expect(r?.conversionValueMicros).toBe(70_500_000)
    // A window Meta did not return counts nothing; without windows `value` (the ad set's setting).
    expect(insightsPage([row], DEFAULT_PURCHASE_ACTION_TYPES, 't', ['1d_click'])[0]?.conversions).toBe(0)
    expect(insightsPage([row], DEFAULT_PURCHASE_ACTION_TYPES, 't')[0]?.conversions).toBe(9)
    const bad = { ...row, actions: [{ action_type: 'omni_purchase', value: '9', '7d_click': '5,5' }] }
    expect(() => insightsPage([bad], DEFAULT_PURCHASE_ACTION_TYPES, 'page', ['7d_click'])).toThrow(/Not a count/)
  })

  it('rejects a malformed insights row with a specific invalid_response error', () => {
    const bad = { date_start: '2024-01-02', ad_id: '1', adset_id: '2', campaign_id: '3', spend: '1,5' }
    expect(() => insightsPage([bad], DEFAULT_PURCHASE_ACTION_TYPES, 'page')).toThrow(/Not a decimal amount/)
    expect(() => insightsPage([{ ad_id: '1' }], DEFAULT_PURCHASE_ACTION_TYPES, 'page')).toThrow(
      expect.objectContaining({ kind: 'invalid_response', message: expect.stringMatching(/item 0 date_start/) }),
    )
  })

  it('lists campaigns and ad sets from the samples, budgets in minor units by currency offset', async () => {
    const handlers = [
      http.get(`${BASE}/act_1/campaigns`, () =>
        HttpResponse.json(fx('campaigns_list.json') as Record<string, unknown>),
      ),
      http.get(`${BASE}/act_1/adsets`, () => HttpResponse.json(fx('adsets_list.json') as Record<string, unknown>)),
    ]
    const c = createMetaConnector({
      fetch: simulatedFetch(handlers),
      baseUrl: BASE,
      credentials: { accessToken: 't' },
      retry: FAST_RETRY,
    })
    const usd: RemoteAccount = {
      externalId: 'act_1',
      name: 'x',
      currency: 'USD',
      timeZone: 'America/Los_Angeles',
      status: 'active',
    }
    const [campaign] = await c.listCampaigns(usd)
    expect(campaign).toMatchObject({
      externalId: '0000000000000000',
      objective: 'awareness',
      status: 'archived',
      dailyBudgetMicros: null,
      startDate: '2024-03-12',
    })
    expect((await c.listAdSets(usd))[0]).toMatchObject({
      campaignExternalId: '120208325579370399',
      status: 'archived',
      dailyBudgetMicros: 6_000_000,
    })
    expect((await c.listAdSets({ ...usd, currency: 'JPY' }))[0]?.dailyBudgetMicros).toBe(600_000_000)
    expect(microsToMetaMinor(12_345_678, 'USD')).toBe(1235)
    expect(microsToMetaMinor(5_000_400_000, 'JPY')).toBe(5000)
    expect(microsToMetaMinor(5_000_000_000, 'HUF')).toBe(5000)
  })

  it('retries a page whose item lacks a required field, then fails with invalid_response naming it', async () => {
    let calls = 0
    const handlers = [
      http.get(`${BASE}/act_1/adsets`, () => {
        calls++
        return HttpResponse.json({ data: [{ id: '1', name: 'no campaign id', status: 'ACTIVE' }] })
      }),
    ]
    const c = createMetaConnector({
      fetch: simulatedFetch(handlers),
      baseUrl: BASE,
      credentials: {},
      retry: FAST_RETRY,
    })
    const usd: RemoteAccount = { externalId: 'act_1', name: 'x', currency: 'USD', timeZone: 'UTC', status: 'active' }
    await expect(c.listAdSets(usd)).rejects.toMatchObject({
      kind: 'invalid_response',
      message: expect.stringMatching(/data\.0\.campaign_id/),
    })
    expect(calls).toBe(FAST_RETRY.maxAttempts)
  })

  it('runs the async report flow against the real report-run sample', async () => {
    const run = fx('async_report_run_completed.json') as { id: string }
    let polls = 0
    const handlers = [
      http.post(`${BASE}/act_1/insights`, async ({ request }) => {
        const form = new URLSearchParams(await request.text())
        expect(form.get('level')).toBe('ad')
        expect(form.get('time_increment')).toBe('1')
        // Conversions as Ads Manager counts them: each ad set's attribution setting.
        expect(form.get('use_unified_attribution_setting')).toBe('true')
        expect(JSON.parse(form.get('time_range') ?? '')).toEqual({ since: '2023-05-20', until: '2023-06-10' })
        return HttpResponse.json({ report_run_id: run.id })
      }),
      http.get(`${BASE}/${run.id}`, () => ((polls += 1), HttpResponse.json(run))),
      http.get(`${BASE}/${run.id}/insights`, () =>
        HttpResponse.json(fx('ads_insights_ad_level_daily.json') as Record<string, unknown>),
      ),
    ]
    const c = createMetaConnector({
      fetch: simulatedFetch(handlers),
      baseUrl: BASE,
      credentials: { accessToken: 't' },
      retry: FAST_RETRY,
    })
    const usd: RemoteAccount = {
      externalId: 'act_1',
      name: 'x',
      currency: 'USD',
      timeZone: 'America/Los_Angeles',
      status: 'active',
    }
    // The sample holds one ad-day twice (product_id breakdown rows with different numbers): that is
    // reported, never silently dropped or summed.
    await expect(collectRows(c.fetchDaily(usd, '2023-05-20', '2023-06-10'))).rejects.toMatchObject({
      kind: 'invalid_response',
      detail: { code: 'duplicate_ad_day' },
    })
    expect(polls).toBe(1)
  })

  it('classifies the real error samples and Graph error codes', () => {
    expect(classifyMeta(ex(400, fx('error_80000_ad_account_too_many_calls.json')))?.kind).toBe('rate_limit')
    expect(classifyMeta(ex(400, fx('error_190_token_expired.json')))?.kind).toBe('auth')
    expect(classifyMeta(ex(400, { error: { code: 17, message: 'User request limit reached' } }))?.kind).toBe(
      'rate_limit',
    )
    expect(classifyMeta(ex(400, { error: { code: 613, error_subcode: 1487742 } }))?.kind).toBe('rate_limit')
    expect(
      classifyMeta(ex(500, { error: { code: 1, error_subcode: 1487534, message: 'Please reduce the amount of data' } }))
        ?.kind,
    ).toBe('too_large')
    expect(classifyMeta(ex(500, { error: { code: 2, is_transient: true } }))?.kind).toBe('transient')
    expect(classifyMeta(ex(400, { error: { code: 200, message: 'Permissions error' } }))?.kind).toBe('permission')
    expect(classifyMeta(ex(400, { error: { code: 100, message: 'Invalid parameter' } }))?.kind).toBe('bad_request')
    expect(classifyMeta(ex(200, { data: [] }))).toBeNull()
    const regain = classifyMeta(
      ex(
        400,
        { error: { code: 80000 } },
        {
          'x-business-use-case-usage': JSON.stringify({
            '1': [{ type: 'ads_insights', call_count: 100, estimated_time_to_regain_access: 2 }],
          }),
        },
      ),
    )
    expect(regain?.retryAfterMs).toBe(120_000)
  })

  it('slows down when usage headers run high', () => {
    const policy = { ...FAST_RETRY, maxDelayMs: 1000 }
    expect(
      metaThrottle(
        ex(200, {}, { 'x-app-usage': JSON.stringify({ call_count: 20, total_time: 10, total_cputime: 5 }) }),
        policy,
      ),
    ).toBe(0)
    expect(metaThrottle(ex(200, {}, { 'x-ad-account-usage': JSON.stringify({ acc_id_util_pct: 95 }) }), policy)).toBe(
      800,
    )
    expect(
      metaThrottle(
        ex(200, {}, { 'x-business-use-case-usage': JSON.stringify({ '9': [{ call_count: 100 }] }) }),
        policy,
      ),
    ).toBe(1000)
  })
})

describe('Meta connector: simulated Graph API', () => {
  it('pages sync insights via paging.next and matches the platform to the micro', async () => {
    const sim = testPlatforms({ pageSize: 25 })
    const { c, account } = await firstAccount(sim)
    const rows = await collectRows(c.fetchDaily(account, '2025-03-01', '2025-03-07'))
    expect(byAdDay(rows)).toEqual(truth(sim, account, '2025-03-01', '2025-03-07'))
    expect(sim.state.reportRuns.size).toBe(0)
    expect(sim.state.requestCount.meta).toBeGreaterThan(rows.length / 25)
  })

  it('runs async reports for long ranges: polls until Job Completed, then pages the results', async () => {
    const sim = testPlatforms({ faults: { metaAsyncPolls: 4 } })
    const { c, account } = await firstAccount(sim)
    const rows = await collectRows(c.fetchDaily(account, '2025-02-01', '2025-02-20'))
    expect(byAdDay(rows)).toEqual(truth(sim, account, '2025-02-01', '2025-02-20'))
    const runs = [...sim.state.reportRuns.values()]
    expect(runs).toHaveLength(1)
    expect(runs[0]?.polls).toBe(4)
  })

  it('halves the range when Meta asks to reduce the amount of data (sync) or the async job fails', async () => {
    const sim = testPlatforms({ faults: { metaMaxSyncDays: 2, metaAsyncMaxDays: 5 } })
    const { c, account } = await firstAccount(sim)
    const rows = await collectRows(c.fetchDaily(account, '2025-03-01', '2025-03-07'))
    expect(byAdDay(rows)).toEqual(truth(sim, account, '2025-03-01', '2025-03-07'))
    const long = await collectRows(c.fetchDaily(account, '2025-01-01', '2025-01-20'))
    expect(byAdDay(long)).toEqual(truth(sim, account, '2025-01-01', '2025-01-20'))
    expect([...sim.state.reportRuns.values()].some((r) => r.fail)).toBe(true)
  })

  it('maps an expired token to auth without retrying', async () => {
    const sim = testPlatforms()
    const { c, account } = await firstAccount(sim)
    sim.state.revoke('meta')
    const before = sim.state.requestCount.meta
    const err = await c.listCampaigns(account).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectorError)
    expect((err as ConnectorError).kind).toBe('auth')
    expect((err as ConnectorError).detail.code).toBe(190)
    expect(sim.state.requestCount.meta - before).toBe(1)
  })

  it('retries rate limits, 5xx and timeouts, then succeeds', async () => {
    const sim = testPlatforms({ faults: { hangMs: 5000 } })
    const retries: string[] = []
    const { c, account } = await firstAccount(sim, { onRetry: (i: { reason: string }) => retries.push(i.reason) })
    sim.state.faults.set({ script: ['rate_limit', 'server_error', 'timeout'], hangMs: 5000 })
    const campaigns = await c.listCampaigns(account)
    expect(campaigns.length).toBe(sim.state.campaignsOf(accountKeyOf(sim, 'meta', account)).length)
    expect(retries).toHaveLength(3)
    expect(retries[0]).toMatch(/80000/)
    expect(retries[2]).toMatch(/timed out/)
  })

  it('gives up with invalid_response on malformed or truncated JSON after the retry limit', async () => {
    for (const kind of ['malformed', 'truncated'] as const) {
      const sim = testPlatforms()
      const { c, account } = await firstAccount(sim)
      sim.state.faults.set({ script: Array(FAST_RETRY.maxAttempts).fill(kind) })
      const err = await c.listAds(account).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ConnectorError)
      expect((err as ConnectorError).kind).toBe('invalid_response')
      expect((err as ConnectorError).message).toMatch(/not valid JSON.*gave up after 4 attempts/)
    }
  })

  it('writes status and budgets, reads them back, and follows the budget owner (CBO)', async () => {
    const sim = testPlatforms({ accountOverrides: { 'meta-1': { currency: 'JPY' } } })
    const bodies: string[] = []
    const fetchSpy: typeof fetch = async (input, init) => {
      if (init?.method === 'POST' && typeof init.body === 'string') bodies.push(init.body)
      return simulatedFetch(sim.handlers)(input, init)
    }
    const c = createMetaConnector(simContext('meta', sim, { fetch: fetchSpy }))
    const account = (await c.listAccounts()).find((a) => a.currency === 'JPY')
    if (!account) throw new Error('no JPY account')
    const campaigns = sim.state.campaignsOf('meta-1')
    const withBudget = campaigns.find((x) => x.dailyBudgetMicros !== null && x.status === 'active')
    if (!withBudget) throw new Error('fixture world lacks a CBO campaign')

    const paused = await c.setStatus(account, 'campaign', withBudget.externalId, 'paused')
    expect(paused).toMatchObject({ before: { status: 'active' }, after: { status: 'paused' } })
    expect(sim.state.campaigns.get(withBudget.externalId)?.status).toBe('paused')

    const res = await c.setDailyBudget(account, 'campaign', withBudget.externalId, 5_000_400_000)
    expect(bodies.at(-1)).toBe('daily_budget=5000')
    expect(res.after.dailyBudgetMicros).toBe(5_000_000_000)
    expect(sim.state.campaigns.get(withBudget.externalId)?.dailyBudgetMicros).toBe(5_000_000_000)

    const cboAdSet = sim.state.adSetsOf('meta-1').find((s) => s.campaignExternalId === withBudget.externalId)
    if (!cboAdSet) throw new Error('no ad set')
    const viaAdSet = await c.setDailyBudget(account, 'ad_set', cboAdSet.externalId, 7_000_000_000)
    expect(viaAdSet.level).toBe('campaign')
    expect(viaAdSet.externalId).toBe(withBudget.externalId)
    expect(viaAdSet.warnings[0]).toMatch(/CBO/)

    const abo = campaigns.find((x) => x.dailyBudgetMicros === null)
    if (abo)
      await expect(c.setDailyBudget(account, 'campaign', abo.externalId, 1_000_000_000)).rejects.toMatchObject({
        kind: 'bad_request',
      })

    sim.state.ignoreWrites.add('meta')
    await expect(c.setStatus(account, 'campaign', withBudget.externalId, 'active')).rejects.toBeInstanceOf(
      WriteNotAppliedError,
    )
  })
})
