import { afterEach, describe, expect, it, vi } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestCore, TEST_CALLER } from '../test-support'
import type { Core } from '../core'
import { queueTraining } from './module'
import { ModelRegistry } from '../store/repos/model-registry'
import { trainInWorker } from './train-runner'
import type * as TrainRunner from './train-runner'

// The real training, watched: the tests compare what it trained with what was stored.
vi.mock('./train-runner', async (original) => {
  const m = await original<typeof TrainRunner>()
  return { ...m, trainInWorker: vi.fn(m.trainInWorker) }
})

let core: Core | null = null
afterEach(async () => {
  await core?.close()
  core = null
})

describe('ml:train', () => {
  it('never queues a second training of a workspace while one is queued or running (IPC and CLI path)', async () => {
    core = createTestCore({ startJobs: false })
    const a = core.workspaces.create('A', 'USD')
    const b = core.workspaces.create('B', 'USD')
    const first = await core.dispatch('ml:train', { workspaceId: a, model: 'forecast' }, TEST_CALLER)
    const again = await core.dispatch('ml:train', { workspaceId: a, model: 'forecast' }, TEST_CALLER)
    expect(first.ok && again.ok).toBe(true)
    if (!first.ok || !again.ok) return
    const id = (first.value as { jobId: number }).jobId
    expect((again.value as { jobId: number }).jobId).toBe(id)
    // The CLI's `train` goes through the same check.
    expect(queueTraining(core.jobs, { workspaceId: a, model: 'forecast', trees: 20 })).toEqual({ id, existing: true })
    // Another workspace trains on its own.
    const other = queueTraining(core.jobs, { workspaceId: b, model: 'forecast' })
    expect(other.existing).toBe(false)
    expect(core.jobs.active('ml:train').map((j) => j.id)).toEqual([id, other.id])
    // Once the first has finished, a new training may be queued.
    expect(core.jobs.cancel(id)).toBe(true)
    const next = await core.dispatch('ml:train', { workspaceId: a, model: 'forecast' }, TEST_CALLER)
    expect(next.ok && (next.value as { jobId: number }).jobId).not.toBe(id)
  })
})

describe('training on a store file', () => {
  it('reads the history, trains, scores and builds the badges in the worker, then stores them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-train-file-'))
    core = createTestCore({ dbPath: join(dir, 'store.db') })
    const build = core.jobs.enqueue('demo:build', { campaigns: 8, days: 300, endDate: '2026-06-30' })
    expect((await core.jobs.waitFor(build)).status).toBe('succeeded')
    const ws = (core.jobs.result<{ workspaceId: number }>(build) as { workspaceId: number }).workspaceId
    // A training cancelled while its badges are being written leaves no version behind.
    const cancel = new AbortController()
    let writes = 0
    const first = ModelRegistry.prototype.addPredictions
    const abortAfterTwo = vi.spyOn(ModelRegistry.prototype, 'addPredictions').mockImplementation(function (
      this: ModelRegistry,
      ...args: Parameters<ModelRegistry['addPredictions']>
    ) {
      first.apply(this, args)
      if (++writes === 1) cancel.abort(new Error('cancelled by the test'))
    })
    await expect(
      core.services.forecasts.train(
        ws,
        { progress: () => undefined, signal: cancel.signal },
        { nTrees: 10, quantileTrees: 10, predictionRowsPerWrite: 2 },
      ),
    ).rejects.toThrow(/cancelled by the test/)
    abortAfterTwo.mockRestore()
    expect(writes).toBe(1)
    expect(core.store.sqlite.prepare('SELECT count(*) AS n FROM models').get()).toEqual({ n: 0 })
    expect(core.store.sqlite.prepare('SELECT count(*) AS n FROM predictions').get()).toEqual({ n: 0 })
    const steps: string[] = []
    // The badges are written a slice at a time while the new version is still inactive.
    const sqlite = core.store.sqlite
    const activeWhileWriting: number[] = []
    const slices: number[] = []
    const original = ModelRegistry.prototype.addPredictions
    const add = vi.spyOn(ModelRegistry.prototype, 'addPredictions').mockImplementation(function (
      this: ModelRegistry,
      ...args: Parameters<ModelRegistry['addPredictions']>
    ) {
      const row = sqlite.prepare('SELECT active FROM models WHERE id = ?').get(args[0]) as { active: number }
      activeWhileWriting.push(row.active)
      slices.push(args[1].length)
      original.apply(this, args)
    })
    const r = await core.services.forecasts.train(
      ws,
      {
        progress: (step, _c, _t, message) => steps.push(`${step}: ${message ?? ''}`),
        signal: new AbortController().signal,
      },
      // Two badges per write: several slices, the last one short when the count is odd.
      { nTrees: 10, quantileTrees: 10, predictionRowsPerWrite: 2 },
    )
    add.mockRestore()
    expect(r).toMatchObject({ ranIn: 'worker', activated: true })
    const trained = (await vi.mocked(trainInWorker).mock.results.at(-1)?.value) as { badges: { ids: Float64Array } }
    const total = trained.badges.ids.length
    expect(total).toBeGreaterThanOrEqual(3)
    expect(activeWhileWriting.every((a) => a === 0)).toBe(true)
    expect(slices).toEqual([...Array(Math.ceil(total / 2)).keys()].map((i) => Math.min(2, total - 2 * i)))
    const stored = sqlite
      .prepare(
        `SELECT m.active, (SELECT count(*) FROM predictions p WHERE p.model_id = m.id) AS n FROM models m
         WHERE m.workspace_id = ? AND m.version = ?`,
      )
      .get(ws, r.version) as { active: number; n: number }
    expect(stored).toEqual({ active: 1, n: total })
    // The training thread says what its heap held (the scale bench reports it).
    expect(r.workerHeapMb).toBeGreaterThan(0)
    // The worker told how much it read before training.
    expect(steps.some((s) => /^train: Training on \d+ series x 300 days$/.test(s))).toBe(true)
    const badges = await core.dispatch(
      'ml:listEntityForecasts',
      { workspaceId: ws, entityType: 'campaign' },
      TEST_CALLER,
    )
    expect(badges.ok && (badges.value as unknown[]).length).toBeGreaterThan(0)
  })
})
