import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SeededRandom } from '../../../../shared/experiments/random'
import { addDays, dateRange } from '../../../../shared/domain/dates'
import { runSteps } from '../../scheduler/slices'
import { createTestCore } from '../../test-support'
import { connectStore } from '../connect'
import { MetricsRepo, type DailyMetricInput } from './metrics-repo'
import { RecommendationsRepo, type WindowSums } from './recommendations-repo'
import { flatRun, seedAccount, writeWithRollups } from './testing'
import { WindowSumsReader, type EntityWindow } from './window-sums'

/*
 * The window reader (monthly rollup + a few days of rows) against grouping the window's ad rows
 * (RecommendationsRepo.windowSums) on an account whose ads start, stop, pause for a few days and
 * hand over to each other mid-month, over windows that start and end anywhere in three months.
 */
type TestCore = ReturnType<typeof createTestCore>
let core: TestCore
let accountId = 0
let dbPath = ''
let dir = ''

const FROM = '2026-03-20'
const TO = '2026-06-10'

beforeAll(() => {
  // A store file, so a second connection (as the sync's writer thread) can commit between steps.
  dir = mkdtempSync(join(tmpdir(), 'me-window-sums-'))
  dbPath = join(dir, 'store.db')
  core = createTestCore({ startJobs: false, dbPath })
  const ws = core.workspaces.create('Windows', 'USD')
  const s = core.store.sqlite
  const seeded = seedAccount(s, ws, 'w', 6)
  accountId = seeded.accountId
  // Each campaign's one ad set gets more ads: four per ad set, two ad sets in campaigns 0 and 1.
  const addSet = s.prepare(
    "INSERT INTO ad_sets (account_id, campaign_id, external_id, name, status) VALUES (?, ?, ?, 'S2', 'active')",
  )
  const addAd = s.prepare(
    "INSERT INTO ads (account_id, campaign_id, ad_set_id, external_id, name, status) VALUES (?, ?, ?, ?, 'Ad', 'active')",
  )
  const ads: { adId: number; adSetId: number; campaignId: number }[] = []
  seeded.campaigns.forEach((c, i) => {
    const sets = [c.adSetId]
    if (i < 2) sets.push(Number(addSet.run(accountId, c.campaignId, `s2-${i}`).lastInsertRowid))
    ads.push({ adId: c.adId, adSetId: c.adSetId, campaignId: c.campaignId })
    sets.forEach((adSetId, j) => {
      for (let k = j === 0 ? 1 : 0; k < 4; k++)
        ads.push({
          adId: Number(addAd.run(accountId, c.campaignId, adSetId, `a${i}-${j}-${k}`).lastInsertRowid),
          adSetId,
          campaignId: c.campaignId,
        })
    })
  })
  const rnd = new SeededRandom(16)
  const days = dateRange(FROM, TO)
  const rows: DailyMetricInput[] = []
  for (const ad of ads) {
    // A run with a start and an end anywhere, some pauses of a few days, and ads that never run.
    if (rnd.next() < 0.1) continue
    const start = Math.floor(rnd.next() * days.length * 0.8)
    const end = start + Math.floor(rnd.next() * (days.length - start))
    const pauses = rnd.next() < 0.4 ? [Math.floor(start + rnd.next() * (end - start))] : []
    for (let d = start; d <= end; d++) {
      if (pauses.some((p) => d >= p && d < p + 3)) continue
      rows.push({
        ...ad,
        date: days[d] as string,
        accountId,
        spendMicros: Math.round(rnd.next() * 1e8),
        impressions: Math.round(rnd.next() * 1e4),
        clicks: Math.round(rnd.next() * 100),
        reach: Math.round(rnd.next() * 5e3),
        conversions: Math.round(rnd.next() * 30) / 7,
        conversionValueMicros: Math.round(rnd.next() * 3e8),
        videoViews: 0,
        provisional: false,
        source: 'import',
      })
    }
  }
  const m = new MetricsRepo(s)
  s.transaction(() => {
    m.upsert(rows)
    m.refreshRollups(accountId, FROM, TO)
  }).immediate()
})
afterAll(async () => {
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

const strip = (x: WindowSums[]): unknown[] =>
  x.map((w) => ({ ...w, conversions: Math.round(w.conversions * 1e6) / 1e6 }))

/** An entity's sums alone (no account, name or status), by id, conversions to 1e-6. */
const sums = (x: Iterable<EntityWindow>): EntityWindow[] =>
  [...x]
    .map((w) => ({
      id: w.id,
      campaignId: w.campaignId,
      days: w.days,
      spendMicros: w.spendMicros,
      revenueMicros: w.revenueMicros,
      conversions: Math.round(w.conversions * 1e6) / 1e6,
      impressions: w.impressions,
      clicks: w.clicks,
      reach: w.reach,
    }))
    .sort((a, b) => a.id - b.id)

describe('window sums from the monthly rollup', () => {
  it('equal grouping the rows, per ad set and per campaign, days included, for windows anywhere', () => {
    const repo = new RecommendationsRepo(core.store.sqlite)
    const rnd = new SeededRandom(3)
    const windows: { from: string; to: string }[] = [
      { from: '2026-04-01', to: '2026-04-30' },
      { from: '2026-03-01', to: '2026-07-31' },
      { from: '2026-04-04', to: '2026-05-01' },
      { from: '2026-05-31', to: '2026-05-31' },
    ]
    const span = dateRange(FROM, TO).length
    for (let i = 0; i < 40; i++) {
      const from = addDays(FROM, Math.floor(rnd.next() * span) - 3)
      windows.push({ from, to: addDays(from, Math.floor(rnd.next() * 40)) })
    }
    const all = new WindowSumsReader(core.store.sqlite).read(accountId, windows)
    expect(all).toHaveLength(windows.length)
    // The ad sets whose days are not known from ad_month: read by key (above) or scanned (no ads bound).
    expect(new WindowSumsReader(core.store.sqlite, 0).read(accountId, windows)).toEqual(all)
    let nonEmpty = 0
    windows.forEach((w) => {
      const [mine] = runSteps(repo.windowSumsSteps(accountId, [w]))
      const adSets = repo.windowSums('ad_set', accountId, w.from, w.to)
      const campaigns = repo.windowSums('campaign', accountId, w.from, w.to)
      if (adSets.length) nonEmpty++
      expect(strip(mine?.ad_set ?? []), `ad sets ${w.from}..${w.to}`).toEqual(strip(adSets))
      expect(strip(mine?.campaign ?? []), `campaigns ${w.from}..${w.to}`).toEqual(strip(campaigns))
    })
    expect(nonEmpty).toBeGreaterThan(30)
    // The same windows against the rows with a month and its ranges read a row per step (ad sets
    // across steps) and no ad sets read by key: the steps' combining checked on its own.
    const tiny = new WindowSumsReader(core.store.sqlite, 0, 1, 1).read(accountId, windows)
    windows.forEach((w, i) => {
      const t = tiny[i] as (typeof tiny)[number]
      expect(sums(t.adSets.values()), `ad sets ${w.from}..${w.to}, a row per step`).toEqual(
        sums(repo.windowSums('ad_set', accountId, w.from, w.to)),
      )
      expect(sums(t.campaigns.values()), `campaigns ${w.from}..${w.to}, a row per step`).toEqual(
        sums(repo.windowSums('campaign', accountId, w.from, w.to)),
      )
    })
  })

  it('equal whole reads when a month and its ranges are read a few rows per step, ad sets across steps', () => {
    const s = core.store.sqlite
    // April's ad sets with ads on both sides of a step's bound (ad_month read two rows per step).
    const sets = s
      .prepare(
        `SELECT ad_set_id FROM ad_month WHERE account_id = ? AND month = '2026-04'
         GROUP BY ad_set_id HAVING count(*) > 2 AND max(ad_id) - min(ad_id) > 1`,
      )
      .pluck()
      .all(accountId)
    expect(sets.length).toBeGreaterThan(3)
    const windows = [
      { from: '2026-04-01', to: '2026-04-30' },
      { from: '2026-04-04', to: '2026-05-01' },
      { from: '2026-03-25', to: '2026-04-26' },
      { from: '2026-05-10', to: '2026-05-12' },
    ]
    const count = (r: WindowSumsReader): { steps: number; value: unknown } => {
      const it = r.steps(accountId, windows)
      let steps = 0
      for (;;) {
        const x = it.next()
        if (x.done) return { steps, value: x.value }
        steps++
      }
    }
    const whole = count(new WindowSumsReader(s))
    for (const [monthRows, rangeRows] of [
      [1, 1],
      [2, 5],
      [3, 40],
    ] as const) {
      const chunked = count(new WindowSumsReader(s, undefined, monthRows, rangeRows))
      expect(chunked.steps).toBeGreaterThan(whole.steps)
      expect(chunked.value, `${monthRows} / ${rangeRows} rows per step`).toEqual(whole.value)
    }
  })

  it("counts the gap between an ad set's ads read in different steps of its month", () => {
    const s = core.store.sqlite
    const ws = core.workspaces.create('Gaps', 'USD')
    const { accountId: gapAccount, campaigns } = seedAccount(s, ws, 'gap', 1)
    const { campaignId, adSetId, adId } = campaigns[0] as { campaignId: number; adSetId: number; adId: number }
    const addAd = (ext: string): number =>
      Number(
        s
          .prepare(
            "INSERT INTO ads (account_id, campaign_id, ad_set_id, external_id, name, status) VALUES (?, ?, ?, ?, 'Ad', 'active')",
          )
          .run(gapAccount, campaignId, adSetId, ext).lastInsertRowid,
      )
    // In id order: August 1-10, August 1-3, then August 20-25 (a gap only the last ad shows).
    const runs: [number, number, number][] = [
      [adId, 1, 10],
      [addAd('b'), 1, 3],
      [addAd('c'), 20, 25],
    ]
    const day = (d: number): string => `2026-08-${String(d).padStart(2, '0')}`
    const rows = runs.flatMap(([id, first, last]) =>
      flatRun({ adId: id, adSetId, campaignId, accountId: gapAccount }, day(first), day(last), 1e6),
    )
    writeWithRollups(s, gapAccount, rows, '2026-08-01', '2026-08-25')
    const windows = [
      { from: '2026-08-01', to: '2026-08-31' },
      { from: '2026-08-02', to: '2026-08-24' },
    ]
    const whole = new WindowSumsReader(s).read(gapAccount, windows)
    expect(whole.map((w) => w.adSets.get(adSetId)?.days)).toEqual([16, 14])
    expect(whole.map((w) => w.campaigns.get(campaignId)?.days)).toEqual([16, 14])
    for (const monthRows of [1, 2])
      expect(new WindowSumsReader(s, undefined, monthRows, 1).read(gapAccount, windows)).toEqual(whole)
  })

  it("sums an ad set's rows that say two campaigns in one month (session 20: main's reader before kept one campaign's)", () => {
    const s = core.store.sqlite
    const ws = core.workspaces.create('Moved', 'USD')
    const { accountId: moved, campaigns } = seedAccount(s, ws, 'moved', 2)
    const a = campaigns[0] as { campaignId: number; adSetId: number; adId: number }
    const b = campaigns[1] as { campaignId: number; adSetId: number; adId: number }
    // Ad A (campaign a) August 1-10; ad B's rows say ad set a and campaign b, August 5-25 (a CSV import can).
    const row = (adId: number, campaignId: number, date: string): DailyMetricInput => ({
      adId,
      adSetId: a.adSetId,
      campaignId,
      date,
      accountId: moved,
      spendMicros: 1e6,
      impressions: 100,
      clicks: 1,
      reach: 50,
      conversions: 0.1,
      conversionValueMicros: 0,
      videoViews: 0,
      provisional: false,
      source: 'import',
    })
    const rows = [
      ...dateRange('2026-08-01', '2026-08-10').map((d) => row(a.adId, a.campaignId, d)),
      ...dateRange('2026-08-05', '2026-08-25').map((d) => row(b.adId, b.campaignId, d)),
    ]
    const m = new MetricsRepo(s)
    s.transaction(() => {
      m.upsert(rows)
      m.refreshRollups(moved, '2026-08-01', '2026-08-25')
    }).immediate()
    const repo = new RecommendationsRepo(s)
    // The whole month from ad_month, and the month minus two days.
    const windows = [
      { from: '2026-08-01', to: '2026-08-31' },
      { from: '2026-08-02', to: '2026-08-24' },
    ]
    const oracle = windows.map((w) => {
      const [x] = sums(repo.windowSums('ad_set', moved, w.from, w.to))
      return { days: x?.days, spendMicros: x?.spendMicros, conversions: x?.conversions, impressions: x?.impressions }
    })
    expect(oracle).toEqual([
      { days: 25, spendMicros: 31e6, conversions: 3.1, impressions: 3100 },
      { days: 23, spendMicros: 29e6, conversions: 2.9, impressions: 2900 },
    ])
    for (const reader of [new WindowSumsReader(s), new WindowSumsReader(s, 0, 1, 1)]) {
      const got = reader.read(moved, windows).map((w) => {
        const x = sums(w.adSets.values())
        expect(x.map((e) => e.id)).toEqual([a.adSetId])
        const e = x[0] as EntityWindow
        return { days: e.days, spendMicros: e.spendMicros, conversions: e.conversions, impressions: e.impressions }
      })
      expect(got).toEqual(oracle)
    }
  })

  it.each(['this connection', 'another connection'])(
    'read an account again on one snapshot when %s commits between the month step and the day steps',
    (writer) => {
      const repo = new RecommendationsRepo(core.store.sqlite)
      // April from ad_month minus April 1-3 (read in later steps), then May 1 from the rows.
      const w = { from: '2026-04-04', to: '2026-05-01' }
      const s = writer === 'this connection' ? core.store.sqlite : connectStore(dbPath)
      const addSpend = (micros: number): void =>
        s
          .transaction(() => {
            s.prepare(
              "UPDATE daily_metrics SET spend_micros = spend_micros + ? WHERE account_id = ? AND date = '2026-04-02'",
            ).run(micros, accountId)
            new MetricsRepo(s).refreshRollups(accountId, '2026-04-02', '2026-04-02')
          })
          .immediate()
      const steps = repo.windowSumsSteps(accountId, [w])
      steps.next() // the account's span
      steps.next() // April's ad_month sums
      // A sync restating a day the piece leaves out: April's sums and April 2's rows both change.
      addSpend(5e9)
      try {
        let r = steps.next()
        while (!r.done) r = steps.next()
        const [mine] = r.value
        expect(strip(mine?.ad_set ?? [])).toEqual(strip(repo.windowSums('ad_set', accountId, w.from, w.to)))
        expect(strip(mine?.campaign ?? [])).toEqual(strip(repo.windowSums('campaign', accountId, w.from, w.to)))
        expect((mine?.ad_set ?? []).every((x) => x.spendMicros >= 0)).toBe(true)
      } finally {
        addSpend(-5e9)
        if (s !== core.store.sqlite) s.close()
      }
    },
  )
})
