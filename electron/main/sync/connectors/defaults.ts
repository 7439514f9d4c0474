import { PLATFORM_APIS } from '../../../../shared/domain/api-versions'
import { PLATFORMS, type PlatformId } from '../../../../shared/domain/entities'

/**
 * Real API base URLs of each platform's current version (versions live in shared/domain/api-versions.ts;
 * override per platform in settings or ME_<PLATFORM>_BASE_URL).
 */
export const PLATFORM_BASE_URLS = Object.fromEntries(
  PLATFORMS.map((p) => [p, PLATFORM_APIS[p].baseUrl(PLATFORM_APIS[p].current)]),
) as Record<PlatformId, string>

/** OAuth token endpoints used for refresh-token grants. */
export const PLATFORM_TOKEN_URLS: Partial<Record<PlatformId, string>> = {
  google_ads: 'https://oauth2.googleapis.com/token',
  snapchat: 'https://accounts.snapchat.com/login/oauth2/access_token',
}

/**
 * Credential keys each connector reads from `ConnectorContext.credentials`.
 * Meta: accessToken. Google Ads: developerToken, refreshToken, clientId, clientSecret
 * (or accessToken), optional loginCustomerId. TikTok: accessToken, plus appId+secret to list
 * advertisers or advertiserIds (comma-separated). Snapchat: clientId, clientSecret, refreshToken
 * (or accessToken).
 */
export const CREDENTIAL_KEYS: Record<PlatformId, { required: string[]; optional: string[] }> = {
  meta: { required: ['accessToken'], optional: [] },
  google_ads: {
    required: ['developerToken'],
    optional: ['refreshToken', 'clientId', 'clientSecret', 'accessToken', 'loginCustomerId'],
  },
  tiktok: { required: ['accessToken'], optional: ['appId', 'secret', 'advertiserIds'] },
  snapchat: { required: [], optional: ['clientId', 'clientSecret', 'refreshToken', 'accessToken'] },
}
