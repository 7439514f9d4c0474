import type { CreativeFormat, EntityStatus, Objective, PlatformId } from '../../../../shared/domain/entities'
import type { DailyMetricValues } from '../../../../shared/domain/metrics'

/**
 * The deterministic ad-world simulator. It is the demo workspace's data source today and, in the
 * sync issue, the backing store of the simulated platform APIs. Everything is a pure function of
 * the config (same seed -> same world, same rows).
 */
export interface SimConfig {
  /** PRNG seed; the demo uses 42. */
  seed: number
  /**
   * Seed of the luck only (per-row noise, Poisson draws, the accounts' daily market wiggle); the
   * entities and their true response stay those of `seed`. Default: `seed`. The recommend bench
   * uses it to tell an allocation that knows the true curves from one that knows the next 28
   * days' draws.
   */
  noiseSeed?: number
  /** Total campaigns across all accounts (demo ~120, bench 10,000). */
  campaigns: number
  /** Number of days of history, ending on `endDate` inclusive. */
  days: number
  /** Last simulated account-local date (`YYYY-MM-DD`), usually "yesterday". */
  endDate: string
  /** Ad sets per campaign (default: 2-4 demo-sized, drawn per campaign). */
  adSetsPerCampaign?: number
  /** Ads per ad set (default: 2-5 drawn per ad set). */
  adsPerAdSet?: number
  /**
   * Benchmark shape: every campaign, ad set and ad delivers on every day of the window (no
   * flights, no creative rotation). Default false.
   */
  alwaysOn?: boolean
  /**
   * Benchmark churn (with `alwaysOn`): half of each account's campaigns run the whole window, the
   * other half are replaced every this many days (each replacement a new campaign, ad set and ad),
   * so as many campaigns are live on every day as without churn but many more are ever seen.
   */
  churnEveryDays?: number
}

export interface SimAccount {
  /** Stable local key, e.g. "meta-1". */
  key: string
  platform: PlatformId
  /** Platform-native id as a string (Meta "act_123...", Google "1234567890", ...). */
  externalId: string
  name: string
  /** ISO 4217 code: the demo uses USD and EUR. */
  currency: string
  /** IANA zone, e.g. "America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo". */
  timeZone: string
}

export interface SimCampaign {
  externalId: string
  accountKey: string
  name: string
  objective: Objective
  status: EntityStatus
  /** Daily budget in micros of the account currency (null when budgets live on ad sets). */
  dailyBudgetMicros: number | null
  /** First and last account-local date with delivery (inclusive). */
  startDate: string
  endDate: string | null
}

export interface SimAdSet {
  externalId: string
  campaignExternalId: string
  accountKey: string
  name: string
  status: EntityStatus
  dailyBudgetMicros: number | null
}

export interface SimCreative {
  externalId: string
  accountKey: string
  format: CreativeFormat
  headline: string
  thumbnailUrl: string
}

export interface SimAd {
  externalId: string
  adSetExternalId: string
  campaignExternalId: string
  accountKey: string
  name: string
  status: EntityStatus
  creative: SimCreative
  /** Account-local launch date. */
  launchDate: string
  /** Last date with delivery, or null while running. */
  endDate: string | null
}

/** One ad-day as the platform reports it on `asOf` (late conversions not yet arrived are missing). */
export interface SimDailyRow extends DailyMetricValues {
  accountKey: string
  adExternalId: string
  adSetExternalId: string
  campaignExternalId: string
  /** Account-local date. */
  date: string
}

export type AnomalyKind = 'tracking_outage' | 'spend_spike' | 'cpa_jump' | 'ctr_drop'

/** Ground truth for anomaly detection tests: what the simulator injected and where. */
export interface InjectedAnomaly {
  kind: AnomalyKind
  accountKey: string
  /** null when the anomaly affects the whole account. */
  campaignExternalId: string | null
  startDate: string
  endDate: string
  /** The metric the anomaly shows up in. */
  metric: 'spend' | 'conversions' | 'cpa' | 'ctr' | 'roas'
  description: string
}

export interface SimWorld {
  config: SimConfig
  accounts: SimAccount[]
  campaigns: SimCampaign[]
  adSets: SimAdSet[]
  ads: SimAd[]
  anomalies: InjectedAnomaly[]
  /**
   * Daily rows for one account, in date order, as reported on `asOf` (default: the day after
   * `config.endDate`, i.e. the latest conversions lag). Only ad-days with delivery are yielded.
   * Optional date bounds restrict the output (inclusive).
   */
  rows(
    accountKey: string,
    opts?: {
      from?: string
      to?: string
      asOf?: string
      /**
       * Daily budgets (micros) by campaign or ad-set external id replacing the simulated ones for
       * the whole window: what would have happened at other budgets (the recommend bench's
       * counterfactuals). An ad set's budget sets its share of its campaign's spend, the ad sets'
       * sum the campaign's total (campaigns whose budgets live on their ad sets).
       */
      budgets?: ReadonlyMap<string, number>
    },
  ): Generator<SimDailyRow>
}
