import { describe, expect, it } from 'vitest'
import { addDays, daysBetween, toEpochDay, weekday } from '../../../../shared/domain/dates'
import { OBJECTIVES } from '../../../../shared/domain/entities'
import { relativeConversions } from './dynamics'
import { benchConfig, buildWorld, DEMO_CONFIG_BASE, demoConfig } from './index'
import type { InjectedAnomaly, SimDailyRow, SimWorld } from './types'

const END = '2025-06-30'
const START = addDays(END, -(DEMO_CONFIG_BASE.days - 1))
/** Far enough out that every late conversion has arrived. */
const FINAL = addDays(END, 60)

const world = buildWorld(demoConfig(END))
const rowCache = new Map<string, SimDailyRow[]>()

function rowsOf(w: SimWorld, key: string, opts: { from?: string; to?: string; asOf?: string } = {}): SimDailyRow[] {
  return [...w.rows(key, opts)]
}

/** All demo rows of an account with final conversions, cached across tests. */
function finalRows(key: string): SimDailyRow[] {
  let rows = rowCache.get(key)
  if (rows === undefined) {
    rows = rowsOf(world, key, { asOf: FINAL })
    rowCache.set(key, rows)
  }
  return rows
}

interface Totals {
  spend: number
  impressions: number
  clicks: number
  conversions: number
  value: number
  days: number
}

function totals(rows: readonly SimDailyRow[]): Totals {
  const t: Totals = { spend: 0, impressions: 0, clicks: 0, conversions: 0, value: 0, days: 0 }
  const days = new Set<string>()
  for (const r of rows) {
    t.spend += r.spendMicros
    t.impressions += r.impressions
    t.clicks += r.clicks
    t.conversions += r.conversions
    t.value += r.conversionValueMicros
    days.add(r.date)
  }
  t.days = days.size
  return t
}

const inRange = (r: SimDailyRow, from: string, to: string): boolean => r.date >= from && r.date <= to
const isHolidaySeason = (date: string): boolean => ['11', '12', '01'].includes(date.slice(5, 7))

describe('determinism', () => {
  it('builds the same world from the same config', () => {
    const again = buildWorld(demoConfig(END))
    const strip = (w: SimWorld): string => JSON.stringify([w.accounts, w.campaigns, w.adSets, w.ads, w.anomalies])
    expect(strip(again)).toBe(strip(world))
    expect(rowsOf(again, 'tiktok-1')).toEqual(rowsOf(world, 'tiktok-1'))
  })

  it('gives identical rows for a day whatever range is requested', () => {
    for (const account of world.accounts) {
      const wide = rowsOf(world, account.key)
      for (const day of ['2024-03-05', '2025-02-11', addDays(END, -3)]) {
        const narrow = rowsOf(world, account.key, { from: day, to: day })
        expect(narrow.length).toBeGreaterThan(0)
        expect(narrow).toEqual(wide.filter((r) => r.date === day))
      }
      const from = '2024-09-20'
      const to = '2024-10-10'
      expect(rowsOf(world, account.key, { from, to })).toEqual(wide.filter((r) => inRange(r, from, to)))
    }
  })

  it('is sensitive to the seed', () => {
    const other = buildWorld({ ...demoConfig(END), seed: 7 })
    expect(other.campaigns.map((c) => c.name)).not.toEqual(world.campaigns.map((c) => c.name))
  })

  it('changes only the luck with noiseSeed: same entities, other draws; noiseSeed = seed is the default', () => {
    const key = world.accounts[0]?.key as string
    const from = addDays(END, -13)
    const same = buildWorld({ ...demoConfig(END), noiseSeed: demoConfig(END).seed })
    expect(rowsOf(same, key, { from })).toEqual(rowsOf(world, key, { from }))
    const other = buildWorld({ ...demoConfig(END), noiseSeed: 1234 })
    expect(other.campaigns).toEqual(world.campaigns)
    expect(other.ads).toEqual(world.ads)
    const a = rowsOf(world, key, { from })
    const b = rowsOf(other, key, { from })
    expect(b.map((r) => r.adExternalId)).toEqual(a.map((r) => r.adExternalId))
    expect(b.map((r) => r.conversions)).not.toEqual(a.map((r) => r.conversions))
  })
})

describe('demo world', () => {
  it('has the demo shape', () => {
    expect(world.accounts).toHaveLength(6)
    const platforms = world.accounts.map((a) => a.platform)
    expect(new Set(platforms)).toEqual(new Set(['meta', 'google_ads', 'tiktok', 'snapchat']))
    expect(platforms.filter((p) => p === 'meta')).toHaveLength(2)
    expect(platforms.filter((p) => p === 'google_ads')).toHaveLength(2)
    expect(new Set(world.accounts.map((a) => a.currency))).toEqual(new Set(['USD', 'EUR']))
    expect(new Set(world.accounts.map((a) => a.timeZone)).size).toBe(3)
    expect(world.campaigns).toHaveLength(120)
    expect(world.ads.length).toBeGreaterThanOrEqual(1300)
    expect(world.ads.length).toBeLessThanOrEqual(1700)
    for (const c of world.campaigns) {
      const sets = world.adSets.filter((s) => s.campaignExternalId === c.externalId)
      expect(sets.length).toBeGreaterThanOrEqual(2)
      expect(sets.length).toBeLessThanOrEqual(4)
    }
    const perSet = new Map<string, number>()
    for (const a of world.ads) perSet.set(a.adSetExternalId, (perSet.get(a.adSetExternalId) ?? 0) + 1)
    expect(Math.min(...perSet.values())).toBeGreaterThanOrEqual(2)
    expect(Math.max(...perSet.values())).toBeLessThanOrEqual(5)
  })

  it('uses all formats, objectives and statuses plausibly', () => {
    const formats = world.ads.map((a) => a.creative.format)
    expect(new Set(formats)).toEqual(new Set(['image', 'video', 'carousel', 'collection']))
    const collections = world.ads.filter((a) => a.creative.format === 'collection')
    const metaKeys = new Set(world.accounts.filter((a) => a.platform === 'meta').map((a) => a.key))
    expect(collections.filter((a) => metaKeys.has(a.accountKey)).length / collections.length).toBeGreaterThan(0.6)
    for (const c of world.campaigns) expect(OBJECTIVES).toContain(c.objective)
    const statuses = world.campaigns.map((c) => c.status)
    expect(statuses.filter((s) => s === 'active').length).toBeGreaterThan(60)
    expect(statuses).toContain('paused')
    expect(statuses).toContain('archived')
    for (const a of world.ads) {
      expect(a.creative.thumbnailUrl).toBe(`https://picsum.photos/seed/${a.creative.externalId}/320/320`)
      expect(a.creative.headline.length).toBeGreaterThan(5)
    }
  })

  it('uses platform-native id shapes, unique within the world', () => {
    const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
    const idRe = {
      meta: [/^act_\d{15,16}$/, /^\d{17,18}$/],
      google_ads: [/^\d{10}$/, /^\d{9,13}$/],
      tiktok: [/^\d{16,19}$/, /^\d{16,19}$/],
      snapchat: [UUID, UUID],
    } as const
    const platformOf = new Map(world.accounts.map((a) => [a.key, a.platform]))
    for (const a of world.accounts) expect(a.externalId).toMatch(idRe[a.platform][0])
    const objects = [
      ...world.campaigns.map((c) => [c.accountKey, c.externalId] as const),
      ...world.adSets.map((s) => [s.accountKey, s.externalId] as const),
      ...world.ads.map((a) => [a.accountKey, a.externalId] as const),
      ...world.ads.map((a) => [a.accountKey, a.creative.externalId] as const),
    ]
    for (const [key, id] of objects) expect(id).toMatch(idRe[platformOf.get(key) ?? 'meta'][1])
    expect(new Set(objects.map(([, id]) => id)).size).toBe(objects.length)
  })

  it('staggers campaign lives and creative launches', () => {
    const wholeWindow = world.campaigns.filter((c) => c.startDate <= START && c.endDate === null)
    expect(wholeWindow.length).toBeGreaterThan(10)
    expect(world.campaigns.filter((c) => c.startDate > START).length).toBeGreaterThan(40)
    expect(world.campaigns.filter((c) => c.endDate !== null && c.endDate < END).length).toBeGreaterThan(20)
    expect(new Set(world.ads.map((a) => a.launchDate)).size).toBeGreaterThan(200)
    expect(world.ads.filter((a) => a.launchDate > START && a.endDate !== null).length).toBeGreaterThan(200)
  })
})

describe('row invariants', () => {
  it('holds for every demo row', () => {
    const ads = new Map(world.ads.map((a) => [a.externalId, a]))
    const campaigns = new Map(world.campaigns.map((c) => [c.externalId, c]))
    let count = 0
    for (const account of world.accounts) {
      const fractional = account.platform === 'google_ads'
      let prevDate = ''
      for (const r of rowsOf(world, account.key)) {
        count++
        const ad = ads.get(r.adExternalId)
        const campaign = campaigns.get(r.campaignExternalId)
        if (ad === undefined || campaign === undefined) throw new Error(`unknown ids in ${JSON.stringify(r)}`)
        const ok =
          r.accountKey === account.key &&
          ad.accountKey === account.key &&
          ad.adSetExternalId === r.adSetExternalId &&
          ad.campaignExternalId === r.campaignExternalId &&
          r.date >= prevDate &&
          r.date >= START &&
          r.date <= END &&
          r.date >= ad.launchDate &&
          (ad.endDate === null || r.date <= ad.endDate) &&
          r.date >= campaign.startDate &&
          (campaign.endDate === null || r.date <= campaign.endDate) &&
          r.impressions > 0 &&
          r.clicks >= 0 &&
          r.clicks <= r.impressions &&
          r.reach >= 1 &&
          r.reach <= r.impressions &&
          r.conversions >= 0 &&
          r.conversions <= r.clicks &&
          r.spendMicros > 0 &&
          r.spendMicros % 10_000 === 0 &&
          r.conversionValueMicros >= 0 &&
          r.conversionValueMicros % 10_000 === 0 &&
          (fractional
            ? Math.abs(r.conversions * 100 - Math.round(r.conversions * 100)) < 1e-6
            : Number.isInteger(r.conversions)) &&
          (ad.creative.format === 'video' ? r.videoViews <= r.impressions : r.videoViews === 0) &&
          [r.impressions, r.clicks, r.reach, r.videoViews].every(Number.isInteger)
        if (!ok) throw new Error(`invariant broken by ${JSON.stringify(r)}`)
        prevDate = r.date
      }
    }
    expect(count).toBeGreaterThan(150_000)
  })

  it('has platform-plausible ratios and spends below budget', () => {
    const salesCampaigns = new Set(world.campaigns.filter((c) => c.objective === 'sales').map((c) => c.externalId))
    for (const account of world.accounts) {
      const rows = finalRows(account.key)
      const t = totals(rows)
      expect(t.clicks / t.impressions).toBeGreaterThan(0.005)
      expect(t.clicks / t.impressions).toBeLessThan(0.025)
      expect(t.spend / t.impressions / 1000).toBeGreaterThan(4)
      expect(t.spend / t.impressions / 1000).toBeLessThan(30)
      expect(t.conversions / t.clicks).toBeGreaterThan(0.01)
      expect(t.conversions / t.clicks).toBeLessThan(0.06)
      const sales = totals(rows.filter((r) => salesCampaigns.has(r.campaignExternalId)))
      expect(sales.value / sales.conversions / 1e6).toBeGreaterThan(40)
      expect(sales.value / sales.conversions / 1e6).toBeLessThan(150)
    }
    const budgets = new Map<string, number>()
    for (const c of world.campaigns) if (c.dailyBudgetMicros !== null) budgets.set(c.externalId, c.dailyBudgetMicros)
    for (const s of world.adSets)
      if (s.dailyBudgetMicros !== null)
        budgets.set(s.campaignExternalId, (budgets.get(s.campaignExternalId) ?? 0) + s.dailyBudgetMicros)
    const from = addDays(END, -59)
    const spend = new Map<string, number>()
    for (const account of world.accounts) {
      for (const r of finalRows(account.key))
        if (r.date >= from) spend.set(r.campaignExternalId, (spend.get(r.campaignExternalId) ?? 0) + r.spendMicros)
    }
    const live = world.campaigns.filter((c) => c.endDate === null && c.startDate <= from)
    expect(live.length).toBeGreaterThan(30)
    for (const c of live) {
      const utilisation = (spend.get(c.externalId) ?? 0) / 60 / (budgets.get(c.externalId) ?? 1)
      expect(utilisation).toBeGreaterThan(0.4)
      expect(utilisation).toBeLessThan(1)
    }
  })
})

describe('late conversions', () => {
  it('arrive monotonically and settle after 28 days', () => {
    for (const key of ['meta-1', 'google-1', 'tiktok-1']) {
      const day = addDays(END, -2)
      const asOfs = [1, 2, 3, 5, 7, 14, 21, 27, 28, 29, 45].map((age) => addDays(day, age))
      const snapshots = asOfs.map((asOf) => rowsOf(world, key, { from: day, to: day, asOf }))
      const final = snapshots[snapshots.length - 1] ?? []
      const finalTotal = totals(final).conversions
      expect(finalTotal).toBeGreaterThan(20)
      snapshots.forEach((rows, k) => {
        expect(rows.map((r) => [r.adExternalId, r.spendMicros, r.clicks])).toEqual(
          final.map((r) => [r.adExternalId, r.spendMicros, r.clicks]),
        )
        const prev = snapshots[k - 1]
        if (prev !== undefined) {
          rows.forEach((r, i) => {
            expect(r.conversions).toBeGreaterThanOrEqual(prev[i]?.conversions ?? Infinity)
            expect(r.conversionValueMicros).toBeGreaterThanOrEqual(prev[i]?.conversionValueMicros ?? Infinity)
          })
        }
      })
      const dayOne = totals(snapshots[0] ?? []).conversions / finalTotal
      expect(dayOne).toBeGreaterThan(0.5)
      expect(dayOne).toBeLessThan(0.8)
      expect(snapshots[8]).toEqual(final) // age 28
      expect(totals(snapshots[5] ?? []).conversions).toBeLessThan(finalTotal) // age 14: stragglers still due
    }
  })

  it('reports as of the day after the window by default and never rows on or after asOf', () => {
    const recent = { from: addDays(END, -10) }
    expect(rowsOf(world, 'meta-2', recent)).toEqual(rowsOf(world, 'meta-2', { ...recent, asOf: addDays(END, 1) }))
    const asOf = addDays(END, -20)
    const rows = rowsOf(world, 'meta-2', { from: addDays(asOf, -5), asOf })
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every((r) => r.date < asOf)).toBe(true)
  })
})

describe('dynamics', () => {
  it('has diminishing returns to spend', () => {
    expect(relativeConversions(2)).toBeLessThan(1.7)
    expect(relativeConversions(2)).toBeGreaterThan(1.3)
    const spike = world.anomalies.find((a) => a.kind === 'spend_spike')
    if (spike === undefined) throw new Error('no spend spike')
    const [during, before] = anomalyWindows(spike)
    expect(during.spend / during.days / (before.spend / before.days)).toBeGreaterThan(2.5)
    const spendRatio = during.spend / before.spend
    const convRatio = during.conversions / before.conversions
    expect(convRatio / spendRatio).toBeLessThan(0.85)
  })

  it('gives each ad set its own response that drifts slowly, and reports none of it', () => {
    // One ad set per campaign, all live every day (the bench's shape): their conversions at 1x and
    // 2x the budget over eight weeks early and late in 400 days give each one's elasticity then.
    const w = buildWorld(benchConfig(END, 40, 400))
    const start = addDays(END, -399)
    const live = w.campaigns.slice(0, 12)
    const budgetOf = (id: string): number =>
      w.campaigns.find((c) => c.externalId === id)?.dailyBudgetMicros ??
      w.adSets.find((s) => s.campaignExternalId === id)?.dailyBudgetMicros ??
      0
    const conversions = (from: string, factor: number): Map<string, number> => {
      const budgets = new Map(live.map((c) => [c.externalId, budgetOf(c.externalId) * factor]))
      const out = new Map<string, number>()
      for (const key of new Set(live.map((c) => c.accountKey)))
        for (const r of w.rows(key, { from, to: addDays(from, 55), asOf: FINAL, budgets }))
          if (budgets.has(r.campaignExternalId))
            out.set(r.campaignExternalId, (out.get(r.campaignExternalId) ?? 0) + r.conversions)
      return out
    }
    const elasticity = (from: string): Map<string, number> => {
      const base = conversions(from, 1)
      const more = conversions(from, 2)
      return new Map(
        live.map((c) => [
          c.externalId,
          Math.log((more.get(c.externalId) ?? 0) / (base.get(c.externalId) ?? 1)) / Math.log(2),
        ]),
      )
    }
    const early = elasticity(addDays(start, 30))
    const late = elasticity(addDays(END, -80))
    const e = [...early.values()]
    // Concave everywhere, different by ad set: e = 0.12 × [0.55, 1.45] × (1 ± 0.25), conversions ~ spend^0.35..0.85.
    for (const x of [...e, ...late.values()]) {
      expect(x).toBeGreaterThan(0.3)
      expect(x).toBeLessThan(0.95)
    }
    expect(Math.max(...e) - Math.min(...e)).toBeGreaterThan(0.1)
    // And it moves within the year: most ad sets respond differently late than early.
    const moved = live.filter((c) => Math.abs((late.get(c.externalId) ?? 0) - (early.get(c.externalId) ?? 0)) > 0.02)
    expect(moved.length).toBeGreaterThan(live.length / 2)
    // The world's entities say nothing of their response: the engine has to learn it from rows.
    const keys = new Set([...w.adSets, ...w.campaigns].flatMap((x) => Object.keys(x)))
    expect([...keys].filter((k) => /elastic|spendRef|curve|response/i.test(k))).toEqual([])
  })

  it('spends a counterfactual ad-set budget on that ad set: its share of the campaign follows its budget', () => {
    // A campaign whose budgets live on its ad sets (2+ of them), live over the eight weeks read.
    const from = addDays(END, -55)
    const c = world.campaigns.find(
      (x) =>
        x.dailyBudgetMicros === null &&
        x.status === 'active' &&
        x.startDate < from &&
        world.adSets.filter((s) => s.campaignExternalId === x.externalId).length >= 2,
    )
    if (c === undefined) throw new Error('no campaign with ad-set budgets')
    const sets = world.adSets.filter((s) => s.campaignExternalId === c.externalId)
    const [first, ...others] = sets as [(typeof sets)[number], ...typeof sets]
    const spendBySet = (budgets: Map<string, number>): Map<string, number> => {
      const out = new Map<string, number>()
      for (const r of world.rows(c.accountKey, { from, to: END, asOf: FINAL, budgets }))
        if (r.campaignExternalId === c.externalId)
          out.set(r.adSetExternalId, (out.get(r.adSetExternalId) ?? 0) + r.spendMicros)
      return out
    }
    const before = spendBySet(new Map())
    // The first ad set's budget raised by half, the others unchanged.
    const after = spendBySet(new Map([[first.externalId, (first.dailyBudgetMicros ?? 0) * 1.5]]))
    expect((after.get(first.externalId) ?? 0) / (before.get(first.externalId) ?? 1)).toBeCloseTo(1.5, 1)
    for (const s of others) expect((after.get(s.externalId) ?? 0) / (before.get(s.externalId) ?? 1)).toBeCloseTo(1, 1)
    // Every ad set's budget × 2 is the campaign's total × 2: the same rows.
    const total = sets.reduce((x, s) => x + (s.dailyBudgetMicros ?? 0), 0)
    const bySets = spendBySet(new Map(sets.map((s) => [s.externalId, (s.dailyBudgetMicros ?? 0) * 2])))
    const byCampaign = spendBySet(new Map([[c.externalId, total * 2]]))
    expect([...bySets]).toEqual([...byCampaign])
  })

  it('follows platform weekday patterns', () => {
    const byWeekday = (key: string): Totals[] => {
      const groups: SimDailyRow[][] = [[], [], [], [], [], [], []]
      for (const r of finalRows(key)) if (!isHolidaySeason(r.date)) groups[weekday(r.date)]?.push(r)
      return groups.map(totals)
    }
    const google = byWeekday('google-1')
    const perDay = (ts: Totals[], days: number[]): number =>
      days.reduce((s, d) => s + (ts[d]?.clicks ?? 0) / (ts[d]?.days ?? 1), 0) / days.length
    expect(perDay(google, [1, 2, 3, 4]) / perDay(google, [0, 6])).toBeGreaterThan(1.1)
    const tiktok = byWeekday('tiktok-1')
    const ctr = (ts: Totals[], days: number[]): number =>
      days.reduce((s, d) => s + (ts[d]?.clicks ?? 0), 0) / days.reduce((s, d) => s + (ts[d]?.impressions ?? 0), 0)
    expect(ctr(tiktok, [0, 6]) / ctr(tiktok, [1, 2, 3, 4])).toBeGreaterThan(1.05)
  })

  it('peaks around Black Friday and dips in January', () => {
    const rows = finalRows('meta-1')
    const october = totals(rows.filter((r) => inRange(r, '2024-10-01', '2024-10-31')))
    const blackFriday = totals(rows.filter((r) => r.date === '2024-11-29'))
    const january = totals(rows.filter((r) => inRange(r, '2025-01-02', '2025-01-12')))
    expect(blackFriday.conversions / (october.conversions / october.days)).toBeGreaterThan(1.8)
    expect(blackFriday.spend / (october.spend / october.days)).toBeGreaterThan(1.4)
    expect(january.spend / january.impressions).toBeLessThan(october.spend / october.impressions)
  })

  it('fatigues creatives: CTR falls as an ad ages', () => {
    const launched = new Map(
      world.ads
        .filter((a) => a.launchDate > START && daysBetween(a.launchDate, a.endDate ?? END) >= 100)
        .map((a) => [a.externalId, a.launchDate]),
    )
    expect(launched.size).toBeGreaterThan(50)
    const buckets = new Map<string, [number, number, number, number]>()
    for (const account of world.accounts) {
      for (const r of finalRows(account.key)) {
        const launch = launched.get(r.adExternalId)
        if (launch === undefined) continue
        const age = daysBetween(launch, r.date)
        const b = buckets.get(r.adExternalId) ?? [0, 0, 0, 0]
        if (age < 14) {
          b[0] += r.clicks
          b[1] += r.impressions
        } else if (age >= 70 && age < 100) {
          b[2] += r.clicks
          b[3] += r.impressions
        }
        buckets.set(r.adExternalId, b)
      }
    }
    const ratios = [...buckets.values()]
      .filter(([c0, , c1]) => c0 >= 30 && c1 >= 30)
      .map(([c0, i0, c1, i1]) => c1 / i1 / (c0 / i0))
    ratios.sort((a, b) => a - b)
    expect(ratios.length).toBeGreaterThan(30)
    expect(ratios[Math.floor(ratios.length / 2)]).toBeLessThan(0.85)
  })
})

/** Totals of the anomaly's rows vs the 14 days before it (campaign- or account-scoped). */
function anomalyWindows(a: InjectedAnomaly): [Totals, Totals] {
  const rows = finalRows(a.accountKey).filter(
    (r) => a.campaignExternalId === null || r.campaignExternalId === a.campaignExternalId,
  )
  return [
    totals(rows.filter((r) => inRange(r, a.startDate, a.endDate))),
    totals(rows.filter((r) => inRange(r, addDays(a.startDate, -14), addDays(a.startDate, -1)))),
  ]
}

describe('injected anomalies', () => {
  it('are placed in the last year, apart, outside the holidays', () => {
    const kinds = world.anomalies.map((a) => a.kind)
    for (const kind of ['tracking_outage', 'spend_spike', 'cpa_jump', 'ctr_drop'] as const)
      expect(kinds).toContain(kind)
    expect(world.anomalies.length).toBeGreaterThanOrEqual(4)
    expect(new Set(world.anomalies.map((a) => a.accountKey)).size).toBe(world.anomalies.length)
    const sorted = [...world.anomalies].sort((a, b) => (a.startDate < b.startDate ? -1 : 1))
    sorted.forEach((a, i) => {
      expect(daysBetween(a.startDate, END)).toBeLessThan(366)
      expect(a.endDate >= a.startDate).toBe(true)
      expect(a.description.length).toBeGreaterThan(40)
      for (let d = a.startDate; d <= a.endDate; d = addDays(d, 1)) expect(isHolidaySeason(d)).toBe(false)
      const next = sorted[i + 1]
      if (next !== undefined) expect(next.startDate > a.endDate).toBe(true)
    })
    const outage = world.anomalies.find((a) => a.kind === 'tracking_outage')
    expect(outage?.campaignExternalId).toBeNull()
    expect(daysBetween(outage?.startDate ?? END, outage?.endDate ?? END)).toBeGreaterThanOrEqual(1)
  })

  it('show up in the rows', () => {
    for (const a of world.anomalies) {
      const [during, before] = anomalyWindows(a)
      const daily = (t: Totals, k: keyof Totals): number => (t[k] as number) / t.days
      const ctr = (t: Totals): number => t.clicks / t.impressions
      const cpa = (t: Totals): number => t.spend / t.conversions
      if (a.kind === 'tracking_outage') {
        expect(daily(during, 'conversions') / daily(before, 'conversions')).toBeLessThan(0.1)
        expect(daily(during, 'spend') / daily(before, 'spend')).toBeGreaterThan(0.7)
        expect(ctr(during) / ctr(before)).toBeGreaterThan(0.8)
      } else if (a.kind === 'spend_spike') {
        expect(daily(during, 'spend') / daily(before, 'spend')).toBeGreaterThan(2.5)
      } else if (a.kind === 'cpa_jump') {
        expect(cpa(during) / cpa(before)).toBeGreaterThan(1.5)
        expect(ctr(during) / ctr(before)).toBeGreaterThan(0.8)
      } else {
        expect(ctr(during) / ctr(before)).toBeLessThan(0.7)
      }
    }
  })
})

describe('bench config', () => {
  it('delivers every campaign on every day', () => {
    const config = benchConfig(END, 90, 30)
    expect(config).toMatchObject({ campaigns: 90, days: 30, adSetsPerCampaign: 1, adsPerAdSet: 1 })
    expect(benchConfig(END)).toMatchObject({ campaigns: 10_000, days: 365 })
    const bench = buildWorld(config)
    expect(bench.campaigns).toHaveLength(90)
    expect(bench.adSets).toHaveLength(90)
    expect(bench.ads).toHaveLength(90)
    const perCampaign = new Map<string, Set<string>>()
    let count = 0
    for (const account of bench.accounts) {
      for (const r of bench.rows(account.key)) {
        count++
        const days = perCampaign.get(r.campaignExternalId) ?? new Set<string>()
        days.add(r.date)
        perCampaign.set(r.campaignExternalId, days)
      }
    }
    expect(count).toBe(90 * 30)
    expect(perCampaign.size).toBe(90)
    for (const days of perCampaign.values()) expect(days.size).toBe(30)
  })

  it('churns: as many campaigns live every day, half of them replaced every N days', () => {
    const bench = buildWorld(benchConfig(END, 90, 30, 10))
    const perDay = new Map<string, Set<string>>()
    const perCampaign = new Map<string, Set<string>>()
    for (const account of bench.accounts)
      for (const r of bench.rows(account.key)) {
        perDay.set(r.date, (perDay.get(r.date) ?? new Set()).add(r.campaignExternalId))
        perCampaign.set(r.campaignExternalId, (perCampaign.get(r.campaignExternalId) ?? new Set()).add(r.date))
      }
    expect(perDay.size).toBe(30)
    for (const live of perDay.values()) expect(live.size).toBe(90)
    // Per account ceil(n/2) kept, the rest replaced twice over 30 days: about 90/2 + 3 x 90/2 ever seen.
    expect(bench.campaigns.length).toBe(perCampaign.size)
    expect(bench.campaigns.length).toBeGreaterThanOrEqual(175)
    expect([...perCampaign.values()].filter((d) => d.size === 10).length).toBeGreaterThanOrEqual(3 * 40)
  })

  it('builds the full bench world (its build time is measured by the store bench, not here)', () => {
    const bench = buildWorld(benchConfig(END))
    expect(bench.campaigns).toHaveLength(10_000)
    expect(toEpochDay(bench.ads[0]?.launchDate ?? END)).toBeLessThanOrEqual(toEpochDay(addDays(END, -364)))
  })
})

describe('validation', () => {
  it('rejects bad configs and unknown accounts', () => {
    expect(() => buildWorld({ ...demoConfig('2025-02-30') })).toThrow()
    expect(() => buildWorld({ ...demoConfig(END), days: 0 })).toThrow()
    expect(() => world.rows('nope')).toThrow(/Unknown simulated account/)
  })
})
