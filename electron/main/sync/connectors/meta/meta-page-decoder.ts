import { z } from 'zod'
import { compiledSchema, rowAt, type MappedPage, type PageDecoder } from '../page-decode'
import { classifyMeta } from './meta-protocol'
import { insightRowSchema } from './meta-rows'

/** Arguments of the Meta insights page decoder. */
export interface MetaPageArgs {
  /** Purchase action types in priority order (the first present wins). */
  purchaseTypes: string[]
  /** Pinned attribution windows (action_attribution_windows); absent: each ad set's setting. */
  windows?: string[]
  /** Prefix of row errors ("Meta insights 2025-01-01..2025-01-31"). */
  what: string
}

/** Paging of an insights page. */
export interface MetaEnvelope {
  next?: string
}

const pages = new Map<string, z.ZodType<MappedPage<MetaEnvelope>>>()

/** `{"data":[insights rows],"paging":{"next"}}` -> rows (insightRowSchema) and the next page's URL. */
export const META_INSIGHTS_DECODER: PageDecoder<MetaPageArgs, MetaEnvelope> = {
  platform: 'meta',
  classify: classifyMeta,
  schema(args) {
    const key = `${args.purchaseTypes.join('\n')}|${args.windows?.join(',') ?? ''}`
    let schema = pages.get(key)
    if (!schema) {
      schema = compiledSchema(
        z
          .looseObject({
            data: z.array(insightRowSchema(args.purchaseTypes, args.windows)),
            paging: z.looseObject({ next: z.string().optional() }).optional(),
          })
          .transform((b) => ({ rows: b.data, envelope: b.paging?.next !== undefined ? { next: b.paging.next } : {} })),
      )
      pages.set(key, schema)
    }
    return schema
  },
  where: rowAt,
  what: (args) => args.what,
}
