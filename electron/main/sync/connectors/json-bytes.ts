/**
 * A strict JSON reader over UTF-8 bytes for the daily page decoders' byte fast path: no
 * TextDecoder, no JSON.parse, no object tree. It only reads the plain forms platforms send (ASCII
 * strings without escapes in the fields it maps, numbers in the forms fast-number.ts reads exactly);
 * anything else throws BAIL and the page goes through the text -> JSON.parse path, which decides.
 * Every value it skips is still checked against the JSON grammar, so it never accepts a body
 * JSON.parse would refuse.
 */

import type { IdDict } from './daily-batch'

/** Thrown to abandon the byte path (caught by `tryBytes`). */
export const BAIL: unique symbol = Symbol('byte path bail')

/** Kind of a numeric field value (`numLike`): absent, null, a string or a number token. */
export const ABSENT = 0
export const NULL = 1
export const STR = 2
export const NUM = 3

/** Nesting limit for skipped values (deeper bodies take the JSON.parse path). */
const MAX_DEPTH = 64

/** A key or value literal for `JsonCursor.is` (its UTF-8 bytes: compared without string access). */
export function lit(s: string): Uint8Array {
  return new TextEncoder().encode(s)
}

/** Give up on the byte path. */
export function bail(): never {
  throw BAIL
}

type Latin1 = { latin1Slice?(start: number, end: number): string }

/** A position in a JSON text; the `s0..s1` span is the last string (without quotes) or number read. */
export class JsonCursor {
  pos = 0
  s0 = 0
  s1 = 0
  private readonly buf: Buffer & Latin1
  private readonly dv: DataView

  constructor(readonly b: Uint8Array) {
    this.buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength)
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  }

  /** Skip JSON whitespace (space, tab, LF, CR) and return the next byte (undefined past the end). */
  peek(): number {
    const b = this.b
    let i = this.pos
    let c = b[i] as number
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++i] as number
    this.pos = i
    return c
  }

  /** The next byte must be `c` (after whitespace). */
  expect(c: number): void {
    if (this.peek() !== c) bail()
    this.pos++
  }

  /** Opens an object (`{`): true when a first key follows, false for `{}`. */
  openObject(): boolean {
    this.expect(0x7b)
    if (this.peek() === 0x7d) {
      this.pos++
      return false
    }
    return true
  }

  /** After a member: true at `,` (another key follows), false at `}`. */
  nextMember(): boolean {
    const c = this.peek()
    this.pos++
    if (c === 0x2c) return true
    if (c !== 0x7d) bail()
    return false
  }

  /** Opens an array (`[`): true when a first item follows, false for `[]`. */
  openArray(): boolean {
    this.expect(0x5b)
    if (this.peek() === 0x5d) {
      this.pos++
      return false
    }
    return true
  }

  /** After an item: true at `,`, false at `]`. */
  nextItem(): boolean {
    const c = this.peek()
    this.pos++
    if (c === 0x2c) return true
    if (c !== 0x5d) bail()
    return false
  }

  /** A member's key (a plain string, see `str`) and its colon; compare it with `is`. */
  key(): void {
    this.str()
    this.expect(0x3a)
  }

  /** A string of printable ASCII without escapes: its span in s0..s1 (bails otherwise). */
  str(): void {
    if (this.peek() !== 0x22) bail()
    const b = this.b
    let i = this.pos + 1
    const s0 = i
    // Four bytes at a time while none of them ends or disqualifies the string.
    const dv = this.dv
    const last = b.length - 4
    while (i <= last) {
      const w = dv.getUint32(i, true)
      if ((((w - 0x20202020) | w) & 0x80808080) !== 0 || hasByte(w, 0x22222222) || hasByte(w, 0x5c5c5c5c)) break
      i += 4
    }
    while (PLAIN[b[i] as number] === 1) i++
    // The end of input, control bytes, non-ASCII bytes and backslashes stop the loop too.
    if (b[i] !== 0x22) bail()
    this.s0 = s0
    this.s1 = i
    this.pos = i + 1
  }

  /**
   * The bytes right at the cursor (no whitespace skipped) are `lit`: moves past them and returns
   * true; otherwise leaves the cursor where it was. For fast paths that expect a platform's usual
   * byte layout and fall back to the general reader when it differs.
   */
  skipLit(lit: Uint8Array): boolean {
    const b = this.b
    const p = this.pos
    const n = lit.length
    if (p + n > b.length) return false
    for (let k = 0; k < n; k++) if (b[p + k] !== lit[k]) return false
    this.pos = p + n
    return true
  }

  /** The span s0..s1 equals the literal (see `lit`). */
  is(lit: Uint8Array): boolean {
    const s0 = this.s0
    const n = lit.length
    if (this.s1 - s0 !== n) return false
    const b = this.b
    for (let k = 0; k < n; k++) if (b[s0 + k] !== lit[k]) return false
    return true
  }

  /** The ASCII bytes start..end as a string. */
  text(start: number, end: number): string {
    const buf = this.buf
    return buf.latin1Slice ? buf.latin1Slice(start, end) : buf.toString('latin1', start, end)
  }

  /** A number token per the JSON grammar: its span in s0..s1. */
  num(): void {
    const b = this.b
    let i = this.pos
    const s0 = i
    if (b[i] === 0x2d) i++
    let c = b[i] as number
    if (c === 0x30) i++
    else if (c >= 0x31 && c <= 0x39) {
      c = b[++i] as number
      while (c >= 0x30 && c <= 0x39) c = b[++i] as number
    } else bail()
    if (b[i] === 0x2e) {
      const f0 = ++i
      c = b[i] as number
      while (c >= 0x30 && c <= 0x39) c = b[++i] as number
      if (i === f0) bail()
    }
    c = b[i] as number
    if (c === 0x65 || c === 0x45) {
      c = b[++i] as number
      if (c === 0x2b || c === 0x2d) c = b[++i] as number
      const e0 = i
      while (c >= 0x30 && c <= 0x39) c = b[++i] as number
      if (i === e0) bail()
    }
    this.s0 = s0
    this.s1 = i
    this.pos = i
  }

  /** A numeric field (string, number or null): its kind, span in s0..s1; anything else bails. */
  numLike(): number {
    const c = this.peek()
    if (c === 0x22) {
      this.str()
      return STR
    }
    if (c === 0x6e) {
      this.literal('null')
      return NULL
    }
    this.num()
    return NUM
  }

  /**
   * An id (a string, or an integer token of at most 15 digits, as String(number) would print it) as
   * its index in `dict`: a string is made only for an id new to the dictionary.
   */
  idIn(dict: IdDict): number {
    if (this.peek() === 0x22) this.str()
    else {
      this.num()
      if (plainInt(this.b, this.s0, this.s1) < 0) bail()
    }
    return dict.ofBytes(this.b, this.s0, this.s1, this.textOf)
  }

  /**
   * An id where the text path keeps integer tokens of any length exact (json-text.ts quotes those
   * of 16+ digits): a string, or a digits-only token as its digits; its index in `dict`.
   */
  exactIdIn(dict: IdDict): number {
    if (this.peek() === 0x22) this.str()
    else {
      this.num()
      const b = this.b
      for (let i = this.s0; i < this.s1; i++) if (!((b[i] as number) >= 0x30 && (b[i] as number) <= 0x39)) bail()
    }
    return dict.ofBytes(this.b, this.s0, this.s1, this.textOf)
  }

  /** `text` bound to this cursor (for IdDict.ofBytes). */
  readonly textOf = (start: number, end: number): string => this.text(start, end)

  /**
   * `YYYY-MM-DD` (the shape checks' regex; with `prefix`, at the start of the string) as the number
   * YYYYMMDD; the calendar check is the caller's.
   */
  isoDate(prefix = false): number {
    this.str()
    const b = this.b
    const s0 = this.s0
    const len = this.s1 - s0
    if ((prefix ? len < 10 : len !== 10) || b[s0 + 4] !== 0x2d || b[s0 + 7] !== 0x2d) bail()
    let v = 0
    for (let k = 0; k < 10; k++) {
      if (k === 4 || k === 7) continue
      const d = (b[s0 + k] as number) - 48
      if (!(d >= 0 && d <= 9)) bail()
      v = v * 10 + d
    }
    return v
  }

  /** Any string value (escapes and UTF-8 allowed, checked), decoded exactly as JSON.parse would. */
  anyString(): string {
    if (this.peek() !== 0x22) bail()
    const start = this.pos
    this.skipString()
    const b = this.b
    for (let i = start + 1; i < this.pos - 1; i++)
      if (PLAIN[b[i] as number] !== 1)
        return JSON.parse(new TextDecoder().decode(b.subarray(start, this.pos))) as string
    return this.text(start + 1, this.pos - 1)
  }

  /** The literal `true`, `false` or `null`. */
  literal(word: string): void {
    const b = this.b
    const p = this.pos
    for (let k = 0; k < word.length; k++) if (b[p + k] !== word.charCodeAt(k)) bail()
    this.pos = p + word.length
  }

  /** Skip a string, checking escapes and control bytes. */
  private skipString(): void {
    const b = this.b
    let i = this.pos + 1
    const dv = this.dv
    const last = b.length - 4
    for (;;) {
      while (i <= last) {
        const w = dv.getUint32(i, true)
        if (((w - 0x20202020) & ~w & 0x80808080) !== 0 || hasByte(w, 0x22222222) || hasByte(w, 0x5c5c5c5c)) break
        i += 4
      }
      // Any byte >= 0x80 is fine: TextDecoder would turn invalid UTF-8 into U+FFFD, which JSON allows.
      while (SKIP[b[i] as number] === 1) i++
      const c = b[i]
      if (c === 0x22) break
      if (c !== 0x5c) bail()
      const e = b[i + 1] as number
      if (e === 0x75) {
        for (let k = 2; k < 6; k++) if (!isHex(b[i + k] as number)) bail()
        i += 6
      } else if (ESCAPE[e] === 1) i += 2
      else bail()
    }
    this.pos = i + 1
  }

  /** Skip one complete value of any type, checking it strictly against the JSON grammar. */
  skip(depth = 0): void {
    const c = this.peek()
    if (c === 0x22) {
      this.skipString()
      return
    }
    if (c === 0x7b) {
      if (depth >= MAX_DEPTH) bail()
      if (this.openObject())
        do {
          if (this.peek() !== 0x22) bail()
          this.skipString()
          this.expect(0x3a)
          this.skip(depth + 1)
        } while (this.nextMember())
      return
    }
    if (c === 0x5b) {
      if (depth >= MAX_DEPTH) bail()
      if (this.openArray())
        do this.skip(depth + 1)
        while (this.nextItem())
      return
    }
    if (c === 0x74) this.literal('true')
    else if (c === 0x66) this.literal('false')
    else if (c === 0x6e) this.literal('null')
    else this.num()
  }

  /** Only whitespace may follow. */
  end(): void {
    this.peek()
    if (this.pos !== this.b.length) bail()
  }
}

/** Bytes a plain string may hold (printable ASCII but `"` and `\\`). */
const PLAIN = new Uint8Array(256)
/** Bytes any string may hold unescaped (as PLAIN, plus everything from 0x80). */
const SKIP = new Uint8Array(256)
/** Characters after a backslash (but u): `"` `\\` `/` b f n r t. */
const ESCAPE = new Uint8Array(256)
for (let c = 0x20; c < 0x100; c++) if (c !== 0x22 && c !== 0x5c) SKIP[c] = c < 0x80 ? (PLAIN[c] = 1) : 1
for (const c of '"\\/bfnrt') ESCAPE[c.charCodeAt(0)] = 1

/** Some byte of the 32-bit word `w` equals the byte repeated in `pattern` (the classic has-zero-byte test). */
function hasByte(w: number, pattern: number): boolean {
  const x = w ^ pattern
  return ((x - 0x01010101) & ~x & 0x80808080) !== 0
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
}

/** Digits only, 1 to 15 of them: the value (exact), else -1 (fast-number's plainInt on bytes). */
export function plainInt(b: Uint8Array, s0: number, s1: number): number {
  const len = s1 - s0
  if (len === 0 || len > 15) return -1
  let n = 0
  for (let i = s0; i < s1; i++) {
    const d = (b[i] as number) - 48
    if (!(d >= 0 && d <= 9)) return -1
    n = n * 10 + d
  }
  return n
}

/** Run a byte decoder: its result, or undefined when it bailed or any reader refused a value. */
export function tryBytes<T>(bytes: Uint8Array, read: (c: JsonCursor) => T): T | undefined {
  try {
    const c = new JsonCursor(bytes)
    const out = read(c)
    c.end()
    return out
  } catch {
    // BAIL, NEEDS_EXACT or a value error: the JSON.parse path decides (and names any problem).
    return undefined
  }
}
