import type { SimAccount } from './types'

/**
 * Internal, pre-digested parameters the row generator reads in its hot loop. Days are indices into
 * the world window (0 = first simulated day); money is float micros until rounded on output.
 */

export interface AdModel {
  /** Position in the account's fatigue-state array. */
  readonly slot: number
  /** Hash of the external id: the entity part of the per-row noise key. */
  readonly key: number
  readonly id: string
  readonly adSetId: string
  readonly campaignId: string
  readonly firstDay: number
  readonly lastDay: number
  /** Days the ad had already been live before `firstDay` (ads that predate the window). */
  readonly launchAge: number
  /** Impressions accumulated before the window, seeding the fatigue state. */
  readonly seenAtStart: number
  /** Relative share of its ad set's spend the platform gives this creative. */
  readonly weight: number
  /** Cost per 1,000 impressions, micros. */
  readonly cpmMicros: number
  readonly ctr: number
  readonly cvr: number
  /** CTR multiplier once the audience is saturated with this creative. */
  readonly fatigueFloor: number
  /** Fatigue decay per cumulative impression. */
  readonly fatigueRate: number
  /** Impressions per reached person per day. */
  readonly frequency: number
  /** Video views per impression; 0 for non-video creatives. */
  readonly viewRate: number
}

export interface AdSetModel {
  /** External id (a counterfactual's ad-set budgets are keyed by it). */
  readonly id: string
  /** Fraction of the campaign's spend (an ad set's budget / the campaign's total when budgets live on ad sets). */
  readonly share: number
  /** Ad-set spend at which the audience is "comfortably" bought; beyond it returns diminish. */
  readonly spendRefMicros: number
  /**
   * The ad set's own response (never reported): CPM rises like spend^cpmElasticity and the marginal
   * conversion rate falls like spend^(-2 cpmElasticity), so conversions grow like
   * spend^(1 - 3 cpmElasticity). Both the curvature and the saturation level drift slowly:
   * on day i the elasticity is cpmElasticity (1 + curveAmp sin(curveFreq i + curvePhase)) and the
   * reference spend spendRefMicros exp(refAmp sin(refFreq i + refPhase)).
   */
  readonly cpmElasticity: number
  readonly curveAmp: number
  readonly curveFreq: number
  readonly curvePhase: number
  readonly refAmp: number
  readonly refFreq: number
  readonly refPhase: number
  readonly ads: readonly AdModel[]
}

export interface CampaignAnomaly {
  from: number
  to: number
  spend: number
  ctr: number
  cvr: number
}

export interface CampaignModel {
  readonly key: number
  readonly id: string
  readonly firstDay: number
  readonly lastDay: number
  /** Total daily budget (campaign budget or the sum of its ad-set budgets), micros. */
  readonly budgetMicros: number
  /** Rescales the account growth trend so spend sits under the budget at the campaign's end. */
  readonly trendNorm: number
  readonly baseUtil: number
  readonly driftAmp: number
  readonly driftFreq: number
  readonly driftPhase: number
  /** Value of one conversion (order value, lead value or install value), micros. */
  readonly valueMicros: number
  readonly adSets: readonly AdSetModel[]
  readonly salesLike: boolean
  anomaly: CampaignAnomaly | null
}

export interface AccountModel {
  readonly account: SimAccount
  readonly fractional: boolean
  readonly utilCap: number
  readonly campaigns: CampaignModel[]
  adCount: number
  /** Weekday x market-noise factor on budget utilisation (capped). */
  readonly spendUtil: Float64Array
  /** Seasonal budget boosts x growth trend (not capped). */
  readonly spendBoost: Float64Array
  readonly cpm: Float64Array
  readonly ctr: Float64Array
  readonly cvr: Float64Array
  readonly aov: Float64Array
  readonly lagCdf: Float64Array
  /** Tracking outage window (day indices); -1 when none. */
  outageFrom: number
  outageTo: number
}

export interface WorldModel {
  readonly seedKey: number
  readonly startEpoch: number
  readonly days: number
  readonly dates: readonly string[]
  /** Spend weight by ad age: learning-phase ramp, then the platform's drift to newer creatives. */
  readonly ageWeight: Float64Array
  /** CPM premium during the learning phase, by ad age. */
  readonly learnCpm: Float64Array
  readonly accounts: ReadonlyMap<string, AccountModel>
}
