import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { killChildren, scratchDirs, startChild, type RunningChild } from '../../../tests/support/crash-harness'

// Two real processes on one store file (tsx children on the shared crash harness): every job runs
// once, a second process is told who owns the store, and a killed owner's jobs resume once in the
// process that takes over. Every wait is on a child's output or exit (markers), never on a clock;
// the time limits below only catch a hang (each child is a tsx process that loads the whole core:
// many seconds each on a busy machine).

const HANG_MS = 600_000
const CHILD = join(import.meta.dirname, 'testing', 'owner-child.ts')
const CLI = join(import.meta.dirname, '..', '..', 'cli', 'index.ts')
const scratch = scratchDirs()
afterAll(() => {
  killChildren()
  scratch.cleanup()
})

function tempDir(): { dataDir: string; log: string } {
  const dataDir = scratch.make('me-owner-')
  return { dataDir, log: join(dataDir, 'runs.log') }
}

const child = (mode: string, dataDir: string, log: string, jobs = 4): RunningChild =>
  startChild(
    CHILD,
    { ME_DATA_DIR: dataDir, ME_RUN_LOG: log, ME_OWNER_MODE: mode, ME_JOBS: String(jobs) },
    { stdin: mode === 'hold' },
  )

const cli = (dataDir: string, ...args: string[]): RunningChild => startChild(CLI, { ME_DATA_DIR: dataDir }, { args })

/** The run log as { kind, job, pid } lines. */
function runs(log: string): { kind: string; job: number; pid: number }[] {
  if (!existsSync(log)) return []
  return readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const [kind, job, , pid] = l.split(' ')
      return { kind: kind as string, job: Number(job), pid: Number(pid) }
    })
}

describe('one owner per store (two real processes)', () => {
  it(
    'runs every job once while a second process reads, is refused, and names the owner',
    async () => {
      const { dataDir, log } = tempDir()
      const owner = child('hold', dataDir, log, 4)
      expect((await owner.lines('OWNER'))[0]).toMatch(/^OWNER true owner-child hold \(pid \d+ on this computer/)
      await owner.lines('RUNNING', 2)
      const ownerPid = owner.pid

      // A second process on the same store: not the owner, names it, leaves the running jobs alone.
      const second = child('resume', dataDir, log)
      const s = await second.exit
      expect(s.code).toBe(0)
      expect(s.out).toContain(`OWNER false owner-child hold (pid ${ownerPid} on this computer, since `)
      const statuses = /JOBS (.*)/.exec(s.out)?.[1]?.split(' ') ?? []
      expect(statuses.filter((x) => x.endsWith(':running'))).toHaveLength(2)
      expect(statuses.filter((x) => x.endsWith(':queued'))).toHaveLength(2)

      // The CLI beside the owner (three processes at once): reading works, a command that needs the
      // queue is refused plainly.
      const [status, jobsList, demo] = await Promise.all([
        cli(dataDir, 'status').exit,
        cli(dataDir, 'call', 'jobs:list', '{}').exit,
        cli(dataDir, 'demo', '--campaigns', '2', '--days', '3').exit,
      ])
      expect(status.code).toBe(0)
      expect(JSON.parse(status.out)).toHaveProperty('accounts')
      expect(jobsList.code).toBe(0)
      expect(demo.code).not.toBe(0)
      expect(demo.err).toMatch(
        new RegExp(
          `Cannot start demo:build: this data folder is in use by owner-child hold \\(pid ${ownerPid} on this computer`,
        ),
      )

      owner.send('go\n', true)
      const done = await owner.exit
      expect(done.code).toBe(0)
      expect(done.out).toMatch(/DONE( \d+:succeeded){4}\n/)
      const r = runs(log)
      const ids = [...new Set(r.map((x) => x.job))]
      expect(ids).toHaveLength(4)
      for (const id of ids) {
        expect(r.filter((x) => x.job === id && x.kind === 'start')).toHaveLength(1)
        expect(r.filter((x) => x.job === id && x.kind === 'end')).toHaveLength(1)
      }
      expect(new Set(r.map((x) => x.pid))).toEqual(new Set([ownerPid]))
    },
    HANG_MS,
  )

  it(
    'a new process takes over the lease of a SIGKILLed owner and resumes its jobs once',
    async () => {
      const { dataDir, log } = tempDir()
      const owner = child('hold', dataDir, log, 4)
      await owner.lines('RUNNING', 2)
      const ownerPid = owner.pid
      owner.kill()
      expect((await owner.exit).signal).toBe('SIGKILL')

      const next = child('resume', dataDir, log)
      expect((await next.lines('OWNER'))[0]).toMatch(/^OWNER true owner-child resume \(pid \d+ on this computer/)
      const done = await next.exit
      expect(done.code).toBe(0)
      expect(done.out).toMatch(/DONE( \d+:succeeded){4}\n/)
      const r = runs(log)
      const ids = [...new Set(r.map((x) => x.job))]
      expect(ids).toHaveLength(4)
      const nextPid = next.pid
      for (const id of ids) {
        // Finished exactly once, by the new owner; the killed owner had started two of them.
        expect(r.filter((x) => x.job === id && x.kind === 'end').map((x) => x.pid)).toEqual([nextPid])
        expect(r.filter((x) => x.job === id && x.kind === 'start' && x.pid === nextPid)).toHaveLength(1)
      }
      expect(r.filter((x) => x.kind === 'start' && x.pid === ownerPid)).toHaveLength(2)
    },
    HANG_MS,
  )
})
