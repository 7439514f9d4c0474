import { Cron } from 'croner'
import { localDateIn } from '../../../shared/domain/dates'
import type { ScheduleCadence } from '../../../shared/domain/reports'
import { AppError } from '../../../shared/ipc/result'
import { defaultRange } from './report-data'

export interface ScheduleTiming {
  cadence: ScheduleCadence
  /** ISO weekday 1 (Monday) … 7 (Sunday). */
  weekday: number
  dayOfMonth: number
  /** HH:MM local. */
  time: string
  timeZone: string
}

/** Throws a VALIDATION error naming the zone when it is not an IANA time zone this machine knows. */
export function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
  } catch {
    throw new AppError('VALIDATION', `Unknown time zone "${timeZone}" (expected an IANA name such as Europe/Berlin)`)
  }
}

/** The croner pattern of a schedule: minute hour day-of-month month day-of-week (0 = Sunday). */
export function cronPattern(s: ScheduleTiming): string {
  const [h, m] = s.time.split(':').map(Number) as [number, number]
  return s.cadence === 'weekly' ? `${m} ${h} * * ${s.weekday % 7}` : `${m} ${h} ${s.dayOfMonth} * *`
}

/**
 * The first run strictly after `after`, at the schedule's local wall-clock time in its time zone
 * (so 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer).
 */
export function nextRunAfter(s: ScheduleTiming, after: Date): Date {
  const next = new Cron(cronPattern(s), { timezone: s.timeZone, paused: true }).nextRun(after)
  if (!next) throw new AppError('VALIDATION', `The schedule ${cronPattern(s)} in ${s.timeZone} never runs`)
  return next
}

/**
 * The period a run at `at` reports on, from the local date in the schedule's zone: the previous full
 * ISO week (weekly) or the previous calendar month (monthly).
 */
export function scheduledRange(cadence: ScheduleCadence, at: Date, timeZone: string): { from: string; to: string } {
  return defaultRange(cadence, localDateIn(timeZone, at))
}
