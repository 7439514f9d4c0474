import { amountMicrosOf, countOf, intCountOf, microsOf } from './fast-number'
import { NULL, STR, plainInt, type JsonCursor } from './json-bytes'
import { dayOf } from './page-decode'

/**
 * Field values of the byte fast path (json-bytes.ts): numbers from the span of a string or number
 * token, and dates, exactly as the text path reads the JSON.parse value of the same field.
 */

const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000]

/** The value JSON.parse gives a number token, or the string of a string span. */
function valueOf(c: JsonCursor, kind: number, s0: number, s1: number): string | number {
  const t = c.text(s0, s1)
  return kind === STR ? t : Number(t)
}

/*
 * Numeric fields from a span, exactly as the fast-number.ts reader called on the JSON.parse value:
 * plain digit forms by the same integer arithmetic; every other form becomes the JSON value
 * (Number of a grammar-checked token is what JSON.parse returns) and goes through that very reader
 * (with `exact` false, so a possibly rounded big integer throws NEEDS_EXACT: the caller bails).
 * Absent and null read as 0, as every decoder maps them.
 */

/** `intCountOf`. */
export function intCountAt(c: JsonCursor, kind: number, s0: number, s1: number): number {
  if (kind <= NULL) return 0
  const n = plainInt(c.b, s0, s1)
  return n >= 0 ? n : intCountOf(valueOf(c, kind, s0, s1), false)
}

/** `countOf`. */
export function countAt(c: JsonCursor, kind: number, s0: number, s1: number): number {
  if (kind <= NULL) return 0
  const n = plainInt(c.b, s0, s1)
  return n >= 0 ? n : countOf(valueOf(c, kind, s0, s1), false)
}

/** `microsOf`. */
export function microsAt(c: JsonCursor, kind: number, s0: number, s1: number): number {
  if (kind <= NULL) return 0
  const n = plainInt(c.b, s0, s1)
  return n >= 0 ? n : microsOf(valueOf(c, kind, s0, s1), false)
}

/**
 * `amountMicrosOf`: "12.34" strings as fast-number reads them (at most 9 whole and 1-6 fraction
 * digits); number tokens of at most 9 digits, or at most 8 whole and 1-6 fraction digits (below
 * 2^27 a double is within 7.5e-9 of the decimal, so decimalToMicros' toFixed(7) gives back exactly
 * these digits); anything else through amountMicrosOf itself.
 */
export function amountAt(c: JsonCursor, kind: number, s0: number, s1: number): number {
  if (kind <= NULL) return 0
  const b = c.b
  let whole = 0
  let i = s0
  const wholeMax = kind === STR ? 9 : 8
  for (; i < s1 && i - s0 < 10; i++) {
    const d = (b[i] as number) - 48
    if (!(d >= 0 && d <= 9)) break
    whole = whole * 10 + d
  }
  const w = i - s0
  if (w >= 1 && w <= 9) {
    if (i === s1) return whole * 1_000_000
    if (w <= wholeMax && b[i] === 0x2e) {
      let frac = 0
      let j = i + 1
      for (; j < s1; j++) {
        const d = (b[j] as number) - 48
        if (!(d >= 0 && d <= 9)) break
        frac = frac * 10 + d
      }
      const digits = j - i - 1
      if (j === s1 && digits >= 1 && digits <= 6) return whole * 1_000_000 + frac * (POW10[6 - digits] as number)
    }
  }
  return amountMicrosOf(valueOf(c, kind, s0, s1), false)
}

/** Epoch days of `isoDate` values (YYYYMMDD numbers) with dayOf's calendar check, memoised per page. */
export class ByteDays {
  private readonly byText = new Map<string, number>()
  private readonly byNum = new Map<number, number>()
  private lastKey = -1
  private lastDay = 0

  get(yyyymmdd: number): number {
    if (yyyymmdd === this.lastKey) return this.lastDay
    let d = this.byNum.get(yyyymmdd)
    if (d === undefined) {
      const y = String(Math.floor(yyyymmdd / 10_000)).padStart(4, '0')
      const m = String(Math.floor(yyyymmdd / 100) % 100).padStart(2, '0')
      const day = String(yyyymmdd % 100).padStart(2, '0')
      d = dayOf(this.byText, `${y}-${m}-${day}`)
      this.byNum.set(yyyymmdd, d)
    }
    this.lastKey = yyyymmdd
    this.lastDay = d
    return d
  }
}
