import { describe, expect, it } from 'vitest'
import { Rng } from '../simulator/rng'
import { IdDict } from './daily-batch'
import { amountMicrosOf, countOf, intCountOf, microsOf } from './fast-number'
import { JsonCursor, NUM, STR, tryBytes } from './json-bytes'
import { amountAt, countAt, intCountAt, microsAt } from './json-bytes-values'

const encode = (s: string): Uint8Array => new TextEncoder().encode(s)

function parses(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

const skips = (text: string): boolean =>
  tryBytes(encode(text), (c) => {
    c.skip()
    return true
  }) === true

/** Deterministic random numbers in [0, 1) (the simulator's seeded generator). */
function rng(seed: number): () => number {
  const g = new Rng(seed)
  return () => g.next()
}

const SNIPPETS = [
  '{}',
  '[]',
  ' { "a" : [ 1 , -2.5e+3 , true , false , null , "x" ] } ',
  '{"a":{"b":{"c":[[[]]]}}}',
  '"caf\u00e9 \u{1F600}"',
  '"\\u00e9\\ud83d\\ude00\\"\\\\\\/\\b\\f\\n\\r\\t"',
  '"\\ud800"',
  '0',
  '-0',
  '0.0',
  '1E9',
  '1e-9',
  '123456789012345678901234567890',
  '\t\n\r 7 \r\n\t',
  '',
  ' ',
  '{',
  '}',
  '[1,]',
  '[,1]',
  '{"a":1,}',
  '{"a" 1}',
  '{a:1}',
  "{'a':1}",
  '01',
  '-',
  '1.',
  '.5',
  '+1',
  '1e',
  '1e+',
  '0x10',
  'NaN',
  'Infinity',
  'tru',
  'nul',
  'True',
  '"\\x41"',
  '"\\u12"',
  '"\\u12G4"',
  '"a\tb"',
  '"a\u0001b"',
  '"abc',
  '"abc\\"',
  '[1 2]',
  '{"a":1 "b":2}',
  '1 2',
  '{}{}',
  '[]]',
  '\u00a01',
  '\ufeff{}',
  '1\u2028',
  '"\u2028"',
  '{"__proto__":1}',
]

/** Fragments glued at random: mostly invalid JSON, some valid, covering every token edge. */
const FRAGMENTS = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"a"',
  '"k"',
  '"é"',
  '"\\u00e9"',
  '"\\x"',
  '"\\',
  '"',
  '\\',
  '1',
  '0',
  '-',
  '.',
  '5',
  'e',
  'E+',
  '-0',
  '01',
  'true',
  'fals',
  'false',
  'null',
  ' ',
  '\n',
  '\t',
  '\u0001',
  '"\t"',
]

describe('JsonCursor.skip accepts exactly what JSON.parse accepts', () => {
  it('on hand-picked valid and invalid snippets', () => {
    for (const s of SNIPPETS) expect(skips(s), JSON.stringify(s)).toBe(parses(s))
    expect(SNIPPETS.filter(parses).length).toBeGreaterThan(10)
  })

  it('on thousands of random token soups and structured values', () => {
    const r = rng(42)
    let valid = 0
    for (let n = 0; n < 6000; n++) {
      let s = ''
      const len = 1 + Math.floor(r() * 12)
      for (let k = 0; k < len; k++) s += FRAGMENTS[Math.floor(r() * FRAGMENTS.length)]
      if (parses(s)) valid++
      expect(skips(s), JSON.stringify(s)).toBe(parses(s))
    }
    // Valid structured values, and every truncation of them.
    for (let n = 0; n < 200; n++) {
      const value = randomValue(r, 0)
      const s = JSON.stringify(value)
      valid++
      expect(skips(s), s).toBe(true)
      for (let cut = 0; cut < s.length; cut += 3)
        expect(skips(s.slice(0, cut)), s.slice(0, cut)).toBe(parses(s.slice(0, cut)))
    }
    expect(valid).toBeGreaterThan(200)
  })

  it('finds every special byte at every offset of a long string (word-at-a-time scan)', () => {
    const specials = ['\u0000', '\u001f', '\t', '"', '\\', '\\n', '\\u00e9', '\\q', 'é', '\u007f', ' ']
    for (let len = 0; len < 14; len++)
      for (let at = 0; at <= len; at++)
        for (const sp of specials) {
          const body = `"${'a'.repeat(at)}${sp}${'b'.repeat(len - at)}"`
          expect(skips(body), JSON.stringify(body)).toBe(parses(body))
          expect(skips(`[${body},1]`)).toBe(parses(`[${body},1]`))
          const plain = tryBytes(encode(body), (c) => {
            c.str()
            return c.text(c.s0, c.s1)
          })
          const printable =
            parses(body) && /^[\x20-\x7f]*$/.test(JSON.parse(body) as string) && !body.slice(1, -1).includes('\\')
          expect(plain, body).toBe(printable ? JSON.parse(body) : undefined)
        }
  })

  it('bails past the nesting limit instead of recursing without end', () => {
    expect(skips('['.repeat(60) + ']'.repeat(60))).toBe(true)
    expect(skips('['.repeat(5000) + ']'.repeat(5000))).toBe(false)
  })
})

function randomValue(r: () => number, depth: number): unknown {
  const pick = Math.floor(r() * (depth > 4 ? 5 : 7))
  switch (pick) {
    case 0:
      return Math.floor(r() * 1e6) / (r() < 0.5 ? 1 : 1000)
    case 1:
      return ['', 'x', 'é', 'a"b', 'c\\d', '\n', '\u0000', '\ud83d\ude00'][Math.floor(r() * 8)]
    case 2:
      return r() < 0.5
    case 3:
      return null
    case 4:
      return -r() * 1e-7
    case 5:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1))
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(r() * 4) }, (_, i) => [`k${i}`, randomValue(r, depth + 1)]),
      )
  }
}

type Reader = (v: string | number, exact: boolean) => number
type SpanReader = typeof countAt

/** What the span reader gives for a JSON value text, or 'throws'. */
function viaBytes(read: SpanReader, json: string): number | 'throws' {
  const out = tryBytes(encode(json), (c) => {
    const kind = c.numLike()
    return read(c, kind, c.s0, c.s1)
  })
  return out === undefined ? 'throws' : out
}

function viaJson(read: Reader, json: string): number | 'throws' {
  try {
    return read(JSON.parse(json) as string | number, false)
  } catch {
    return 'throws'
  }
}

describe('number spans read exactly as fast-number reads the JSON.parse value', () => {
  const readers: [string, SpanReader, Reader][] = [
    ['intCount', intCountAt, (v, e) => intCountOf(v, e)],
    ['count', countAt, (v, e) => countOf(v, e)],
    ['micros', microsAt, microsOf],
    ['amount', amountAt, amountMicrosOf],
  ]
  const tokens = [
    '0',
    '7',
    '185',
    '999999999',
    '1000000000',
    '8999999999',
    '9000000000',
    '123456789012345',
    '999999999999999',
    '1000000000000000',
    '1234567890123456789',
    '-0',
    '-5',
    '0.5',
    '14.35',
    '14.350000',
    '14.3500001',
    '99999999.999999',
    '100000000.5',
    '536870911.999999',
    '0.000001',
    '0.0000005',
    '1e3',
    '1E-2',
    '2.5e1',
    '10505.0',
    '1.5',
  ]
  const strings = ['', ' 12', '12 ', '+1', '1,5', '0x10', 'abc', '00012', '.5', '5.', '-1.25', '12.3456789', '１２']
  const r = rng(7)
  const random: string[] = []
  for (let n = 0; n < 3000; n++) {
    const whole = String(Math.floor(r() * 10 ** Math.floor(r() * 12)))
    const frac = r() < 0.6 ? `.${String(Math.floor(r() * 10 ** 8)).slice(0, 1 + Math.floor(r() * 8))}` : ''
    random.push(whole + frac)
  }

  it.each(readers)('%s: number tokens and numeric strings', (_name, span, plain) => {
    for (const t of [...tokens, ...random]) {
      if (parses(t)) expect(viaBytes(span, t), t).toBe(viaJson(plain, t))
      const quoted = JSON.stringify(t)
      expect(viaBytes(span, quoted), quoted).toBe(viaJson(plain, quoted))
    }
    for (const s of strings) {
      const quoted = JSON.stringify(s)
      const fast = viaBytes(span, quoted)
      // Strings with escapes or non-ASCII bytes bail; every other answer is fast-number's.
      if (fast !== 'throws') expect(fast, quoted).toBe(viaJson(plain, quoted))
    }
    expect(viaBytes(span, 'null')).toBe(0)
    expect(viaBytes(span, 'true')).toBe('throws')
  })

  it('reads ids as strings only in forms String(number) prints back unchanged', () => {
    const id = (json: string): string | undefined => {
      const dict = new IdDict()
      const i = tryBytes(encode(json), (c) => c.idIn(dict))
      return i === undefined ? undefined : dict.list[i]
    }
    expect(id('"23854695759200548"')).toBe('23854695759200548')
    expect(id('123456789012345')).toBe('123456789012345')
    expect(id('1234567890123456')).toBeUndefined()
    expect(id('-1')).toBeUndefined()
    expect(id('1.0')).toBeUndefined()
    expect(id('"a\\u0062"')).toBeUndefined()
    expect(id('"é"')).toBeUndefined()
    const exact = (json: string): string | undefined => {
      const dict = new IdDict()
      const i = tryBytes(encode(json), (c) => c.exactIdIn(dict))
      return i === undefined ? undefined : dict.list[i]
    }
    expect(exact('1234567890123456789')).toBe('1234567890123456789')
    expect(exact('"x-1"')).toBe('x-1')
    expect(exact('-1')).toBeUndefined()
    expect(exact('1e3')).toBeUndefined()
    const dict = new IdDict()
    const c = new JsonCursor(encode('["abc","abc","abd"]'))
    c.openArray()
    const a = c.idIn(dict)
    c.nextItem()
    const b = c.idIn(dict)
    c.nextItem()
    expect([a, b, c.idIn(dict)]).toEqual([0, 0, 1])
    expect(dict.list).toEqual(['abc', 'abd'])
    expect(STR).not.toBe(NUM)
  })

  it('keeps one index per id across byte and string lookups, through table growth and hash collisions', () => {
    const dict = new IdDict()
    const ids = Array.from({ length: 5000 }, (_, i) => String(23_000_000_000 + i * 7919))
    // Same-length ids whose bytes differ in one place share most of their hash input.
    ids.push('ab', 'ba', 'a', '', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')
    const text = ids.join('')
    const bytes = encode(text)
    const spans: [number, number][] = []
    let at = 0
    for (const id of ids) {
      spans.push([at, at + id.length])
      at += id.length
    }
    const made: string[] = []
    const slice = (s0: number, s1: number): string => {
      const t = text.slice(s0, s1)
      made.push(t)
      return t
    }
    // Every third id is known by its string first.
    ids.forEach((id, i) => {
      if (i % 3 === 0) expect(dict.of(id)).toBe(i)
      else {
        const [s0, s1] = spans[i] as [number, number]
        expect(dict.ofBytes(bytes, s0, s1, slice)).toBe(i)
      }
    })
    for (let round = 0; round < 2; round++)
      ids.forEach((id, i) => {
        const [s0, s1] = spans[i] as [number, number]
        expect(dict.ofBytes(bytes, s0, s1, slice)).toBe(i)
        expect(dict.of(id)).toBe(i)
      })
    expect(dict.list).toEqual(ids)
    // A string is made once per id found by bytes first, and once for a string-known id's first byte lookup.
    expect(made.length).toBe(ids.length)
  })
})
