import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { decimalToMicros } from '../../../../shared/domain/money'
import { isMetricsRow, MetricsRow } from './google-ads/google-schemas'
import { InsightRowSchema, isInsightRow } from './meta/meta-insights'
import { amountToMicros } from './normalize'
import { fastStatsBody, StatsBody } from './snapchat/snapchat-stats'
import { isReportRow, ReportRowSchema } from './tiktok/tiktok-schemas'

const clone = <T>(v: T): T => structuredClone(v)

/** Every sample: the fast check accepts exactly what zod accepts, with zod's output. */
function agree(fast: (v: unknown) => unknown, schema: z.ZodType, samples: unknown[]): void {
  for (const sample of samples) {
    const z = schema.safeParse(clone(sample))
    const f = fast(clone(sample))
    const accepted = f !== undefined && f !== false
    expect(accepted, JSON.stringify(sample)).toBe(z.success)
    if (z.success && typeof f === 'object') expect(f).toEqual(z.data)
  }
}

/** The value with one path set to `value` (undefined deletes the key). */
function withAt(base: unknown, path: (string | number)[], value: unknown): unknown {
  const out = clone(base) as Record<string | number, unknown>
  let o = out
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>
  const last = path[path.length - 1] as string | number
  if (value === undefined) delete o[last]
  else o[last] = value
  return out
}

function variants(base: unknown, paths: (string | number)[][]): unknown[] {
  const bad = [undefined, null, 12, '12', 'x', [], {}, true]
  return [base, ...paths.flatMap((p) => bad.map((v) => withAt(base, p, v)))]
}

const row = (v: unknown): unknown => (isInsightRow(v) ? v : undefined)

describe('fast shape checks agree with the zod schemas', () => {
  it('Meta insights rows', () => {
    const base = {
      date_start: '2026-01-02',
      ad_id: '1',
      adset_id: 2,
      campaign_id: '3',
      spend: '1.5',
      impressions: 10,
      clicks: null,
      reach: '4',
      actions: [{ action_type: 'purchase', value: '2' }],
      action_values: [{ action_type: 'purchase', value: 3.5 }],
      video_play_actions: [{ action_type: 'video_view', value: '7' }],
      extra: { kept: true },
    }
    const paths = [
      ['date_start'],
      ['ad_id'],
      ['adset_id'],
      ['campaign_id'],
      ['spend'],
      ['impressions'],
      ['actions'],
      ['actions', 0, 'action_type'],
      ['actions', 0, 'value'],
      ['action_values', 0],
      ['video_play_actions'],
    ]
    agree(row, InsightRowSchema, [...variants(base, paths), withAt(base, ['date_start'], '2026-1-2'), [], null, 'x'])
  })

  it('Google searchStream metric rows', () => {
    const base = {
      campaign: { id: '1' },
      adGroup: { id: 2 },
      adGroupAd: { ad: { id: '3' } },
      segments: { date: '2026-01-02' },
      metrics: { costMicros: '1000', impressions: '5', conversions: 1.5 },
    }
    const paths = [
      ['campaign'],
      ['campaign', 'id'],
      ['adGroup', 'id'],
      ['adGroupAd', 'ad'],
      ['adGroupAd', 'ad', 'id'],
      ['segments', 'date'],
      ['metrics'],
      ['metrics', 'costMicros'],
      ['metrics', 'videoViews'],
    ]
    agree((v) => (isMetricsRow(v) ? v : undefined), MetricsRow, variants(base, paths))
  })

  it('TikTok report rows', () => {
    const base = { dimensions: { ad_id: 1234, stat_time_day: '2026-01-02 00:00:00' }, metrics: { spend: '1.00' } }
    const paths = [['dimensions'], ['dimensions', 'ad_id'], ['dimensions', 'stat_time_day'], ['metrics']]
    agree((v) => (isReportRow(v) ? v : undefined), ReportRowSchema, variants(base, paths))
  })

  it('Snapchat stats bodies', () => {
    const base = {
      request_status: 'SUCCESS',
      timeseries_stats: [
        {
          timeseries_stat: {
            breakdown_stats: {
              ad: [{ id: 'a1', timeseries: [{ start_time: '2026-01-02T00:00:00.000-08:00', stats: { spend: 5 } }] }],
            },
          },
        },
      ],
      paging: { next_link: 'https://x' },
    }
    const ad = ['timeseries_stats', 0, 'timeseries_stat', 'breakdown_stats', 'ad']
    const paths = [
      ['request_status'],
      ['timeseries_stats'],
      ['timeseries_stats', 0, 'timeseries_stat'],
      ['timeseries_stats', 0, 'timeseries_stat', 'breakdown_stats'],
      ad,
      [...ad, 0, 'id'],
      [...ad, 0, 'timeseries'],
      [...ad, 0, 'timeseries', 0, 'start_time'],
      [...ad, 0, 'timeseries', 0, 'stats'],
      [...ad, 0, 'timeseries', 0, 'stats', 'spend'],
      ['paging'],
      ['paging', 'next_link'],
    ]
    agree(fastStatsBody, StatsBody, variants(base, paths))
  })
})

describe('amountToMicros', () => {
  it('equals decimalToMicros, fast path or not', () => {
    for (const v of [
      '0',
      '1',
      '12.5',
      '0.000001',
      '999999999.999999',
      '1234567890.5',
      '-3.2',
      ' 4.5',
      '1.0000005',
      7.25,
    ])
      expect(amountToMicros(v), String(v)).toBe(decimalToMicros(v))
    expect(() => amountToMicros('1,5')).toThrow()
  })
})
