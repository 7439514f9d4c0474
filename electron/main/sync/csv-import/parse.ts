import Papa from 'papaparse'
import { isIsoDate } from '../../../../shared/domain/dates'
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

const THOUSANDS = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/
const PLAIN = /^-?\d+(\.\d+)?$/
const EMPTY = new Set(['', '--', '-', ' --'])

/** A decimal cell ("1,234.50", "12", "" = 0); refuses "12,5" and anything else ambiguous. */
function decimalCell(v: string): string {
  const s = v.trim().replace(/^[$€£¥]/, '')
  if (EMPTY.has(s)) return '0'
  if (THOUSANDS.test(s)) return s.replace(/,/g, '')
  if (PLAIN.test(s)) return s
  throw new Error(`"${v}" is not a number (use 1234.56 or 1,234.56)`)
}

function intCell(v: string): number {
  const d = decimalCell(v)
  const n = Number(d)
  if (!Number.isInteger(n)) throw new Error(`"${v}" is not a whole number`)
  if (n < 0) throw new Error(`"${v}" is negative`)
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
  if (!isIsoDate(iso)) throw new Error(`"${v}" is not a date in ${format} format`)
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

/**
 * Parse and validate a CSV (nothing is written): detect or apply the mapping, convert every
 * cell (money to micros with decimal arithmetic, dates to `YYYY-MM-DD`) and collect row-level
 * errors with line and column.
 */
export function parseCsv(content: string, want: 'auto' | 'meta' | 'google' | CsvMapping): ParsedCsv {
  const res = Papa.parse<string[]>(content.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' })
  const errors: RowError[] = res.errors.map((e) => ({
    row: (e.row ?? 0) + 1,
    column: null,
    message: `CSV syntax: ${e.message}`,
  }))
  const lines = res.data
  const hi = headerIndex(lines, want)
  const headers = (lines[hi] ?? []).map((h) => h.trim())
  const mapping = typeof want === 'object' ? want : detectMapping(headers, want)
  const sample: Record<string, string>[] = []
  if (!mapping) {
    errors.push({
      row: hi + 1,
      column: null,
      message: 'Unrecognised columns: not a Meta or Google Ads export. Map the columns in the wizard.',
    })
    return { headers, mapping: null, rows: [], errors, sample }
  }
  const col = new Map<string, number>()
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
  const cell = (line: string[], name: string | undefined): string | undefined =>
    name === undefined ? undefined : line[col.get(name) as number]
  const rows: CsvRow[] = []
  const money = (v: string | undefined): number =>
    v === undefined ? 0 : mapping.moneyUnit === 'micros' ? parseMicros(decimalCell(v)) : decimalToMicros(decimalCell(v))
  const ints = (v: string | undefined): number => (v === undefined ? 0 : intCell(v))
  for (let i = hi + 1; i < lines.length; i++) {
    const line = lines[i] as string[]
    const lineNo = i + 1
    if (line.length === 1 && (line[0] ?? '').trim() === '') continue
    // Google exports end with "Total: ..." summary lines: they are not data.
    if (/^total/i.test((line[0] ?? '').trim())) continue
    if (line.length !== headers.length) {
      errors.push({
        row: lineNo,
        column: null,
        message: `Expected ${headers.length} columns, found ${line.length} (truncated or broken line)`,
      })
      continue
    }
    if (sample.length < 20) sample.push(Object.fromEntries(headers.map((h, k) => [h, line[k] ?? ''])))
    const c = mapping.columns
    const field = <T>(name: string | undefined, parse: (v: string | undefined) => T): T | undefined => {
      try {
        return parse(cell(line, name))
      } catch (err) {
        errors.push({ row: lineNo, column: name ?? null, message: (err as Error).message })
        return undefined
      }
    }
    const date = field(c.date, (v) => parseDateCell(v ?? '', mapping.dateFormat))
    const campaignName = (cell(line, c.campaign) ?? '').trim()
    if (!campaignName) errors.push({ row: lineNo, column: c.campaign, message: 'The campaign is empty' })
    const currency = (cell(line, c.currency) ?? mapping.currency).trim().toUpperCase()
    if (!/^[A-Z]{3}$/.test(currency))
      errors.push({ row: lineNo, column: c.currency ?? null, message: `"${currency}" is not a currency code` })
    const idOf = (name: string | undefined): string | null => {
      const v = cell(line, name)?.trim()
      return v ? v : null
    }
    const adSetName = (cell(line, c.adSet) ?? '').trim() || (mapping.level === 'campaign' ? campaignName : '')
    const adName = (cell(line, c.ad) ?? '').trim() || (mapping.level !== 'ad' ? adSetName || campaignName : '')
    if (mapping.level !== 'campaign' && !adSetName)
      errors.push({ row: lineNo, column: c.adSet ?? null, message: 'The ad set is empty' })
    if (mapping.level === 'ad' && !adName)
      errors.push({ row: lineNo, column: c.ad ?? null, message: 'The ad is empty' })
    const spendMicros = field(c.spend, money)
    const conversions = field(c.conversions, (v) => (v === undefined ? 0 : Number(decimalCell(v))))
    const conversionValueMicros = field(c.conversionValue, money)
    const nums = [field(c.impressions, ints), field(c.clicks, ints), field(c.reach, ints), field(c.videoViews, ints)]
    if (
      date === undefined ||
      spendMicros === undefined ||
      conversions === undefined ||
      conversionValueMicros === undefined ||
      nums.includes(undefined)
    )
      continue
    const [impressions, clicks, reach, videoViews] = nums as number[]
    if (spendMicros < 0) {
      errors.push({ row: lineNo, column: c.spend ?? null, message: 'Spend is negative' })
      continue
    }
    rows.push({
      line: lineNo,
      date,
      currency,
      campaign: { id: idOf(c.campaignId), name: campaignName },
      adSet: { id: idOf(c.adSetId), name: adSetName },
      ad: { id: idOf(c.adId), name: adName },
      spendMicros,
      impressions: impressions ?? 0,
      clicks: clicks ?? 0,
      reach: reach ?? 0,
      conversions,
      conversionValueMicros,
      videoViews: videoViews ?? 0,
    })
  }
  if (rows.length === 0 && errors.length === 0)
    errors.push({ row: hi + 1, column: null, message: 'The file has no data rows' })
  return { headers, mapping, rows, errors, sample }
}
