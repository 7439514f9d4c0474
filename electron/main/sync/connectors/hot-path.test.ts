import { describe, expect, it } from 'vitest'
import { packRows, unpackBatch } from './daily-batch'
import { SeenRows } from './normalize'
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
