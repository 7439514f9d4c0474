import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

// Two real processes on one store file (tsx children): every job runs once, a second process is
// told who owns the store, and a killed owner's jobs resume once in the process that takes over.

const CHILD = join(import.meta.dirname, 'testing', 'owner-child.ts')
const CLI = join(import.meta.dirname, '..', '..', 'cli', 'index.ts')
const dirs: string[] = []
const children: ChildProcessWithoutNullStreams[] = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function tempDir(): { dataDir: string; log: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'me-owner-'))
  dirs.push(dataDir)
  return { dataDir, log: join(dataDir, 'runs.log') }
}

interface Child {
  proc: ChildProcessWithoutNullStreams
  /** Resolves once stdout has printed `n` lines starting with `prefix`. */
  lines(prefix: string, n?: number): Promise<string[]>
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>
}

function start(script: string, args: string[], env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  children.push(proc)
  let out = ''
  let err = ''
  const watchers: (() => void)[] = []
  proc.stdout.on('data', (b: Buffer) => {
    out += b.toString()
    for (const w of watchers.slice()) w()
  })
  proc.stderr.on('data', (b: Buffer) => (err += b.toString()))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>(
    (resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, out, err })),
  )
  const lines = (prefix: string, n = 1): Promise<string[]> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hits = out.split('\n').filter((l) => l.startsWith(prefix))
        if (hits.length < n) return false
        resolve(hits)
        return true
      }
      if (check()) return
      const w = (): void => {
        if (check()) watchers.splice(watchers.indexOf(w), 1)
      }
      watchers.push(w)
      void exit.then((e) => {
        if (!check()) reject(new Error(`child exited (${e.code ?? e.signal}) before "${prefix}": ${e.err}`))
      })
    })
  return { proc, lines, exit }
}

const child = (mode: string, dataDir: string, log: string, jobs = 4): Child =>
  start(CHILD, [], { ME_DATA_DIR: dataDir, ME_RUN_LOG: log, ME_OWNER_MODE: mode, ME_JOBS: String(jobs) })

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
  it('runs every job once while a second process reads, is refused, and names the owner', async () => {
    const { dataDir, log } = tempDir()
    const owner = child('hold', dataDir, log, 4)
    expect((await owner.lines('OWNER'))[0]).toMatch(/^OWNER true owner-child hold \(pid \d+ on this computer/)
    await owner.lines('RUNNING', 2)
    const ownerPid = owner.proc.pid as number

    // A second process on the same store: not the owner, names it, leaves the running jobs alone.
    const second = child('resume', dataDir, log)
    const s = await second.exit
    expect(s.code).toBe(0)
    expect(s.out).toContain(`OWNER false owner-child hold (pid ${ownerPid} on this computer, since `)
    const statuses = /JOBS (.*)/.exec(s.out)?.[1]?.split(' ') ?? []
    expect(statuses.filter((x) => x.endsWith(':running'))).toHaveLength(2)
    expect(statuses.filter((x) => x.endsWith(':queued'))).toHaveLength(2)

    // The CLI beside the owner: reading works, a command that needs the queue is refused plainly.
    const status = await start(CLI, ['status'], { ME_DATA_DIR: dataDir }).exit
    expect(status.code).toBe(0)
    expect(JSON.parse(status.out)).toHaveProperty('accounts')
    const jobsList = await start(CLI, ['call', 'jobs:list', '{}'], { ME_DATA_DIR: dataDir }).exit
    expect(jobsList.code).toBe(0)
    const demo = await start(CLI, ['demo', '--campaigns', '2', '--days', '3'], { ME_DATA_DIR: dataDir }).exit
    expect(demo.code).not.toBe(0)
    expect(demo.err).toMatch(
      new RegExp(
        `Cannot start demo:build: this data folder is in use by owner-child hold \\(pid ${ownerPid} on this computer`,
      ),
    )

    owner.proc.stdin.end('go\n')
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
  }, 60_000)

  it('a new process takes over the lease of a SIGKILLed owner and resumes its jobs once', async () => {
    const { dataDir, log } = tempDir()
    const owner = child('hold', dataDir, log, 4)
    await owner.lines('RUNNING', 2)
    const ownerPid = owner.proc.pid as number
    owner.proc.kill('SIGKILL')
    expect((await owner.exit).signal).toBe('SIGKILL')

    const next = child('resume', dataDir, log)
    expect((await next.lines('OWNER'))[0]).toMatch(/^OWNER true owner-child resume \(pid \d+ on this computer/)
    const done = await next.exit
    expect(done.code).toBe(0)
    expect(done.out).toMatch(/DONE( \d+:succeeded){4}\n/)
    const r = runs(log)
    const ids = [...new Set(r.map((x) => x.job))]
    expect(ids).toHaveLength(4)
    const nextPid = next.proc.pid as number
    for (const id of ids) {
      // Finished exactly once, by the new owner; the killed owner had started two of them.
      expect(r.filter((x) => x.job === id && x.kind === 'end').map((x) => x.pid)).toEqual([nextPid])
      expect(r.filter((x) => x.job === id && x.kind === 'start' && x.pid === nextPid)).toHaveLength(1)
    }
    expect(r.filter((x) => x.kind === 'start' && x.pid === ownerPid)).toHaveLength(2)
  }, 60_000)
})
