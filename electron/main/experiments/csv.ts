/**
 * Experiment data from a CSV: one row per user (variant + binary outcome, optionally revenue and
 * a date) or daily aggregates per variant (variant + trials + conversions, optionally date,
 * spend, revenue). Optional cleaning for user-level files: drop rows whose variant disagrees
 * with another column (`consistentWith`), then keep the first row of each id (`uniqueBy`).
 * Every refusal names the column, row or value at fault.
 */
import { gunzipSync } from 'node:zlib'
import Papa from 'papaparse'
import type { DayTotals, VariantDay, VariantTotals } from '../../../shared/experiments/analysis'
import { summarize } from '../../../shared/experiments/stats'

export class ExperimentCsvError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ExperimentCsvError'
  }
}

export interface ExperimentCsvOptions {
  variantColumn: string
  /** User-level: the binary outcome column. */
  outcomeColumn?: string
  /** Aggregates: trials (users, clicks, sessions) and conversions columns. */
  trialsColumn?: string
  conversionsColumn?: string
  /** Optional: a date (YYYY-MM-DD, or a timestamp starting with one) for daily looks. */
  dateColumn?: string
  /** Optional: revenue per user (user-level) or per row (aggregates), in currency units. */
  revenueColumn?: string
  /** Optional (aggregates): spend per row in currency units. */
  spendColumn?: string
  /** Cleaning (user-level): drop rows whose value here is not the variant's usual one. */
  consistentWith?: string
  /** Cleaning (user-level): keep only the first row of each value here. */
  uniqueBy?: string
}

export interface ExperimentData {
  format: 'users' | 'daily'
  variants: VariantTotals[]
  days: DayTotals[]
  rows: number
  /** Rows dropped by each cleaning step. */
  dropped: { inconsistent: number; duplicates: number }
  /** Each variant's usual value of the `consistentWith` column. */
  pairing: Record<string, string> | null
}

const TRUE = new Set(['true', '1', 'yes'])
const FALSE = new Set(['false', '0', 'no'])

/** A CSV file's text; gzip (by its magic bytes) is unpacked, a BOM removed. */
export function csvText(bytes: Buffer): string {
  const raw = bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes
  return raw.toString('utf8').replace(/^\uFEFF/, '')
}

function parseMoney(value: string | undefined, column: string, line: number): number {
  const v = (value ?? '').trim()
  if (v === '') return 0
  const n = Number(v)
  if (!Number.isFinite(n))
    throw new ExperimentCsvError(`column "${column}" line ${line}: ${JSON.stringify(v)} is not a number`)
  // Micros, rounded once at the edge.
  return Math.round(n * 1_000_000)
}

function dayOf(value: string | undefined, column: string, line: number): string {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec((value ?? '').trim())
  if (!m)
    throw new ExperimentCsvError(
      `column "${column}" line ${line}: ${JSON.stringify(value ?? '')} is not a date (YYYY-MM-DD)`,
    )
  return m[1] as string
}

/**
 * The control variant of a read CSV: the one named (it must exist), else a variant called "control"
 * (any case), else the first.
 */
export function controlOf(data: ExperimentData, control: string | undefined, variantColumn: string): string {
  const names = data.variants.map((v) => v.name)
  if (control !== undefined && !names.includes(control))
    throw new ExperimentCsvError(
      `unknown control "${control}": the variants in column "${variantColumn}" are ${names.join(', ')}`,
    )
  return control ?? names.find((n) => n.toLowerCase() === 'control') ?? (names[0] as string)
}

/** Parse and aggregate an experiment CSV. */
export function readExperimentCsv(text: string, o: ExperimentCsvOptions): ExperimentData {
  const userLevel = o.outcomeColumn !== undefined
  const aggregate = o.trialsColumn !== undefined || o.conversionsColumn !== undefined
  if (userLevel === aggregate)
    throw new ExperimentCsvError(
      'name either --outcome-column (one row per user) or --trials-column and --conversions-column (daily aggregates per variant)',
    )
  if (aggregate && (o.trialsColumn === undefined || o.conversionsColumn === undefined))
    throw new ExperimentCsvError('daily aggregates need both --trials-column and --conversions-column')
  if (aggregate && (o.consistentWith || o.uniqueBy))
    throw new ExperimentCsvError('--consistent-with and --unique-by clean one-row-per-user files, not aggregates')

  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true })
  if (parsed.errors.length) {
    const e = parsed.errors[0] as Papa.ParseError
    throw new ExperimentCsvError(`CSV line ${(e.row ?? 0) + 1}: ${e.message}`)
  }
  const [header, ...rows] = parsed.data
  if (!header) throw new ExperimentCsvError('the CSV is empty')
  const cols = header.map((h) => h.trim())
  const index = (name: string | undefined): number => {
    if (name === undefined) return -1
    const i = cols.indexOf(name)
    if (i < 0) throw new ExperimentCsvError(`no column "${name}" in the CSV (columns: ${cols.join(', ')})`)
    return i
  }
  const iv = index(o.variantColumn)
  const io = index(o.outcomeColumn)
  const it = index(o.trialsColumn)
  const ic = index(o.conversionsColumn)
  const id = index(o.dateColumn)
  const ir = index(o.revenueColumn)
  const is = index(o.spendColumn)
  const ik = index(o.consistentWith)
  const iu = index(o.uniqueBy)
  if (rows.length === 0) throw new ExperimentCsvError('the CSV has a header but no rows')

  // Cleaning 1: each variant's usual value of the pairing column; rows that disagree go.
  let pairing: Record<string, string> | null = null
  let inconsistent = 0
  // Each row with its line in the file (the header is line 1; blank lines are not counted).
  let kept = rows.map((r, i) => ({ r, line: i + 2 }))
  if (ik >= 0) {
    const counts = new Map<string, Map<string, number>>()
    for (const r of rows) {
      const v = (r[iv] ?? '').trim()
      const p = (r[ik] ?? '').trim()
      const m = counts.get(v) ?? new Map<string, number>()
      m.set(p, (m.get(p) ?? 0) + 1)
      counts.set(v, m)
    }
    pairing = {}
    for (const [v, m] of counts) pairing[v] = [...m.entries()].reduce((a, b) => (b[1] > a[1] ? b : a))[0]
    const values = Object.values(pairing)
    if (new Set(values).size !== values.length)
      throw new ExperimentCsvError(
        `--consistent-with "${o.consistentWith}" does not tell the variants apart (${Object.entries(pairing)
          .map(([v, p]) => `${v} → ${p}`)
          .join(', ')})`,
      )
    const pair = pairing
    kept = kept.filter(({ r }) => pair[(r[iv] ?? '').trim()] === (r[ik] ?? '').trim())
    inconsistent = rows.length - kept.length
  }
  // Cleaning 2: the first row of each id.
  let duplicates = 0
  if (iu >= 0) {
    const seen = new Set<string>()
    const unique: typeof kept = []
    for (const row of kept) {
      const key = (row.r[iu] ?? '').trim()
      if (seen.has(key)) continue
      seen.add(key)
      unique.push(row)
    }
    duplicates = kept.length - unique.length
    kept = unique
  }

  const totals = new Map<string, { n: number; conversions: number; revenue: number[] }>()
  const byDay = new Map<string, Map<string, VariantDay>>()
  for (const { r, line } of kept) {
    const name = (r[iv] ?? '').trim()
    if (name === '') throw new ExperimentCsvError(`column "${o.variantColumn}" line ${line}: the variant is empty`)
    let n: number
    let conv: number
    if (userLevel) {
      const raw = (r[io] ?? '').trim()
      const lower = raw.toLowerCase()
      if (TRUE.has(lower)) conv = 1
      else if (FALSE.has(lower)) conv = 0
      else
        throw new ExperimentCsvError(
          `column "${o.outcomeColumn}" is not a binary outcome: line ${line} has ${JSON.stringify(raw)} (accepted: TRUE/FALSE, true/false, 1/0, yes/no)`,
        )
      n = 1
    } else {
      n = Number((r[it] ?? '').trim())
      conv = Number((r[ic] ?? '').trim())
      if (!Number.isInteger(n) || n < 0)
        throw new ExperimentCsvError(
          `column "${o.trialsColumn}" line ${line}: ${JSON.stringify(r[it] ?? '')} is not a whole number of trials`,
        )
      if (!Number.isFinite(conv) || conv < 0 || conv > n)
        throw new ExperimentCsvError(
          `column "${o.conversionsColumn}" line ${line}: ${JSON.stringify(r[ic] ?? '')} is not a number of conversions between 0 and the trials (${n})`,
        )
    }
    const revenue = ir >= 0 ? parseMoney(r[ir], o.revenueColumn as string, line) : 0
    const t = totals.get(name) ?? { n: 0, conversions: 0, revenue: [] }
    t.n += n
    t.conversions += conv
    if (ir >= 0 && userLevel) t.revenue.push(revenue / 1_000_000)
    totals.set(name, t)
    if (id >= 0) {
      const date = dayOf(r[id], o.dateColumn as string, line)
      const day = byDay.get(date) ?? new Map<string, VariantDay>()
      const v = day.get(name) ?? { name, n: 0, conversions: 0 }
      v.n += n
      v.conversions += conv
      if (ir >= 0) v.revenueMicros = (v.revenueMicros ?? 0) + revenue
      if (is >= 0) v.spendMicros = (v.spendMicros ?? 0) + parseMoney(r[is], o.spendColumn as string, line)
      day.set(name, v)
      byDay.set(date, day)
    }
  }

  const variants: VariantTotals[] = [...totals.entries()].map(([name, t]) => ({
    name,
    n: t.n,
    conversions: t.conversions,
    ...(t.revenue.length ? { revenuePerUser: summarize(t.revenue) } : {}),
  }))
  const days: DayTotals[] = [...byDay.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([date, m]) => ({ date, variants: [...m.values()] }))
  return {
    format: userLevel ? 'users' : 'daily',
    variants,
    days,
    rows: rows.length,
    dropped: { inconsistent, duplicates },
    pairing,
  }
}
