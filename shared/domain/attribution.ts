import { z } from 'zod'
import type { PlatformId } from './entities'

/**
 * Which attribution our conversions follow, per platform. Marketers compare our totals with the
 * platforms' own managers, so by default every connector asks for what that manager shows:
 *
 * - Meta: `use_unified_attribution_setting=true` makes the Insights API count actions with each ad
 *   set's attribution setting, "the same behavior as in the Ads Manager" (Graph API reference,
 *   Ad Account Insights, parameter use_unified_attribution_setting:
 *   https://developers.facebook.com/docs/graph-api/reference/adaccount/insights/). A user may pin
 *   windows instead (`action_attribution_windows`, see MetaAttributionSchema).
 * - Google Ads: `metrics.conversions` counts each conversion action with its own click-through and
 *   view-through windows (set on the conversion action); the API has no report-time override
 *   (https://developers.google.com/google-ads/api/fields/latest/conversion_action).
 * - TikTok: reports count conversions with each ad group's attribution setting (click-through and
 *   view-through windows chosen in TikTok Ads Manager's attribution settings); the reporting API takes
 *   no window parameter (https://business-api.tiktok.com/portal/docs?id=1740302848100353: advertiser,
 *   report type, data level, dimensions, metrics, dates, paging, filtering, query mode), so a user cannot
 *   pin one here. Its attribution metrics split click-through from view-through events (CTA/VTA
 *   purchases: https://ads.tiktok.com/help/article/attribution) but not by window.
 * - Snapchat: stats follow the ad account's attribution setting unless the request pins
 *   `swipe_up_attribution_window` (1_DAY, 7_DAY, 28_DAY) and `view_attribution_window` (NONE, 1_HOUR,
 *   3_HOUR, 6_HOUR, 1_DAY, 7_DAY) (Snap Marketing API, Measurement:
 *   https://developers.snap.com/api/marketing-api/Ads-API/measurement). A user may pin them
 *   (Connections → advanced).
 *
 * Each synced account-day records the attribution its conversions were counted with (its `code`),
 * so a range synced under two settings says so instead of mixing them silently.
 */

export const SNAPCHAT_SWIPE_WINDOWS = ['1_DAY', '7_DAY', '28_DAY'] as const
export const SNAPCHAT_VIEW_WINDOWS = ['NONE', '1_HOUR', '3_HOUR', '6_HOUR', '1_DAY', '7_DAY'] as const

/** A pinned Snapchat attribution window (absent: the ad account's own setting). */
export const SnapchatAttributionSchema = z
  .object({ swipe: z.enum(SNAPCHAT_SWIPE_WINDOWS), view: z.enum(SNAPCHAT_VIEW_WINDOWS) })
  .strict()
export type SnapchatAttribution = z.infer<typeof SnapchatAttributionSchema>

/**
 * Meta windows a user may pin: `action_attribution_windows` (Ads Action Stats reference: each action
 * gains one value per requested window; 7d_view and 28d_view are no longer returned since
 * 2026-01-12, Meta developer blog "Ads Insights API Metric Availability Updates", 2025-10-16). A
 * conversion is counted by its click window or its view window, as Ads Manager's "7-day click or
 * 1-day view": the two values are added.
 */
export const META_CLICK_WINDOWS = ['1d_click', '7d_click', '28d_click'] as const
export const META_VIEW_WINDOWS = ['none', '1d_view', '1d_ev'] as const
export const MetaAttributionSchema = z
  .object({ click: z.enum(META_CLICK_WINDOWS), view: z.enum(META_VIEW_WINDOWS) })
  .strict()
export type MetaAttribution = z.infer<typeof MetaAttributionSchema>

/** The windows a Meta pin asks `action_attribution_windows` for. */
export function metaWindows(c: MetaAttribution): string[] {
  return c.view === 'none' ? [c.click] : [c.click, c.view]
}

/**
 * The attribution choices a user can make: Meta's and Snapchat's APIs take a window at report time.
 * TikTok's reporting API takes none (each ad group's attribution setting applies; changing it is a
 * write to the ad group in TikTok Ads Manager), nor does Google Ads (set on each conversion action).
 */
export const AttributionChoicesSchema = z
  .object({ meta: MetaAttributionSchema.optional(), snapchat: SnapchatAttributionSchema.optional() })
  .strict()
export type AttributionChoices = z.infer<typeof AttributionChoicesSchema>

/** How one account's conversions are attributed: a stable code (stored per account-day) and a label. */
export interface Attribution {
  platform: PlatformId
  code: string
  label: string
}

const WINDOW_WORDS: Record<string, string> = {
  NONE: 'no view',
  '1_HOUR': '1-hour',
  '3_HOUR': '3-hour',
  '6_HOUR': '6-hour',
  '1_DAY': '1-day',
  '7_DAY': '7-day',
  '28_DAY': '28-day',
  '1d_click': '1-day click',
  '7d_click': '7-day click',
  '28d_click': '28-day click',
  '1d_view': '1-day view',
  '1d_ev': '1-day engaged view',
}

/** The attribution a sync of `platform` asks for under the user's choices. */
export function attributionOf(platform: PlatformId, choices: AttributionChoices = {}): Attribution {
  switch (platform) {
    case 'meta': {
      const c = choices.meta
      if (!c) return { platform, code: 'meta:ad_set', label: "each ad set's attribution setting, as in Ads Manager" }
      const click = WINDOW_WORDS[c.click] ?? c.click
      const label = c.view === 'none' ? `${click}, no view-through` : `${click} or ${WINDOW_WORDS[c.view] ?? c.view}`
      return { platform, code: `meta:${c.click}/${c.view}`, label: `${label} (pinned)` }
    }
    case 'google_ads':
      return {
        platform,
        code: 'google_ads:conversion_action',
        label: "each conversion action's own windows, as in Google Ads",
      }
    case 'tiktok':
      return {
        platform,
        code: 'tiktok:ad_group',
        label: "each ad group's attribution setting, as in TikTok Ads Manager",
      }
    case 'snapchat': {
      const c = choices.snapchat
      if (!c)
        return { platform, code: 'snapchat:account', label: "the ad account's attribution setting, as in Ads Manager" }
      const view = c.view === 'NONE' ? 'no view-through' : `${WINDOW_WORDS[c.view] ?? c.view} view`
      return {
        platform,
        code: `snapchat:${c.swipe}/${c.view}`,
        label: `${WINDOW_WORDS[c.swipe] ?? c.swipe} swipe, ${view} (pinned)`,
      }
    }
  }
}

/** Label of a stored code (codes written by older settings stay readable). */
export function attributionLabel(code: string): string {
  const [platform, rest] = code.split(':', 2) as [string, string | undefined]
  if (platform === 'meta' && rest && rest !== 'ad_set') {
    const [click, view] = rest.split('/') as [string, string | undefined]
    const parsed = MetaAttributionSchema.safeParse({ click, view })
    if (parsed.success) return attributionOf('meta', { meta: parsed.data }).label
  }
  if (platform === 'snapchat' && rest && rest !== 'account') {
    const [swipe, view] = rest.split('/') as [string, string | undefined]
    const parsed = SnapchatAttributionSchema.safeParse({ swipe, view })
    if (parsed.success) return attributionOf('snapchat', { snapchat: parsed.data }).label
  }
  for (const p of ['meta', 'google_ads', 'tiktok', 'snapchat'] as const) {
    const a = attributionOf(p)
    if (a.code === code) return a.label
  }
  return code
}
