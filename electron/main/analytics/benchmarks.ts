import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { ObjectiveSchema, PlatformIdSchema } from '../../../shared/domain/entities'
import type { DateRange } from '../../../shared/domain/metrics'
import {
  type BenchmarkEntrySchema,
  BenchmarkMetricSchema,
  type BenchmarkPositionsSchema,
} from '../../../shared/ipc/contracts/analytics-insights'
import type { AnalyticsService } from './analytics-service'

type Entry = z.infer<typeof BenchmarkEntrySchema>
type Metric = z.infer<typeof BenchmarkMetricSchema>

/** Objective key of platform-wide figures that apply to every objective without its own figure. */
export const ALL_OBJECTIVES = 'all'

const FileSchema = z.object({
  currency: z.literal('USD'),
  sources: z.record(
    z.string(),
    z.object({ publisher: z.string(), title: z.string(), year: z.number().int(), url: z.string() }),
  ),
  entries: z.array(
    z.object({
      platform: PlatformIdSchema,
      // 'all' = a platform-wide figure the source does not split by objective; used only when no
      // objective-specific figure exists for the same platform and metric.
      objective: z.union([ObjectiveSchema, z.literal(ALL_OBJECTIVES)]),
      metric: BenchmarkMetricSchema,
      value: z.number().positive(),
      statistic: z.enum(['median', 'average']),
      source: z.string(),
      note: z.string().nullable().default(null),
      // The source's own sentence or table row the figure was copied from, kept for audit.
      quote: z.string().min(1).optional(),
    }),
  ),
})

/** Load and check the shipped table; every figure must name a source listed in the file. */
export function loadBenchmarks(resourcesDir: string): { currency: string; entries: Entry[] } {
  const file = join(resourcesDir, 'benchmarks', 'industry-benchmarks.json')
  const parsed = FileSchema.parse(JSON.parse(readFileSync(file, 'utf8')))
  const seen = new Set<string>()
  const entries = parsed.entries.map((e) => {
    const key = `${e.platform}/${e.objective}/${e.metric}`
    // A second figure for the same cell would silently shadow the first in the lookup.
    if (seen.has(key)) throw new Error(`${file}: entry ${key} is listed twice`)
    seen.add(key)
    const source = parsed.sources[e.source]
    if (!source) throw new Error(`${file}: entry ${key} cites unknown source "${e.source}"`)
    return {
      platform: e.platform,
      objective: e.objective,
      metric: e.metric,
      value: e.value,
      statistic: e.statistic,
      note: e.note,
      source,
    }
  })
  return { currency: parsed.currency, entries }
}

const LOWER_IS_BETTER: Record<Metric, boolean> = { ctr: false, cvr: false, cpc: true, cpm: true, cpa: true }
const METRICS: Metric[] = ['ctr', 'cpc', 'cpm', 'cvr', 'cpa']

/**
 * Every campaign with delivery in the range against the benchmark of its platform and objective
 * (falling back to the platform-wide figure when the table has none for the objective).
 * Cost benchmarks are in USD, so they are compared only when the reporting currency is USD.
 */
export function benchmarkPositions(
  analytics: AnalyticsService,
  table: { currency: string; entries: Entry[] },
  workspaceId: number,
  range: DateRange,
): z.infer<typeof BenchmarkPositionsSchema> {
  const b = analytics.breakdown({ workspaceId, range, level: 'campaign', grain: 'total', compare: false })
  const costsCompared = b.currency === table.currency
  const index = new Map(table.entries.map((e) => [`${e.platform}|${e.objective}|${e.metric}`, e]))
  const rows = b.rows
    .filter((r) => r.platform !== null)
    .map((r) => ({
      campaignId: Number(r.id),
      name: r.name,
      platform: r.platform as Entry['platform'],
      objective: r.objective ?? 'unknown',
      metrics: METRICS.map((metric) => {
        const e =
          index.get(`${r.platform}|${r.objective}|${metric}`) ?? index.get(`${r.platform}|${ALL_OBJECTIVES}|${metric}`)
        const value = r.kpis[metric]
        const usable = e && (costsCompared || !LOWER_IS_BETTER[metric])
        const diff = usable && value !== null ? value / e.value - 1 : null
        return {
          metric,
          value,
          benchmark: usable ? e.value : null,
          diff,
          better: diff === null ? null : LOWER_IS_BETTER[metric] ? diff < 0 : diff > 0,
          source: usable ? e.source : null,
        }
      }),
    }))
  return { currency: b.currency, costsCompared, rows }
}
