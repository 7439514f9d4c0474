import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Core } from '../core'
import { DemoRepo } from '../store/repos/demo-repo'
import { FxRepo } from '../store/repos/fx-repo'
import { createTestCore } from '../test-support'

const cores: Core[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const ROW_TABLES = ['daily_metrics', 'account_daily', 'campaign_cum', 'ad_month', 'ad_month_days']
const ENTITY_TABLES = ['ads', 'creatives', 'ad_sets', 'campaigns']

/** Rows of each table that belong to the given accounts. */
function leftOf(c: Core, accounts: number[]): Record<string, number> {
  const marks = accounts.map(() => '?').join(',')
  const out: Record<string, number> = {}
  for (const t of [...ROW_TABLES, ...ENTITY_TABLES])
    out[t] = c.store.sqlite
      .prepare(`SELECT count(*) FROM ${t} WHERE account_id IN (${marks})`)
      .pluck()
      .get(...accounts) as number
  out.ad_accounts = c.store.sqlite
    .prepare(`SELECT count(*) FROM ad_accounts WHERE id IN (${marks})`)
    .pluck()
    .get(...accounts) as number
  return out
}
const none = Object.fromEntries([...ROW_TABLES, ...ENTITY_TABLES, 'ad_accounts'].map((t) => [t, 0]))

describe('removing the demo workspace', () => {
  it('goes a piece at a time (an account-day of rows at most), removes everything of it and nothing else', async () => {
    const c = createTestCore({ seedDemo: true, demo: { campaigns: 10, days: 35 } })
    cores.push(c)
    expect((await c.jobs.waitFor(c.startupJobId as number)).status).toBe('succeeded')
    const q = c.store.sqlite
    q.exec("INSERT INTO workspaces (name, reporting_currency) VALUES ('Acme', 'USD')")
    const user = Number(q.prepare('SELECT max(id) FROM workspaces').pluck().get())
    q.prepare(
      "INSERT INTO ad_accounts (workspace_id, platform, external_id, name, currency, time_zone) VALUES (?, 'meta', 'act_9', 'Mine', 'USD', 'UTC')",
    ).run(user)
    const accounts = q
      .prepare('SELECT a.id FROM ad_accounts a JOIN workspaces w ON w.id = a.workspace_id WHERE w.is_demo = 1')
      .pluck()
      .all() as number[]
    const accountDays = q.prepare('SELECT count(*) FROM account_daily').pluck().get() as number
    const largestDay = q
      .prepare('SELECT max(n) FROM (SELECT count(*) AS n FROM daily_metrics GROUP BY account_id, date)')
      .pluck()
      .get() as number
    const rows = (): number => q.prepare('SELECT count(*) FROM daily_metrics').pluck().get() as number
    let steps = 0
    let before = rows()
    // The data marks' sum: every piece that removes rows moves its account's (review 11 #9).
    const marks = (): number =>
      q.prepare('SELECT coalesce(sum(version), 0) FROM account_data_marks').pluck().get() as number
    let unmarked = 0
    for (const step of new DemoRepo(q, 'Demo').deleteDemoSteps()) {
      const mark = marks()
      step()
      steps++
      const after = rows()
      expect(before - after).toBeLessThanOrEqual(largestDay)
      if (after < before && marks() === mark) unmarked++
      before = after
    }
    expect(unmarked).toBe(0)
    expect(steps).toBeGreaterThan(accountDays)
    expect(leftOf(c, accounts)).toEqual(none)
    expect(q.prepare('SELECT count(*) FROM workspaces WHERE is_demo = 1').pluck().get()).toBe(0)
    expect(q.prepare('SELECT name FROM ad_accounts WHERE workspace_id = ?').pluck().all(user)).toEqual(['Mine'])
  })

  it('writes its exchange rates before its rows (pages read the rows meanwhile: the dashboard failed with "no exchange rate" for the EUR account)', async () => {
    const c = createTestCore({ seedDemo: true, demo: { campaigns: 6, days: 20 }, startJobs: false })
    cores.push(c)
    const seen: number[] = []
    c.events.on('job:progress', (p) => {
      if (p.kind !== 'demo:build' || p.step !== 'Building rollups' || seen.length) return
      const demo = c.workspaces.list().find((w) => w.isDemo)
      seen.push(demo ? new FxRepo(c.store.sqlite).list(demo.id).length : -1)
    })
    c.jobs.start()
    expect((await c.jobs.waitFor(c.startupJobId as number)).status).toBe('succeeded')
    // At the first account's rollups (its rows written): a rate per month of the 20 days.
    expect(seen).toHaveLength(1)
    expect(seen[0]).toBeGreaterThan(0)
  })

  it('a stale demo is rebuilt at its own size, without the old one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-demo-'))
    dirs.push(dir)
    const dbPath = join(dir, 'marketing-engine.db')
    const first = createTestCore({
      dbPath,
      seedDemo: true,
      demo: { campaigns: 9, days: 30 },
      now: () => new Date('2026-06-15T12:00:00Z'),
    })
    expect((await first.jobs.waitFor(first.startupJobId as number)).status).toBe('succeeded')
    const old = first.store.sqlite.prepare('SELECT id FROM ad_accounts').pluck().all() as number[]
    await first.close()
    // Five days later the app starts without asking for a size (the desktop app and the preview).
    const later = createTestCore({ dbPath, seedDemo: true, now: () => new Date('2026-06-20T12:00:00Z') })
    cores.push(later)
    expect(later.startupJobId).not.toBeNull()
    const job = await later.jobs.waitFor(later.startupJobId as number)
    expect(job.status).toBe('succeeded')
    expect(later.jobs.result(later.startupJobId as number)).toMatchObject({ campaigns: 9, to: '2026-06-19' })
    expect(leftOf(later, old)).toEqual(none)
  })

  it('a demo left with no days (its removal cancelled part-way) is rebuilt at the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-demo-'))
    dirs.push(dir)
    const dbPath = join(dir, 'marketing-engine.db')
    const now = (): Date => new Date('2026-06-15T12:00:00Z')
    const first = createTestCore({ dbPath, seedDemo: true, demo: { campaigns: 6, days: 20 }, now })
    expect((await first.jobs.waitFor(first.startupJobId as number)).status).toBe('succeeded')
    // The removal's pieces up to the rows of every account (what a cancel can leave).
    for (const step of new DemoRepo(first.store.sqlite, 'Demo').deleteDemoSteps()) {
      step()
      if (first.store.sqlite.prepare('SELECT count(*) FROM account_daily').pluck().get() === 0) break
    }
    await first.close()
    const again = createTestCore({ dbPath, seedDemo: true, now })
    cores.push(again)
    expect(again.startupJobId).not.toBeNull()
    expect((await again.jobs.waitFor(again.startupJobId as number)).status).toBe('succeeded')
    expect(again.jobs.result(again.startupJobId as number)).toMatchObject({ campaigns: 6 })
  })
})
