import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays } from '../../../shared/domain/dates'
import type { Core } from '../core'
import { AnomalyRepo, type AnomalyDayRow } from '../store/repos/anomaly-repo'
import { createTestCore } from '../test-support'

// The anomaly detector's campaigns and their daily series come from the campaigns' running totals;
// they must be what the ad-day rows say.
let core: Core
let to: string

beforeAll(async () => {
  core = createTestCore({ seedDemo: true, demo: { campaigns: 12, days: 100 } })
  expect((await core.jobs.waitFor(core.startupJobId as number)).status).toBe('succeeded')
  to = (core.jobs.result<{ to: string }>(core.startupJobId as number) as { to: string }).to
})
afterAll(() => core.close())

describe('anomalies: campaigns from the running totals', () => {
  it('ranks the top campaigns and gives their daily sums exactly as the rows', () => {
    const repo = new AnomalyRepo(core.store.sqlite)
    const accounts = core.store.sqlite.prepare('SELECT id FROM ad_accounts ORDER BY id').pluck().all() as number[]
    for (const [from, until] of [
      [addDays(to, -29), to],
      [addDays(to, -85), addDays(to, -40)],
      [addDays(to, -120), addDays(to, 5)],
    ] as [string, string][]) {
      const want = core.store.sqlite
        .prepare(
          `SELECT campaign_id FROM daily_metrics WHERE date BETWEEN ? AND ?
           GROUP BY campaign_id HAVING sum(spend_micros) <> 0 ORDER BY sum(spend_micros) DESC, campaign_id LIMIT 7`,
        )
        .pluck()
        .all(from, until) as number[]
      expect(repo.topCampaigns(accounts, from, until, 7)).toEqual(want)
      const rows = core.store.sqlite
        .prepare(
          `SELECT campaign_id AS key, date, sum(spend_micros) AS spend, sum(conversion_value_micros) AS revenue,
             sum(impressions) AS impressions, sum(clicks) AS clicks, round(sum(conversions), 6) AS conversions
           FROM daily_metrics WHERE campaign_id IN (${want.join(',')}) AND date BETWEEN ? AND ?
           GROUP BY campaign_id, date`,
        )
        .all(from, until) as AnomalyDayRow[]
      const nonZero = rows.filter((r) => r.spend || r.impressions || r.clicks || r.conversions || r.revenue)
      const order = (a: AnomalyDayRow, b: AnomalyDayRow): number => a.key - b.key || a.date.localeCompare(b.date)
      const got = repo.campaignDays(want, from, until).sort(order)
      expect(got.length).toBe(nonZero.length)
      nonZero.sort(order).forEach((w, i) => {
        const g = got[i] as AnomalyDayRow
        expect({ ...g, conversions: 0 }).toEqual({ ...w, conversions: 0 })
        expect(g.conversions).toBeCloseTo(w.conversions, 6)
      })
    }
  })
})
