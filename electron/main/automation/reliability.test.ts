import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Change } from '../../../shared/domain/changes'
import type { RuleRunResult } from '../../../shared/domain/rules'
import { syncNow } from '../sync/sync-engine/testing/setup'
import { buildWorld } from '../sync/simulator'
import { simWorkspace, type SimWorkspace } from '../sync/testing/sim-setup'
import { TEST_CALLER } from '../test-support'

const NOW = new Date('2026-06-15T12:00:00Z')
const world = buildWorld({ seed: 5, campaigns: 12, days: 10, endDate: '2026-06-14' })

let w: SimWorkspace

beforeAll(async () => {
  w = await simWorkspace(
    ['meta'],
    { world },
    { now: () => NOW, coreOptions: { changeWorker: { baseDelayMs: 2, maxDelayMs: 10 } } },
  )
  // The world's second Meta account bills in EUR.
  w.core.fx.upsertMany(w.workspaceId, [{ currency: 'EUR', month: '2026-06', rate: 1.1 }])
  const r = await syncNow(w.core, w.workspaceId)
  expect(r.status).toBe('succeeded')
}, 60_000)

afterAll(async () => {
  await w.core.close()
})

async function call<T>(channel: string, input: unknown): Promise<T> {
  const env = await w.core.dispatch(channel, input, TEST_CALLER)
  if (!env.ok) throw new Error(`${env.error.code}: ${env.error.message}`)
  return env.value as T
}

const TERMINAL = new Set(['applied', 'failed', 'rejected', 'undone'])

/** Resolves when every listed change has reached a final state (on the pipeline's data:changed events). */
function settled(ids: number[]): Promise<Change[]> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      const all = ids.map((id) => w.core.services.changes.get(id))
      if (!all.every((c) => TERMINAL.has(c.state))) return false
      off()
      resolve(all)
      return true
    }
    const off = w.core.events.on('data:changed', () => void check())
    check()
  })
}

describe('automatic rules and the change pipeline', () => {
  it('a platform that rate-limits mid-run: the changes wait, resume and are applied once each', async () => {
    const { id } = await call<{ id: number }>('rules:create', {
      workspaceId: w.workspaceId,
      name: 'Raise Meta budgets',
      mode: 'automatic',
      scope: { level: 'ad_set' },
      guardrails: { learningDays: 0, minConversions: 0, minSpendMicros: 0, maxActionsPerRun: 3 },
      conditions: {
        type: 'group',
        op: 'and',
        items: [
          {
            type: 'condition',
            metric: 'spend',
            window: { kind: 'lifetime' },
            includeProvisional: true,
            op: 'gte',
            value: 0,
          },
        ],
      },
      actions: [{ kind: 'change_budget', pct: 10 }],
    })
    // The next three platform reads answer Meta's rate limit (the worker reads before and after
    // each write; the connector waits and retries).
    w.state.faults.set({ script: ['rate_limit', 'rate_limit', 'rate_limit'], platforms: ['meta'] })
    const run = await call<RuleRunResult>('rules:run', { id })
    const ids = run.decisions.flatMap((d) => d.actions.map((a) => a.changeId)).filter((x): x is number => x !== null)
    expect(ids.length).toBeGreaterThanOrEqual(2)
    const done = await settled(ids)
    w.state.faults.set({})
    expect(w.state.faults.injected.rate_limit).toBe(3)
    for (const c of done) {
      expect(c).toMatchObject({ state: 'applied', writes: 1 })
      expect(w.state.writes.get(`meta:${c.externalId}`)).toBe(1)
      expect(w.state.adSets.get(c.externalId)?.dailyBudgetMicros).toBe(c.applied)
    }
    // The three rate limits were met by this run's reads and retried: nothing failed, nothing doubled.
    expect(done).toHaveLength(ids.length)
  }, 60_000)
})
