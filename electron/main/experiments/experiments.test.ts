import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { userContext } from '../../../shared/domain/caller'
import type { EntityExperiment, TestSuggestion } from '../../../shared/ipc/contracts/experiments'
import type { Core } from '../core'
import { createTestCore, TEST_CALLER } from '../test-support'
import { MAX_SUGGESTED_DAYS } from './experiment-service'

// A small simulated workspace through the real core, migrations and contract.
let core: Core
let workspaceId: number

async function call<T>(channel: string, input: unknown, caller = TEST_CALLER): Promise<T> {
  const env = await core.dispatch(channel, input, caller)
  if (!env.ok) throw new Error(`${env.error.code}: ${env.error.message}`)
  return env.value as T
}

async function refusal(channel: string, input: unknown): Promise<{ code: string; message: string }> {
  const env = await core.dispatch(channel, input, TEST_CALLER)
  if (env.ok) throw new Error(`${channel} accepted ${JSON.stringify(input)}`)
  return env.error
}

beforeAll(async () => {
  core = createTestCore({})
  const id = core.jobs.enqueue('demo:build', { campaigns: 12, days: 60, endDate: '2026-10-31' })
  const job = await core.jobs.waitFor(id)
  expect(job.status).toBe('succeeded')
  workspaceId = (core.jobs.result(id) as { workspaceId: number }).workspaceId
}, 60_000)

afterAll(async () => {
  await core.close()
})

describe('experiments module', () => {
  it('suggests ad sets where a creative test finishes in time, with the days and budget from real traffic', async () => {
    const s = await call<TestSuggestion[]>('experiments:suggest', { workspaceId })
    expect(s.length).toBeGreaterThan(0)
    for (const x of s) {
      expect(x.adIds.length).toBeGreaterThanOrEqual(2)
      expect(x.plan.days).toBeLessThanOrEqual(MAX_SUGGESTED_DAYS)
      expect(x.plan.days).toBe(Math.max(7, Math.ceil(x.plan.totalTrials / x.dailyTrials)))
      expect(x.plan.budgetMicros).toBe(x.plan.days * x.dailySpendMicros)
      expect(x.reason).toContain(`about ${x.plan.days} days`)
    }
    // Conversion-rate tests where the traffic allows them (a 50% lift needs far fewer clicks).
    const big = await call<TestSuggestion[]>('experiments:suggest', { workspaceId, mde: 0.5 })
    expect(big.some((x) => x.metric === 'conversion_rate')).toBe(true)
    // Ranked by value per day of testing.
    const score = s.map((x) => x.weeklyValueMicros / x.plan.days)
    expect([...score].sort((a, b) => b - a)).toEqual(score)
  })

  it("analyses a test between an ad set's ads from the store's daily rows", async () => {
    const [top] = await call<TestSuggestion[]>('experiments:suggest', { workspaceId })
    expect(top?.metric).toBe('ctr')
    const ids = (top as TestSuggestion).adIds.slice(0, 2)
    const r = await call<EntityExperiment>('experiments:analyzeEntities', { workspaceId, level: 'ad', entityIds: ids })
    expect(r.to).toBe('2026-10-31')
    expect(r.from).toBe('2026-10-04')
    expect(r.analysis.control).toBe(r.entities[0]?.variant)
    // Independent reference: the clicks and (rounded per day) conversions straight from the rows.
    for (const e of r.entities) {
      const ref = core.store.sqlite
        .prepare(
          `SELECT sum(c) AS clicks, sum(k) AS conv FROM (SELECT date, sum(clicks) AS c, min(sum(clicks), round(sum(conversions))) AS k
           FROM daily_metrics WHERE ad_id = ? AND date BETWEEN ? AND ? GROUP BY date)`,
        )
        .get(e.id, r.from, r.to) as { clicks: number; conv: number }
      const v = r.analysis.variants.find((x) => x.name === e.variant)
      expect(v?.n).toBe(ref.clicks)
      expect(v?.conversions).toBe(ref.conv)
    }
    const c = r.analysis.comparisons[0]
    expect(c?.cumulative.length).toBeGreaterThan(20)
    expect(c?.sequentialPValue).not.toBeNull()
    expect(r.currency).not.toBeNull()
    expect(c?.cpa).not.toBeNull()
    expect(r.note).toContain('not split at random')
    // Observational data: a lopsided delivery never turns the verdict into a sample-ratio alarm.
    expect(r.analysis.verdict.kind).not.toBe('sample_ratio_mismatch')
    // CTR compares clicks per impression instead.
    const ctr = await call<EntityExperiment>('experiments:analyzeEntities', {
      workspaceId,
      level: 'ad',
      entityIds: ids,
      metric: 'ctr',
      controlId: ids[1],
    })
    expect(ctr.analysis.control).toBe(ctr.entities[1]?.variant)
    expect(ctr.analysis.variants[0]?.n).toBeGreaterThan(r.analysis.variants[0]?.n as number)
  })

  it('refuses unknown entities, a control outside the test and other workspaces, naming them', async () => {
    const ads = await call<{ id: number }[]>('experiments:listEntities', { workspaceId, level: 'ad' })
    const [a, b] = ads.map((x) => x.id)
    expect(
      await refusal('experiments:analyzeEntities', { workspaceId, level: 'ad', entityIds: [a, 999999] }),
    ).toMatchObject({
      code: 'NOT_FOUND',
      message: `No ad 999999 in workspace ${workspaceId}`,
    })
    expect(
      (await refusal('experiments:analyzeEntities', { workspaceId, level: 'ad', entityIds: [a, b], controlId: 999999 }))
        .message,
    ).toContain('The control 999999 is not one of the compared entities')
    expect((await refusal('experiments:analyzeEntities', { workspaceId, level: 'ad', entityIds: [a] })).code).toBe(
      'VALIDATION',
    )
    const outside = userContext('test', { id: 'v', name: 'Viewer', role: 'viewer', workspaces: [workspaceId + 1] })
    const env = await core.dispatch('experiments:suggest', { workspaceId }, outside)
    expect(env.ok).toBe(false)
    // A viewer in scope may read.
    const viewer = userContext('test', { id: 'v', name: 'Viewer', role: 'viewer' })
    expect((await core.dispatch('experiments:suggest', { workspaceId }, viewer)).ok).toBe(true)
  })

  it('plans a test from one ad set’s real traffic', async () => {
    const sets = await call<{ id: number; clicks: number; conversions: number; days: number }[]>(
      'experiments:listEntities',
      { workspaceId, level: 'ad_set' },
    )
    const s = sets.find((x) => x.conversions > 0) as { id: number }
    const p = await call<{ baseRate: number; dailyTrials: number; plan: { nPerVariant: number; days: number } }>(
      'experiments:plan',
      { workspaceId, level: 'ad_set', entityId: s.id, mde: 0.2 },
    )
    expect(p.baseRate).toBeGreaterThan(0)
    expect(p.plan.days).toBe(Math.max(7, Math.ceil((2 * p.plan.nPerVariant) / p.dailyTrials)))
  })

  it('analyses a CSV sent over IPC and refuses a bad one with a message naming the column', async () => {
    const csv = [
      'arm,bought',
      ...Array.from({ length: 2000 }, (_, i) => `${i % 2 ? 'B' : 'A'},${i % 9 === 0 ? 'yes' : 'no'}`),
    ].join('\n')
    const r = await call<{ format: string; rows: number; analysis: { variants: { name: string }[] } }>(
      'experiments:analyzeCsv',
      { csv, variantColumn: 'arm', outcomeColumn: 'bought' },
    )
    expect(r.format).toBe('users')
    expect(r.rows).toBe(2000)
    expect(r.analysis.variants.map((v) => v.name)).toEqual(['A', 'B'])
    expect(
      await refusal('experiments:analyzeCsv', { csv, variantColumn: 'group', outcomeColumn: 'bought' }),
    ).toMatchObject({
      code: 'VALIDATION',
      message: 'no column "group" in the CSV (columns: arm, bought)',
    })
    expect(
      (await refusal('experiments:analyzeCsv', { csv, variantColumn: 'arm', outcomeColumn: 'bought', control: 'Z' }))
        .message,
    ).toContain('unknown control "Z"')
  })
})
