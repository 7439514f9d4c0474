import type { PlatformId } from '../../../../shared/domain/entities'
import { createGoogleAdsConnector } from './google-ads/google-connector'
import { createMetaConnector } from './meta/meta-connector'
import { createSnapchatConnector } from './snapchat/snapchat-connector'
import { createTikTokConnector } from './tiktok/tiktok-connector'
import type { Connector, ConnectorContext } from './types'

export { CREDENTIAL_KEYS, PLATFORM_BASE_URLS, PLATFORM_TOKEN_URLS } from './defaults'
export { DEFAULT_RETRY } from './http'
export { WriteNotAppliedError } from './normalize'
export { createGoogleAdsConnector, createMetaConnector, createSnapchatConnector, createTikTokConnector }

/** The connector for a platform (default options). */
export function createConnector(platform: PlatformId, ctx: ConnectorContext): Connector {
  switch (platform) {
    case 'meta':
      return createMetaConnector(ctx)
    case 'google_ads':
      return createGoogleAdsConnector(ctx)
    case 'tiktok':
      return createTikTokConnector(ctx)
    case 'snapchat':
      return createSnapchatConnector(ctx)
  }
}
