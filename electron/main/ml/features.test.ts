import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../../../shared/experiments/random'
import {
  buildOriginRows,
  buildRows,
  emptyCodes,
  forEachChunk,
  listRows,
  N_FEATURES,
  prefixes,
  win,
  writeFeatures,
  type EntitySeries,
  type FeatureSet,
} from './features'

const DAYS = 150

function seriesOf(n: number, seed: number): EntitySeries[] {
  const rnd = new SeededRandom(seed)
  return Array.from({ length: n }, (_, k) => {
    const arr = (scale: number, from: number, to: number): Float64Array =>
      Float64Array.from({ length: DAYS }, (_, i) =>
        i >= from && i < to ? Math.round(rnd.next() * scale * 100) / 100 : 0,
      )
    // Entities start, pause and stop at different days, so rows are skipped unevenly.
    const from = Math.floor(rnd.next() * 60)
    const to = DAYS - Math.floor(rnd.next() * 40)
    return {
      entityType: k % 3 ? 'campaign' : 'ad_set',
      id: k + 1,
      name: `e${k}`,
      campaignId: k + 1,
      currency: 'USD',
      platform: k % 2 ? 'meta' : 'google_ads',
      objective: 'sales',
      format: k % 4 ? 'image' : 'video',
      fromDay: 20_000,
      launchIndex: from,
      spend: arr(100, from, to),
      conversions: arr(5, from, to),
      revenue: arr(400, from, to),
      impressions: arr(10_000, from, to),
      clicks: arr(200, from, to),
    }
  })
}

/** Every row of a set recomputed from the entity's own prefix sums. */
function expectRowsFromPrefixes(series: EntitySeries[], set: FeatureSet): void {
  const codes = emptyCodes()
  const x = new Float64Array(N_FEATURES)
  for (let i = 0; i < set.n; i++) {
    const s = series[set.entity[i] as number] as EntitySeries
    const P = prefixes(s)
    const a = set.anchor[i] as number
    const h = set.horizon[i] as number
    writeFeatures(x, 0, s, P, a, h, win(P.spend, a, a + h) / h, codes)
    expect([...set.x.subarray(i * N_FEATURES, (i + 1) * N_FEATURES)]).toEqual([...x])
    expect(set.yConversions[i]).toBe(win(P.conversions, a, a + h) / h)
    expect(set.yRevenue[i]).toBe(win(P.revenue, a, a + h) / h)
    expect(set.naiveConversions[i]).toBe(win(P.conversions, a - 28, a) / 28)
    expect(set.naiveRevenue[i]).toBe(win(P.revenue, a - 28, a) / 28)
  }
}

describe('feature sets', () => {
  it('write every row as the entity prefix sums give it (one entity prefix at a time, rows packed)', () => {
    const series = seriesOf(40, 7)
    const codes = emptyCodes()
    const all = buildRows(series, [7, 14, 28], 0, DAYS - 1, 1, codes)
    // More rows than the row list's first block, from every entity with spend.
    expect(all.n).toBeGreaterThan(2048)
    expect(new Set(all.entity).size).toBe(40)
    expectRowsFromPrefixes(series, all)
    const cal = buildRows(series, [7, 14, 28], 80, DAYS - 1, 3, codes, true)
    expect(cal.n).toBeGreaterThan(0)
    expectRowsFromPrefixes(series, cal)
    const origins = buildOriginRows(series, [7, 14], [60, 90, 120], DAYS - 1, codes)
    expect(origins.n).toBeGreaterThan(0)
    expectRowsFromPrefixes(series, origins)
  })

  it('written a chunk at a time, give the rows and values of the whole set (codes assigned in the same order)', () => {
    const series = seriesOf(40, 11)
    const whole = buildRows(series, [7, 14, 28], 60, DAYS - 1, 1, emptyCodes(), true)
    const codes = emptyCodes()
    const rows = listRows(series, [7, 14, 28], 60, DAYS - 1, 1, true)
    expect(rows.n).toBe(whole.n)
    // Chunks of 97 rows: entity runs cross chunk borders.
    const firsts: number[] = []
    const fields = [
      'yConversions',
      'yRevenue',
      'horizon',
      'entity',
      'anchor',
      'naiveConversions',
      'naiveRevenue',
    ] as const
    forEachChunk(
      series,
      rows,
      codes,
      (set, first) => {
        firsts.push(first)
        expect(set.n).toBe(Math.min(97, whole.n - first))
        expect([...set.x.subarray(0, set.n * N_FEATURES)]).toEqual([
          ...whole.x.subarray(first * N_FEATURES, (first + set.n) * N_FEATURES),
        ])
        for (const f of fields)
          expect([...set[f].subarray(0, set.n)]).toEqual([...whole[f].subarray(first, first + set.n)])
      },
      97,
    )
    expect(firsts.length).toBe(Math.ceil(whole.n / 97))
    expect(firsts.length).toBeGreaterThan(10)
  })
})
