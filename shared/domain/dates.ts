/**
 * Calendar dates as `YYYY-MM-DD` strings. A metric day is always the ad account's local date;
 * these helpers do pure calendar arithmetic (no clock, no time zone) except `localDateIn`.
 */

const DAY_MS = 86_400_000

export const ISO_DATE_RE = /^\d{4}-\d{2}-\d{2}$/

/** True for a real calendar date in `YYYY-MM-DD` form. */
export function isIsoDate(s: string): boolean {
  if (!ISO_DATE_RE.test(s)) return false
  const d = new Date(`${s}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
}

/** The first and last dates the app stores or answers for (years 2000-2100). */
export const MIN_REPORTING_DATE = '2000-01-01'
export const MAX_REPORTING_DATE = '2100-12-31'

/** A calendar date within the years the app reports on (2000-2100). */
export function isReportingDate(s: string): boolean {
  return isIsoDate(s) && s >= MIN_REPORTING_DATE && s <= MAX_REPORTING_DATE
}

/** Days since 1970-01-01 for a calendar date (UTC arithmetic, no time zone involved). */
export function toEpochDay(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS)
}

/** Calendar date for an epoch day number. */
export function fromEpochDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

/** `date` shifted by `days` calendar days. */
export function addDays(date: string, days: number): string {
  return fromEpochDay(toEpochDay(date) + days)
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: string, b: string): number {
  return toEpochDay(b) - toEpochDay(a)
}

/** 0 = Sunday ... 6 = Saturday, for a calendar date. */
export function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay()
}

/** Every date from `from` to `to` inclusive. */
export function dateRange(from: string, to: string): string[] {
  const out: string[] = []
  for (let d = toEpochDay(from), e = toEpochDay(to); d <= e; d++) out.push(fromEpochDay(d))
  return out
}

/** The calendar date at instant `at` in the IANA time zone `timeZone` (an account's "today"). */
export function localDateIn(timeZone: string, at: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at)
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')}`
}

/** First day of the month of `date`. */
export function startOfMonth(date: string): string {
  return `${date.slice(0, 7)}-01`
}

/** Last day of the month of `date`. */
export function endOfMonth(date: string): string {
  const [y, m] = date.split('-').map(Number) as [number, number]
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return `${date.slice(0, 7)}-${String(last).padStart(2, '0')}`
}

/** `YYYY-MM` of the month before the month of `date`. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const target = new Date(Date.UTC(y, m - 1 + months, 1))
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate()
  target.setUTCDate(Math.min(d, last))
  return target.toISOString().slice(0, 10)
}
