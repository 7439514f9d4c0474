import { dateRange } from '../../../shared/domain/dates'
import type { RuleInput } from '../../../shared/domain/rules'
import type { Sqlite } from '../store/connect'
import { MetricsRepo, type DailyMetricInput } from '../store/repos/metrics-repo'
import type { SeededCampaign } from '../store/repos/testing'

/*
 * The hand-computable June world of the automation tests: "now" 2026-06-15 12:00 UTC, one row per
 * campaign and day 2026-06-01..15 with the same numbers every day, 06-13 on provisional, so "the
 * last 7 days" are 06-06..06-12.
 */
export const JUNE_NOW = new Date('2026-06-15T12:00:00Z')

/** A campaign's daily rows from `from` to 06-15: spend and conversions per day, value per day (micros). */
export function juneRows(
  c: SeededCampaign,
  accountId: number,
  day: { spend: number; conv: number; valueMicros: number },
  from = '2026-06-01',
): DailyMetricInput[] {
  return dateRange(from, '2026-06-15').map((date) => ({
    ...c,
    date,
    accountId,
    spendMicros: day.spend * 1e6,
    impressions: 10_000,
    clicks: 100,
    reach: 0,
    conversions: day.conv,
    conversionValueMicros: day.valueMicros,
    videoViews: 0,
    provisional: date >= '2026-06-13',
    source: 'import' as const,
  }))
}

/** Store rows and rebuild the account's June rollups, as every writer does. */
export function writeJuneRows(sqlite: Sqlite, accountId: number, rows: DailyMetricInput[]): void {
  const m = new MetricsRepo(sqlite)
  sqlite
    .transaction(() => {
      m.upsert(rows)
      m.refreshRollups(accountId, '2026-06-01', '2026-06-15')
    })
    .immediate()
}

/** "CPA of the last 7 days (today left out) above 40 → pause", in approval mode. */
export function cpaAbove40(workspaceId: number, name = 'CPA above 40'): RuleInput {
  return {
    workspaceId,
    name,
    mode: 'approval',
    scope: { level: 'campaign' },
    conditions: {
      type: 'group',
      op: 'and',
      items: [
        {
          type: 'condition',
          metric: 'cpa',
          window: { kind: 'last_n_days', days: 7, includeToday: false, offsetDays: 0 },
          op: 'gt',
          value: 40,
        },
      ],
    },
    actions: [{ kind: 'pause' }],
  }
}
