/**
 * The first start after the update that added `ad_month_days` (migrations 0021-0022) on the large demo
 * (issue 18): copies the cached store (bench/scale-store.ts), empties its packed days as a store that
 * predates 0021 has them, and times `openStore` (which built them before the window: 7.5 s), then the
 * `store:upgrade` job's build (`AdMonthDaysBuild`, a piece per step as the job runs it: total, CPU, the
 * longest piece's transaction) and checks the rebuilt table holds what the cache's did. Not part of
 * `npm run bench`. Heavy (copies and rewrites ~1 GB): run under the bench lock.
 *   flock -w 600 /work/wt/bench.lock node --import tsx bench/store-upgrade.ts [--keep <dir>]
 * `--keep <dir>` leaves the store there with its accounts still pending (before the build), for
 * `ME_SCALE_FIRST_DIR=<dir> node --import tsx bench/scale-first.ts ...` (the pages' reads meanwhile).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { sourceResourcesDir } from '../electron/main/platform/node'
import { openStore } from '../electron/main/store/db'
import { AdMonthDaysBuild } from '../electron/main/store/repos/ad-month-days-build'
import { p99 } from './percentile'
import { scaleCacheDir } from './scale-store'

function main(): void {
  const args = process.argv.slice(2)
  const keep = args.includes('--keep') ? args[args.indexOf('--keep') + 1] : undefined
  const cache = scaleCacheDir()
  if (!existsSync(join(cache, 'built.json')))
    throw new Error(`no cached large demo in ${cache}: run the scale bench once`)
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'store-upgrade-'))
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'marketing-engine.db')
  const migrationsFolder = join(sourceResourcesDir(), 'migrations')
  try {
    copyFileSync(join(cache, 'marketing-engine.db'), path)
    // What the cache holds, to compare the build with.
    const raw = new Database(path)
    const summary = (db: Database.Database): unknown =>
      db.prepare('SELECT count(*) AS rows, sum(length(days)) AS chars FROM ad_month_days').get()
    const cached = summary(raw)
    // A store from before 0021: no packed days. If 0022 ran already (a cache built on this code), its
    // accounts are marked as that migration marks them.
    raw.exec('DELETE FROM ad_month_days')
    const marked = raw
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ad_month_days_pending'")
      .get()
    if (marked)
      raw.exec(`INSERT OR IGNORE INTO ad_month_days_pending (account_id) SELECT DISTINCT account_id FROM account_daily`)
    raw.pragma('wal_checkpoint(TRUNCATE)')
    raw.close()

    // The first open after the update: migrations (0022 marks the accounts), with the pre-migration backup when one runs.
    let t = performance.now()
    let store = openStore({ path, migrationsFolder })
    const firstOpenMs = performance.now() - t
    const backup = store.backupPath !== null
    store.close()
    for (const f of readdirSync(dir)) if (f.includes('.backup-')) rmSync(join(dir, f))
    // An open with the accounts pending and nothing to migrate (as the 7.5 s was measured).
    t = performance.now()
    store = openStore({ path, migrationsFolder })
    const openMs = performance.now() - t
    const build = new AdMonthDaysBuild(store.sqlite)
    const pending = build.pendingAccounts().length
    if (keep) {
      store.close()
      console.log(JSON.stringify({ first_open_ms: Math.round(firstOpenMs), open_ms: Math.round(openMs), pending }))
      return
    }
    // The job's build, a piece per step (the job gives the event loop a turn between them).
    const pieces: number[] = []
    const months = new Set<string>()
    const c0 = process.cpuUsage()
    t = performance.now()
    const steps = build.steps((_i, _n, p) => {
      if (p.month) months.add(`${p.accountId}|${p.month}`)
    })
    // Each piece's wall time and CPU time (the process runs nothing else; wall includes waiting for a core).
    const cpus: number[] = []
    let last = performance.now()
    let lastCpu = process.cpuUsage()
    for (let r = steps.next(); !r.done; r = steps.next()) {
      const now = performance.now()
      const used = process.cpuUsage(lastCpu)
      pieces.push(now - last)
      cpus.push((used.user + used.system) / 1000)
      last = performance.now()
      lastCpu = process.cpuUsage()
    }
    const sortedCpu = [...cpus].sort((a, b) => a - b)
    const buildMs = performance.now() - t
    const cpu = process.cpuUsage(c0)
    const sorted = [...pieces].sort((a, b) => a - b)
    const after = summary(store.sqlite as unknown as Database.Database)
    const left = store.sqlite.prepare('SELECT count(*) FROM ad_month_days_pending').pluck().get()
    store.close()
    console.log(
      JSON.stringify({
        first_open_ms: Math.round(firstOpenMs),
        first_open_backup: backup,
        open_ms: Math.round(openMs),
        pending_accounts: pending,
        build_ms: Math.round(buildMs),
        build_cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
        pieces: pieces.length,
        account_months: months.size,
        longest_piece_ms: Math.round((sorted.at(-1) ?? 0) * 10) / 10,
        p99_piece_ms: Math.round(p99(sorted) * 10) / 10,
        median_piece_ms: Math.round((sorted[Math.floor(sorted.length / 2)] ?? 0) * 10) / 10,
        longest_piece_cpu_ms: Math.round((sortedCpu.at(-1) ?? 0) * 10) / 10,
        p99_piece_cpu_ms: Math.round(p99(sortedCpu) * 10) / 10,
        pending_after: left,
        cached: cached,
        built: after,
      }),
    )
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true })
  }
}

main()
