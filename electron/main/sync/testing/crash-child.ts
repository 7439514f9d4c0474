/**
 * Child process of the crash test: a file-backed core under ME_DATA_DIR that connects to the
 * simulated platforms (in-process msw) and runs one sync job to completion. Started again after
 * a SIGKILL, the job queue resumes the job from its last committed chunk.
 * Prints "SYNCING" once the sync job runs and "DONE <status>" at the end. ME_CRASH_AT_CHECKPOINT=n
 * makes it SIGKILL itself inside its n-th checkpoint write (mid-transaction).
 */
import { TEST_CALLER } from '../../test-support'
import { join } from 'node:path'
import { createCore } from '../../core'
import { createNodePlatform } from '../../platform/node'
import { realConnector } from '../real-connectors'
import { createSimulatedPlatforms, simulatedFetch } from '../simulated'
import { buildWorld } from '../simulator'
import { fakeCredentials } from '../sync-engine/testing/setup'
import { FAST_RETRY } from './sim-setup'

export const CRASH_NOW = new Date('2026-06-15T12:00:00Z')
export const CRASH_WORLD = { seed: 5, campaigns: 16, days: 100, endDate: '2026-06-14' }

async function main(): Promise<void> {
  const dataDir = process.env.ME_DATA_DIR as string
  const platform = createNodePlatform({ host: 'cli', dataDir, now: () => CRASH_NOW })
  const world = buildWorld(CRASH_WORLD)
  const f = simulatedFetch(createSimulatedPlatforms({ world, pageSize: 60 }).handlers)
  const core = createCore(platform, {
    dbPath: join(dataDir, 'marketing-engine.db'),
    startJobs: false,
    connectors: (p, ctx) => realConnector(p, { ...ctx, fetch: f, retry: FAST_RETRY }),
  })
  const crashAt = Number(process.env.ME_CRASH_AT_CHECKPOINT ?? 0)
  if (crashAt > 0) {
    // The trigger below lives on this connection: write chunks here, not on the writer thread.
    // (The other runs use the writer thread, where a kill from outside lands at any point.)
    process.env.ME_SYNC_WRITER = 'inline'
    // Die inside the n-th checkpoint write: the engine saves checkpoints inside each chunk's
    // transaction, so this kills the process after the chunk's rows were written, before COMMIT.
    let n = 0
    core.store.sqlite.function('crash_point', () => {
      if (++n === crashAt) process.kill(process.pid, 'SIGKILL')
      return 0
    })
    core.store.sqlite.exec(
      'CREATE TEMP TRIGGER crash_on_checkpoint AFTER UPDATE OF checkpoint ON jobs BEGIN SELECT crash_point(); END',
    )
  }
  let ws = core.workspaces.findByName('Crash')?.id
  if (ws === undefined) ws = core.workspaces.create('Crash', 'USD')
  // A kill may land before the connection was saved: connect again (validation is idempotent).
  const n = (core.store.sqlite.prepare('SELECT count(*) AS n FROM connections').get() as { n: number }).n
  if (n === 0) {
    const ids = world.accounts.filter((a) => a.platform === 'meta').map((a) => a.externalId)
    const env = await core.dispatch(
      'connections:connect',
      {
        workspaceId: ws,
        credentials: fakeCredentials('meta', ids),
      },
      TEST_CALLER,
    )
    if (!env.ok) throw new Error(env.error.message)
  }
  const job = core.store.sqlite
    .prepare(`SELECT id FROM jobs WHERE kind = 'sync:run' ORDER BY id DESC LIMIT 1`)
    .get() as { id: number } | undefined
  const jobId = job?.id ?? core.jobs.enqueue('sync:run', { workspaceId: ws, mode: 'incremental' })
  let told = false
  core.events.on('job:progress', () => {
    if (!told) process.stdout.write('SYNCING\n')
    told = true
  })
  core.jobs.start()
  const done = await core.jobs.waitFor(jobId)
  process.stdout.write(`DONE ${done.status} ${done.error ?? ''}\n`)
  await core.close()
}

main().catch((err: unknown) => {
  process.stderr.write(`crash-child failed: ${String(err)}\n`)
  process.exit(1)
})
