import type {
  CreativeFormat,
  EntityLevel,
  EntityStatus,
  Objective,
  PlatformId,
} from '../../../../shared/domain/entities'
import type { AttributionChoices } from '../../../../shared/domain/attribution'
import type { DailyMetricValues } from '../../../../shared/domain/metrics'
import type { DailyBatch } from './daily-batch'
import type { DecodeRunner } from './page-decode'

export type { EntityLevel }

/**
 * The contract between the sync engine and the four platform connectors. Connectors speak each
 * platform's real HTTP API (endpoints, encodings, pagination, errors) and hand back normalised
 * records: ids as strings, money as integer micros of the account currency, dates as the
 * account-local `YYYY-MM-DD`.
 */

/** How a connector reaches its API: injected so tests and the demo can use simulated platforms. */
export interface ConnectorContext {
  /** `fetch` to use (global fetch in production; msw-backed in the demo and tests). */
  fetch: typeof fetch
  /** API base URL (overridable per platform: settings and ME_<PLATFORM>_BASE_URL). */
  baseUrl: string
  /**
   * The platform API version to speak (shared/domain/api-versions.ts; field names differ per version).
   * Missing: the platform's current version.
   */
  apiVersion?: string
  /** Attribution windows the user pinned where the platform takes them (shared/domain/attribution.ts). */
  attribution?: AttributionChoices
  /** OAuth token endpoint where the platform has one (Google, Snapchat). */
  tokenUrl?: string
  credentials: Record<string, string>
  signal?: AbortSignal
  /** Retry policy; tests shrink the delays. */
  retry?: RetryPolicy
  /** Called before each retry, for logs and progress messages. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void
  /**
   * Called when the platform asks for a wait longer than a retry may take (Meta's
   * `estimated_time_to_regain_access`, Retry-After, Google's retryDelay) and the request waits
   * for it: `untilMs` is when the request is sent again.
   */
  onWait?: (info: { untilMs: number; delayMs: number; reason: string }) => void
  /**
   * Longest platform-given wait a request sits out (default THROTTLE_WAIT_MAX_MS, one hour); a
   * longer one fails the request with the time the platform gave.
   */
  maxThrottleWaitMs?: number
  /** How waits happen (tests record them instead of sleeping). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  now?: () => Date
  /**
   * Called when the platform rotated a credential (e.g. Snapchat returns a new refresh token on
   * refresh): the engine should persist the changed keys.
   */
  onCredentialsChanged?: (changed: Record<string, string>) => void | Promise<void>
  /**
   * Where daily report pages are decoded: 'worker' (default) on the decode pool's worker threads,
   * 'inline' on the calling thread (tests, diagnostics). Both give identical batches and errors.
   */
  decodeMode?: 'worker' | 'inline'
  /** The core's decode pool (the core's connector service passes it); without one, pages decode inline. */
  decoder?: DecodeRunner
}

export interface RetryPolicy {
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
  /** Per-request timeout. */
  timeoutMs: number
}

export interface RemoteAccount {
  externalId: string
  name: string
  currency: string
  timeZone: string
  /** Platform status mapped to ours. */
  status: 'active' | 'disabled'
}

export interface RemoteCampaign {
  externalId: string
  name: string
  objective: Objective
  status: EntityStatus
  dailyBudgetMicros: number | null
  startDate: string | null
  endDate: string | null
}

export interface RemoteAdSet {
  externalId: string
  campaignExternalId: string
  name: string
  status: EntityStatus
  dailyBudgetMicros: number | null
}

export interface RemoteAd {
  externalId: string
  adSetExternalId: string
  campaignExternalId: string
  name: string
  status: EntityStatus
  creative: {
    externalId: string
    format: CreativeFormat
    headline: string | null
    thumbnailUrl: string | null
  }
  launchDate: string | null
}

/** One ad-day, normalised. */
export interface RemoteDailyRow extends DailyMetricValues {
  adExternalId: string
  adSetExternalId: string
  campaignExternalId: string
  /** Account-local date. */
  date: string
}

/** The writable state of one entity as the platform reports it now. */
export interface EntityState {
  status: EntityStatus
  /** The entity's own daily budget; null when it has none (lifetime budget, budget on the parent). */
  dailyBudgetMicros: number | null
}

/** Result of a write-back, read back from the platform after writing. */
export interface WriteResult {
  level: EntityLevel
  externalId: string
  before: { status?: EntityStatus; dailyBudgetMicros?: number | null }
  after: { status?: EntityStatus; dailyBudgetMicros?: number | null }
  /** e.g. "Budget is shared by 3 campaigns" (Google shared budgets). */
  warnings: string[]
}

/** Error classes the sync engine acts on. */
export type ConnectorErrorKind =
  | 'auth' // token expired/revoked: stop the account, "needs reconnect"
  | 'permission' // no access to this account/object
  | 'rate_limit' // retried with backoff; surfaced when retries are exhausted
  | 'transient' // 5xx, timeouts, is_transient: retried
  | 'too_large' // request too large: split the range / halve the window
  | 'invalid_response' // malformed or truncated body
  | 'bad_request' // our request was wrong: not retried

export class ConnectorError extends Error {
  constructor(
    readonly kind: ConnectorErrorKind,
    readonly platform: PlatformId,
    message: string,
    readonly detail: { status?: number; code?: string | number; retryAfterMs?: number } = {},
  ) {
    super(message)
    this.name = 'ConnectorError'
  }
}

export interface Connector {
  platform: PlatformId
  /** Accounts the credentials can reach (optionally restricted to the given ids). */
  listAccounts(ids?: string[]): Promise<RemoteAccount[]>
  listCampaigns(account: RemoteAccount): Promise<RemoteCampaign[]>
  listAdSets(account: RemoteAccount): Promise<RemoteAdSet[]>
  listAds(account: RemoteAccount): Promise<RemoteAd[]>
  /**
   * Daily ad-level rows for [from, to] (account-local dates, inclusive), yielded as one columnar
   * batch per report page or stream response (never empty). Every ad-day with delivery in the
   * range is yielded exactly once.
   */
  fetchDaily(account: RemoteAccount, from: string, to: string): AsyncGenerator<DailyBatch>
  /** Largest date window per request this platform accepts for daily ad-level stats. */
  maxWindowDays: number
  /**
   * Read one entity's status and own daily budget (no write). The change pipeline reads before a
   * write (already at the target: no write) and after a crash (did the write land?).
   */
  readState(account: RemoteAccount, level: EntityLevel, externalId: string): Promise<EntityState>
  setStatus(
    account: RemoteAccount,
    level: EntityLevel,
    externalId: string,
    status: 'active' | 'paused',
  ): Promise<WriteResult>
  setDailyBudget(
    account: RemoteAccount,
    level: 'campaign' | 'ad_set',
    externalId: string,
    micros: number,
  ): Promise<WriteResult>
}
