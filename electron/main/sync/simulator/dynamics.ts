import { LAG_DAYS } from './calendar'
import type { AccountModel, WorldModel } from './model'
import { hash3, logNoise, poisson, sub, unit } from './rng'
import type { SimDailyRow } from './types'

/** Money is reported to the cent. */
export const CENT_MICROS = 10_000

/**
 * Diminishing returns: buying deeper into an audience raises CPM (spend^GAMMA) and lowers the
 * conversion rate of the marginal clicks (spend^-DELTA), so conversions grow like
 * spend^(1 - GAMMA - DELTA) ~ spend^0.66 and doubling spend yields ~1.6x conversions.
 */
export const CPM_ELASTICITY = 0.12
export const CVR_ELASTICITY = 0.22

/** Expected conversions at `ratio` x an ad set's reference spend, relative to ratio 1. */
export function relativeConversions(ratio: number): number {
  return ratio ** (1 - CPM_ELASTICITY - CVR_ELASTICITY)
}

/** Share of conversions still recorded during a tracking outage. */
export const OUTAGE_LEAK = 0.02

/** Per-row noise sub-streams (keep stable: changing them changes every number). */
const N_CPM = 1
const N_CTR = 2
const N_CLICKS = 3
const N_FREQ = 4
const N_CVR = 5
const N_CONV = 6
const N_CREDIT = 7
const N_AOV = 8
const N_LAG = 9
const N_VIEWS = 10

/**
 * Rows of one account for day indices [lo, hi], in date order, as reported on `asOfEpoch`.
 *
 * Creative fatigue depends on the impressions an ad has accumulated since launch, so days before
 * `lo` are simulated (without emitting) from the earliest launch among ads still live at `lo`;
 * every number is thus identical whatever range is requested.
 */
export function* accountRows(
  world: WorldModel,
  acc: AccountModel,
  lo: number,
  hi: number,
  asOfEpoch: number,
): Generator<SimDailyRow> {
  if (lo > hi) return
  const { seedKey, startEpoch, dates, ageWeight, learnCpm } = world
  const { spendUtil, spendBoost, cpm: dayCpm, ctr: dayCtr, cvr: dayCvr, aov: dayAov, lagCdf } = acc
  const accountKey = acc.account.key
  const fractional = acc.fractional
  const utilCap = acc.utilCap
  const learnDays = learnCpm.length
  const seen = new Float64Array(acc.adCount)

  let simFrom = lo
  for (const c of acc.campaigns) {
    if (c.firstDay >= lo || c.lastDay < lo) continue
    for (const s of c.adSets) {
      for (const a of s.ads) if (a.firstDay < simFrom && a.lastDay >= lo) simFrom = a.firstDay
    }
  }

  for (let i = simFrom; i <= hi; i++) {
    const emit = i >= lo
    const epoch = startEpoch + i
    const date = dates[i] ?? ''
    const age = asOfEpoch - epoch
    const lagF = age >= LAG_DAYS ? 1 : (lagCdf[age] ?? 0)
    const outage = i >= acc.outageFrom && i <= acc.outageTo ? OUTAGE_LEAK : 1
    const utilDay = spendUtil[i] ?? 1
    const boostDay = spendBoost[i] ?? 1
    const cpmDay = dayCpm[i] ?? 1
    const ctrDay = dayCtr[i] ?? 1
    const cvrDay = (dayCvr[i] ?? 1) * outage
    const aovDay = dayAov[i] ?? 1

    for (const c of acc.campaigns) {
      if (i < c.firstDay || i > c.lastDay || (!emit && c.lastDay < lo)) continue
      const ch = hash3(seedKey, c.key, epoch)
      let util = c.baseUtil * utilDay * (1 + c.driftAmp * Math.sin(c.driftFreq * i + c.driftPhase)) * logNoise(ch, 0.07)
      if (util > utilCap) util = utilCap
      let spend = c.budgetMicros * c.trendNorm * boostDay * util
      let ctrC = ctrDay
      let cvrC = cvrDay
      const an = c.anomaly
      if (an !== null && i >= an.from && i <= an.to) {
        spend *= an.spend
        ctrC *= an.ctr
        cvrC *= an.cvr
      }

      for (const s of c.adSets) {
        let wsum = 0
        for (const a of s.ads) {
          if (i >= a.firstDay && i <= a.lastDay) wsum += a.weight * (ageWeight[i - a.firstDay] ?? 0)
        }
        if (!(wsum > 0)) continue
        const setSpend = spend * s.share
        const lx = Math.log(setSpend / s.spendRefMicros)
        const cpmResp = Math.exp(CPM_ELASTICITY * lx)
        const cvrResp = Math.exp(-CVR_ELASTICITY * lx)
        const perWeight = setSpend / wsum

        for (const a of s.ads) {
          if (i < a.firstDay || i > a.lastDay || (!emit && a.lastDay < lo)) continue
          const adAge = i - a.firstDay
          const spendMicros = Math.round((perWeight * a.weight * (ageWeight[adAge] ?? 0)) / CENT_MICROS) * CENT_MICROS
          if (spendMicros <= 0) continue
          const h = hash3(seedKey, a.key, epoch)
          const learn = adAge < learnDays ? (learnCpm[adAge] ?? 1) : 1
          const cpm = a.cpmMicros * learn * cpmDay * cpmResp * logNoise(sub(h, N_CPM), 0.08)
          const impressions = Math.floor((spendMicros * 1000) / cpm)
          if (impressions <= 0) continue
          const before = seen[a.slot] ?? 0
          seen[a.slot] = before + impressions
          if (!emit) continue

          // Fatigue: CTR decays toward a floor as this creative saturates its audience.
          const fatigue = a.fatigueFloor + (1 - a.fatigueFloor) * Math.exp(-before * a.fatigueRate)
          const ctr = a.ctr * ctrC * fatigue * logNoise(sub(h, N_CTR), 0.1)
          let clicks = poisson(impressions * ctr, sub(h, N_CLICKS))
          if (clicks > impressions) clicks = impressions

          const freq = a.frequency * logNoise(sub(h, N_FREQ), 0.06)
          let reach = Math.round(impressions / (freq > 1 ? freq : 1))
          if (reach < 1) reach = 1
          if (reach > impressions) reach = impressions

          const lambda = clicks * a.cvr * cvrC * cvrResp * logNoise(sub(h, N_CVR), 0.12)
          // Final conversions in hundredths, so Google's fractional credit shares one code path.
          let finalCents: number
          if (fractional) {
            const credit = 0.8 + 0.4 * unit(sub(h, N_CREDIT))
            finalCents = Math.round(poisson(lambda, sub(h, N_CONV)) * credit * 100)
          } else {
            finalCents = poisson(lambda, sub(h, N_CONV)) * 100
          }
          if (finalCents > clicks * 100) finalCents = clicks * 100

          let conversions: number
          if (lagF >= 1) {
            conversions = finalCents / 100
          } else {
            // Per-row lag shape: F^k stays monotone in age and reaches exactly 1 at 28 days.
            const k = 0.75 + 0.55 * unit(sub(h, N_LAG))
            const shown = Math.floor(finalCents * lagF ** k)
            conversions = fractional ? shown / 100 : Math.floor(shown / 100)
          }
          const valueRow = c.valueMicros * aovDay * logNoise(sub(h, N_AOV), 0.12)
          const conversionValueMicros = Math.round((conversions * valueRow) / CENT_MICROS) * CENT_MICROS

          let videoViews = 0
          if (a.viewRate > 0) {
            videoViews = Math.round(impressions * a.viewRate * logNoise(sub(h, N_VIEWS), 0.1))
            if (videoViews > impressions) videoViews = impressions
          }

          yield {
            accountKey,
            adExternalId: a.id,
            adSetExternalId: a.adSetId,
            campaignExternalId: a.campaignId,
            date,
            spendMicros,
            impressions,
            clicks,
            reach,
            conversions,
            conversionValueMicros,
            videoViews,
          }
        }
      }
    }
  }
}
