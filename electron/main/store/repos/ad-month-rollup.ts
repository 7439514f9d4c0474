import { addDays } from '../../../../shared/domain/dates'
import type { Sqlite } from '../db'

/** The first day of `date`'s month. */
function monthStart(date: string): string {
  return `${date.slice(0, 7)}-01`
}

/** The last day of `date`'s month. */
function monthEnd(date: string): string {
  const y = Number(date.slice(0, 4))
  const m = Number(date.slice(5, 7))
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`
  return addDays(next, -1)
}

/**
 * Maintains `ad_month` (per-ad monthly sums of `daily_metrics`). Every metrics writer calls
 * `refresh` for the account days it wrote (or deleted), inside the same transaction, after the rows
 * are in: the months those days fall in are rebuilt whole from the rows, so a partial write of a
 * month (a sync chunk, an import slice, a restatement) leaves its month right. Idempotent.
 */
export class AdMonthRollup {
  private readonly del
  private readonly ins

  constructor(sqlite: Sqlite) {
    this.del = sqlite.prepare('DELETE FROM ad_month WHERE account_id = ? AND month BETWEEN ? AND ?')
    this.ins = sqlite.prepare(
      `INSERT INTO ad_month (account_id, month, ad_id, ad_set_id, campaign_id, spend_micros, impressions, clicks,
         reach, conversions, conversion_value_micros, video_views, days, first_date, last_date)
       SELECT account_id, substr(date, 1, 7), ad_id, ad_set_id, campaign_id, sum(spend_micros), sum(impressions),
         sum(clicks), sum(reach), sum(conversions), sum(conversion_value_micros), sum(video_views), count(*),
         min(date), max(date)
       FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ?
       GROUP BY substr(date, 1, 7), ad_id, ad_set_id, campaign_id`,
    )
  }

  /** Rebuild the account's months that contain any day of [from, to] from its rows. */
  refresh(accountId: number, from: string, to: string): void {
    if (from > to) return
    this.del.run(accountId, from.slice(0, 7), to.slice(0, 7))
    this.ins.run(accountId, monthStart(from), monthEnd(to))
  }
}

/**
 * Build `ad_month` for accounts that have day rows but no monthly rows (a store migrated to 0015,
 * or a rebuild a crash interrupted: it is one transaction). Cheap when nothing is missing.
 */
export function rebuildMissingAdMonths(sqlite: Sqlite): void {
  const missing = sqlite
    .prepare(
      `SELECT account_id, min(date), max(date) FROM account_daily GROUP BY account_id
       HAVING NOT EXISTS (SELECT 1 FROM ad_month m WHERE m.account_id = account_daily.account_id)`,
    )
    .raw()
    .all() as [number, string, string][]
  if (!missing.length) return
  const rollup = new AdMonthRollup(sqlite)
  sqlite
    .transaction(() => {
      for (const [accountId, first, last] of missing) rollup.refresh(accountId, first, last)
    })
    .immediate()
}
