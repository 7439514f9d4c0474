import { afterEach, describe, expect, it } from 'vitest'
import type { Core } from '../core'
import { createTestCore } from '../test-support'
import { ID_CHUNK, inChunks } from './id-lists'
import { AnalyticsRepo } from './repos/analytics-repo'
import { AnomalyRepo } from './repos/anomaly-repo'
import { CreativesRepo } from './repos/creatives-repo'
import { RecommendationsRepo } from './repos/recommendations-repo'

let core: Core | null = null
afterEach(async () => {
  await core?.close()
  core = null
})

describe('id lists bound in chunks', () => {
  it('queries each chunk once, ids deduplicated and ascending, rows concatenated in order', () => {
    const ids = Array.from({ length: ID_CHUNK * 2 + 7 }, (_, i) => ID_CHUNK * 2 + 6 - i)
    const seen: number[][] = []
    const rows = inChunks([...ids, 3, 3], (chunk, marks) => {
      seen.push(chunk)
      expect(marks.split(',')).toHaveLength(chunk.length)
      return chunk.map((id) => ({ id }))
    })
    expect(seen.map((c) => c.length)).toEqual([ID_CHUNK, ID_CHUNK, 7])
    expect(rows.map((r) => r.id)).toEqual([...ids].sort((a, b) => a - b))
    expect(inChunks([], () => [1])).toEqual([])
  })

  it('the repos answer for more ids than SQLite binds in one statement (was "too many SQL variables")', () => {
    core = createTestCore()
    const sqlite = core.store.sqlite
    const many = Array.from({ length: 40_000 }, (_, i) => i + 1)
    expect(new CreativesRepo(sqlite).adMeta(many)).toEqual([])
    expect(new CreativesRepo(sqlite).adDays(many, '2026-01-31')).toEqual([])
    expect(new AnomalyRepo(sqlite).campaignDays(many, '2026-01-01', '2026-01-31')).toEqual([])
    expect(new AnomalyRepo(sqlite).campaigns(many, [1])).toEqual([])
    expect(new AnalyticsRepo(sqlite).meta('ad', [1], many).size).toBe(0)
    expect(new RecommendationsRepo(sqlite).entityDays('ad_set', many, '2026-01-01', '2026-01-31').size).toBe(0)
    expect(new RecommendationsRepo(sqlite).adDays(1, many, '2026-01-31').size).toBe(many.length)
  })
})
