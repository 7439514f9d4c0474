import { describe, expect, it } from 'vitest'
import { AdRow, streamSchema } from './google-ads/google-schemas'
import { parseJsonPreservingBigInts } from './json-text'
import { collectionSchema } from './snapchat/snapchat-protocol'
import { Ad } from './snapchat/snapchat-schemas'
import { assembleList, decodeList, listNameOf } from './list-decode'

const bytes = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer
const req = (text: string, status = 200) => ({
  list: 'google-ads' as const,
  status,
  headers: [['content-type', 'application/json']] as [string, string][],
  body: bytes(text),
})

/** A searchStream answer of `n` ads in batches of 10,000 (as Google streams them). */
function adsStream(n: number): string {
  const rows = Array.from({ length: n }, (_, i) => ({
    campaign: { resourceName: `customers/1/campaigns/${100 + (i >> 4)}`, id: String(100 + (i >> 4)) },
    adGroup: { resourceName: `customers/1/adGroups/${500 + (i >> 2)}`, id: String(500 + (i >> 2)) },
    adGroupAd: {
      status: i % 7 === 0 ? 'REMOVED' : 'ENABLED',
      ad: {
        id: `9${String(i).padStart(18, '0')}`,
        name: i % 5 ? `Ad ${i} é` : undefined,
        type: 'RESPONSIVE_SEARCH_AD',
      },
    },
  }))
  const batches = []
  for (let i = 0; i < rows.length; i += 10_000) batches.push({ results: rows.slice(i, i + 10_000), fieldMask: 'x' })
  // Ids as bare 19-digit numbers in one batch: kept exact as on the core's thread.
  return JSON.stringify(batches).replace('"id":"9000000000000000001"', '"id":9000000000000000001')
}

describe('entity lists decoded off the core thread', () => {
  it('knows the registered schemas by identity', () => {
    expect(listNameOf(streamSchema(AdRow))).toBe('google-ads')
    expect(listNameOf(collectionSchema('ads', Ad))).toBe('snapchat-ads')
    // Without an item schema (a write's answer) the body is read on the calling thread.
    expect(listNameOf(collectionSchema('ads'))).toBeUndefined()
  })

  it('gives what HttpClient reads on its own thread, long arrays cut in pieces and put back in order', async () => {
    for (const n of [0, 3, 250, 251, 12_345]) {
      const text = adsStream(n)
      const out = decodeList(req(text))
      if (!out.ok) throw new Error(out.error.message)
      // Batches of 10,000 rows; an array of more than 250 items is cut in pieces of 250.
      const sizes = [Math.min(n, 10_000), Math.max(0, n - 10_000)].filter((k) => k > 0)
      expect(out.ends.length).toBe(sizes.reduce((a, k) => a + (k > 250 ? Math.ceil(k / 250) : 0), 0))
      const expected = streamSchema(AdRow).parse(parseJsonPreservingBigInts(text))
      expect(await assembleList(out)).toEqual(expected)
    }
    const exact = decodeList(req(adsStream(3)))
    expect(exact.ok && exact.skeleton).toContain('"9000000000000000001"')
  })

  it('answers the same errors as a body read on the core thread', () => {
    const google = JSON.stringify({
      error: { code: 400, message: 'bad field', status: 'INVALID_ARGUMENT', details: [] },
    })
    expect(decodeList(req(''))).toMatchObject({ ok: false, error: { kind: 'invalid_response', message: 'empty body' } })
    expect(decodeList(req('[{"results": ['))).toMatchObject({ ok: false, error: { code: 'invalid_json' } })
    expect(decodeList(req('[{"results": [{"campaign": {}}]}]'))).toMatchObject({
      ok: false,
      error: { code: 'invalid_shape', message: expect.stringMatching(/^unexpected response shape at 0\.results\.0\./) },
    })
    expect(decodeList(req(google, 400))).toMatchObject({ ok: false, error: { kind: 'bad_request' } })
  })
})
