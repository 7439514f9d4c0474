import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays } from '../../../../shared/domain/dates'
import type { Core } from '../../core'
import { createTestCore } from '../../test-support'
import { RecommendationsRepo } from './recommendations-repo'
import { flatRun, seedAccount, writeWithRollups } from './testing'

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
      // An ad set's launch: its ads' earliest.
      for (const h of holders.value)
        if (h.entityType === 'ad_set')
          expect(h.launchDate).toBe(
            s.prepare('SELECT min(launch_date) FROM ads WHERE ad_set_id = ?').pluck().get(h.id) as string | null,
          )
      holderSteps = Math.max(holderSteps, holders.steps)
      // The last 7 days, and 40 days across a month's start (steps sized on both months).
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

  it('reads the budget holders again on one state when a campaign moves its budget or an ad set is added between steps', () => {
    const s = core.store.sqlite
    const ws = core.workspaces.create('Budgets', 'USD')
    const { accountId, campaigns } = seedAccount(s, ws, 'budgets', 3)
    const [c0, c1] = campaigns as [(typeof campaigns)[number], (typeof campaigns)[number]]
    const setBudget = (table: 'campaigns' | 'ad_sets', id: number, micros: number | null): void => {
      s.prepare(`UPDATE ${table} SET daily_budget_micros = ? WHERE id = ?`).run(micros, id)
    }
    setBudget('campaigns', c0.campaignId, 10e6)
    for (const c of campaigns.slice(1)) setBudget('ad_sets', c.adSetId, 5e6)
    const repo = new RecommendationsRepo(s, { holderSets: 1, activeAdRows: 7 })
    const holders = (): [string, number][] =>
      repo.budgetHolders([accountId]).map((h) => [h.entityType, h.id] as [string, number])
    expect(holders()).toEqual([
      ['campaign', c0.campaignId],
      ['ad_set', c1.adSetId],
      ['ad_set', (campaigns[2] as (typeof campaigns)[number]).adSetId],
    ])
    const finish = (steps: Generator<void, unknown>): unknown => {
      let r = steps.next()
      while (!r.done) r = steps.next()
      return r.value
    }
    // Campaign 0 moves its budget to its ad set after the campaigns were read.
    let steps = repo.budgetHolderSteps([accountId])
    steps.next() // the campaigns read
    s.transaction(() => {
      setBudget('campaigns', c0.campaignId, null)
      setBudget('ad_sets', c0.adSetId, 10e6)
    }).immediate()
    expect(finish(steps)).toEqual(repo.budgetHolders([accountId]))
    expect(repo.budgetHolders([accountId]).filter((h) => h.campaignId === c0.campaignId)).toHaveLength(1)
    // An ad set with a budget added after the ad set ids were read.
    steps = repo.budgetHolderSteps([accountId])
    steps.next()
    steps.next() // the ids read
    const added = Number(
      s
        .prepare(
          "INSERT INTO ad_sets (account_id, campaign_id, external_id, name, status, daily_budget_micros) VALUES (?, ?, 'new', 'New', 'active', 7000000)",
        )
        .run(accountId, c1.campaignId).lastInsertRowid,
    )
    const got = finish(steps) as ReturnType<RecommendationsRepo['budgetHolders']>
    expect(got).toEqual(repo.budgetHolders([accountId]))
    expect(got.map((h) => h.id)).toContain(added)
  })

  it('ranks equal spends by id across steps, and sizes the steps on both months of a window', () => {
    const s = core.store.sqlite
    const ws = core.workspaces.create('Ties', 'USD')
    const { accountId, campaigns } = seedAccount(s, ws, 'ties', 4)
    const [a0, a1, a2, a3] = campaigns.map((c) => c.adId) as [number, number, number, number]
    // a0 and a1: the same spend over June 9-15; a2: more; a3: only May 10-31 (none in June).
    const runs: [number, string, string, number][] = [
      [a0, '2026-06-09', '2026-06-15', 5e6],
      [a1, '2026-06-09', '2026-06-15', 5e6],
      [a2, '2026-06-09', '2026-06-15', 9e6],
      [a3, '2026-05-10', '2026-05-31', 1e6],
    ]
    const rows = runs.flatMap(([adId, from, to, spendMicros]) => {
      const c = campaigns.find((x) => x.adId === adId) as (typeof campaigns)[number]
      return flatRun({ ...c, accountId }, from, to, spendMicros)
    })
    writeWithRollups(s, accountId, rows, '2026-05-10', '2026-06-15')
    const whole = new RecommendationsRepo(s)
    // One ad per step (a row per day of the window): a0 and a1 in different steps.
    const week = new RecommendationsRepo(s, { holderSets: 1, activeAdRows: 7 })
    for (const limit of [5, 2]) {
      const got = stepped(week.activeAdsSteps(accountId, '2026-06-09', '2026-06-15', limit))
      expect(got.value.map((x) => [x.id, x.spendMicros])).toEqual(
        [
          [a2, 63e6],
          [a0, 35e6],
          [a1, 35e6],
        ].slice(0, limit),
      )
      expect(got.value).toEqual(whole.activeAds(accountId, '2026-06-09', '2026-06-15', limit))
      expect(got.steps).toBe(3)
    }
    // 40 days from May 7: a step per ad of May's or June's ad_month (a3 ran in May only), not June's alone.
    const forty = stepped(
      new RecommendationsRepo(s, { holderSets: 1, activeAdRows: 40 }).activeAdsSteps(
        accountId,
        '2026-05-07',
        '2026-06-15',
        10,
      ),
    )
    expect(forty.value.map((x) => x.id)).toEqual([a2, a0, a1, a3])
    expect(forty.value).toEqual(whole.activeAds(accountId, '2026-05-07', '2026-06-15', 10))
    expect(forty.steps).toBe(4)
    // A sync between two steps (a0's June 15 restated): the ranking comes from one state, the new one.
    const steps = week.activeAdsSteps(accountId, '2026-06-09', '2026-06-15', 5)
    steps.next() // a0's step read
    const restated = rows
      .filter((r) => r.adId === a0 && r.date === '2026-06-15')
      .map((r) => ({ ...r, spendMicros: 105e6 }))
    writeWithRollups(s, accountId, restated, '2026-06-15', '2026-06-15')
    let r = steps.next()
    while (!r.done) r = steps.next()
    expect(r.value.map((x) => [x.id, x.spendMicros])).toEqual([
      [a0, 135e6],
      [a2, 63e6],
      [a1, 35e6],
    ])
  })
})
