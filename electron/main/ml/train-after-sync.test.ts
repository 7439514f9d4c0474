import { afterEach, describe, expect, it } from 'vitest'
import type { Core } from '../core'
import { createTestCore, TEST_CALLER } from '../test-support'
import { queueTraining } from './module'

let core: Core | null = null
afterEach(async () => {
  await core?.close()
  core = null
})

describe('a training queued behind a sync', () => {
  it("starts only once the sync's after-sync work has run (alert checks and recommendations checked done; the rules cycle registered too), not at the sync's end", async () => {
    core = createTestCore({
      seedDemo: true,
      demo: { campaigns: 8, days: 300 },
      now: () => new Date('2026-06-15T18:00:00Z'),
    })
    const c = core
    expect((await c.jobs.waitFor(c.startupJobId as number)).status).toBe('succeeded')
    // The demo build's own follow-ups first.
    await Promise.all([c.services.alertSources.idle(), c.services.recommendations.idle()])
    const ws = c.workspaces.list().find((w) => w.isDemo)?.id as number
    // When the sync ends, the after-sync work its end started is queued in these lanes (the modules'
    // listeners run before this one); each flag is set when its lane has run it.
    const settled = { alerts: false, recommendations: false }
    let atStart: typeof settled | null = null
    let pending: string[] = []
    c.events.on('job:finished', (f) => {
      if (f.kind !== 'sync:run') return
      pending = c.jobs.pendingFollowUps('sync:run')
      void c.services.alertSources.idle().then(() => (settled.alerts = true))
      void c.services.recommendations.idle().then(() => (settled.recommendations = true))
    })
    // The training's first report ('Reading daily history') is made as its run starts.
    c.events.on('job:progress', (p) => {
      if (p.kind === 'ml:train' && p.step === 'load' && !atStart) atStart = { ...settled }
    })
    const sync = await c.dispatch('sync:start', { workspaceId: ws }, TEST_CALLER)
    expect(sync.ok).toBe(true)
    if (!sync.ok) return
    const train = queueTraining(c.jobs, { workspaceId: ws, model: 'forecast', trees: 10 })
    expect((await c.jobs.waitFor((sync.value as { jobId: number }).jobId)).status).toBe('succeeded')
    const trained = await c.jobs.waitFor(train.id)
    expect([trained.status, trained.error]).toEqual(['succeeded', null])
    // Each module registered the work it started at the sync's end.
    expect(pending).toEqual(['alert checks', 'recommendations', 'rules cycle'])
    expect(atStart).toEqual({ alerts: true, recommendations: true })
  })
})
