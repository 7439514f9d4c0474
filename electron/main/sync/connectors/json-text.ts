/**
 * JSON parsing that keeps 64-bit ids exact: TikTok (and occasionally Meta) send ids as JSON
 * numbers with up to 19 digits, which `JSON.parse` would round to the nearest double.
 */

/** Integers with this many digits or more may exceed 2^53 and are quoted before parsing. */
const BIG_INT_DIGITS = 16

/**
 * Parse JSON text, turning every integer literal of 16+ digits (outside strings) into a string.
 * Throws SyntaxError for invalid or truncated JSON, like `JSON.parse`.
 */
export function parseJsonPreservingBigInts(text: string): unknown {
  return JSON.parse(BARE_BIG_INT.test(text) ? quoteBigIntegers(text) : text)
}

/**
 * A bare (unquoted) JSON integer of 16+ digits: in valid JSON a number follows `:`, `,`, `[` or
 * starts the text, and ends at `,`, `}`, `]`, whitespace or the end. Texts without a match (most
 * pages: ids sent as strings) skip the character scan; a false match only costs that scan.
 */
const BARE_BIG_INT = /(?:^|[:,[])\s*-?\d{16,}(?:[\s,}\]]|$)/

/** Rewrite `text` so that big integer literals become JSON strings; strings are left untouched. */
export function quoteBigIntegers(text: string): string {
  let out = ''
  let last = 0
  let i = 0
  const n = text.length
  while (i < n) {
    const ch = text.charCodeAt(i)
    if (ch === 0x22 /* " */) {
      i++
      while (i < n) {
        const c = text.charCodeAt(i)
        if (c === 0x5c /* \ */) i += 2
        else if (c === 0x22) break
        else i++
      }
      i++
      continue
    }
    if (ch === 0x2d /* - */ || (ch >= 0x30 && ch <= 0x39)) {
      const start = i
      i++
      while (i < n) {
        const c = text.charCodeAt(i)
        if ((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d) i++
        else break
      }
      // Only a long token can be a big integer: shorter ones are skipped without a slice.
      const digits = ch === 0x2d ? i - start - 1 : i - start
      if (digits >= BIG_INT_DIGITS) {
        const token = text.slice(start, i)
        if (/^-?\d+$/.test(token)) {
          out += `${text.slice(last, start)}"${token}"`
          last = i
        }
      }
      continue
    }
    i++
  }
  return last === 0 ? text : out + text.slice(last)
}
