import { NEEDS_EXACT } from './fast-number'

/**
 * Allocation-free shape checks for the hot paths (daily report pages of thousands of rows) that
 * mirror loose zod schemas: each returns the value zod would produce (converting number ids to
 * strings in place, keeping unknown keys) or undefined, after which the zod schema re-checks the
 * body and names the problem. Never use them to accept something the schema would refuse.
 */

/** A plain JSON object, or undefined. */
export function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
}

/**
 * IdSchema in place: a string stays, a number becomes its string; false for anything else. With
 * `exact` false (body read by plain JSON.parse) a number that is not a safe integer throws
 * NEEDS_EXACT: it may have been rounded, so the body must be re-read with quoteBigIntegers.
 */
export function idInPlace(o: Record<string, unknown>, key: string, exact = true): boolean {
  const v = o[key]
  if (typeof v === 'string') return true
  if (typeof v === 'number') {
    if (!exact && !Number.isSafeInteger(v)) throw NEEDS_EXACT
    o[key] = String(v)
    return true
  }
  return false
}

/** NumLike: string, number, null or absent. */
export function isNumLike(v: unknown): boolean {
  return v === undefined || v === null || typeof v === 'string' || typeof v === 'number'
}

/** Every item passes `check` (which may convert in place): the array itself, else undefined. */
export function checkedList<T>(v: unknown, check: (item: unknown) => boolean): T[] | undefined {
  if (!Array.isArray(v)) return undefined
  for (let i = 0; i < v.length; i++) if (!check(v[i])) return undefined
  return v as T[]
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

/** `z.string().regex(/^\d{4}-\d{2}-\d{2}$/)`. */
export function isIsoDate(v: unknown): boolean {
  return typeof v === 'string' && ISO_DATE.test(v)
}
