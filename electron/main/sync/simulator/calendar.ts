import { fromEpochDay } from '../../../../shared/domain/dates'

/**
 * Per-day tables for the simulated window, computed once per world so the row loop never parses
 * or formats a date. Seasonal multipliers are shared by all platforms (the retail calendar is the
 * same everywhere); weekday shapes are per platform and live in profiles.ts.
 */
export interface Calendar {
  startEpoch: number
  days: number
  dates: string[]
  /** 0 = Sunday ... 6 = Saturday. */
  weekday: Uint8Array
  /** Budget boosts advertisers apply around retail peaks (multiplies spend past the budget cap). */
  spend: Float64Array
  cpm: Float64Array
  ctr: Float64Array
  cvr: Float64Array
  aov: Float64Array
  /** 1 inside the Q4 peak / January window, where injected anomalies would be confounded. */
  holiday: Uint8Array
}

/** Epoch day of Black Friday (the day after the fourth Thursday of November). */
export function blackFriday(year: number): number {
  const nov1 = Math.round(Date.UTC(year, 10, 1) / 86_400_000)
  const nov1Weekday = (nov1 + 4) % 7 // 1970-01-01 was a Thursday
  const firstThursday = (4 - nov1Weekday + 7) % 7
  return nov1 + firstThursday + 21 + 1
}

/** Cyber-week intensity by offset from Black Friday (-7 .. +4); Cyber Monday is +3. */
function cyberWeekIntensity(offset: number): number {
  if (offset < 0) return 0.25 + 0.06 * (offset + 7)
  return [1, 0.8, 0.7, 0.95, 0.35][offset] ?? 0
}

export function buildCalendar(startEpoch: number, days: number): Calendar {
  const cal: Calendar = {
    startEpoch,
    days,
    dates: new Array<string>(days),
    weekday: new Uint8Array(days),
    spend: new Float64Array(days).fill(1),
    cpm: new Float64Array(days).fill(1),
    ctr: new Float64Array(days).fill(1),
    cvr: new Float64Array(days).fill(1),
    aov: new Float64Array(days).fill(1),
    holiday: new Uint8Array(days),
  }
  const bfByYear = new Map<number, number>()
  for (let i = 0; i < days; i++) {
    const epoch = startEpoch + i
    const date = fromEpochDay(epoch)
    cal.dates[i] = date
    cal.weekday[i] = (((epoch + 4) % 7) + 7) % 7
    const year = Number(date.slice(0, 4))
    const month = Number(date.slice(5, 7))
    const dom = Number(date.slice(8, 10))
    let bf = bfByYear.get(year)
    if (bf === undefined) {
      bf = blackFriday(year)
      bfByYear.set(year, bf)
    }
    const offset = epoch - bf
    let spend = 1
    let cpm = 1
    let ctr = 1
    let cvr = 1
    let aov = 1
    if (offset >= -7 && offset <= 4) {
      // Cyber week: every brand bids up, shoppers convert on deals at a lower basket value.
      const k = cyberWeekIntensity(offset)
      spend = 1 + 0.8 * k
      cpm = 1 + 0.6 * k
      ctr = 1 + 0.12 * k
      cvr = 1 + 0.9 * k
      aov = 1 - 0.08 * k
    } else if (month === 11 && offset < -7) {
      // Early November: auctions heat up while shoppers wait for the deals.
      const k = dom / 30
      cpm = 1 + 0.1 * k
      spend = 1 + 0.05 * k
      cvr = 1 - 0.06 * k
    } else if (month === 12) {
      if (dom <= 20) {
        spend = 1.2
        cpm = 1.25
        cvr = 1.15
        aov = 1.08
      } else if (dom <= 23) {
        // Shipping cut-offs: clicks keep coming, fewer orders.
        spend = 1.05
        cpm = 1.15
        cvr = 0.92
      } else if (dom <= 25) {
        spend = 0.75
        cpm = 0.9
        ctr = 0.95
        cvr = 0.65
      } else {
        cvr = 1.08
        aov = 0.95
      }
    } else if (month === 1) {
      // January dip: cheap inventory, tired wallets; fades out over the month.
      const k = 1 - (dom - 1) / 30
      spend = 1 - 0.15 * k
      cpm = 1 - 0.22 * k
      ctr = 1 - 0.04 * k
      cvr = 1 - 0.18 * k
    }
    cal.spend[i] = spend
    cal.cpm[i] = cpm
    cal.ctr[i] = ctr
    cal.cvr[i] = cvr
    cal.aov[i] = aov
    cal.holiday[i] = (month === 11 && dom >= 8) || month === 12 || (month === 1 && dom <= 20) ? 1 : 0
  }
  return cal
}

/** Yearly growth of the business: older days spend less than today's budgets. */
export const GROWTH_PER_YEAR = 0.3
/** Yearly CPM inflation. */
export const CPM_INFLATION_PER_YEAR = 0.07

/** Smooth yearly trend at day index `i`, 1 on the window's last day. */
export function trendAt(i: number, days: number, perYear: number): number {
  return Math.exp((perYear * (i - (days - 1))) / 365)
}

/** Days after which late conversions stop arriving. */
export const LAG_DAYS = 28

/**
 * Cumulative share of a day's final conversions reported `age` days later (index = age, 0..28):
 * F(1) = firstDay, then mostly an exponential approach plus a thin linear tail (long
 * consideration purchases) so a few conversions still trickle in during week four; exactly 1
 * from day 28.
 */
export function lagCdf(firstDay: number, tau: number): Float64Array {
  const f = new Float64Array(LAG_DAYS + 1)
  const tail = Math.exp(-(LAG_DAYS - 1) / tau)
  const linearShare = 0.15
  for (let age = 1; age <= LAG_DAYS; age++) {
    const expPart = (Math.exp(-(age - 1) / tau) - tail) / (1 - tail)
    const linearPart = (LAG_DAYS - age) / (LAG_DAYS - 1)
    const missing = (1 - firstDay) * ((1 - linearShare) * expPart + linearShare * linearPart)
    f[age] = age >= LAG_DAYS ? 1 : 1 - missing
  }
  return f
}
