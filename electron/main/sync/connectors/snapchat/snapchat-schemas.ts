import { z } from 'zod'
import { NumLike } from '../normalize'

/**
 * Snap's entity objects as the lists answer them (`{sub_request_status, campaign: {...}}`): kept apart
 * from the connector so the decode threads can validate the lists (list-decode.ts).
 */

export const wrapped = <T extends z.ZodType>(key: string, inner: T): z.ZodType<z.infer<T>> =>
  z
    .looseObject({ sub_request_status: z.string().optional(), [key]: inner })
    .transform((w) => w[key] as z.infer<T>) as unknown as z.ZodType<z.infer<T>>

export const CampaignObj = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  objective: z.string().optional(),
  daily_budget_micro: NumLike,
  start_time: z.string().optional(),
  end_time: z.string().optional(),
})
export const SquadObj = z.looseObject({
  id: z.string(),
  campaign_id: z.string(),
  name: z.string(),
  status: z.string(),
  daily_budget_micro: NumLike,
})
export const AdObj = z.looseObject({
  id: z.string(),
  ad_squad_id: z.string(),
  name: z.string(),
  status: z.string(),
  creative_id: z.string().optional(),
  created_at: z.string().optional(),
})
export const CreativeObj = z.looseObject({
  id: z.string(),
  type: z.string().optional(),
  top_snap_media_type: z.string().optional(),
  headline: z.string().optional(),
  name: z.string().optional(),
})
export const Campaign = wrapped('campaign', CampaignObj)
export const Squad = wrapped('adsquad', SquadObj)
export const Ad = wrapped('ad', AdObj)
export const Creative = wrapped('creative', CreativeObj)
