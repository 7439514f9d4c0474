// Display formatting shared by the renderer and the PDF reports, so both show the same figures the same way.
import { currencyMinorDigits, moneyFormat } from './money'
import type { DateRange, KpiKey } from './metrics'

/** Money given in currency units (KPIs are units; the wire's micros go through `formatMoney`). */
export function formatCurrency(units: number, currency: string, opts: { compact?: boolean } = {}): string {
  const digits = currencyMinorDigits(currency)
  try {
    return moneyFormat(currency, opts.compact === true).format(units)
  } catch {
    // An unknown code would throw a RangeError; show the number rather than break the page.
    return `${units.toFixed(digits)} ${currency}`
  }
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })

export function formatInteger(n: number): string {
  return integer.format(n)
}

/** Modelled conversions can be fractional; a decimal only matters while the count is small. */
export function formatCount(n: number): string {
  return Number.isInteger(n) || Math.abs(n) >= 100 ? integer.format(n) : oneDecimal.format(n)
}

export function formatPercent(ratio: number, digits = 2): string {
  return `${(ratio * 100).toFixed(digits)}%`
}

export function formatRoas(ratio: number): string {
  return `${ratio.toFixed(2)}x`
}

/** Tile order; mirrors KPI_KEYS in shared/domain/metrics without pulling zod into the bundle. */
export const KPI_ORDER: readonly KpiKey[] = ['spend', 'revenue', 'roas', 'conversions', 'cpa', 'ctr', 'cpc', 'cpm']

export const KPI_LABELS: Record<KpiKey, string> = {
  spend: 'Spend',
  revenue: 'Revenue',
  roas: 'ROAS',
  conversions: 'Conversions',
  cpa: 'CPA',
  ctr: 'CTR',
  cpc: 'CPC',
  cpm: 'CPM',
}

export const KPI_HINTS: Record<KpiKey, string> = {
  spend: 'Total amount spent',
  revenue: 'Revenue attributed by the ad platforms',
  roas: 'Return on ad spend: revenue ÷ spend',
  conversions: 'Conversions attributed by the ad platforms',
  cpa: 'Cost per acquisition: spend ÷ conversions',
  ctr: 'Click-through rate: clicks ÷ impressions',
  cpc: 'Cost per click: spend ÷ clicks',
  cpm: 'Cost per 1,000 impressions',
}

/** Why a ratio is missing: its denominator was zero. */
export const KPI_EMPTY_REASON: Record<KpiKey, string> = {
  spend: 'No spend',
  revenue: 'No revenue',
  roas: 'No spend in this period',
  conversions: 'No conversions',
  cpa: 'No conversions in this period',
  ctr: 'No impressions in this period',
  cpc: 'No clicks in this period',
  cpm: 'No impressions in this period',
}

export function formatKpi(key: KpiKey, value: number | null, currency: string): string {
  if (value === null || !Number.isFinite(value)) return '—'
  switch (key) {
    case 'spend':
    case 'revenue':
    case 'cpa':
    case 'cpc':
    case 'cpm':
      return formatCurrency(value, currency)
    case 'roas':
      return formatRoas(value)
    case 'ctr':
      return formatPercent(value, 2)
    case 'conversions':
      return formatCount(value)
  }
}

/** Which direction is good news: costs should fall, outcomes rise, spend is a choice. */
export const KPI_POLARITY: Record<KpiKey, 'higher' | 'lower' | 'neutral'> = {
  spend: 'neutral',
  revenue: 'higher',
  roas: 'higher',
  conversions: 'higher',
  cpa: 'lower',
  ctr: 'higher',
  cpc: 'lower',
  cpm: 'lower',
}

export type DeltaTone = 'positive' | 'negative' | 'neutral'

export interface Delta {
  /** Relative change, e.g. 0.12 for +12%; null when there is nothing to compare with. */
  ratio: number | null
  direction: 'up' | 'down' | 'flat'
  tone: DeltaTone
  /** "+12.3%", "−4.0%", "0.0%" or "—". */
  label: string
}

/** Changes smaller than this read as "flat" (0.0% after rounding). */
const FLAT = 0.0005

export function computeDelta(key: KpiKey, current: number | null, previous: number | null): Delta {
  if (current === null || previous === null || previous === 0) {
    return { ratio: null, direction: 'flat', tone: 'neutral', label: '—' }
  }
  const ratio = (current - previous) / Math.abs(previous)
  const direction = Math.abs(ratio) < FLAT ? 'flat' : ratio > 0 ? 'up' : 'down'
  const polarity = KPI_POLARITY[key]
  let tone: DeltaTone = 'neutral'
  if (direction !== 'flat' && polarity !== 'neutral') {
    const good = (direction === 'up') === (polarity === 'higher')
    tone = good ? 'positive' : 'negative'
  }
  const pct = Math.abs(ratio * 100)
  const digits = pct >= 100 ? 0 : 1
  const sign = direction === 'up' ? '+' : direction === 'down' ? '−' : ''
  return { ratio, direction, tone, label: `${sign}${pct.toFixed(digits)}%` }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = bytes / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i] ?? 'TB'}`
}

/** "demo_reset" / "sync:account" → "Demo reset" / "Sync account". */
export function humanizeKind(kind: string): string {
  const words = kind.replace(/[:_.-]+/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

const dateTime = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
})

/** An ISO timestamp in the user's local time, e.g. "Mar 4, 3:07 PM". */
export function formatTimestamp(iso: string | null): string {
  if (!iso) return '—'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d)
}

const monthDay = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' })
const monthDayYear = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'UTC',
})

/** "Mar 4" for a calendar date (formatted in UTC so the date never shifts). */
export function formatShortDate(date: string): string {
  return monthDay.format(new Date(`${date}T00:00:00Z`))
}

const monthYear = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' })

/** "December 2026" for a calendar month given as "2026-12" (or any date in it). */
export function formatMonth(month: string): string {
  const d = new Date(`${month.slice(0, 7)}-01T00:00:00Z`)
  return Number.isNaN(d.getTime()) ? month : monthYear.format(d)
}

/** "Mar 4 – Apr 2, 2025", omitting the first year when both ends share it. */
export function formatRange(range: DateRange): string {
  const a = new Date(`${range.from}T00:00:00Z`)
  const b = new Date(`${range.to}T00:00:00Z`)
  if (range.from === range.to) return monthDayYear.format(a)
  const sameYear = range.from.slice(0, 4) === range.to.slice(0, 4)
  return `${sameYear ? monthDay.format(a) : monthDayYear.format(a)} – ${monthDayYear.format(b)}`
}
