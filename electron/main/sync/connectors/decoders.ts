import { GOOGLE_STREAM_DECODER } from './google-ads/google-page-decoder'
import { META_INSIGHTS_DECODER } from './meta/meta-page-decoder'
import { runDecoder, type DecodeOutcome, type DecodeRequest, type DecoderName, type PageDecoder } from './page-decode'
import { SNAPCHAT_STATS_DECODER } from './snapchat/snapchat-page-decoder'
import { TIKTOK_REPORT_DECODER } from './tiktok/tiktok-page-decoder'

/** The page decoders by name: what HttpClient.requestPage can ask the decode pool for. */
const DECODERS: Record<DecoderName, PageDecoder<never, unknown>> = {
  'meta-insights': META_INSIGHTS_DECODER,
  'tiktok-report': TIKTOK_REPORT_DECODER,
  'google-stream': GOOGLE_STREAM_DECODER,
  'snapchat-stats': SNAPCHAT_STATS_DECODER,
}

/**
 * Decode one daily report page with its registered decoder (on a worker or inline: same result).
 * A decoder bug becomes an unretried invalid_response instead of an exception, on both paths.
 */
export function decodePage(req: DecodeRequest): DecodeOutcome {
  try {
    return runDecoder(DECODERS[req.decoder] as PageDecoder, req)
  } catch (err) {
    const message = `page decoder failed: ${err instanceof Error ? err.message : String(err)}`
    return { ok: false, fatal: true, error: { kind: 'invalid_response', message } }
  }
}
