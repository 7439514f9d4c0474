/** Time-zone helpers for platforms whose report bounds are instants (Snapchat) or timestamps. */

const offsetFormatters = new Map<string, Intl.DateTimeFormat>()

/** UTC offset of `timeZone` at instant `utcMs`, in minutes (e.g. -420 for PDT). */
export function tzOffsetMinutes(timeZone: string, utcMs: number): number {
  let f = offsetFormatters.get(timeZone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    offsetFormatters.set(timeZone, f)
  }
  const name = f.formatToParts(new Date(utcMs)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT'
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name)
  if (!m) return 0
  const mins = Number(m[2]) * 60 + Number(m[3])
  return m[1] === '-' ? -mins : mins
}

/** "+HH:MM" / "-HH:MM" for an offset in minutes. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

/** UTC instant (ms) of local midnight starting `date` in `timeZone`. */
export function localMidnightUtcMs(date: string, timeZone: string): number {
  const naive = Date.parse(`${date}T00:00:00Z`)
  let guess = naive - tzOffsetMinutes(timeZone, naive) * 60_000
  // A second pass settles days whose offset differs from the naive guess (DST switch nights).
  guess = naive - tzOffsetMinutes(timeZone, guess) * 60_000
  return guess
}

/** Local midnight of `date` in `timeZone` as ISO with offset: "2024-01-15T00:00:00.000-08:00". */
export function localMidnightIso(date: string, timeZone: string): string {
  const utc = localMidnightUtcMs(date, timeZone)
  return `${date}T00:00:00.000${formatOffset(tzOffsetMinutes(timeZone, utc))}`
}

// Stats rows repeat the same few day-start instants thousands of times: memoise (bounded).
const localDates = new Map<string, string>()

/** The account-local calendar date of an ISO instant (any offset or Z). */
export function localDateOfInstant(iso: string, timeZone: string): string {
  const key = `${timeZone} ${iso}`
  const hit = localDates.get(key)
  if (hit !== undefined) return hit
  const date = computeLocalDate(iso, timeZone)
  if (localDates.size >= 10_000) localDates.clear()
  localDates.set(key, date)
  return date
}

function computeLocalDate(iso: string, timeZone: string): string {
  const ms = Date.parse(iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))
  if (Number.isNaN(ms)) throw new Error(`Not an ISO timestamp: ${iso}`)
  const local = new Date(ms + tzOffsetMinutes(timeZone, ms) * 60_000)
  return local.toISOString().slice(0, 10)
}

// Reports and listings repeat the same few (zone, day, time) stamps for every row: memoise (bounded).
// Unmemoised, formatToParts was the largest cost of the simulated Meta API's pages on the large demo.
const timestamps = new Map<string, string>()

/** A local wall-clock timestamp as ISO with the zone's offset at that moment (Meta style: -0700). */
export function localTimestamp(date: string, time: string, timeZone: string, compactOffset = false): string {
  const key = `${timeZone} ${date} ${time} ${compactOffset ? 1 : 0}`
  const hit = timestamps.get(key)
  if (hit !== undefined) return hit
  const stamp = computeLocalTimestamp(date, time, timeZone, compactOffset)
  if (timestamps.size >= 10_000) timestamps.clear()
  timestamps.set(key, stamp)
  return stamp
}

function computeLocalTimestamp(date: string, time: string, timeZone: string, compactOffset: boolean): string {
  const naive = Date.parse(`${date}T${time}Z`)
  const off = formatOffset(tzOffsetMinutes(timeZone, naive - tzOffsetMinutes(timeZone, naive) * 60_000))
  return `${date}T${time}${compactOffset ? off.replace(':', '') : off}`
}
