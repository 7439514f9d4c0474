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

  it('reads named entities of an account over its last days as the same GROUP BY, by key range or by ad', () => {
    const sqlite = core.store.sqlite
    const accountId = (
      sqlite.prepare('SELECT id FROM ad_accounts WHERE workspace_id = ? ORDER BY id LIMIT 1').get(workspaceId) as {
        id: number
      }
    ).id
    const ids = (table: 'campaigns' | 'ad_sets'): number[] =>
      (
        sqlite.prepare(`SELECT id FROM ${table} WHERE account_id = ? ORDER BY id`).all(accountId) as { id: number }[]
      ).map((r) => r.id)
    const campaigns = ids('campaigns')
    const adSets = ids('ad_sets')
    const lastDays = 60
    const want = new Map<string, number[]>()
    for (const [type, rows] of [
      ['campaign', wholeHistory('campaign_id', 'round(sum(dm.conversions), 6)')],
      ['ad_set', wholeHistory('ad_set_id', 'round(sum(dm.conversions), 6)')],
    ] as const)
      for (const r of rows)
        want.set(`${type}:${r.id}:${r.date}`, [r.spend / 1e6, r.conversions, r.revenue / 1e6, r.impressions, r.clicks])
    // One entity (its ads' ids side by side: one key range a day), then the first and last of the
    // account together (ids far apart: each ad looked up).
    for (const pick of [
      { campaign: [campaigns[0] as number], ad_set: [adSets[1] as number] },
      {
        campaign: [campaigns[0] as number, campaigns.at(-1) as number],
        ad_set: [adSets[0] as number, adSets.at(-1) as number],
      },
    ]) {
      const ws = loadWorkspaceSeries(sqlite, workspaceId, { entities: { accountId, lastDays, ...pick } })
      expect(ws?.series.length).toBe(pick.campaign.length + pick.ad_set.length)
      if (!ws) return
      const fromDay = toEpochDay(ws.from)
      let seen = 0
      for (const s of ws.series)
        for (let i = 0; i < ws.settledDays; i++) {
          const date = new Date((fromDay + i) * 86_400_000).toISOString().slice(0, 10)
          const expected =
            i < ws.days - lastDays ? [0, 0, 0, 0, 0] : (want.get(`${s.entityType}:${s.id}:${date}`) ?? [0, 0, 0, 0, 0])
          const got = [s.spend[i], s.conversions[i], s.revenue[i], s.impressions[i], s.clicks[i]]
          expect({ key: `${s.entityType}:${s.id}:${date}`, got }).toEqual({
            key: `${s.entityType}:${s.id}:${date}`,
            got: expected,
          })
          if (expected[0] !== 0) seen++
        }
      expect(seen).toBeGreaterThan(50)
    }
  })
})
