import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toEpochDay } from '../../../../shared/domain/dates'
import type { Core } from '../../core'
import { createTestCore } from '../../test-support'
import { loadWorkspaceSeries } from './dataset-repo'

// The training's read of a workspace's history, checked against one GROUP BY over all of its rows
// (what it read before it went account-day by account-day).
let core: Core
let workspaceId = 0

beforeAll(async () => {
  core = createTestCore({})
  const id = core.jobs.enqueue('demo:build', { campaigns: 24, days: 120, endDate: '2026-10-31' })
  const job = await core.jobs.waitFor(id)
  expect(job.status).toBe('succeeded')
  workspaceId = (core.jobs.result(id) as { workspaceId: number }).workspaceId
}, 60_000)

afterAll(async () => {
  await core.close()
})

type Row = {
  id: number
  date: string
  spend: number
  conversions: number
  revenue: number
  impressions: number
  clicks: number
}

function wholeHistory(col: 'campaign_id' | 'ad_set_id', conversions: string): Row[] {
  return core.store.sqlite
    .prepare(
      `SELECT dm.${col} AS id, dm.date, sum(dm.spend_micros) AS spend, ${conversions} AS conversions,
         sum(dm.conversion_value_micros) AS revenue, sum(dm.impressions) AS impressions, sum(dm.clicks) AS clicks
       FROM daily_metrics dm JOIN ad_accounts a ON a.id = dm.account_id WHERE a.workspace_id = ?
       GROUP BY dm.${col}, dm.date`,
    )
    .all(workspaceId) as Row[]
}

describe('loadWorkspaceSeries', () => {
  it('reads every campaign-day and ad-set-day exactly as one GROUP BY over the whole history', () => {
    const ws = loadWorkspaceSeries(core.store.sqlite, workspaceId, { adSets: true })
    expect(ws).not.toBeNull()
    if (!ws) return
    // No provisional days in this store's past: the completion factors leave the sums as read.
    const fromDay = toEpochDay(ws.from)
    const expected = new Map<string, number[]>()
    const put = (type: string, rows: Row[]): void => {
      for (const r of rows)
        expected.set(`${type}:${r.id}:${toEpochDay(r.date) - fromDay}`, [
          r.spend / 1e6,
          r.conversions,
          r.revenue / 1e6,
          r.impressions,
          r.clicks,
        ])
    }
    put('campaign', wholeHistory('campaign_id', 'round(sum(dm.conversions), 6)'))
    put('ad_set', wholeHistory('ad_set_id', 'sum(dm.conversions)'))
    const settled = ws.settledDays
    let seen = 0
    for (const s of ws.series) {
      for (let i = 0; i < settled; i++) {
        const want = expected.get(`${s.entityType}:${s.id}:${i}`) ?? [0, 0, 0, 0, 0]
        const got = [s.spend[i], s.conversions[i], s.revenue[i], s.impressions[i], s.clicks[i]]
        if (want.some((v, k) => !Object.is(v, got[k])))
          expect({ entity: `${s.entityType}:${s.id}`, day: i, got }).toEqual({
            entity: `${s.entityType}:${s.id}`,
            day: i,
            got: want,
          })
        if (want[0] !== 0) seen++
      }
      expect(s.spend.length).toBe(ws.days)
    }
    expect(ws.series.filter((s) => s.entityType === 'campaign').length).toBe(24)
    expect(ws.series.some((s) => s.entityType === 'ad_set')).toBe(true)
    expect(seen).toBeGreaterThan(1000)
  })
})
