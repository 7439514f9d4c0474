import { describe, expect, it } from 'vitest'
import { BadgeReader, packOutcome, type BadgeRow, type TrainOutcome } from './train-score'

const badge = (i: number): BadgeRow => ({
  entityType: i % 3 === 0 ? 'ad_set' : 'campaign',
  entityId: 1_000_000 + i,
  horizonDays: 14,
  value: {
    currency: 'EUR',
    dailySpendMicros: 12_340_000 * i,
    conversions: { point: i / 7, lower: 0, upper: i } as unknown as BadgeRow['value']['conversions'],
    revenue: { point: 1.5 * i, lower: 0.5, upper: 3 * i } as unknown as BadgeRow['value']['revenue'],
    status: i === 4 ? 'fallback' : 'model',
    // A line break inside a value: JSON escapes it, so the packed lines stay one per badge.
    reasons: i === 4 ? ['paused 20 days ago\nlast spend 2026-05-01', 'é “quoted”'] : [],
  },
})

describe('the training outcome packed for the core thread', () => {
  it('gives back every badge with its value as JSON, a slice at a time, and the artifact as JSON', () => {
    const badges = Array.from({ length: 7 }, (_, i) => badge(i))
    const artifact = { kind: 'forecast', features: ['spend', 'dow'], trees: [[1, 2, 3]] }
    const outcome = {
      result: { artifact, metrics: { m: 1 }, dataFrom: '2026-01-01', dataTo: '2026-06-30' },
      series: 12,
      days: 181,
      newScore: 1.2,
      activeScore: null,
      badges,
    } as unknown as TrainOutcome
    const packed = packOutcome(outcome)
    expect(JSON.parse(packed.artifactJson)).toEqual(artifact)
    expect(packed.result).toEqual({
      metrics: { m: 1 },
      dataFrom: '2026-01-01',
      dataTo: '2026-06-30',
      features: ['spend', 'dow'],
    })
    expect(packed).toMatchObject({ series: 12, days: 181, newScore: 1.2, activeScore: null })
    const reader = new BadgeReader(packed.badges as NonNullable<typeof packed.badges>)
    expect(reader.total).toBe(7)
    const slices = [reader.next(3), reader.next(3), reader.next(3), reader.next(3)]
    expect(slices.map((s) => s.length)).toEqual([3, 3, 1, 0])
    expect(slices.flat()).toEqual(
      badges.map((b) => ({
        entityType: b.entityType,
        entityId: b.entityId,
        horizonDays: b.horizonDays,
        valueJson: JSON.stringify(b.value),
      })),
    )
    expect(JSON.parse(slices[1]?.[1]?.valueJson ?? 'null')).toEqual(badges[4]?.value)
  })

  it('has no badges when the new version is not activated', () => {
    const outcome = {
      result: { artifact: { features: [] }, metrics: {}, dataFrom: 'a', dataTo: 'b' },
      series: 1,
      days: 1,
      newScore: 2,
      activeScore: 1,
      badges: null,
    } as unknown as TrainOutcome
    expect(packOutcome(outcome).badges).toBeNull()
  })
})
