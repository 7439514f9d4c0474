import { z } from 'zod'
import { fromEpochDay, toEpochDay } from '../../../../shared/domain/dates'
import { parseMicros } from '../../../../shared/domain/money'
import { amountToMicros, parseCount, parseIntCount } from './normalize'

/**
 * Building blocks of the per-platform daily row schemas: each platform declares its report row
 * once, as a zod schema whose fields validate *and* convert (ids to strings, money to micros,
 * counts to numbers), so adding a metric is one edit. The page decoders (page-decode.ts) parse a
 * page, run its schema and push the mapped rows into a DailyBatch.
 *
 * Two kinds of failure, as before: a body of the wrong shape (a missing id, an object where a
 * number belongs) is an ordinary zod issue (invalid_response, retried like a malformed body); a
 * value of the right type that cannot be converted ("12,5" as an amount, "1.5" as an integer
 * count) is a *row* issue (`params.row`), which the decoder reports for its row at once, not
 * retried.
 *
 * Pages are parsed with plain JSON.parse first; a number JSON.parse may have rounded (an integer
 * of 16+ digits) throws NEEDS_EXACT out of the schema, and the page is parsed again with
 * `quoteBigIntegers` (such integers become strings, read exactly).
 */
export const NEEDS_EXACT: unique symbol = Symbol('needs exact JSON parse')

/**
 * A page schema with zod's compiled fast path (`z.compile`: generated code that validates and maps
 * a valid page without zod's per-field result objects, and hands an invalid one to the ordinary
 * parser, so the issues, and every message built from them, are zod's own). Same schema, same
 * output: the declaration stays the one source. `strict`: a schema the compiler cannot model fails
 * here (and in the connector tests) instead of silently losing the fast path.
 */
export function compiledSchema<T extends z.ZodType>(schema: T): T {
  return z.compile(schema, { strict: true })
}

/** The params that mark a row issue (a value of the right type that does not convert). */
export const ROW_ISSUE = { row: true } as const

/** Whether a zod issue is a row issue. */
export function isRowIssue(issue: object): boolean {
  return (issue as { params?: { row?: boolean } }).params?.row === true
}

let exactPage = false

/**
 * Run `fn` (a schema parse) knowing whether the page was parsed with big integers quoted: only
 * then is a rounded-looking number an issue instead of a reason to parse the page again.
 */
export function withExactPage<T>(exact: boolean, fn: () => T): T {
  const before = exactPage
  exactPage = exact
  try {
    return fn()
  } finally {
    exactPage = before
  }
}

/** An integer literal of 16+ digits parses to at least 1e15: such values may have been rounded. */
const BIG = 1e15

function guard<T>(v: T): T {
  if (!exactPage && typeof v === 'number' && (v >= BIG || v <= -BIG) && Number.isInteger(v)) throw NEEDS_EXACT
  return v
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/**
 * Run a conversion inside a schema's transform: its error becomes a row issue at `path` (NEEDS_EXACT
 * passes through).
 */
export function converted<T>(ctx: z.RefinementCtx, fn: () => T, path: PropertyKey[] = []): T {
  try {
    return fn()
  } catch (e) {
    if (e === NEEDS_EXACT) throw e
    ctx.addIssue({ code: 'custom', message: message(e), params: ROW_ISSUE, path })
    return z.NEVER
  }
}

/** A numeric field as platforms send it: string, number, null or absent. */
export const NumField = z.union([z.string(), z.number(), z.null()]).optional()
type NumValue = z.infer<typeof NumField>

function numField(fn: (v: NumValue) => number): z.ZodType<number, NumValue> {
  return NumField.transform((v, ctx) => converted(ctx, () => fn(guard(v))))
}

/** An id: a string, or a JSON number read exactly; as a string. */
export const RowId = z.union([z.string(), z.number()]).transform((v) => String(guard(v)))

/** A count ("185", "116.0", 185; null or absent: 0). */
export const Count = numField(parseCount)
/** An integer count ("10505.0" ok, "10.5" refused; null or absent: 0). */
export const IntCount = numField(parseIntCount)
/** An amount in currency units ("12.34", 12.34; null or absent: 0) as integer micros. */
export const AmountMicros = numField((v) => (v === undefined || v === null ? 0 : amountToMicros(v)))
/** Integer micros as a digit string or number (null or absent: 0). */
export const Micros = numField((v) => (v === undefined || v === null ? 0 : parseMicros(v)))

/** A YYYY-MM-DD calendar date. */
export const IsoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .superRefine((v, ctx) => {
    if (!isCalendarDay(v))
      ctx.addIssue({ code: 'custom', message: `Not a calendar date: ${JSON.stringify(v)}`, params: ROW_ISSUE })
  })

const days = new Map<string, boolean>()

/** Whether YYYY-MM-DD is a real calendar date (memoised: a page repeats its few dates). */
export function isCalendarDay(v: string): boolean {
  let ok = days.get(v)
  if (ok === undefined) {
    const d = toEpochDay(v)
    ok = Number.isFinite(d) && fromEpochDay(d) === v
    if (days.size > 10_000) days.clear()
    days.set(v, ok)
  }
  return ok
}

/** Convert an optional raw value inside a row transform (a row issue at `path` when it fails). */
export function convertAt<T>(ctx: z.RefinementCtx, path: PropertyKey[], fn: () => T): T {
  return converted(ctx, fn, path)
}

/** Re-exported so the platform schemas read their numbers in one place. */
export const toCount = (v: NumValue): number => parseCount(guard(v))
export const toIntCount = (v: NumValue): number => parseIntCount(guard(v))
export const toAmountMicros = (v: NumValue): number => (v === undefined || v === null ? 0 : amountToMicros(guard(v)))

/** An id as sent: a string or a JSON number (convert with toId). */
export const IdValue = z.union([z.string(), z.number()])
/** A YYYY-MM-DD string (check it is a calendar date with toDay). */
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
/** An id as a string (a number read exactly; see NEEDS_EXACT). */
export const toId = (v: string | number): string => (typeof v === 'string' ? v : String(guard(v)))
/** A YYYY-MM-DD calendar date (throws for 2026-02-30). */
export function toDay(v: string): string {
  if (!isCalendarDay(v)) throw new Error(`Not a calendar date: ${JSON.stringify(v)}`)
  return v
}
