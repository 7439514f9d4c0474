import { z } from 'zod'
import { AttributionChoicesSchema } from '../../../shared/domain/attribution'
import { apiVersionInfo, PLATFORM_APIS } from '../../../shared/domain/api-versions'
import { PLATFORMS, type PlatformId } from '../../../shared/domain/entities'
import { DEFAULT_RESTATEMENT_DAYS } from '../../../shared/domain/platforms'
import type { KvRepo } from '../store/repos/kv-repo'
import { PLATFORM_BASE_URLS, PLATFORM_TOKEN_URLS } from './connectors/defaults'
import { apiUrlProblem, originOf } from './url-policy'

/** Production API roots and token endpoints (pinned by the connectors); overridable per platform. */
export const DEFAULT_BASE_URLS: Record<PlatformId, string> = PLATFORM_BASE_URLS
export const DEFAULT_TOKEN_URLS: Partial<Record<PlatformId, string>> = PLATFORM_TOKEN_URLS

const ENV_PREFIX: Record<PlatformId, string> = {
  meta: 'ME_META',
  google_ads: 'ME_GOOGLE_ADS',
  tiktok: 'ME_TIKTOK',
  snapchat: 'ME_SNAPCHAT',
}

const UrlSchema = z.url({ protocol: /^https?$/, message: 'Use an http(s) URL' })
const PerPlatform = <T extends z.ZodType>(v: T): z.ZodObject<Record<PlatformId, z.ZodOptional<T>>> =>
  z.object(Object.fromEntries(PLATFORMS.map((p) => [p, v.optional()])) as Record<PlatformId, z.ZodOptional<T>>).strict()

/** Sync settings kept in the core's key/value table. */
const SyncConfigShape = z
  .object({
    /** Months of history pulled by the first (backfill) sync of an account. */
    backfillMonths: z.number().int().min(1).max(37),
    /** Trailing days re-pulled on every incremental sync, per platform (missing = platform default). */
    restatementDays: PerPlatform(z.number().int().min(1).max(90)),
    /** API base URL overrides (proxies, local test doubles). */
    baseUrls: PerPlatform(UrlSchema),
    /** OAuth token endpoint overrides. */
    tokenUrls: PerPlatform(UrlSchema),
    /** Advanced: a platform API version other than the current one (one the connector knows). */
    apiVersions: PerPlatform(z.string()),
    /** Attribution windows pinned where a platform's API takes them (absent: the platform's own setting). */
    attribution: AttributionChoicesSchema.default({}),
    /**
     * Developer setting: allow API and token overrides on loopback addresses (local test doubles).
     * Off by default; without it a loopback override is refused and a stored one ignored.
     */
    developerLoopbackApis: z.boolean().default(false),
  })
  .strict()
export const SyncConfigSchema = SyncConfigShape.superRefine((c, ctx) => {
  for (const p of PLATFORMS) {
    const v = c.apiVersions[p]
    if (v !== undefined && !apiVersionInfo(p, v))
      ctx.addIssue({
        code: 'custom',
        path: ['apiVersions', p],
        message: `Unknown ${p} API version ${JSON.stringify(v)}: the app speaks ${PLATFORM_APIS[p].versions.map((x) => x.version).join(', ')}`,
      })
  }
})
export type SyncConfig = z.infer<typeof SyncConfigSchema>

export const SyncConfigPatchSchema = SyncConfigShape.partial().strict()
export type SyncConfigPatch = z.infer<typeof SyncConfigPatchSchema>

export const DEFAULT_SYNC_CONFIG: SyncConfig = {
  backfillMonths: 13,
  restatementDays: {},
  baseUrls: {},
  tokenUrls: {},
  apiVersions: {},
  attribution: {},
  developerLoopbackApis: false,
}

/** A change of where a platform's credentials go (the API base or the OAuth token endpoint). */
export interface CredentialHostChange {
  platform: PlatformId
  kind: 'baseUrl' | 'tokenUrl'
  from: string | undefined
  to: string | undefined
}

const KV_KEY = 'sync.config'

/** Reads and validates sync settings; environment variables override the stored URLs. */
export class SyncConfigStore {
  constructor(
    private readonly kv: KvRepo,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Stored settings (an invalid stored value falls back to the defaults rather than breaking sync). */
  get(): SyncConfig {
    const parsed = SyncConfigSchema.safeParse({ ...DEFAULT_SYNC_CONFIG, ...this.kv.get<object>(KV_KEY, {}) })
    return parsed.success ? parsed.data : { ...DEFAULT_SYNC_CONFIG }
  }

  /** Validate and persist a partial change; returns the full settings. */
  update(patch: SyncConfigPatch): SyncConfig {
    const next = SyncConfigSchema.parse({ ...this.get(), ...patch })
    this.kv.set(KV_KEY, next)
    return next
  }

  /** Restatement window in days for a platform (account override > setting > platform default). */
  restatementDays(platform: PlatformId, accountOverride?: number | null): number {
    return accountOverride ?? this.get().restatementDays[platform] ?? DEFAULT_RESTATEMENT_DAYS[platform]
  }

  /**
   * The platform API version in use: the advanced setting, else the version an overriding base URL
   * names (".../v22"), else the platform's current version.
   */
  apiVersion(platform: PlatformId): string {
    const picked = this.get().apiVersions[platform]
    if (picked) return picked
    const override = this.env[`${ENV_PREFIX[platform]}_BASE_URL`] || this.allowed(this.get().baseUrls[platform])
    const named = override ? /\/(v\d+(?:\.\d+)?)\/?$/.exec(override)?.[1] : undefined
    return named && apiVersionInfo(platform, named) ? named : PLATFORM_APIS[platform].current
  }

  /**
   * API base URL: ME_<PLATFORM>_BASE_URL (trusted: set at start), then the stored override when the
   * URL policy allows it (https, or loopback with the developer setting), then the official URL of
   * the version in use.
   */
  baseUrl(platform: PlatformId): string {
    return (
      this.env[`${ENV_PREFIX[platform]}_BASE_URL`] ||
      this.allowed(this.get().baseUrls[platform]) ||
      PLATFORM_APIS[platform].baseUrl(this.apiVersion(platform))
    )
  }

  /** OAuth token URL: ME_<PLATFORM>_TOKEN_URL, then an allowed stored override, then the official endpoint. */
  tokenUrl(platform: PlatformId): string | undefined {
    return (
      this.env[`${ENV_PREFIX[platform]}_TOKEN_URL`] ||
      this.allowed(this.get().tokenUrls[platform]) ||
      DEFAULT_TOKEN_URLS[platform]
    )
  }

  /** Why `url` may not receive stored credentials under the current settings, or null. */
  urlProblem(url: string, developerLoopbackApis = this.get().developerLoopbackApis): string | null {
    return apiUrlProblem(url, { allowLoopback: developerLoopbackApis })
  }

  /** The overrides `next` changes against the stored settings whose host (origin) differs. */
  hostChanges(next: SyncConfig): CredentialHostChange[] {
    const cur = this.get()
    const out: CredentialHostChange[] = []
    for (const platform of PLATFORMS)
      for (const kind of ['baseUrl', 'tokenUrl'] as const) {
        const key = kind === 'baseUrl' ? 'baseUrls' : 'tokenUrls'
        const from = cur[key][platform]
        const to = next[key][platform]
        const official = kind === 'baseUrl' ? DEFAULT_BASE_URLS[platform] : DEFAULT_TOKEN_URLS[platform]
        const before = originOf(from ?? official ?? '')
        const after = originOf(to ?? official ?? '')
        if (before !== after) out.push({ platform, kind, from, to })
      }
    return out
  }

  private allowed(url: string | undefined): string | undefined {
    return url !== undefined && this.urlProblem(url) === null ? url : undefined
  }
}
