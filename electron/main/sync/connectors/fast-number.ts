import { parseMicros } from '../../../../shared/domain/money'
import { amountToMicros, parseCount, parseIntCount } from './normalize'

/**
 * Number readers for the daily page decoders: allocation-free exact fast paths for the plain
 * encodings platforms use ("185", 185, "14.35", "2500000000"), falling back to the normalize.ts
 * parsers (same results, same error messages) for anything else.
 *
 * Pages are parsed with plain JSON.parse first; a number that JSON.parse may have rounded (an
 * integer of 16+ digits, which json-text.ts would have kept as a string) throws NEEDS_EXACT so
 * the decoder re-parses that page with `quoteBigIntegers` and reads it again with `exact` set.
 */
export const NEEDS_EXACT: unique symbol = Symbol('needs exact JSON parse')

/** An integer literal of 16+ digits parses to at least 1e15: such values may have been rounded. */
const BIG = 1e15

const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000]

/** A number read from JSON.parse output: throws NEEDS_EXACT when it may be a rounded 16+ digit integer. */
export function guardNumber(v: number, exact: boolean): void {
  if (!exact && (v >= BIG || v <= -BIG) && Number.isInteger(v)) throw NEEDS_EXACT
}

/** An id field value (string, or a number that is a safe integer) as a string, or undefined when not an id. */
export function idOf(v: unknown, exact: boolean): string | undefined {
  if (typeof v === 'string') return v
  if (typeof v === 'number') {
    if (!exact && !Number.isSafeInteger(v)) throw NEEDS_EXACT
    return String(v)
  }
  return undefined
}

/** Digits-only string of at most 15 digits as its value, else -1. */
function plainInt(s: string): number {
  const len = s.length
  if (len === 0 || len > 15) return -1
  let n = 0
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -1
    n = n * 10 + c
  }
  return n
}

/** `parseCount`. */
export function countOf(v: string | number | null | undefined, exact: boolean): number {
  if (typeof v === 'number') {
    guardNumber(v, exact)
    return v
  }
  if (typeof v === 'string') {
    const n = plainInt(v)
    if (n >= 0) return n
  }
  return parseCount(v)
}

/** `parseIntCount`. */
export function intCountOf(v: string | number | null | undefined, exact: boolean): number {
  if (typeof v === 'number') {
    guardNumber(v, exact)
    if (Number.isInteger(v)) return v
  } else if (typeof v === 'string') {
    const n = plainInt(v)
    if (n >= 0) return n
  }
  return parseIntCount(v)
}

/**
 * `amountToMicros`: "12.34" (at most 9 whole and 6 fraction digits) by integer arithmetic on the
 * digits and whole numbers below 9e9 by one exact multiplication; everything else (more digits,
 * signs, spaces, fractional numbers) goes through `decimalToMicros` and its rounding and errors.
 */
export function amountMicrosOf(v: string | number, exact: boolean): number {
  if (typeof v === 'string') {
    const len = v.length
    let whole = 0
    let i = 0
    for (; i < len && i < 10; i++) {
      const c = v.charCodeAt(i) - 48
      if (c < 0 || c > 9) break
      whole = whole * 10 + c
    }
    if (i >= 1 && i <= 9) {
      if (i === len) return whole * 1_000_000
      if (v.charCodeAt(i) === 46 /* . */) {
        let frac = 0
        let j = i + 1
        for (; j < len; j++) {
          const c = v.charCodeAt(j) - 48
          if (c < 0 || c > 9) break
          frac = frac * 10 + c
        }
        const digits = j - i - 1
        if (j === len && digits >= 1 && digits <= 6) return whole * 1_000_000 + frac * (POW10[6 - digits] as number)
      }
    }
    return amountToMicros(v)
  }
  guardNumber(v, exact)
  // + 0 turns -0 into 0, as decimalToMicros does.
  if (Number.isInteger(v) && v < 9e9 && v > -9e9) return v * 1_000_000 + 0
  return amountToMicros(v)
}

/** `parseMicros` (integer micros as a digit string or number). */
export function microsOf(v: string | number, exact: boolean): number {
  if (typeof v === 'string') {
    const n = plainInt(v)
    if (n >= 0) return n
  } else {
    guardNumber(v, exact)
    if (Number.isSafeInteger(v)) return v + 0
  }
  return parseMicros(v)
}
