import { deriveKpis } from '../shared/domain/metrics'
import type { z } from 'zod'
import type { EntityRow } from '../shared/ipc/contracts/analytics-schemas'
import { windowRows, type RowWindowQuery } from '../shared/domain/row-window'
import type { CreativeListSchema } from '../shared/ipc/contracts/analytics-insights'

type Creative = z.infer<typeof CreativeListSchema>['rows'][number]

/** `n` synthetic campaign rows (deterministic) for grid tests that need more rows than the demo has. */
export function syntheticCampaignRows(n: number): EntityRow[] {
  const platforms = ['meta', 'google_ads', 'tiktok', 'snapchat'] as const
  return Array.from({ length: n }, (_, i) => {
    const totals = {
      spendMicros: ((i * 7919) % 100_000) * 1e4,
      revenueMicros: ((i * 104_729) % 300_000) * 1e4,
      impressions: 1000 + ((i * 31) % 90_000),
      clicks: 10 + ((i * 17) % 900),
      conversions: (i * 13) % 60,
      videoViews: 0,
    }
    return {
      level: 'campaign',
      id: String(i + 1),
      name: `Synthetic campaign ${String(i + 1).padStart(5, '0')}`,
      platform: platforms[i % 4] ?? 'meta',
      accountId: 1,
      campaignId: i + 1,
      adSetId: null,
      status: 'active',
      objective: 'sales',
      period: null,
      totals,
      kpis: deriveKpis(totals),
      previousTotals: null,
      previousKpis: null,
      provisional: false,
    }
  })
}

/** `n` synthetic creatives rows (the Creatives page's list) built on the synthetic campaign rows. */
export function syntheticCreativeRows(n: number): (Creative & { platform: string; status: string })[] {
  const formats = ['image', 'video', 'carousel', 'collection'] as const
  const states = ['fresh', 'stable', 'declining', 'fatigued', 'insufficient_data'] as const
  return syntheticCampaignRows(n).map((r, i) => ({
    adId: i + 1,
    name: `Synthetic ad ${String(i + 1).padStart(6, '0')}`,
    status: 'active',
    campaignId: i + 1,
    campaignName: r.name,
    adSetId: i + 1,
    adSetName: `Synthetic ad set ${i + 1}`,
    platform: r.platform ?? 'meta',
    format: formats[i % 4] ?? 'image',
    headline: i % 3 ? `Headline ${i % 97}` : null,
    thumbnailUrl: null,
    launchDate: '2026-01-01',
    totals: r.totals,
    kpis: r.kpis,
    fatigue: {
      state: states[i % 5] ?? 'stable',
      initialCtr: 0.02,
      currentCtr: 0.015,
      decayPerMillion: 0.1,
      daysUntilFatigue: i % 5 === 2 ? (i % 400) + 1 : null,
      explanation: 'Synthetic fatigue fit',
    },
  }))
}

/**
 * The core's answer to an `analytics:getBreakdown` of campaigns from synthetic rows: the window the
 * grid asks for, filtered and sorted (`windowRows`), with the total.
 */
export function syntheticBreakdown(
  rows: EntityRow[],
  input: { range: unknown; window?: RowWindowQuery },
): { ok: true; value: unknown } {
  const w = input.window ? windowRows(rows, input.window) : { rows, total: rows.length }
  return {
    ok: true,
    value: {
      currency: 'USD',
      convertedFrom: [],
      range: input.range,
      previousRange: null,
      rows: w.rows,
      total: w.total,
      offset: input.window?.offset ?? 0,
    },
  }
}
