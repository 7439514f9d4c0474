import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { getResponse } from 'msw'
import { afterAll, describe, expect, it } from 'vitest'
import { PLATFORMS } from '../../../shared/domain/entities'
import { createSimulatedPlatforms } from '../sync/simulated'
import { buildWorld } from '../sync/simulator'

const CHILD = join(import.meta.dirname, 'testing', 'crash-child.ts')
const KILLS = 20
const dirs: string[] = []
let server: Server | null = null
afterAll(() => {
  server?.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** mulberry32: the kill points are random but reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Run the child; SIGKILL it `killAfterMs` after it starts applying (null = let it finish). */
function runChild(env: Record<string, string>, killAfterMs: number | null): Promise<{ killed: boolean; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    let timer: NodeJS.Timeout | null = null
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString()
      if (killAfterMs !== null && timer === null && out.includes('APPLYING'))
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
    })
    child.stderr.on('data', (b: Buffer) => (err += b.toString()))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer)
      if (signal === 'SIGKILL') resolve({ killed: true, out })
      else if (code === 0) resolve({ killed: false, out })
      else reject(new Error(`child exited ${code}: ${err}`))
    })
  })
}

describe('crash: SIGKILL a process applying 50 budget changes at 20 random points, restart each time', () => {
  it('applies every change exactly once and loses none (platform, outbox and audit log agree)', async () => {
    const world = buildWorld({ seed: 21, campaigns: 40, days: 3, endDate: '2026-06-14' })
    // The simulated platforms live here, behind a loopback HTTP server, so their state (and the
    // count of write requests per entity) survives every kill of the child.
    server = createServer()
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const sim = createSimulatedPlatforms({
      world,
      baseUrls: Object.fromEntries(PLATFORMS.map((p) => [p, `${base}/${p}`])),
      tokenUrls: { google_ads: `${base}/google-token`, snapchat: `${base}/snapchat-token` },
    })
    const original = new Map<string, number | null>()
    for (const [id, c] of sim.state.campaigns) original.set(id, c.dailyBudgetMicros)
    for (const [id, s] of sim.state.adSets) original.set(id, s.dailyBudgetMicros)
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
    const dataDir = mkdtempSync(join(tmpdir(), 'me-changes-crash-'))
    dirs.push(dataDir)
    const env = {
      ME_DATA_DIR: dataDir,
      ME_SIM_ACCOUNTS: JSON.stringify(accounts),
      ME_META_BASE_URL: `${base}/meta`,
      ME_GOOGLE_ADS_BASE_URL: `${base}/google_ads`,
      ME_TIKTOK_BASE_URL: `${base}/tiktok`,
      ME_SNAPCHAT_BASE_URL: `${base}/snapchat`,
      ME_GOOGLE_ADS_TOKEN_URL: `${base}/google-token`,
      ME_SNAPCHAT_TOKEN_URL: `${base}/snapchat-token`,
    }

    const rand = rng(Number(process.env.ME_CRASH_SEED ?? 20261204))
    let kills = 0
    let finishedEarly = 0
    for (let i = 0; i < KILLS; i++) {
      // Early kills land in the first attempts; later ones anywhere, also after the end.
      const r = await runChild(env, Math.floor(rand() * (i < 10 ? 150 : 600)))
      if (r.killed) kills++
      else finishedEarly++
    }
    const last = await runChild(env, null)
    expect(last.out).toMatch(/DONE /)

    const db = new Database(join(dataDir, 'marketing-engine.db'), { readonly: true })
    const rows = db
      .prepare(
        `SELECT c.id, c.state, c.external_id AS ext, c.requested_value AS requested, c.writes, a.platform
         FROM changes c JOIN ad_accounts a ON a.id = c.account_id WHERE c.batch_id = 'crash-batch' ORDER BY c.id`,
      )
      .all() as { id: number; state: string; ext: string; requested: string; writes: number; platform: string }[]
    const applied = db
      .prepare(
        `SELECT json_extract(detail, '$.changeId') AS id, count(*) AS n FROM audit_log WHERE action = 'change.applied' GROUP BY 1`,
      )
      .all() as { id: number; n: number }[]
    db.close()
    const appliedAudits = new Map(applied.map((a) => [a.id, a.n]))
    // None lost: one row per change, all applied.
    expect(rows).toHaveLength(50)
    expect(rows.map((r) => r.state)).toEqual(rows.map(() => 'applied'))
    let duplicateWrites = 0
    for (const r of rows) {
      const writes = sim.state.writes.get(`${r.platform}:${r.ext}`) ?? 0
      const want = original.get(r.ext) === Number(r.requested) ? 0 : 1
      if (writes > want) duplicateWrites += writes - want
      expect(writes, `platform writes for change ${r.id}`).toBe(want)
      // The platform holds the requested value, and the audit log says applied exactly once.
      const e = sim.state.campaigns.get(r.ext) ?? sim.state.adSets.get(r.ext)
      const value =
        r.platform === 'google_ads'
          ? sim.state.googleBudgets.get(sim.state.googleBudgetOf.get(r.ext) ?? '')
          : e?.dailyBudgetMicros
      expect(value, `platform value for change ${r.id}`).toBe(Number(r.requested))
      expect(appliedAudits.get(r.id), `change.applied audit rows for change ${r.id}`).toBe(1)
    }
    expect(duplicateWrites).toBe(0)
    console.log(JSON.stringify({ kills, finishedBeforeKill: finishedEarly, changes: rows.length, duplicateWrites }))
  }, 480_000)
})
