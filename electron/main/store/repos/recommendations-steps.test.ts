import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays } from '../../../../shared/domain/dates'
import type { Core } from '../../core'
import { createTestCore } from '../../test-support'
import { RecommendationsRepo } from './recommendations-repo'

/** Runs a generator of steps to its end, counting its steps. */
function stepped<T>(g: Generator<void, T>): { value: T; steps: number } {
  let steps = 0
  for (;;) {
    const r = g.next()
    if (r.done) return { value: r.value, steps }
    steps++
  }
}

let core: Core
beforeAll(async () => {
  core = createTestCore({
    seedDemo: true,
    demo: { campaigns: 12, days: 45 },
    now: () => new Date('2026-06-15T18:00:00Z'),
  })
  expect((await core.jobs.waitFor(core.startupJobId as number)).status).toBe('succeeded')
})
afterAll(async () => {
  await core.close()
})

describe('the recommendations’ reads in steps (session 20: one read was a 36–55 ms stretch on the core’s thread)', () => {
  it('budget holders and active ads read in many tiny steps equal the reads at the default sizes', () => {
    const s = core.store.sqlite
    const whole = new RecommendationsRepo(s)
    const tiny = new RecommendationsRepo(s, { holderSets: 2, activeAdRows: 7 })
    const accounts = s.prepare('SELECT id FROM ad_accounts ORDER BY id').pluck().all() as number[]
    const last = s.prepare('SELECT max(date) FROM account_daily').pluck().get() as string
    expect(accounts.length).toBeGreaterThan(1)
    let holderSteps = 0
    let adSteps = 0
    for (const id of accounts) {
      const holders = stepped(tiny.budgetHolderSteps([id]))
      expect(holders.value).toEqual(whole.budgetHolders([id]))
      holderSteps = Math.max(holderSteps, holders.steps)
      // The last 7 days, and 40 days across a month's start (the steps are cut on the last day's month).
      for (const [from, limit] of [
        [addDays(last, -6), 5],
        [addDays(last, -39), 1_000],
      ] as const) {
        const ads = stepped(tiny.activeAdsSteps(id, from, last, limit))
        const expected = whole.activeAds(id, from, last, limit)
        expect(ads.value).toEqual(expected)
        if (limit === 5) expect(ads.value.length).toBeLessThanOrEqual(5)
        adSteps = Math.max(adSteps, ads.steps)
      }
    }
    // Both really split the small store (else the comparison proves nothing about the combining).
    expect(holderSteps).toBeGreaterThan(3)
    expect(adSteps).toBeGreaterThan(3)
    // And found something to compare.
    expect(accounts.some((id) => whole.activeAds(id, addDays(last, -39), last, 1_000).length > 5)).toBe(true)
  })
})
