import { describe, expect, it } from 'vitest'
import { addDays, dateRange, weekday } from '../../../shared/domain/dates'
import { PLATFORMS } from '../../../shared/domain/entities'
import { CONVERSION_SETTLE_DAYS } from '../../../shared/domain/platforms'
import { SeededRandom } from '../../../shared/experiments/random'
import { lagCdf } from '../sync/simulator/calendar'
import { PLATFORM_PROFILES } from '../sync/simulator/profiles'
import { explain, LEARNING_DAYS, runs, scoreSeries, YOUNG_MIN_DAYS, type DayParts } from './anomaly-detector'

/** A steady campaign from `from` to `to` (spend in currency units a day), with weekday shape and noise. */
function series(from: string, to: string, daily = 900, seed = 11): DayParts[] {
  const random = new SeededRandom(seed)
  const r = (): number => random.next()
  const shape = [0.9, 1.05, 1.08, 1.04, 1, 0.97, 0.86]
  return dateRange(from, to).map((date) => {
    const spend = daily * shape[weekday(date)]! * Math.exp((r() + r() + r() - 1.5) * 0.1)
    const clicks = Math.round(spend * 1.1)
    const conversions = Math.round((spend / 30) * Math.exp((r() - 0.5) * 0.15))
    return {
      date,
      spend: Math.round(spend * 1e6),
      revenue: Math.round(conversions * 75e6),
      impressions: clicks * 50,
      clicks,
      conversions,
    }
  })
}

/** The days as a platform reports them with only `share[i]` of the last days' conversions in. */
function lagged(days: DayParts[], share: number[]): DayParts[] {
  const n = days.length
  return days.map((d, i) => {
    const s = share[i - (n - share.length)]
    if (s === undefined) return d
    const conversions = Math.floor(d.conversions * s)
    return { ...d, conversions, revenue: Math.round((d.revenue * conversions) / Math.max(1, d.conversions)) }
  })
}

const flaggedOn = (days: DayParts[], metric: 'conversions' | 'cpa' | 'roas', settleFrom?: number): string[] =>
  scoreSeries(days, metric, days.length - 14, settleFrom === undefined ? {} : { settleFrom })
    .filter((d) => d.flagged)
    .map((d) => d.date)

describe('conversion lag: the newest days are still settling', () => {
  const days = series('2026-01-01', '2026-04-30')
  const n = days.length
  // The newest three days hold a third, half and two thirds of their final conversions.
  const reported = lagged(days, [0.67, 0.5, 0.34])

  it('judged as final, lag alone reads as a conversion drop and a CPA jump (the false alarm)', () => {
    expect(flaggedOn(reported, 'conversions')).toContain('2026-04-30')
    expect(flaggedOn(reported, 'cpa')).toContain('2026-04-30')
  })

  it('with the settling days marked, lag alone flags nothing, and those days say they are settling', () => {
    for (const metric of ['conversions', 'cpa', 'roas'] as const) {
      expect(flaggedOn(reported, metric, n - 3)).toEqual([])
      const scored = scoreSeries(reported, metric, n - 5, { settleFrom: n - 3 })
      expect(scored.map((d) => d.settling ?? false)).toEqual([false, false, true, true, true])
    }
    // Spend is final at once: its days are never "settling".
    expect(scoreSeries(reported, 'spend', n - 3, { settleFrom: n - 3 }).some((d) => d.settling)).toBe(false)
  })

  it('a tracking break on a settling day is still found: deeper than late conversions explain', () => {
    const broken = lagged(days, [0.67, 0.5, 0.02])
    for (const metric of ['conversions', 'cpa', 'roas'] as const)
      expect(flaggedOn(broken, metric, n - 3)).toEqual(['2026-04-30'])
    const scored = scoreSeries(broken, 'conversions', n - 14, { settleFrom: n - 3 })
    const text = explain('conversions', runs(scored)[0]!, (_m, v) => v.toFixed(1))
    expect(text).toContain('Conversions for 2026-04-30 is still arriving, but the fall is deeper than late conversions')
  })

  it('a rise on a settling day is found as usual (late conversions only add to it)', () => {
    const surge = lagged(days, [0.67, 0.5, 0.34]).map((d, i) =>
      i === n - 1 ? { ...d, conversions: d.conversions * 9, revenue: d.revenue * 9 } : d,
    )
    expect(flaggedOn(surge, 'conversions', n - 3)).toEqual(['2026-04-30'])
    const text = explain(
      'conversions',
      runs(scoreSeries(surge, 'conversions', n - 14, { settleFrom: n - 3 }))[0]!,
      (_m, v) => v.toFixed(1),
    )
    expect(text).toContain('late conversions only add to this')
  })

  it("each platform's settling days cover the simulator's lag curve up to 85% of final conversions", () => {
    for (const p of PLATFORMS) {
      const f = lagCdf(PLATFORM_PROFILES[p].lagFirstDay, PLATFORM_PROFILES[p].lagTau)
      const settle = CONVERSION_SETTLE_DAYS[p]
      // Age 1 is the newest day of a sync; the first settled day is age settle + 1.
      expect(f[settle + 1]).toBeGreaterThanOrEqual(0.85)
      expect(f[settle]).toBeLessThan(0.85)
    }
  })
})

describe('young entities: judged against their own days since the learning phase', () => {
  const launch = '2026-03-01'
  // Context from January (nothing before the launch), scored through April.
  const before = dateRange('2026-01-01', addDays(launch, -1)).map((date) => ({
    date,
    spend: 0,
    revenue: 0,
    impressions: 0,
    clicks: 0,
    conversions: 0,
  }))
  /** A launch: three days of ramp (a third, two thirds), then steady. */
  const young = (to: string, seed = 5): DayParts[] => [
    ...before,
    ...series(launch, to, 600, seed).map((d, i) => {
      const k = i < 3 ? (i + 1) / 3 : 1
      return {
        ...d,
        spend: Math.round(d.spend * k),
        clicks: Math.round(d.clicks * k),
        impressions: Math.round(d.impressions * k),
        conversions: Math.round(d.conversions * k),
        revenue: Math.round(d.revenue * k),
      }
    }),
  ]

  it('a spend spike 19 days after launch is found, against the days since the first week', () => {
    // Under three weeks of history: the usual baseline cannot judge it.
    const days = young('2026-03-31')
    const t = days.findIndex((d) => d.date === '2026-03-20')
    days[t] = { ...days[t]!, spend: days[t]!.spend * 3 }
    const scored = scoreSeries(days, 'spend', before.length)
    const flagged = scored.filter((d) => d.flagged)
    expect(flagged.map((d) => d.date)).toEqual(['2026-03-20'])
    expect(flagged[0]).toMatchObject({ basis: 'young', baselineDays: 19 - LEARNING_DAYS })
    const text = explain('spend', runs(scored)[0]!, (_m, v) => v.toFixed(0))
    expect(text).toMatch(/^Spend [23]\.\dx its post-launch level on 2026-03-20/)
    expect(text).toContain('judged against its 12 days after its first week')
  })

  it('no false alarms over the first weeks of launches (ramp, learning phase, noise), and nothing judged too early', () => {
    let judgedYoung = 0
    for (let seed = 1; seed <= 40; seed++) {
      const days = young('2026-04-10', seed)
      for (const metric of ['spend', 'conversions', 'cpa', 'ctr', 'roas'] as const) {
        const scored = scoreSeries(days, metric, before.length)
        judgedYoung += scored.filter((d) => d.basis === 'young' && d.score !== null).length
        expect(scored.filter((d) => d.flagged).map((d) => `${seed} ${metric} ${d.date}`)).toEqual([])
        // Not judged before a week after the learning phase.
        const first = scored.find((d) => d.score !== null)
        if (first) expect(first.date >= addDays(launch, LEARNING_DAYS + YOUNG_MIN_DAYS)).toBe(true)
      }
    }
    // Days 15-21 after launch of every seed and metric were judged on the short baseline.
    expect(judgedYoung).toBe(40 * 5 * 7)
  })

  it('a campaign paused most of its short life is not judged (launches and pauses are not anomalies)', () => {
    const days = young('2026-03-31').map((d, i) =>
      d.date > '2026-03-10' && d.date < '2026-03-28' && i % 3 !== 0
        ? { ...d, spend: 0, clicks: 0, impressions: 0, conversions: 0, revenue: 0 }
        : d,
    )
    expect(scoreSeries(days, 'spend', before.length).filter((d) => d.date >= '2026-03-28' && d.score !== null)).toEqual(
      [],
    )
  })
})
