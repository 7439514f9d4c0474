import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays } from '../../../shared/domain/dates'
import type { Core } from '../core'
import { adSetAggregates } from '../store/repos/dataset-repo'
import { createTestCore, TEST_CALLER } from '../test-support'

// The drivers' ad-set aggregates come from the per-ad monthly sums plus or minus a partial month's
// rows: they must equal summing the ad-day rows, for ranges of every shape.
let core: Core
let to: string

beforeAll(async () => {
  core = createTestCore({ seedDemo: true, demo: { campaigns: 10, days: 120 } })
  expect((await core.jobs.waitFor(core.startupJobId as number)).status).toBe('succeeded')
  to = (core.jobs.result<{ to: string }>(core.startupJobId as number) as { to: string }).to
})
afterAll(() => core.close())

interface Ref {
  id: number
  platform: string
  objective: string
  currency: string
  spend: number
  conversions: number
  impressions: number
  clicks: number
  maxAdDays: number
}

/** The aggregates straight from the rows, with each ad set's longest-running ad's days. */
function fromRows(from: string, until: string, minConversions: number): Ref[] {
  return core.store.sqlite
    .prepare(
      `SELECT s.ad_set_id AS id, a.platform, c.objective, a.currency, sum(s.spend) AS spend, sum(s.conversions) AS conversions,
         sum(s.impressions) AS impressions, sum(s.clicks) AS clicks, max(s.days) AS maxAdDays
       FROM (SELECT account_id, campaign_id, ad_set_id, ad_id, sum(spend_micros) AS spend, sum(conversions) AS conversions,
               sum(impressions) AS impressions, sum(clicks) AS clicks, count(*) AS days
             FROM daily_metrics WHERE date BETWEEN ? AND ? GROUP BY ad_id, ad_set_id) s
       JOIN ad_accounts a ON a.id = s.account_id JOIN campaigns c ON c.id = s.campaign_id
       GROUP BY s.ad_set_id HAVING sum(s.conversions) >= ? AND sum(s.spend) > 0
       ORDER BY sum(s.spend) DESC, s.ad_set_id`,
    )
    .all(from, until, minConversions) as Ref[]
}

describe('drivers: ad-set aggregates of a range', () => {
  it('equal the sums of the ad-day rows (whole months, partial months either way, past the data)', () => {
    const ranges: [string, string][] = [
      [addDays(to, -89), to],
      [addDays(to, -29), to],
      [addDays(to, -60), addDays(to, -33)],
      [addDays(to, -200), addDays(to, 20)],
    ]
    for (const [from, until] of ranges) {
      const want = fromRows(from, until, 3)
      const got = adSetAggregates(core.store.sqlite, 1, from, until, 3)
      expect(want.length, `${from}..${until}`).toBeGreaterThan(5)
      expect(got.map((g) => [g.platform, g.currency, g.spend, g.impressions, g.clicks, g.activeDays])).toEqual(
        want.map((w) => [w.platform, w.currency, w.spend, w.impressions, w.clicks, w.maxAdDays]),
      )
      got.forEach((g, i) => {
        expect(g.conversions).toBeCloseTo(want[i]?.conversions as number, 6)
        expect(g.objective).toBe(want[i]?.objective)
      })
    }
  })

  it('builds the drivers tree from them', async () => {
    const env = await core.dispatch('ml:getDrivers', { workspaceId: 1, days: 90 }, TEST_CALLER)
    if (!env.ok) throw new Error(env.error.message)
    const tree = env.value as { rows: number; nodes: { adSets: number }[] }
    expect(tree.rows).toBeGreaterThan(0)
    expect(tree.nodes[0]?.adSets).toBe(tree.rows)
  })
})
