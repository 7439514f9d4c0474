import { Cron } from 'croner'
import type { RuleSchedule } from '../../../shared/domain/rules'

/** The cron pattern of a clock-based schedule (every_minutes is an interval, not a pattern). */
export function cronOf(s: RuleSchedule): string | null {
  switch (s.kind) {
    case 'hourly':
      return '0 * * * *'
    case 'daily': {
      const [h, m] = (s.at as string).split(':')
      return `${Number(m)} ${Number(h)} * * *`
    }
    case 'cron':
      return s.cron as string
    default:
      return null
  }
}

/** A cron expression's problem, or null (rules:create refuses a bad one naming `schedule.cron`). */
export function cronProblem(expr: string): string | null {
  try {
    new Cron(expr, { paused: true, timezone: 'UTC' })
    if (expr.trim().split(/\s+/).length !== 5) return 'expected five fields (minute hour day month weekday)'
    return null
  } catch (e) {
    return (e as Error).message
  }
}

/** Local weekday (0 = Sunday) and hour of an instant in a time zone. */
function localDayHour(at: Date, timeZone: string): { day: number; hour: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(at)
  const wd = parts.find((p) => p.type === 'weekday')?.value ?? 'Sun'
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0)
  return { day: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(wd), hour }
}

/** Whether an instant falls inside the schedule's active days and hours (local time). */
export function isActiveAt(s: RuleSchedule, timeZone: string, at: Date): boolean {
  if (!s.activeDays && !s.activeHours) return true
  const { day, hour } = localDayHour(at, timeZone)
  if (s.activeDays && !s.activeDays.includes(day)) return false
  if (s.activeHours) {
    const { from, to } = s.activeHours
    const inside = from < to ? hour >= from && hour < to : hour >= from || hour < to
    if (!inside) return false
  }
  return true
}

/**
 * The next time a rule runs strictly after `after`, in `timeZone` (the account's): cron patterns
 * through croner (wall-clock times across daylight-saving changes: a 09:00 rule runs at 09:00 local
 * on both sides; a time skipped by the spring change runs when the clock jumps, at 03:00), intervals
 * from the last run. Times outside the active days and hours are passed over. null for
 * after_sync and manual schedules (they have no clock).
 */
export function nextRunAt(s: RuleSchedule, timeZone: string, after: Date, lastRun: Date | null = null): Date | null {
  const pattern = cronOf(s)
  if (s.kind === 'after_sync' || s.kind === 'manual') return null
  if (pattern) {
    const cron = new Cron(pattern, { paused: true, timezone: timeZone })
    let t: Date | null = after
    for (let i = 0; i < 2000 && t; i++) {
      t = cron.nextRun(t)
      if (t && isActiveAt(s, timeZone, t)) return t
    }
    return null
  }
  // every_minutes: from the last run (or now), stepping over inactive times.
  const step = (s.minutes as number) * 60_000
  let t = lastRun ? Math.max(lastRun.getTime() + step, after.getTime() + 1000) : after.getTime() + 1000
  t = Math.ceil(t / 60_000) * 60_000
  for (let i = 0; i < 20_000; i++) {
    if (isActiveAt(s, timeZone, new Date(t))) return new Date(t)
    t += Math.min(step, 15 * 60_000)
  }
  return null
}
