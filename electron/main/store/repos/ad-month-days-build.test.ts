import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { dateRange } from '../../../../shared/domain/dates'
import { createTestCore, TEST_CALLER } from '../../test-support'
import type { Sqlite } from '../db'
import { AdMonthDaysBuild, adMonthDaysPending, buildPendingAdMonthDays } from './ad-month-days-build'
import { CreativesRepo } from './creatives-repo'
import { MetricsRepo, type DailyMetricInput } from './metrics-repo'
import { RecommendationsRepo } from './recommendations-repo'
import { packedAdDays, ReportAdsRepo } from './report-ads-repo'
import { adMonthDaysMismatches, adMonthMismatches, backfill, lcg, seedAccount, type SeededCampaign } from './testing'

const FIRST = '2026-01-20'
const LAST = '2026-03-10'

interface Seeded {
  accounts: { accountId: number; campaigns: SeededCampaign[] }[]
}

/** Three accounts (6, 3 and 2 ads) with rows from FIRST to LAST written as a sync writes them. */
function seed(s: Sqlite, workspaceId: number, seedNo: number): Seeded {
  const rnd = lcg(seedNo)
  const m = new MetricsRepo(s)
  const accounts = [
    seedAccount(s, workspaceId, `a${seedNo}`, 6),
    seedAccount(s, workspaceId, `b${seedNo}`, 3),
    seedAccount(s, workspaceId, `c${seedNo}`, 2),
  ]
  for (const { accountId, campaigns } of accounts) {
    // Two backfill chunks, the later one first (days appended out of order), with gaps.
    for (const [from, to] of [
      ['2026-02-15', LAST],
      [FIRST, '2026-02-14'],
    ] as const) {
      const list = rows(rnd, accountId, campaigns, from, to).filter(
        (r, i) => !(r.adId === campaigns[1]?.adId && i % 3 === 0),
      )
      s.transaction(() => backfill(m, accountId, list, from, to)).immediate()
    }
    s.transaction(() => m.refreshAccountDays(accountId, FIRST, LAST)).immediate()
  }
  return { accounts }
}

function rows(
  rnd: () => number,
  accountId: number,
  ads: SeededCampaign[],
  from: string,
  to: string,
): DailyMetricInput[] {
  return ads.flatMap((c, i) =>
    dateRange(from, to).map((date) => ({
      adId: c.adId,
      date,
      accountId,
      campaignId: c.campaignId,
      adSetId: c.adSetId,
      spendMicros: Math.round(rnd() * 1e8),
      impressions: i === 2 ? 0 : Math.round(rnd() * 1e6),
      clicks: Math.round(rnd() * 100) - (i === 3 ? 50 : 0),
      reach: 0,
      conversions: 0,
      conversionValueMicros: 0,
      videoViews: 0,
      provisional: false,
      source: 'sync' as const,
    })),
  )
}

/** The store as the update leaves it: these accounts' packed days gone and the accounts pending (0021 + 0022). */
function asAfterTheUpdate(s: Sqlite, accountIds: number[]): void {
  for (const id of accountIds) {
    s.prepare('DELETE FROM ad_month_days WHERE account_id = ?').run(id)
    s.prepare('INSERT INTO ad_month_days_pending (account_id) VALUES (?)').run(id)
  }
}

/** The oracle: the ads' rows of their own accounts in [from, to], by ad then date, scanned from daily_metrics. */
function scan(s: Sqlite, ids: number[], from: string, to: string, accountId: number | null = null) {
  return s
    .prepare(
      `SELECT d.ad_id, d.date, d.impressions, d.clicks FROM daily_metrics d JOIN ads x ON x.id = d.ad_id AND x.account_id = d.account_id
       WHERE d.ad_id IN (${ids.map(() => '?').join(',')}) AND d.date BETWEEN ? AND ?${accountId === null ? '' : ' AND d.account_id = ?'}
       ORDER BY d.ad_id, d.date`,
    )
    .all(...ids, from, to, ...(accountId === null ? [] : [accountId])) as {
    ad_id: number
    date: string
    impressions: number
    clicks: number
  }[]
}

/** Every reader of ad days answers what a scan gives, for ads of built and pending accounts mixed. */
function readersMatchScan(s: Sqlite, seeded: Seeded): void {
  const ids = seeded.accounts.flatMap((a) => a.campaigns.map((c) => c.adId)).reverse()
  const last = s.prepare('SELECT max(date) FROM account_daily').pluck().get() as string
  for (const to of ['2026-03-31', '2026-03-01', '2026-02-14', '2026-01-31', '2026-01-20']) {
    expect(new ReportAdsRepo(s).adDays(ids, to)).toEqual(scan(s, ids, '', to))
    expect(new CreativesRepo(s).adDays(ids, to)).toEqual(scan(s, ids, '', to < last ? to : last))
    expect(packedAdDays(s, ids, '2026-02-03', to)).toEqual(scan(s, ids, '2026-02-03', to))
  }
  const recs = new RecommendationsRepo(s)
  for (const { accountId, campaigns } of seeded.accounts) {
    const mine = campaigns.map((c) => c.adId)
    expect(packedAdDays(s, ids, FIRST, LAST, accountId)).toEqual(scan(s, ids, FIRST, LAST, accountId))
    for (const from of [null, '2026-02-11']) {
      const got = recs.adDays(accountId, mine, '2026-03-05', from)
      const want = scan(s, mine, from ?? '', '2026-03-05')
      for (const id of mine)
        expect(got.get(id)).toEqual(want.filter((r) => r.ad_id === id).map(({ ad_id: _, ...d }) => d))
    }
  }
}

const pendingRows = (s: Sqlite): unknown[] =>
  s.prepare('SELECT account_id, month, ad_from FROM ad_month_days_pending ORDER BY account_id').raw().all()
const packedOf = (s: Sqlite, accountId: number): unknown[] =>
  s
    .prepare('SELECT month, ad_id, days FROM ad_month_days WHERE account_id = ? ORDER BY month, ad_id')
    .raw()
    .all(accountId)

describe('ad_month_days built after the start (accounts pending since migration 0022)', () => {
  let core: ReturnType<typeof createTestCore>
  let s: Sqlite
  let seeded: Seeded
  beforeAll(() => {
    core = createTestCore({ startJobs: false })
    s = core.store.sqlite
    seeded = seed(s, core.workspaces.create('Pending', 'USD'), 3)
  })
  afterAll(() => core.close())

  it('readers answer as a scan while accounts are pending, through a build piece by piece, and after it', () => {
    expect(adMonthMismatches(s)).toEqual([])
    const [a, b] = seeded.accounts.map((x) => x.accountId) as [number, number]
    asAfterTheUpdate(s, [a, b])
    expect(adMonthDaysPending(s)).toBe(true)
    expect(packedOf(s, a)).toEqual([])
    readersMatchScan(s, seeded)
    // Pieces of at most 7 rows (an ad has up to 28 days a month: then one ad per piece).
    const build = new AdMonthDaysBuild(s, 7)
    expect(build.pendingAccounts()).toEqual([a, b])
    const steps = build.steps()
    let pieces = 0
    let r = steps.next()
    for (; !r.done; r = steps.next()) {
      pieces++
      // Mid-build: the built accounts' packed days are right, the others are read from the rows.
      expect(adMonthDaysMismatches(s)).toEqual([])
      if (pieces % 3 === 1) readersMatchScan(s, seeded)
    }
    // Three months of 6 and 3 ads, an ad per piece.
    expect(r.value).toMatchObject({ accounts: 2, pieces })
    expect(pieces).toBeGreaterThanOrEqual(3 * 9)
    expect(r.value.rows).toBe(
      s.prepare('SELECT count(*) FROM daily_metrics WHERE account_id IN (?, ?)').pluck().get(a, b) as number,
    )
    expect(pendingRows(s)).toEqual([])
    expect(adMonthDaysMismatches(s)).toEqual([])
    readersMatchScan(s, seeded)
  })

  it('a writer of a pending account keeps ad_month, leaves its packed days alone and moves the build back; the build then packs its rows', () => {
    const [a] = seeded.accounts.map((x) => x.accountId) as [number]
    const ads = seeded.accounts[0]?.campaigns as SeededCampaign[]
    const m = new MetricsRepo(s)
    asAfterTheUpdate(s, [a])
    const build = new AdMonthDaysBuild(s, 7)
    // Built through February's first ads.
    let at = build.piece(a)
    while (!(at.month === '2026-02' && (pendingRows(s)[0] as unknown[])[1] === '2026-02')) at = build.piece(a)
    expect(pendingRows(s)).toEqual([[a, '2026-02', expect.any(Number)]])
    for (let i = 0; i < 4; i++) build.piece(a)
    const packed = packedOf(s, a)
    expect(packed.length).toBeGreaterThan(0)

    // A restatement of January's end (refresh): ad_month rebuilt, the packed days left, the build back to January.
    const rnd = lcg(11)
    s.transaction(() => {
      s.prepare('DELETE FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ?').run(
        a,
        '2026-01-29',
        '2026-01-31',
      )
      m.upsert(rows(rnd, a, ads.slice(0, 4), '2026-01-29', '2026-01-31'))
      m.refreshRollups(a, '2026-01-29', '2026-01-31')
    }).immediate()
    expect(adMonthMismatches(s)).toEqual([])
    expect(packedOf(s, a)).toEqual(packed)
    expect(pendingRows(s)).toEqual([[a, '2026-01', null]])
    readersMatchScan(s, seeded)

    // Built a little again, then a backfill of new days (add): appended to ad_month only.
    while ((pendingRows(s)[0] as unknown[])[1] === '2026-01') build.piece(a)
    expect(pendingRows(s)).toEqual([[a, '2026-02', null]])
    const packed2 = packedOf(s, a)
    s.transaction(() => {
      backfill(m, a, rows(rnd, a, ads, '2026-03-11', '2026-03-14'), '2026-03-11', '2026-03-14')
      m.refreshAccountDays(a, '2026-03-11', '2026-03-14')
    }).immediate()
    expect(adMonthMismatches(s)).toEqual([])
    expect(packedOf(s, a)).toEqual(packed2)
    readersMatchScan(s, seeded)

    // An import's end (refreshAds) of February for some ads: the build goes back to February's first ad.
    build.piece(a)
    build.piece(a)
    expect(pendingRows(s)).toEqual([[a, '2026-02', expect.any(Number)]])
    const packed3 = packedOf(s, a)
    s.transaction(() => {
      m.upsert(rows(rnd, a, ads.slice(2, 4), '2026-02-20', '2026-02-21'))
      m.adMonths.refreshAds(a, '2026-02', ads[2]?.adId as number, ads[3]?.adId as number)
    }).immediate()
    expect(packedOf(s, a)).toEqual(packed3)
    expect(pendingRows(s)).toEqual([[a, '2026-02', null]])
    readersMatchScan(s, seeded)

    // The build finishes with every writer's rows packed.
    expect(buildPendingAdMonthDays(s, 7).accounts).toBe(1)
    expect(pendingRows(s)).toEqual([])
    expect(adMonthMismatches(s)).toEqual([])
    expect(
      s.prepare("SELECT count(*) FROM ad_month_days WHERE account_id = ? AND month = '2026-03'").pluck().get(a),
    ).toBe(ads.length)
    readersMatchScan(s, seeded)
  })

  it('a built account is left as the writers keep it (nothing pending: the writers maintain its packed days)', () => {
    const [, b] = seeded.accounts.map((x) => x.accountId) as [number, number]
    const ads = seeded.accounts[1]?.campaigns as SeededCampaign[]
    const m = new MetricsRepo(s)
    s.transaction(() => {
      m.upsert(rows(lcg(5), b, ads, '2026-02-01', '2026-02-02'))
      m.refreshRollups(b, '2026-02-01', '2026-02-02')
    }).immediate()
    expect(adMonthMismatches(s)).toEqual([])
    expect(buildPendingAdMonthDays(s)).toMatchObject({ accounts: 0, pieces: 0 })
  })
})

/**
 * A core with a small demo whose accounts are all pending again (as after the update), and a real
 * sync of the demo that must succeed.
 */
async function demoPending(
  opts: Parameters<typeof createTestCore>[0],
): Promise<{ c: ReturnType<typeof createTestCore>; s: Sqlite; sync: () => Promise<void> }> {
  const c = createTestCore({ seedDemo: true, demo: { campaigns: 4, days: 60 }, ...opts })
  expect((await c.jobs.waitFor(c.startupJobId as number)).status).toBe('succeeded')
  // The demo build's end found nothing pending: none queued.
  expect(c.jobs.active('store:upgrade')).toEqual([])
  const s = c.store.sqlite
  const ws = c.workspaces.list().find((w) => w.isDemo)?.id as number
  asAfterTheUpdate(s, s.prepare('SELECT id FROM ad_accounts WHERE workspace_id = ?').pluck().all(ws) as number[])
  const sync = async (): Promise<void> => {
    const r = await c.dispatch('sync:start', { workspaceId: ws }, TEST_CALLER)
    if (!r.ok) throw new Error(r.error.message)
    expect((await c.jobs.waitFor((r.value as { jobId: number }).jobId)).status).toBe('succeeded')
  }
  return { c, s, sync }
}

describe('the store:upgrade job', () => {
  const dir = mkdtempSync(join(tmpdir(), 'me-upgrade-'))
  const dbPath = join(dir, 'marketing-engine.db')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('builds every pending account after the start (on its worker) and empties the table; a store with nothing pending queues none', async () => {
    const first = createTestCore({ dbPath, startJobs: false })
    const seeded = seed(first.store.sqlite, first.workspaces.create('Upgrade', 'USD'), 9)
    // Nothing pending: no job.
    expect(first.jobs.active('store:upgrade')).toEqual([])
    asAfterTheUpdate(
      first.store.sqlite,
      seeded.accounts.slice(0, 2).map((a) => a.accountId),
    )
    await first.close()

    const second = createTestCore({ dbPath, storeUpgradeDelayMs: 0 })
    try {
      const queued = second.jobs.active('store:upgrade')
      expect(queued).toHaveLength(1)
      const job = await second.jobs.waitFor(queued[0]?.id as number)
      expect(job.status).toBe('succeeded')
      expect(second.jobs.result(job.id)).toMatchObject({ accounts: 2, ranIn: 'worker' })
      expect(adMonthDaysPending(second.store.sqlite)).toBe(false)
      expect(adMonthMismatches(second.store.sqlite)).toEqual([])
      readersMatchScan(second.store.sqlite, seeded)
    } finally {
      await second.close()
    }

    const third = createTestCore({ dbPath, storeUpgradeDelayMs: 0 })
    try {
      expect(third.jobs.active('store:upgrade')).toEqual([])
    } finally {
      await third.close()
    }
  })

  it('builds an in-memory store on the core’s thread, sliced (no worker: the worker opens the store file)', async () => {
    const mem = createTestCore({ storeUpgradeDelayMs: 0 })
    try {
      const seeded = seed(mem.store.sqlite, mem.workspaces.create('Memory', 'USD'), 4)
      asAfterTheUpdate(
        mem.store.sqlite,
        seeded.accounts.map((a) => a.accountId),
      )
      const job = await mem.jobs.waitFor(mem.jobs.enqueue('store:upgrade', {}))
      expect(job.status).toBe('succeeded')
      expect(mem.jobs.result(job.id)).toMatchObject({ accounts: 3, ranIn: 'inline' })
      expect(adMonthDaysPending(mem.store.sqlite)).toBe(false)
      expect(adMonthMismatches(mem.store.sqlite)).toEqual([])
    } finally {
      await mem.close()
    }
  })

  it('after a failure, is queued once more when the next sync ends, not after every sync (review 10 #6, review 11 #2)', async () => {
    // The real clock: the failed attempts' retry delays (1 s, 2 s) must come due.
    const { c, s, sync } = await demoPending({ storeUpgradeDelayMs: 0 })
    try {
      // Every build fails (an in-memory store builds on this connection, so a temporary trigger reaches it).
      s.exec(
        "CREATE TEMP TRIGGER upgrade_fails BEFORE INSERT ON ad_month_days BEGIN SELECT RAISE(ABORT, 'disk full'); END",
      )
      const first = c.jobs.enqueueOnce('store:upgrade', {}).id
      expect((await c.jobs.waitFor(first)).status).toBe('failed')
      await sync()
      const again = c.jobs.active('store:upgrade')
      expect(again).toHaveLength(1)
      expect((await c.jobs.waitFor(again[0]?.id as number)).status).toBe('failed')
      // Once per process: a build that keeps failing is not re-run after every sync.
      await sync()
      expect(c.jobs.active('store:upgrade')).toEqual([])
      expect(adMonthDaysPending(s)).toBe(true)
    } finally {
      await c.close()
    }
  })

  it('a build the user cancelled is not queued again by the next sync', async () => {
    const { c, s, sync } = await demoPending({
      now: () => new Date('2026-06-15T18:00:00Z'),
      // The build waits (RunLaterError) long enough to be cancelled while queued.
      storeUpgradeDelayMs: 600_000,
    })
    try {
      const first = c.jobs.enqueueOnce('store:upgrade', {}).id
      expect(c.jobs.cancel(first)).toBe(true)
      expect((await c.jobs.waitFor(first)).status).toBe('cancelled')
      await sync()
      expect(adMonthDaysPending(s)).toBe(true)
      expect(c.jobs.active('store:upgrade')).toEqual([])
    } finally {
      await c.close()
    }
  })

  it('is queued by a process that takes the store over from its owner', async () => {
    const owner = createTestCore({ dbPath, startJobs: false })
    const other = createTestCore({ dbPath, startJobs: false })
    try {
      expect([owner.ownership.isOwner, other.ownership.isOwner]).toEqual([true, false])
      const first = owner.store.sqlite.prepare('SELECT min(account_id) FROM account_daily').pluck().get() as number
      asAfterTheUpdate(owner.store.sqlite, [first])
      await owner.close()
      expect(other.jobs.active('store:upgrade')).toEqual([])
      other.ownership.tick()
      expect(other.ownership.isOwner).toBe(true)
      expect(other.jobs.active('store:upgrade')).toHaveLength(1)
    } finally {
      await other.close()
    }
  })
})

describe('the build and writes across a month boundary, and a last month emptied (review 10, finding 5)', () => {
  let core: ReturnType<typeof createTestCore>
  let s: Sqlite
  let seeded: Seeded
  // A store per case: a case that fails leaves its account pending, which no other case expects.
  beforeEach(() => {
    core = createTestCore({ startJobs: false })
    s = core.store.sqlite
    seeded = seed(s, core.workspaces.create('Boundaries', 'USD'), 7)
  })
  afterEach(() => core.close())

  const cursorOf = (accountId: number): unknown =>
    s.prepare('SELECT month, ad_from FROM ad_month_days_pending WHERE account_id = ?').raw().get(accountId)
  /** Pieces (one ad each) until the account's build is in `month` past its first ad (`ad_from` set). */
  function buildInto(build: AdMonthDaysBuild, accountId: number, month: string): void {
    for (let i = 0; i < 100; i++) {
      const at = cursorOf(accountId) as [string, number | null]
      if (at[0] === month && at[1] !== null) return
      build.piece(accountId)
    }
    throw new Error(`the build never reached ${month}`)
  }

  it('a restatement over Jan 30 – Feb 2 (refresh) while February is part-built moves the build back to January', () => {
    const { accountId: a, campaigns: ads } = seeded.accounts[0] as Seeded['accounts'][number]
    const m = new MetricsRepo(s)
    asAfterTheUpdate(s, [a])
    const build = new AdMonthDaysBuild(s, 7)
    buildInto(build, a, '2026-02')
    s.transaction(() => {
      s.prepare('DELETE FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ?').run(
        a,
        '2026-01-30',
        '2026-02-02',
      )
      m.upsert(rows(lcg(21), a, ads, '2026-01-30', '2026-02-02'))
      m.refreshRollups(a, '2026-01-30', '2026-02-02')
    }).immediate()
    // Back to the first month written (refreshDays rewinding to `to`'s month would leave it in February).
    expect(cursorOf(a)).toEqual(['2026-01', null])
    expect(buildPendingAdMonthDays(s, 7).accounts).toBe(1)
    expect(adMonthMismatches(s)).toEqual([])
    readersMatchScan(s, seeded)
  })

  it('a backfill chunk over Jan 30 – Feb 2 (add) while February is part-built moves the build back to January', () => {
    const { accountId: b, campaigns: ads } = seeded.accounts[1] as Seeded['accounts'][number]
    const m = new MetricsRepo(s)
    // Days Jan 30 – Feb 2 without rows (the chunk's days had none), then the update.
    s.transaction(() => {
      s.prepare('DELETE FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ?').run(
        b,
        '2026-01-30',
        '2026-02-02',
      )
      m.refreshRollups(b, '2026-01-30', '2026-02-02')
    }).immediate()
    expect(adMonthMismatches(s)).toEqual([])
    asAfterTheUpdate(s, [b])
    const build = new AdMonthDaysBuild(s, 7)
    buildInto(build, b, '2026-02')
    s.transaction(() => {
      backfill(m, b, rows(lcg(22), b, ads, '2026-01-30', '2026-02-02'), '2026-01-30', '2026-02-02')
      m.refreshAccountDays(b, '2026-01-30', '2026-02-02')
    }).immediate()
    // Back to the chunk's first month (add rewinding to its last month would leave it in February).
    expect(cursorOf(b)).toEqual(['2026-01', null])
    expect(buildPendingAdMonthDays(s, 7).accounts).toBe(1)
    expect(adMonthMismatches(s)).toEqual([])
    readersMatchScan(s, seeded)
  })

  it('every row of the last month deleted after the build packed some of it: the build’s end removes that month', () => {
    const { accountId: c } = seeded.accounts[2] as Seeded['accounts'][number]
    const m = new MetricsRepo(s)
    asAfterTheUpdate(s, [c])
    const build = new AdMonthDaysBuild(s, 7)
    buildInto(build, c, '2026-03')
    const march = (): unknown =>
      s.prepare("SELECT count(*) FROM ad_month_days WHERE account_id = ? AND month = '2026-03'").pluck().get(c)
    expect(march()).toBe(1)
    s.transaction(() => {
      s.prepare("DELETE FROM daily_metrics WHERE account_id = ? AND date >= '2026-03-01'").run(c)
      m.refreshRollups(c, '2026-03-01', LAST)
    }).immediate()
    // The writer left the packed days to the build: March's piece is still there.
    expect(march()).toBe(1)
    expect(cursorOf(c)).toEqual(['2026-03', null])
    expect(buildPendingAdMonthDays(s, 7).accounts).toBe(1)
    expect(march()).toBe(0)
    expect(adMonthMismatches(s)).toEqual([])
    readersMatchScan(s, seeded)
  })
})
