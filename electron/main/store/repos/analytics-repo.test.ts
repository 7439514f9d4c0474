import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays, dateRange } from '../../../../shared/domain/dates'
import { createTestCore } from '../../test-support'
import { METRIC_KEYS } from '../../../../shared/domain/metric-keys'
import { deriveKpis, rankingValue } from '../../../../shared/domain/metrics'
import { metricOf } from '../../../../shared/domain/row-window'
import {
  AnalyticsRepo,
  archivedCampaignsSql,
  sumsToTotals,
  tableMetric,
  tableTotals,
  type CampaignSums,
  type CumPiece,
} from './analytics-repo'
import { CUM_N } from './cumulative-rollup'
import { MetricsRepo, type DailyMetricInput } from './metrics-repo'
import { lcg, seedAccount, type SeededCampaign } from './testing'

type TestCore = ReturnType<typeof createTestCore>
let core: TestCore
let accountId = 0
const ads: SeededCampaign[] = []
const START = '2026-03-01'
const DAYS = 20

beforeAll(() => {
  core = createTestCore({ startJobs: false })
  const s = core.store.sqlite
  const ws = core.workspaces.create('Rank', 'USD')
  const seeded = seedAccount(s, ws, 'r', 60)
  accountId = seeded.accountId
  ads.push(...seeded.campaigns)
  const rnd = lcg(3)
  const rows: DailyMetricInput[] = []
  ads.forEach((a, i) => {
    for (const date of dateRange(START, addDays(START, DAYS - 1))) {
      // Some campaigns share values exactly (ties rank by id); some never convert or click.
      const v = i % 7 === 0 ? 0.5 : rnd()
      rows.push({
        ...a,
        date,
        accountId,
        spendMicros: i % 11 === 0 ? 0 : Math.round(v * 5e7),
        impressions: Math.round(v * 1e4),
        clicks: i % 13 === 0 ? 0 : Math.round(v * 300),
        reach: 0,
        conversions: i % 5 === 0 ? 0 : Math.round(v * 20) / 4,
        conversionValueMicros: Math.round(v * 2e8),
        videoViews: 0,
        provisional: false,
        source: 'import',
      })
    }
  })
  const m = new MetricsRepo(s)
  s.transaction(() => {
    m.upsert(rows)
    m.refreshRollups(accountId, START, addDays(START, DAYS - 1))
  })()
})
afterAll(() => core.close())

describe('campaign range totals from the packed running totals', () => {
  it('rank every metric both ways, with any limit, as a plain sort of the summed rows', () => {
    const repo = new AnalyticsRepo(core.store.sqlite)
    const from = addDays(START, 4)
    const to = addDays(START, 15)
    // Two pieces at different rates, as a range across a month boundary with a converted currency.
    const pieces = [
      { accountId, from, to: addDays(from, 5), rate: 1.1 },
      { accountId, from: addDays(from, 6), to, rate: 0.9 },
    ]
    const direct = core.store.sqlite
      .prepare(
        `SELECT campaign_id AS id, date, spend_micros, conversion_value_micros, impressions, clicks, conversions
         FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ?`,
      )
      .all(accountId, from, to) as {
      id: number
      date: string
      spend_micros: number
      conversion_value_micros: number
      impressions: number
      clicks: number
      conversions: number
    }[]
    // Per campaign: spend and value per piece (each piece's money is converted and rounded on its own).
    const parts = new Map<
      number,
      { money: [number, number, number, number]; impressions: number; clicks: number; conversions: number }
    >()
    for (const r of direct) {
      const inFirst = r.date <= addDays(from, 5)
      const e = parts.get(r.id) ?? { money: [0, 0, 0, 0], impressions: 0, clicks: 0, conversions: 0 }
      parts.set(r.id, e)
      if (inFirst) {
        e.money[0] += r.spend_micros
        e.money[2] += r.conversion_value_micros
      } else {
        e.money[1] += r.spend_micros
        e.money[3] += r.conversion_value_micros
      }
      e.impressions += r.impressions
      e.clicks += r.clicks
      e.conversions += r.conversions
    }
    const all: CampaignSums[] = [...parts].map(([id, e]) => ({
      id,
      account_id: accountId,
      spend: Math.round(e.money[0] * 1.1) + Math.round(e.money[1] * 0.9),
      revenue: Math.round(e.money[2] * 1.1) + Math.round(e.money[3] * 0.9),
      impressions: e.impressions,
      clicks: e.clicks,
      conversions: Math.round(e.conversions * 1e6) / 1e6,
      video_views: 0,
    }))
    const nonEmpty = all.filter((r) => r.spend || r.impressions || r.revenue || r.conversions)
    expect(repo.campaignSums(pieces)).toEqual([...nonEmpty].sort((a, b) => a.id - b.id))
    for (const metric of METRIC_KEYS) {
      const f = (r: CampaignSums): number | null => rankingValue(sumsToTotals(r), metric)
      for (const order of ['top', 'bottom'] as const) {
        const sign = order === 'top' ? -1 : 1
        const sorted = nonEmpty
          .filter((r) => r.spend >= 1e6 && f(r) !== null)
          .sort((a, b) => sign * ((f(a) as number) - (f(b) as number)) || a.id - b.id)
        for (const limit of [1, 3, 7, 200]) {
          const got = repo.campaignSums(pieces, { metric, order, limit, minSpendMicros: 1e6 })
          expect(
            got.map((r) => r.id),
            `${metric} ${order} ${limit}`,
          ).toEqual(sorted.slice(0, limit).map((r) => r.id))
        }
      }
    }
  })

  it('keep to the named campaigns', () => {
    const repo = new AnalyticsRepo(core.store.sqlite)
    const ids = [ads[3]?.campaignId, ads[40]?.campaignId] as number[]
    const got = repo.campaignSums([{ accountId, from: START, to: addDays(START, DAYS - 1), rate: 1 }], {
      ids,
    })
    expect(got.map((r) => r.id)).toEqual(ids)
  })

  it('in columns: the same campaigns and sums, by id, and each metric as metricOf over the totals and their KPIs', () => {
    const repo = new AnalyticsRepo(core.store.sqlite)
    // A piece of two months (rate 1) and one at another rate, as a previous period across a month start.
    const pieces = [
      { accountId, from: addDays(START, -3), to: addDays(START, 8), rate: 1 },
      { accountId, from: addDays(START, 9), to: addDays(START, DAYS - 1), rate: 1.07 },
    ]
    const t = repo.campaignSumsTable(pieces)
    const byId = [...t.byId]
    expect(byId.map((i) => t.ids[i])).toEqual(repo.campaignSums(pieces).map((r) => r.id))
    expect(byId.map((i) => tableTotals(t.sums, i))).toEqual(repo.campaignSums(pieces).map(sumsToTotals))
    // One campaign at a time (the previous period of a window's rows): the same sums, null for the others.
    const one = repo.campaignSumsReader(pieces)
    for (const i of byId)
      expect([...(one.sums(t.ids[i] as number, accountId) ?? [])]).toEqual([...tableTotalsRow(t.sums, i)])
    expect(one.sums(-1, accountId)).toBeNull()
    expect(one.sums(t.ids[0] as number, accountId + 1)).toBeNull()
    // Rows of the seeded store, and edge rows: nothing, no clicks, no conversions, negative clicks (a refund month).
    const edge = new Float64Array([
      0, 0, 0, 0, 0, 0, 5e6, 100, 0, 0, 1e6, 0, 5e6, 0, 0, 0, 0, 0, 3e6, 40, -2, 1.5, 0, 3, -1e6, 10, 1, 0.25, 2e6, 0,
    ])
    for (const [sums, n] of [
      [t.sums, t.n],
      [edge, edge.length / 6],
    ] as const)
      for (let i = 0; i < n; i++) {
        const totals = tableTotals(sums, i)
        for (const key of METRIC_KEYS)
          expect(tableMetric(key, sums, i), `${key} of row ${i}`).toBe(metricOf(key, totals, deriveKpis(totals)))
      }
  })

  it('archived campaigns by the index on account and status (migration 0020), not a scan of every campaign', () => {
    const s = core.store.sqlite
    const plan = s.prepare(`EXPLAIN QUERY PLAN ${archivedCampaignsSql(2)}`).all(accountId, accountId + 1) as {
      detail: string
    }[]
    expect(plan.map((r) => r.detail).join('; ')).toMatch(
      /SEARCH campaigns USING COVERING INDEX campaigns_account_status_idx \(account_id=\? AND status=\?\)/,
    )
    const archived = ads.slice(0, 3).map((a) => a.campaignId)
    s.prepare(`UPDATE campaigns SET status = 'archived' WHERE id IN (${archived.join(',')})`).run()
    try {
      expect([...new AnalyticsRepo(s).archivedCampaignIds([accountId])].sort((a, b) => a - b)).toEqual(
        [...archived].sort((a, b) => a - b),
      )
    } finally {
      s.prepare(`UPDATE campaigns SET status = 'active' WHERE id IN (${archived.join(',')})`).run()
    }
  })
})

describe('campaign range totals over pieces of two months, against the daily rows', () => {
  // A: 14 campaigns with rows from 10 Feb to 5 Apr (some days missing, some only in one month,
  // refunds). B: two campaigns with ids far above the rows read, so SumSlots finds slots in its
  // map, not its dense array (dense only while maxId <= 8 * rows + 65,536).
  const FROM = '2026-02-10'
  const TO = '2026-04-05'
  const BIG = 3_000_000
  let a = 0
  let b = 0
  const idsOf = new Map<number, number[]>()
  beforeAll(() => {
    const s = core.store.sqlite
    const ws = core.workspaces.create('FebMar', 'USD')
    const sa = seedAccount(s, ws, 'fm', 14)
    a = sa.accountId
    const sb = seedAccount(s, ws, 'big', 0)
    b = sb.accountId
    const big: SeededCampaign[] = []
    for (const id of [BIG, BIG + 7]) {
      s.prepare(
        "INSERT INTO campaigns (id, account_id, external_id, name, objective, status) VALUES (?, ?, ?, 'Big', 'sales', 'active')",
      ).run(id, b, `big${id}`)
      const adSetId = Number(
        s
          .prepare(
            "INSERT INTO ad_sets (account_id, campaign_id, external_id, name, status) VALUES (?, ?, ?, 'S', 'active')",
          )
          .run(b, id, `bs${id}`).lastInsertRowid,
      )
      const adId = Number(
        s
          .prepare(
            "INSERT INTO ads (account_id, campaign_id, ad_set_id, external_id, name, status) VALUES (?, ?, ?, ?, 'Ad', 'active')",
          )
          .run(b, id, adSetId, `ba${id}`).lastInsertRowid,
      )
      big.push({ campaignId: id, adSetId, adId })
    }
    idsOf.set(
      a,
      sa.campaigns.map((c) => c.campaignId),
    )
    idsOf.set(b, [BIG, BIG + 7])
    const rnd = lcg(11)
    const rows: DailyMetricInput[] = []
    for (const [accountId, list] of [
      [a, sa.campaigns],
      [b, big],
    ] as const)
      list.forEach((c, i) => {
        for (const date of dateRange(FROM, TO)) {
          if (rnd() < 0.25) continue
          // Campaign 1 only in February, 2 only from March, 3 only in April (outside most pieces).
          if (accountId === a && i === 1 && date >= '2026-03-01') continue
          if (accountId === a && i === 2 && date < '2026-03-01') continue
          if (accountId === a && i === 3 && date < '2026-04-01') continue
          const v = rnd()
          // Odd micros, so money times 1.07 or 0.93 is rarely whole; campaign 4 is refunded through March.
          const sign = accountId === a && i === 4 && date.startsWith('2026-03') ? -1 : 1
          rows.push({
            ...c,
            date,
            accountId,
            spendMicros: sign * (Math.round(v * 3e7) * 2 + 1),
            impressions: Math.round(v * 1e4),
            clicks: Math.round(v * 200),
            reach: 0,
            conversions: Math.round(v * 40) / 8,
            conversionValueMicros: sign * (Math.round(v * 9e7) * 2 + 1),
            videoViews: Math.round(v * 50),
            provisional: false,
            source: 'import',
          })
        }
      })
    const m = new MetricsRepo(s)
    s.transaction(() => {
      m.upsert(rows)
      m.refreshRollups(a, FROM, TO)
      m.refreshRollups(b, FROM, TO)
    })()
  })

  /** The pieces' sums per campaign straight from daily_metrics: money per piece times its rate, rounded half away from zero. */
  function oracle(pieces: { accountId: number; from: string; to: string; rate: number }[]): CampaignSums[] {
    const out = new Map<number, CampaignSums>()
    const rows = core.store.sqlite.prepare(
      `SELECT campaign_id AS id, spend_micros AS spend, conversion_value_micros AS value, impressions, clicks,
              conversions, video_views FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ?`,
    )
    for (const p of pieces) {
      const money = new Map<number, [number, number]>()
      for (const r of rows.all(p.accountId, p.from, p.to) as {
        id: number
        spend: number
        value: number
        impressions: number
        clicks: number
        conversions: number
        video_views: number
      }[]) {
        const e = out.get(r.id) ?? {
          id: r.id,
          account_id: p.accountId,
          spend: 0,
          revenue: 0,
          impressions: 0,
          clicks: 0,
          conversions: 0,
          video_views: 0,
        }
        out.set(r.id, e)
        e.impressions += r.impressions
        e.clicks += r.clicks
        e.conversions += r.conversions
        e.video_views += r.video_views
        const mm = money.get(r.id) ?? [0, 0]
        money.set(r.id, mm)
        mm[0] += r.spend
        mm[1] += r.value
      }
      const halfAway = (x: number): number => (x < 0 ? -Math.round(-x) : Math.round(x))
      for (const [id, [spend, value]] of money) {
        const e = out.get(id) as CampaignSums
        e.spend += halfAway(spend * p.rate)
        e.revenue += halfAway(value * p.rate)
      }
    }
    return [...out.values()]
      .map((e) => ({ ...e, conversions: Math.round(e.conversions * 1e6) / 1e6 }))
      .filter((e) => e.spend || e.impressions || e.revenue || e.conversions)
      .sort((x, y) => x.id - y.id)
  }

  const row = (e: CampaignSums): number[] => [e.spend, e.impressions, e.clicks, e.conversions, e.revenue, e.video_views]

  it('equal the daily rows: one piece across February and March at 1.07, and pieces of several accounts, months and rates', () => {
    const repo = new AnalyticsRepo(core.store.sqlite)
    const cases = [
      // A previous period across a month start, in a converted currency.
      [{ accountId: a, from: '2026-02-20', to: '2026-03-10', rate: 1.07 }],
      // Two pieces of several months in one account (a slot's piece sums zeroed again for the
      // second), one of one month after them, and the sparse ids of account B.
      [
        { accountId: a, from: '2026-02-15', to: '2026-03-05', rate: 1.07 },
        { accountId: a, from: '2026-03-06', to: '2026-04-03', rate: 0.93 },
        { accountId: b, from: '2026-02-25', to: '2026-03-09', rate: 1.07 },
        { accountId: a, from: '2026-04-04', to: '2026-04-05', rate: 1.07 },
      ],
      // Only account B (every slot in the map), across a month start.
      [{ accountId: b, from: '2026-02-12', to: '2026-04-02', rate: 1.07 }],
    ]
    for (const pieces of cases) {
      const want = oracle(pieces)
      expect(want.length).toBeGreaterThan(0)
      expect(repo.campaignSums(pieces)).toEqual(want)
      const t = repo.campaignSumsTable(pieces)
      expect([...t.byId].map((i) => [t.ids[i], t.accountIds[i], ...tableTotalsRow(t.sums, i)])).toEqual(
        want.map((e) => [e.id, e.account_id, ...row(e)]),
      )
      const reader = repo.campaignSumsReader(pieces)
      const wantById = new Map(want.map((e) => [e.id, e]))
      for (const [accountId, ids] of idsOf)
        for (const id of ids) {
          const e = wantById.get(id)
          const got = reader.sums(id, accountId)
          expect(got && [...got], `reader: campaign ${id}`).toEqual(e ? row(e) : null)
        }
    }
    // The cases reach what they are for: rows in both months of the first piece, converted once
    // (for some campaign not the sum of its two months converted apart), a refund, the sparse ids.
    const feb = new Map(
      oracle([{ accountId: a, from: '2026-02-20', to: '2026-02-28', rate: 1.07 }]).map((e) => [e.id, e]),
    )
    const mar = oracle([{ accountId: a, from: '2026-03-01', to: '2026-03-10', rate: 1.07 }])
    const whole = new Map(oracle(cases[0] as CumPiece[]).map((e) => [e.id, e]))
    expect(mar.filter((e) => feb.has(e.id)).length).toBeGreaterThan(5)
    expect(
      mar.some((e) => feb.has(e.id) && whole.get(e.id)?.spend !== e.spend + (feb.get(e.id) as CampaignSums).spend),
    ).toBe(true)
    expect(oracle(cases[1] as CumPiece[]).some((e) => e.spend < 0)).toBe(true)
    expect(oracle(cases[2] as CumPiece[]).map((e) => e.id)).toEqual([BIG, BIG + 7])
  })
})

/** Row `i` of a CampaignSumsTable's sums. */
function tableTotalsRow(sums: Float64Array, i: number): Float64Array {
  return sums.slice(i * CUM_N, (i + 1) * CUM_N)
}
