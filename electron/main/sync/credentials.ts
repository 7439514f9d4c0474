import { z } from 'zod'
import type { PlatformId } from '../../../shared/domain/entities'
import type { SecretStore } from '../platform/types'

const secret = (what: string): z.ZodString => z.string().trim().min(8, `${what} looks too short`)
const idList = (what: string): z.ZodArray<z.ZodString> =>
  z.array(z.string().trim().min(1)).min(1, `List at least one ${what}`).max(200)

/** Meta: a system-user or long-lived user token plus the ad account ids (act_ prefix optional). */
export const MetaCredentialsSchema = z
  .object({
    platform: z.literal('meta'),
    accessToken: secret('The access token'),
    accountIds: idList('ad account id').transform((ids) => ids.map((i) => (i.startsWith('act_') ? i : `act_${i}`))),
  })
  .strict()

/** Google Ads: developer token + OAuth client and refresh token; customer ids are digits only. */
export const GoogleCredentialsSchema = z
  .object({
    platform: z.literal('google_ads'),
    developerToken: secret('The developer token'),
    clientId: z.string().trim().min(1, 'The OAuth client id is required'),
    clientSecret: z.string().trim().min(1, 'The OAuth client secret is required'),
    refreshToken: secret('The refresh token'),
    loginCustomerId: z
      .string()
      .trim()
      .transform((s) => s.replace(/-/g, ''))
      .pipe(z.string().regex(/^\d{10}$/, 'The login customer id has 10 digits'))
      .optional(),
    customerIds: idList('customer id').transform((ids) => ids.map((i) => i.replace(/-/g, ''))),
  })
  .strict()

/** TikTok: a long-term advertiser access token and the advertiser ids. */
export const TiktokCredentialsSchema = z
  .object({
    platform: z.literal('tiktok'),
    accessToken: secret('The access token'),
    advertiserIds: idList('advertiser id'),
  })
  .strict()

/** Snapchat: OAuth client id/secret, a refresh token and the ad account ids. */
export const SnapchatCredentialsSchema = z
  .object({
    platform: z.literal('snapchat'),
    clientId: z.string().trim().min(1, 'The client id is required'),
    clientSecret: z.string().trim().min(1, 'The client secret is required'),
    refreshToken: secret('The refresh token'),
    adAccountIds: idList('ad account id'),
  })
  .strict()

export const CredentialsSchema = z.discriminatedUnion('platform', [
  MetaCredentialsSchema,
  GoogleCredentialsSchema,
  TiktokCredentialsSchema,
  SnapchatCredentialsSchema,
])
export type Credentials = z.infer<typeof CredentialsSchema>
export type CredentialsInput = z.input<typeof CredentialsSchema>

/** The account ids a connection was created for. */
export function accountIdsOf(c: Credentials): string[] {
  switch (c.platform) {
    case 'meta':
      return c.accountIds
    case 'google_ads':
      return c.customerIds
    case 'tiktok':
      return c.advertiserIds
    case 'snapchat':
      return c.adAccountIds
  }
}

/** The flat string map a connector reads (`ConnectorContext.credentials`); id lists are comma-separated. */
export function connectorCredentials(c: Credentials): Record<string, string> {
  const { platform: _p, ...rest } = c
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(rest)) {
    if (typeof v === 'string') out[k] = v
    else if (Array.isArray(v)) out[k] = v.join(',')
  }
  return out
}

const list = (v: string | undefined): string[] | undefined =>
  v === undefined ? undefined : v.split(/[\s,]+/).filter((s) => s.length > 0)

/**
 * Credentials from CLI flags or, failing that, the documented environment variables
 * (ME_META_TOKEN + ME_META_ACCOUNT_IDS, ME_GOOGLE_ADS_*, ME_TIKTOK_*, ME_SNAPCHAT_*). Returns the
 * raw object; validate with `CredentialsSchema`.
 */
export function credentialsFromFlagsOrEnv(
  platform: PlatformId,
  flag: (name: string) => string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, unknown> {
  const pick = (f: string, e: string): string | undefined => flag(f) ?? env[e]
  switch (platform) {
    case 'meta':
      return {
        platform,
        accessToken: pick('token', 'ME_META_TOKEN'),
        accountIds: list(pick('account-ids', 'ME_META_ACCOUNT_IDS')),
      }
    case 'google_ads': {
      const login = pick('login-customer-id', 'ME_GOOGLE_ADS_LOGIN_CUSTOMER_ID')
      return {
        platform,
        developerToken: pick('developer-token', 'ME_GOOGLE_ADS_DEVELOPER_TOKEN'),
        clientId: pick('client-id', 'ME_GOOGLE_ADS_CLIENT_ID'),
        clientSecret: pick('client-secret', 'ME_GOOGLE_ADS_CLIENT_SECRET'),
        refreshToken: pick('refresh-token', 'ME_GOOGLE_ADS_REFRESH_TOKEN'),
        ...(login ? { loginCustomerId: login } : {}),
        customerIds: list(pick('customer-ids', 'ME_GOOGLE_ADS_CUSTOMER_IDS')),
      }
    }
    case 'tiktok':
      return {
        platform,
        accessToken: pick('token', 'ME_TIKTOK_TOKEN'),
        advertiserIds: list(pick('advertiser-ids', 'ME_TIKTOK_ADVERTISER_IDS')),
      }
    case 'snapchat':
      return {
        platform,
        clientId: pick('client-id', 'ME_SNAPCHAT_CLIENT_ID'),
        clientSecret: pick('client-secret', 'ME_SNAPCHAT_CLIENT_SECRET'),
        refreshToken: pick('refresh-token', 'ME_SNAPCHAT_REFRESH_TOKEN'),
        adAccountIds: list(pick('account-ids', 'ME_SNAPCHAT_AD_ACCOUNT_IDS')),
      }
  }
}

/** Credentials in platform.secrets (safeStorage / encrypted file); never in the database or the renderer. */
export class CredentialVault {
  constructor(private readonly secrets: SecretStore) {}

  async save(ref: string, c: Credentials): Promise<void> {
    await this.secrets.set(ref, JSON.stringify(c))
  }

  /** The stored credentials, or null when the secret is gone (the connection then needs reconnecting). */
  async load(ref: string): Promise<Credentials | null> {
    const raw = await this.secrets.get(ref)
    if (raw === null) return null
    const parsed = CredentialsSchema.safeParse(JSON.parse(raw))
    return parsed.success ? parsed.data : null
  }

  async remove(ref: string): Promise<void> {
    await this.secrets.delete(ref)
  }

  /**
   * Merge keys a platform changed (a rotated refresh token) into the stored credentials. Updates
   * of one ref run one after another, so two rotations in quick succession both land in order.
   */
  update(ref: string, changed: Record<string, string>): Promise<void> {
    const prev = this.pending.get(ref) ?? Promise.resolve()
    const next = prev
      .catch(() => undefined)
      .then(async () => {
        const current = await this.load(ref)
        if (!current) throw new Error(`The credentials ${ref} are gone: the rotated token could not be saved`)
        const merged = CredentialsSchema.safeParse({ ...current, ...changed })
        if (!merged.success)
          throw new Error(`The rotated credentials for ${ref} are invalid: ${merged.error.issues[0]?.message ?? ''}`)
        await this.save(ref, merged.data)
      })
    this.pending.set(ref, next)
    void next
      .finally(() => {
        if (this.pending.get(ref) === next) this.pending.delete(ref)
      })
      .catch(() => undefined)
    return next
  }
  private readonly pending = new Map<string, Promise<void>>()
}
