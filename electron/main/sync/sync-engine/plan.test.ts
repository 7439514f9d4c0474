import { describe, expect, it } from 'vitest'
import { addDays, daysBetween } from '../../../../shared/domain/dates'
import { chunkWindows, LEAD_CHUNK_DAYS } from './plan'

/** The windows tile [from, to] exactly: contiguous, oldest first, nothing outside. */
function expectTiles(ws: { from: string; to: string }[], from: string, to: string): void {
  expect(ws[0]?.from).toBe(from)
  expect(ws.at(-1)?.to).toBe(to)
  for (let i = 1; i < ws.length; i++) expect(ws[i]?.from).toBe(addDays(ws[i - 1]?.to as string, 1))
  for (const w of ws) expect(w.from <= w.to).toBe(true)
}

describe('chunkWindows', () => {
  it('keeps a range that fits one window whole (an incremental sync stays one chunk)', () => {
    expect(chunkWindows('2026-10-04', '2026-10-31', 31)).toEqual([{ from: '2026-10-04', to: '2026-10-31' }])
    expect(chunkWindows('2026-10-01', '2026-10-31', 31)).toEqual([{ from: '2026-10-01', to: '2026-10-31' }])
    expect(chunkWindows('2026-10-31', '2026-10-31', 31)).toEqual([{ from: '2026-10-31', to: '2026-10-31' }])
    expect(chunkWindows('2026-11-01', '2026-10-31', 31)).toEqual([])
  })

  it('starts a longer range with a short lead chunk, then full windows', () => {
    const ws = chunkWindows('2025-11-01', '2026-10-31', 31)
    expectTiles(ws, '2025-11-01', '2026-10-31')
    expect(daysBetween(ws[0]!.from, ws[0]!.to) + 1).toBe(LEAD_CHUNK_DAYS)
    const sizes = ws.slice(1).map((w) => daysBetween(w.from, w.to) + 1)
    expect(sizes.slice(0, -1).every((n) => n === 31)).toBe(true)
    expect(sizes.at(-1)).toBeLessThanOrEqual(31)
    expect(sizes.reduce((a, b) => a + b, LEAD_CHUNK_DAYS)).toBe(365)
  })

  it('honours the window size and an explicit lead', () => {
    const ws = chunkWindows('2026-01-01', '2026-03-01', 30, 1)
    expectTiles(ws, '2026-01-01', '2026-03-01')
    expect(ws[0]).toEqual({ from: '2026-01-01', to: '2026-01-01' })
    expect(ws.slice(1).every((w) => daysBetween(w.from, w.to) + 1 <= 30)).toBe(true)
    // A lead as long as the window (or longer) changes nothing.
    expect(chunkWindows('2026-01-01', '2026-03-01', 30, 30)).toEqual(chunkWindows('2026-01-01', '2026-03-01', 30, 99))
    expect(chunkWindows('2026-01-01', '2026-03-01', 30, 30)[0]).toEqual({ from: '2026-01-01', to: '2026-01-30' })
  })
})
