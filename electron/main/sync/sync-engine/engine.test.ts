import { CancelledError } from '../../scheduler/job-queue'
import type { SyncEngine } from './engine'
import { TEST_CALLER } from '../../test-support'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { addDays } from '../../../../shared/domain/dates'
import { DEFAULT_RESTATEMENT_DAYS } from '../../../../shared/domain/platforms'
import { ConnectorError, type RemoteDailyRow } from '../connectors/types'
import { buildWorld } from '../simulator'
import { worldAccounts, type FakeAccount } from './testing/fake-connector'
import { accountTotals, fakeWorld, syncNow, type FakeWorld } from './testing/setup'
import { walAutoCheckpoint } from '../../store/connect'

const END = '2026-06-14'
const NOW = new Date('2026-06-15T12:00:00Z')
let w: FakeWorld | null = null
afterEach(async () => {
  await w?.core.close()
  w = null
})

function smallWorld(): ReturnType<typeof buildWorld> {
  return buildWorld({ seed: 7, campaigns: 10, days: 90, endDate: END })
}

type Row = {
  ad_id: number
  date: string
  spend_micros: number
  conversions: number
  conversion_value_micros: number
  provisional: number
}
const snapshot = (fw: FakeWorld): Map<string, Row> =>
  new Map(
    (
      fw.core.store.sqlite
        .prepare(
          'SELECT ad_id, date, spend_micros, conversions, conversion_value_micros, provisional FROM daily_metrics',
        )
        .all() as Row[]
    ).map((r) => [`${r.ad_id}|${r.date}`, r]),
  )

/**
 * A job context that cancels the run at its 12th progress report and keeps the checkpoints in
 * memory, so the same context resumes the run.
 */
function interruptedCtx(): { ctx: Parameters<SyncEngine['run']>[1]; saved: () => unknown } {
  let saved: unknown = null
  const ctl = new AbortController()
  let pages = 0
  const ctx = {
    jobId: 0,
    signal: ctl.signal,
    progress: () => {
      if (++pages === 12) ctl.abort()
    },
    checkpoint: <T>() => saved as T | null,
    saveCheckpoint: (v: unknown) => {
      saved = JSON.parse(JSON.stringify(v))
    },
    // Chunk checkpoints travel as a statement committed with the chunk; this one only records it.
    checkpointStatement: (v: unknown) => {
      saved = JSON.parse(JSON.stringify(v))
      return { sql: 'UPDATE jobs SET checkpoint = checkpoint WHERE 0', params: [] }
    },
  }
  return { ctx, saved: () => saved }
}

describe('sync engine', () => {
  it('backfills every ad-day, then an incremental sync changes only the restatement window', async () => {
    const world = smallWorld()
    let asOf = '2026-06-10'
    w = await fakeWorld(
      worldAccounts(world, () => asOf),
      { now: () => NOW, pageSize: 97 },
    )
    const first = await syncNow(w.core, w.workspaceId)
    expect(first.status).toBe('succeeded')
    const expected = world.accounts.reduce((n, a) => n + [...world.rows(a.key, { asOf })].length, 0)
    const before = snapshot(w)
    expect(before.size).toBe(expected)

    asOf = '2026-06-15'
    expect((await syncNow(w.core, w.workspaceId)).status).toBe('succeeded')
    const after = snapshot(w)
    const accounts = w.core.workspaces.accounts(w.workspaceId)
    let changedInside = 0
    for (const acc of world.accounts) {
      const local = accounts.find((a) => a.externalId === acc.externalId)
      expect(local).toBeDefined()
      const windowFrom = addDays(END, -(DEFAULT_RESTATEMENT_DAYS[acc.platform] - 1))
      const truth = new Map([...world.rows(acc.key, { asOf })].map((r) => [`${r.adExternalId}|${r.date}`, r]))
      const adIds = new Map(
        (
          w.core.store.sqlite.prepare('SELECT id, external_id FROM ads WHERE account_id = ?').all(local?.id) as {
            id: number
            external_id: string
          }[]
        ).map((r) => [r.id, r.external_id]),
      )
      for (const [k, r] of after) {
        if (!adIds.has(r.ad_id)) continue
        const old = before.get(k)
        if (r.date < windowFrom) {
          // Outside the window: untouched, and final.
          expect(old).toEqual(r)
          expect(r.provisional).toBe(0)
        } else {
          const t = truth.get(`${adIds.get(r.ad_id)}|${r.date}`)
          expect(t?.spendMicros).toBe(r.spend_micros)
          expect(t?.conversionValueMicros).toBe(r.conversion_value_micros)
          expect(r.provisional).toBe(1)
          if (!old || old.conversions !== r.conversions) changedInside++
        }
      }
      const tot = accountTotals(w.core, local?.id as number)
      expect(tot.rollupSpend).toBe(tot.spend)
      expect(tot.rollupConv).toBeCloseTo(tot.conv, 3)
    }
    expect(changedInside).toBeGreaterThan(0)
    const runs = await w.core.dispatch('sync:listRuns', { workspaceId: w.workspaceId }, TEST_CALLER)
    expect(
      runs.ok && (runs.value as { mode: string; status: string; rowsWritten: number }[]).map((r) => [r.mode, r.status]),
    ).toEqual([
      ['incremental', 'succeeded'],
      ['incremental', 'succeeded'],
    ])
  })

  it('marks the days that left the restatement window final, in the rows and in the day rollup', async () => {
    const world = smallWorld()
    let now = NOW
    w = await fakeWorld(worldAccounts(world), { now: () => now })
    expect((await syncNow(w.core, w.workspaceId)).status).toBe('succeeded')
    const sqlite = w.core.store.sqlite
    const flags = (table: string, accountId: number): Map<string, number> =>
      new Map(
        (
          sqlite
            .prepare(`SELECT date, max(provisional) AS p FROM ${table} WHERE account_id = ? GROUP BY date`)
            .all(accountId) as { date: string; p: number }[]
        ).map((r) => [r.date, r.p]),
      )
    // Ten days later the window starts ten days later: the ten days before it become final.
    now = new Date(NOW.getTime() + 10 * 86_400_000)
    expect((await syncNow(w.core, w.workspaceId)).status).toBe('succeeded')
    let finalized = 0
    for (const acc of w.core.workspaces.accounts(w.workspaceId)) {
      const platform = world.accounts.find((a) => a.externalId === acc.externalId)?.platform
      const days = DEFAULT_RESTATEMENT_DAYS[platform as keyof typeof DEFAULT_RESTATEMENT_DAYS]
      const oldFrom = addDays(END, -(days - 1))
      const newFrom = addDays(oldFrom, 10)
      for (const table of ['daily_metrics', 'account_daily']) {
        for (const [date, p] of flags(table, acc.id)) {
          expect([table, date, p]).toEqual([table, date, date >= newFrom ? 1 : 0])
          if (date >= oldFrom && date < newFrom) finalized++
        }
      }
    }
    expect(finalized).toBeGreaterThan(0)
  })

  it('re-syncing the same data is idempotent (same rows, same totals, no duplicates)', async () => {
    const world = smallWorld()
    w = await fakeWorld(worldAccounts(world), { now: () => NOW })
    await syncNow(w.core, w.workspaceId)
    const a = snapshot(w)
    await syncNow(w.core, w.workspaceId, { mode: 'full' })
    expect(snapshot(w)).toEqual(a)
  })

  it('writes a file store on its writer thread with the same result as writing inline', async () => {
    const world = smallWorld()
    const dir = mkdtempSync(join(tmpdir(), 'me-writer-'))
    try {
      w = await fakeWorld(worldAccounts(world), { now: () => NOW, dbPath: join(dir, 'me.db') })
      const run = await syncNow(w.core, w.workspaceId)
      expect(run.status).toBe('succeeded')
      expect((w.core.jobs.result(run.jobId) as { writer: string }).writer).toBe('thread')
      const threaded = snapshot(w)
      await w.core.close()
      w = await fakeWorld(worldAccounts(world), { now: () => NOW })
      const inline = await syncNow(w.core, w.workspaceId)
      expect((w.core.jobs.result(inline.jobId) as { writer: string }).writer).toBe('inline')
      expect(threaded.size).toBeGreaterThan(100)
      expect(snapshot(w)).toEqual(threaded)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('writes every chunk on its writer thread while the main connection keeps committing', async () => {
    const world = smallWorld()
    const dir = mkdtempSync(join(tmpdir(), 'me-writer-'))
    try {
      w = await fakeWorld(worldAccounts(world), { now: () => NOW, dbPath: join(dir, 'me.db'), pageSize: 60 })
      const sqlite = w.core.store.sqlite
      sqlite.exec('CREATE TABLE hammer (x INTEGER)')
      const insert = sqlite.prepare('INSERT INTO hammer VALUES (1)')
      let commits = 0
      const autoCheckpoint = walAutoCheckpoint(sqlite)
      const seen = new Set<number>()
      // Small writes on the main connection all through the sync (as progress reports and the
      // UI's writes do): the writer's chunk transactions must take the lock, never fail on it.
      // Meanwhile the main connection never checkpoints on its own (the writer thread does).
      const timer = setInterval(() => {
        insert.run()
        commits++
        seen.add(walAutoCheckpoint(sqlite))
      }, 0)
      let r: Awaited<ReturnType<typeof syncNow>>
      try {
        r = await syncNow(w.core, w.workspaceId, { mode: 'full' })
      } finally {
        clearInterval(timer)
      }
      expect(r.status).toBe('succeeded')
      expect((w.core.jobs.result(r.jobId) as { writer: string }).writer).toBe('thread')
      expect(commits).toBeGreaterThan(20)
      expect(autoCheckpoint).toBeGreaterThan(0)
      expect(seen.has(0)).toBe(true)
      expect(walAutoCheckpoint(sqlite)).toBe(autoCheckpoint)
      const result = w.core.jobs.result(r.jobId) as { status: string; accounts: { error: string | null }[] }
      expect(result.accounts.map((a) => a.error)).toEqual(result.accounts.map(() => null))
      expect(result.status).toBe('succeeded')
      const expected = world.accounts.reduce((n, a) => n + [...world.rows(a.key)].length, 0)
      expect(sqlite.prepare('SELECT count(*) FROM daily_metrics').pluck().get()).toBe(expected)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('fails a sync with a specific message on a wrong tuning setting, before writing anything', async () => {
    const world = smallWorld()
    w = await fakeWorld(worldAccounts(world), { now: () => NOW })
    for (const [name, value] of [
      ['ME_SYNC_LOOKAHEAD', 'lots'],
      ['ME_DECODE_WORKERS', '0'],
    ] as const) {
      process.env[name] = value
      try {
        const r = await syncNow(w.core, w.workspaceId)
        expect(r.status).toBe('failed')
        expect(r.error).toContain(`${name} must be a whole number`)
        expect(r.error).toContain(JSON.stringify(value))
      } finally {
        delete process.env[name]
      }
    }
    expect(w.core.store.sqlite.prepare('SELECT count(*) FROM daily_metrics').pluck().get()).toBe(0)
    expect((await syncNow(w.core, w.workspaceId)).status).toBe('succeeded')
  })

  it('isolates accounts: one failing account never stops the others; auth errors ask for a reconnect', async () => {
    const world = smallWorld()
    const byPlatform = worldAccounts(world)
    const tiktok = (byPlatform.get('tiktok') as FakeAccount[])[0]?.account.externalId
    const snap = (byPlatform.get('snapchat') as FakeAccount[])[0]?.account.externalId
    w = await fakeWorld(byPlatform, {
      now: () => NOW,
      pageSize: 40,
      fault: (p) => {
        if (p.call === 'page' && p.account === tiktok && p.page === 1)
          throw new ConnectorError('transient', 'tiktok', 'HTTP 503 after 5 attempts')
        if (p.call === 'structure' && p.account === snap)
          throw new ConnectorError('auth', 'snapchat', 'The refresh token was revoked')
      },
    })
    const r = await syncNow(w.core, w.workspaceId)
    expect(r.status).toBe('succeeded')
    const accounts = w.core.workspaces.accounts(w.workspaceId)
    const byExt = new Map(accounts.map((a) => [a.externalId, a]))
    expect(byExt.get(snap as string)?.status).toBe('needs_reconnect')
    expect(byExt.get(snap as string)?.statusMessage).toMatch(/revoked.*reconnect/)
    expect(byExt.get(tiktok as string)?.status).toBe('error')
    expect(byExt.get(tiktok as string)?.statusMessage).toMatch(/503/)
    const ok = accounts.filter((a) => a.platform === 'meta' || a.platform === 'google_ads')
    expect(ok.length).toBeGreaterThan(0)
    for (const a of ok) expect(a.status).toBe('active')
    const runs = await w.core.dispatch('sync:listRuns', { workspaceId: w.workspaceId }, TEST_CALLER)
    const run = runs.ok ? (runs.value as { status: string; accounts: { status: string }[] }[])[0] : null
    expect(run?.status).toBe('partial')
    expect(run?.accounts.map((x) => x.status).sort()).toContain('needs_reconnect')
    // The failed account kept nothing of the chunk that failed: every stored day is complete.
    const tk = byExt.get(tiktok as string)
    const st = w.core.store.sqlite.prepare('SELECT synced_through FROM sync_state WHERE account_id = ?').get(tk?.id) as
      { synced_through: string | null } | undefined
    const maxDate = (
      w.core.store.sqlite.prepare('SELECT max(date) AS d FROM daily_metrics WHERE account_id = ?').get(tk?.id) as {
        d: string | null
      }
    ).d
    if (maxDate !== null) expect(maxDate <= (st?.synced_through ?? '')).toBe(true)
  })

  it('refuses a chunk with a malformed row without writing any of it', async () => {
    const world = smallWorld()
    const byPlatform = worldAccounts(world)
    const meta = (byPlatform.get('meta') as FakeAccount[])[0]?.account.externalId
    w = await fakeWorld(byPlatform, {
      now: () => NOW,
      mangle: (rows: RemoteDailyRow[], p) =>
        p.account === meta && rows.length > 0
          ? [...rows, { ...(rows[0] as RemoteDailyRow), date: '2001-01-01' }]
          : rows,
    })
    await syncNow(w.core, w.workspaceId)
    const acc = w.core.workspaces.accounts(w.workspaceId).find((a) => a.externalId === meta)
    expect(acc?.status).toBe('error')
    expect(acc?.statusMessage).toMatch(/Daily row dated 2001-01-01 outside the requested/)
    expect(accountTotals(w.core, acc?.id as number).rows).toBe(0)
  })

  it('keeps exactly the chunks before a chunk that fails in the writer, with later chunks already issued', async () => {
    const world = smallWorld()
    const dir = mkdtempSync(join(tmpdir(), 'me-writer-'))
    try {
      for (const dbPath of [join(dir, 'me.db'), undefined]) {
        const byPlatform = worldAccounts(world)
        const google = (byPlatform.get('google_ads') as FakeAccount[])[0]?.account.externalId
        // The second window with rows holds a row dated outside the window it was asked for.
        let failedFrom: string | null = null
        const withRows: string[] = []
        w = await fakeWorld(byPlatform, {
          now: () => NOW,
          pageSize: 50,
          ...(dbPath ? { dbPath } : {}),
          mangle: (rows: RemoteDailyRow[], p) => {
            if (p.account !== google || rows.length === 0) return rows
            if (!withRows.includes(p.from as string)) withRows.push(p.from as string)
            if (withRows.indexOf(p.from as string) !== 1) return rows
            failedFrom = p.from as string
            return [...rows, { ...(rows[0] as RemoteDailyRow), date: '2001-01-01' }]
          },
        })
        const r = await syncNow(w.core, w.workspaceId)
        expect(r.status).toBe('succeeded')
        expect((w.core.jobs.result(r.jobId) as { writer: string }).writer).toBe(dbPath ? 'thread' : 'inline')
        expect(failedFrom).not.toBeNull()
        const accounts = w.core.workspaces.accounts(w.workspaceId)
        const acc = accounts.find((a) => a.externalId === google)
        expect(acc?.status).toBe('error')
        expect(acc?.statusMessage).toMatch(/Daily row dated 2001-01-01 outside the requested/)
        const sqlite = w.core.store.sqlite
        const st = sqlite.prepare('SELECT synced_through FROM sync_state WHERE account_id = ?').get(acc?.id) as {
          synced_through: string
        }
        // The cursor stops the day before the failed window; every day before it is stored and
        // nothing from it on (the chunks issued after it were refused).
        expect(st.synced_through).toBe(addDays(failedFrom as unknown as string, -1))
        const stored = sqlite
          .prepare('SELECT count(*) AS n, max(date) AS d FROM daily_metrics WHERE account_id = ?')
          .get(acc?.id) as { n: number; d: string }
        const googleKey = world.accounts.find((a) => a.externalId === google)?.key as string
        const expected = [...world.rows(googleKey, { to: st.synced_through })].length
        expect(stored.n).toBe(expected)
        expect(expected).toBeGreaterThan(0)
        expect(stored.d <= st.synced_through).toBe(true)
        expect(accountTotals(w.core, acc?.id as number).rows).toBe(expected)
        // The run's record agrees with the store, and every other account is complete.
        const runs = await w.core.dispatch('sync:listRuns', { workspaceId: w.workspaceId }, TEST_CALLER)
        const run = runs.ok ? (runs.value as { accounts: { accountId: number; rows: number }[] }[])[0] : null
        expect(run?.accounts.find((x) => x.accountId === acc?.id)?.rows).toBe(expected)
        for (const a of accounts.filter((x) => x.externalId !== google)) {
          expect(a.status).toBe('active')
          const key = world.accounts.find((x) => x.externalId === a.externalId)?.key as string
          expect(accountTotals(w.core, a.id).rows).toBe([...world.rows(key)].length)
        }
        await w.core.close()
        w = null
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('leaves nothing behind for an account removed while its chunks are being written', async () => {
    const world = smallWorld()
    const dir = mkdtempSync(join(tmpdir(), 'me-writer-'))
    try {
      for (const dbPath of [join(dir, 'me.db'), undefined]) {
        const byPlatform = worldAccounts(world)
        const meta = (byPlatform.get('meta') as FakeAccount[])[0]?.account.externalId
        let withRows = 0
        let removed = false
        w = await fakeWorld(byPlatform, {
          now: () => NOW,
          pageSize: 50,
          ...(dbPath ? { dbPath } : {}),
          mangle: (rows: RemoteDailyRow[], p) => {
            // Removed (on the main connection, cascading) once two windows with rows were pulled.
            if (p.account === meta && rows.length > 0 && ++withRows === 3 && w) {
              w.core.store.sqlite.prepare('DELETE FROM ad_accounts WHERE external_id = ?').run(meta)
              removed = true
            }
            return rows
          },
        })
        const r = await syncNow(w.core, w.workspaceId)
        expect(removed).toBe(true)
        expect(r.error ?? '').toBe('')
        expect(r.status).not.toBe('failed')
        const sqlite = w.core.store.sqlite
        expect(sqlite.prepare('SELECT count(*) FROM ad_accounts WHERE external_id = ?').pluck().get(meta)).toBe(0)
        const known = 'SELECT id FROM ad_accounts'
        for (const t of ['daily_metrics', 'campaign_cum', 'account_daily', 'sync_state'])
          expect(sqlite.prepare(`SELECT count(*) FROM ${t} WHERE account_id NOT IN (${known})`).pluck().get()).toBe(0)
        expect(sqlite.pragma('foreign_key_check')).toEqual([])
        expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok')
        const runs = await w.core.dispatch('sync:listRuns', { workspaceId: w.workspaceId }, TEST_CALLER)
        const run = runs.ok ? (runs.value as { accounts: { status: string; error: string | null }[] }[])[0] : null
        const failed = run?.accounts.filter((a) => a.status !== 'succeeded') ?? []
        expect(failed).toHaveLength(1)
        expect(failed[0]?.error).toMatch(/removed/)
        await w.core.close()
        w = null
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('keeps each account on its own local days (UTC-8 and UTC+9)', async () => {
    const now = new Date('2026-03-10T03:00:00Z') // 19:00 on the 9th in Los Angeles, 12:00 on the 10th in Tokyo
    const mk = (ext: string, tz: string): FakeAccount => ({
      account: { externalId: ext, name: ext, currency: 'USD', timeZone: tz, status: 'active' },
      campaigns: [
        {
          externalId: `${ext}-c`,
          name: 'C',
          objective: 'sales',
          status: 'active',
          dailyBudgetMicros: null,
          startDate: null,
          endDate: null,
        },
      ],
      adSets: [
        {
          externalId: `${ext}-s`,
          campaignExternalId: `${ext}-c`,
          name: 'S',
          status: 'active',
          dailyBudgetMicros: null,
        },
      ],
      ads: [
        {
          externalId: `${ext}-a`,
          adSetExternalId: `${ext}-s`,
          campaignExternalId: `${ext}-c`,
          name: 'A',
          status: 'active',
          creative: { externalId: `${ext}-cr`, format: 'image', headline: null, thumbnailUrl: null },
          launchDate: null,
        },
      ],
      rows: (from, to) => {
        const out: RemoteDailyRow[] = []
        for (let d = from; d <= to; d = addDays(d, 1)) {
          out.push({
            adExternalId: `${ext}-a`,
            adSetExternalId: `${ext}-s`,
            campaignExternalId: `${ext}-c`,
            date: d,
            spendMicros: 1_000_000,
            impressions: 10,
            clicks: 1,
            reach: 5,
            conversions: 0,
            conversionValueMicros: 0,
            videoViews: 0,
          })
        }
        return out
      },
    })
    w = await fakeWorld(new Map([['meta', [mk('act_la', 'America/Los_Angeles'), mk('act_tokyo', 'Asia/Tokyo')]]]), {
      now: () => now,
    })
    await syncNow(w.core, w.workspaceId, { since: '2026-03-01' })
    const accounts = w.core.workspaces.accounts(w.workspaceId)
    const la = accounts.find((a) => a.externalId === 'act_la')
    const tokyo = accounts.find((a) => a.externalId === 'act_tokyo')
    expect([la?.firstDate, la?.lastDate]).toEqual(['2026-03-01', '2026-03-08'])
    expect([tokyo?.firstDate, tokyo?.lastDate]).toEqual(['2026-03-01', '2026-03-09'])
    const conns = await w.core.dispatch('connections:list', { workspaceId: w.workspaceId }, TEST_CALLER)
    const list = conns.ok
      ? (conns.value as { accounts: { externalId: string; syncedThrough: string; provisionalFrom: string }[] }[])[0]
          ?.accounts
      : []
    expect(list?.find((a) => a.externalId === 'act_tokyo')?.syncedThrough).toBe('2026-03-09')
    expect(list?.find((a) => a.externalId === 'act_la')?.provisionalFrom).toBe('2026-02-09')
  })

  it('cancels between chunks and resumes from the last committed chunk', async () => {
    const world = smallWorld()
    w = await fakeWorld(worldAccounts(world), { now: () => NOW, maxWindowDays: 10 })
    const { sync } = w.core.services
    const fw = w
    const { ctx, saved: checkpoint } = interruptedCtx()
    const req = { workspaceId: fw.workspaceId, mode: 'incremental' as const }
    await expect(sync.engine.run(req, ctx)).rejects.toThrow(/Cancelled/)
    const cp = JSON.parse(JSON.stringify(checkpoint())) as { plans: { accountId: number; through: string | null }[] }
    expect(cp.plans.some((p) => p.through !== null)).toBe(true)
    const firstCalls = [...(fw.connectors.get('meta')?.calls ?? [])].length
    const resumed = await sync.engine.run(req, {
      ...ctx,
      signal: new AbortController().signal,
      progress: () => undefined,
    })
    expect(resumed.status).toBe('succeeded')
    // The resumed run did not pull the committed chunks again.
    const first = cp.plans[0] as { accountId: number; through: string | null }
    const ext = fw.core.workspaces.accounts(fw.workspaceId).find((a) => a.id === first.accountId)?.externalId
    const metaFroms = (fw.connectors.get('meta')?.calls ?? [])
      .slice(firstCalls)
      .filter((c) => c.call === 'page' && c.account === ext)
      .map((c) => c.from as string)
    const through = first.through
    if (through) for (const f of metaFroms) expect(f > through).toBe(true)
    const expected = world.accounts.reduce((n, a) => n + [...world.rows(a.key)].length, 0)
    expect(snapshot(fw).size).toBe(expected)
  })

  it('does not resume an interrupted sync whose workspace was removed meanwhile (a demo reset): cancelled with the reason', async () => {
    const world = smallWorld()
    w = await fakeWorld(worldAccounts(world), { now: () => NOW, maxWindowDays: 10 })
    const fw = w
    const { ctx } = interruptedCtx()
    const req = { workspaceId: fw.workspaceId, mode: 'incremental' as const }
    await expect(fw.core.services.sync.engine.run(req, ctx)).rejects.toThrow(/Cancelled/)
    // What a demo reset does to the old workspace while the sync job waits to resume.
    fw.core.store.sqlite.prepare('DELETE FROM workspaces WHERE id = ?').run(fw.workspaceId)
    const resumed = fw.core.services.sync.engine.run(req, { ...ctx, signal: new AbortController().signal })
    await expect(resumed).rejects.toBeInstanceOf(CancelledError)
    await expect(resumed).rejects.toThrow(/workspace this interrupted sync belonged to was removed or rebuilt/)
  })
})
