import { describe, expect, it } from 'vitest'
import { MetricsRow } from './google-ads/google-schemas'
import { bodyText } from './page-decode'

const bytes = (...parts: (string | number[])[]): ArrayBuffer => {
  const chunks = parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : Uint8Array.from(p)))
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out.buffer
}

describe('bodyText', () => {
  it('reads every body as UTF-8 does, through the ASCII path or not', () => {
    const bodies = [
      bytes('{"data":[{"ad_id":"120210000000000001","spend":"12.34"}]}'),
      bytes(''),
      bytes('{"name":"Café – été 🚀"}'),
      // A byte-order mark is dropped; bytes that are not UTF-8 become U+FFFD.
      bytes([0xef, 0xbb, 0xbf], '{"a":1}'),
      bytes('{"a":"', [0xff, 0xfe, 0xc3], '"}'),
      bytes('\u007f\u0000\t\r\n'),
      bytes([0x80]),
    ]
    for (const b of bodies) expect(bodyText(b)).toBe(new TextDecoder().decode(b))
    expect(bodyText(bodies[3] as ArrayBuffer)).toBe('{"a":1}')
  })
})

describe('negative clicks and spend', () => {
  it('are stored as the platform sends them: a sync never stops on one (the A/B bounds fall back to exact reads)', () => {
    const row = (metrics: object): object => ({
      campaign: { id: '1' },
      adGroup: { id: '2' },
      adGroupAd: { ad: { id: '3' } },
      segments: { date: '2026-10-11' },
      metrics,
    })
    expect(MetricsRow.parse(row({ costMicros: '-150000000', clicks: '-1' }))).toMatchObject({
      spendMicros: -150_000_000,
      clicks: -1,
    })
  })
})
