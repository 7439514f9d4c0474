import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Anomaly } from '../../../shared/ipc/contracts/analytics-insights'
import { addDays } from '../../../shared/domain/dates'
import { createTestCore, TEST_CALLER } from '../test-support'

type TestCore = ReturnType<typeof createTestCore>
let core: TestCore
let workspaceId: number

interface SimEvent {
  kind: string
  account_id: number | null
  campaign_id: number | null
  metric: string
  start_date: string
  end_date: string
}

/** Metrics an injected event moves by construction (a spend spike also raises CPA, an outage lowers ROAS). */
const RELATED: Record<string, string[]> = {
  spend: ['spend', 'cpa', 'roas'],
  conversions: ['conversions', 'cpa', 'roas'],
  cpa: ['cpa', 'conversions', 'roas'],
  ctr: ['ctr'],
  roas: ['roas'],
}

beforeAll(async () => {
  // A fixed clock makes the simulated world (and where its anomalies land) deterministic.
  core = createTestCore({ seedDemo: true, now: () => new Date('2026-11-01T12:00:00Z') })
  const job = await core.jobs.waitFor(core.startupJobId as number)
  expect(job.status).toBe('succeeded')
  workspaceId = (core.workspaces.list()[0] as { id: number }).id
}, 120_000)
afterAll(() => core.close())

describe('anomaly detection on the simulator ground truth', () => {
  it('finds the injected anomalies with few false alarms (precision and recall printed)', async () => {
    const s = core.store.sqlite
    const events = s.prepare('SELECT * FROM simulator_events WHERE workspace_id = ?').all(workspaceId) as SimEvent[]
    expect(events.length).toBeGreaterThanOrEqual(5)
    const campaignAccount = new Map(
      (s.prepare('SELECT id, account_id FROM campaigns').all() as { id: number; account_id: number }[]).map((r) => [
        r.id,
        r.account_id,
      ]),
    )
    // The simulator injects its anomalies into the last year of the window: score that whole year.
    const last = (s.prepare('SELECT max(date) AS d FROM account_daily').get() as { d: string }).d
    const env = await core.dispatch(
      'analytics:listAnomalies',
      {
        workspaceId,
        range: { from: addDays(last, -364), to: last },
        minSeverity: 'warning',
      },
      TEST_CALLER,
    )
    if (!env.ok) throw new Error(env.error.message)
    const found = (env.value as { anomalies: Anomaly[] }).anomalies
    const matches = (a: Anomaly, e: SimEvent): boolean => {
      if (a.startDate > e.end_date || a.endDate < e.start_date) return false
      if (!(RELATED[e.metric] ?? [e.metric]).includes(a.metric)) return false
      if (a.level === 'workspace') return true
      if (a.level === 'account') return a.entityId === e.account_id
      return e.campaign_id !== null ? a.entityId === e.campaign_id : campaignAccount.get(a.entityId) === e.account_id
    }
    const tp = found.filter((a) => events.some((e) => matches(a, e))).length
    const hit = events.filter((e) => found.some((a) => matches(a, e))).length
    const precision = found.length ? tp / found.length : 0
    const recall = hit / events.length
    console.log(
      `anomaly detector: ${found.length} detections (warning+), precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (${hit}/${events.length} events)`,
    )
    for (const e of events)
      console.log(
        `  ${found.some((a) => matches(a, e)) ? 'found ' : 'missed'} ${e.kind} ${e.metric} ${e.start_date}..${e.end_date}`,
      )
    expect(precision).toBeGreaterThanOrEqual(0.9)
    expect(recall).toBeGreaterThanOrEqual(0.8)
    expect(found.every((a) => /usual|post-launch|but no conversions/.test(a.explanation))).toBe(true)
  }, 60_000)
})
