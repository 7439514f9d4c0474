import { describe, expect, it } from 'vitest'
import { addDays, dateRange, weekday } from '../../../shared/domain/dates'
import { SeededRandom } from '../../../shared/experiments/random'
import {
  blackFriday,
  explain,
  historyDays,
  inRetailSeason,
  isSeasonalPeak,
  lastYearLag,
  LOOKBACK,
  runs,
  scoreSeries,
  type DayParts,
} from './anomaly-detector'

/** Deterministic noise: the project's seeded source (mulberry32). */
function rng(seed: number): () => number {
  const random = new SeededRandom(seed)
  return () => random.next()
}

/** A retail season like the simulator's: cyber week, December, the Christmas dip, the January lull. */
function season(date: string): { spend: number; cvr: number } {
  const year = Number(date.slice(0, 4))
  const off = Math.round((Date.parse(date) - Date.parse(blackFriday(year))) / 86_400_000)
  const m = Number(date.slice(5, 7))
  const dom = Number(date.slice(8, 10))
  if (off >= -7 && off <= 4) return { spend: 1.5 + (off >= 0 ? 0.4 : 0.05 * (off + 7)), cvr: 1.6 }
  if (m === 12 && dom <= 20) return { spend: 1.2, cvr: 1.15 }
  if (m === 12 && dom <= 23) return { spend: 1.05, cvr: 0.92 }
  if (m === 12 && dom <= 25) return { spend: 0.7, cvr: 0.65 }
  if (m === 1) return { spend: 1 - 0.2 * (1 - (dom - 1) / 30), cvr: 0.85 }
  return { spend: 1, cvr: 1 }
}

/** Two and a half years of one steady campaign growing 30% a year, with weekday shape and noise. */
function series(from: string, to: string, spike?: { date: string; factor: number }): DayParts[] {
  const r = rng(7)
  const shape = [0.85, 1.05, 1.1, 1.05, 1, 0.95, 0.8]
  return dateRange(from, to).map((date, i) => {
    const s = season(date)
    const noise = Math.exp((r() + r() + r() - 1.5) * 0.12)
    const bump = spike?.date === date ? spike.factor : 1
    const spend = 900 * Math.exp((0.3 * i) / 365) * shape[weekday(date)]! * s.spend * noise * bump
    const clicks = Math.round(spend * 1.2)
    const conversions = Math.round((spend / 35) * s.cvr * Math.exp((r() - 0.5) * 0.2))
    return {
      date,
      spend: Math.round(spend * 1e6),
      revenue: Math.round(conversions * 80e6),
      impressions: clicks * 60,
      clicks,
      conversions,
    }
  })
}

const FROM = '2024-08-01'
const TO = '2026-01-25'
const SEASON = { from: '2025-11-10', to: '2026-01-25' }

function score(days: DayParts[], metric: Parameters<typeof scoreSeries>[1] = 'spend') {
  const start = days.findIndex((d) => d.date === SEASON.from)
  return scoreSeries(days, metric, start)
}

describe('the retail season is judged against last year', () => {
  it('52 or 53 weeks back, whichever lines Black Friday up; January belongs to the season before', () => {
    expect(blackFriday(2026)).toBe('2026-11-27')
    expect(blackFriday(2025)).toBe('2025-11-28')
    expect(addDays('2026-12-02', -lastYearLag('2026-12-02'))).toBe('2025-12-03')
    expect(lastYearLag('2026-01-10')).toBe(lastYearLag('2025-12-10'))
    // 2024's Black Friday is the 29th, 2023's the 24th: 53 weeks.
    expect(addDays('2024-11-29', -lastYearLag('2024-11-29'))).toBe('2023-11-24')
    expect(inRetailSeason('2026-11-16')).toBe(false)
    expect(inRetailSeason('2026-11-17')).toBe(true)
    expect(inRetailSeason('2027-01-20')).toBe(true)
    expect(inRetailSeason('2027-01-21')).toBe(false)
    // Ranges that reach into the season load a year more history.
    expect(historyDays({ from: '2026-06-01', to: '2026-08-30' })).toBe(LOOKBACK)
    expect(historyDays({ from: '2026-09-05', to: '2026-12-03' })).toBeGreaterThan(LOOKBACK + 364)
  })

  it('a normal season raises nothing: cyber week, December and the January lull are what last year had', () => {
    const days = series(FROM, TO)
    for (const metric of ['spend', 'conversions', 'cpa', 'ctr', 'roas'] as const) {
      const scored = score(days, metric)
      const season = scored.filter((d) => inRetailSeason(d.date))
      // Every season day is assessed against last year (not left blind)...
      expect(
        season.every((d) => d.basis === 'last_year' && d.expected !== null),
        metric,
      ).toBe(true)
      // ...and none is flagged.
      expect(
        scored.filter((d) => d.flagged).map((d) => d.date),
        metric,
      ).toEqual([])
    }
  })

  it('a spend spike on 3 December is found, explained against the same Wednesday last year', () => {
    const days = series(FROM, TO, { date: '2025-12-03', factor: 3 })
    const found = runs(score(days))
    expect(found).toHaveLength(1)
    const run = found[0]!
    expect(run.peak).toMatchObject({ date: '2025-12-03', flagged: true, basis: 'last_year' })
    expect(run.peak.actual! / run.peak.expected!).toBeGreaterThan(2.5)
    expect(run.peak.actual! / run.peak.expected!).toBeLessThan(3.5)
    expect(explain('spend', run, (_m, v) => `$${v.toFixed(0)}`)).toMatch(
      /^Spend [23]\.\dx the level of the same Wednesday last year \(grown as this year has\) on 2025-12-03: \$\d+ against an expected \$\d+\.$/,
    )
    // The same spike in the Christmas dip and in January too.
    for (const date of ['2025-12-24', '2026-01-12']) {
      const r = runs(score(series(FROM, TO, { date, factor: 3 })))
      expect(r.map((x) => x.peak.date)).toEqual([date])
    }
  })

  it('without a year of history a season day is judged by the weeks before the season, and says so', () => {
    const young = (spike?: { date: string; factor: number }) => series('2025-08-01', TO, spike)
    // A budget typo on 3 December is still found (the 4 weeks before are mostly cyber week, left
    // out: the level comes from the usual days of the 8 weeks before)...
    // (Cyber week itself, judged by the weeks before, jumps: the service marks runs that peak there
    // seasonal, hidden by default; a run may start there and peak at the spike.)
    const found = runs(score(young({ date: '2025-12-03', factor: 3 }))).filter((r) => !isSeasonalPeak(r.peak.date))
    expect(found.map((r) => r.peak.date)).toEqual(['2025-12-03'])
    const peak = found[0]!.peak
    expect(peak).toMatchObject({ flagged: true, basis: 'season_no_history' })
    expect(explain('spend', found[0]!, (_m, v) => `$${v.toFixed(0)}`)).toMatch(
      /^Spend \d\.\dx the usual Wednesday level (on 2025-12-03|from 2025-1\d-\d\d to 2025-12-03 \(peak 2025-12-03\)): \$\d+ against an expected \$\d+\. Without last year's season to compare with \(less than a year of history\), this retail-season day is judged by the weeks before, so the season itself is not accounted for\.$/,
    )
    // ...and a normal season flags nothing outside the peaks (cyber week and Christmas are the
    // service's `seasonal` anomalies, hidden by default), for every metric.
    const days = young()
    for (const metric of ['spend', 'conversions', 'cpa', 'ctr', 'roas'] as const) {
      const scored = score(days, metric)
      const seasonDays = scored.filter((d) => inRetailSeason(d.date) && !isSeasonalPeak(d.date))
      expect(
        seasonDays.every((d) => d.basis === 'season_no_history' && d.expected !== null),
        metric,
      ).toBe(true)
      expect(
        seasonDays.filter((d) => d.flagged).map((d) => d.date),
        metric,
      ).toEqual([])
    }
  })

  it('an account that doubled or halved since last year is judged by its growth, not flagged every season day', () => {
    for (const growth of [2.5, 0.4]) {
      // Last year's season at the old size, this year's scaled from 1 August (well before the season).
      const days = series(FROM, TO).map((d) => {
        if (d.date < '2025-08-01') return d
        const f = (x: number) => Math.round(x * growth)
        return {
          ...d,
          spend: f(d.spend),
          revenue: f(d.revenue),
          impressions: f(d.impressions),
          clicks: f(d.clicks),
          conversions: f(d.conversions),
        }
      })
      for (const metric of ['spend', 'conversions', 'cpa', 'ctr', 'roas'] as const) {
        const scored = score(days, metric)
        expect(scored.filter((d) => inRetailSeason(d.date)).every((d) => d.basis === 'last_year')).toBe(true)
        expect(
          scored.filter((d) => d.flagged).map((d) => d.date),
          `${metric} x${growth}`,
        ).toEqual([])
      }
      // A real spike on top of the changed size is still found.
      const spiked = days.map((d) => (d.date === '2025-12-10' ? { ...d, spend: d.spend * 3 } : d))
      expect(
        runs(score(spiked)).map((r) => r.peak.date),
        `x${growth}`,
      ).toEqual(['2025-12-10'])
    }
  })
})
