// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { formatRange, localToday, presetRange, previousPeriod, validateCustomRange } from './date-presets'

describe('presetRange', () => {
  const today = '2025-03-15'

  it('rolling presets end yesterday and span exactly N days', () => {
    expect(presetRange('last7', today)).toEqual({ from: '2025-03-08', to: '2025-03-14' })
    expect(presetRange('last14', today)).toEqual({ from: '2025-03-01', to: '2025-03-14' })
    expect(presetRange('last30', today)).toEqual({ from: '2025-02-13', to: '2025-03-14' })
    expect(presetRange('last90', today)).toEqual({ from: '2024-12-15', to: '2025-03-14' })
  })

  it('this month runs from the 1st to yesterday', () => {
    expect(presetRange('thisMonth', today)).toEqual({ from: '2025-03-01', to: '2025-03-14' })
  })

  it('this month on the 1st falls back to today instead of an inverted range', () => {
    expect(presetRange('thisMonth', '2025-03-01')).toEqual({ from: '2025-03-01', to: '2025-03-01' })
  })

  it('last month is the whole previous calendar month, across years and leap days', () => {
    expect(presetRange('lastMonth', today)).toEqual({ from: '2025-02-01', to: '2025-02-28' })
    expect(presetRange('lastMonth', '2024-03-31')).toEqual({ from: '2024-02-01', to: '2024-02-29' })
    expect(presetRange('lastMonth', '2025-01-10')).toEqual({ from: '2024-12-01', to: '2024-12-31' })
  })

  it('crosses a year boundary for rolling ranges', () => {
    expect(presetRange('last7', '2025-01-03')).toEqual({ from: '2024-12-27', to: '2025-01-02' })
  })
})

describe('localToday', () => {
  it('uses the local calendar, not UTC', () => {
    // 23:30 local time on Mar 15 is still Mar 15 locally whatever the UTC date is.
    expect(localToday(new Date(2025, 2, 15, 23, 30))).toBe('2025-03-15')
    expect(localToday(new Date(2025, 0, 1, 0, 5))).toBe('2025-01-01')
  })
})

describe('validateCustomRange', () => {
  const today = '2025-03-15'
  it('accepts a valid range', () => {
    expect(validateCustomRange('2025-03-01', '2025-03-10', today)).toBeNull()
  })
  it('rejects missing, inverted, impossible and future dates', () => {
    expect(validateCustomRange('', '2025-03-10', today)).toMatch(/both/)
    expect(validateCustomRange('2025-03-10', '2025-03-01', today)).toMatch(/on or before/)
    expect(validateCustomRange('2025-02-30', '2025-03-01', today)).toMatch(/real calendar/)
    expect(validateCustomRange('2025-03-01', '2025-03-16', today)).toMatch(/future/)
    expect(validateCustomRange('2020-01-01', '2025-03-01', today)).toMatch(/3 years/)
  })
})

describe('previousPeriod and formatRange', () => {
  it('computes the same-length period just before', () => {
    expect(previousPeriod({ from: '2025-03-01', to: '2025-03-31' })).toEqual({ from: '2025-01-29', to: '2025-02-28' })
  })
  it('formats ranges compactly', () => {
    expect(formatRange({ from: '2025-03-01', to: '2025-03-31' })).toBe('Mar 1 – Mar 31, 2025')
    expect(formatRange({ from: '2024-12-20', to: '2025-01-02' })).toBe('Dec 20, 2024 – Jan 2, 2025')
    expect(formatRange({ from: '2025-03-01', to: '2025-03-01' })).toBe('Mar 1, 2025')
  })
})
