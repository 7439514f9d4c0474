import type { CreativeFormat, PlatformId } from '../../../../shared/domain/entities'

/**
 * Calibration constants. Base rates are account-level medians before creative fatigue (which
 * takes ~20-30% off CTR over an ad's life), so reported averages land a bit below them.
 */

export interface WeekdayShape {
  /** Sunday first. */
  spend: readonly number[]
  cpm: readonly number[]
  ctr: readonly number[]
  cvr: readonly number[]
}

export interface PlatformProfile {
  weekday: WeekdayShape
  /** Share of a day's final conversions already reported the next day. */
  lagFirstDay: number
  /** Time constant (days) of the late-conversion tail. */
  lagTau: number
  /** Max daily spend / budget before seasonal budget boosts (Google may overdeliver). */
  utilCap: number
  /** Video views per impression for video creatives (platform view definitions differ). */
  viewRate: number
}

export const PLATFORM_PROFILES: Record<PlatformId, PlatformProfile> = {
  meta: {
    // Feed shopping peaks Sunday/Monday; weekend auctions are a little cheaper.
    weekday: {
      spend: [1.02, 1.0, 0.99, 0.99, 0.99, 1.0, 1.01],
      cpm: [0.95, 1.03, 1.02, 1.01, 1.0, 0.99, 0.94],
      ctr: [1.05, 0.99, 0.98, 0.98, 0.99, 1.0, 1.03],
      cvr: [1.08, 1.06, 1.01, 0.98, 0.96, 0.93, 0.97],
    },
    lagFirstDay: 0.72,
    lagTau: 3,
    utilCap: 1.0,
    viewRate: 0.26,
  },
  google_ads: {
    // Search volume follows the work week; Saturday is the trough.
    weekday: {
      spend: [0.86, 1.07, 1.06, 1.05, 1.02, 0.95, 0.82],
      cpm: [0.95, 1.04, 1.03, 1.02, 1.01, 0.98, 0.94],
      ctr: [0.94, 1.04, 1.03, 1.02, 1.01, 0.98, 0.93],
      cvr: [0.92, 1.08, 1.06, 1.03, 1.0, 0.94, 0.88],
    },
    lagFirstDay: 0.62,
    lagTau: 6,
    utilCap: 1.1,
    viewRate: 0.21,
  },
  tiktok: {
    // Leisure scrolling: weekends bring more and more engaged sessions.
    weekday: {
      spend: [1.09, 0.95, 0.95, 0.96, 0.98, 1.03, 1.11],
      cpm: [1.04, 0.97, 0.97, 0.98, 0.99, 1.02, 1.05],
      ctr: [1.09, 0.95, 0.95, 0.96, 0.98, 1.02, 1.11],
      cvr: [1.03, 0.98, 0.98, 0.99, 1.0, 1.0, 1.02],
    },
    lagFirstDay: 0.7,
    lagTau: 2.5,
    utilCap: 1.0,
    viewRate: 0.34,
  },
  snapchat: {
    weekday: {
      spend: [1.1, 0.95, 0.95, 0.96, 0.98, 1.04, 1.12],
      cpm: [1.03, 0.98, 0.98, 0.98, 0.99, 1.02, 1.04],
      ctr: [1.1, 0.95, 0.95, 0.96, 0.98, 1.03, 1.12],
      cvr: [1.04, 0.98, 0.98, 0.98, 0.99, 1.01, 1.04],
    },
    lagFirstDay: 0.66,
    lagTau: 3,
    utilCap: 1.0,
    viewRate: 0.42,
  },
}

export type Funnel = 'prospecting' | 'retargeting' | 'brand' | 'awareness' | 'traffic' | 'leads' | 'app'

export interface FunnelFactors {
  ctr: number
  cvr: number
  cpm: number
  /** Days of an ad's typical delivery until CTR has decayed by 1/e of the way to its floor. */
  fatigueDays: readonly [number, number]
  /** Impressions per person per day. */
  frequency: readonly [number, number]
  /** Audience depth: <1 saturates (diminishing returns) at lower spend. */
  depth: number
}

export const FUNNEL_FACTORS: Record<Funnel, FunnelFactors> = {
  prospecting: { ctr: 1, cvr: 1, cpm: 1, fatigueDays: [28, 75], frequency: [1.08, 1.3], depth: 1 },
  retargeting: { ctr: 1.35, cvr: 1.9, cpm: 1.35, fatigueDays: [12, 30], frequency: [1.3, 1.7], depth: 0.5 },
  brand: { ctr: 1.6, cvr: 1.7, cpm: 1.3, fatigueDays: [120, 240], frequency: [1.05, 1.2], depth: 0.6 },
  awareness: { ctr: 0.5, cvr: 0.45, cpm: 0.6, fatigueDays: [25, 60], frequency: [1.02, 1.12], depth: 1.5 },
  traffic: { ctr: 1.25, cvr: 0.55, cpm: 0.85, fatigueDays: [25, 60], frequency: [1.05, 1.25], depth: 1.2 },
  leads: { ctr: 1.0, cvr: 1.2, cpm: 1.05, fatigueDays: [25, 60], frequency: [1.08, 1.3], depth: 0.8 },
  app: { ctr: 1.1, cvr: 1.3, cpm: 0.9, fatigueDays: [25, 60], frequency: [1.05, 1.25], depth: 1 },
}

export const FORMAT_FACTORS: Record<CreativeFormat, { ctr: number; cvr: number; cpm: number }> = {
  image: { ctr: 1, cvr: 1, cpm: 1 },
  video: { ctr: 0.9, cvr: 0.95, cpm: 0.95 },
  carousel: { ctr: 1.15, cvr: 1.02, cpm: 1.02 },
  collection: { ctr: 1.1, cvr: 1.12, cpm: 1.05 },
}

export interface AccountSpec {
  key: string
  platform: PlatformId
  name: string
  currency: string
  timeZone: string
  /** Share of the configured campaigns. */
  share: number
  /** Country/market prefix used in campaign names. */
  markets: readonly string[]
  language: 'en' | 'de'
  /** Median campaign daily budget in currency units. */
  budgetMedian: number
  cpm: number
  ctr: number
  cvr: number
  aov: number
  /** Google's data-driven attribution reports fractional conversions. */
  fractional: boolean
}

export const ACCOUNT_SPECS: readonly AccountSpec[] = [
  {
    key: 'meta-1',
    platform: 'meta',
    name: 'Alder & Pine US',
    currency: 'USD',
    timeZone: 'America/Los_Angeles',
    share: 0.25,
    markets: ['US'],
    language: 'en',
    budgetMedian: 250,
    cpm: 12.5,
    ctr: 0.016,
    cvr: 0.03,
    aov: 92,
    fractional: false,
  },
  {
    key: 'meta-2',
    platform: 'meta',
    name: 'Alder & Pine Europe',
    currency: 'EUR',
    timeZone: 'Europe/Berlin',
    share: 0.17,
    markets: ['DE', 'DE', 'FR', 'NL', 'EU'],
    language: 'en',
    budgetMedian: 140,
    cpm: 9.5,
    ctr: 0.015,
    cvr: 0.027,
    aov: 78,
    fractional: false,
  },
  {
    key: 'google-1',
    platform: 'google_ads',
    name: 'Alder & Pine US – Google Ads',
    currency: 'USD',
    timeZone: 'America/New_York',
    share: 0.21,
    markets: ['US'],
    language: 'en',
    budgetMedian: 220,
    cpm: 21,
    ctr: 0.022,
    cvr: 0.04,
    aov: 96,
    fractional: true,
  },
  {
    key: 'google-2',
    platform: 'google_ads',
    name: 'Alder & Pine DE – Google Ads',
    currency: 'EUR',
    timeZone: 'Europe/Berlin',
    share: 0.13,
    markets: ['DE'],
    language: 'de',
    budgetMedian: 110,
    cpm: 16.5,
    ctr: 0.021,
    cvr: 0.037,
    aov: 82,
    fractional: true,
  },
  {
    key: 'tiktok-1',
    platform: 'tiktok',
    name: 'Alder & Pine TikTok US',
    currency: 'USD',
    timeZone: 'America/Los_Angeles',
    share: 0.13,
    markets: ['US'],
    language: 'en',
    budgetMedian: 180,
    cpm: 8,
    ctr: 0.0135,
    cvr: 0.018,
    aov: 68,
    fractional: false,
  },
  {
    key: 'snapchat-1',
    platform: 'snapchat',
    name: 'Alder & Pine Snapchat US',
    currency: 'USD',
    timeZone: 'America/New_York',
    share: 0.11,
    markets: ['US'],
    language: 'en',
    budgetMedian: 120,
    cpm: 5.8,
    ctr: 0.0095,
    cvr: 0.015,
    aov: 64,
    fractional: false,
  },
]
