/**
 * The one child-process crash harness of the test suite: run a child script (a file-backed core
 * under tsx), SIGKILL it at a chosen point, run it again on the same data folder, and inspect what
 * the restarts left. Used by the change pipeline's, the sync engine's, the automation rules' crash
 * tests and the alerts outbox's restart test.
 *
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
import { spawn } from 'node:child_process'
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

/**
 * Run `script` in a child process (`node --import tsx`) with `env` added to this process's
 * environment; kill it by `kill` (null: let it finish). Resolves when it exits: killed, or exit 0;
 * any other exit rejects with its stderr.
 */
export function runChild(
  script: string,
  env: Record<string, string>,
  kill: KillPlan | null = null,
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    let timer: NodeJS.Timeout | null = null
    let poll: NodeJS.Timeout | null = null
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString()
      if (!kill || timer || poll || !out.includes(kill.marker)) return
      if ('afterMs' in kill) timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs)
      else
        poll = setInterval(() => {
          if (kill.when()) child.kill('SIGKILL')
        }, 1)
    })
    child.stderr.on('data', (b: Buffer) => (err += b.toString()))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer)
      if (poll) clearInterval(poll)
      if (signal === 'SIGKILL') resolve({ killed: true, out })
      else if (code === 0) resolve({ killed: false, out })
      else reject(new Error(`${script} exited ${code ?? signal}: ${err}`))
    })
  })
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
