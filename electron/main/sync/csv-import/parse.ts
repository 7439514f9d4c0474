import Papa from 'papaparse'
import { isIsoDate, isReportingDate } from '../../../../shared/domain/dates'
import { decimalToMicros, parseMicros } from '../../../../shared/domain/money'
import { detectMapping, type CsvMapping } from './detect'
import type { DailyMetricValues } from '../../../../shared/domain/metrics'

export interface RowError {
  /** 1-based line number in the file (header = its own line). */
  row: number
  column: string | null
  message: string
}

/** One parsed, validated CSV line in store units. */
export interface CsvRow extends DailyMetricValues {
  line: number
  date: string
  currency: string
  campaign: { id: string | null; name: string }
  adSet: { id: string | null; name: string }
  ad: { id: string | null; name: string }
}

export interface ParsedCsv {
  headers: string[]
  mapping: CsvMapping | null
  rows: CsvRow[]
  errors: RowError[]
  /** The first lines as header -> value, for the preview table. */
  sample: Record<string, string>[]
}

/**
 * Value checks of every imported line (docs/imports.md). No supported export reports a net negative
 * value (Meta and Google Ads apply refunds and conversion retractions to the original day, never below
 * zero), so every count and amount must be >= 0.
 */
export const IMPORT_LIMITS = {
  /** Campaign, ad set and ad names (characters). */
  nameChars: 512,
  /** Platform ids (characters). */
  idChars: 128,
  /** Impressions, clicks, reach and video views of one line. */
  maxCount: 10_000_000_000,
  /** Conversions of one line. */
  maxConversions: 1_000_000_000,
  /** Spend and conversion value of one line, in currency units. */
  maxMoneyUnits: 1_000_000_000,
} as const

/** A cell value as quoted in an error message (long values are cut). */
export function quoteCell(v: string): string {
  return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)
}

const THOUSANDS = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/
const PLAIN = /^-?\d+(\.\d+)?$/
const EMPTY = new Set(['', '--', '-', ' --'])

/** A decimal cell ("1,234.50", "12", "" = 0); refuses "12,5" and anything else ambiguous. */
function decimalCell(v: string): string {
  const s = v.trim().replace(/^[$€£¥]/, '')
  if (EMPTY.has(s)) return '0'
  if (THOUSANDS.test(s)) return s.replace(/,/g, '')
  if (PLAIN.test(s)) return s
  throw new Error(`${quoteCell(v)} is not a number (use 1234.56 or 1,234.56)`)
}

/** A decimal cell that must be >= 0 and at most `max`. */
function boundedCell(v: string, max: number, what: string): string {
  const d = decimalCell(v)
  const n = Number(d)
  if (n < 0) throw new Error(`${quoteCell(v)} is negative: ${what} cannot be below zero`)
  if (!(n <= max)) throw new Error(`${quoteCell(v)} is out of range: ${what} is at most ${max.toLocaleString('en-US')}`)
  return d
}

function intCell(v: string): number {
  const n = Number(boundedCell(v, IMPORT_LIMITS.maxCount, 'a count'))
  if (!Number.isInteger(n)) throw new Error(`${quoteCell(v)} is not a whole number`)
  return n
}

/** Parse a date cell in the mapping's format into `YYYY-MM-DD`. */
export function parseDateCell(v: string, format: CsvMapping['dateFormat']): string {
  const s = v.trim()
  let y: string | undefined
  let m: string | undefined
  let d: string | undefined
  const parts = (re: RegExp): string[] | null => re.exec(s)?.slice(1) ?? null
  switch (format) {
    case 'YYYY-MM-DD':
      ;[y, m, d] = parts(/^(\d{4})-(\d{1,2})-(\d{1,2})$/) ?? []
      break
    case 'MM/DD/YYYY':
      ;[m, d, y] = parts(/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/) ?? []
      break
    case 'DD/MM/YYYY':
      ;[d, m, y] = parts(/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/) ?? []
      break
    case 'DD.MM.YYYY':
      ;[d, m, y] = parts(/^(\d{1,2})\.(\d{1,2})\.(\d{4})$/) ?? []
      break
    case 'YYYYMMDD':
      ;[y, m, d] = parts(/^(\d{4})(\d{2})(\d{2})$/) ?? []
      break
  }
  const iso = y && m && d ? `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}` : ''
  if (!isIsoDate(iso)) throw new Error(`${quoteCell(v)} is not a date in ${format} format`)
  if (!isReportingDate(iso)) throw new Error(`${quoteCell(v)} is outside the years 2000-2100`)
  return iso
}

/** Find the header line: Google exports put a title and a date-range line above it. */
function headerIndex(lines: string[][], want: 'auto' | 'meta' | 'google' | CsvMapping): number {
  for (let i = 0; i < Math.min(lines.length, 10); i++) {
    const h = lines[i] ?? []
    if (
      typeof want === 'object'
        ? h.includes(want.columns.date) && h.includes(want.columns.campaign)
        : detectMapping(h, want)
    )
      return i
  }
  return 0
}

/** Quote characters in s[from, to) (only there: `indexOf` would run on to the next quote anywhere after). */
function countQuotes(s: string, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 34) n++
  return n
}

/**
 * The most a piece grows to reach a line break outside quotes. A stray quote (an unquoted `12" pizza`:
 * inside an unquoted cell it is a character to the parser) leaves every later line "inside quotes" to
 * this count, so every later piece is cut here, at a line break, and parses as it should; before, each
 * line rescanned the rest of the text (34 s for 8 MB on the core's thread). 128 KB: a piece that size
 * parses in ~20 ms (1 MB pieces took ~157 ms each, review 10).
 */
export const QUOTED_PIECE_MAX_CHARS = 128 * 1024

/**
 * A CSV's text: one string, or its consecutive parts (a file decoded a megabyte at a time: joining
 * them into one string is one long step on the core's thread, ~60 ms at 36 MB).
 */
export type CsvText = string | readonly string[]

/**
 * Cut CSV text into pieces of about `target` characters that end at a line break outside quotes
 * (an even number of quote characters before it), so each piece parses on its own. One pass; a
 * line that runs over the end of a part is carried into the next.
 */
export function* csvPieces(content: CsvText, target = 32 * 1024): Generator<string> {
  const parts = typeof content === 'string' ? [content] : content
  let carry = ''
  for (let p = 0; p < parts.length; p++) {
    const last = p === parts.length - 1
    const text = carry + (parts[p] as string)
    carry = ''
    const n = text.length
    let start = 0
    while (start < n) {
      let end = Math.min(n, start + target)
      let quotes = countQuotes(text, start, end)
      while (end < n) {
        const nl = text.indexOf('\n', end)
        const stop = nl < 0 ? n : nl + 1
        quotes += countQuotes(text, end, stop)
        end = stop
        if (quotes % 2 === 0 || end - start >= QUOTED_PIECE_MAX_CHARS) break
      }
      // The part's end is not a line's end (no line break outside quotes after it): the next part goes on.
      if (
        !last &&
        end === n &&
        n - start < QUOTED_PIECE_MAX_CHARS &&
        (quotes % 2 !== 0 || text.charCodeAt(n - 1) !== 10)
      ) {
        carry = text.slice(start)
        break
      }
      yield text.slice(start, end)
      start = end
    }
  }
  if (carry) yield carry
}

/**
 * Characters parsed and checked between pauses: 32 KB (~270 lines) was 20-30 ms of the core's
 * thread on a quiet machine and 50-60 ms under load (import bench, 300,000 lines).
 */
export const PARSE_PIECE_CHARS = 16 * 1024

export interface ParseOptions {
  /** Called between pieces of the file (about `PARSE_PIECE_CHARS` each): await it to let other work run. */
  pause?: (done: number, total: number) => Promise<void>
}

/**
 * Parse and validate a CSV (nothing is written): detect or apply the mapping, convert every
 * cell (money to micros with decimal arithmetic, dates to `YYYY-MM-DD`) and collect row-level
 * errors with line and column. Linear in the file's size; it parses piece by piece and awaits
 * `opts.pause` between pieces so a large file never holds the event loop for long.
 */
export async function parseCsv(
  content: CsvText,
  want: 'auto' | 'meta' | 'google' | CsvMapping,
  opts: ParseOptions = {},
): Promise<ParsedCsv> {
  // A byte-order mark is dropped (a regular expression would scan the whole text: ~30 ms at 36 MB).
  const parts = typeof content === 'string' ? [content] : [...content]
  const head = parts[0] ?? ''
  if (head.charCodeAt(0) === 0xfeff) parts[0] = head.slice(1)
  const length = parts.reduce((n, t) => n + t.length, 0)
  const errors: RowError[] = []
  const rows: CsvRow[] = []
  const sample: Record<string, string>[] = []
  let headers: string[] = []
  let mapping: CsvMapping | null = null
  let col = new Map<string, number>()
  /** Records seen so far (the row number of a record is its index + 1). */
  let seen = 0
  let done = 0
  let first = true
  const repeats = new Repeats()
  /** The delimiter Papa guessed on the first piece, kept for the others (each guess re-parsed its piece's first lines). */
  let delimiter: string | undefined
  for (const piece of csvPieces(parts, PARSE_PIECE_CHARS)) {
    const res = Papa.parse<string[]>(piece, { skipEmptyLines: 'greedy', ...(delimiter ? { delimiter } : {}) })
    delimiter ??= res.meta.delimiter
    for (const e of res.errors)
      errors.push({ row: seen + (e.row ?? 0) + 1, column: null, message: `CSV syntax: ${e.message}` })
    const lines = res.data
    let startAt = 0
    if (first) {
      first = false
      const hi = headerIndex(lines, want)
      headers = (lines[hi] ?? []).map((h) => h.trim())
      mapping = typeof want === 'object' ? want : detectMapping(headers, want)
      if (!mapping) {
        errors.push({
          row: hi + 1,
          column: null,
          message: 'Unrecognised columns: not a Meta or Google Ads export. Map the columns in the wizard.',
        })
        return { headers, mapping: null, rows: [], errors, sample }
      }
      col = new Map<string, number>()
      headers.forEach((h, i) => {
        if (!col.has(h)) col.set(h, i) // first of duplicated headers (Meta repeats "Objective")
      })
      const missing = Object.entries(mapping.columns).filter(([, name]) => name !== undefined && !col.has(name))
      for (const [field, name] of missing)
        errors.push({
          row: hi + 1,
          column: name ?? null,
          message: `Column "${name}" mapped to ${field} is not in the file`,
        })
      if (missing.length) return { headers, mapping, rows: [], errors, sample }
      startAt = hi + 1
    }
    const m = mapping as CsvMapping
    for (let i = startAt; i < lines.length; i++)
      checkLine(lines[i] as string[], seen + i + 1, headers, col, m, rows, errors, sample, repeats)
    seen += lines.length
    done += piece.length
    if (opts.pause) await opts.pause(done, length)
  }
  if (rows.length === 0 && errors.length === 0)
    errors.push({ row: 1, column: null, message: 'The file has no data rows' })
  return { headers, mapping, rows, errors, sample }
}

/**
 * What a parse's lines repeat, made once: one `{ id, name }` per distinct campaign, ad set or ad,
 * shared by its rows (they are read, never changed), and each distinct date cell's date. 300,000
 * rows name a few hundred ads over a few hundred days: three objects per row were ~900,000 more
 * objects alive for the collector on the core's thread, and checking every row's date ~1.2 s of CPU
 * (import bench).
 */
class Repeats {
  private readonly byName = new Map<string, Map<string | null, { id: string | null; name: string }>>()
  private readonly dates = new Map<string, string>()

  named(id: string | null, name: string): { id: string | null; name: string } {
    let ids = this.byName.get(name)
    if (!ids) this.byName.set(name, (ids = new Map()))
    let o = ids.get(id)
    if (!o) ids.set(id, (o = { id, name }))
    return o
  }

  /** `parseDateCell(cell, format)` (the format is the parse's), remembered when it succeeds. */
  date(cell: string, format: CsvMapping['dateFormat']): string {
    let d = this.dates.get(cell)
    if (d === undefined) this.dates.set(cell, (d = parseDateCell(cell, format)))
    return d
  }
}

/** Validate one data line and append its row (or its errors). */
function checkLine(
  line: string[],
  lineNo: number,
  headers: string[],
  col: Map<string, number>,
  mapping: CsvMapping,
  rows: CsvRow[],
  errors: RowError[],
  sample: Record<string, string>[],
  repeats: Repeats,
): void {
  if (line.length === 1 && (line[0] ?? '').trim() === '') return
  // Google exports end with "Total: ..." summary lines: they are not data.
  if (/^total/i.test((line[0] ?? '').trim())) return
  if (line.length !== headers.length) {
    errors.push({
      row: lineNo,
      column: null,
      message: `Expected ${headers.length} columns, found ${line.length} (truncated or broken line)`,
    })
    return
  }
  const cell = (name: string | undefined): string | undefined =>
    name === undefined ? undefined : line[col.get(name) as number]
  if (sample.length < 20)
    sample.push(Object.fromEntries(headers.map((h, k) => [h, (line[k] ?? '').slice(0, IMPORT_LIMITS.nameChars)])))
  const c = mapping.columns
  const before = errors.length
  const field = <T>(name: string | undefined, parse: (v: string | undefined) => T): T | undefined => {
    try {
      return parse(cell(name))
    } catch (err) {
      errors.push({ row: lineNo, column: name ?? null, message: (err as Error).message })
      return undefined
    }
  }
  const text = (name: string | undefined, what: string, max: number): string => {
    const v = (cell(name) ?? '').trim()
    if (v.length > max) {
      errors.push({
        row: lineNo,
        column: name ?? null,
        message: `The ${what} is ${v.length.toLocaleString('en-US')} characters long; the limit is ${max}`,
      })
      return v.slice(0, max)
    }
    return v
  }
  const money = (v: string | undefined): number => {
    if (v === undefined) return 0
    if (mapping.moneyUnit === 'micros')
      return parseMicros(boundedCell(v, IMPORT_LIMITS.maxMoneyUnits * 1_000_000, 'an amount in micros'))
    return decimalToMicros(boundedCell(v, IMPORT_LIMITS.maxMoneyUnits, 'an amount'))
  }
  const ints = (v: string | undefined): number => (v === undefined ? 0 : intCell(v))
  const date = field(c.date, (v) => repeats.date(v ?? '', mapping.dateFormat))
  const campaignName = text(c.campaign, 'campaign name', IMPORT_LIMITS.nameChars)
  if (!campaignName) errors.push({ row: lineNo, column: c.campaign, message: 'The campaign is empty' })
  const currency = (cell(c.currency) ?? mapping.currency).trim().toUpperCase()
  if (!/^[A-Z]{3}$/.test(currency))
    errors.push({ row: lineNo, column: c.currency ?? null, message: `${quoteCell(currency)} is not a currency code` })
  const idOf = (name: string | undefined, what: string): string | null =>
    text(name, what, IMPORT_LIMITS.idChars) || null
  const adSetName =
    text(c.adSet, 'ad set name', IMPORT_LIMITS.nameChars) || (mapping.level === 'campaign' ? campaignName : '')
  const adName =
    text(c.ad, 'ad name', IMPORT_LIMITS.nameChars) || (mapping.level !== 'ad' ? adSetName || campaignName : '')
  if (mapping.level !== 'campaign' && !adSetName)
    errors.push({ row: lineNo, column: c.adSet ?? null, message: 'The ad set is empty' })
  if (mapping.level === 'ad' && !adName) errors.push({ row: lineNo, column: c.ad ?? null, message: 'The ad is empty' })
  const campaignId = idOf(c.campaignId, 'campaign id')
  const adSetId = idOf(c.adSetId, 'ad set id')
  const adId = idOf(c.adId, 'ad id')
  const spendMicros = field(c.spend, money)
  const conversions = field(c.conversions, (v) =>
    v === undefined ? 0 : Number(boundedCell(v, IMPORT_LIMITS.maxConversions, 'conversions')),
  )
  const conversionValueMicros = field(c.conversionValue, money)
  const impressions = field(c.impressions, ints)
  const clicks = field(c.clicks, ints)
  const reach = field(c.reach, ints)
  const videoViews = field(c.videoViews, ints)
  if (errors.length !== before) return
  rows.push({
    line: lineNo,
    date: date as string,
    currency,
    campaign: repeats.named(campaignId, campaignName),
    adSet: repeats.named(adSetId, adSetName),
    ad: repeats.named(adId, adName),
    spendMicros: spendMicros as number,
    impressions: impressions as number,
    clicks: clicks as number,
    reach: reach as number,
    conversions: conversions as number,
    conversionValueMicros: conversionValueMicros as number,
    videoViews: videoViews as number,
  })
}
