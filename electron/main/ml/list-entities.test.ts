import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestCore, TEST_CALLER } from '../test-support'

type Entity = { entityType: string; entityId: number; name: string; campaignId: number }
let core: ReturnType<typeof createTestCore>
let ws = 0

async function list(input: Record<string, unknown>): Promise<Entity[]> {
  const env = await core.dispatch('ml:listEntities', { workspaceId: ws, ...input }, TEST_CALLER)
  if (!env.ok) throw new Error(env.error.message)
  return env.value as Entity[]
}

beforeAll(async () => {
  core = createTestCore()
  const id = core.jobs.enqueue('demo:build', { campaigns: 12, days: 20, endDate: '2026-06-30' })
  expect((await core.jobs.waitFor(id)).status).toBe('succeeded')
  ws = (core.jobs.result<{ workspaceId: number }>(id) as { workspaceId: number }).workspaceId
})
afterAll(() => core.close())

describe('ml:listEntities (the predictions picker)', () => {
  it('lists at most `limit` entities in the full order, finds by name and keeps the selected one', async () => {
    const all = await list({})
    expect(all.length).toBeGreaterThan(12)
    const first = await list({ limit: 5 })
    expect(first).toEqual(all.slice(0, 5))
    const target = all[all.length - 1] as Entity
    const found = await list({ search: target.name.slice(1, -1), limit: 50 })
    expect(found.some((e) => e.entityId === target.entityId && e.entityType === target.entityType)).toBe(true)
    expect(found.every((e) => e.name.toLowerCase().includes(target.name.slice(1, -1).toLowerCase()))).toBe(true)
    // The selected entity comes along when the page of results does not hold it.
    const kept = await list({ limit: 2, include: { entityType: target.entityType, entityId: target.entityId } })
    expect(kept[0]).toEqual(target)
    expect(kept).toHaveLength(3)
    // LIKE wildcards typed by the user are literal.
    expect(await list({ search: '%', limit: 10 })).toEqual([])
  })
})
