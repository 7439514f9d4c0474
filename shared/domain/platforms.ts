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

/**
 * Newest days whose conversions are still arriving in large part: platforms attribute a
 * conversion to the day of the click or view, and report it hours to days later (Meta and
 * TikTok: 7-day click windows, most conversions within 2-3 days; Snapchat: 28-day swipe window;
 * Google Ads: 30-day conversion window with the slowest trickle). Day N+1 back holds about 85% or
 * more of its final conversions (the simulator's lag curves, `simulator/profiles.ts`, check it).
 * The anomaly detector judges conversions, CPA and ROAS on these days only for falls deeper than
 * late conversions explain; spend, clicks and CTR are final at once.
 */
export const CONVERSION_SETTLE_DAYS: Record<PlatformId, number> = {
  meta: 3,
  google_ads: 7,
  tiktok: 3,
  snapchat: 4,
}
