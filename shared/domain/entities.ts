import { z } from 'zod'

/** The four ad platforms Marketing Engine syncs. */
export const PLATFORMS = ['meta', 'google_ads', 'tiktok', 'snapchat'] as const
export const PlatformIdSchema = z.enum(PLATFORMS)
export type PlatformId = z.infer<typeof PlatformIdSchema>

export const PLATFORM_LABELS: Record<PlatformId, string> = {
  meta: 'Meta',
  google_ads: 'Google Ads',
  tiktok: 'TikTok',
  snapchat: 'Snapchat',
}

/**
 * The levels of the ad hierarchy every platform has, spelt one way everywhere (contracts, the
 * store's `entity_type` columns, connectors, the change pipeline): `ad_set`, never adSet/adset.
 */
export const ENTITY_LEVELS = ['campaign', 'ad_set', 'ad'] as const
export const EntityLevelSchema = z.enum(ENTITY_LEVELS)
export type EntityLevel = z.infer<typeof EntityLevelSchema>
/** The levels that carry a daily budget. */
export const BUDGET_LEVELS = ['campaign', 'ad_set'] as const satisfies readonly EntityLevel[]
export const BudgetLevelSchema = z.enum(BUDGET_LEVELS)
export type BudgetLevel = z.infer<typeof BudgetLevelSchema>

/** Creative formats, normalised across platforms. */
export const CREATIVE_FORMATS = ['image', 'video', 'carousel', 'collection'] as const
export const CreativeFormatSchema = z.enum(CREATIVE_FORMATS)
export type CreativeFormat = z.infer<typeof CreativeFormatSchema>

/** Normalised delivery status of a campaign, ad set or ad. */
export const ENTITY_STATUSES = ['active', 'paused', 'archived'] as const
export const EntityStatusSchema = z.enum(ENTITY_STATUSES)
export type EntityStatus = z.infer<typeof EntityStatusSchema>

/** Normalised campaign objectives (used for benchmarks and features). */
export const OBJECTIVES = ['sales', 'leads', 'traffic', 'awareness', 'app_installs'] as const
export const ObjectiveSchema = z.enum(OBJECTIVES)
export type Objective = z.infer<typeof ObjectiveSchema>

export const ACCOUNT_STATUSES = ['active', 'needs_reconnect', 'disabled', 'error'] as const
export const AccountStatusSchema = z.enum(ACCOUNT_STATUSES)
export type AccountStatus = z.infer<typeof AccountStatusSchema>
