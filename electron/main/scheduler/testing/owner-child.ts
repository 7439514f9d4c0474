/**
 * Child process of the store-ownership tests: a file-backed core under ME_DATA_DIR with one extra
 * job kind, `test:step`, whose runs are logged (one line per start and per end) to ME_RUN_LOG.
 *
 * ME_OWNER_MODE:
 * - `hold`: queue ME_JOBS jobs; each run logs its start, says "RUNNING <id>" and waits until a line
 *   "go" arrives on stdin; prints "DONE" when every job has finished, then exits.
 * - `resume`: queue nothing; run the jobs the store has (a previous owner's) without waiting and
 *   print "DONE" when none is queued or running.
 * Every mode first prints "OWNER <true|false> <who owns the store>".
 */
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { z } from 'zod'
import { createCore } from '../../core'
import { createNodePlatform } from '../../platform/node'

async function main(): Promise<void> {
  const dataDir = process.env.ME_DATA_DIR as string
  const log = process.env.ME_RUN_LOG as string
  const mode = process.env.ME_OWNER_MODE
  const platform = createNodePlatform({ host: 'cli', dataDir })
  const core = createCore(platform, {
    dbPath: join(dataDir, 'marketing-engine.db'),
    ownerLabel: `owner-child ${mode}`,
    startJobs: false,
  })
  let go: () => void = () => undefined
  const released = new Promise<void>((r) => (go = r))
  const stdin = mode === 'hold' ? createInterface({ input: process.stdin }) : null
  if (stdin) {
    stdin.on('line', (l) => {
      if (l.trim() === 'go') go()
    })
  } else go()
  const jobs = core.jobs.withKinds({ 'test:step': z.object({ n: z.number() }) })
  jobs.register({
    kind: 'test:step',
    maxAttempts: 3,
    run: async ({ n }, ctx) => {
      appendFileSync(log, `start ${ctx.jobId} ${n} ${process.pid} ${ctx.attempt}\n`)
      process.stdout.write(`RUNNING ${ctx.jobId}\n`)
      await released
      appendFileSync(log, `end ${ctx.jobId} ${n} ${process.pid}\n`)
      return n
    },
  })
  process.stdout.write(`OWNER ${core.ownership.isOwner} ${core.ownership.describeOwner()}\n`)
  if (!core.ownership.isOwner) {
    // A second process: report what it sees, start nothing, and leave the owner's jobs alone.
    core.jobs.start()
    const jobs = core.jobs.list(100).filter((j) => j.kind === 'test:step')
    process.stdout.write(`JOBS ${jobs.map((j) => `${j.id}:${j.status}`).join(' ')}\n`)
    stdin?.close()
    await core.close()
    return
  }
  const ids: number[] = []
  if (mode === 'hold') {
    for (let n = 0; n < Number(process.env.ME_JOBS ?? 4); n++) ids.push(jobs.enqueue('test:step', { n }))
  }
  core.jobs.start()
  if (mode === 'resume') {
    for (const j of jobs.active('test:step')) ids.push(j.id)
  }
  const done = await Promise.all(ids.map((id) => core.jobs.waitFor(id)))
  process.stdout.write(`DONE ${done.map((j) => `${j.id}:${j.status}`).join(' ')}\n`)
  stdin?.close()
  await core.close()
}

main().catch((err: unknown) => {
  process.stderr.write(`owner-child failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
