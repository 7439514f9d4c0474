import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { BudgetHolder } from '../store/repos/recommendations-repo'
import { runSteps } from '../scheduler/slices'
import { budgetReallocation, budgetReallocationSteps, fallbackCurve, type AccountData } from './engine'

/** An account with `n` active campaigns holding budgets, each on a fallback curve of its own ROAS. */
function account(n: number, same = false): AccountData {
  const holders: BudgetHolder[] = []
  const curves: AccountData['curves'] = new Map()
  for (let i = 1; i <= n; i++) {
    holders.push({
      entityType: 'campaign',
      id: i,
      name: `Campaign ${i}`,
      accountId: 1,
      campaignId: i,
      status: 'active',
      dailyBudgetMicros: 100_000_000,
      launchDate: '2026-01-01',
    })
    // Spend 90 a day; revenue between 60 and 300 a day: marginal returns differ, so budgets move.
    curves.set(`campaign:${i}`, fallbackCurve('USD', 90, same ? 180 : 60 + ((i * 37) % 241), 0.6))
  }
  return {
    account: {
      id: 1,
      name: 'Account',
      platform: 'meta',
      currency: 'USD',
      timeZone: 'UTC',
      lastSettledDate: '2026-10-28',
      lastDate: '2026-10-31',
      monthlyPlanMicros: null,
    },
    to: '2026-10-28',
    latest: '2026-10-31',
    rate: 1,
    holders,
    curves,
    adSets28: [],
    adSets7: [],
    adSetsPrior21: [],
    adSetCounts: new Map(),
    campaignNames: new Map(),
    campaigns28: [],
    pacing: null,
    vertical: 'unknown',
    ads: [],
  }
}

describe('budget reallocation in steps', () => {
  it('turns the event loop every few hundred holders while their curves and table rows are built', () => {
    // Alike curves: nothing moves, so the turns counted are the holders' and rows', not the moves'.
    const steps = budgetReallocationSteps(account(2_400, true))
    let yields = 0
    while (!steps.next().done) yields++
    expect(yields).toBeGreaterThanOrEqual(2 * Math.floor(2_400 / 500))
  })

  it('gives the same advice in steps as the reallocation gave before it ran in steps', () => {
    const draft = runSteps(budgetReallocationSteps(account(2_400)))
    expect(draft?.kind).toBe('budget_reallocation')
    expect(draft?.body.reallocation).toHaveLength(2_400)
    // sha256 of the advice's JSON from `budgetReallocation` on 2436c45, before the holders and rows
    // were built in steps (2,400 holders and 30).
    const hash = (n: number): string =>
      createHash('sha256')
        .update(JSON.stringify(budgetReallocation(account(n))))
        .digest('hex')
        .slice(0, 16)
    expect(createHash('sha256').update(JSON.stringify(draft)).digest('hex').slice(0, 16)).toBe('46a130ced8bd0c51')
    expect(hash(30)).toBe('2fd6264c9c5b26f7')
  })
})
