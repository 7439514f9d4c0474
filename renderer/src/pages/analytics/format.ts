import type { Kpis, Totals } from '../../../../shared/domain/metrics'
import { PLATFORM_LABELS, type PlatformId } from '../../../../shared/domain/entities'
import { formatCount, formatCurrency, formatInteger, formatPercent, formatRoas } from '../../lib/format'
import { METRIC_KEYS } from '../../../../shared/domain/metric-keys'
import { metricOf } from '../../../../shared/domain/row-window'

/** Table columns the explorer can show. */
export const METRIC_COLUMNS = METRIC_KEYS
export type MetricColumn = (typeof METRIC_COLUMNS)[number]

export const METRIC_LABELS: Record<MetricColumn, string> = {
  spend: 'Spend',
  revenue: 'Revenue',
  roas: 'ROAS',
  conversions: 'Conv.',
  cpa: 'CPA',
  ctr: 'CTR',
  cpc: 'CPC',
  cpm: 'CPM',
  cvr: 'CVR',
  impressions: 'Impr.',
  clicks: 'Clicks',
}

/** Raw numeric value of a column (currency units for money). */
export function metricValue(col: MetricColumn, t: Totals, k: Kpis): number | null {
  // The same value the core sorts explorer windows by.
  return metricOf(col, t, k)
}

export function formatMetric(col: MetricColumn, v: number | null, currency: string): string {
  if (v === null || !Number.isFinite(v)) return '—'
  switch (col) {
    case 'spend':
    case 'revenue':
    case 'cpa':
    case 'cpc':
    case 'cpm':
      return formatCurrency(v, currency)
    case 'roas':
      return formatRoas(v)
    case 'ctr':
    case 'cvr':
      return formatPercent(v)
    case 'conversions':
      return formatCount(v)
    default:
      return formatInteger(v)
  }
}

export function platformLabel(p: string | null): string {
  return p ? (PLATFORM_LABELS[p as PlatformId] ?? p) : '—'
}

/** Relative change, or null when there is nothing to compare with. */
export function delta(cur: number | null, prev: number | null | undefined): number | null {
  if (cur === null || prev === null || prev === undefined || prev === 0) return null
  return cur / prev - 1
}
