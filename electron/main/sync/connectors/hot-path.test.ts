import { describe, expect, it } from 'vitest'
import { packRows, unpackBatch } from './daily-batch'
import { amountMicrosOf, countOf, intCountOf, microsOf, NEEDS_EXACT } from './fast-number'
import { amountToMicros, parseCount, parseIntCount, SeenRows } from './normalize'
import { parseMicros } from '../../../../shared/domain/money'
import type { RemoteDailyRow } from './types'

const row = (ad: string, date: string, spendMicros = 1_000_000): RemoteDailyRow => ({
  adExternalId: ad,
  adSetExternalId: `s${ad}`,
  campaignExternalId: `c${ad}`,
  date,
  spendMicros,
  impressions: 10,
  clicks: 1,
  reach: 0,
  conversions: 0.5,
  conversionValueMicros: 0,
  videoViews: 0,
})

/** The result of `f`, or the message it throws. */
const outcome = (f: () => number): number | string => {
  try {
    return f()
  } catch (e) {
    return e instanceof Error ? `error: ${e.message}` : 'sentinel'
  }
}

describe('SeenRows', () => {
  it('passes batches through untouched until something repeats', () => {
    const seen = new SeenRows('meta', '2025-03-01', '2025-03-31')
    const a = packRows([row('1', '2025-03-01'), row('2', '2025-03-01')])
    const b = packRows([row('1', '2025-03-02'), row('2', '2025-03-31')])
    expect(seen.fresh(a)).toBe(a)
    expect(seen.fresh(b)).toBe(b)
  })

  it('drops identical re-reads after a split (even after the first batch was transferred away)', () => {
    const seen = new SeenRows('meta', '2025-03-01', '2025-03-31')
    const first = packRows([row('1', '2025-03-01'), row('2', '2025-03-05'), row('3', '2025-03-20')])
    expect(seen.fresh(first).n).toBe(3)
    structuredClone(first.values, { transfer: [first.values.buffer as ArrayBuffer] })
    const reread = packRows([row('2', '2025-03-05'), row('4', '2025-03-05'), row('1', '2025-03-01')])
    expect(unpackBatch(seen.fresh(reread))).toEqual([row('4', '2025-03-05')])
    // The lookup built for the repeat keeps up with rows seen afterwards.
    const later = packRows([row('5', '2025-03-07'), row('5', '2025-03-07'), row('4', '2025-03-05')])
    expect(unpackBatch(seen.fresh(later))).toEqual([row('5', '2025-03-07')])
  })

  it('rejects the same ad-day with different numbers, within a page or across pages and outside the window', () => {
    const within = new SeenRows('tiktok', '2025-03-01', '2025-03-30')
    expect(() => within.fresh(packRows([row('1', '2025-03-02'), row('1', '2025-03-02', 5)]))).toThrow(
      expect.objectContaining({
        kind: 'invalid_response',
        detail: { code: 'duplicate_ad_day' },
        message: 'The platform returned ad 1 on 2025-03-02 twice with different values',
      }),
    )
    const across = new SeenRows('snapchat', '2025-03-01', '2025-03-31')
    across.fresh(packRows([row('9', '2025-03-31')]))
    expect(() => across.fresh(packRows([row('9', '2025-03-31', 7)]))).toThrow(/ad 9 on 2025-03-31 twice/)
    const outside = new SeenRows('meta', '2025-03-01', '2025-03-02')
    expect(outside.fresh(packRows([row('1', '2025-04-01'), row('1', '2025-04-01')])).n).toBe(1)
    expect(() => outside.fresh(packRows([row('1', '2025-04-01', 3)]))).toThrow(/twice with different values/)
  })
})

describe('fast number readers agree with the normalize.ts parsers', () => {
  const strings = [
    '0',
    '185',
    '116.0',
    '12.34',
    '0.5',
    '999999999.999999',
    '1000000000.5',
    '1.1234567',
    '-3',
    ' 7',
    '1,5',
    '',
    '1.',
    '.5',
    'x',
    '123456789012345',
    '1234567890123456',
    '00012',
  ]
  const numbers = [0, -0, 7, 185, 12.34, 0.1, 1e9, 8_999_999_999, 9.5e9, -2, 1e14 + 0.5]

  it('counts and integer counts', () => {
    for (const v of [...strings, ...numbers, null, undefined]) {
      expect(
        outcome(() => countOf(v, true)),
        String(v),
      ).toEqual(outcome(() => parseCount(v)))
      expect(
        outcome(() => intCountOf(v, true)),
        String(v),
      ).toEqual(outcome(() => parseIntCount(v)))
    }
  })

  it('amounts to micros by integer arithmetic, never a rounded float', () => {
    for (const v of [...strings, ...numbers]) {
      expect(
        outcome(() => amountMicrosOf(v, true)),
        String(v),
      ).toEqual(outcome(() => amountToMicros(v)))
    }
    expect(amountMicrosOf('0.07', true)).toBe(70_000)
    expect(amountMicrosOf('999999999.999999', true)).toBe(999_999_999_999_999)
    for (let cents = 0; cents < 20_000; cents += 7) {
      const s = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`
      expect(amountMicrosOf(s, true)).toBe(amountToMicros(s))
    }
  })

  it('integer micros', () => {
    for (const v of [...strings, ...numbers])
      expect(
        outcome(() => microsOf(v, true)),
        String(v),
      ).toEqual(outcome(() => parseMicros(v)))
  })

  it('asks for an exact re-read when JSON.parse may have rounded a 16+ digit integer', () => {
    expect(() => countOf(1234567890123456, false)).toThrow(expect.anything())
    let caught: unknown
    try {
      intCountOf(Number('12345678901234567890'), false)
    } catch (e) {
      caught = e
    }
    expect(caught).toBe(NEEDS_EXACT)
    expect(countOf(1234567890123456, true)).toBe(1234567890123456)
  })
})
