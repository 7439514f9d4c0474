import { fromEpochDay } from '../../../../shared/domain/dates'
import type { EntityStatus, PlatformId } from '../../../../shared/domain/entities'
import { blackFriday, GROWTH_PER_YEAR, trendAt, type Calendar } from './calendar'
import type { IdFactory } from './ids'
import type { AccountModel, AdModel, AdSetModel, CampaignModel } from './model'
import { adName, campaignName, currencySymbol, headline, seasonalTheme } from './names'
import { FORMAT_FACTORS, FUNNEL_FACTORS, PLATFORM_PROFILES, type AccountSpec } from './profiles'
import { CPM_ELASTICITY, RESPONSE_SPREAD } from './dynamics'
import { hashString, Rng } from './rng'
import { TEMPLATES, type CampaignTemplate } from './templates'
import type { SimAd, SimAdSet, SimCampaign, SimConfig } from './types'

/**
 * Campaign, ad set and ad generation: lifetimes, budgets, names, creative rotation and the
 * per-ad performance parameters the row loop uses.
 */

const MICROS = 1_000_000
/** Campaigns running through the whole window started up to this many days before it. */
export const MAX_PRE_WINDOW_DAYS = 420
const BUDGET_LADDER = [
  5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 80, 100, 120, 150, 200, 250, 300, 350, 400, 500, 600, 750, 800, 1000, 1200,
  1500, 2000, 2500, 3000, 4000, 5000, 7500, 10000,
]

export interface BuildContext {
  /** Date strings for day indices -MAX_PRE_WINDOW_DAYS .. -1 (launches before the window). */
  preDates: string[]
  config: SimConfig
  cal: Calendar
  rng: Rng
  ids: IdFactory
  alwaysOn: boolean
  /** The next campaign's lifetime, when the caller decides it (churn); drawn otherwise. */
  nextLife?: Life
  out: { campaigns: SimCampaign[]; adSets: SimAdSet[]; ads: SimAd[] }
}

/**
 * An ad set's own response and its slow drift (see AdSetModel), drawn from a generator keyed by
 * the world's seed and the ad set's id, so adding it changed nothing else the world draws.
 * Curvature: e in 0.12 × [0.55, 1.45] (conversions grow like spend^0.48 .. spend^0.80), ±10-25%
 * (so spend^0.35 .. spend^0.85 at the extremes)
 * over periods of 6-18 months; saturation level ×/÷ e^0.1 .. e^0.3 over 4-12 months.
 */
function adSetResponse(
  ctx: BuildContext,
  setId: string,
): Pick<AdSetModel, 'cpmElasticity' | 'curveAmp' | 'curveFreq' | 'curvePhase' | 'refAmp' | 'refFreq' | 'refPhase'> {
  const r = new Rng(ctx.config.seed ^ hashString(`response:${setId}`))
  return {
    cpmElasticity: CPM_ELASTICITY * r.range(1 - RESPONSE_SPREAD, 1 + RESPONSE_SPREAD),
    curveAmp: r.range(0.1, 0.25),
    curveFreq: (2 * Math.PI) / r.range(180, 540),
    curvePhase: r.range(0, 2 * Math.PI),
    refAmp: r.range(0.1, 0.3),
    refFreq: (2 * Math.PI) / r.range(120, 360),
    refPhase: r.range(0, 2 * Math.PI),
  }
}

/** Date of a day index, including the pre-window days (formatting dates is slow in bulk). */
function dateAt(ctx: BuildContext, i: number): string {
  if (i >= 0) return ctx.cal.dates[i] ?? fromEpochDay(ctx.cal.startEpoch + i)
  let d = ctx.preDates[-i - 1]
  if (d === undefined) {
    d = fromEpochDay(ctx.cal.startEpoch + i)
    ctx.preDates[-i - 1] = d
  }
  return d
}

/** Nearest "round" budget in log space, as people pick budgets (never below `min`). */
function snapBudget(units: number, min: number): number {
  const target = Math.log(units)
  let best = min
  let bestDist = Math.abs(Math.log(min) - target)
  for (const b of BUDGET_LADDER) {
    if (b < min) continue
    const dist = Math.abs(Math.log(b) - target)
    if (dist < bestDist) {
      best = b
      bestDist = dist
    }
  }
  return best
}

export interface Life {
  first: number
  last: number
  /** Days the campaign had been running before the window (0 if it starts inside it). */
  pre: number
  flight: boolean
  bfcm: boolean
}

function campaignLife(ctx: BuildContext): Life {
  const { rng, cal } = ctx
  const n = cal.days
  // Always-on campaigns predate the window, so history does not open with every creative fresh.
  const pre = (): number => rng.int(30, MAX_PRE_WINDOW_DAYS)
  if (ctx.nextLife) return ctx.nextLife
  if (ctx.alwaysOn) return { first: 0, last: n - 1, pre: pre(), flight: false, bfcm: false }
  const r = rng.next()
  if (r < 0.3) return { first: 0, last: n - 1, pre: pre(), flight: false, bfcm: false }
  if (r < 0.65) {
    const first = rng.int(0, Math.max(0, n - 30))
    const last = rng.chance(0.65) ? n - 1 : Math.min(n - 1, first + rng.int(60, 300))
    return { first, last, pre: 0, flight: false, bfcm: false }
  }
  // Seasonal flight; a quarter of them are Black Friday pushes when the window has one.
  const firstYear = Number(cal.dates[0]?.slice(0, 4) ?? 0)
  const bfs = [firstYear, firstYear + 1, firstYear + 2]
    .map((y) => blackFriday(y) - cal.startEpoch)
    .filter((bf) => bf - 14 >= 0 && bf + 4 < n)
  if (bfs.length > 0 && rng.chance(0.25)) {
    const bf = rng.pick(bfs)
    return { first: bf - 14 + rng.int(0, 5), last: bf + 4, pre: 0, flight: true, bfcm: true }
  }
  const first = rng.int(0, Math.max(0, n - 14))
  return { first, last: Math.min(n - 1, first + rng.int(14, 60) - 1), pre: 0, flight: true, bfcm: false }
}

export function buildCampaign(
  ctx: BuildContext,
  spec: AccountSpec,
  acc: AccountModel,
  names: Map<string, number>,
): CampaignModel {
  const { rng, cal, ids, config } = ctx
  const n = cal.days
  const platform: PlatformId = spec.platform
  const tpl = rng.weighted(TEMPLATES[platform].map((t) => [t, t.weight] as const))
  const funnel = FUNNEL_FACTORS[tpl.funnel]
  const life = campaignLife(ctx)
  const startDate = dateAt(ctx, life.first - life.pre)
  const year = startDate.slice(0, 4)
  const theme = life.bfcm
    ? rng.pick(['Black Friday', 'BFCM', 'Cyber Week'])
    : life.flight
      ? seasonalTheme(Number(startDate.slice(5, 7)), rng.int(0, 1))
      : rng.pick(tpl.evergreen)
  const baseName = campaignName(platform, rng.pick(spec.markets), tpl.label, life.flight ? `${theme} ${year}` : theme)
  const dup = names.get(baseName) ?? 0
  names.set(baseName, dup + 1)
  const name =
    dup === 0
      ? baseName
      : platform === 'meta'
        ? `${baseName} - Copy${dup > 1 ? ` ${dup}` : ''}`
        : `${baseName} #${dup + 1}`

  const active = life.last === n - 1
  const status: EntityStatus = active ? 'active' : n - 1 - life.last > 120 && rng.chance(0.75) ? 'archived' : 'paused'
  const id = ids.object(platform, 'campaign')
  const campaignBudgets =
    platform === 'google_ads' || (platform === 'meta' && rng.chance(0.5)) || (platform === 'tiktok' && rng.chance(0.6))

  // Budgets: one campaign budget, or rounded ad-set budgets whose sum is the campaign's total.
  const setCount =
    config.adSetsPerCampaign ??
    rng.weighted([
      [2, 0.2],
      [3, 0.4],
      [4, 0.4],
    ] as const)
  const setWeights = Array.from({ length: setCount }, () => rng.logNormal(1, 0.4))
  const wTotal = setWeights.reduce((a, b) => a + b, 0)
  let budgetUnits = snapBudget(rng.logNormal(spec.budgetMedian * tpl.budgetMult, 0.6), 20)
  const setBudgets = campaignBudgets ? null : setWeights.map((w) => snapBudget((budgetUnits * w) / wTotal, 5))
  if (setBudgets !== null) budgetUnits = setBudgets.reduce((a, b) => a + b, 0)
  const budgetMicros = budgetUnits * MICROS
  const shares = setBudgets !== null ? setBudgets.map((b) => b / budgetUnits) : setWeights.map((w) => w / wTotal)

  const campaign: SimCampaign = {
    externalId: id,
    accountKey: spec.key,
    name,
    objective: tpl.objective,
    status,
    dailyBudgetMicros: campaignBudgets ? budgetMicros : null,
    startDate,
    endDate: active ? null : (cal.dates[life.last] ?? null),
  }
  ctx.out.campaigns.push(campaign)

  const baseUtil = rng.range(0.72, 0.95)
  const trendNorm = 1 / trendAt(life.last, n, GROWTH_PER_YEAR)
  const ctrFactor = rng.logNormal(1, 0.12)
  const cvrFactor = rng.logNormal(1, 0.2)
  const valueUnits =
    tpl.objective === 'leads'
      ? rng.range(18, 55)
      : tpl.objective === 'app_installs'
        ? rng.range(3, 9)
        : Math.min(140, Math.max(45, rng.logNormal(spec.aov, 0.18)))
  const acctRef = spec.budgetMedian * MICROS * 0.27
  const symbol = currencySymbol(spec.currency)
  const setNameStart = rng.int(0, tpl.adSets.length - 1)

  const adSets: AdSetModel[] = []
  for (let s = 0; s < setCount; s++) {
    const rawName = tpl.adSets[(setNameStart + s) % tpl.adSets.length] ?? 'Ad Set'
    const lap = Math.floor(s / tpl.adSets.length)
    const setName = rawName.replace('{t}', theme) + (lap > 0 ? ` ${lap + 1}` : '')
    const setId = ids.object(platform, 'adSet')
    const share = shares[s] ?? 1 / setCount
    ctx.out.adSets.push({
      externalId: setId,
      campaignExternalId: id,
      accountKey: spec.key,
      name: setName,
      status,
      dailyBudgetMicros: setBudgets !== null ? (setBudgets[s] ?? 0) * MICROS : null,
    })
    const typicalSpend = budgetMicros * share * baseUtil
    const spendRefMicros = typicalSpend ** 0.6 * acctRef ** 0.4 * funnel.depth * rng.range(0.85, 1.2)
    const ads = buildAds(ctx, spec, acc, tpl, life, {
      campaignId: id,
      campaignStatus: status,
      setId,
      setName,
      theme: life.flight ? theme : null,
      symbol,
      setSpendMicros: typicalSpend,
      ctrFactor,
      cvrFactor,
    })
    adSets.push({ id: setId, share, spendRefMicros, ads, ...adSetResponse(ctx, setId) })
  }

  return {
    key: hashString(id),
    id,
    firstDay: life.first,
    lastDay: life.last,
    budgetMicros,
    trendNorm,
    baseUtil,
    driftAmp: rng.range(0.04, 0.15),
    driftFreq: (2 * Math.PI) / rng.range(30, 120),
    driftPhase: rng.range(0, 2 * Math.PI),
    valueMicros: valueUnits * MICROS,
    adSets,
    salesLike: tpl.objective === 'sales',
    anomaly: null,
  }
}

interface SetContext {
  campaignId: string
  campaignStatus: EntityStatus
  setId: string
  setName: string
  theme: string | null
  symbol: string
  setSpendMicros: number
  ctrFactor: number
  cvrFactor: number
}

/** Launch/end days of an ad set's creatives: new ones rotate in while fatigued ones get paused. */
function adSchedule(rng: Rng, count: number, first: number, last: number, rotate: boolean): [number, number][] {
  const span = last - first + 1
  if (!rotate || span < 45) return Array.from({ length: count }, () => [first, last])
  const initial = count >= 3 ? 2 : 1
  const launches: number[] = []
  for (let k = 0; k < count; k++) launches.push(k < initial ? first : first + Math.round(span * rng.range(0.08, 0.85)))
  launches.sort((a, b) => a - b)
  // Each ad runs at least until the next one launches, so the ad set always has a live creative.
  return launches.map((launch, k) => {
    const next = launches[k + 1]
    if (next === undefined || !rng.chance(0.55)) return [launch, last]
    return [launch, Math.min(last, Math.max(next, launch) + rng.int(7, 45))]
  })
}

function buildAds(
  ctx: BuildContext,
  spec: AccountSpec,
  acc: AccountModel,
  tpl: CampaignTemplate,
  life: Life,
  set: SetContext,
): AdModel[] {
  const { rng, cal, ids, config } = ctx
  const n = cal.days
  const platform = spec.platform
  const funnel = FUNNEL_FACTORS[tpl.funnel]
  const count =
    config.adsPerAdSet ??
    rng.weighted([
      [2, 0.1],
      [3, 0.2],
      [4, 0.3],
      [5, 0.4],
    ] as const)
  const schedule = adSchedule(rng, count, life.first, life.last, !ctx.alwaysOn)
  const weights = schedule.map(() => rng.logNormal(1, 0.45))
  const ads: AdModel[] = []
  schedule.forEach(([first, last], k) => {
    const format = rng.weighted(tpl.formats)
    const fmt = FORMAT_FACTORS[format]
    const weight = weights[k] ?? 1
    const adId = ids.object(platform, 'ad')
    const creativeId = ids.object(platform, 'creative')
    // Creatives live when the window opens launched somewhere between campaign start and then.
    const launchAge = first === 0 && life.pre > 0 ? rng.int(0, life.pre) : 0
    const running = last === n - 1
    const status: EntityStatus = last === life.last ? set.campaignStatus : rng.chance(0.8) ? 'paused' : 'archived'
    ctx.out.ads.push({
      externalId: adId,
      adSetExternalId: set.setId,
      campaignExternalId: set.campaignId,
      accountKey: spec.key,
      name: adName(tpl.adStyle, format, set.setName, k + 1, rng.int(0, 1 << 20)),
      status,
      creative: {
        externalId: creativeId,
        accountKey: spec.key,
        format,
        headline: headline(spec.language, set.symbol, set.theme, rng.int(0, 1 << 20)),
        thumbnailUrl: `https://picsum.photos/seed/${creativeId}/320/320`,
      },
      launchDate: dateAt(ctx, first - launchAge),
      endDate: running && set.campaignStatus === 'active' ? null : (cal.dates[last] ?? null),
    })

    // Expected daily impressions of this creative, to express fatigue speed in days of delivery.
    let rivals = 0
    schedule.forEach(([f, l], j) => {
      if (j !== k && f <= first + 30 && l >= first) rivals += weights[j] ?? 1
    })
    const cpmMicros = spec.cpm * MICROS * funnel.cpm * fmt.cpm * rng.logNormal(1, 0.18)
    const dailyImpr =
      ((set.setSpendMicros * (weight / (weight + rivals)) * trendAt(first, n, GROWTH_PER_YEAR)) /
        trendAt(life.last, n, GROWTH_PER_YEAR) /
        cpmMicros) *
      1000
    const fatigueDays = rng.range(funnel.fatigueDays[0], funnel.fatigueDays[1])
    ads.push({
      slot: acc.adCount++,
      key: hashString(adId),
      id: adId,
      adSetId: set.setId,
      campaignId: set.campaignId,
      firstDay: first,
      lastDay: last,
      launchAge,
      weight,
      cpmMicros,
      seenAtStart: dailyImpr * launchAge * Math.exp((-GROWTH_PER_YEAR * launchAge) / 2 / 365),
      ctr: spec.ctr * funnel.ctr * fmt.ctr * set.ctrFactor * weight ** 0.25 * rng.logNormal(1, 0.15),
      cvr: spec.cvr * funnel.cvr * fmt.cvr * set.cvrFactor * rng.logNormal(1, 0.15),
      fatigueFloor: rng.range(0.5, 0.72),
      fatigueRate: 1 / Math.max(1, dailyImpr * fatigueDays),
      frequency: rng.range(funnel.frequency[0], funnel.frequency[1]),
      viewRate: format === 'video' ? Math.min(0.85, PLATFORM_PROFILES[platform].viewRate * rng.logNormal(1, 0.2)) : 0,
    })
  })
  return ads
}
