/**
 * The one child-process crash harness of the test suite: run a child script (a file-backed core
 * under tsx), SIGKILL it at a chosen point, run it again on the same data folder, and inspect what
 * the restarts left. Used by the change pipeline's, the sync engine's, the automation rules' crash
 * tests and the alerts outbox's restart test.
 *
 * - `startChild`: spawn `node --import tsx <script> [args]` and hold it: wait for marker lines on its
 *   stdout (`lines`), write to its stdin, SIGKILL it, await its exit code and output (the store
 *   ownership test's owner and second processes, and the CLI beside them). `killChildren` in afterAll.
 * - `runChild`: spawn `node --import tsx <script>`; kill it `afterMs` after a marker line appears on
 *   its stdout, or as soon as a predicate says so (polled every millisecond once the marker appeared),
 *   or never (let it finish; it must exit 0). A child that kills itself (SIGKILL from inside) counts
 *   as killed too.
 * - `killPoints`: reproducible random kill delays from the project's `SeededRandom`
 *   (`ME_CRASH_SEED` overrides the seed, to replay another sequence).
 * - `scratchDirs`: temporary data folders removed after the file's tests.
 * - `serveSimulatedPlatforms`: the simulated ad platforms behind a loopback HTTP server in the test
 *   process, so their state (budgets, statuses, write counts) survives every kill of the child, with
 *   the `ME_<PLATFORM>_BASE_URL` / `_TOKEN_URL` / `ME_SIM_ACCOUNTS` variables a child connects with.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getResponse } from 'msw'
import { PLATFORMS } from '../../shared/domain/entities'
import { SeededRandom } from '../../shared/experiments/random'
import { createSimulatedPlatforms, type SimulatedPlatforms } from '../../electron/main/sync/simulated'
import type { SimWorld } from '../../electron/main/sync/simulator'

export interface ChildResult {
  /** The child died of SIGKILL (ours or its own). */
  killed: boolean
  /** Everything it printed on stdout. */
  out: string
}

export type KillPlan =
  /** SIGKILL `afterMs` after `marker` first appears on stdout. */
  | { marker: string; afterMs: number }
  /** SIGKILL as soon as `when()` is true, checked every millisecond once `marker` appeared. */
  | { marker: string; when: () => boolean }

/** How a child ended, with everything it printed. */
export interface ChildExit {
  code: number | null
  signal: NodeJS.Signals | null
  out: string
  err: string
}

/** A running child (see `startChild`). */
export interface RunningChild {
  proc: ChildProcess
  /** Its pid. */
  pid: number
  /** What it printed on stdout so far. */
  out(): string
  /**
   * Resolves with the stdout lines starting with `prefix` once at least `n` were printed; rejects
   * (with its stderr) if the child exits before. Waits on output only: no clock involved.
   */
  lines(prefix: string, n?: number): Promise<string[]>
  /** Call `fn` after each chunk of stdout (kill plans watch the output this way). */
  onOutput(fn: () => void): void
  /** Write to its stdin (started with `stdin: true`); `close` ends it after the text. */
  send(text: string, close?: boolean): void
  /** SIGKILL it. */
  kill(): void
  /** Resolves when it exits, however it ends. */
  exit: Promise<ChildExit>
}

/** Every child a test file started, so `killChildren()` (in afterAll) can end the ones left running. */
const started = new Set<ChildProcess>()

/**
 * Start `script` in a child process (`node --import tsx <script> ...args`) with `env` added to this
 * process's environment. `stdin: true` keeps its stdin open for `send`.
 */
export function startChild(
  script: string,
  env: Record<string, string>,
  opts: { args?: string[]; stdin?: boolean } = {},
): RunningChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...(opts.args ?? [])], {
    env: { ...process.env, ...env },
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  })
  started.add(proc)
  let out = ''
  let err = ''
  const watchers = new Set<() => void>()
  ;(proc.stdout as NodeJS.ReadableStream).on('data', (b: Buffer) => {
    out += b.toString()
    for (const w of [...watchers]) w()
  })
  ;(proc.stderr as NodeJS.ReadableStream).on('data', (b: Buffer) => (err += b.toString()))
  const exit = new Promise<ChildExit>((resolve) => {
    proc.on('error', (e) => {
      err += String(e)
      resolve({ code: null, signal: null, out, err })
    })
    proc.on('exit', (code, signal) => {
      started.delete(proc)
      resolve({ code, signal, out, err })
    })
  })
  const lines = (prefix: string, n = 1): Promise<string[]> =>
    new Promise((resolve, reject) => {
      const hits = (): string[] => out.split('\n').filter((l) => l.startsWith(prefix))
      if (hits().length >= n) return resolve(hits())
      const w = (): void => {
        if (hits().length < n) return
        watchers.delete(w)
        resolve(hits())
      }
      watchers.add(w)
      void exit.then((e) => {
        if (hits().length >= n) resolve(hits())
        else reject(new Error(`${script} exited (${e.code ?? e.signal}) before printing "${prefix}": ${e.err}`))
      })
    })
  return {
    proc,
    pid: proc.pid as number,
    out: () => out,
    lines,
    onOutput: (fn) => watchers.add(fn),
    send: (text, close = false) => {
      if (close) proc.stdin?.end(text)
      else proc.stdin?.write(text)
    },
    kill: () => proc.kill('SIGKILL'),
    exit,
  }
}

/** SIGKILL every child this file started that is still running (afterAll). */
export function killChildren(): void {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
  started.clear()
}

/**
 * Run `script` in a child process (`node --import tsx`) with `env` added to this process's
 * environment; kill it by `kill` (null: let it finish). Resolves when it exits: killed, or exit 0;
 * any other exit rejects with its stderr.
 */
export async function runChild(
  script: string,
  env: Record<string, string>,
  kill: KillPlan | null = null,
): Promise<ChildResult> {
  const child = startChild(script, env)
  let timer: NodeJS.Timeout | null = null
  let poll: NodeJS.Timeout | null = null
  if (kill)
    child.onOutput(() => {
      if (timer || poll || !child.out().includes(kill.marker)) return
      if ('afterMs' in kill) timer = setTimeout(() => child.kill(), kill.afterMs)
      else
        poll = setInterval(() => {
          if (kill.when()) child.kill()
        }, 1)
    })
  const e = await child.exit
  if (timer) clearTimeout(timer)
  if (poll) clearInterval(poll)
  if (e.signal === 'SIGKILL') return { killed: true, out: e.out }
  if (e.code === 0) return { killed: false, out: e.out }
  throw new Error(`${script} exited ${e.code ?? e.signal}: ${e.err}`)
}

/** The seed of a crash test's kill points: `ME_CRASH_SEED` when set, else the test's own. */
export function crashSeed(fallback: number): number {
  const s = process.env.ME_CRASH_SEED
  return s !== undefined && s !== '' ? Number(s) : fallback
}

/** A reproducible random source for kill points (the project's SeededRandom, mulberry32). */
export function killRandom(fallbackSeed: number): SeededRandom {
  return new SeededRandom(crashSeed(fallbackSeed))
}

/** `n` kill delays in ms: the i-th uniform in [0, maxMs(i)). */
export function killPoints(fallbackSeed: number, n: number, maxMs: (i: number) => number): number[] {
  const r = killRandom(fallbackSeed)
  return Array.from({ length: n }, (_, i) => Math.floor(r.next() * maxMs(i)))
}

/** Temporary folders for one test file; `cleanup()` (in afterAll) removes them. */
export function scratchDirs(): { make(prefix: string): string; cleanup(): void } {
  const dirs: string[] = []
  return {
    make(prefix) {
      const d = mkdtempSync(join(tmpdir(), prefix))
      dirs.push(d)
      return d
    },
    cleanup() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
    },
  }
}

export interface LoopbackPlatforms {
  sim: SimulatedPlatforms
  /** `http://127.0.0.1:<port>` */
  base: string
  /** What a child needs to reach these platforms (see changes/testing/crash-child.ts). */
  env: Record<string, string>
  /** Each budget's value on the platform before anything ran: external id of a campaign or ad set → micros. */
  originalBudgets: Map<string, number | null>
  /** The platform's current daily budget of an entity (Google's shared budget of a campaign). */
  budgetOf(platform: string, externalId: string): number | null | undefined
  close(): Promise<void>
}

/**
 * The simulated platforms of `world` served on loopback HTTP from this process: a child's
 * connectors reach them through the URLs in `env`, and their state outlives the child.
 */
export async function serveSimulatedPlatforms(world: SimWorld): Promise<LoopbackPlatforms> {
  const server: Server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const sim = createSimulatedPlatforms({
    world,
    baseUrls: Object.fromEntries(PLATFORMS.map((p) => [p, `${base}/${p}`])),
    tokenUrls: { google_ads: `${base}/google-token`, snapchat: `${base}/snapchat-token` },
  })
  const originalBudgets = new Map<string, number | null>()
  for (const [id, c] of sim.state.campaigns) originalBudgets.set(id, c.dailyBudgetMicros)
  for (const [id, s] of sim.state.adSets) originalBudgets.set(id, s.dailyBudgetMicros)
  // Google keeps a campaign's budget in its own resource.
  for (const [id, budget] of sim.state.googleBudgetOf)
    originalBudgets.set(id, sim.state.googleBudgets.get(budget) ?? null)
  server.on('request', (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = chunks.length ? Buffer.concat(chunks) : undefined
      const request = new Request(`${base}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers: Object.entries(req.headers).flatMap(([k, v]) =>
          typeof v === 'string' ? [[k, v] as [string, string]] : [],
        ),
        ...(body && req.method !== 'GET' ? { body } : {}),
      })
      void getResponse(sim.handlers, request).then(
        async (r) => {
          if (!r) {
            res.writeHead(404).end()
            return
          }
          res.writeHead(r.status, Object.fromEntries(r.headers))
          res.end(Buffer.from(await r.arrayBuffer()))
        },
        (e: unknown) => res.writeHead(500).end(String(e)),
      )
    })
  })
  const accounts = Object.fromEntries(
    PLATFORMS.map((p) => [p, sim.state.accounts.filter((a) => a.platform === p).map((a) => a.externalId)]),
  )
  return {
    sim,
    base,
    env: {
      ME_SIM_ACCOUNTS: JSON.stringify(accounts),
      ME_META_BASE_URL: `${base}/meta`,
      ME_GOOGLE_ADS_BASE_URL: `${base}/google_ads`,
      ME_TIKTOK_BASE_URL: `${base}/tiktok`,
      ME_SNAPCHAT_BASE_URL: `${base}/snapchat`,
      ME_GOOGLE_ADS_TOKEN_URL: `${base}/google-token`,
      ME_SNAPCHAT_TOKEN_URL: `${base}/snapchat-token`,
    },
    originalBudgets,
    budgetOf(platform, externalId) {
      if (platform === 'google_ads') return sim.state.googleBudgets.get(sim.state.googleBudgetOf.get(externalId) ?? '')
      return (sim.state.campaigns.get(externalId) ?? sim.state.adSets.get(externalId))?.dailyBudgetMicros
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
