import type { PlatformId } from './entities'

/**
 * The platform API versions the connectors speak, as data: each platform names the version it
 * uses in one place (`current`), with every version it can still speak, its base URL and its
 * sunset date as the platform published it. A user can pick another known version (Settings →
 * Sync → advanced); the Connections page and the CLI warn from SUNSET_WARNING_DAYS before a
 * version's sunset and say plainly after it that the app needs an update.
 */
export interface ApiVersionInfo {
  version: string
  /** Release date (YYYY-MM-DD) as published; null where the sources above do not give it. */
  released: string | null
  /** Sunset / expiration date (YYYY-MM-DD) as published; null while the platform has not announced one. */
  sunset: string | null
  /** Where the dates come from. */
  source: string
}

export interface PlatformApi {
  /** The version the app uses unless the user picks another. */
  current: string
  /** Versions the connector knows how to speak (field lists differ per version), oldest first. */
  versions: ApiVersionInfo[]
  /** Base URL of a version. */
  baseUrl(version: string): string
}

const GOOGLE_V21 = 'https://developers.google.com/ads/blog/posts/2026/06/google-ads-api-v21-sunset-reminder'
const GOOGLE_V22 = 'https://developers.google.com/ads/blog/posts/2026/09/google-ads-api-v22-sunset-reminder'
const GOOGLE_NOTES = 'https://developers.google.com/google-ads/api/docs/release-notes'
const META_VERSIONS =
  'https://developers.facebook.com/documentation/ads-commerce/marketing-api/marketing-api-changelog/versions'

export const PLATFORM_APIS: Record<PlatformId, PlatformApi> = {
  // Marketing API version history (Meta lists Marketing API expirations separately from the Graph API's):
  // v24.0 expired 2026-11-10, v25.0 expires 2027-02-23, v26.0 (2026-07-29) and v27.0 (2026-11-04) TBD.
  meta: {
    current: 'v27.0',
    versions: [
      { version: 'v25.0', released: '2026-02-18', sunset: '2027-02-23', source: META_VERSIONS },
      { version: 'v26.0', released: '2026-07-29', sunset: null, source: META_VERSIONS },
      { version: 'v27.0', released: '2026-11-04', sunset: null, source: META_VERSIONS },
    ],
    baseUrl: (v) => `https://graph.facebook.com/${v}`,
  },
  // Google Ads API: v21 sunset 2026-08-05 and v22 sunset 2026-10-07 (Google Ads developer blog sunset
  // reminders). Release notes: v23 2026-01-28, v24 2026-04-22, v25 2026-07-22, v26 2026-10-14 (newest;
  // v26.1 of 2026-10-28 is a minor release on the same endpoint). Google had not published sunset dates
  // for v23+ in those sources (majors live about 12 months, see
  // https://developers.google.com/google-ads/api/docs/sunset-dates); add them here when it does.
  google_ads: {
    current: 'v26',
    versions: [
      { version: 'v21', released: null, sunset: '2026-08-05', source: GOOGLE_V21 },
      { version: 'v22', released: null, sunset: '2026-10-07', source: GOOGLE_V22 },
      { version: 'v23', released: '2026-01-28', sunset: null, source: GOOGLE_NOTES },
      { version: 'v24', released: '2026-04-22', sunset: null, source: GOOGLE_NOTES },
      { version: 'v25', released: '2026-07-22', sunset: null, source: GOOGLE_NOTES },
      { version: 'v26', released: '2026-10-14', sunset: null, source: GOOGLE_NOTES },
    ],
    baseUrl: (v) => `https://googleads.googleapis.com/${v}`,
  },
  // TikTok API for Business: v1.3 is the only version served; no retirement announced.
  tiktok: {
    current: 'v1.3',
    versions: [
      {
        version: 'v1.3',
        released: null,
        sunset: null,
        source: 'https://business-api.tiktok.com/portal/docs?id=1740579480076290',
      },
    ],
    baseUrl: (v) => `https://business-api.tiktok.com/open_api/${v}`,
  },
  // Snap Marketing API: v1 is the only version; no retirement announced.
  snapchat: {
    current: 'v1',
    versions: [
      {
        version: 'v1',
        released: null,
        sunset: null,
        source: 'https://developers.snap.com/api/marketing-api/Ads-API/introduction',
      },
    ],
    baseUrl: (v) => `https://adsapi.snapchat.com/${v}`,
  },
}

/** Days before a sunset from which the app warns. */
export const SUNSET_WARNING_DAYS = 60

export function apiVersionInfo(platform: PlatformId, version: string): ApiVersionInfo | undefined {
  return PLATFORM_APIS[platform].versions.find((v) => v.version === version)
}

export interface ApiVersionNotice {
  level: 'warning' | 'error'
  /** Days left before the sunset (negative after it). */
  daysLeft: number
  message: string
}

const DAY_MS = 86_400_000

/**
 * What to tell the user about the API version in use on `today` (UTC date): nothing, a warning
 * within SUNSET_WARNING_DAYS of the sunset, or an error once the sunset has passed.
 */
export function apiVersionNotice(platform: PlatformId, version: string, today: Date): ApiVersionNotice | null {
  const info = apiVersionInfo(platform, version)
  if (!info?.sunset) return null
  const sunset = Date.parse(`${info.sunset}T00:00:00Z`)
  const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())
  const daysLeft = Math.round((sunset - day) / DAY_MS)
  const name = `${platformApiName(platform)} ${version}`
  const current = PLATFORM_APIS[platform].current
  const pick =
    version === current ? 'update the app' : `switch to ${current} in Settings → Sync (advanced) or update the app`
  if (daysLeft <= 0)
    return {
      level: 'error',
      daysLeft,
      message: `${name} was retired on ${info.sunset}: the platform refuses its requests, so this app needs an update (${pick}).`,
    }
  if (daysLeft <= SUNSET_WARNING_DAYS)
    return {
      level: 'warning',
      daysLeft,
      message: `${name} will be retired on ${info.sunset} (in ${daysLeft} day${daysLeft === 1 ? '' : 's'}): ${pick} before then.`,
    }
  return null
}

function platformApiName(platform: PlatformId): string {
  switch (platform) {
    case 'meta':
      return 'Meta Marketing API'
    case 'google_ads':
      return 'Google Ads API'
    case 'tiktok':
      return 'TikTok API for Business'
    case 'snapchat':
      return 'Snap Marketing API'
  }
}
