import type { SimConfig } from './types'

export { buildWorld } from './world'
export type {
  AnomalyKind,
  InjectedAnomaly,
  SimAccount,
  SimAd,
  SimAdSet,
  SimCampaign,
  SimConfig,
  SimCreative,
  SimDailyRow,
  SimWorld,
} from './types'

/** The demo workspace: 18 months of history for a mid-size D2C brand on four platforms. */
export const DEMO_CONFIG_BASE: Readonly<Pick<SimConfig, 'seed' | 'campaigns' | 'days'>> = Object.freeze({
  seed: 42,
  campaigns: 120,
  days: 548,
})

/** Demo config ending on `endDate` (usually the user's "yesterday"). */
export function demoConfig(endDate: string): SimConfig {
  return { ...DEMO_CONFIG_BASE, endDate }
}

/**
 * Benchmark config: one ad set with one ad per campaign, all delivering every day, so
 * `rows()` over all accounts yields exactly `campaigns x days` rows.
 */
export function benchConfig(endDate: string, campaigns = 10_000, days = 365, churnEveryDays?: number): SimConfig {
  return {
    seed: 42,
    campaigns,
    days,
    endDate,
    adSetsPerCampaign: 1,
    adsPerAdSet: 1,
    alwaysOn: true,
    ...(churnEveryDays ? { churnEveryDays } : {}),
  }
}
