import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Ltv } from '../../../shared/ipc/contracts/ml'
import { createTestCore, TEST_CALLER } from '../test-support'

const core = createTestCore({})
afterAll(async () => {
  await core.close()
})
const workspaceId = core.workspaces.create('Shop', 'USD')
const count = (): number => (core.store.sqlite.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n

// 3,000 CDNOW customers as a shop's orders, acquisition channel by customer id.
const lines = readFileSync(join(__dirname, 'fixtures', 'cdnow_master_transactions.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
const rows = lines
  .map((l) => l.split(','))
  .filter((c) => Number(c[0]) <= 3000)
  .map(
    ([id, date, , value]) =>
      `${id},${date},${value},${['meta', 'google', 'tiktok'][Number(id) % 3]},camp-${Number(id) % 2}`,
  )
const csv = `customer_id,date,revenue,utm_source,campaign_id\n${rows.join('\n')}\n`

describe('orders import and LTV', () => {
  it('rejects a broken file with its line number and writes nothing', async () => {
    const bad = csv.replace(/\n(\d+),1997-0(\d)-(\d\d),/, '\n$1,1997/0$2/$3,')
    const env = await core.dispatch('ml:importOrders', { workspaceId, csv: bad }, TEST_CALLER)
    expect(env.ok).toBe(false)
    if (!env.ok) expect(env.error.message).toMatch(/line 2: date/)
    expect(count()).toBe(0)
    const noRevenue = await core.dispatch(
      'ml:importOrders',
      { workspaceId, csv: 'customer_id,date\n1,2024-01-01\n' },
      TEST_CALLER,
    )
    expect(noRevenue.ok).toBe(false)
    if (!noRevenue.ok) expect(noRevenue.error.message).toMatch(/"revenue" column/)
  })

  it('imports orders and values customers by acquisition channel', async () => {
    const env = await core.dispatch('ml:importOrders', { workspaceId, csv }, TEST_CALLER)
    expect(env.ok).toBe(true)
    expect(count()).toBe(rows.length)
    const ltvEnv = await core.dispatch('ml:getLtv', { workspaceId, horizonWeeks: 52 }, TEST_CALLER)
    expect(ltvEnv.ok).toBe(true)
    if (!ltvEnv.ok) return
    const ltv = ltvEnv.value as Ltv
    expect(ltv.customers).toBe(3000)
    expect(ltv.byChannel.map((g) => g.key).sort()).toEqual(['google', 'meta', 'tiktok'])
    for (const g of ltv.byChannel) {
      expect(g.ltvMicros).toBeGreaterThan(0)
      expect(g.expectedPurchases).toBeGreaterThan(0)
    }
    expect(ltv.gammaGamma).not.toBeNull()
    expect(ltv.bgnbd.r).toBeGreaterThan(0)
  })

  it('answers VALIDATION, not NaN, when one customer cannot fit the model', async () => {
    const ws = core.workspaces.create('One customer', 'USD')
    const one = 'customer_id,date,revenue,utm_source,campaign_id\n7,2024-01-01,30,meta,c1\n7,2024-02-01,20,meta,c1\n'
    expect((await core.dispatch('ml:importOrders', { workspaceId: ws, csv: one }, TEST_CALLER)).ok).toBe(true)
    const env = await core.dispatch('ml:getLtv', { workspaceId: ws, horizonWeeks: 52 }, TEST_CALLER)
    expect(env).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', message: expect.stringMatching(/1 customer/) },
    })
    expect(JSON.stringify(env)).not.toContain('NaN')
  })
})
