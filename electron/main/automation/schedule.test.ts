import { describe, expect, it } from 'vitest'
import { RuleScheduleSchema, type RuleSchedule } from '../../../shared/domain/rules'
import { isActiveAt, nextRunAt } from './schedule'

const s = (x: Partial<RuleSchedule> & Pick<RuleSchedule, 'kind'>): RuleSchedule => RuleScheduleSchema.parse(x)
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null)

/** Successive run times from `from`. */
function runs(sched: RuleSchedule, tz: string, from: string, n: number): string[] {
  const out: string[] = []
  let t = new Date(from)
  let last: Date | null = null
  for (let i = 0; i < n; i++) {
    const next = nextRunAt(sched, tz, t, last)
    if (!next) break
    out.push(next.toISOString())
    t = next
    last = next
  }
  return out
}

describe('schedules in the account time zone across daylight-saving changes', () => {
  it('daily 09:00 in New York stays 09:00 local across the March change (UTC 14:00 → 13:00)', () => {
    expect(runs(s({ kind: 'daily', at: '09:00' }), 'America/New_York', '2026-03-06T15:00:00Z', 4)).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
      '2026-03-10T13:00:00.000Z',
    ])
  })

  it('daily 09:00 in Berlin stays 09:00 local across the October change (UTC 07:00 → 08:00)', () => {
    expect(runs(s({ kind: 'daily', at: '09:00' }), 'Europe/Berlin', '2026-10-23T12:00:00Z', 3)).toEqual([
      '2026-10-24T07:00:00.000Z',
      '2026-10-25T08:00:00.000Z',
      '2026-10-26T08:00:00.000Z',
    ])
  })

  it('a time the spring change skips (02:30 in Berlin on 29 March) runs at 03:00 that day, once', () => {
    const times = runs(s({ kind: 'daily', at: '02:30' }), 'Europe/Berlin', '2026-03-28T12:00:00Z', 3)
    expect(times[0]).toBe('2026-03-29T01:00:00.000Z')
    expect(times.filter((t) => t.startsWith('2026-03-29'))).toHaveLength(1)
    expect(times[1]).toBe('2026-03-30T00:30:00.000Z')
  })

  it('hourly in New York over the fall-back night runs on every real hour, none twice', () => {
    const times = runs(s({ kind: 'hourly' }), 'America/New_York', '2026-11-01T04:30:00Z', 4)
    expect(times).toEqual([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
      '2026-11-01T08:00:00.000Z',
    ])
    expect(new Set(times).size).toBe(times.length)
  })

  it('cron with active days and hours: weekdays 08-10 local in Berlin, on both sides of the change', () => {
    const sched = s({ kind: 'cron', cron: '0 * * * *', activeDays: [1, 2, 3, 4, 5], activeHours: { from: 8, to: 10 } })
    // Friday 23 Oct 08:00 and 09:00 CEST (UTC+2), then Monday 26 Oct 08:00 CET (UTC+1): the
    // weekend and 10:00 are skipped, and the same local hour is an hour later in UTC.
    expect(runs(sched, 'Europe/Berlin', '2026-10-23T05:30:00Z', 3)).toEqual([
      '2026-10-23T06:00:00.000Z',
      '2026-10-23T07:00:00.000Z',
      '2026-10-26T07:00:00.000Z',
    ])
  })

  it('every N minutes counts from the last run; after_sync and manual have no clock', () => {
    const t = nextRunAt(
      s({ kind: 'every_minutes', minutes: 30 }),
      'UTC',
      new Date('2026-01-01T10:05:00Z'),
      new Date('2026-01-01T10:00:00Z'),
    )
    expect(iso(t)).toBe('2026-01-01T10:30:00.000Z')
    expect(nextRunAt(s({ kind: 'after_sync' }), 'UTC', new Date('2026-01-01T10:00:00Z'))).toBeNull()
    expect(nextRunAt(s({ kind: 'manual' }), 'UTC', new Date('2026-01-01T10:00:00Z'))).toBeNull()
  })

  it('active hours may wrap midnight', () => {
    const sched = s({ kind: 'hourly', activeHours: { from: 22, to: 2 } })
    expect(isActiveAt(sched, 'UTC', new Date('2026-01-01T23:00:00Z'))).toBe(true)
    expect(isActiveAt(sched, 'UTC', new Date('2026-01-01T01:00:00Z'))).toBe(true)
    expect(isActiveAt(sched, 'UTC', new Date('2026-01-01T12:00:00Z'))).toBe(false)
  })
})
