import { LAG_DAYS } from './calendar'
import type { AccountModel, WorldModel } from './model'
import { hash3, mix32, noiseTable, poisson } from './rng'
import type { SimDailyRow } from './types'

/** Money is reported to the cent. */
export const CENT_MICROS = 10_000

/**
 * Diminishing returns: buying deeper into an audience raises CPM (spend^e) and lowers the
 * conversion rate of the marginal clicks (spend^-2e), so conversions grow like spend^(1 - 3e).
 * CPM_ELASTICITY is the typical e; each ad set draws its own (RESPONSE_SPREAD around it) and its
 * e and its saturation level drift slowly (AdSetModel), so the engine has curves to learn that
 * differ by ad set and move with time. The CVR elasticity is exactly twice the CPM one so the row
 * loop derives one response from the other without a second exp().
 */
export const CPM_ELASTICITY = 0.12
export const CVR_ELASTICITY = 2 * CPM_ELASTICITY
/** Ad sets' CPM elasticities lie in CPM_ELASTICITY × [1 - RESPONSE_SPREAD, 1 + RESPONSE_SPREAD]. */
export const RESPONSE_SPREAD = 0.45

/** Expected conversions at `ratio` x an ad set's reference spend, relative to ratio 1. */
export function relativeConversions(ratio: number, cpmElasticity = CPM_ELASTICITY): number {
  return ratio ** (1 - 3 * cpmElasticity)
}

/** Share of conversions still recorded during a tracking outage. */
export const OUTAGE_LEAK = 0.02

/**
 * Imported helpers bound once: under CJS-interop loaders (tsx) every call to an imported binding
 * is a getter lookup, which costs ~10% of the row loop.
 */
const rowHash = hash3
const remix = mix32
const count = poisson

/** Quantised mean-one log-normal noise, indexed by a 10-bit hash field. */
const NOISE_UTIL = noiseTable(0.07)
const NOISE_CPM = noiseTable(0.08)
const NOISE_CTR = noiseTable(0.1)
const NOISE_FREQ = noiseTable(0.06)
const NOISE_CVR = noiseTable(0.12)
const NOISE_VALUE = noiseTable(0.12)
const NOISE_VIEWS = noiseTable(0.1)
const BIN = 1023

/**
 * Rows of one account for day indices [lo, hi], in date order, as reported on `asOfEpoch`.
 *
 * Creative fatigue depends on the impressions an ad has accumulated since launch, so days before
 * `lo` are simulated (without emitting) from the earliest launch among ads still live at `lo`;
 * every number is thus identical whatever range is requested.
 *
 * The maths runs a day at a time in a plain function; the generator only hands out the day's
 * rows, because suspending a generator saves every live local and the row maths has dozens.
 */
export function* accountRows(
  world: WorldModel,
  acc: AccountModel,
  lo: number,
  hi: number,
  asOfEpoch: number,
): Generator<SimDailyRow> {
  if (lo > hi) return
  let simFrom = lo
  for (const c of acc.campaigns) {
    if (c.firstDay >= lo || c.lastDay < lo) continue
    for (const s of c.adSets) {
      for (const a of s.ads) if (a.firstDay < simFrom && a.lastDay >= lo) simFrom = a.firstDay
    }
  }
  const seen = new Float64Array(acc.adCount)
  for (const c of acc.campaigns) for (const s of c.adSets) for (const a of s.ads) seen[a.slot] = a.seenAtStart
  const out: SimDailyRow[] = []
  for (let i = simFrom; i < lo; i++) simulateDay(world, acc, seen, i, lo, asOfEpoch, null)
  for (let i = lo; i <= hi; i++) {
    const n = simulateDay(world, acc, seen, i, lo, asOfEpoch, out)
    for (let k = 0; k < n; k++) yield out[k] as SimDailyRow
  }
}

/**
 * Simulates day `i` for every live ad of the account, advancing the fatigue state in `seen`.
 * With `out` null (warm-up before `lo`) only impressions are computed; otherwise fresh row objects
 * are written to out[0..n) and n is returned.
 */
function simulateDay(
  world: WorldModel,
  acc: AccountModel,
  seen: Float64Array,
  i: number,
  lo: number,
  asOfEpoch: number,
  out: SimDailyRow[] | null,
): number {
  const { seedKey, startEpoch, dates, ageWeight, learnCpm } = world
  const learnDays = learnCpm.length
  const accountKey = acc.account.key
  const fractional = acc.fractional
  const utilCap = acc.utilCap
  const emit = out !== null
  let n = 0
  const epoch = startEpoch + i
  const date = dates[i] ?? ''
  const age = asOfEpoch - epoch
  const lagF = age >= LAG_DAYS ? 1 : (acc.lagCdf[age] ?? 0)
  const outage = i >= acc.outageFrom && i <= acc.outageTo ? OUTAGE_LEAK : 1
  const utilDay = acc.spendUtil[i] ?? 1
  const boostDay = acc.spendBoost[i] ?? 1
  const cpmDay = acc.cpm[i] ?? 1
  const ctrDay = acc.ctr[i] ?? 1
  const cvrDay = (acc.cvr[i] ?? 1) * outage
  const aovDay = acc.aov[i] ?? 1

  for (const c of acc.campaigns) {
    if (i < c.firstDay || i > c.lastDay || (!emit && c.lastDay < lo)) continue
    const ch = rowHash(seedKey, c.key, epoch)
    let util =
      c.baseUtil * utilDay * (1 + c.driftAmp * Math.sin(c.driftFreq * i + c.driftPhase)) * (NOISE_UTIL[ch & BIN] ?? 1)
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
        if (i >= a.firstDay && i <= a.lastDay) wsum += a.weight * (ageWeight[i - a.firstDay + a.launchAge] ?? 0)
      }
      if (!(wsum > 0)) continue
      const setSpend = spend * s.share
      // The ad set's response on day i: its saturation level and curvature drift slowly.
      const lx = Math.log(setSpend / s.spendRefMicros) - s.refAmp * Math.sin(s.refFreq * i + s.refPhase)
      const cpmResp = Math.exp(s.cpmElasticity * (1 + s.curveAmp * Math.sin(s.curveFreq * i + s.curvePhase)) * lx)
      const cvrResp = 1 / (cpmResp * cpmResp)
      const perWeight = setSpend / wsum

      for (const a of s.ads) {
        if (i < a.firstDay || i > a.lastDay || (!emit && a.lastDay < lo)) continue
        const adAge = i - a.firstDay + a.launchAge
        const spendMicros = Math.round((perWeight * a.weight * (ageWeight[adAge] ?? 0)) / CENT_MICROS) * CENT_MICROS
        if (spendMicros <= 0) continue
        // One row hash plus three remixes give twelve independent 10-bit noise fields.
        const h = rowHash(seedKey, a.key, epoch)
        const learn = adAge < learnDays ? (learnCpm[adAge] ?? 1) : 1
        const cpm = a.cpmMicros * learn * cpmDay * cpmResp * (NOISE_CPM[h & BIN] ?? 1)
        const impressions = Math.floor((spendMicros * 1000) / cpm)
        if (impressions <= 0) continue
        const before = seen[a.slot] ?? 0
        seen[a.slot] = before + impressions
        if (!emit) continue

        // Fatigue: CTR decays toward a floor as this creative saturates its audience.
        const fatigue = a.fatigueFloor + (1 - a.fatigueFloor) * Math.exp(-before * a.fatigueRate)
        const h1 = remix(h + 0x9e3779b9)
        const h2 = remix(h + 0x3c6ef372)
        const ctr = a.ctr * ctrC * fatigue * (NOISE_CTR[(h >>> 10) & BIN] ?? 1)
        let clicks = count(impressions * ctr, (h >>> 20) & BIN)
        if (clicks > impressions) clicks = impressions

        const freq = a.frequency * (NOISE_FREQ[h1 & BIN] ?? 1)
        let reach = Math.round(impressions / (freq > 1 ? freq : 1))
        if (reach < 1) reach = 1
        if (reach > impressions) reach = impressions

        const lambda = clicks * a.cvr * cvrC * cvrResp * (NOISE_CVR[(h1 >>> 10) & BIN] ?? 1)
        // Final conversions in reporting units: whole conversions, or hundredths for Google's
        // fractional data-driven credit.
        const h3 = remix(h + 0xdaa66d2b)
        const converted = count(lambda, (h1 >>> 20) & BIN)
        let finalUnits = fractional ? Math.round(converted * (0.8 + (0.4 * (h2 & BIN)) / BIN) * 100) : converted
        const cap = fractional ? clicks * 100 : clicks
        if (finalUnits > cap) finalUnits = cap
        let shownUnits = finalUnits
        if (lagF < 1 && finalUnits > 0) {
          // Per-row lag shape F^k, then a dithered floor: unbiased even for 1-2 conversions,
          // monotone in age, and exact once F reaches 1 at 28 days.
          const k = 0.75 + (0.55 * ((h2 >>> 20) & BIN)) / BIN
          shownUnits = Math.floor(finalUnits * lagF ** k + ((h3 >>> 10) & BIN) / 1024)
        }
        const conversions = fractional ? shownUnits / 100 : shownUnits
        const valueRow = c.valueMicros * aovDay * (NOISE_VALUE[(h2 >>> 10) & BIN] ?? 1)
        const conversionValueMicros = Math.round((conversions * valueRow) / CENT_MICROS) * CENT_MICROS

        let videoViews = 0
        if (a.viewRate > 0) {
          videoViews = Math.round(impressions * a.viewRate * (NOISE_VIEWS[h3 & BIN] ?? 1))
          if (videoViews > impressions) videoViews = impressions
        }

        out[n++] = {
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
  return n
}
