import { type z } from 'zod'
import { compiledSchema, rowAt, type MappedPage, type PageDecoder } from '../page-decode'
import { classifyGoogle } from './google-protocol'
import { MetricsRow, streamSchema } from './google-schemas'

/** Arguments of the Google Ads searchStream decoder. */
export interface GooglePageArgs {
  /** Prefix of row errors ("Google daily metrics 2025-01-01..2025-01-31"). */
  what: string
}

const PAGE: z.ZodType<MappedPage<Record<string, never>>> = compiledSchema(
  streamSchema(MetricsRow).transform((batches) => ({
    rows: batches.flatMap((b) => b.results ?? []),
    envelope: {},
  })),
)

/** A whole searchStream response (JSON array of result batches) -> its rows (MetricsRow). */
export const GOOGLE_STREAM_DECODER: PageDecoder<GooglePageArgs, Record<string, never>> = {
  platform: 'google_ads',
  classify: classifyGoogle,
  schema: () => PAGE,
  // [batch, 'results', row, ...]: rows are numbered within their result batch, as Google streams them.
  where: (path) => rowAt(path.slice(2)),
  what: (args) => args.what,
}
