import { type z } from 'zod'
import { compiledSchema, rowAt, type MappedPage, type PageDecoder } from '../page-decode'
import { classifyTikTok } from './tiktok-protocol'
import { listEnvelope, reportRowSchema } from './tiktok-schemas'

/** Arguments of the TikTok report page decoder. */
export interface TikTokPageArgs {
  /** Metric counted as conversions. */
  conversionMetric: string
  /** Metrics holding purchase value in currency units (added: web and app purchases). */
  valueMetrics: string[]
  /** Prefix of row errors ("TikTok report 2025-01-01..2025-01-30 (page 2)"). */
  what: string
}

/** Paging of a report page. */
export interface TikTokEnvelope {
  totalPage?: number
}

const pages = new Map<string, z.ZodType<MappedPage<TikTokEnvelope>>>()

/** `report/integrated/get/` page -> rows (reportRowSchema) and the page count. */
export const TIKTOK_REPORT_DECODER: PageDecoder<TikTokPageArgs, TikTokEnvelope> = {
  platform: 'tiktok',
  classify: classifyTikTok,
  schema(args) {
    const key = `${args.conversionMetric}\n${args.valueMetrics.join('\n')}`
    let schema = pages.get(key)
    if (!schema) {
      schema = compiledSchema(
        listEnvelope(reportRowSchema(args.conversionMetric, args.valueMetrics)).transform((b) => ({
          rows: b.data.list,
          envelope: b.data.page_info ? { totalPage: b.data.page_info.total_page } : {},
        })),
      )
      pages.set(key, schema)
    }
    return schema
  },
  where: rowAt,
  what: (args) => args.what,
}
