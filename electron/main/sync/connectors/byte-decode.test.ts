import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Rng } from '../simulator/rng'
import { GOOGLE_STREAM_DECODER, type GooglePageArgs } from './google-ads/google-page-decoder'
import { META_INSIGHTS_DECODER, type MetaPageArgs } from './meta/meta-page-decoder'
import { DEFAULT_PURCHASE_ACTION_TYPES } from './meta/meta-protocol'
import { TIKTOK_REPORT_DECODER, type TikTokPageArgs } from './tiktok/tiktok-page-decoder'
import { byteFastPathStats, runDecoder, type DecodeOutcome, type PageDecoder } from './page-decode'
import { simulatedFetch } from '../simulated'
import { simConnector, testPlatforms } from './test-support'

/** Byte fast path vs. text path of the Meta, Google and TikTok page decoders on real and mutated pages. */

const fixture = (path: string): string => readFileSync(new URL(`./${path}`, import.meta.url), 'utf8')
const encoder = new TextEncoder()

const META_ARGS: MetaPageArgs = { purchaseTypes: DEFAULT_PURCHASE_ACTION_TYPES, what: 'Meta insights t' }
const GOOGLE_ARGS: GooglePageArgs = { what: 'Google daily metrics t' }
const TIKTOK_ARGS: TikTokPageArgs = { conversionMetric: 'conversion', valueMetric: 'total_purchase_value', what: 'tt' }

interface Case {
  decoder: PageDecoder
  args: unknown
  body: Uint8Array
}

const request = (c: Case): Parameters<typeof runDecoder>[1] => ({
  decoder: 'meta-insights',
  args: c.args,
  status: 200,
  headers: [['content-type', 'application/json']],
  body: c.body.slice().buffer as ArrayBuffer,
})

/** The text path alone (the decoder without its byte path). */
function textPath(c: Case): DecodeOutcome {
  const { decodeBytes: _unused, ...slow } = c.decoder
  return runDecoder(slow, request(c))
}

/** The byte path alone: a page, or undefined when it bailed. */
function bytePath(c: Case): DecodeOutcome | undefined {
  const page = c.decoder.decodeBytes?.(c.body.slice(), c.args)
  return page ? { ok: true, ...page } : undefined
}

/** Daily report bodies as the simulated Meta, Google and TikTok APIs send them (captured off the fetch). */
type SimPages = { meta: Uint8Array[]; google: Uint8Array[]; tiktok: Uint8Array[] }
let captured: Promise<SimPages> | undefined
const simulatedPages = (): Promise<SimPages> => (captured ??= capturePages())

async function capturePages(): Promise<SimPages> {
  const sim = testPlatforms({ pageSize: { meta: 100, google_ads: 40, tiktok: 40, snapchat: 20 } })
  const out = { meta: [] as Uint8Array[], google: [] as Uint8Array[], tiktok: [] as Uint8Array[] }
  for (const platform of ['meta', 'google_ads', 'tiktok'] as const) {
    const base = simConnector(platform, sim)
    const inner = simulatedFetch(sim.handlers)
    const capture: typeof fetch = async (input, init) => {
      const res = await inner(input, init)
      const url = String(input instanceof Request ? input.url : input)
      const daily =
        platform === 'meta'
          ? url.includes('/insights') && (init?.method ?? 'GET') === 'GET'
          : platform === 'tiktok'
            ? url.includes('report/integrated/get')
            : url.includes('searchStream') && /segments\.date/.test(String(init?.body))
      const key = platform === 'google_ads' ? 'google' : platform
      if (daily && res.status === 200) out[key].push(new Uint8Array(await res.clone().arrayBuffer()))
      return res
    }
    const c = simConnector(platform, sim, { fetch: capture, decodeMode: 'inline' })
    for (const account of await base.listAccounts())
      for await (const _b of c.fetchDaily(account, '2025-02-20', '2025-03-31')) void _b
  }
  return out
}

function metaSample(): string {
  return fixture('meta/fixtures/ads_insights_ad_level_daily.json')
}

/** The real TikTok hourly sample as a daily page (as decode-pool.test.ts re-labels it), with a 19-digit id. */
function tiktokSample(): string {
  return fixture('tiktok/fixtures/ads_reports_hourly_airbyte.json')
    .replace(/stat_time_hour/g, 'stat_time_day')
    .replace('"11111111"', '1714125049901106999')
}

describe('byte fast path: same pages as the text path', () => {
  it('takes the byte path for the real Meta and TikTok samples and every simulated Meta, Google and TikTok page', async () => {
    const pages = await simulatedPages()
    expect(pages.meta.length).toBeGreaterThan(3)
    expect(pages.google.length).toBeGreaterThan(3)
    const cases: Case[] = [
      { decoder: META_INSIGHTS_DECODER as PageDecoder, args: META_ARGS, body: encoder.encode(metaSample()) },
      ...pages.meta.map((body) => ({ decoder: META_INSIGHTS_DECODER as PageDecoder, args: META_ARGS, body })),
      ...pages.google.map((body) => ({ decoder: GOOGLE_STREAM_DECODER as PageDecoder, args: GOOGLE_ARGS, body })),
      { decoder: TIKTOK_REPORT_DECODER as PageDecoder, args: TIKTOK_ARGS, body: encoder.encode(tiktokSample()) },
      ...pages.tiktok.map((body) => ({ decoder: TIKTOK_REPORT_DECODER as PageDecoder, args: TIKTOK_ARGS, body })),
    ]
    expect(pages.tiktok.length).toBeGreaterThan(3)
    let rows = 0
    for (const c of cases) {
      const slow = textPath(c)
      expect(slow.ok, new TextDecoder().decode(c.body.subarray(0, 200))).toBe(true)
      const fast = bytePath(c)
      expect(fast).toEqual(slow)
      if (fast?.ok) rows += fast.batch.n
    }
    expect(rows).toBeGreaterThan(500)
    // And runDecoder really takes it.
    const before = byteFastPathStats()
    for (const c of cases) expect(runDecoder(c.decoder, request(c))).toEqual(textPath(c))
    expect(byteFastPathStats().bytes - before.bytes).toBe(cases.length)
  })
})

/** Deterministic random numbers in [0, 1) (the simulator's seeded generator). */
function rng(seed: number): () => number {
  const g = new Rng(seed)
  return () => g.next()
}

const FLIPS = [
  0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x30, 0x39, 0x2d, 0x2e, 0x65, 0x20, 0x00, 0x1f, 0x80, 0xff, 0x6e,
]
const ODD_NUMBERS = [
  '1e3',
  '1.0',
  '-0',
  '-1',
  '0.0000001',
  '1E2',
  '10505.0',
  '1.5',
  '12345678901234567',
  '1234567890123456',
  '123456789012.5',
  '999999999.9',
  '0.1234567',
  'null',
  'true',
  '"1e3"',
  '" 12"',
  '"12 "',
  '"+1"',
  '"-5"',
  '"1,5"',
  '""',
  '"0x10"',
  '"12345678901234567"',
  '"1234567890.5"',
  '"7.1234567"',
  '"\\u0031"',
  '{}',
  '[]',
]

/** One deterministic mutation of `text` (a page body). */
function mutate(text: string, r: () => number): Uint8Array {
  const at = (n: number): number => Math.floor(r() * n)
  const kind = at(6)
  if (kind === 0) {
    // A byte flip.
    const b = encoder.encode(text)
    b[at(b.length)] = FLIPS[at(FLIPS.length)] as number
    return b
  }
  const members = [...text.matchAll(/"(\w+)"\s*:\s*("[^"\\]*"|-?\d[\d.eE+-]*|null|true|false)/g)]
  const m = members[at(members.length)]
  if (!m || m.index === undefined) return encoder.encode(text)
  const start = m.index
  const end = start + m[0].length
  const valueAt = end - (m[2] as string).length
  switch (kind) {
    case 1: {
      // a repeated key, with the value of another member of that name or a changed one
      const same = members.filter((o) => o[1] === m[1] && o[2] !== m[2])
      const other = same[at(same.length)]?.[2] ?? `"${String(m[2]).replace(/"/g, '')}1"`
      const dup = `"${m[1]}":${other}`
      return encoder.encode(
        r() < 0.5
          ? `${text.slice(0, start)}${dup},${text.slice(start)}`
          : `${text.slice(0, end)},${dup}${text.slice(end)}`,
      )
    }
    case 2: {
      // an escape inside a string value or key
      const esc = ['\\u0041', '\\/', '\\"', '\\\\', 'é', '\\n'][at(6)] as string
      const pos = (m[2] as string).startsWith('"') && r() < 0.7 ? valueAt + 1 : start + 1
      return encoder.encode(`${text.slice(0, pos)}${esc}${text.slice(pos)}`)
    }
    case 3: // an odd number form
      return encoder.encode(`${text.slice(0, valueAt)}${ODD_NUMBERS[at(ODD_NUMBERS.length)]}${text.slice(end)}`)
    case 4: // a big bare integer
      return encoder.encode(`${text.slice(0, valueAt)}${'9'.repeat(15 + at(6))}${text.slice(end)}`)
    default: {
      // an extra member: an error key, a repeated data/paging/results, or an unknown one
      const extra = [
        '"error":{"code":190,"message":"x"}',
        '"data":[]',
        '"results":[]',
        '"paging":{}',
        '"zz":[1,{"a":"\\u00e9"}]',
      ][at(5)] as string
      return encoder.encode(`${text.slice(0, start)}${extra},${text.slice(start)}`)
    }
  }
}

/** Outcomes equal (value-for-value, -0 distinct from 0): a cheap check before toEqual names a difference. */
function sameOutcome(a: DecodeOutcome, b: DecodeOutcome): boolean {
  if (!a.ok || !b.ok) return false
  const x = a.batch
  const y = b.batch
  const same = <T extends ArrayLike<unknown>>(p: T, q: T): boolean =>
    p.length === q.length && Array.from({ length: p.length }).every((_, i) => Object.is(p[i], q[i]))
  return (
    JSON.stringify(a.envelope) === JSON.stringify(b.envelope) &&
    x.n === y.n &&
    same(x.ads, y.ads) &&
    same(x.adSets, y.adSets) &&
    same(x.campaigns, y.campaigns) &&
    same(x.ad, y.ad) &&
    same(x.adSet, y.adSet) &&
    same(x.campaign, y.campaign) &&
    same(x.day, y.day) &&
    same(x.values, y.values)
  )
}

function validJson(body: Uint8Array): boolean {
  try {
    JSON.parse(new TextDecoder().decode(body))
    return true
  } catch {
    return false
  }
}

describe('byte fast path under mutation: bails or agrees', () => {
  it('truncations, byte flips, escapes, duplicate keys, big integers and odd numbers', async () => {
    const pages = await simulatedPages()
    // Two pages per platform cut to their first rows, re-encoded as the simulator encodes them.
    const small = (list: Uint8Array[]): Uint8Array[] =>
      list.slice(0, 2).map((body) => {
        const json = JSON.parse(new TextDecoder().decode(body)) as
          { data?: unknown[]; results?: unknown[] }[] | { data: unknown[] }
        if (Array.isArray(json))
          return encoder.encode(
            JSON.stringify(json.slice(0, 2).map((b) => ({ ...b, results: b.results?.slice(0, 6) }))),
          )
        return encoder.encode(JSON.stringify({ ...json, data: json.data.slice(0, 8) }))
      })
    const bases: Case[] = [
      { decoder: META_INSIGHTS_DECODER as PageDecoder, args: META_ARGS, body: encoder.encode(metaSample()) },
      ...small(pages.meta).map((body) => ({ decoder: META_INSIGHTS_DECODER as PageDecoder, args: META_ARGS, body })),
      ...small(pages.google).map((body) => ({
        decoder: GOOGLE_STREAM_DECODER as PageDecoder,
        args: GOOGLE_ARGS,
        body,
      })),
      { decoder: TIKTOK_REPORT_DECODER as PageDecoder, args: TIKTOK_ARGS, body: encoder.encode(tiktokSample()) },
      // TikTok's bare 19-digit ids would not survive a JSON round trip: its two smallest pages as sent.
      ...[...pages.tiktok]
        .sort((a, b) => a.length - b.length)
        .slice(0, 2)
        .map((body) => ({ decoder: TIKTOK_REPORT_DECODER as PageDecoder, args: TIKTOK_ARGS, body })),
    ]
    const r = rng(2025)
    let taken = 0
    let bailed = 0
    let invalid = 0
    const check = (c: Case): void => {
      const fast = bytePath(c)
      if (!validJson(c.body)) {
        invalid++
        expect(fast).toBeUndefined()
        return
      }
      if (fast === undefined) {
        bailed++
        return
      }
      taken++
      const slow = textPath(c)
      if (!sameOutcome(fast, slow)) expect(fast, new TextDecoder().decode(c.body)).toEqual(slow)
    }
    for (const base of bases) {
      const text = new TextDecoder().decode(base.body)
      // Every truncation point (step 7 bytes), then random mutations.
      const step = Math.max(3, Math.ceil(base.body.length / 500))
      for (let cut = 0; cut < base.body.length; cut += step) check({ ...base, body: base.body.subarray(0, cut) })
      for (let n = 0; n < 1500; n++) check({ ...base, body: mutate(text, r) })
    }
    expect(taken).toBeGreaterThan(1000)
    expect(bailed).toBeGreaterThan(500)
    expect(invalid).toBeGreaterThan(500)
  }, 30_000)

  it('leaves error statuses to the text path', () => {
    const c: Case = {
      decoder: META_INSIGHTS_DECODER as PageDecoder,
      args: META_ARGS,
      body: encoder.encode(metaSample()),
    }
    const before = byteFastPathStats()
    const out = runDecoder(c.decoder, { ...request(c), status: 500 })
    expect(out).toMatchObject({ ok: false, error: { kind: 'transient' } })
    expect(byteFastPathStats().bytes).toBe(before.bytes)
  })
})
