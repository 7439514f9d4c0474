import { addDays, dateRange } from '../../../../shared/domain/dates'
import type { Statement } from 'better-sqlite3'
import type { Sqlite } from '../db'
import { BulkInsert } from './bulk-insert'

/** Moves an account's data mark (`accountDataMark`). */
const BUMP_MARK = `INSERT INTO account_data_marks (account_id, version) VALUES (?, 1)
  ON CONFLICT (account_id) DO UPDATE SET version = account_data_marks.version + 1`

/** The first day of `date`'s month. */
function monthStart(date: string): string {
  return `${date.slice(0, 7)}-01`
}

/** The last day of `date`'s month. */
export function monthEnd(date: string): string {
  const y = Number(date.slice(0, 4))
  const m = Number(date.slice(5, 7))
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`
  return addDays(next, -1)
}

/** Values summed per (month, ad, ad set, campaign): the `ad_month` columns from spend to video views. */
const SUMS = 7

/** `ad_month`'s rows rebuilt from the daily rows `where` selects (its parameters bound in order). */
function adMonthFromRows(where: string): string {
  return `INSERT INTO ad_month (account_id, month, ad_id, ad_set_id, campaign_id, spend_micros, impressions, clicks,
      reach, conversions, conversion_value_micros, video_views, days, negative_rows, first_date, last_date)
    SELECT account_id, substr(date, 1, 7), ad_id, ad_set_id, campaign_id, sum(spend_micros), sum(impressions),
      sum(clicks), sum(reach), sum(conversions), sum(conversion_value_micros), sum(video_views), count(*),
      sum(CASE WHEN clicks < 0 OR spend_micros < 0 THEN 1 ELSE 0 END), min(date), max(date)
    FROM daily_metrics WHERE ${where}
    GROUP BY substr(date, 1, 7), ad_id, ad_set_id, campaign_id`
}

/**
 * `ad_month_days`' rows of one month (its 'YYYY-MM' bound first) rebuilt from the daily rows `where`
 * selects in it, grouped by ad only: ~40 % less CPU than grouping every month by (substr(date, 1, 7),
 * ad) with the days ordered by date (their order is free; PostgreSQL: string_agg).
 */
export function adMonthDaysFromRows(where: string): string {
  return `INSERT INTO ad_month_days (account_id, month, ad_id, days)
    SELECT account_id, ?, ad_id, group_concat(substr(date, 9, 2) || ':' || impressions || ':' || clicks, ',')
    FROM daily_metrics WHERE ${where}
    GROUP BY ad_id`
}

/**
 * Per-(month, ad, ad set, campaign) sums of rows a writer holds in memory, fed in date order (the
 * first row of a group gives its first date, the last its last date). See `AdMonthRollup.add`.
 */
export class AdMonthSums {
  /** Groups by (month index, ad) when they carry the ad set and campaign of the group's first row. */
  private readonly byAd = new Map<number, number>()
  /** Groups of an ad that moved to another ad set or campaign within a month (rare). */
  private readonly moved = new Map<string, number>()
  private cap = 256
  n = 0
  month = new Int32Array(this.cap)
  ad = new Int32Array(this.cap)
  adSet = new Int32Array(this.cap)
  campaign = new Int32Array(this.cap)
  sums = new Float64Array(this.cap * SUMS)
  days = new Int32Array(this.cap)
  /** Rows with negative clicks or spend (`ad_month.negative_rows`). */
  negative = new Int32Array(this.cap)
  first = new Int32Array(this.cap)
  last = new Int32Array(this.cap)
  /** Each group's days as `ad_month_days.days` text (`DD:impressions:clicks`, comma-separated). */
  text: string[] = []
  /** Each day offset's day of the month ('DD'). */
  private readonly dayOfMonth: string[]

  /**
   * `months`: the 'YYYY-MM' of each month index the caller uses; `dates`: each day offset's date
   * (the first and last dates are day offsets).
   */
  constructor(
    readonly months: string[],
    readonly dates: string[],
  ) {
    this.dayOfMonth = dates.map((d) => d.slice(8, 10))
  }

  /** Add one row (`values` at `at`: spend, impressions, clicks, reach, conversions, value, video views). */
  add(month: number, day: number, ad: number, adSet: number, campaign: number, values: Float64Array, at: number): void {
    const key = month * 0x80000000 + ad
    let g = this.byAd.get(key)
    if (g !== undefined && (this.adSet[g] !== adSet || this.campaign[g] !== campaign)) {
      const k = `${month}|${ad}|${adSet}|${campaign}`
      g = this.moved.get(k)
      if (g === undefined) this.moved.set(k, (g = this.open(month, day, ad, adSet, campaign)))
    } else if (g === undefined) this.byAd.set(key, (g = this.open(month, day, ad, adSet, campaign)))
    const o = g * SUMS
    const s = this.sums
    for (let j = 0; j < SUMS; j++) s[o + j] = (s[o + j] as number) + (values[at + j] as number)
    this.days[g] = (this.days[g] as number) + 1
    // values: spend at `at`, clicks at `at + 2`.
    if ((values[at] as number) < 0 || (values[at + 2] as number) < 0)
      this.negative[g] = (this.negative[g] as number) + 1
    this.last[g] = day
    // values: impressions at `at + 1`.
    const day1 = `${this.dayOfMonth[day] as string}:${values[at + 1] as number}:${values[at + 2] as number}`
    const t = this.text[g]
    this.text[g] = t === undefined ? day1 : `${t},${day1}`
  }

  private open(month: number, day: number, ad: number, adSet: number, campaign: number): number {
    if (this.n === this.cap) this.grow()
    const g = this.n++
    this.month[g] = month
    this.ad[g] = ad
    this.adSet[g] = adSet
    this.campaign[g] = campaign
    this.first[g] = day
    return g
  }

  private grow(): void {
    this.cap *= 2
    const more = <T extends Int32Array | Float64Array>(a: T, width = 1): T => {
      const b = new (a.constructor as new (n: number) => T)(this.cap * width)
      b.set(a)
      return b
    }
    this.month = more(this.month)
    this.ad = more(this.ad)
    this.adSet = more(this.adSet)
    this.campaign = more(this.campaign)
    this.sums = more(this.sums, SUMS)
    this.days = more(this.days)
    this.negative = more(this.negative)
    this.first = more(this.first)
    this.last = more(this.last)
  }
}

/**
 * Maintains `ad_month` (per-ad monthly sums of `daily_metrics`, and the count of rows with negative
 * clicks or spend) and `ad_month_days` (each ad's days of the month, packed). Every metrics writer calls
 * `refresh` for the account days it wrote (or deleted), inside the same transaction, after the rows
 * are in: the months those days fall in are rebuilt whole from the rows, so a partial write of a
 * month (a sync chunk, an import slice, a restatement) leaves its month right. Idempotent.
 *
 * A writer that only added rows (its days had none before: a sync's backfill chunks) calls `add`
 * with their sums instead, which adds them to the months' rows without reading the months back
 * (rebuilding re-read every month a chunk touched: about as much of the sync writer's time as
 * inserting the rows, issue 12).
 */
export class AdMonthRollup {
  private readonly del
  private readonly ins
  private readonly addRows
  private readonly bump
  private readonly delDays
  private readonly insDays
  private readonly addDays
  private readonly pending
  private readonly rewind

  constructor(private readonly sqlite: Sqlite) {
    // Columns named ad_month.x are the stored row; a CASE, not two-argument min()/max(), stays portable.
    this.addRows = new BulkInsert(
      sqlite,
      `INSERT INTO ad_month (account_id, month, ad_id, ad_set_id, campaign_id, spend_micros, impressions, clicks,
         reach, conversions, conversion_value_micros, video_views, days, negative_rows, first_date, last_date)`,
      16,
      '',
      `ON CONFLICT (account_id, month, ad_id, ad_set_id, campaign_id) DO UPDATE SET
         spend_micros = ad_month.spend_micros + excluded.spend_micros,
         impressions = ad_month.impressions + excluded.impressions, clicks = ad_month.clicks + excluded.clicks,
         reach = ad_month.reach + excluded.reach, conversions = ad_month.conversions + excluded.conversions,
         conversion_value_micros = ad_month.conversion_value_micros + excluded.conversion_value_micros,
         video_views = ad_month.video_views + excluded.video_views, days = ad_month.days + excluded.days,
         negative_rows = ad_month.negative_rows + excluded.negative_rows,
         first_date = CASE WHEN excluded.first_date < ad_month.first_date THEN excluded.first_date ELSE ad_month.first_date END,
         last_date = CASE WHEN excluded.last_date > ad_month.last_date THEN excluded.last_date ELSE ad_month.last_date END`,
    )
    this.del = sqlite.prepare('DELETE FROM ad_month WHERE account_id = ? AND month BETWEEN ? AND ?')
    // A backfill's days are appended to the month's text (`||` is portable; the order of the days
    // in the text is not the dates' order then, and readers do not rely on it).
    this.addDays = new BulkInsert(
      sqlite,
      'INSERT INTO ad_month_days (account_id, month, ad_id, days)',
      4,
      '',
      `ON CONFLICT (account_id, month, ad_id) DO UPDATE SET days = ad_month_days.days || ',' || excluded.days`,
    )
    this.delDays = sqlite.prepare('DELETE FROM ad_month_days WHERE account_id = ? AND month BETWEEN ? AND ?')
    // One month per statement (adMonthDaysFromRows).
    this.insDays = sqlite.prepare(adMonthDaysFromRows('account_id = ? AND date BETWEEN ? AND ?'))
    this.bump = sqlite.prepare(BUMP_MARK)
    this.ins = sqlite.prepare(adMonthFromRows('account_id = ? AND date BETWEEN ? AND ?'))
    this.pending = sqlite.prepare('SELECT 1 FROM ad_month_days_pending WHERE account_id = ?').pluck()
    this.rewind = sqlite.prepare(
      'UPDATE ad_month_days_pending SET month = ?, ad_from = NULL WHERE account_id = ? AND month >= ?',
    )
  }

  /**
   * Whether the account's packed days are not built yet (`ad_month_days_pending`, migration 0022):
   * then a writer leaves them to the build and moves the build back to `month` ('YYYY-MM', the first
   * month it wrote) if it got that far, so the months it wrote are built again from the rows. Call it
   * in the writer's transaction (the build's pieces are transactions of their own).
   */
  daysPending(accountId: number, month: string): boolean {
    if (this.pending.get(accountId) === undefined) return false
    this.rewind.run(month, accountId, month)
    return true
  }

  /** Rebuild the account's months that contain any day of [from, to] from its rows. */
  refresh(accountId: number, from: string, to: string): void {
    if (from > to) return
    this.bump.run(accountId)
    this.del.run(accountId, from.slice(0, 7), to.slice(0, 7))
    this.ins.run(accountId, monthStart(from), monthEnd(to))
    this.refreshDays(accountId, from, to)
  }

  /**
   * `refresh` of one month for the ads with ids in [lo, hi] only: their `ad_month` and `ad_month_days`
   * rows rebuilt from their rows (each day of the month looked up by key, so it reads those ads' rows,
   * not the month's). A CSV import slice rebuilds one ad's month so when it cannot add to it
   * (`ImportMonths`); ranges that cover every id of the account rebuild the month whole.
   */
  refreshAds(accountId: number, month: string, lo: number, hi: number): void {
    const days = dateRange(monthStart(`${month}-01`), monthEnd(`${month}-01`))
    const marks = days.map(() => '?').join(',')
    this.bump.run(accountId)
    const where = `account_id = ? AND date IN (${marks}) AND ad_id BETWEEN ? AND ?`
    const packed = !this.daysPending(accountId, month)
    for (const table of packed ? ['ad_month', 'ad_month_days'] : ['ad_month'])
      this.sqlite
        .prepare(`DELETE FROM ${table} WHERE account_id = ? AND month = ? AND ad_id BETWEEN ? AND ?`)
        .run(accountId, month, lo, hi)
    this.sqlite.prepare(adMonthFromRows(where)).run(accountId, ...days, lo, hi)
    if (packed) this.sqlite.prepare(adMonthDaysFromRows(where)).run(month, accountId, ...days, lo, hi)
  }

  /** Rebuild only `ad_month_days` of the account's months that contain any day of [from, to]. */
  refreshDays(accountId: number, from: string, to: string): void {
    if (from > to || this.daysPending(accountId, from.slice(0, 7))) return
    this.delDays.run(accountId, from.slice(0, 7), to.slice(0, 7))
    for (let m = monthStart(from); m <= to; m = addDays(monthEnd(m), 1))
      this.insDays.run(m.slice(0, 7), accountId, m, monthEnd(m))
  }

  /**
   * Add the sums of rows just inserted on days that had no rows of the account before (the caller
   * checks it, e.g. its window's DELETE removed nothing). Then each month's row is the old one plus
   * these, which is what `refresh` would rebuild.
   */
  add(accountId: number, sums: AdMonthSums): void {
    this.bump.run(accountId)
    const w = this.addRows
    const a = w.args
    const v = sums.sums
    for (let g = 0; g < sums.n; g++) {
      const s = w.slot()
      const o = g * SUMS
      a[s] = accountId
      a[s + 1] = sums.months[sums.month[g] as number] as string
      a[s + 2] = sums.ad[g] as number
      a[s + 3] = sums.adSet[g] as number
      a[s + 4] = sums.campaign[g] as number
      for (let j = 0; j < SUMS; j++) a[s + 5 + j] = v[o + j] as number
      a[s + 12] = sums.days[g] as number
      a[s + 13] = sums.negative[g] as number
      a[s + 14] = sums.dates[sums.first[g] as number] as string
      a[s + 15] = sums.dates[sums.last[g] as number] as string
    }
    w.flush()
    if (sums.n === 0 || this.daysPending(accountId, [...sums.months].sort()[0] as string)) return
    // One row per (month, ad): an ad that moved to another ad set within the month has a group per ad
    // set, and PostgreSQL refuses an INSERT ... ON CONFLICT that meets one key twice.
    const byKey = new Map<number, number>()
    const texts: string[] = []
    const groups: number[] = []
    for (let g = 0; g < sums.n; g++) {
      const key = (sums.month[g] as number) * 2 ** 31 + (sums.ad[g] as number)
      const at = byKey.get(key)
      if (at === undefined) {
        byKey.set(key, texts.length)
        texts.push(sums.text[g] as string)
        groups.push(g)
      } else texts[at] = `${texts[at] as string},${sums.text[g] as string}`
    }
    const d = this.addDays
    const b = d.args
    for (let i = 0; i < texts.length; i++) {
      const g = groups[i] as number
      const s = d.slot()
      b[s] = accountId
      b[s + 1] = sums.months[sums.month[g] as number] as string
      b[s + 2] = sums.ad[g] as number
      b[s + 3] = texts[i] as string
    }
    d.flush()
  }
}

/** Accounts with day rows but no `ad_month` rows, with their first and last days. */
function accountsWithoutAdMonths(sqlite: Sqlite): [number, string, string][] {
  return sqlite
    .prepare(
      `SELECT account_id, min(date), max(date) FROM account_daily GROUP BY account_id
       HAVING NOT EXISTS (SELECT 1 FROM ad_month m WHERE m.account_id = account_daily.account_id)`,
    )
    .raw()
    .all() as [number, string, string][]
}

/**
 * Build `ad_month` for accounts that have day rows but no monthly rows (a store migrated to 0015,
 * or a rebuild a crash interrupted: it is one transaction). Cheap when nothing is missing.
 */
export function rebuildMissingAdMonths(sqlite: Sqlite): void {
  const missing = accountsWithoutAdMonths(sqlite)
  if (!missing.length) return
  const rollup = new AdMonthRollup(sqlite)
  sqlite
    .transaction(() => {
      for (const [accountId, first, last] of missing) rollup.refresh(accountId, first, last)
    })
    .immediate()
}

const markStatements = new WeakMap<Sqlite, { bump: Statement; read: Statement }>()
function markStatementsOf(sqlite: Sqlite): { bump: Statement; read: Statement } {
  let st = markStatements.get(sqlite)
  if (!st) {
    st = {
      bump: sqlite.prepare(BUMP_MARK),
      read: sqlite.prepare('SELECT version FROM account_data_marks WHERE account_id = ?').pluck(),
    }
    markStatements.set(sqlite, st)
  }
  return st
}

/**
 * The account's data mark (`account_data_marks`): it moves with every write of the account's metrics
 * (`touchAccountData`, called in the writer's transaction by every writer of `daily_metrics` or
 * `ad_month`), and with nothing else. A read split over several snapshots takes it at its first step
 * and compares it at each later one: if it moved, the account's metrics changed in between and the
 * read is done again on one snapshot.
 */
export function accountDataMark(sqlite: Sqlite, accountId: number): number {
  return (markStatementsOf(sqlite).read.get(accountId) as number | undefined) ?? 0
}

/** Move the data marks of these accounts: call it in the transaction that writes their metrics. */
export function touchAccountData(sqlite: Sqlite, accountIds: Iterable<number>): void {
  const { bump } = markStatementsOf(sqlite)
  for (const id of new Set(accountIds)) bump.run(id)
}
