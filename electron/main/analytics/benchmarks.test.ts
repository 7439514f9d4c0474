import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { OBJECTIVES, PLATFORMS } from '../../../shared/domain/entities'
import { sourceResourcesDir } from '../platform/node'
import type { AnalyticsService } from './analytics-service'
import { ALL_OBJECTIVES, benchmarkPositions, loadBenchmarks } from './benchmarks'

const shipped = loadBenchmarks(sourceResourcesDir())
const raw = JSON.parse(readFileSync(join(sourceResourcesDir(), 'benchmarks', 'industry-benchmarks.json'), 'utf8')) as {
  entries: { platform: string; objective: string; metric: string; value: number; quote?: string }[]
}
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

/** A resources folder holding only the given benchmark file. */
function resources(file: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'me-bench-'))
  dirs.push(dir)
  mkdirSync(join(dir, 'benchmarks'))
  writeFileSync(join(dir, 'benchmarks', 'industry-benchmarks.json'), JSON.stringify(file))
  return dir
}

const source = { publisher: 'P', title: 'T', year: 2024, url: 'https://example.org/r' }
const entry = { platform: 'tiktok', objective: 'all', metric: 'cpm', value: 7, statistic: 'average', source: 's' }

/** An analytics service whose campaign breakdown is the given rows (only the fields benchmarks read). */
function fakeAnalytics(
  rows: { id: string; platform: string; objective: string; kpis: Record<string, number | null> }[],
) {
  return {
    breakdown: () => ({ currency: 'USD', rows: rows.map((r) => ({ ...r, name: `c${r.id}` })) }),
  } as unknown as AnalyticsService
}

describe('shipped benchmark table', () => {
  it('names a source with a year and an https address for every figure', () => {
    expect(shipped.currency).toBe('USD')
    expect(shipped.entries.length).toBe(raw.entries.length)
    for (const e of shipped.entries) {
      expect(PLATFORMS as readonly string[]).toContain(e.platform)
      expect([...OBJECTIVES, ALL_OBJECTIVES] as string[]).toContain(e.objective)
      expect(e.source.url).toMatch(/^https:\/\//)
      expect(e.source.year).toBeGreaterThanOrEqual(2023)
      // Rates are fractions, not percentages.
      if (e.metric === 'ctr' || e.metric === 'cvr') expect(e.value).toBeLessThan(1)
    }
  })

  it('copies every quoted figure from its quote', () => {
    const quoted = raw.entries.filter((e) => e.quote !== undefined)
    expect(quoted.length).toBeGreaterThan(0)
    for (const e of quoted) expect(e.quote).toContain(`$${e.value.toFixed(2)}`)
  })

  it('has CPM figures for Meta and TikTok for every objective', () => {
    for (const platform of ['meta', 'tiktok'])
      expect(
        shipped.entries.some((e) => e.platform === platform && e.metric === 'cpm' && e.objective === ALL_OBJECTIVES),
      ).toBe(true)
  })
})

describe('loadBenchmarks', () => {
  it('rejects a figure listed twice for the same cell', () => {
    const dir = resources({ currency: 'USD', sources: { s: source }, entries: [entry, { ...entry, value: 8 }] })
    expect(() => loadBenchmarks(dir)).toThrow(/tiktok\/all\/cpm is listed twice/)
  })

  it('rejects an unknown source and an unknown objective', () => {
    expect(() => loadBenchmarks(resources({ currency: 'USD', sources: {}, entries: [entry] }))).toThrow(
      /cites unknown source "s"/,
    )
    const bad = { currency: 'USD', sources: { s: source }, entries: [{ ...entry, objective: 'engagement' }] }
    expect(() => loadBenchmarks(resources(bad))).toThrow()
  })
})

describe('benchmarkPositions', () => {
  const table = loadBenchmarks(
    resources({
      currency: 'USD',
      sources: { s: source },
      entries: [entry, { ...entry, objective: 'awareness', value: 4 }],
    }),
  )
  const analytics = fakeAnalytics([
    { id: '1', platform: 'tiktok', objective: 'sales', kpis: { ctr: 0.01, cpc: 1, cpm: 14, cvr: 0.02, cpa: 50 } },
    { id: '2', platform: 'tiktok', objective: 'awareness', kpis: { ctr: 0.01, cpc: 1, cpm: 3, cvr: 0.02, cpa: 50 } },
    { id: '3', platform: 'snapchat', objective: 'sales', kpis: { ctr: 0.01, cpc: 1, cpm: 5, cvr: 0.02, cpa: 50 } },
  ])
  const range = { from: '2026-01-01', to: '2026-01-31' }
  const cpm = (id: number): { benchmark: number | null; diff: number | null; better: boolean | null } => {
    const r = benchmarkPositions(analytics, table, 1, range).rows.find((x) => x.campaignId === id)
    const m = r?.metrics.find((x) => x.metric === 'cpm')
    if (!m) throw new Error(`no cpm for campaign ${id}`)
    return m
  }

  it('falls back to the platform-wide figure when the objective has none', () => {
    expect(cpm(1)).toMatchObject({ benchmark: 7, diff: 1, better: false })
  })

  it('prefers the objective-specific figure', () => {
    expect(cpm(2)).toMatchObject({ benchmark: 4, better: true })
    expect(cpm(2).diff).toBeCloseTo(-0.25, 10)
  })

  it('leaves a platform without figures empty', () => {
    expect(cpm(3)).toMatchObject({ benchmark: null, diff: null, better: null })
  })
})
