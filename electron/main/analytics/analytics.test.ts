import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Papa from 'papaparse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decimalToMicros } from '../../../shared/domain/money'
import { EMPTY_TOTALS, type Kpis, type Totals } from '../../../shared/domain/metrics'
import { windowRows, type RowWindowQuery } from '../../../shared/domain/row-window'
import { createTestCore, TEST_CALLER } from '../test-support'
import { MetricsRepo, RollupAccumulator, type DailyMetricInput } from '../store/repos/metrics-repo'
import { connectStore } from '../store/connect'
import { KvRepo } from '../store/repos/kv-repo'
import { ImportRepo } from '../store/repos/import-repo'
import type { AnalyticsRepo } from '../store/repos/analytics-repo'
import { twoProportionTest, probBBeatsA } from './stats'
import { fitFatigue } from './fatigue'
import { adWindowTotalsSteps } from './ad-window-totals'

type TestCore = ReturnType<typeof createTestCore>
let core: TestCore
let ws: number
const ids = { usd: 0, eur: 0, c1: 0, c2: 0, c3: 0, s1: 0, s3: 0, a1: 0, a2: 0, a3: 0 }

async function call<T>(channel: string, input: unknown): Promise<T> {
  const env = await core.dispatch(channel, input, TEST_CALLER)
  if (!env.ok) throw new Error(`${channel}: ${env.error.message}`)
  return env.value as T
}

function row(adId: number, date: string, p: Partial<DailyMetricInput>): DailyMetricInput {
  return {
    adId,
    date,
    accountId: 0,
    campaignId: 0,
    adSetId: 0,
    spendMicros: 0,
    impressions: 0,
    clicks: 0,
    reach: 0,
    conversions: 0,
    conversionValueMicros: 0,
    videoViews: 0,
    provisional: false,
    source: 'import',
    ...p,
  }
}

beforeAll(() => {
  core = createTestCore({ startJobs: false })
  const s = core.store.sqlite
  ws = core.workspaces.create('Hand', 'USD')
  const acc = s.prepare(
    "INSERT INTO ad_accounts (workspace_id, platform, external_id, name, currency, time_zone) VALUES (?, ?, ?, ?, ?, 'UTC')",
  )
  ids.usd = Number(acc.run(ws, 'meta', 'u', 'US acc', 'USD').lastInsertRowid)
  ids.eur = Number(acc.run(ws, 'google_ads', 'e', 'EU acc', 'EUR').lastInsertRowid)
  const camp = s.prepare(
    "INSERT INTO campaigns (account_id, external_id, name, objective, status) VALUES (?, ?, ?, 'sales', 'active')",
  )
  ids.c1 = Number(camp.run(ids.usd, 'c1', 'Alpha').lastInsertRowid)
  ids.c2 = Number(camp.run(ids.usd, 'c2', 'Beta').lastInsertRowid)
  ids.c3 = Number(camp.run(ids.eur, 'c3', 'Gamma').lastInsertRowid)
  const set = s.prepare(
    "INSERT INTO ad_sets (account_id, campaign_id, external_id, name, status) VALUES (?, ?, ?, ?, 'active')",
  )
  ids.s1 = Number(set.run(ids.usd, ids.c1, 's1', 'S1').lastInsertRowid)
  const s2 = Number(set.run(ids.usd, ids.c2, 's2', 'S2').lastInsertRowid)
  ids.s3 = Number(set.run(ids.eur, ids.c3, 's3', 'S3').lastInsertRowid)
  const ad = s.prepare(
    "INSERT INTO ads (account_id, campaign_id, ad_set_id, external_id, name, status) VALUES (?, ?, ?, ?, ?, 'active')",
  )
  ids.a1 = Number(ad.run(ids.usd, ids.c1, ids.s1, 'a1', 'Ad 1').lastInsertRowid)
  ids.a2 = Number(ad.run(ids.usd, ids.c2, s2, 'a2', 'Ad 2').lastInsertRowid)
  ids.a3 = Number(ad.run(ids.eur, ids.c3, ids.s3, 'a3', 'Ad 3').lastInsertRowid)
  core.fx.upsertMany(ws, [
    { currency: 'EUR', month: '2026-01', rate: 1.1 },
    { currency: 'EUR', month: '2026-02', rate: 1.2 },
  ])
  const m = new MetricsRepo(s)
  const usd = [
    row(ids.a1, '2026-01-30', {
      campaignId: ids.c1,
      adSetId: ids.s1,
      spendMicros: 100e6,
      impressions: 10_000,
      clicks: 200,
      conversions: 10,
      conversionValueMicros: 400e6,
    }),
    row(ids.a1, '2026-02-01', {
      campaignId: ids.c1,
      adSetId: ids.s1,
      spendMicros: 50e6,
      impressions: 5_000,
      clicks: 50,
      conversions: 5,
      conversionValueMicros: 100e6,
    }),
    row(ids.a2, '2026-01-31', {
      campaignId: ids.c2,
      adSetId: s2,
      spendMicros: 20e6,
      impressions: 4_000,
      clicks: 40,
      conversions: 1,
      conversionValueMicros: 90e6,
    }),
  ].map((r) => ({ ...r, accountId: ids.usd }))
  const eur = [
    row(ids.a3, '2026-01-31', {
      campaignId: ids.c3,
      adSetId: ids.s3,
      spendMicros: 10e6,
      impressions: 1_000,
      clicks: 10,
      conversions: 2,
      conversionValueMicros: 30e6,
    }),
    row(ids.a3, '2026-02-02', {
      campaignId: ids.c3,
      adSetId: ids.s3,
      spendMicros: 10e6,
      impressions: 1_000,
      clicks: 20,
      conversions: 0,
      conversionValueMicros: 0,
    }),
  ].map((r) => ({ ...r, accountId: ids.eur }))
  s.transaction(() => {
    m.upsert(usd)
    const acc1 = new RollupAccumulator()
    usd.forEach((r) => acc1.add(r))
    m.replaceRollups(ids.usd, '2026-01-01', '2026-02-02', acc1)
    m.upsert(eur)
    m.refreshRollups(ids.eur, '2026-01-01', '2026-02-02')
  })()
})
afterAll(() => core.close())

const JAN30_FEB2 = { from: '2026-01-30', to: '2026-02-02' }

describe('analytics against hand-computed values', () => {
  it('converts EUR per month and derives ratios from sums at the workspace level', async () => {
    const b = await call<{
      convertedFrom: string[]
      rows: {
        totals: { spendMicros: number; revenueMicros: number; clicks: number }
        kpis: { roas: number; ctr: number }
      }[]
    }>('analytics:getBreakdown', { workspaceId: ws, range: JAN30_FEB2, level: 'workspace' })
    // USD 170 + EUR 10 x 1.1 (Jan) + EUR 10 x 1.2 (Feb) = 193; revenue 590 + 30 x 1.1 = 623.
    expect(b.convertedFrom).toEqual(['EUR'])
    expect(b.rows[0]?.totals.spendMicros).toBe(193e6)
    expect(b.rows[0]?.totals.revenueMicros).toBe(623e6)
    expect(b.rows[0]?.kpis.roas).toBeCloseTo(623 / 193, 10)
    expect(b.rows[0]?.kpis.ctr).toBeCloseTo(320 / 21_000, 10)
  })

  it('campaign totals from running totals equal the day sums, for any sub-range', async () => {
    const b = await call<{ rows: { id: string; totals: { spendMicros: number; conversions: number } }[] }>(
      'analytics:getBreakdown',
      {
        workspaceId: ws,
        range: { from: '2026-01-31', to: '2026-02-02' },
        level: 'campaign',
      },
    )
    const byId = new Map(b.rows.map((r) => [Number(r.id), r.totals]))
    expect(byId.get(ids.c1)?.spendMicros).toBe(50e6)
    expect(byId.get(ids.c2)?.spendMicros).toBe(20e6)
    expect(byId.get(ids.c3)?.spendMicros).toBe(11e6 + 12e6)
    expect(byId.get(ids.c1)?.conversions).toBe(5)
    // A range inside one month takes the single-piece path.
    const jan = await call<{ rows: { id: string; totals: { spendMicros: number } }[] }>('analytics:getBreakdown', {
      workspaceId: ws,
      range: { from: '2026-01-30', to: '2026-01-31' },
      level: 'campaign',
    })
    const janById = new Map(jan.rows.map((r) => [Number(r.id), r.totals.spendMicros]))
    expect(janById.get(ids.c1)).toBe(100e6)
    expect(janById.get(ids.c2)).toBe(20e6)
    expect(janById.get(ids.c3)).toBe(11e6)
  })

  it('answers a window of the campaigns: filtered, sorted and sliced in the core, with the matching total', async () => {
    type W = { rows: { name: string; platform: string }[]; total: number; offset: number }
    const q = { workspaceId: ws, range: JAN30_FEB2, level: 'campaign' }
    // Spend (converted): Alpha 150, Gamma 23, Beta 20.
    const bySpend = await call<W>('analytics:getBreakdown', { ...q, window: { limit: 2 } })
    expect(bySpend).toMatchObject({ total: 3, offset: 0 })
    expect(bySpend.rows.map((r) => r.name)).toEqual(['Alpha', 'Gamma'])
    const next = await call<W>('analytics:getBreakdown', { ...q, window: { offset: 2, limit: 2 } })
    expect(next.rows.map((r) => r.name)).toEqual(['Beta'])
    const byName = await call<W>('analytics:getBreakdown', { ...q, window: { limit: 10, sort: 'name', dir: 'asc' } })
    expect(byName.rows.map((r) => r.name)).toEqual(['Alpha', 'Beta', 'Gamma'])
    const searched = await call<W>('analytics:getBreakdown', { ...q, window: { limit: 10, search: 'MM' } })
    expect(searched).toMatchObject({ total: 1, rows: [{ name: 'Gamma' }] })
    const google = await call<W>('analytics:getBreakdown', { ...q, window: { limit: 10, platform: 'google_ads' } })
    expect(google.rows.map((r) => r.platform)).toEqual(['google_ads'])
    const bad = await core.dispatch('analytics:getBreakdown', { ...q, window: { limit: 5000 } }, TEST_CALLER)
    expect(bad.ok).toBe(false)
  })

  it('leaves archived (deleted) campaigns out of the list unless asked for, and their spend in every total', async () => {
    type W = { rows: { name: string; status: string | null }[]; total: number; archived: number }
    const q = { workspaceId: ws, range: JAN30_FEB2, level: 'campaign' }
    const summaryBefore = await call<{ totals: { spendMicros: number } }>('dashboard:getSummary', {
      workspaceId: ws,
      range: JAN30_FEB2,
    })
    // Writers say what they changed (data:changed), which is when kept explorer lists are rebuilt.
    const archive = (status: string): void => {
      core.store.sqlite.prepare('UPDATE campaigns SET status = ? WHERE id = ?').run(status, ids.c3)
      core.events.emit('data:changed', { tables: ['campaigns'], workspaceId: ws })
    }
    archive('archived')
    try {
      const listed = await call<W>('analytics:getBreakdown', { ...q, window: { limit: 10 } })
      expect(listed).toMatchObject({ total: 2, archived: 1 })
      expect(listed.rows.map((r) => r.name)).toEqual(['Alpha', 'Beta'])
      const all = await call<W>('analytics:getBreakdown', { ...q, window: { limit: 10, archived: true } })
      expect(all).toMatchObject({ total: 3, archived: 1 })
      expect(all.rows.find((r) => r.name === 'Gamma')?.status).toBe('archived')
      // A search that matches no archived row says none are hidden.
      expect(await call<W>('analytics:getBreakdown', { ...q, window: { limit: 10, search: 'alp' } })).toMatchObject({
        total: 1,
        archived: 0,
      })
      const summary = await call<{ totals: { spendMicros: number } }>('dashboard:getSummary', {
        workspaceId: ws,
        range: JAN30_FEB2,
      })
      expect(summary.totals.spendMicros).toBe(summaryBefore.totals.spendMicros)
    } finally {
      archive('active')
    }
  })

  it('keeps an explorer list until the data changes: every window equals the one computed afresh, and the kept rows are bounded', async () => {
    type W = { rows: { id: string; name: string; totals: { spendMicros: number } }[]; total: number }
    const a = core.services.analytics
    const q = { workspaceId: ws, range: JAN30_FEB2, level: 'campaign', compare: true }
    const fresh = async (window: object): Promise<W> => {
      a.invalidate()
      return call<W>('analytics:getBreakdown', { ...q, window })
    }
    const windows = [
      { limit: 2 },
      { offset: 1, limit: 2 },
      { limit: 10, sort: 'name', dir: 'asc' },
      { limit: 10, sort: 'roas' },
      { limit: 10, search: 'a' },
      { limit: 10, platform: 'meta' },
    ]
    const expected = await Promise.all(windows.map(async (w) => fresh(w)))
    a.invalidate()
    for (const [i, w] of windows.entries())
      expect(await call<W>('analytics:getBreakdown', { ...q, window: w })).toEqual(expected[i])
    expect(a.keptStats()).toEqual({ lists: 1, rows: 3, unnamed: 0 })
    // A write the list does not know of yet is seen once its writer says so.
    core.store.sqlite.prepare("UPDATE campaigns SET name = 'Zeta' WHERE id = ?").run(ids.c2)
    try {
      const stale = await call<W>('analytics:getBreakdown', { ...q, window: { limit: 10, sort: 'name' } })
      expect(stale.rows.map((r) => r.name)).toContain('Beta')
      core.events.emit('data:changed', { tables: ['campaigns'], workspaceId: ws })
      expect(a.keptStats().lists).toBe(0)
      const seen = await call<W>('analytics:getBreakdown', { ...q, window: { limit: 10, sort: 'name' } })
      expect(seen.rows.map((r) => r.name)).toEqual(['Zeta', 'Gamma', 'Alpha'])
      // Tables a breakdown does not read leave the list kept.
      core.events.emit('data:changed', { tables: ['alerts'], workspaceId: ws })
      expect(a.keptStats().lists).toBe(1)
    } finally {
      core.store.sqlite.prepare("UPDATE campaigns SET name = 'Beta' WHERE id = ?").run(ids.c2)
      core.events.emit('data:changed', { tables: ['campaigns'], workspaceId: ws })
    }
    // At most MAX_KEPT_LISTS lists: one per range.
    for (let d = 1; d <= 6; d++)
      await call<W>('analytics:getBreakdown', {
        ...q,
        range: { from: `2026-01-0${d}`, to: '2026-02-02' },
        window: { limit: 1 },
      })
    expect(a.keptStats().lists).toBe(4)
  })

  it('reads names only for the rows a window shows and the ties of its sort, in the order of the whole list sorted', async () => {
    type R = {
      id: string
      name: string
      status: string | null
      totals: Totals
      kpis: Kpis
      platform: string | null
      previousTotals: Totals | null
    }
    type W = { rows: R[]; total: number; archived: number }
    const s = core.store.sqlite
    const w2 = core.workspaces.create('Ties', 'USD')
    const acc = Number(
      s
        .prepare(
          "INSERT INTO ad_accounts (workspace_id, platform, external_id, name, currency, time_zone) VALUES (?, 'meta', 't', 'T', 'USD', 'UTC')",
        )
        .run(w2).lastInsertRowid,
    )
    // Spend: 40 (Kilo), 10 five times (names out of id order), 0 with no conversions twice (CPA undefined).
    const plan: [string, number, number, string][] = [
      ['Kilo', 40, 4, 'active'],
      ['echo', 10, 1, 'active'],
      ['Bravo', 10, 2, 'paused'],
      ['Delta 10', 10, 0, 'active'],
      ['Delta 9', 10, 1, 'archived'],
      ['alpha', 10, 1, 'active'],
      ['Zulu', 0, 0, 'active'],
      ['Mike', 0, 0, 'active'],
    ]
    // Rows in previous periods: 26-29 Jan (that of JAN30_FEB2) and December (that of 31 Jan - 5 Mar
    // is 28 Dec - 30 Jan, a piece of two months at rate 1): [campaign, date, spend, conversions].
    const before: [number, string, number, number][] = [
      [0, '2026-01-27', 7.5, 1],
      [0, '2026-01-29', 3, 0],
      [2, '2026-01-26', 1.25, 2],
      [4, '2026-01-28', 2, 1],
      [6, '2025-12-30', 4, 0],
      [6, '2026-01-28', 1, 1],
      [1, '2025-12-29', 0.5, 0],
      // Before both previous periods: a piece's start row (running totals to subtract) is not empty.
      [0, '2026-01-20', 9, 2],
      [1, '2025-12-27', 6, 1],
    ]
    const rows: DailyMetricInput[] = []
    for (const [i, [name, spend, conv, status]] of plan.entries()) {
      const c = Number(
        s
          .prepare(
            "INSERT INTO campaigns (account_id, external_id, name, objective, status) VALUES (?, ?, ?, 'sales', ?)",
          )
          .run(acc, `t${i}`, name, status).lastInsertRowid,
      )
      const set = Number(
        s
          .prepare(
            "INSERT INTO ad_sets (account_id, campaign_id, external_id, name, status) VALUES (?, ?, ?, 'S', 'active')",
          )
          .run(acc, c, `ts${i}`).lastInsertRowid,
      )
      const ad = Number(
        s
          .prepare(
            "INSERT INTO ads (account_id, campaign_id, ad_set_id, external_id, name, status) VALUES (?, ?, ?, ?, 'A', 'active')",
          )
          .run(acc, c, set, `ta${i}`).lastInsertRowid,
      )
      rows.push(
        row(ad, '2026-01-31', {
          accountId: acc,
          campaignId: c,
          adSetId: set,
          spendMicros: spend * 1e6,
          impressions: 1_000,
          clicks: 10,
          conversions: conv,
          conversionValueMicros: conv * 5e6,
        }),
      )
      for (const [j, date, spendBefore, convBefore] of before)
        if (j === i)
          rows.push(
            row(ad, date, {
              accountId: acc,
              campaignId: c,
              adSetId: set,
              spendMicros: spendBefore * 1e6,
              impressions: 300,
              clicks: 7,
              conversions: convBefore,
              conversionValueMicros: convBefore * 3e6,
              videoViews: 2,
            }),
          )
    }
    const m = new MetricsRepo(s)
    s.transaction(() => {
      m.upsert(rows)
      m.refreshRollups(acc, '2025-12-01', '2026-02-02')
    })()
    const a = core.services.analytics
    const q = { workspaceId: w2, range: JAN30_FEB2, level: 'campaign', compare: true }
    // The whole list decorated at once (no window), then filtered and sorted as the grid's windows are.
    const all = (await call<{ rows: R[] }>('analytics:getBreakdown', q)).rows
    const expected = (w: RowWindowQuery): W => {
      const r = windowRows(all, w)
      return { rows: r.rows, total: r.total, archived: r.archived }
    }
    const full = { search: '', dir: 'desc' as const, sort: 'spend' as const }
    const windows: RowWindowQuery[] = [
      { ...full, offset: 0, limit: 1 },
      { ...full, offset: 3, limit: 1 },
      { ...full, offset: 2, limit: 3 },
      { ...full, offset: 0, limit: 10 },
      { ...full, offset: 0, limit: 10, archived: true },
      { ...full, sort: 'cpa', dir: 'asc', offset: 5, limit: 2 },
      { ...full, sort: 'cpa', dir: 'asc', offset: 0, limit: 10 },
      { ...full, sort: 'name', dir: 'asc', offset: 0, limit: 10 },
      { ...full, search: 'delta', offset: 0, limit: 10, archived: true },
    ]
    a.invalidate()
    const first = await call<W>('analytics:getBreakdown', { ...q, window: windows[0] })
    expect(first).toMatchObject(expected(windows[0] as RowWindowQuery))
    expect(first.rows.map((r) => r.name)).toEqual(['Kilo'])
    // The first window read one name (no ties at its end): the other seven are still to read.
    expect(a.keptStats()).toMatchObject({ lists: 1, rows: 8, unnamed: 7 })
    for (const w of windows)
      expect(await call<W>('analytics:getBreakdown', { ...q, window: w })).toMatchObject(expected(w))
    // Each window afresh too (a run of ties reached first in its middle).
    for (const w of windows) {
      a.invalidate()
      expect(await call<W>('analytics:getBreakdown', { ...q, window: w })).toMatchObject(expected(w))
    }
    const tenByName = await call<W>('analytics:getBreakdown', { ...q, window: windows[3] })
    expect(tenByName.rows.map((r) => r.name)).toEqual(['Kilo', 'alpha', 'Bravo', 'Delta 10', 'echo', 'Mike', 'Zulu'])
    expect(tenByName.archived).toBe(1)
    // Each row's previous totals are its campaign's rows summed over the previous period (zero
    // without rows): through the whole list and through a window's rows (CampaignSumsReader).
    const direct = (from: string, to: string): Map<string, Totals> =>
      new Map(
        (
          s
            .prepare(
              `SELECT campaign_id AS id, sum(spend_micros) AS spendMicros, sum(conversion_value_micros) AS revenueMicros,
                    sum(impressions) AS impressions, sum(clicks) AS clicks, sum(conversions) AS conversions,
                    sum(video_views) AS videoViews
             FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ? GROUP BY campaign_id`,
            )
            .all(acc, from, to) as (Totals & { id: number })[]
        ).map(({ id, ...t }) => [String(id), t]),
      )
    for (const [range, from, to, nonZero] of [
      [JAN30_FEB2, '2026-01-26', '2026-01-29', 4],
      [{ from: '2026-01-31', to: '2026-03-05' }, '2025-12-28', '2026-01-30', 5],
    ] as const) {
      const want = direct(from, to)
      expect(want.size).toBe(nonZero)
      const whole = (await call<{ rows: R[] }>('analytics:getBreakdown', { ...q, range })).rows
      a.invalidate()
      const windowed = (
        await call<W>('analytics:getBreakdown', {
          ...q,
          range,
          window: { ...full, offset: 0, limit: 10, archived: true },
        })
      ).rows
      for (const got of [whole, windowed]) {
        expect(got).toHaveLength(plan.length)
        for (const r of got)
          expect(r.previousTotals, `${r.name} before ${range.from}`).toEqual(want.get(r.id) ?? EMPTY_TOTALS)
      }
    }
  })

  it('reads ad and ad-set totals together, equal to each level read alone (converted per month)', () => {
    const a = core.services.analytics
    const scope = a.scope(ws)
    const both = a.adAndAdSetTotals(scope, JAN30_FEB2)
    expect(both.ad).toEqual(a.entityTotals(scope, 'ad', JAN30_FEB2))
    expect(both.ad_set).toEqual(a.entityTotals(scope, 'ad_set', JAN30_FEB2))
    // EUR 10 x 1.1 (Jan) + EUR 10 x 1.2 (Feb).
    expect(both.ad.get(ids.a3)?.spendMicros).toBe(23e6)
    expect(both.ad_set.get(ids.s3)?.spendMicros).toBe(23e6)
    expect(both.ad_set.get(ids.s1)).toMatchObject({ spendMicros: 150e6, conversions: 15, clicks: 250 })
  })

  it('reads several ranges at once (whole months from ad_month, other days from the rows) as each range alone', () => {
    const a = core.services.analytics
    const scope = a.scope(ws)
    const ranges = [
      { ...JAN30_FEB2, accountIds: [ids.usd, ids.eur] },
      // Whole months of both accounts (their rows span 2026-01-.. to 2026-02-02).
      { from: '2025-12-01', to: '2026-03-31', accountIds: [ids.usd, ids.eur] },
      { from: '2026-01-01', to: '2026-01-31', accountIds: [ids.eur] },
      { from: '2026-02-01', to: '2026-02-01', accountIds: [ids.usd] },
      { from: '2026-01-31', to: '2026-02-02', accountIds: [ids.eur] },
      { from: '2025-01-01', to: '2025-01-31', accountIds: [ids.usd, ids.eur] },
    ]
    const many = a.adAndAdSetTotalsMany(scope, ranges)
    ranges.forEach((r, i) => {
      const alone = a.adAndAdSetTotals(a.scope(ws, r.accountIds), r)
      expect(many[i]).toEqual(alone)
    })
    expect(many[1]?.ad.get(ids.a3)?.spendMicros).toBe(23e6)
    expect(many[5]?.ad.size).toBe(0)
  })

  it("reads a day's rows in pieces of a few ads, with the same totals as reading it whole", () => {
    const a = core.services.analytics
    const repo = (a as unknown as { repo: AnalyticsRepo }).repo
    const scope = a.scope(ws)
    const ranges = [
      { ...JAN30_FEB2, accountIds: [ids.usd, ids.eur] },
      { from: '2026-01-31', to: '2026-02-02', accountIds: [ids.eur] },
      // A day that is not a whole month of the account's rows (read from the rows).
      { from: '2026-01-31', to: '2026-02-01', accountIds: [ids.usd] },
    ]
    const run = (dayRows?: number): { steps: number; value: unknown } => {
      const it = adWindowTotalsSteps(repo, scope, ranges, dayRows)
      let steps = 0
      for (;;) {
        const r = it.next()
        if (r.done) return { steps, value: r.value }
        steps++
      }
    }
    const whole = run()
    const pieces = run(1)
    expect(pieces.value).toEqual(whole.value)
    ranges.forEach((x, i) =>
      expect((pieces.value as unknown[])[i]).toEqual(a.adAndAdSetTotals(a.scope(ws, x.accountIds), x)),
    )
    // One row per step: more steps than days.
    expect(pieces.steps).toBeGreaterThan(whole.steps)
  })

  it('reads an account again on one snapshot when something is written between its steps', () => {
    const a = core.services.analytics
    const scope = a.scope(ws)
    const ranges = [
      { from: '2025-12-01', to: '2026-03-31', accountIds: [ids.usd, ids.eur] },
      { ...JAN30_FEB2, accountIds: [ids.usd, ids.eur] },
      // A day that is not a whole month of the account's rows (read from the rows).
      { from: '2026-01-31', to: '2026-02-01', accountIds: [ids.usd] },
    ]
    const s = core.store.sqlite
    const m = new MetricsRepo(s)
    const setSpend = (spend: number): void =>
      s
        .transaction(() => {
          s.prepare('UPDATE daily_metrics SET spend_micros = ? WHERE ad_id = ? AND date = ?').run(
            spend,
            ids.a1,
            '2026-01-30',
          )
          m.refreshRollups(ids.usd, '2026-01-30', '2026-01-30')
        })
        .immediate()
    const steps = a.adAndAdSetTotalsSteps(scope, ranges)
    // Into the first account's reads: its plan made and its first month (January) read.
    steps.next()
    steps.next()
    steps.next()
    setSpend(70e6)
    try {
      let r = steps.next()
      while (!r.done) r = steps.next()
      ranges.forEach((x, i) => expect(r.value[i]).toEqual(a.adAndAdSetTotals(a.scope(ws, x.accountIds), x)))
      // 70 (Jan 30, written after January was read) + 50 (Feb 1).
      expect(r.value[1]?.ad.get(ids.a1)?.spendMicros).toBe(120e6)
      expect(r.value[2]?.ad.get(ids.a1)?.spendMicros).toBe(50e6)
    } finally {
      setSpend(100e6)
    }
  })

  it("moves an account's data mark with every write of its metrics, and no other account's", () => {
    const repo = (core.services.analytics as unknown as { repo: AnalyticsRepo }).repo
    const s = core.store.sqlite
    const marks = (): number[] => [repo.dataMark(ids.usd), repo.dataMark(ids.eur)]
    const row = s
      .prepare(
        `SELECT ad_id AS adId, date, account_id AS accountId, campaign_id AS campaignId, ad_set_id AS adSetId,
           spend_micros AS spendMicros, impressions, clicks, reach, conversions,
           conversion_value_micros AS conversionValueMicros, video_views AS videoViews
         FROM daily_metrics WHERE account_id = ? ORDER BY date LIMIT 1`,
      )
      .get(ids.usd) as DailyMetricInput
    const m = new MetricsRepo(s)
    const imports = new ImportRepo(s)
    const steps: [string, () => void][] = [
      // Rows written as an import's or a demo build's slices are (before their rollups are rebuilt).
      ['rows upserted', () => m.upsert([{ ...row, provisional: false, source: 'import' }])],
      ['rollups rebuilt', () => m.refreshRollups(ids.usd, row.date, row.date)],
      ["an import's undo deleting its rows", () => imports.deleteKeys([row])],
      ['the same rows put back', () => m.upsert([{ ...row, provisional: false, source: 'import' }])],
    ]
    for (const [what, write] of steps) {
      const [usd, eur] = marks()
      s.transaction(write).immediate()
      expect(marks(), what).toEqual([(usd as number) + 1, eur])
    }
  })

  it("does not read an account again for writes that leave its metrics alone (a job's progress, a setting)", () => {
    const a = core.services.analytics
    const repo = (a as unknown as { repo: AnalyticsRepo }).repo
    const ranges = [{ ...JAN30_FEB2, accountIds: [ids.usd, ids.eur] }]
    // `write` runs once, between the first account's first and second read steps.
    const count = (write: () => void): { reads: number; value: unknown } => {
      let reads = 0
      const days = repo.adRowsOn.bind(repo)
      const months = repo.adMonthRows.bind(repo)
      repo.adRowsOn = (accountId, date, after, limit) => {
        reads++
        return days(accountId, date, after, limit)
      }
      repo.adMonthRows = (accountId, from, to) => {
        reads++
        return months(accountId, from, to)
      }
      try {
        const steps = a.adAndAdSetTotalsSteps(a.scope(ws), ranges)
        let r = steps.next()
        for (let i = 0; !r.done; i++) {
          if (i === 2) write()
          r = steps.next()
        }
        return { reads, value: r.value }
      } finally {
        delete (repo as { adRowsOn?: unknown }).adRowsOn
        delete (repo as { adMonthRows?: unknown }).adMonthRows
      }
    }
    const quiet = count(() => undefined)
    let n = 0
    const kv = new KvRepo(core.store.sqlite)
    const busy = count(() => kv.set('test:unrelated-write', ++n))
    expect(n).toBe(1)
    expect(busy.reads).toBe(quiet.reads)
    expect(busy.value).toEqual(quiet.value)
    // A write of the account's metrics between the steps does read it again.
    const m = new MetricsRepo(core.store.sqlite)
    const again = count(() =>
      core.store.sqlite.transaction(() => m.refreshRollups(ids.usd, '2026-01-30', '2026-01-30')).immediate(),
    )
    expect(again.reads).toBeGreaterThan(quiet.reads)
    expect(again.value).toEqual(quiet.value)
  })

  it("reads an account again when another connection (the sync's writer thread) commits between its steps", () => {
    // The same store as a file, with a second connection writing to it as the sync's writer thread does.
    const dir = mkdtempSync(join(tmpdir(), 'window-mark-'))
    const file = join(dir, 'store.db')
    writeFileSync(file, core.store.sqlite.serialize())
    const c2 = createTestCore({ dbPath: file, startJobs: false })
    const writer = connectStore(file)
    try {
      const a = c2.services.analytics
      const ranges = [{ ...JAN30_FEB2, accountIds: [ids.usd] }]
      const steps = a.adAndAdSetTotalsSteps(a.scope(ws), ranges)
      steps.next()
      steps.next()
      steps.next()
      const m = new MetricsRepo(writer)
      writer
        .transaction(() => {
          writer
            .prepare('UPDATE daily_metrics SET spend_micros = ? WHERE ad_id = ? AND date = ?')
            .run(70e6, ids.a1, '2026-01-30')
          m.refreshRollups(ids.usd, '2026-01-30', '2026-01-30')
        })
        .immediate()
      let r = steps.next()
      while (!r.done) r = steps.next()
      expect(r.value[0]).toEqual(a.adAndAdSetTotals(a.scope(ws, [ids.usd]), ranges[0]!))
      expect(r.value[0]?.ad.get(ids.a1)?.spendMicros).toBe(120e6)
    } finally {
      writer.close()
      c2.store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('ranks top campaigns by ROAS with a minimum spend and compares periods', async () => {
    const top = await call<{ rows: { name: string }[] }>('analytics:getTop', {
      workspaceId: ws,
      range: JAN30_FEB2,
      metric: 'roas',
      minSpend: 22,
    })
    // Alpha 500/150 = 3.33; Beta spent 20 (< 22) and is left out; Gamma 33/23 = 1.43.
    expect(top.rows.map((r) => r.name)).toEqual(['Alpha', 'Gamma'])
    const cmp = await call<{ rows: { previousTotals: { spendMicros: number } | null }[] }>('analytics:getBreakdown', {
      workspaceId: ws,
      range: { from: '2026-02-01', to: '2026-02-02' },
      level: 'workspace',
      compare: true,
    })
    expect(cmp.rows[0]?.previousTotals?.spendMicros).toBe(120e6 + 11e6)
  })

  it('drills down campaign -> ad sets -> ads and gives a 7-day moving average', async () => {
    const sets = await call<{ rows: { id: string }[] }>('analytics:getBreakdown', {
      workspaceId: ws,
      range: JAN30_FEB2,
      level: 'ad_set',
      parent: { level: 'campaign', id: String(ids.c1) },
    })
    expect(sets.rows.map((r) => Number(r.id))).toEqual([ids.s1])
    const ads = await call<{ rows: { id: string; totals: { spendMicros: number } }[] }>('analytics:getBreakdown', {
      workspaceId: ws,
      range: JAN30_FEB2,
      level: 'ad',
      parent: { level: 'ad_set', id: String(ids.s3) },
    })
    expect(ads.rows[0]?.totals.spendMicros).toBe(23e6)
    const t = await call<{ points: { date: string; ma7: { spend: number } }[] }>('analytics:getTrend', {
      workspaceId: ws,
      range: { from: '2026-02-02', to: '2026-02-02' },
    })
    // 7 days to Feb 2: 193 / 7.
    expect(t.points[0]?.ma7.spend).toBeCloseTo(193 / 7, 6)
  })

  it('edits rates and re-bases them when the reporting currency changes', async () => {
    await call('analytics:setFxRates', { workspaceId: ws, upsert: [{ currency: 'EUR', month: '2026-02', rate: 1.25 }] })
    const s = await call<{ totals: { spendMicros: number } }>('dashboard:getSummary', {
      workspaceId: ws,
      range: JAN30_FEB2,
      compare: false,
    })
    expect(s.totals.spendMicros).toBe(170e6 + 11e6 + 12.5e6)
    const t = await call<{ reportingCurrency: string; rates: { currency: string; month: string; rate: number }[] }>(
      'analytics:setReportingCurrency',
      { workspaceId: ws, currency: 'EUR' },
    )
    expect(t.reportingCurrency).toBe('EUR')
    expect(t.rates.find((r) => r.currency === 'USD' && r.month === '2026-02')?.rate).toBeCloseTo(1 / 1.25, 12)
    const bad = await core.dispatch('analytics:setReportingCurrency', { workspaceId: ws, currency: 'JPY' }, TEST_CALLER)
    expect(bad.ok).toBe(false)
    await call('analytics:setReportingCurrency', { workspaceId: ws, currency: 'USD' })
  })
})

describe('statistics', () => {
  it('matches a textbook two-proportion test and a Beta probability to beat', () => {
    const t = twoProportionTest(200, 10_000, 260, 10_000)
    expect(t?.z).toBeCloseTo(2.8302, 3)
    expect(t?.pValue).toBeCloseTo(0.00465, 4)
    expect(probBBeatsA(10, 100, 10, 100)).toBeCloseTo(0.5, 2)
    expect(probBBeatsA(200, 10_000, 260, 10_000)).toBeGreaterThan(0.99)
  })

  it('fits an exponential CTR decay and reports fatigue', () => {
    const days = Array.from({ length: 40 }, (_, i) => ({
      date: `2026-01-${String((i % 28) + 1).padStart(2, '0')}`,
      impressions: 50_000,
      clicks: Math.round(50_000 * 0.02 * Math.exp(-0.4 * ((i * 50_000) / 1e6))),
    }))
    const f = fitFatigue(days)
    expect(f.initialCtr).toBeCloseTo(0.02, 3)
    expect(f.state).toBe('fatigued')
  })
})

describe('online advertising dataset (fixtures)', () => {
  it('totals and ROAS by banner format equal a direct computation', async () => {
    const text = readFileSync(join(__dirname, 'fixtures', 'online_advertising_performance_data.csv'), 'utf8')
    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true })
    expect(parsed.errors).toEqual([])
    const months: Record<string, string> = { April: '04', May: '05', June: '06' }
    const c2 = createTestCore({ startJobs: false })
    try {
      const s = c2.store.sqlite
      const w = c2.workspaces.create('CSV', 'USD')
      const acc = Number(
        s
          .prepare(
            "INSERT INTO ad_accounts (workspace_id, platform, external_id, name, currency, time_zone) VALUES (?, 'google_ads', 'x', 'CSV', 'USD', 'UTC')",
          )
          .run(w).lastInsertRowid,
      )
      const direct = new Map<string, { spend: number; revenue: number }>()
      const camp = new Map<string, number>()
      const ads = new Map<string, { id: number; campaignId: number; adSetId: number }>()
      const acc2 = new Map<string, DailyMetricInput>()
      for (const r of parsed.data) {
        const banner = r.banner as string
        const spend = decimalToMicros(r.cost as string)
        const revenue = decimalToMicros(r.revenue as string)
        const d = direct.get(banner) ?? { spend: 0, revenue: 0 }
        d.spend += spend
        d.revenue += revenue
        direct.set(banner, d)
        const cKey = r.campaign_number as string
        if (!camp.has(cKey))
          camp.set(
            cKey,
            Number(
              s
                .prepare(
                  "INSERT INTO campaigns (account_id, external_id, name, objective, status) VALUES (?, ?, ?, 'sales', 'active')",
                )
                .run(acc, cKey, cKey).lastInsertRowid,
            ),
          )
        const adKey = `${cKey}|${banner}|${r.placement}`
        let ad = ads.get(adKey)
        if (!ad) {
          const campaignId = camp.get(cKey) as number
          const adSetId = Number(
            s
              .prepare(
                "INSERT INTO ad_sets (account_id, campaign_id, external_id, name, status) VALUES (?, ?, ?, ?, 'active')",
              )
              .run(acc, campaignId, adKey, adKey).lastInsertRowid,
          )
          const cr = Number(
            s
              .prepare('INSERT INTO creatives (account_id, external_id, format) VALUES (?, ?, ?)')
              .run(acc, adKey, banner).lastInsertRowid,
          )
          const id = Number(
            s
              .prepare(
                "INSERT INTO ads (account_id, campaign_id, ad_set_id, creative_id, external_id, name, status) VALUES (?, ?, ?, ?, ?, ?, 'active')",
              )
              .run(acc, campaignId, adSetId, cr, adKey, adKey).lastInsertRowid,
          )
          ad = { id, campaignId, adSetId }
          ads.set(adKey, ad)
        }
        const date = `2020-${months[r.month as string]}-${String(r.day).padStart(2, '0')}`
        const k = `${ad.id}|${date}`
        const prev = acc2.get(k)
        acc2.set(k, {
          ...row(ad.id, date, { accountId: acc, campaignId: ad.campaignId, adSetId: ad.adSetId }),
          spendMicros: (prev?.spendMicros ?? 0) + spend,
          conversionValueMicros: (prev?.conversionValueMicros ?? 0) + revenue,
          impressions: (prev?.impressions ?? 0) + Number(r.displays),
          clicks: (prev?.clicks ?? 0) + Number(r.clicks),
          conversions: (prev?.conversions ?? 0) + Number(r.post_click_conversions),
        })
      }
      const m = new MetricsRepo(s)
      s.transaction(() => {
        m.upsert([...acc2.values()])
        m.refreshRollups(acc, '2020-04-01', '2020-06-30')
      })()
      const range = { from: '2020-04-01', to: '2020-06-30' }
      const env = await c2.dispatch('analytics:compareFormats', { workspaceId: w, range }, TEST_CALLER)
      if (!env.ok) throw new Error(env.error.message)
      const rows = (
        env.value as {
          rows: {
            format: string
            totals: { spendMicros: number; revenueMicros: number }
            kpis: { roas: number | null }
          }[]
        }
      ).rows
      expect(rows.length).toBe(direct.size)
      for (const r of rows) {
        const d = direct.get(r.format) as { spend: number; revenue: number }
        expect(r.totals.spendMicros).toBe(d.spend)
        expect(r.totals.revenueMicros).toBe(d.revenue)
        expect(r.kpis.roas).toBeCloseTo(d.revenue / d.spend, 10)
      }
      const all = await c2.dispatch('analytics:getBreakdown', { workspaceId: w, range, level: 'campaign' }, TEST_CALLER)
      if (!all.ok) throw new Error(all.error.message)
      const sum = (all.value as { rows: { totals: { spendMicros: number } }[] }).rows.reduce(
        (a, r) => a + r.totals.spendMicros,
        0,
      )
      expect(sum).toBe([...direct.values()].reduce((a, d) => a + d.spend, 0))
    } finally {
      await c2.close()
    }
  })
})
