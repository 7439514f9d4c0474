import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  EntityForecast,
  Forecast,
  ModelVersion,
  ResponseCurveView,
  ValuePerConversion,
} from '../../../shared/ipc/contracts/ml'
import type { Core } from '../core'
import { createTestCore, TEST_CALLER } from '../test-support'

// The demo-sized simulated workspace (120 campaigns x 548 days), trained through the real job (worker thread).
let core: Core
let workspaceId = 0
let campaignIds: number[] = []

async function call<T>(channel: string, input: unknown): Promise<T> {
  const env = await core.dispatch(channel, input, TEST_CALLER)
  if (!env.ok) throw new Error(`${channel}: ${env.error.code} ${env.error.message}`)
  return env.value as T
}

async function train(trees?: number): Promise<{ version: number; activated: boolean; ranIn: string }> {
  const jobId = trees
    ? core.jobs.enqueue('ml:train', { workspaceId, trees })
    : (await call<{ jobId: number }>('ml:train', { workspaceId })).jobId
  const job = await core.jobs.waitFor(jobId)
  expect(job.error).toBeNull()
  expect(job.status).toBe('succeeded')
  return core.jobs.result(jobId) as { version: number; activated: boolean; ranIn: string }
}

beforeAll(async () => {
  core = createTestCore({})
  const id = core.jobs.enqueue('demo:build', { campaigns: 120, days: 548, endDate: '2026-10-31' })
  const job = await core.jobs.waitFor(id)
  expect(job.status).toBe('succeeded')
  workspaceId = (core.jobs.result(id) as { workspaceId: number }).workspaceId
  campaignIds = (core.store.sqlite.prepare('SELECT id FROM campaigns ORDER BY id').all() as { id: number }[]).map(
    (r) => r.id,
  )
}, 60_000)

afterAll(async () => {
  await core.close()
})

describe('forecast models', () => {
  let first: { version: number; activated: boolean; ranIn: string }

  it('trains in a worker, beats the naive 28-day baseline and states honest 80% intervals', async () => {
    first = await train(100)
    expect(first).toMatchObject({ version: 1, activated: true, ranIn: 'worker' })
    const [m] = await call<ModelVersion[]>('ml:listModels', { workspaceId })
    expect(m?.active).toBe(true)
    const metrics = (m as ModelVersion).metrics
    console.log('held-out metrics', JSON.stringify(metrics))
    for (const k of ['conversions', 'revenue'] as const) {
      expect(metrics[k].n).toBeGreaterThan(100)
      expect(metrics[k].mae).toBeLessThan(metrics[k].naiveMae)
      // The band for a stated 80% interval.
      expect(metrics[k].coverage).toBeGreaterThanOrEqual(0.75)
      expect(metrics[k].coverage).toBeLessThanOrEqual(0.85)
    }
  }, 60_000)

  it('keeps the active version when a retrain does not beat it', async () => {
    // A weaker challenger (10 trees instead of 100) on the same data must not replace version 1.
    const second = await train(10)
    expect(second.version).toBe(2)
    expect(second.activated).toBe(false)
    const models = await call<ModelVersion[]>('ml:listModels', { workspaceId })
    expect(models.filter((m) => m.active).map((m) => m.version)).toEqual([1])
  }, 60_000)

  it('forecasts a campaign with an interval and answers a budget what-if', async () => {
    const badges = await call<EntityForecast[]>('ml:listEntityForecasts', { workspaceId })
    expect(badges.length).toBe(campaignIds.length)
    const busy = [...badges].sort((a, b) => b.dailySpendMicros - a.dailySpendMicros)[0] as EntityForecast
    const base = await call<Forecast>('ml:getForecast', {
      workspaceId,
      entityType: 'campaign',
      entityId: busy.entityId,
      days: 14,
    })
    expect(base.path).toHaveLength(14)
    expect(base.conversions.lower).toBeLessThanOrEqual(base.conversions.point)
    expect(base.conversions.upper).toBeGreaterThanOrEqual(base.conversions.point)
    expect(base.conversions.upper).toBeGreaterThan(base.conversions.lower)
    expect(base.model.version).toBe(1)
    // The badge is the same forecast at the same spend.
    expect(base.conversions.point).toBeCloseTo(busy.conversions.point, 6)
    const none = await call<Forecast>('ml:getForecast', {
      workspaceId,
      entityType: 'campaign',
      entityId: busy.entityId,
      days: 14,
      dailySpendMicros: 0,
    })
    expect(none.conversions.point).toBeLessThan(base.conversions.point)
    const curve = await call<ResponseCurveView>('ml:getResponseCurve', {
      workspaceId,
      entityType: 'campaign',
      entityId: busy.entityId,
    })
    expect(curve.points.length).toBeGreaterThan(10)
    expect(Number.isFinite(curve.marginalRoasAtCurrent)).toBe(true)
  })

  it('explains CPA with a small readable drivers tree', async () => {
    const d = await call<{ rows: number; nodes: { rule: string; depth: number }[] }>('ml:getDrivers', {
      workspaceId,
      days: 90,
    })
    expect(d.rows).toBeGreaterThan(20)
    expect(d.nodes.length).toBeGreaterThan(1)
    expect(Math.max(...d.nodes.map((n) => n.depth))).toBeLessThanOrEqual(3)
  })

  it('gives revenue per conversion from ad data where no orders exist', async () => {
    const v = await call<ValuePerConversion>('ml:getValuePerConversion', { workspaceId, days: 28 })
    const top = v.byPlatform[0] as ValuePerConversion['byPlatform'][number]
    const sums = core.store.sqlite
      .prepare(
        `SELECT sum(cd.conversion_value_micros) AS r, sum(cd.conversions) AS c FROM campaign_daily cd
         JOIN ad_accounts a ON a.id = cd.account_id WHERE a.platform = ? AND a.currency = ? AND cd.date BETWEEN ? AND ?`,
      )
      .get(top.key, top.currency, v.from, v.to) as { r: number; c: number }
    expect(top.revenuePerConversionMicros).toBe(Math.round(sums.r / sums.c))
    expect(top.weekly.length).toBeGreaterThanOrEqual(4)
    expect(v.byCampaign.length).toBeGreaterThan(0)
  })

  it('validates training requests', async () => {
    const env = await core.dispatch('ml:train', { workspaceId: -1 }, TEST_CALLER)
    expect(env.ok).toBe(false)
    if (!env.ok) expect(env.error.code).toBe('VALIDATION')
  })

  it('refuses a forecast for unknown entities', async () => {
    const env = await core.dispatch(
      'ml:getForecast',
      {
        workspaceId,
        entityType: 'campaign',
        entityId: 999_999,
        days: 7,
      },
      TEST_CALLER,
    )
    expect(env.ok).toBe(false)
    if (!env.ok) expect(env.error.code).toBe('NOT_FOUND')
  })
})
