import { fromEpochDay, toEpochDay } from '../../../../shared/domain/dates'
import type { Sqlite } from '../db'
import { CampaignDays, CUM_N } from '../repos/cumulative-rollup'
import { dailyInsert, MetricsRepo, type AccountDays } from '../repos/metrics-repo'
import type { BulkInsert } from '../repos/bulk-insert'
import { AdMonthSums } from '../repos/ad-month-rollup'
import { BATCH_VALUES, type DailyBatch } from '../../sync/connectors/daily-batch'
import type { EntityIds } from './entity-writer'

export interface ChunkWrite {
  accountId: number
  from: string
  to: string
  /** Days on or after this account-local date are provisional (inside the restatement window). */
  provisionalFrom: string
  /** The window's report pages as the connector returned them. */
  batches: DailyBatch[]
  ids: EntityIds
}

/** Internal ids for a batch's dictionary; throws naming the first row that references an unknown id. */
function resolve(
  dict: string[],
  map: Map<string, number>,
  perRow: Uint32Array,
  b: DailyBatch,
  what: string,
): Int32Array {
  const out = new Int32Array(dict.length)
  for (let i = 0; i < dict.length; i++) {
    const id = map.get(dict[i] as string)
    if (id === undefined) {
      const row = perRow.indexOf(i)
      const date = row >= 0 ? fromEpochDay(b.day[row] as number) : '?'
      throw new Error(
        `Daily row for unknown ${what} ${dict[i] as string} on ${date}: the structure sync did not list it`,
      )
    }
    out[i] = id
  }
  return out
}

/**
 * Writes one (account, date window) chunk as a replacement: in ONE transaction it deletes the
 * account's ad-days in [from, to] (synced or imported), inserts the pulled rows, replaces the
 * rollups from the same rows and runs `afterWrite` (sync cursor, job checkpoint) so the resume
 * point commits atomically with the data. Re-running a chunk is idempotent, and a restated day
 * that lost a row loses it here too.
 *
 * The rows stay in the connectors' columns (DailyBatch) all the way: ids are resolved once per
 * dictionary entry, rows are ordered by one typed-array sort on a (day, ad, row) key, written with
 * multi-row statements in primary-key order (a backfill appends) and summed into the account-day
 * and campaign-day rollups in the same pass.
 */
export class ChunkWriter {
  readonly metrics: MetricsRepo
  private readonly delRows
  private readonly finalRows
  private readonly finalAccount
  private readonly accountRow
  private readonly firstProvisional
  /** Multi-row inserts per account (the account id is part of the statement). */
  private readonly inserts = new Map<number, BulkInsert>()

  constructor(private readonly sqlite: Sqlite) {
    this.metrics = new MetricsRepo(sqlite)
    this.accountRow = sqlite.prepare('SELECT 1 FROM ad_accounts WHERE id = ?').pluck()
    this.firstProvisional = sqlite
      .prepare('SELECT min(date) FROM account_daily WHERE account_id = ? AND date < ? AND provisional = 1')
      .pluck()
    this.delRows = sqlite.prepare('DELETE FROM daily_metrics WHERE account_id = ? AND date BETWEEN ? AND ?')
    this.finalRows = sqlite.prepare(
      'UPDATE daily_metrics SET provisional = 0 WHERE account_id = ? AND date >= ? AND date < ? AND provisional = 1',
    )
    this.finalAccount = sqlite.prepare(
      'UPDATE account_daily SET provisional = 0 WHERE account_id = ? AND date >= ? AND date < ? AND provisional = 1',
    )
  }

  /** Replace the chunk's window; returns the rows written. A duplicate ad-day is refused. */
  write(w: ChunkWrite, afterWrite?: () => void): number {
    const fromDay = toEpochDay(w.from)
    const span = toEpochDay(w.to) - fromDay + 1
    const provOff = toEpochDay(w.provisionalFrom) - fromDay
    let n = 0
    for (const b of w.batches) n += b.n
    // Rows gathered into one set of columns with internal ids.
    const ad = new Int32Array(n)
    const adSet = new Int32Array(n)
    const campaign = new Int32Array(n)
    const off = new Int32Array(n)
    const values = new Float64Array(n * BATCH_VALUES)
    let maxAd = 0
    let at = 0
    for (const b of w.batches) {
      const ads = resolve(b.ads, w.ids.ads, b.ad, b, 'ad')
      const sets = resolve(b.adSets, w.ids.adSets, b.adSet, b, 'ad set')
      const camps = resolve(b.campaigns, w.ids.campaigns, b.campaign, b, 'campaign')
      for (let i = 0; i < b.n; i++, at++) {
        const d = (b.day[i] as number) - fromDay
        if (d < 0 || d >= span)
          throw new Error(
            `Daily row dated ${fromEpochDay(b.day[i] as number)} outside the requested ${w.from}..${w.to}`,
          )
        const a = ads[b.ad[i] as number] as number
        ad[at] = a
        if (a > maxAd) maxAd = a
        adSet[at] = sets[b.adSet[i] as number] as number
        campaign[at] = camps[b.campaign[i] as number] as number
        off[at] = d
      }
      values.set(b.values, (at - b.n) * BATCH_VALUES)
    }
    const order = keyOrder(off, ad, maxAd)
    for (let k = 1; k < n; k++) {
      const p = order[k - 1] as number
      const q = order[k] as number
      if (off[p] === off[q] && ad[p] === ad[q])
        throw new Error(
          `The platform returned ad-day ${ad[q] as number}|${fromEpochDay(fromDay + (off[q] as number))} twice in ${w.from}..${w.to}`,
        )
    }

    const dates = Array.from({ length: span }, (_, i) => fromEpochDay(fromDay + i))
    // Each day offset's month index (into `months`), for the per-ad monthly sums.
    const months: string[] = []
    const monthOf = new Int32Array(span)
    for (let d = 0; d < span; d++) {
      const m = (dates[d] as string).slice(0, 7)
      if (months[months.length - 1] !== m) months.push(m)
      monthOf[d] = months.length - 1
    }
    const adMonths = new AdMonthSums(months, dates)
    const accountDays: AccountDays = {
      from: w.from,
      span,
      values: new Float64Array(span * CUM_N),
      rows: new Uint32Array(span),
      provisional: new Uint8Array(span),
    }
    const campaignDays = new CampaignDays(w.from, span)
    const accountId = w.accountId
    // IMMEDIATE: the write lock is taken (waiting as long as the connection's busy timeout allows)
    // before the first read, so a commit on another connection between this transaction's first
    // read and its first write cannot fail it (a deferred transaction could not upgrade its stale
    // snapshot: SQLITE_BUSY at once, whatever the timeout).
    this.sqlite
      .transaction(() => {
        // The account must exist when the chunk commits (foreign keys check every row too; this
        // gives the specific message). Checked inside the write transaction: a concurrent removal
        // commits before it or waits for it, and its cascade then takes these rows too.
        if (this.accountRow.get(accountId) === undefined)
          throw new Error(`The account was removed while it synced: nothing of ${w.from}..${w.to} was written`)
        // A window that had no rows (a backfill's) only adds to its months' ad_month rows.
        const replaced = this.delRows.run(accountId, w.from, w.to).changes > 0
        let ins = this.inserts.get(accountId)
        if (!ins) {
          ins = dailyInsert(this.sqlite, accountId, 'sync')
          this.inserts.set(accountId, ins)
        }
        const a = ins.args
        const av = accountDays.values
        for (let k = 0; k < n; k++) {
          const i = order[k] as number
          const d = off[i] as number
          const v = i * BATCH_VALUES
          const spend = values[v] as number
          const impressions = values[v + 1] as number
          const clicks = values[v + 2] as number
          const conversions = values[v + 4] as number
          const value = values[v + 5] as number
          const videoViews = values[v + 6] as number
          const prov = d >= provOff ? 1 : 0
          const s = ins.slot()
          a[s] = ad[i] as number
          a[s + 1] = dates[d] as string
          a[s + 2] = campaign[i] as number
          a[s + 3] = adSet[i] as number
          a[s + 4] = spend
          a[s + 5] = impressions
          a[s + 6] = clicks
          a[s + 7] = values[v + 3] as number
          a[s + 8] = conversions
          a[s + 9] = value
          a[s + 10] = videoViews
          a[s + 11] = prov
          const o = d * CUM_N
          av[o] = (av[o] as number) + spend
          av[o + 1] = (av[o + 1] as number) + impressions
          av[o + 2] = (av[o + 2] as number) + clicks
          av[o + 3] = (av[o + 3] as number) + conversions
          av[o + 4] = (av[o + 4] as number) + value
          av[o + 5] = (av[o + 5] as number) + videoViews
          accountDays.rows[d] = (accountDays.rows[d] as number) + 1
          if (prov) accountDays.provisional[d] = 1
          const c = campaignDays.row(campaign[i] as number)
          c[o] = (c[o] as number) + spend
          c[o + 1] = (c[o + 1] as number) + impressions
          c[o + 2] = (c[o + 2] as number) + clicks
          c[o + 3] = (c[o + 3] as number) + conversions
          c[o + 4] = (c[o + 4] as number) + value
          c[o + 5] = (c[o + 5] as number) + videoViews
          if (!replaced)
            adMonths.add(monthOf[d] as number, d, ad[i] as number, adSet[i] as number, campaign[i] as number, values, v)
        }
        ins.flush()
        campaignDays.roundConversions()
        this.metrics.writeAccountDays(accountId, accountDays)
        this.metrics.cumulative.refresh(accountId, w.from, campaignDays)
        if (replaced) this.metrics.adMonths.refresh(accountId, w.from, w.to)
        else this.metrics.adMonths.add(accountId, adMonths)
        afterWrite?.()
      })
      .immediate()
    return n
  }

  /**
   * Days before `provisionalFrom` have left the restatement window: mark them final. Only days an
   * earlier run left provisional can need it; the account's day rollup says where those start, so
   * a backfill (which writes every day as final or provisional already) touches no row here.
   */
  finalizeBefore(accountId: number, provisionalFrom: string): void {
    const first = this.firstProvisional.get(accountId, provisionalFrom) as string | null
    if (first === null) return
    this.sqlite
      .transaction(() => {
        this.finalRows.run(accountId, first, provisionalFrom)
        this.finalAccount.run(accountId, first, provisionalFrom)
      })
      .immediate()
  }
}

/**
 * Row indexes in (day, ad) order. One numeric typed-array sort on the key
 * (day * (maxAd + 1) + ad) * n + row when it stays an exact double, else a comparator sort.
 */
function keyOrder(off: Int32Array, ad: Int32Array, maxAd: number): Uint32Array {
  const n = off.length
  const order = new Uint32Array(n)
  let maxOff = 0
  for (let i = 0; i < n; i++) if ((off[i] as number) > maxOff) maxOff = off[i] as number
  const m = maxAd + 1
  if ((maxOff + 1) * m * n < Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(n)
    for (let i = 0; i < n; i++) keys[i] = ((off[i] as number) * m + (ad[i] as number)) * n + i
    keys.sort()
    for (let k = 0; k < n; k++) order[k] = (keys[k] as number) % n
    return order
  }
  for (let i = 0; i < n; i++) order[i] = i
  order.sort((p, q) => (off[p] as number) - (off[q] as number) || (ad[p] as number) - (ad[q] as number) || p - q)
  return order
}
