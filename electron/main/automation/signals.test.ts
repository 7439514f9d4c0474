import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays, dateRange } from '../../../shared/domain/dates'
import type { RuleDecision, RuleInput, RuleRunResult } from '../../../shared/domain/rules'
import { MetricsRepo, type DailyMetricInput } from '../store/repos/metrics-repo'
import { lcg, seedAccount, type SeededCampaign } from '../store/repos/testing'
import { createTestCore, TEST_CALLER } from '../test-support'

/*
 * Frequency, fatigue and anomaly conditions on a hand-made world: one USD account in UTC, "now"
 * 2026-06-15 12:00 UTC, 90 settled days 2026-03-17..2026-06-14.
 *
 *   C0  10,000 impressions and 4,000 reached a day (frequency 2.5); CTR 3% at launch decaying
 *       as exp(-1 x million impressions seen): 0.41 of launch after 900,000 (fatigued, < 0.7)
 *   C1  10,000 impressions, 200 clicks a day (CTR flat: stable); no reach reported
 *   C2  like C1, spend about 100 a day, then 600 on 06-13 and 06-14 (a spend anomaly)
 */
const NOW = new Date('2026-06-15T12:00:00Z')
const LAST = '2026-06-14'
const FIRST = addDays(LAST, -89)

type TestCore = ReturnType<typeof createTestCore>
let core: TestCore
let ws = 0
let camps: SeededCampaign[] = []

beforeAll(() => {
  core = createTestCore({ startJobs: false, now: () => NOW })
  const s = core.store.sqlite
  ws = core.workspaces.create('Signals', 'USD')
  const seeded = seedAccount(s, ws, 'sig', 3)
  camps = seeded.campaigns
  const rnd = lcg(7)
  const rows: DailyMetricInput[] = []
  let seen = 0
  for (const date of dateRange(FIRST, LAST)) {
    const spend = (): number => Math.round((95 + 10 * rnd()) * 1e6)
    const base = {
      date,
      accountId: seeded.accountId,
      impressions: 10_000,
      conversions: 2,
      conversionValueMicros: 300e6,
      videoViews: 0,
      provisional: false,
      source: 'import' as const,
    }
    const c = camps as [SeededCampaign, SeededCampaign, SeededCampaign]
    rows.push({
      ...c[0],
      ...base,
      spendMicros: spend(),
      clicks: Math.round(10_000 * 0.03 * Math.exp(-seen / 1e6)),
      reach: 4_000,
    })
    seen += 10_000
    rows.push({ ...c[1], ...base, spendMicros: spend(), clicks: 200, reach: 0 })
    rows.push({ ...c[2], ...base, spendMicros: date >= '2026-06-13' ? 600e6 : spend(), clicks: 200, reach: 0 })
  }
  const m = new MetricsRepo(s)
  s.transaction(() => {
    m.upsert(rows)
    m.refreshRollups(seeded.accountId, FIRST, LAST)
  })()
})
afterAll(() => core.close())

async function preview(r: Omit<RuleInput, 'workspaceId' | 'name' | 'actions'>): Promise<RuleRunResult> {
  const env = await core.dispatch(
    'rules:preview',
    {
      rule: {
        workspaceId: ws,
        name: 'signals',
        actions: [{ kind: 'notify', severity: 'info' }],
        guardrails: { learningDays: 0, minImpressions: 0, minConversions: 0, minSpendMicros: 0 },
        ...r,
      },
    },
    TEST_CALLER,
  )
  if (!env.ok) throw new Error(`${env.error.code}: ${env.error.message}`)
  return env.value as RuleRunResult
}

function of(res: RuleRunResult, id: number | undefined): RuleDecision {
  const d = res.decisions.find((x) => x.entityId === id)
  if (!d) throw new Error(`no decision for ${id}`)
  return d
}

const last7 = { kind: 'last_n_days', days: 7, includeToday: false, offsetDays: 0 } as const

describe('frequency, fatigue and anomaly conditions', () => {
  it('frequency is impressions per person reached; no value where the platform reports no reach', async () => {
    const res = await preview({
      scope: { level: 'campaign' },
      conditions: {
        type: 'group',
        op: 'and',
        items: [{ type: 'condition', metric: 'frequency', window: last7, op: 'gte', value: 2.5 }],
      },
    })
    // 70,000 impressions / 28,000 reached.
    expect(of(res, camps[0]?.campaignId)).toMatchObject({ outcome: 'matched' })
    expect(of(res, camps[0]?.campaignId).conditions[0]).toMatchObject({ value: 2.5, against: 2.5, result: true })
    expect(of(res, camps[1]?.campaignId).conditions[0]).toMatchObject({ value: null, result: false })
    expect(of(res, camps[1]?.campaignId).outcome).toBe('not_matched')
  })

  it('fatigue: the decaying ad is fatigued (2), the flat one stable (0); not an ad-level rule: no value', async () => {
    const res = await preview({
      scope: { level: 'ad' },
      conditions: {
        type: 'group',
        op: 'and',
        items: [{ type: 'condition', metric: 'fatigue', op: 'gte', value: 2 }],
      },
    })
    expect(of(res, camps[0]?.adId)).toMatchObject({ outcome: 'matched' })
    expect(of(res, camps[0]?.adId).conditions[0]?.value).toBe(2)
    expect(of(res, camps[1]?.adId)).toMatchObject({ outcome: 'not_matched' })
    expect(of(res, camps[1]?.adId).conditions[0]?.value).toBe(0)
    const camp = await preview({
      scope: { level: 'campaign' },
      conditions: { type: 'group', op: 'and', items: [{ type: 'condition', metric: 'fatigue', op: 'gte', value: 0 }] },
    })
    expect(of(camp, camps[0]?.campaignId)).toMatchObject({ outcome: 'not_matched' })
    expect(of(camp, camps[0]?.campaignId).conditions[0]?.value).toBeNull()
  })

  it("anomaly: 1 for the campaign whose spend jumped sixfold in the window, 0 for a calm one; ads read their campaign's", async () => {
    const yesterday = { kind: 'yesterday' } as const
    const flagged = core.services.anomalies
      .list({
        workspaceId: ws,
        range: { from: LAST, to: LAST },
        levels: ['campaign'],
        minSeverity: 'info',
        includeSeasonal: false,
      })
      .anomalies.map((a) => a.entityId)
    expect(flagged).toContain(camps[2]?.campaignId)
    expect(flagged).not.toContain(camps[1]?.campaignId)
    const rule = (level: 'campaign' | 'ad') =>
      preview({
        scope: { level },
        conditions: {
          type: 'group',
          op: 'and',
          items: [{ type: 'condition', metric: 'anomaly', window: yesterday, op: 'eq', value: 1 }],
        },
      })
    const res = await rule('campaign')
    expect(of(res, camps[2]?.campaignId)).toMatchObject({ outcome: 'matched' })
    expect(of(res, camps[2]?.campaignId).conditions[0]?.value).toBe(1)
    expect(of(res, camps[1]?.campaignId).conditions[0]?.value).toBe(0)
    const ads = await rule('ad')
    expect(of(ads, camps[2]?.adId).conditions[0]?.value).toBe(1)
    expect(of(ads, camps[1]?.adId).conditions[0]?.value).toBe(0)
  })
})
