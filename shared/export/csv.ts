/**
 * The one CSV writer of the app: every page's Export CSV button and the CLI go through `toCsv`.
 * Cells are RFC 4180 (quoted when they hold a comma, quote, CR or LF; quotes doubled, CRLF rows)
 * and neutralised against spreadsheet formula injection: a text cell starting with `=`, `+`, `-`,
 * `@`, tab or carriage return (the OWASP list) gets a leading single quote, so `=HYPERLINK(...)`,
 * `+cmd|...` or `@SUM(...)` in a campaign name is shown as text instead of being evaluated.
 * Numbers stay numbers: a numeric cell (or a text cell that is a plain decimal such as `-12.5`)
 * is written as is.
 */

/** A column of an exported table: header text and the cell value (numbers stay raw). */
export interface ExportColumn<T> {
  header: string
  value: (row: T) => string | number | boolean | null | undefined
}

const FORMULA_START = /^[=+\-@\t\r]/
/** A plain decimal number, optionally signed, with an optional exponent: never a formula. */
const PLAIN_NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/

/** The cell's text with formula triggers neutralised (before CSV quoting). */
export function neutralise(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (FORMULA_START.test(value) && !PLAIN_NUMBER.test(value)) return `'${value}`
  return value
}

/** One CSV field: neutralised, then quoted when needed. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  const text = neutralise(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** The rows (as shown: after filters and sort) as CSV text with a header row. */
export function toCsv<T>(columns: readonly ExportColumn<T>[], rows: readonly T[]): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(',')]
  for (const r of rows) lines.push(columns.map((c) => csvCell(c.value(r))).join(','))
  return lines.join('\r\n')
}
