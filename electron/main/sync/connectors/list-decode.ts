import type { z } from 'zod'
import { classifyGoogle } from './google-ads/google-protocol'
import { AdGroupRow, AdRow, CampaignRow, streamSchema } from './google-ads/google-schemas'
import { parseJsonPreservingBigInts } from './json-text'
import { classifySnapchat, collectionSchema } from './snapchat/snapchat-protocol'
import { Ad, Campaign, Creative, Squad } from './snapchat/snapchat-schemas'
import { bodyText } from './page-decode'
import { parseBody, type ErrorSignal, type HttpExchange } from './protocol'
import { sliceBudget } from '../../scheduler/slices'

/**
 * Entity lists parsed on the decode threads (issue 12, `ipc_p99_ms`). Google Ads answers each entity
 * level of an account as one searchStream response: at 10,000 campaigns the ads' response is about
 * 7 MB, and reading it on the core's thread (JSON.parse keeping big integers, then zod) was one stretch
 * of 300-400 ms. HttpClient.request sends a body whose schema is registered here to a decode thread,
 * which decodes, classifies and validates it exactly as `HttpClient.once` does and answers zod's output
 * as JSON text, its long arrays cut in pieces; the core's thread reads the pieces with a turn of the
 * event loop between them (`assembleList`). The pieces travel as UTF-8 in one transferred buffer:
 * ~7 MB of strings in a message held the core's thread 55-85 ms (up to 165 ms in the memory bench)
 * as it received them, a buffer 5-11 ms (docs/performance.md).
 */

/**
 * The list schemas decoded off the core's thread, by name (a worker finds the schema by its name).
 * Only platforms whose throttling reads the answer's headers alone belong here (Google, Snapchat):
 * `HttpClient.onceList` gives the protocol's `throttleAfter` the status and headers but not the body,
 * which stays on the decode thread (Meta's throttle reads its usage headers; a platform that throttles
 * from the body needs the decode thread to return what it reads first).
 */
const LISTS = {
  'google-campaigns': { classify: classifyGoogle, schema: streamSchema(CampaignRow) },
  'google-ad-groups': { classify: classifyGoogle, schema: streamSchema(AdGroupRow) },
  'google-ads': { classify: classifyGoogle, schema: streamSchema(AdRow) },
  // Snap's lists come in pages of 1,000 entities: 20-60 ms of the core's thread each at 10,000 campaigns.
  'snapchat-campaigns': { classify: classifySnapchat, schema: collectionSchema('campaigns', Campaign) },
  'snapchat-adsquads': { classify: classifySnapchat, schema: collectionSchema('adsquads', Squad) },
  'snapchat-ads': { classify: classifySnapchat, schema: collectionSchema('ads', Ad) },
  'snapchat-creatives': { classify: classifySnapchat, schema: collectionSchema('creatives', Creative) },
} satisfies Record<string, { classify: (ex: HttpExchange) => ErrorSignal | null; schema: z.ZodType }>

export type ListName = keyof typeof LISTS

const NAMES = new Map<z.ZodType, ListName>(
  (Object.entries(LISTS) as [ListName, { schema: z.ZodType }][]).map(([name, l]) => [l.schema, name]),
)

/** The registered name of a request's schema (then its body is decoded off the core's thread). */
export function listNameOf(schema: z.ZodType): ListName | undefined {
  return NAMES.get(schema)
}

/** What a decode thread gets for a list body. */
export interface ListDecodeRequest {
  list: ListName
  status: number
  headers: [string, string][]
  /** UTF-8 bytes (transferred): the first `length` bytes of `body`. */
  body: ArrayBuffer
  length?: number
}

/**
 * A decoded list: zod's output as JSON text with its long arrays cut out into pieces, the pieces'
 * UTF-8 in `bytes` one after the other (piece i ends at byte `ends[i]`; both buffers transferable).
 */
export type ListDecodeOutcome =
  { ok: true; skeleton: string; bytes: Uint8Array; ends: Uint32Array } | { ok: false; error: ErrorSignal }

/** Items per piece: a piece is read on the core's thread in a few milliseconds. */
const PIECE_ITEMS = 250
/** Marks where a long array was cut out: `{"\u0000pieces": [first, count]}` (no API sends this key). */
const MARK = '\u0000pieces'

/** Decode a list body as `HttpClient.once` would (same errors, same messages); never throws. */
export function decodeList(req: ListDecodeRequest): ListDecodeOutcome {
  const { classify, schema } = LISTS[req.list]
  const text = bodyText(req.body, req.length)
  let json: unknown
  if (text.trim() !== '')
    try {
      json = parseJsonPreservingBigInts(text)
    } catch {
      json = undefined
    }
  const signalled = classify({ status: req.status, headers: new Headers(req.headers), text, json })
  if (signalled) return { ok: false, error: signalled }
  const parsed = parseBody(schema as z.ZodType<unknown>, text, json)
  if (!parsed.ok) return parsed
  const pieces: string[] = []
  const skeleton = JSON.stringify(parsed.data, (_key, value: unknown) => {
    if (!Array.isArray(value) || value.length <= PIECE_ITEMS) return value
    const first = pieces.length
    for (let i = 0; i < value.length; i += PIECE_ITEMS) pieces.push(JSON.stringify(value.slice(i, i + PIECE_ITEMS)))
    return { [MARK]: [first, pieces.length - first] }
  })
  const ends = new Uint32Array(pieces.length)
  let size = 0
  pieces.forEach((p, i) => (ends[i] = size += Buffer.byteLength(p)))
  const bytes = new Uint8Array(size)
  const encoder = new TextEncoder()
  let at = 0
  for (const p of pieces) at += encoder.encodeInto(p, bytes.subarray(at)).written
  return { ok: true, skeleton, bytes, ends }
}

/** The decoded list back together on the core's thread, a turn of the event loop between pieces. */
export async function assembleList(out: { skeleton: string; bytes: Uint8Array; ends: Uint32Array }): Promise<unknown> {
  const budget = sliceBudget()
  const decoder = new TextDecoder()
  const read: unknown[][] = []
  for (let i = 0, start = 0; i < out.ends.length; start = out.ends[i++] as number) {
    read.push(JSON.parse(decoder.decode(out.bytes.subarray(start, out.ends[i]))) as unknown[])
    await budget.maybeYield()
  }
  return JSON.parse(out.skeleton, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || !(MARK in value)) return value
    const [first, count] = (value as Record<string, [number, number]>)[MARK] as [number, number]
    return read.slice(first, first + count).flat()
  })
}
