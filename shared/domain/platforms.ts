import type { PlatformId } from './entities'

/**
 * Days a platform may still restate after the fact (late conversions, attribution windows).
 * Incremental syncs re-pull this trailing window and mark its days provisional.
 */
export const DEFAULT_RESTATEMENT_DAYS: Record<PlatformId, number> = {
  meta: 28,
  google_ads: 30,
  tiktok: 7,
  snapchat: 28,
}
