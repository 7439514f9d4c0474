import type { PlatformId } from '../../../../shared/domain/entities'

/** Real API base URLs (versions pinned here; override per platform in settings or ME_<PLATFORM>_BASE_URL). */
export const PLATFORM_BASE_URLS: Record<PlatformId, string> = {
  meta: 'https://graph.facebook.com/v23.0',
  google_ads: 'https://googleads.googleapis.com/v21',
  tiktok: 'https://business-api.tiktok.com/open_api/v1.3',
  snapchat: 'https://adsapi.snapchat.com/v1',
}

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
