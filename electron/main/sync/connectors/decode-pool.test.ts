import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { PLATFORMS, type PlatformId } from '../../../../shared/domain/entities'
import { unpackBatch, type DailyBatch } from './daily-batch'
import { DecodePool, IDLE_STOP_MS } from './decode-pool'
import { decodePage } from './decoders'
import { AdRow, streamSchema } from './google-ads/google-schemas'
import { assembleList, decodeList } from './list-decode'
import type { MetaPageArgs } from './meta/meta-page-decoder'
import { DEFAULT_PURCHASE_ACTION_TYPES } from './meta/meta-protocol'
import type { DecodeRequest, DecoderName } from './page-decode'
import type { SnapchatPageArgs } from './snapchat/snapchat-page-decoder'
import { pairsText } from './snapchat/snapchat-stats'
import { simConnector, testPlatforms } from './test-support'
import type { TikTokPageArgs } from './tiktok/tiktok-page-decoder'

const fixture = (path: string): string => readFileSync(new URL(`./${path}`, import.meta.url), 'utf8')
const bytes = (text: string): ArrayBuffer => {
  const u = new TextEncoder().encode(text)
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer
}
/** A fresh request each time: the worker path transfers (detaches) the body. */
const req = (decoder: DecoderName, args: unknown, text: string, status = 200): DecodeRequest => ({
  decoder,
  args,
  status,
  headers: [['content-type', 'application/json']],
  body: bytes(text),
})

const META_ARGS: MetaPageArgs = { purchaseTypes: DEFAULT_PURCHASE_ACTION_TYPES, what: 'Meta insights t' }
const TIKTOK_ARGS: TikTokPageArgs = {
  conversionMetric: 'conversion',
  valueMetrics: ['total_complete_payment_rate', 'total_purchase_value'],
  what: 'tt',
}
const SNAP_ARGS: SnapchatPageArgs = {
  timeZone: 'America/Los_Angeles',
  adSquads: pairsText([['ad_1', 'sq_1']]),
  squadCampaigns: pairsText([['sq_1', 'c_1']]),
  what: 'snap',
}

/** The real samples as daily pages (hourly samples re-labelled daily, as the connector tests do). */
function samples(): { name: string; decoder: DecoderName; args: unknown; text: string }[] {
  const tiktok = fixture('tiktok/fixtures/ads_reports_hourly_airbyte.json')
    .replace(/stat_time_hour/g, 'stat_time_day')
    .replace('"11111111"', '1714125049901106999')
  const snap = JSON.parse(fixture('snapchat/fixtures/stats_timeseries_hour_airbyte.json')) as {
    timeseries_stats: { timeseries_stat: Record<string, unknown> }[]
  }
  for (const ts of snap.timeseries_stats)
    ts.timeseries_stat.breakdown_stats = { ad: [{ id: 'ad_1', timeseries: ts.timeseries_stat.timeseries }] }
  return [
    {
      name: 'meta',
      decoder: 'meta-insights',
      args: META_ARGS,
      text: fixture('meta/fixtures/ads_insights_ad_level_daily.json'),
    },
    { name: 'tiktok', decoder: 'tiktok-report', args: TIKTOK_ARGS, text: tiktok },
    { name: 'snapchat', decoder: 'snapchat-stats', args: SNAP_ARGS, text: JSON.stringify(snap) },
  ]
}

const pool = new DecodePool()

afterAll(async () => {
  await pool.close()
})

describe('page decoding: worker and inline agree', () => {
  it('decodes the real sample pages identically on a worker thread and inline', async () => {
    const before = pool.stats().worker
    for (const s of samples()) {
      const inline = decodePage(req(s.decoder, s.args, s.text))
      const worker = await pool.decode(req(s.decoder, s.args, s.text))
      expect(inline.ok, s.name).toBe(true)
      expect(worker, s.name).toEqual(inline)
      if (inline.ok) expect(inline.batch.n, s.name).toBeGreaterThan(0)
    }
    // The worker path is really taken under vitest (the .ts entry through tsx), not silently inline.
    expect(pool.stats().worker - before).toBe(3)
    expect(pool.stats()).toMatchObject({ workers: 1, unusable: null })
  })

  it('decodes an entity list on a worker thread as inline: its pieces come back as one transferred buffer', async () => {
    // 1,000 ads (four pieces), names with multi-byte characters across the pieces' byte offsets.
    const rows = Array.from({ length: 1_000 }, (_, i) => ({
      campaign: { resourceName: `customers/1/campaigns/${100 + (i >> 4)}`, id: String(100 + (i >> 4)) },
      adGroup: { resourceName: `customers/1/adGroups/${500 + (i >> 2)}`, id: String(500 + (i >> 2)) },
      adGroupAd: {
        status: 'ENABLED',
        ad: { id: String(9_000 + i), name: `Été ${i} — 夏`, type: 'RESPONSIVE_SEARCH_AD' },
      },
    }))
    const text = JSON.stringify([{ results: rows, fieldMask: 'x' }])
    const listReq = () => ({
      list: 'google-ads' as const,
      status: 200,
      headers: [['content-type', 'application/json']] as [string, string][],
      body: bytes(text),
    })
    const before = pool.stats().worker
    const worker = await pool.decodeList(listReq())
    expect(pool.stats().worker - before).toBe(1)
    if (!worker.ok) throw new Error(worker.error.message)
    expect(worker.ends).toHaveLength(4)
    expect(worker.ends[3]).toBe(worker.bytes.byteLength)
    const inline = decodeList(listReq())
    expect(worker).toEqual(inline)
    expect(await assembleList(worker)).toEqual(streamSchema(AdRow).parse(JSON.parse(text)))
  })

  it('keeps a 19-digit numeric TikTok id exact (re-read with quoted big integers)', async () => {
    const tiktok = samples().find((s) => s.name === 'tiktok')
    if (!tiktok) throw new Error('no sample')
    const text = tiktok.text.replace('"adgroup_id": 1714125049901106,', '"adgroup_id": 7810937103699353404,')
    expect(text).toContain('7810937103699353404')
    const out = await pool.decode(req('tiktok-report', TIKTOK_ARGS, text))
    if (!out.ok) throw new Error(out.error.message)
    const [row] = unpackBatch(out.batch)
    expect(row?.adExternalId).toBe('1714125049901106999')
    expect(row?.adSetExternalId).toBe('7810937103699353404')
    expect(row?.spendMicros).toBe(20_000_000)
  })

  it('decodes a page the same before and after a page that needed the exact parse', () => {
    const meta = samples().find((s) => s.name === 'meta')
    if (!meta) throw new Error('no sample')
    const page = (text: string): ReturnType<typeof unpackBatch> => {
      const out = decodePage(req('meta-insights', META_ARGS, text))
      if (!out.ok) throw new Error(out.error.message)
      return unpackBatch(out.batch)
    }
    const first = page(meta.text)
    // A Meta page with an ad id as a bare 19-digit number: read exactly (and the next pages of this
    // decoder are parsed exactly at once); the ordinary page decodes exactly as before.
    const big = JSON.parse(meta.text) as { data: { ad_id: unknown }[] }
    const id = String(big.data[0]?.ad_id)
    const bigText = JSON.stringify(big).replace(`"ad_id":"${id}"`, '"ad_id":7810937103699353404')
    expect(bigText).toContain('"ad_id":7810937103699353404')
    expect(page(bigText)[0]?.adExternalId).toBe('7810937103699353404')
    expect(page(meta.text)).toEqual(first)
    expect(page(bigText)[0]?.adExternalId).toBe('7810937103699353404')
  })

  it('gives the same invalid_response for truncated, malformed and unmappable pages on both paths', async () => {
    const meta = fixture('meta/fixtures/ads_insights_ad_level_daily.json')
    const badRow = JSON.stringify({
      data: [{ date_start: '2024-01-02', ad_id: '1', adset_id: '2', campaign_id: '3', spend: '1,5' }],
    })
    const badShape = JSON.stringify({ data: [{ date_start: '2024-01-02', ad_id: '1', adset_id: '2' }] })
    const cases = [
      { text: meta.slice(0, meta.length / 2), kind: 'invalid_response', message: /not valid JSON/, fatal: undefined },
      { text: '', kind: 'invalid_response', message: /empty body/, fatal: undefined },
      { text: badShape, kind: 'invalid_response', message: /data\.0\.campaign_id/, fatal: undefined },
      { text: badRow, kind: 'invalid_response', message: /Meta insights t: row 0: Not a decimal amount/, fatal: true },
      {
        text: JSON.stringify({ error: { code: 190, message: 'expired' } }),
        kind: 'auth',
        message: /expired/,
        fatal: undefined,
      },
    ]
    for (const c of cases) {
      const status = c.kind === 'auth' ? 400 : 200
      const inline = decodePage(req('meta-insights', META_ARGS, c.text, status))
      const worker = await pool.decode(req('meta-insights', META_ARGS, c.text, status))
      expect(worker).toEqual(inline)
      expect(inline).toMatchObject({ ok: false, error: { kind: c.kind, message: expect.stringMatching(c.message) } })
      if (!inline.ok) expect(inline.fatal).toBe(c.fatal)
    }
  })

  it('fetches identical batches through the worker and inline for every simulated platform', async () => {
    const opts = { pageSize: { meta: 100, google_ads: 40, tiktok: 40, snapchat: 20 } }
    const run = async (platform: PlatformId, decodeMode: 'worker' | 'inline'): Promise<DailyBatch[]> => {
      const c = simConnector(platform, testPlatforms(opts), { decodeMode, decoder: pool })
      const out: DailyBatch[] = []
      for (const account of await c.listAccounts())
        for await (const b of c.fetchDaily(account, '2025-02-20', '2025-03-31')) out.push(b)
      return out
    }
    for (const platform of PLATFORMS) {
      const before = pool.stats()
      const inline = await run(platform, 'inline')
      const mid = pool.stats()
      const worker = await run(platform, 'worker')
      const after = pool.stats()
      expect(inline.length, platform).toBeGreaterThan(1)
      expect(worker, platform).toEqual(inline)
      expect(mid.worker - before.worker, platform).toBe(0)
      expect(after.worker - mid.worker, platform).toBeGreaterThanOrEqual(inline.length)
    }
  })

  it('decodes a body at the start of a larger reused buffer, and gets the buffer back for the next body', async () => {
    const meta = samples().find((s) => s.name === 'meta')
    if (!meta) throw new Error('no sample')
    // A page of more than BodyBuffers' smallest kept size (256 kB), as real report pages are.
    const page = JSON.parse(meta.text) as { data: unknown[] }
    while (JSON.stringify(page).length < 300_000) page.data.push(...page.data)
    const text = JSON.stringify(page)
    const inline = decodePage(req('meta-insights', META_ARGS, text))
    if (!inline.ok) throw new Error(inline.error.message)
    pool.buffers.clear()
    let buffer: ArrayBuffer | null = null
    for (let i = 0; i < 3; i++) {
      const bytes = new TextEncoder().encode(text)
      const body = pool.buffers.take(bytes.byteLength)
      expect(body.byteLength).toBeGreaterThan(bytes.byteLength)
      // Bytes of an earlier body after this one's end must not be read.
      new Uint8Array(body).fill(0x7b)
      new Uint8Array(body).set(bytes)
      if (i > 0) expect(pool.buffers.reused).toBeGreaterThan(0)
      const out = await pool.decode({ ...req('meta-insights', META_ARGS, ''), body, length: bytes.byteLength })
      expect(out).toEqual(inline)
      // Transferred away, then handed back by the worker with its answer.
      expect(body.byteLength).toBe(0)
      expect(pool.buffers.keptBytes()).toBeGreaterThan(0)
      buffer = body
    }
    expect(buffer).not.toBeNull()
  })

  it('lists the same structure with entity lists decoded on the workers and inline, for every platform', async () => {
    const opts = { pageSize: { meta: 100, google_ads: 40, tiktok: 40, snapchat: 20 } }
    const run = async (platform: PlatformId, decodeMode: 'worker' | 'inline'): Promise<unknown[]> => {
      const c = simConnector(platform, testPlatforms(opts), { decodeMode, decoder: pool })
      const out: unknown[] = []
      for (const account of await c.listAccounts())
        out.push(await c.listCampaigns(account), await c.listAdSets(account), await c.listAds(account))
      return out
    }
    for (const platform of PLATFORMS) {
      const inline = await run(platform, 'inline')
      expect(inline.flat().length, platform).toBeGreaterThan(10)
      expect(await run(platform, 'worker'), platform).toEqual(inline)
    }
  })

  it('stops a worker idle for IDLE_STOP_MS (its memory goes back) and starts one for the next page', async () => {
    const s = samples()[0]
    if (!s) throw new Error('no sample')
    const own = new DecodePool()
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      expect((await own.decode(req(s.decoder, s.args, s.text))).ok).toBe(true)
      expect(own.stats().workers).toBe(1)
      vi.advanceTimersByTime(IDLE_STOP_MS - 1)
      expect(own.stats().workers).toBe(1)
      vi.advanceTimersByTime(1)
      expect(own.stats()).toMatchObject({ workers: 0, unusable: null })
      const again = await own.decode(req(s.decoder, s.args, s.text))
      expect(again.ok).toBe(true)
      expect(own.stats()).toMatchObject({ workers: 1, unusable: null })
    } finally {
      vi.useRealTimers()
      await own.close()
    }
  })

  it('shuts the pool down and starts a new one on the next decode', async () => {
    const s = samples()[0]
    if (!s) throw new Error('no sample')
    await pool.decode(req(s.decoder, s.args, s.text))
    expect(pool.stats().workers).toBeGreaterThan(0)
    await pool.close()
    expect(pool.stats().workers).toBe(0)
    const again = await pool.decode(req(s.decoder, s.args, s.text))
    expect(again.ok).toBe(true)
    expect(pool.stats().workers).toBe(1)
  })
})
