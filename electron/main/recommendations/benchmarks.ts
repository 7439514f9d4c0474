import type { PlatformId } from '../../../shared/domain/entities'
import type { Vertical } from '../../../shared/domain/recommendations'

/**
 * Public benchmark figures by vertical, for the "CTR or CPM far from the vertical's benchmark" tip.
 *
 * Source: WordStream, "Facebook Ad Benchmarks for YOUR Industry" (Mark Irvine, 2017;
 * https://www.wordstream.com/blog/ws/2017/02/28/facebook-advertising-benchmarks): average
 * click-through rate (all clicks) and cost per click in US dollars of 256 US advertisers' Facebook
 * campaigns (about $553,000 of spend), by industry. All-industry averages: CTR 0.90%, CPC $1.72.
 * The source gives no CPM; the CPM compared with is the one those two averages imply
 * (CPC × CTR × 1,000).
 *
 * Only Meta accounts are compared (the source measured Facebook), CPM only for accounts in US
 * dollars (the source's currency and market). The figures are from 2017: CPMs have risen since, so
 * the tip needs a large gap (see engine.ts: BENCHMARK_CTR_LOW, BENCHMARK_CPM_HIGH) and says how old
 * the figures are.
 */
export const BENCHMARK_SOURCE =
  'WordStream, “Facebook Ad Benchmarks for YOUR Industry” (2017; 256 US advertisers, all clicks)'
export const BENCHMARK_URL = 'https://www.wordstream.com/blog/ws/2017/02/28/facebook-advertising-benchmarks'
export const BENCHMARK_PLATFORMS: readonly PlatformId[] = ['meta']
export const BENCHMARK_CURRENCY = 'USD'

export interface VerticalBenchmark {
  /** Average click-through rate, percent. */
  ctrPercent: number
  /** Average cost per click, US dollars. */
  cpcUsd: number
}

export const FACEBOOK_BENCHMARKS: Record<Exclude<Vertical, 'unknown'>, VerticalBenchmark> = {
  apparel: { ctrPercent: 1.24, cpcUsd: 0.45 },
  auto: { ctrPercent: 0.8, cpcUsd: 2.24 },
  b2b: { ctrPercent: 0.78, cpcUsd: 2.52 },
  beauty: { ctrPercent: 1.16, cpcUsd: 1.81 },
  consumer_services: { ctrPercent: 0.62, cpcUsd: 3.08 },
  education: { ctrPercent: 0.73, cpcUsd: 1.06 },
  employment: { ctrPercent: 0.47, cpcUsd: 2.72 },
  finance: { ctrPercent: 0.56, cpcUsd: 3.77 },
  fitness: { ctrPercent: 1.01, cpcUsd: 1.9 },
  home_improvement: { ctrPercent: 0.7, cpcUsd: 2.93 },
  healthcare: { ctrPercent: 0.83, cpcUsd: 1.32 },
  industrial: { ctrPercent: 0.71, cpcUsd: 2.14 },
  legal: { ctrPercent: 1.61, cpcUsd: 1.32 },
  real_estate: { ctrPercent: 0.99, cpcUsd: 1.81 },
  retail: { ctrPercent: 1.59, cpcUsd: 0.7 },
  technology: { ctrPercent: 1.04, cpcUsd: 1.27 },
  travel: { ctrPercent: 0.9, cpcUsd: 0.63 },
}

/** The CPM (US dollars per 1,000 impressions) a vertical's average CTR and CPC imply. */
export function impliedCpmUsd(b: VerticalBenchmark): number {
  return b.cpcUsd * (b.ctrPercent / 100) * 1000
}
