import { describe, expect, it } from 'vitest'
import { addDays } from '../../../../shared/domain/dates'
import { collectRows, simConnector, testPlatforms, TEST_CONFIG } from '../connectors/test-support'
import { simulatedFetch } from './index'

describe('simulated platforms', () => {
  it("restates past days when the platforms' today (asOf) moves forward (late conversions)", async () => {
    const sim = testPlatforms({ asOf: '2025-03-20' })
    const c = simConnector('meta', sim)
    const [account] = await c.listAccounts()
    if (!account) throw new Error('no account')
    const early = await collectRows(c.fetchDaily(account, '2025-03-10', '2025-03-19'))
    expect(early.every((r) => r.date <= '2025-03-19')).toBe(true)
    const conv = (rows: typeof early): number => rows.reduce((s, r) => s + r.conversions, 0)
    sim.state.asOf = addDays(TEST_CONFIG.endDate, 1)
    const later = await collectRows(c.fetchDaily(account, '2025-03-10', '2025-03-19'))
    expect(later.length).toBe(early.length)
    expect(conv(later)).toBeGreaterThan(conv(early))
    expect(later.reduce((s, r) => s + r.spendMicros, 0)).toBe(early.reduce((s, r) => s + r.spendMicros, 0))
  })

  it('answers Meta insights with the requested fields only (date_start and date_stop always), sync and async', async () => {
    const sim = testPlatforms()
    const f = simulatedFetch(sim.handlers)
    const acts = await (
      await f('https://graph.facebook.com/v27.0/me/adaccounts', { headers: { authorization: 'Bearer t' } })
    ).json()
    const act = (acts as { data: { id: string }[] }).data[0]?.id as string
    const range = encodeURIComponent(JSON.stringify({ since: '2025-03-10', until: '2025-03-12' }))
    const keysOf = (body: unknown): string[] =>
      [...new Set((body as { data: Record<string, unknown>[] }).data.flatMap((r) => Object.keys(r)))].sort()
    const res = await f(
      `https://graph.facebook.com/v27.0/${act}/insights?level=ad&time_increment=1&time_range=${range}&fields=ad_id,spend`,
      { headers: { authorization: 'Bearer t' } },
    )
    expect(keysOf(await res.json())).toEqual(['ad_id', 'date_start', 'date_stop', 'spend'])
    const run = await f(`https://graph.facebook.com/v27.0/${act}/insights`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        level: 'ad',
        time_increment: '1',
        time_range: decodeURIComponent(range),
        fields: 'campaign_id,clicks',
      }),
    })
    const id = ((await run.json()) as { report_run_id: string }).report_run_id
    const rows = await f(`https://graph.facebook.com/v27.0/${id}/insights`, { headers: { authorization: 'Bearer t' } })
    expect(keysOf(await rows.json())).toEqual(['campaign_id', 'clicks', 'date_start', 'date_stop'])
  })

  it('simulatedFetch fails unmatched requests like a network error and honours aborts while hanging', async () => {
    const sim = testPlatforms({ faults: { script: ['timeout'], hangMs: 10_000 } })
    const f = simulatedFetch(sim.handlers)
    await expect(f('https://example.invalid/x')).rejects.toThrow(TypeError)
    const ac = new AbortController()
    const p = f('https://graph.facebook.com/v27.0/me/adaccounts', {
      headers: { authorization: 'Bearer t' },
      signal: ac.signal,
    })
    setTimeout(() => ac.abort(new Error('stop')), 10)
    await expect(p).rejects.toThrow('stop')
    expect(sim.state.faults.injected.timeout).toBe(1)
  })

  it('injects scripted faults in platform-specific shapes and counts them', async () => {
    const sim = testPlatforms({ faults: { script: ['rate_limit', 'server_error', 'auth', 'malformed'] } })
    const f = simulatedFetch(sim.handlers)
    const get = (): Promise<Response> =>
      f('https://business-api.tiktok.com/open_api/v1.3/campaign/get/?advertiser_id=1', {
        headers: { 'access-token': 't' },
      })
    expect(await (await get()).json()).toMatchObject({ code: 40100 })
    expect(await (await get()).json()).toMatchObject({ code: 50000 })
    expect(await (await get()).json()).toMatchObject({ code: 40105 })
    expect((await get()).headers.get('content-type')).toBe('text/html')
    expect(await (await get()).json()).toMatchObject({ code: 40001 })
    expect(sim.state.requestCount.tiktok).toBe(5)
  })

  it('rejects a config-less construction with a clear error', () => {
    expect(() => testPlatforms({ config: undefined })).toThrow(/world or a config/)
  })
})
