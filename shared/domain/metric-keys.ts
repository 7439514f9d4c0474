/**
 * Metrics a table can show or a ranking can sort by (ratios always from summed parts). Zero
 * dependencies so the renderer can use the list without pulling in zod.
 */
export const METRIC_KEYS = [
  'spend',
  'revenue',
  'roas',
  'conversions',
  'cpa',
  'ctr',
  'cpc',
  'cpm',
  'cvr',
  'impressions',
  'clicks',
] as const
export type MetricKeyName = (typeof METRIC_KEYS)[number]
