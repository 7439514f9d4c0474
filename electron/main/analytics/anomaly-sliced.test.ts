import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Core } from '../core'
import { sliceBudget } from '../scheduler/slices'
import { createTestCore, TEST_CALLER } from '../test-support'

// The after-sync anomaly scan and the Anomalies page run the scan in slices (issue 18): the same
// answer as the scan at once, kept the same way, and a page opened during the scan waits for it.
let core: Core
let ws: number

beforeAll(async () => {
  core = createTestCore({ seedDemo: true, demo: { campaigns: 16, days: 120 } })
  expect((await core.jobs.waitFor(core.startupJobId as number)).status).toBe('succeeded')
  await core.services.alertSources.idle()
  ws = core.workspaces.list().find((w) => w.isDemo)!.id
})
afterAll(() => core.close())

describe('the sliced anomaly scan', () => {
  it('answers exactly what the scan at once answers, yielding between steps', async () => {
    const anomalies = core.services.anomalies
    for (const input of [
      { workspaceId: ws, minSeverity: 'info' as const, includeSeasonal: true },
      { workspaceId: ws, minSeverity: 'warning' as const, includeSeasonal: false, levels: ['campaign' as const] },
    ]) {
      anomalies.invalidate()
      const atOnce = anomalies.list(input)
      anomalies.invalidate()
      const budget = sliceBudget(0) // a turn of the event loop after every step
      const sliced = await anomalies.listSliced(input, budget)
      expect(sliced).toEqual(atOnce)
      expect(atOnce.anomalies.length).toBeGreaterThan(0)
      // Entities x metrics steps, plus the reads' (one per account-day of the campaigns' series).
      expect(budget.yields).toBeGreaterThan(100)
    }
  })

  it('keeps the sliced result (a later list is the same object), unless the data changed meanwhile', async () => {
    const anomalies = core.services.anomalies
    const input = { workspaceId: ws, minSeverity: 'info' as const, includeSeasonal: false }
    anomalies.invalidate()
    const first = await anomalies.listSliced(input, sliceBudget(0))
    expect(anomalies.list(input).anomalies[0]).toBe(first.anomalies[0])

    anomalies.invalidate()
    const running = anomalies.listSliced(input, sliceBudget(0))
    // A second caller during the scan (the page opened meanwhile) joins it.
    const joined = anomalies.listSliced(input, sliceBudget(0))
    anomalies.invalidate() // the data changed while it ran: its answer is not kept
    const [a, b] = await Promise.all([running, joined])
    expect(a.anomalies[0]).toBe(b.anomalies[0])
    expect(anomalies.list(input).anomalies[0]).not.toBe(a.anomalies[0])
    expect(anomalies.list(input)).toEqual(a)
  })

  it('a data:changed naming only tables the scan does not read keeps its results', async () => {
    const anomalies = core.services.anomalies
    const input = { workspaceId: ws, minSeverity: 'info' as const, includeSeasonal: false }
    const kept = anomalies.list(input)
    core.events.emit('data:changed', { tables: ['alerts', 'recommendations', 'jobs'], workspaceId: ws })
    expect(anomalies.list(input).anomalies[0]).toBe(kept.anomalies[0])
    core.events.emit('data:changed', { tables: ['account_daily'], workspaceId: ws })
    expect(anomalies.list(input).anomalies[0]).not.toBe(kept.anomalies[0])
  })

  it('warm() scans a range ahead in the background; the page then answers from it', async () => {
    const anomalies = core.services.anomalies
    const range = anomalies.defaultRange(ws)
    const input = { workspaceId: ws, range, minSeverity: 'info' as const, includeSeasonal: false }
    anomalies.invalidate()
    anomalies.warm(ws, range)
    await anomalies.idle()
    const warmed = await anomalies.listSliced(input)
    expect(anomalies.list(input).anomalies[0]).toBe(warmed.anomalies[0])
    anomalies.invalidate()
    expect(anomalies.list(input)).toEqual(warmed)
  })

  it('analytics:listAnomalies answers through the sliced scan', async () => {
    core.services.anomalies.invalidate()
    const env = await core.dispatch('analytics:listAnomalies', { workspaceId: ws, minSeverity: 'info' }, TEST_CALLER)
    if (!env.ok) throw new Error(env.error.message)
    expect(env.value).toEqual(
      core.services.anomalies.list({ workspaceId: ws, minSeverity: 'info', includeSeasonal: false }),
    )
  })
})
