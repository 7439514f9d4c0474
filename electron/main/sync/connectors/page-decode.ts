import type { z } from 'zod'
import type { PlatformId } from '../../../../shared/domain/entities'
import { fromEpochDay, toEpochDay } from '../../../../shared/domain/dates'
import type { DailyBatch } from './daily-batch'
import { NEEDS_EXACT } from './fast-number'
import { quoteBigIntegers } from './json-text'
import type { ErrorSignal, HttpExchange } from './protocol'
import type { ConnectorErrorKind } from './types'

/**
 * Daily report pages decoded in one step (text -> JSON -> platform error classification -> shape
 * validation -> DailyBatch), the same on a worker thread (decode-worker.ts) and inline. Only plain
 * data goes in and out, so a page crosses threads as its bytes and comes back as a few buffers.
 */

/** What a decoder gets: the finished HTTP response plus its small, cloneable arguments. */
export interface DecodeRequest {
  decoder: DecoderName
  args: unknown
  status: number
  headers: [string, string][]
  /** UTF-8 response bytes (transferred to the worker). */
  body: ArrayBuffer
}

/** The registered page decoders (see decoders.ts). */
export type DecoderName = 'meta-insights' | 'tiktok-report' | 'google-stream' | 'snapchat-stats'

/** A decoded page: its rows, plus what the connector needs to find the next page. */
export interface DecodedPage<E = unknown> {
  batch: DailyBatch
  envelope: E
}

/**
 * Result of decoding: a page; an error signal for HttpClient's retry policy (platform errors,
 * malformed or truncated bodies); or a `fatal` error (a row that validates but cannot be
 * normalised: thrown at once as invalid_response, never retried, as before).
 */
export type DecodeOutcome =
  | ({ ok: true } & DecodedPage)
  | { ok: false; error: ErrorSignal; fatal?: false }
  | { ok: false; error: { kind: ConnectorErrorKind; message: string }; fatal: true }

/** Runs page decoders somewhere (connectors take one through their context: the core's decode pool). */
export interface DecodeRunner {
  decode(req: DecodeRequest): Promise<DecodeOutcome>
}

/** A row that passed the shape check but cannot be normalised (message already names page and row). */
export class RowFailure {
  constructor(readonly message: string) {}
}

/** One platform's daily page decoder. */
export interface PageDecoder<A = unknown, E = unknown> {
  platform: PlatformId
  /** The same classifier HttpClient uses for this platform. */
  classify(ex: HttpExchange): ErrorSignal | null
  /** Loose zod schema of the body: names the problem when `decode` refuses the shape. */
  schema: z.ZodType
  /**
   * Shape check and mapping in one pass over the parsed body (ids converted in place like the
   * fast-shape checks): undefined when the shape is off; throws RowFailure for the first row that
   * cannot be normalised (after the whole body passed the shape check) and NEEDS_EXACT when a
   * number may have been rounded by JSON.parse (`exact` false).
   */
  decode(json: unknown, args: A, exact: boolean): DecodedPage<E> | undefined
  /**
   * Optional byte fast path for 2xx responses (json-bytes.ts): the page straight from the UTF-8
   * bytes, exactly what `decode` gives for the parsed body, or undefined to leave the body to the
   * text path (anything unusual, invalid, an error body or a value it does not read exactly).
   */
  decodeBytes?(bytes: Uint8Array, args: A): DecodedPage<E> | undefined
}

/**
 * The RowFailure for an error mapping one row ("<where>: <detail>"); NEEDS_EXACT passes through
 * (the page is read again with exact numbers).
 */
export function rowFailure(where: string, e: unknown): RowFailure {
  if (e === NEEDS_EXACT) throw e
  return new RowFailure(rowMessage(where, e))
}

/** Row error text as `rowError` builds it: "<what>: <detail>". */
export function rowMessage(what: string, e: unknown): string {
  return `${what}: ${e instanceof Error ? e.message : String(e)}`
}

/** Epoch day of a YYYY-MM-DD date, memoised per page; a date that is not a calendar date throws. */
export function dayOf(cache: Map<string, number>, date: string): number {
  let d = cache.get(date)
  if (d === undefined) {
    d = toEpochDay(date)
    if (!Number.isFinite(d) || fromEpochDay(d) !== date) throw new Error(`Not a calendar date: ${JSON.stringify(date)}`)
    cache.set(date, d)
  }
  return d
}

const utf8 = new TextDecoder()

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue
    // Printable ASCII is never trimmed; anything else: let trim() decide, as json-text callers do.
    return c > 0x20 && c < 0x7f ? false : text.trim() === ''
  }
  return true
}

function parse(text: string, exact: boolean): unknown {
  if (isBlank(text)) return undefined
  try {
    return JSON.parse(exact ? quoteBigIntegers(text) : text)
  } catch {
    return undefined
  }
}

function attempt(d: PageDecoder, req: DecodeRequest, text: string, headers: Headers, exact: boolean): DecodeOutcome {
  const json = parse(text, exact)
  const signalled = d.classify({ status: req.status, headers, text, json })
  if (signalled) return { ok: false, error: signalled }
  if (json === undefined) {
    const message = isBlank(text) ? 'empty body' : 'body is not valid JSON (malformed or truncated)'
    return { ok: false, error: { kind: 'invalid_response', message, code: 'invalid_json' } }
  }
  try {
    let page = d.decode(json, req.args, exact)
    if (page === undefined) {
      // Before naming the problem, read the body exactly as json-text.ts would have.
      if (!exact) throw NEEDS_EXACT
      const parsed = d.schema.safeParse(json)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape'
        return {
          ok: false,
          error: { kind: 'invalid_response', message: `unexpected response shape at ${where}`, code: 'invalid_shape' },
        }
      }
      page = d.decode(parsed.data, req.args, true)
      if (page === undefined)
        return {
          ok: false,
          error: { kind: 'invalid_response', message: 'unexpected response shape', code: 'invalid_shape' },
        }
    }
    return { ok: true, ...page }
  } catch (e) {
    if (e instanceof RowFailure)
      return { ok: false, fatal: true, error: { kind: 'invalid_response', message: e.message } }
    throw e
  }
}

/** Pages decoded from bytes vs. by the text path in this thread (tests, diagnostics). */
const byteStats = { bytes: 0, text: 0 }

/** Counts of pages taken by the byte fast path and by the text path in this thread since start. */
export function byteFastPathStats(): { bytes: number; text: number } {
  return { ...byteStats }
}

/** Decode one page with `d`; never throws for anything the body contains. */
export function runDecoder(d: PageDecoder, req: DecodeRequest): DecodeOutcome {
  if (d.decodeBytes && req.status >= 200 && req.status < 300) {
    const page = d.decodeBytes(new Uint8Array(req.body), req.args)
    if (page) {
      byteStats.bytes++
      return { ok: true, ...page }
    }
  }
  byteStats.text++
  const text = utf8.decode(req.body)
  const headers = new Headers(req.headers)
  try {
    return attempt(d, req, text, headers, false)
  } catch (e) {
    if (e !== NEEDS_EXACT) throw e
    return attempt(d, req, text, headers, true)
  }
}
