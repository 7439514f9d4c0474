import { addDays, addMonths, daysBetween, endOfMonth, isIsoDate, startOfMonth } from '../../../shared/domain/dates'
import type { DateRange } from '../../../shared/domain/metrics'
export { formatRange, formatShortDate } from '../../../shared/domain/format'

export const PRESET_IDS = ['last7', 'last14', 'last30', 'last90', 'thisMonth', 'lastMonth', 'custom'] as const
export type PresetId = (typeof PRESET_IDS)[number]

export const PRESET_LABELS: Record<PresetId, string> = {
  last7: 'Last 7 days',
  last14: 'Last 14 days',
  last30: 'Last 30 days',
  last90: 'Last 90 days',
  thisMonth: 'This month',
  lastMonth: 'Last month',
  custom: 'Custom',
}

/** Longest custom range we accept; longer spans make the trend chart unreadable. */
export const MAX_CUSTOM_DAYS = 3 * 366

/** The user's calendar date (their machine's time zone), not UTC. */
export function localToday(now: Date = new Date()): string {
  const y = now.getFullYear()
  const m = String(now.getMonth() + 1).padStart(2, '0')
  const d = String(now.getDate()).padStart(2, '0')
  return `${y}-${m}-${d}`
}

/**
 * The range of a preset given "today". Rolling presets end yesterday because today is always
 * incomplete. "This month" also ends yesterday; on the 1st there is no complete day yet, so it
 * falls back to today alone rather than producing an inverted range.
 */
export function presetRange(preset: Exclude<PresetId, 'custom'>, today: string): DateRange {
  const yesterday = addDays(today, -1)
  switch (preset) {
    case 'last7':
      return { from: addDays(yesterday, -6), to: yesterday }
    case 'last14':
      return { from: addDays(yesterday, -13), to: yesterday }
    case 'last30':
      return { from: addDays(yesterday, -29), to: yesterday }
    case 'last90':
      return { from: addDays(yesterday, -89), to: yesterday }
    case 'thisMonth': {
      const from = startOfMonth(today)
      return from <= yesterday ? { from, to: yesterday } : { from: today, to: today }
    }
    case 'lastMonth': {
      const prev = addMonths(startOfMonth(today), -1)
      return { from: prev, to: endOfMonth(prev) }
    }
  }
}

/** A user-typed range: null when valid, else a sentence to show next to the inputs. */
export function validateCustomRange(from: string, to: string, today: string): string | null {
  if (!from || !to) return 'Choose both a start and an end date.'
  if (!isIsoDate(from) || !isIsoDate(to)) return 'Dates must be real calendar dates.'
  if (from > to) return 'The start date must be on or before the end date.'
  if (to > today) return 'The end date cannot be in the future.'
  if (daysBetween(from, to) + 1 > MAX_CUSTOM_DAYS) return 'Choose a range of at most 3 years.'
  return null
}

/** The same-length period right before `range` (what the core compares against). */
export function previousPeriod(range: DateRange): DateRange {
  const len = daysBetween(range.from, range.to) + 1
  return { from: addDays(range.from, -len), to: addDays(range.from, -1) }
}

export function rangeLength(range: DateRange): number {
  return daysBetween(range.from, range.to) + 1
}
