import { performance } from 'node:perf_hooks'
import type { Statement } from 'better-sqlite3'
import { dateRange } from '../../../../shared/domain/dates'
import { runSteps, type Steps } from '../../scheduler/slices'
import type { Sqlite } from '../db'
import { adMonthDaysFromRows, monthEnd } from './ad-month-rollup'

/**
 * Rows of `daily_metrics` packed per transaction at most (unless one ad has more in the month): a
 * piece of one month's ads, sized from `ad_month`'s day counts. On the large demo (about 1.1 µs of CPU
 * a row, pieces or whole months alike) its biggest account-month, 389,000 rows, took 410-460 ms in one
 * statement; pieces of 20,000 rows took 36 ms of CPU at the 99th percentile and 59 ms at most.
 */
export const BUILD_PIECE_ROWS = 15_000

/** What a build did. */
export interface AdMonthDaysBuildResult {
  /** Accounts built (no longer pending). */
  accounts: number
  /** Transactions (pieces of a month's ads). */
  pieces: number
  /** Day rows packed. */
  rows: number
  /** The longest transaction, in ms. */
  longestMs: number
}

/** Where a build is: the account's month it packed last, or null when the account is built. */
export interface AdMonthDaysPiece {
  accountId: number
  month: string | null
  rows: number
}

/** The month after 'YYYY-MM'. */
function nextMonth(month: string): string {
  const y = Number(month.slice(0, 4))
  const m = Number(month.slice(5, 7))
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
}

/**
 * Builds `ad_month_days` of the accounts migration 0022 left pending (`ad_month_days_pending`), a
 * piece of one month's ads per IMMEDIATE transaction: the piece's rows deleted and rebuilt from
 * `daily_metrics` (each day of the month looked up by key for the piece's ad ids, as
 * `AdMonthRollup.refreshAds`), and the account's place in the pending row moved in the same
 * transaction; the transaction of the account's last piece removes it from the pending table. So a
 * crash loses at most the piece under way, and a writer that meanwhile wrote a month the build had
 * passed moves the build back there (`AdMonthRollup`: the writers leave a pending account's packed
 * days to the build). Pieces cover every ad id of a month, from the lowest integer to the highest.
 */
export class AdMonthDaysBuild {
  private readonly cursor
  private readonly span
  private readonly sizes
  private readonly del
  private readonly advance
  private readonly trim
  private readonly done
  private readonly inserts = new Map<number, Statement>()

  constructor(
    private readonly sqlite: Sqlite,
    private readonly pieceRows = BUILD_PIECE_ROWS,
  ) {
    this.cursor = sqlite.prepare('SELECT month, ad_from FROM ad_month_days_pending WHERE account_id = ?').raw()
    this.span = sqlite.prepare('SELECT min(date), max(date) FROM account_daily WHERE account_id = ?').raw()
    this.sizes = sqlite
      .prepare('SELECT ad_id, days FROM ad_month WHERE account_id = ? AND month = ? AND ad_id >= ? ORDER BY ad_id')
      .raw()
    this.del = sqlite.prepare('DELETE FROM ad_month_days WHERE account_id = ? AND month = ? AND ad_id BETWEEN ? AND ?')
    this.advance = sqlite.prepare('UPDATE ad_month_days_pending SET month = ?, ad_from = ? WHERE account_id = ?')
    // Months outside the account's days (rows a writer deleted since the build passed them).
    this.trim = sqlite.prepare('DELETE FROM ad_month_days WHERE account_id = ? AND (month < ? OR month > ?)')
    this.done = sqlite.prepare('DELETE FROM ad_month_days_pending WHERE account_id = ?')
  }

  /** Accounts whose packed days are not built yet, by id. */
  pendingAccounts(): number[] {
    return this.sqlite
      .prepare('SELECT account_id FROM ad_month_days_pending ORDER BY account_id')
      .pluck()
      .all() as number[]
  }

  /**
   * Build the account's next piece in one IMMEDIATE transaction. `month` null in the answer: the
   * account is built (or was not pending).
   */
  piece(accountId: number): AdMonthDaysPiece {
    return this.sqlite.transaction(() => this.pieceIn(accountId)).immediate()
  }

  private pieceIn(accountId: number): AdMonthDaysPiece {
    const at = this.cursor.get(accountId) as [string | null, number | null] | undefined
    if (!at) return { accountId, month: null, rows: 0 }
    const [first, last] = this.span.get(accountId) as [string | null, string | null]
    if (first === null || last === null) {
      // No days left: every month of it goes.
      this.trim.run(accountId, '9999-12', '0000-01')
      this.done.run(accountId)
      return { accountId, month: null, rows: 0 }
    }
    const firstMonth = first.slice(0, 7)
    const lastMonth = last.slice(0, 7)
    const month = at[0] === null || at[0] < firstMonth ? firstMonth : at[0]
    // Ads from `lo` (inclusive; ids are positive autoincrement, so a month's first piece starts at 1).
    const lo = month === at[0] ? (at[1] ?? 1) : 1
    if (month > lastMonth) return this.finish(accountId, firstMonth, lastMonth, 0)
    // The piece: ads from `lo` while their rows of the month (ad_month's day counts) fit, at least one ad.
    let hi = Number.MAX_SAFE_INTEGER
    let rows = 0
    let prev: number | null = null
    for (const [ad, days] of this.sizes.iterate(accountId, month, lo) as IterableIterator<[number, number]>) {
      if (ad !== prev && prev !== null && rows + days > this.pieceRows) {
        hi = ad - 1
        break
      }
      rows += days
      prev = ad
    }
    const days = dateRange(`${month}-01`, monthEnd(`${month}-01`))
    this.del.run(accountId, month, lo, hi)
    this.insert(days.length).run(month, accountId, ...days, lo, hi)
    if (hi !== Number.MAX_SAFE_INTEGER) this.advance.run(month, hi + 1, accountId)
    else if (nextMonth(month) <= lastMonth) this.advance.run(nextMonth(month), null, accountId)
    else return this.finish(accountId, firstMonth, lastMonth, rows)
    return { accountId, month, rows }
  }

  private finish(accountId: number, firstMonth: string, lastMonth: string, rows: number): AdMonthDaysPiece {
    this.trim.run(accountId, firstMonth, lastMonth)
    this.done.run(accountId)
    return { accountId, month: null, rows }
  }

  /** A month's piece statement, by the month's number of days. */
  private insert(days: number): Statement {
    let st = this.inserts.get(days)
    if (!st) {
      const marks = Array.from({ length: days }, () => '?').join(',')
      st = this.sqlite.prepare(adMonthDaysFromRows(`account_id = ? AND date IN (${marks}) AND ad_id BETWEEN ? AND ?`))
      this.inserts.set(days, st)
    }
    return st
  }

  /**
   * Every pending account, a piece per step (`runSteps` at once, `runStepsSliced` between turns of
   * the event loop); `progress` after each piece with the account's place among them.
   */
  *steps(progress?: (index: number, accounts: number, piece: AdMonthDaysPiece) => void): Steps<AdMonthDaysBuildResult> {
    const accounts = this.pendingAccounts()
    const out: AdMonthDaysBuildResult = { accounts: 0, pieces: 0, rows: 0, longestMs: 0 }
    for (const [i, accountId] of accounts.entries()) {
      for (;;) {
        const started = performance.now()
        const p = this.piece(accountId)
        const ms = performance.now() - started
        out.pieces++
        out.rows += p.rows
        if (ms > out.longestMs) out.longestMs = ms
        progress?.(i, accounts.length, p)
        yield
        if (p.month === null) break
      }
      out.accounts++
    }
    out.longestMs = Math.round(out.longestMs * 10) / 10
    return out
  }
}

/** Whether some account's packed days are still to be built (the `store:upgrade` job has work). */
export function adMonthDaysPending(sqlite: Sqlite): boolean {
  return sqlite.prepare('SELECT 1 FROM ad_month_days_pending LIMIT 1').get() !== undefined
}

/**
 * Build every pending account's packed days now (the CLI, tests, benches on a copied old store); the
 * app leaves it to the `store:upgrade` job. Readers are right either way (`packedAdDays` reads a
 * pending account's days from the rows).
 */
export function buildPendingAdMonthDays(sqlite: Sqlite, pieceRows = BUILD_PIECE_ROWS): AdMonthDaysBuildResult {
  return runSteps(new AdMonthDaysBuild(sqlite, pieceRows).steps())
}
