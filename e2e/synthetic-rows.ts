import { deriveKpis } from '../shared/domain/metrics'
import type { EntityRow } from '../shared/ipc/contracts/analytics-schemas'

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
