import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { sourceResourcesDir } from '../platform/node'
import { openStore, StoreCorruptError } from './db'
import { AnalyticsRepo } from './repos/analytics-repo'
import { buildPendingAdMonthDays } from './repos/ad-month-days-build'
import { packedAdDays } from './repos/report-ads-repo'
import { adMonthMismatches } from './repos/testing'
import { CumulativeReader, type CumDay } from './repos/cumulative-rollup'

const migrations = join(sourceResourcesDir(), 'migrations')
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'me-db-'))
  dirs.push(d)
  return d
}

/** A copy of the migrations folder holding only the first `n` migrations (an earlier schema). */
function migrationsUpTo(n: number): string {
  const dir = join(tmp(), 'migrations')
  cpSync(migrations, dir, { recursive: true })
  const journalPath = join(dir, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: unknown[] }
  journal.entries = journal.entries.slice(0, n)
  writeFileSync(journalPath, JSON.stringify(journal))
  return dir
}

/**
 * A store file migrated up to (not including) the migration whose tag ends with `tagEnd`, holding
 * one workspace and one Meta account: `q` runs SQL on it.
 */
function storeBefore(tagEnd: string) {
  const journal = JSON.parse(readFileSync(join(migrations, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string }[]
  }
  const at = journal.entries.findIndex((e) => e.tag.endsWith(tagEnd))
  expect(at).toBeGreaterThan(0)
  const path = join(tmp(), 'me.db')
  const old = openStore({ path, migrationsFolder: migrationsUpTo(at) })
  const q = (sql: string): void => void old.sqlite.exec(sql)
  q("INSERT INTO workspaces (name, reporting_currency) VALUES ('Acme', 'USD')")
  q(
    "INSERT INTO ad_accounts (workspace_id, platform, external_id, name, currency, time_zone) VALUES (1, 'meta', 'act_1', 'A', 'USD', 'UTC')",
  )
  return { path, old, q }
}

const journalLength = (
  JSON.parse(readFileSync(join(migrations, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
).entries.length

describe('store', () => {
  it('opens an in-memory store with every migration, foreign keys on', () => {
    const s = openStore({ path: ':memory:', migrationsFolder: migrations })
    expect(s.schemaVersion).toBe(journalLength)
    expect(s.sqlite.pragma('foreign_keys', { simple: true })).toBe(1)
    s.close()
  })

  it('keeps the metric tables WITHOUT ROWID with their key as primary key', () => {
    const s = openStore({ path: ':memory:', migrationsFolder: migrations })
    for (const t of ['daily_metrics', 'account_daily']) {
      const sql = (s.sqlite.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(t) as { sql: string }).sql
      expect(sql).toMatch(/WITHOUT ROWID$/)
    }
    // daily_metrics is keyed (account, date, ad) so a backfill appends and a window is one key range.
    const pk = (s.sqlite.pragma('table_info(daily_metrics)') as { name: string; pk: number }[])
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name)
    expect(pk).toEqual(['account_id', 'date', 'ad_id'])
    // Campaign-day sums are a view over the ad-day rows, not a second stored copy.
    expect(s.sqlite.prepare("SELECT type FROM sqlite_master WHERE name = 'campaign_daily'").pluck().get()).toBe('view')
    s.sqlite.prepare("INSERT INTO account_daily (account_id, date) VALUES (1, '2026-01-01')").run()
    expect(() =>
      s.sqlite.prepare("INSERT INTO account_daily (account_id, date) VALUES (1, '2026-01-01')").run(),
    ).toThrow(/UNIQUE|PRIMARY KEY/)
    s.close()
  })

  it('opens a file store in WAL mode and re-opens it without a backup when nothing is pending', () => {
    const path = join(tmp(), 'me.db')
    const a = openStore({ path, migrationsFolder: migrations })
    expect(a.sqlite.pragma('journal_mode', { simple: true })).toBe('wal')
    a.close()
    const b = openStore({ path, migrationsFolder: migrations })
    expect(b.backupPath).toBeNull()
    b.close()
  })

  it.each(Array.from({ length: journalLength - 1 }, (_, i) => i + 1))(
    'migrates a database created by schema version %i, keeps its rows and leaves a backup beside it',
    (version) => {
      const dir = tmp()
      const path = join(dir, 'me.db')
      const old = openStore({ path, migrationsFolder: migrationsUpTo(version) })
      expect(old.schemaVersion).toBe(version)
      old.sqlite.prepare("INSERT INTO workspaces (name, reporting_currency) VALUES ('Acme', 'EUR')").run()
      old.sqlite
        .prepare(
          "INSERT INTO ad_accounts (workspace_id, platform, external_id, name, currency, time_zone) VALUES (1, 'meta', 'act_1', 'Acme EU', 'EUR', 'Europe/Berlin')",
        )
        .run()
      old.close()

      const s = openStore({ path, migrationsFolder: migrations })
      expect(s.schemaVersion).toBe(journalLength)
      expect(s.sqlite.prepare('SELECT name, reporting_currency FROM workspaces').all()).toEqual([
        { name: 'Acme', reporting_currency: 'EUR' },
      ])
      expect(s.sqlite.prepare('SELECT count(*) AS n FROM ad_accounts').get()).toEqual({ n: 1 })
      expect(s.backupPath).not.toBeNull()
      expect(existsSync(s.backupPath as string)).toBe(true)
      s.close()
      // the backup is the old schema with the rows, openable on its own
      const backup = new Database(
        readdirSync(dir)
          .filter((f) => f.includes('.backup-v'))
          .map((f) => join(dir, f))[0] as string,
        { readonly: true },
      )
      expect(backup.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get()).toEqual({ n: version })
      expect(backup.prepare('SELECT name FROM workspaces').get()).toEqual({ name: 'Acme' })
      backup.close()
    },
  )

  it('moves daily rows to the (account, date, ad) key and keeps the campaign days (0003 and later)', () => {
    const path = join(tmp(), 'me.db')
    const old = openStore({ path, migrationsFolder: migrationsUpTo(3) })
    const q = (sql: string): void => void old.sqlite.exec(sql)
    q("INSERT INTO workspaces (name, reporting_currency) VALUES ('Acme', 'USD')")
    q(
      "INSERT INTO ad_accounts (workspace_id, platform, external_id, name, currency, time_zone) VALUES (1, 'meta', 'act_1', 'A', 'USD', 'UTC')",
    )
    q(
      "INSERT INTO campaigns (account_id, external_id, name, objective, status) VALUES (1, 'c1', 'C1', 'sales', 'active')",
    )
    q("INSERT INTO ad_sets (account_id, campaign_id, external_id, name, status) VALUES (1, 1, 's1', 'S1', 'active')")
    for (const ad of ['a1', 'a2'])
      q(
        `INSERT INTO ads (account_id, campaign_id, ad_set_id, external_id, name, status) VALUES (1, 1, 1, '${ad}', '${ad}', 'active')`,
      )
    // Two ads over three days (the second ad idle on day 2), with the rollups the old writer kept.
    const rows: [number, string, number, number][] = [
      [1, '2026-01-01', 1_000_000, 1.5],
      [2, '2026-01-01', 2_000_000, 0],
      [1, '2026-01-02', 500_000, 0.25],
      [1, '2026-01-03', 700_000, 1],
      [2, '2026-01-03', 300_000, 2],
    ]
    for (const [ad, date, spend, conv] of rows)
      q(
        `INSERT INTO daily_metrics (ad_id, date, account_id, campaign_id, ad_set_id, spend_micros, conversions, provisional) VALUES (${ad}, '${date}', 1, 1, 1, ${spend}, ${conv}, ${date >= '2026-01-03' ? 1 : 0})`,
      )
    q(`INSERT INTO campaign_daily (campaign_id, date, account_id, spend_micros, conversions, provisional)
       SELECT campaign_id, date, account_id, sum(spend_micros), sum(conversions), max(provisional) FROM daily_metrics GROUP BY campaign_id, date`)
    q(`INSERT INTO account_daily (account_id, date, spend_micros, conversions, provisional)
       SELECT account_id, date, sum(spend_micros), sum(conversions), max(provisional) FROM daily_metrics GROUP BY date`)
    q(`INSERT INTO campaign_cum (account_id, date, campaign_id, spend_micros, conversions)
       SELECT account_id, date, campaign_id, sum(spend_micros) OVER (ORDER BY date), sum(conversions) OVER (ORDER BY date) FROM campaign_daily`)
    const before = old.sqlite
      .prepare('SELECT campaign_id, date, spend_micros, conversions, provisional FROM campaign_daily ORDER BY date')
      .all()
    old.close()

    const s = openStore({ path, migrationsFolder: migrations })
    expect(
      s.sqlite
        .prepare('SELECT ad_id, date, spend_micros, conversions FROM daily_metrics ORDER BY date, ad_id')
        .raw()
        .all(),
    ).toEqual(rows.map(([ad, date, spend, conv]) => [ad, date, spend, conv]))
    expect(
      s.sqlite
        .prepare('SELECT campaign_id, date, spend_micros, conversions, provisional FROM campaign_daily ORDER BY date')
        .all(),
    ).toEqual(before)
    s.close()
  })

  it('repacks the running totals per account-day from the rows when migrating to 0004', () => {
    const path = join(tmp(), 'me.db')
    const old = openStore({ path, migrationsFolder: migrationsUpTo(4) })
    const q = (sql: string): void => void old.sqlite.exec(sql)
    q("INSERT INTO workspaces (name, reporting_currency) VALUES ('Acme', 'USD')")
    q(
      "INSERT INTO ad_accounts (workspace_id, platform, external_id, name, currency, time_zone) VALUES (1, 'meta', 'act_1', 'A', 'USD', 'UTC')",
    )
    for (const c of [1, 2]) {
      q(
        `INSERT INTO campaigns (account_id, external_id, name, objective, status) VALUES (1, 'c${c}', 'C${c}', 'sales', 'active')`,
      )
      q(
        `INSERT INTO ad_sets (account_id, campaign_id, external_id, name, status) VALUES (1, ${c}, 's${c}', 'S', 'active')`,
      )
      q(
        `INSERT INTO ads (account_id, campaign_id, ad_set_id, external_id, name, status) VALUES (1, ${c}, ${c}, 'a${c}', 'A', 'active')`,
      )
    }
    // Campaign 2 starts on day 2; the old per-campaign-day rows are whatever the old writer left.
    const rows: [number, string, number, number][] = [
      [1, '2026-01-01', 1_000_000, 1.5],
      [1, '2026-01-02', 500_000, 0.25],
      [2, '2026-01-02', 2_000_000, 2],
      [1, '2026-01-03', 700_000, 1],
      [2, '2026-01-03', 300_000, 0],
    ]
    for (const [c, date, spend, conv] of rows)
      q(
        `INSERT INTO daily_metrics (ad_id, date, account_id, campaign_id, ad_set_id, spend_micros, conversions) VALUES (${c}, '${date}', 1, ${c}, ${c}, ${spend}, ${conv})`,
      )
    q(`INSERT INTO account_daily (account_id, date, spend_micros, conversions)
       SELECT account_id, date, sum(spend_micros), sum(conversions) FROM daily_metrics GROUP BY date`)
    q(`INSERT INTO campaign_cum (account_id, date, campaign_id, spend_micros, conversions)
       SELECT account_id, date, campaign_id, sum(spend_micros) OVER w, sum(conversions) OVER w FROM daily_metrics
       WINDOW w AS (PARTITION BY campaign_id ORDER BY date)`)
    old.close()

    const s = openStore({ path, migrationsFolder: migrations })
    expect(s.sqlite.prepare('SELECT count(*) FROM campaign_cum').pluck().get()).toBe(3)
    const reader = new CumulativeReader(s.sqlite)
    const day2 = reader.at(1, '2026-01-02') as CumDay
    expect([...day2.ids]).toEqual([1, 2])
    expect([...day2.sums]).toEqual([1_500_000, 0, 0, 1.75, 0, 0, 2_000_000, 0, 0, 2, 0, 0])
    expect([...(reader.at(1, '2026-01-01') as CumDay).ids]).toEqual([1])
    expect(reader.at(1, '2025-12-31')).toBeNull()
    // Ranges from the repacked totals equal the rows.
    const sums = new AnalyticsRepo(s.sqlite).campaignSums([
      { accountId: 1, from: '2026-01-02', to: '2026-01-03', rate: 1 },
    ])
    expect(sums.map((r) => [r.id, r.spend, r.conversions])).toEqual([
      [1, 1_200_000, 1.25],
      [2, 2_300_000, 2],
    ])
    s.close()
  })

  it('rebuilds the running totals month by month when migrating to monthly_campaign_cum', () => {
    const { path, old, q } = storeBefore('_monthly_campaign_cum')
    for (const c of [1, 2]) {
      q(
        `INSERT INTO campaigns (account_id, external_id, name, objective, status) VALUES (1, 'c${c}', 'C${c}', 'sales', 'active')`,
      )
      q(
        `INSERT INTO ad_sets (account_id, campaign_id, external_id, name, status) VALUES (1, ${c}, 's${c}', 'S', 'active')`,
      )
      q(
        `INSERT INTO ads (account_id, campaign_id, ad_set_id, external_id, name, status) VALUES (1, ${c}, ${c}, 'a${c}', 'A', 'active')`,
      )
    }
    // Campaign 1 ran in January only, campaign 2 in February.
    for (const [c, date, spend] of [
      [1, '2026-01-30', 1_000_000],
      [1, '2026-01-31', 2_000_000],
      [2, '2026-02-01', 4_000_000],
      [2, '2026-02-02', 8_000_000],
    ] as const)
      q(
        `INSERT INTO daily_metrics (ad_id, date, account_id, campaign_id, ad_set_id, spend_micros) VALUES (${c}, '${date}', 1, ${c}, ${c}, ${spend})`,
      )
    q(`INSERT INTO account_daily (account_id, date, spend_micros)
       SELECT account_id, date, sum(spend_micros) FROM daily_metrics GROUP BY date`)
    // What the old writer left: totals from the account's first day, every campaign ever seen.
    const cum = old.sqlite.prepare(
      'INSERT INTO campaign_cum (account_id, date, campaign_ids, sums) VALUES (1, ?, ?, ?)',
    )
    const blob = (a: Int32Array | Float64Array): Buffer => Buffer.from(a.buffer)
    cum.run('2026-02-02', blob(Int32Array.of(1, 2)), blob(Float64Array.of(3e6, 0, 0, 0, 0, 0, 12e6, 0, 0, 0, 0, 0)))
    old.close()

    const s = openStore({ path, migrationsFolder: migrations })
    const reader = new CumulativeReader(s.sqlite)
    // February's rows hold only February's campaign, with February's totals.
    const feb2 = reader.at(1, '2026-02-02') as CumDay
    expect([...feb2.ids]).toEqual([2])
    expect(feb2.sums[0]).toBe(12_000_000)
    expect((reader.at(1, '2026-01-31') as CumDay).sums[0]).toBe(3_000_000)
    const sums = new AnalyticsRepo(s.sqlite).campaignSums([
      { accountId: 1, from: '2026-01-31', to: '2026-02-01', rate: 1 },
    ])
    expect(sums.map((r) => [r.id, r.spend])).toEqual([
      [1, 2_000_000],
      [2, 4_000_000],
    ])
    s.close()
  })

  it("counts each ad_month row's rows with negative clicks or spend when migrating to ad_month_negative_rows", () => {
    const { path, old, q } = storeBefore('_ad_month_negative_rows')
    q(
      "INSERT INTO campaigns (account_id, external_id, name, objective, status) VALUES (1, 'c1', 'C1', 'sales', 'active')",
    )
    q("INSERT INTO ad_sets (account_id, campaign_id, external_id, name, status) VALUES (1, 1, 's1', 'S', 'active')")
    for (const a of [1, 2])
      q(
        `INSERT INTO ads (account_id, campaign_id, ad_set_id, external_id, name, status) VALUES (1, 1, 1, 'a${a}', 'A', 'active')`,
      )
    // Ad 1: a refund inside a January whose sum stays positive, and negative clicks in February; ad 2: none.
    for (const [ad, date, clicks, spend] of [
      [1, '2026-01-10', 5, 100_000_000],
      [1, '2026-01-11', 0, -150_000_000],
      [1, '2026-01-12', 3, 200_000_000],
      [1, '2026-02-01', -2, 0],
      [2, '2026-01-10', 4, 80_000_000],
    ] as const)
      q(
        `INSERT INTO daily_metrics (ad_id, date, account_id, campaign_id, ad_set_id, clicks, spend_micros) VALUES (${ad}, '${date}', 1, 1, 1, ${clicks}, ${spend})`,
      )
    q(`INSERT INTO account_daily (account_id, date, spend_micros)
       SELECT account_id, date, sum(spend_micros) FROM daily_metrics GROUP BY date`)
    // What the old writer left: the sums without the count.
    q(`INSERT INTO ad_month (account_id, month, ad_id, ad_set_id, campaign_id, spend_micros, clicks, days, first_date, last_date)
       SELECT account_id, substr(date, 1, 7), ad_id, ad_set_id, campaign_id, sum(spend_micros), sum(clicks), count(*),
         min(date), max(date)
       FROM daily_metrics GROUP BY 1, 2, 3, 4, 5`)
    old.close()

    const s = openStore({ path, migrationsFolder: migrations })
    expect(adMonthMismatches(s.sqlite)).toEqual([])
    expect(
      s.sqlite
        .prepare('SELECT month, ad_id, spend_micros, negative_rows FROM ad_month ORDER BY month, ad_id')
        .raw()
        .all(),
    ).toEqual([
      ['2026-01', 1, 150_000_000, 1],
      ['2026-01', 2, 80_000_000, 0],
      ['2026-02', 1, 0, 1],
    ])
    s.close()
  })

  it('marks the accounts whose packed days were never built when migrating to ad_month_days_pending, and opening builds none', () => {
    const { path, old, q } = storeBefore('_ad_month_days_pending')
    // Account 1: days, never packed (a store from before 0021); 2: days, packed; 3: no days.
    for (const a of [2, 3])
      q(
        `INSERT INTO ad_accounts (workspace_id, platform, external_id, name, currency, time_zone) VALUES (1, 'meta', 'act_${a}', 'A${a}', 'USD', 'UTC')`,
      )
    for (const a of [1, 2, 3]) {
      q(
        `INSERT INTO campaigns (account_id, external_id, name, objective, status) VALUES (${a}, 'c', 'C', 'sales', 'active')`,
      )
      q(
        `INSERT INTO ad_sets (account_id, campaign_id, external_id, name, status) VALUES (${a}, ${a}, 's', 'S', 'active')`,
      )
      q(
        `INSERT INTO ads (account_id, campaign_id, ad_set_id, external_id, name, status) VALUES (${a}, ${a}, ${a}, 'a', 'A', 'active')`,
      )
    }
    for (const [a, date, impressions] of [
      [1, '2026-01-31', 100],
      [1, '2026-02-01', 200],
      [2, '2026-02-01', 300],
    ] as const)
      q(
        `INSERT INTO daily_metrics (ad_id, date, account_id, campaign_id, ad_set_id, impressions, clicks) VALUES (${a}, '${date}', ${a}, ${a}, ${a}, ${impressions}, 1)`,
      )
    q(`INSERT INTO account_daily (account_id, date, impressions)
       SELECT account_id, date, sum(impressions) FROM daily_metrics GROUP BY account_id, date`)
    q(`INSERT INTO ad_month (account_id, month, ad_id, ad_set_id, campaign_id, impressions, clicks, days, first_date, last_date)
       SELECT account_id, substr(date, 1, 7), ad_id, ad_set_id, campaign_id, sum(impressions), sum(clicks), count(*), min(date), max(date)
       FROM daily_metrics GROUP BY 1, 2, 3, 4, 5`)
    q("INSERT INTO ad_month_days (account_id, month, ad_id, days) VALUES (2, '2026-02', 2, '01:300:1')")
    old.close()

    const s = openStore({ path, migrationsFolder: migrations })
    expect(s.sqlite.prepare('SELECT * FROM ad_month_days_pending').raw().all()).toEqual([[1, null, null]])
    // Opening the store built nothing (the store:upgrade job does, after the start).
    expect(s.sqlite.prepare('SELECT count(*) FROM ad_month_days WHERE account_id = 1').pluck().get()).toBe(0)
    // The readers answer from the rows meanwhile.
    expect(packedAdDays(s.sqlite, [1, 2], '2026-01-01', '2026-02-28')).toEqual([
      { ad_id: 1, date: '2026-01-31', impressions: 100, clicks: 1 },
      { ad_id: 1, date: '2026-02-01', impressions: 200, clicks: 1 },
      { ad_id: 2, date: '2026-02-01', impressions: 300, clicks: 1 },
    ])
    expect(buildPendingAdMonthDays(s.sqlite).accounts).toBe(1)
    expect(adMonthMismatches(s.sqlite)).toEqual([])
    s.close()
  })

  it('refuses a corrupted database file with a specific error', () => {
    const path = join(tmp(), 'broken.db')
    const s = openStore({ path, migrationsFolder: migrations })
    s.close()
    const buf = readFileSync(path)
    // Scribble over the first table page after the header.
    buf.fill(0x5a, 4096 + 8, 4096 + 200)
    writeFileSync(path, buf)
    expect(() => openStore({ path, migrationsFolder: migrations })).toThrow(StoreCorruptError)
  })
})
