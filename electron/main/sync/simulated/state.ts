import type { PlatformId } from '../../../../shared/domain/entities'
import { addDays } from '../../../../shared/domain/dates'
import {
  buildWorld,
  type SimAccount,
  type SimAd,
  type SimAdSet,
  type SimCampaign,
  type SimConfig,
  type SimDailyRow,
  type SimWorld,
} from '../simulator'
import { Faults, type FaultOptions } from './faults'

/** Options of the simulated platforms (all optional except the world). */
export interface SimulatedPlatformsOptions {
  /** World to serve; built from `config` when absent. */
  world?: SimWorld
  config?: SimConfig
  /** The platforms' "today" (exclusive upper bound of reported days); default the day after config.endDate. */
  asOf?: string
  /** Items per page (all platforms, or per platform); defaults: Meta 500, Google 10000, TikTok 1000, Snapchat 1000. */
  pageSize?: number | Partial<Record<PlatformId, number>>
  /** Per account key: serve the account with another currency/time zone (e.g. JPY for Meta budget tests). */
  accountOverrides?: Record<string, Partial<Pick<SimAccount, 'currency' | 'timeZone'>>>
  /** Fault injection. */
  faults?: FaultOptions
  /** Base URLs (default: the real platform URLs, so connectors run unchanged). */
  baseUrls?: Partial<Record<PlatformId, string>>
  /** OAuth token URLs for Google Ads and Snapchat (default: the real ones). */
  tokenUrls?: { google_ads?: string; snapchat?: string }
}

const DEFAULT_PAGE: Record<PlatformId, number> = { meta: 500, google_ads: 10_000, tiktok: 1000, snapchat: 1000 }

/** The fields write-backs change on an entity. */
interface SimEntityState {
  externalId: string
  status: string
  dailyBudgetMicros?: number | null
}

/** Write-backs applied to simulated platforms, as kept between processes. */
export interface SimWrittenState {
  entities: {
    kind: 'campaign' | 'adSet' | 'ad'
    externalId: string
    status: string
    dailyBudgetMicros: number | null
  }[]
  googleBudgets: [string, number][]
}

/** Meta async report run kept by the simulated Graph API. */
export interface SimReportRun {
  id: string
  accountKey: string
  from: string
  to: string
  polls: number
  fail: boolean
  /** The `fields` the run was created with (its result rows hold those). */
  fields: string | null
  /** Its action_attribution_windows ([]: each ad set's setting). */
  windows: string[]
}

/**
 * Mutable state behind the simulated platform APIs: the world, the platforms' "today", write-backs
 * (status, budgets), tokens and fault injection. Tests and the demo drive it directly.
 */
export class SimulatedState {
  readonly world: SimWorld
  readonly accounts: SimAccount[]
  readonly campaigns = new Map<string, SimCampaign>()
  readonly adSets = new Map<string, SimAdSet>()
  readonly ads = new Map<string, SimAd>()
  readonly faults: Faults
  /** Platform's "today": days before it are reported, with conversions known as of it. */
  asOf: string
  /** Google Ads budgets: budget id -> micros, and campaign id -> budget id (shared budgets). */
  readonly googleBudgets = new Map<string, number>()
  readonly googleBudgetOf = new Map<string, string>()
  /** Meta async report runs by id. */
  readonly reportRuns = new Map<string, SimReportRun>()
  /** Platforms that accept writes but do not apply them (to test read-back checks). */
  readonly ignoreWrites = new Set<PlatformId>()
  /** Write requests received per entity (`platform:externalId`; Google budgets by budget id). */
  readonly writes = new Map<string, number>()
  /** Number of requests served per platform (after faults). */
  readonly requestCount: Record<PlatformId, number> = { meta: 0, google_ads: 0, tiktok: 0, snapchat: 0 }
  private tokenEpoch = 0
  private tokenSeq = 0
  private readonly revoked = new Set<PlatformId>()
  private readonly memoCache = new Map<string, unknown>()
  private readonly pageSizes: Record<PlatformId, number>
  /** Google budgets as built (before any write). */
  private readonly builtGoogleBudgets: Map<string, number>

  constructor(opts: SimulatedPlatformsOptions) {
    if (!opts.world && !opts.config) throw new Error('createSimulatedPlatforms needs a world or a config')
    this.world = opts.world ?? buildWorld(opts.config as SimConfig)
    this.accounts = this.world.accounts.map((a) => ({ ...a, ...opts.accountOverrides?.[a.key] }))
    for (const c of this.world.campaigns) this.campaigns.set(c.externalId, { ...c })
    for (const s of this.world.adSets) this.adSets.set(s.externalId, { ...s })
    for (const a of this.world.ads) this.ads.set(a.externalId, { ...a })
    this.asOf = opts.asOf ?? addDays(this.world.config.endDate, 1)
    const ps = opts.pageSize
    this.pageSizes = {
      ...DEFAULT_PAGE,
      ...(typeof ps === 'number' ? { meta: ps, google_ads: ps, tiktok: ps, snapchat: ps } : ps),
    }
    this.faults = new Faults(opts.faults ?? {})
    for (const c of this.campaigns.values()) {
      if (this.accountByKey(c.accountKey).platform !== 'google_ads') continue
      this.googleBudgetOf.set(c.externalId, c.externalId)
      this.googleBudgets.set(c.externalId, this.googleCampaignBudget(c))
    }
    this.builtGoogleBudgets = new Map(this.googleBudgets)
  }

  /**
   * What write-backs changed (statuses, budgets, Google budgets) against the world as built, so a
   * host can keep the platforms' state between processes (the CLI's demo).
   */
  writtenState(): SimWrittenState {
    const entities: SimWrittenState['entities'] = []
    const diff = (kind: 'campaign' | 'adSet' | 'ad', now: Map<string, SimEntityState>, built: SimEntityState[]) => {
      for (const b of built) {
        const e = now.get(b.externalId)
        if (e && (e.status !== b.status || (e.dailyBudgetMicros ?? null) !== (b.dailyBudgetMicros ?? null)))
          entities.push({
            kind,
            externalId: b.externalId,
            status: e.status,
            dailyBudgetMicros: e.dailyBudgetMicros ?? null,
          })
      }
    }
    diff('campaign', this.campaigns, this.world.campaigns)
    diff('adSet', this.adSets, this.world.adSets)
    diff('ad', this.ads, this.world.ads)
    const googleBudgets = [...this.googleBudgets].filter(([id, v]) => this.builtGoogleBudgets.get(id) !== v)
    return { entities, googleBudgets }
  }

  /** Apply what `writtenState` returned (unknown entities are ignored). */
  applyWrittenState(w: SimWrittenState): void {
    const maps = { campaign: this.campaigns, adSet: this.adSets, ad: this.ads } as const
    for (const e of w.entities) {
      const x = maps[e.kind].get(e.externalId) as SimEntityState | undefined
      if (!x) continue
      x.status = e.status as typeof x.status
      if ('dailyBudgetMicros' in x) x.dailyBudgetMicros = e.dailyBudgetMicros
    }
    for (const [id, v] of w.googleBudgets) if (this.googleBudgets.has(id)) this.googleBudgets.set(id, v)
  }

  /** Count a write request for an entity (exactly-once checks of the change pipeline). */
  recordWrite(platform: PlatformId, externalId: string): void {
    const k = `${platform}:${externalId}`
    this.writes.set(k, (this.writes.get(k) ?? 0) + 1)
  }

  /** Items per page for a platform, never above what the client asked for. */
  pageSize(platform: PlatformId, requested?: number): number {
    const cap = this.pageSizes[platform]
    return requested !== undefined && requested > 0 ? Math.min(cap, requested) : cap
  }

  accountByKey(key: string): SimAccount {
    const a = this.accounts.find((x) => x.key === key)
    if (!a) throw new Error(`Unknown simulated account ${key}`)
    return a
  }

  /** Account of a platform by its platform id (Meta accepts "act_123" or "123"). */
  account(platform: PlatformId, externalId: string): SimAccount | undefined {
    return this.accounts.find(
      (a) => a.platform === platform && (a.externalId === externalId || a.externalId === `act_${externalId}`),
    )
  }

  accountsOf(platform: PlatformId): SimAccount[] {
    return this.accounts.filter((a) => a.platform === platform)
  }

  campaignsOf(accountKey: string): SimCampaign[] {
    return [...this.campaigns.values()].filter((c) => c.accountKey === accountKey)
  }

  adSetsOf(accountKey: string): SimAdSet[] {
    return [...this.adSets.values()].filter((s) => s.accountKey === accountKey)
  }

  adsOf(accountKey: string): SimAd[] {
    return [...this.ads.values()].filter((a) => a.accountKey === accountKey)
  }

  /** Daily rows of an account for [from, to] as reported on `asOf` (cached per range). */
  rows(accountKey: string, from: string, to: string): SimDailyRow[] {
    return this.memo(`rows|${accountKey}|${from}|${to}`, () => [
      ...this.world.rows(accountKey, { from, to, asOf: this.asOf }),
    ])
  }

  /**
   * Cache of a platform's encoded report for one range (keyed with `asOf`), so paging through a
   * report does not re-encode the whole range for every page.
   */
  memo<T>(key: string, make: () => T): T {
    const k = `${key}|${this.asOf}`
    if (this.memoCache.has(k)) return this.memoCache.get(k) as T
    const v = make()
    // A few entries suffice (a connector pages one range at a time) and bound the memory.
    if (this.memoCache.size >= 8) this.memoCache.delete(this.memoCache.keys().next().value as string)
    this.memoCache.set(k, v)
    return v
  }

  /** Google campaign budget: the campaign's, else the sum of its ad sets' (Google has no ad set budgets). */
  private googleCampaignBudget(c: SimCampaign): number {
    if (c.dailyBudgetMicros !== null) return c.dailyBudgetMicros
    let sum = 0
    for (const s of this.adSets.values()) if (s.campaignExternalId === c.externalId) sum += s.dailyBudgetMicros ?? 0
    return sum
  }

  /** Make the given Google campaigns share one explicitly shared budget (the first one's). */
  shareGoogleBudget(campaignIds: string[]): string {
    const first = campaignIds[0]
    if (first === undefined) throw new Error('shareGoogleBudget needs campaign ids')
    const budgetId = this.googleBudgetOf.get(first) ?? first
    for (const id of campaignIds) this.googleBudgetOf.set(id, budgetId)
    return budgetId
  }

  /** Campaigns using a Google budget. */
  googleBudgetUsers(budgetId: string): string[] {
    return [...this.googleBudgetOf.entries()].filter(([, b]) => b === budgetId).map(([c]) => c)
  }

  /** A fresh access token (OAuth refresh) or null when the platform's grant is revoked. */
  issueToken(platform: PlatformId): string | null {
    if (this.revoked.has(platform)) return null
    return `sim-${this.tokenEpoch}-${++this.tokenSeq}`
  }

  /** Whether an access token is accepted: issued tokens of the current epoch, or any static token. */
  tokenValid(platform: PlatformId, token: string | null): boolean {
    if (!token || this.revoked.has(platform)) return false
    const m = /^sim-(\d+)-\d+$/.exec(token)
    return m ? Number(m[1]) === this.tokenEpoch : true
  }

  /** Expire every issued access token (refreshable platforms get new ones on refresh). */
  expireTokens(): void {
    this.tokenEpoch++
  }

  /** Revoke a platform's grant: every call and every refresh fails with an auth error. */
  revoke(platform: PlatformId): void {
    this.revoked.add(platform)
  }

  /** Undo `revoke`. */
  restore(platform: PlatformId): void {
    this.revoked.delete(platform)
  }
}
