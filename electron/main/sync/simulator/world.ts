import { isIsoDate, toEpochDay } from '../../../../shared/domain/dates'
import { placeAnomalies } from './anomalies'
import { buildCalendar, CPM_INFLATION_PER_YEAR, GROWTH_PER_YEAR, lagCdf, trendAt, type Calendar } from './calendar'
import { buildCampaign, MAX_PRE_WINDOW_DAYS, type BuildContext } from './campaigns'
import { accountRows } from './dynamics'
import { IdFactory } from './ids'
import type { AccountModel, CampaignModel, WorldModel } from './model'
import { ACCOUNT_SPECS, PLATFORM_PROFILES, type AccountSpec } from './profiles'
import { hash3, hashString, logNoise, mix32, Rng } from './rng'
import type { SimAccount, SimConfig, SimWorld } from './types'

/**
 * Builds the simulated ad world for `config`: entities are drawn once from a seeded PRNG, daily
 * rows are generated lazily by `rows()` from per-(entity, day) hashes. Pure: same config, same
 * world, same rows.
 */
export function buildWorld(config: SimConfig): SimWorld {
  validate(config)
  const days = config.days
  const startEpoch = toEpochDay(config.endDate) - days + 1
  const cal = buildCalendar(startEpoch, days)
  const seedKey = mix32((config.noiseSeed ?? config.seed) ^ 0x2545f491)
  const rng = new Rng(config.seed)
  const ctx: BuildContext = {
    config,
    cal,
    rng,
    ids: new IdFactory(rng),
    alwaysOn: config.alwaysOn === true,
    preDates: [],
    out: { campaigns: [], adSets: [], ads: [] },
  }

  const accounts: SimAccount[] = []
  const models = new Map<string, AccountModel>()
  const counts = splitCampaigns(config.campaigns)
  ACCOUNT_SPECS.forEach((spec, idx) => {
    const account: SimAccount = {
      key: spec.key,
      platform: spec.platform,
      externalId: ctx.ids.account(spec.platform),
      name: spec.name,
      currency: spec.currency,
      timeZone: spec.timeZone,
    }
    accounts.push(account)
    const model = accountModel(account, spec, cal, seedKey)
    models.set(spec.key, model)
    const names = new Map<string, number>()
    const count = counts[idx] ?? 0
    const every = config.churnEveryDays
    if (every && ctx.alwaysOn) {
      // Half always on; each other slot is a run of campaigns, each live for `every` days.
      const kept = Math.ceil(count / 2)
      for (let k = 0; k < kept; k++) model.campaigns.push(buildCampaign(ctx, spec, model, names))
      for (let k = kept; k < count; k++)
        for (let first = 0; first < days; first += every) {
          ctx.nextLife = { first, last: Math.min(days - 1, first + every - 1), pre: 0, flight: false, bfcm: false }
          model.campaigns.push(buildCampaign(ctx, spec, model, names))
        }
      ctx.nextLife = undefined
    } else for (let k = 0; k < count; k++) model.campaigns.push(buildCampaign(ctx, spec, model, names))
  })

  const campaignsById = new Map(ctx.out.campaigns.map((c) => [c.externalId, c]))
  const anomalies = placeAnomalies(rng, cal, models, campaignsById)

  // Spend weight by ad age: a 3-day learning ramp, then platforms drift budget to newer creatives.
  const ageWeight = new Float64Array(days + MAX_PRE_WINDOW_DAYS + 1)
  for (let a = 0; a < ageWeight.length; a++) ageWeight[a] = Math.min(1, (a + 1) / 3) * (0.35 + 0.65 * Math.exp(-a / 90))
  const world: WorldModel = {
    seedKey,
    startEpoch,
    days,
    dates: cal.dates,
    ageWeight,
    learnCpm: Float64Array.from([1.3, 1.2, 1.1, 1.05]),
    accounts: models,
  }

  return {
    config: { ...config },
    accounts,
    campaigns: ctx.out.campaigns,
    adSets: ctx.out.adSets,
    ads: ctx.out.ads,
    anomalies,
    rows(accountKey, opts = {}) {
      const model = models.get(accountKey)
      if (model === undefined) throw new Error(`Unknown simulated account: ${accountKey}`)
      const budgets = opts.budgets
      const acc = budgets ? { ...model, campaigns: model.campaigns.map((c) => withBudgets(c, budgets)) } : model
      const asOf = opts.asOf !== undefined ? epochOf(opts.asOf, 'asOf') : startEpoch + days
      const lo = Math.max(0, opts.from !== undefined ? epochOf(opts.from, 'from') - startEpoch : 0)
      const hi = Math.min(
        days - 1,
        asOf - startEpoch - 1,
        opts.to !== undefined ? epochOf(opts.to, 'to') - startEpoch : days,
      )
      return accountRows(world, acc, lo, hi, asOf)
    },
  }
}

/**
 * A campaign at other daily budgets (micros): its own total by its external id, or, where budgets
 * live on its ad sets, some ad sets' budgets by theirs (the others keep theirs): the campaign's
 * total is then the ad sets' sum and each ad set spends its budget's share of it, as the world
 * was built (an ad set's share is its budget / the campaign's total).
 */
function withBudgets(c: CampaignModel, budgets: ReadonlyMap<string, number>): CampaignModel {
  const own = budgets.get(c.id)
  if (own !== undefined) return { ...c, budgetMicros: own }
  if (!c.adSets.some((s) => budgets.has(s.id))) return c
  const setBudgets = c.adSets.map((s) => budgets.get(s.id) ?? s.share * c.budgetMicros)
  const total = setBudgets.reduce((a, b) => a + b, 0)
  if (!(total > 0)) return { ...c, budgetMicros: 0 }
  return {
    ...c,
    budgetMicros: total,
    adSets: c.adSets.map((s, k) => ({ ...s, share: (setBudgets[k] as number) / total })),
  }
}

function validate(c: SimConfig): void {
  const intAtLeast = (v: number | undefined, min: number, name: string): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < min))
      throw new Error(`SimConfig.${name} must be an integer >= ${min}`)
  }
  intAtLeast(c.seed, Number.MIN_SAFE_INTEGER, 'seed')
  intAtLeast(c.noiseSeed, Number.MIN_SAFE_INTEGER, 'noiseSeed')
  intAtLeast(c.campaigns, 0, 'campaigns')
  intAtLeast(c.days, 1, 'days')
  intAtLeast(c.adSetsPerCampaign, 1, 'adSetsPerCampaign')
  intAtLeast(c.adsPerAdSet, 1, 'adsPerAdSet')
  intAtLeast(c.churnEveryDays, 1, 'churnEveryDays')
  if (!isIsoDate(c.endDate)) throw new Error(`SimConfig.endDate is not a YYYY-MM-DD date: ${c.endDate}`)
}

function epochOf(date: string, name: string): number {
  if (!isIsoDate(date)) throw new Error(`rows(): ${name} is not a YYYY-MM-DD date: ${date}`)
  return toEpochDay(date)
}

/** Largest-remainder split of the campaign count over the accounts' shares. */
function splitCampaigns(total: number): number[] {
  const raw = ACCOUNT_SPECS.map((s) => s.share * total)
  const counts = raw.map(Math.floor)
  let left = total - counts.reduce((a, b) => a + b, 0)
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (const [, i] of order) {
    if (left-- <= 0) break
    counts[i] = (counts[i] ?? 0) + 1
  }
  return counts
}

function accountModel(account: SimAccount, spec: AccountSpec, cal: Calendar, seedKey: number): AccountModel {
  const n = cal.days
  const profile = PLATFORM_PROFILES[spec.platform]
  const m: AccountModel = {
    account,
    fractional: spec.fractional,
    utilCap: profile.utilCap,
    campaigns: [],
    adCount: 0,
    spendUtil: new Float64Array(n),
    spendBoost: new Float64Array(n),
    cpm: new Float64Array(n),
    ctr: new Float64Array(n),
    cvr: new Float64Array(n),
    aov: new Float64Array(n),
    lagCdf: lagCdf(profile.lagFirstDay, profile.lagTau),
    outageFrom: -1,
    outageTo: -1,
  }
  const key = hashString(`account:${spec.key}`)
  const wd = profile.weekday
  for (let i = 0; i < n; i++) {
    const d = cal.weekday[i] ?? 0
    // Market-wide daily wiggle shared by every campaign of the account (auction pressure, demand).
    const h = hash3(seedKey, key, cal.startEpoch + i)
    m.spendUtil[i] = (wd.spend[d] ?? 1) * logNoise(mix32(h + 1), 0.03)
    m.spendBoost[i] = (cal.spend[i] ?? 1) * trendAt(i, n, GROWTH_PER_YEAR)
    m.cpm[i] =
      (cal.cpm[i] ?? 1) * (wd.cpm[d] ?? 1) * trendAt(i, n, CPM_INFLATION_PER_YEAR) * logNoise(mix32(h + 2), 0.04)
    m.ctr[i] = (cal.ctr[i] ?? 1) * (wd.ctr[d] ?? 1)
    m.cvr[i] = (cal.cvr[i] ?? 1) * (wd.cvr[d] ?? 1) * logNoise(mix32(h + 3), 0.05)
    m.aov[i] = cal.aov[i] ?? 1
  }
  return m
}
