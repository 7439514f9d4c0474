import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays } from '../../shared/domain/dates'
import type { Kpis, Totals } from '../../shared/domain/metrics'
import { compareNames, CREATIVES_WINDOW, sortRows } from '../../shared/domain/row-window'
import { contract } from '../../shared/ipc/contract'
import type { Core } from './core'
import { orderTotals } from './analytics/creatives-service'
import { PAGE_READS, PageReads, pageReadServices, type PageReadName } from './page-reads'
import { createTestCore, TEST_CALLER } from './test-support'

// The slow page reads run on a worker thread (its own read-only connection to the store file) and
// are kept until the data they read changes (issue 18): the answers the core's own services give.
let core: Core
let dir: string
let ws: number
let range: { from: string; to: string }

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'page-reads-'))
  core = createTestCore({ dbPath: join(dir, 'store.db'), seedDemo: true, demo: { campaigns: 24, days: 120 } })
  expect((await core.jobs.waitFor(core.startupJobId as number)).status).toBe('succeeded')
  ws = core.workspaces.list().find((w) => w.isDemo)!.id
  const to = (core.jobs.result<{ to: string }>(core.startupJobId as number) as { to: string }).to
  range = { from: addDays(to, -29), to }
}, 120_000)
afterAll(async () => {
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Each read's channel input as the router parses it. */
/** The reads that are channels (the others are parts of one: the creatives' order and rows). */
type ChannelRead = Exclude<PageReadName, 'creatives:order' | 'creatives:rows'>

function inputs(): [ChannelRead, Record<string, unknown>][] {
  return [
    ['ml:getDrivers', { workspaceId: ws, days: 90 }],
    ['analytics:listCreatives', { workspaceId: ws, range, limit: 300 }],
    ['analytics:compareFormats', { workspaceId: ws, range }],
    ['experiments:suggest', { workspaceId: ws }],
    ['experiments:listEntities', { workspaceId: ws, level: 'ad_set' }],
  ]
}

async function call(channel: ChannelRead, input: unknown): Promise<unknown> {
  const env = await core.dispatch(channel, input, TEST_CALLER)
  if (!env.ok) throw new Error(env.error.message)
  return env.value
}

describe('page reads on their worker', () => {
  it('answer what the services on the core connection answer, and keep the answer until the data changes', async () => {
    const direct = pageReadServices(core.store.sqlite)
    for (const [name, raw] of inputs()) {
      const input = contract[name].input.parse(raw)
      const run = PAGE_READS[name].run as (s: typeof direct, i: unknown) => unknown
      const want = run(direct, input)
      expect(await call(name, raw), name).toEqual(want)
      const kept = await core.pageReads.get(name, input as never)
      expect(await core.pageReads.get(name, input as never), name).toBe(kept)
    }
    const drivers = (await call('ml:getDrivers', { workspaceId: ws, days: 90 })) as { nodes: unknown[] }
    expect(drivers.nodes.length).toBeGreaterThan(1)

    const input = { workspaceId: ws, range, limit: 300 }
    const kept = await core.pageReads.get('analytics:listCreatives', input)
    core.events.emit('data:changed', { tables: ['alerts', 'recommendations'], workspaceId: ws })
    expect(await core.pageReads.get('analytics:listCreatives', input)).toBe(kept)
    // The busiest ad is renamed: a data:changed naming the ads forgets the kept answers.
    const top = (kept as { rows: { adId: number }[] }).rows[0]!.adId
    core.store.sqlite.prepare("UPDATE ads SET name = 'Renamed on the platform' WHERE id = ?").run(top)
    expect(await core.pageReads.get('analytics:listCreatives', input)).toBe(kept)
    core.events.emit('data:changed', { tables: ['ads'], workspaceId: ws })
    const fresh = await core.pageReads.get('analytics:listCreatives', input)
    expect(fresh).not.toBe(kept)
    expect(fresh).toEqual(pageReadServices(core.store.sqlite).creatives.list(ws, range, 300))
    expect(fresh).not.toEqual(kept)
  }, 60_000)

  it('the worker stops once idle (its memory goes back) and a later read starts another', async () => {
    const input = { workspaceId: ws, range, limit: 299 }
    const first = await call('analytics:listCreatives', input)
    await core.pageReads.stopped()
    expect(core.pageReads.running).toBe(false)
    core.events.emit('data:changed', { tables: ['ads'], workspaceId: ws })
    const exitedBefore = core.pageReads.stopped()
    expect(await call('analytics:listCreatives', input)).toEqual(first)
    // A new worker answered (the stopped one's exit is not the current one's).
    expect(core.pageReads.stopped()).not.toBe(exitedBefore)
    await core.pageReads.stopped()
    expect(core.pageReads.running).toBe(false)
  })

  it('scrolls the creatives list window by window: the windows make up the whole sorted list, and a data change reaches the order the worker keeps', async () => {
    type List = { rows: { adId: number; name: string; totals: Totals; kpis: Kpis }[]; total?: number; offset?: number }
    const win = (offset: number, sort = 'ctr', dir = 'desc') => ({
      workspaceId: ws,
      range,
      limit: 300,
      window: { offset, limit: 40, sort, dir, search: '' },
    })
    const first = (await call('analytics:listCreatives', win(0))) as List
    const total = first.total as number
    const all = (pageReadServices(core.store.sqlite).creatives.list(ws, range, 5000) as List).rows
    expect(total).toBe(all.length)
    expect(total).toBeGreaterThan(80)
    const ids = first.rows.map((r) => r.adId)
    for (let offset = 40; offset < total; offset += 40) {
      const w = (await call('analytics:listCreatives', win(offset))) as List
      expect(w.offset).toBe(offset)
      ids.push(...w.rows.map((r) => r.adId))
    }
    // The explorer's order: CTR high to low, ads without a CTR last, ties by name (archived ads that
    // delivered in the range are listed too).
    const want = sortRows(
      [...all].sort((a, b) => a.adId - b.adId).map((r) => ({ ...r, platform: null, status: null })),
      { sort: 'ctr', dir: 'desc', search: '' },
    ).rows.map((r) => r.adId)
    expect(ids).toEqual(want)
    // The order is kept in the core: later windows cost their rows only.
    const order = { workspaceId: ws, range, sort: 'ctr', dir: 'desc', search: '' } as const
    expect(core.pageReads.has('creatives:order', order)).toBe(true)
    // The page's windows (CREATIVES_WINDOW rows) keep their rows: asked again, the same rows without
    // reading them again; an export's windows of 500 are not kept.
    const o = await core.pageReads.get('creatives:order', order)
    const rowsOf = (from: number, n: number) => ({
      ids: Array.from(o.ids.subarray(from, Math.min(from + n, total))),
      totals: orderTotals(o, from, Math.min(from + n, total)),
      to: range.to,
      page: n === CREATIVES_WINDOW,
    })
    const scrolled = { ...win(7), window: { ...win(7).window, limit: CREATIVES_WINDOW } }
    const again = (await call('analytics:listCreatives', scrolled)) as List
    expect(core.pageReads.has('creatives:rows', rowsOf(7, CREATIVES_WINDOW))).toBe(true)
    expect(await call('analytics:listCreatives', scrolled)).toEqual(again)
    expect(again.rows.map((r) => r.adId)).toEqual(want.slice(7, 7 + CREATIVES_WINDOW))
    await call('analytics:listCreatives', { ...win(3), window: { ...win(3).window, limit: 500 } })
    expect(core.pageReads.has('creatives:rows', rowsOf(3, 500))).toBe(false)

    // A search filters by name before the window; the name sort is the explorer's.
    const byName = (await call('analytics:listCreatives', win(0, 'name', 'asc'))) as List
    const names = byName.rows.map((r) => r.name)
    expect(names).toEqual([...names].sort(compareNames))
    const needle = all[0]!.name.slice(0, 6).toLowerCase()
    const found = (await call('analytics:listCreatives', {
      ...win(0),
      window: { ...win(0).window, search: needle },
    })) as List
    expect(found.total).toBe(all.filter((r) => r.name.toLowerCase().includes(needle)).length)
    expect(found.rows.every((r) => r.name.toLowerCase().includes(needle))).toBe(true)

    // At most four orders are kept (each up to a few MB): a fifth sort forgets the oldest.
    for (const sort of ['spend', 'roas', 'cpa', 'impressions']) await call('analytics:listCreatives', win(0, sort))
    expect(core.pageReads.has('creatives:order', order)).toBe(false)
    expect(core.pageReads.has('creatives:order', { ...order, sort: 'impressions' })).toBe(true)

    // An ad renamed to sort first: after the data:changed it is listed first (the kept order is forgotten).
    const last = (await call('analytics:listCreatives', win(total - 1, 'name', 'asc'))) as List
    const moved = last.rows[0]!.adId
    core.store.sqlite.prepare("UPDATE ads SET name = '0 first by name' WHERE id = ?").run(moved)
    core.events.emit('data:changed', { tables: ['ads'], workspaceId: ws })
    const after = (await call('analytics:listCreatives', win(0, 'name', 'asc'))) as List
    expect(after.rows[0]!.adId).toBe(moved)
  }, 60_000)

  it('a data change reaches the per-ad sums the worker keeps between reads', async () => {
    // A worker that stays a minute, so both reads below reach the same one.
    const reads = new PageReads(core.store.sqlite, join(dir, 'store.db'), 60_000)
    const sqlite = core.store.sqlite
    const bump = (adId: number, date: string, by: number): void => {
      sqlite
        .prepare('UPDATE daily_metrics SET spend_micros = spend_micros + ? WHERE ad_id = ? AND date = ?')
        .run(by, adId, date)
      sqlite
        .prepare('UPDATE ad_month SET spend_micros = spend_micros + ? WHERE ad_id = ? AND month = ?')
        .run(by, adId, date.slice(0, 7))
    }
    const w = { offset: 0, limit: 5, sort: 'spend', dir: 'desc', search: '' } as const
    let low: { adId: number; date: string } | null = null
    try {
      const least = await reads.creativesWindow({ workspaceId: ws, range, window: { ...w, dir: 'asc' } })
      const adId = least.rows[0]!.adId
      const date = sqlite
        .prepare('SELECT date FROM daily_metrics WHERE ad_id = ? AND date BETWEEN ? AND ? LIMIT 1')
        .pluck()
        .get(adId, range.from, range.to) as string
      const worker = reads.stopped()
      // A change of tables the reads do not read (approvals, alerts) keeps the sums and the generation.
      reads.invalidate(['changes', 'alerts'])
      expect((await reads.creativesWindow({ workspaceId: ws, range, window: { ...w, dir: 'asc' } })).generation).toBe(
        least.generation,
      )
      // The ad of least spend spends a million on one day of the range (its day row and its month's sums).
      low = { adId, date }
      bump(adId, date, 1e12)
      reads.invalidate(['daily_metrics'])
      const top = await reads.creativesWindow({ workspaceId: ws, range, window: w })
      expect(top.rows[0]!.adId).toBe(adId)
      // Windows say the data changed under them (a CSV export started before then stops).
      expect(top.generation).toBe((least.generation as number) + 1)
      expect(reads.stopped()).toBe(worker)
    } finally {
      if (low) bump(low.adId, low.date, -1e12)
      await reads.close()
    }
  })

  it("a read's error keeps its code across the thread (a workspace without data)", async () => {
    const empty = core.workspaces.create('Empty', 'USD')
    const env = await core.dispatch('experiments:listEntities', { workspaceId: empty, level: 'ad_set' }, TEST_CALLER)
    expect(env.ok).toBe(false)
    if (!env.ok) expect(env.error).toMatchObject({ code: 'NOT_FOUND', message: `Workspace ${empty} has no data yet` })
  })
})

describe('the pages:prepare job', () => {
  it('computes every first read ahead after the demo build, as a job the jobs panel lists', async () => {
    const d = mkdtempSync(join(tmpdir(), 'page-prepare-'))
    const c = createTestCore({
      dbPath: join(d, 'store.db'),
      seedDemo: true,
      demo: { campaigns: 12, days: 60 },
      warmPageReads: true,
      preparePagesDelayMs: 0,
    })
    try {
      expect((await c.jobs.waitFor(c.startupJobId as number)).status).toBe('succeeded')
      // The build's end queued it (the one queued at the start, with no data yet, may have run already).
      const jobs = c.jobs.list(20).filter((j) => j.kind === 'pages:prepare')
      expect(jobs.length).toBeGreaterThan(0)
      const last = await c.jobs.waitFor(jobs[0]!.id)
      expect(last.status).toBe('succeeded')
      expect(c.jobs.result(last.id)).toMatchObject({ workspaces: 1, failed: 0, prepared: true })
      const w = c.workspaces.list().find((x) => x.isDemo)!.id
      const today = c.platform.clock.now().toISOString().slice(0, 10)
      const r = { from: addDays(today, -30), to: addDays(today, -1) }
      expect(c.pageReads.has('ml:getDrivers', { workspaceId: w, days: 90 })).toBe(true)
      // The Creatives page's first window: its order and its rows.
      const spendOrder = { workspaceId: w, range: r, sort: 'spend', dir: 'desc', search: '' } as const
      expect(c.pageReads.has('creatives:order', spendOrder)).toBe(true)
      const o = await c.pageReads.get('creatives:order', spendOrder)
      const n = Math.min(CREATIVES_WINDOW, o.ids.length)
      const ids = Array.from(o.ids.subarray(0, n))
      expect(c.pageReads.has('creatives:rows', { ids, totals: orderTotals(o, 0, n), to: r.to, page: true })).toBe(true)
      expect(c.pageReads.has('analytics:compareFormats', { workspaceId: w, range: r })).toBe(true)
      expect(c.pageReads.has('ml:getDrivers', { workspaceId: w, days: 30 })).toBe(false)
      // A sync's end forgets the kept answers and queues the job again.
      c.events.emit('job:finished', { jobId: 0, kind: 'sync:run', status: 'succeeded', error: null })
      expect(c.pageReads.has('ml:getDrivers', { workspaceId: w, days: 90 })).toBe(false)
      const again = c.jobs.active('pages:prepare')
      expect(again).toHaveLength(1)
      expect((await c.jobs.waitFor(again[0]!.id)).status).toBe('succeeded')
      expect(c.pageReads.has('ml:getDrivers', { workspaceId: w, days: 90 })).toBe(true)
      expect(c.jobs.result(again[0]!.id)).toMatchObject({ rounds: 1 })

      // A CSV import's end queues it too; an entity renamed while it computes (the reads forget
      // their answers) sends it round again, and the answers kept at the end are the fresh ones.
      const get = c.pageReads.get.bind(c.pageReads)
      let renamed = false
      c.pageReads.get = ((name, input) => {
        const answer = get(name, input)
        if (!renamed) {
          renamed = true
          c.events.emit('data:changed', { tables: ['ads'], workspaceId: w })
        }
        return answer
      }) as typeof c.pageReads.get
      c.events.emit('job:finished', { jobId: 0, kind: 'import:csv', status: 'succeeded', error: null })
      const third = c.jobs.active('pages:prepare')
      expect(third).toHaveLength(1)
      expect((await c.jobs.waitFor(third[0]!.id)).status).toBe('succeeded')
      expect(c.jobs.result(third[0]!.id)).toMatchObject({ workspaces: 1, failed: 0, rounds: 2 })
      expect(c.pageReads.has('ml:getDrivers', { workspaceId: w, days: 90 })).toBe(true)

      // A failed sync may have written part of its data: its end queues the job too.
      c.events.emit('job:finished', { jobId: 0, kind: 'sync:run', status: 'failed', error: 'boom' })
      const fourth = c.jobs.active('pages:prepare')
      expect(fourth).toHaveLength(1)
      expect((await c.jobs.waitFor(fourth[0]!.id)).status).toBe('succeeded')
    } finally {
      await c.close()
      rmSync(d, { recursive: true, force: true })
    }
  }, 120_000)

  it('has nothing to do where pages are not prepared ahead (the CLI), and says so', async () => {
    const id = core.jobs.enqueue('pages:prepare', {})
    const job = await core.jobs.waitFor(id)
    expect(job.status).toBe('succeeded')
    expect(core.jobs.result(id)).toEqual({ workspaces: 0, failed: 0, prepared: false, rounds: 0 })
  })
})
