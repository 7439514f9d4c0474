import { dateRange } from '../../../../shared/domain/dates'
import type { DailyMetricValues } from '../../../../shared/domain/metrics'
import type { Sqlite } from '../db'
import { AdMonthRollup, AdMonthSums } from './ad-month-rollup'
import type { DailyMetricInput } from './metrics-repo'

/** What a written row replaced (the import journal's copy of it), or undefined for a key that had no row. */
export interface ReplacedRow extends DailyMetricValues {
  adSetId: number
  campaignId: number
}

/** The values `AdMonthSums.add` takes, in its order. */
const SUMS = [
  'spendMicros',
  'impressions',
  'clicks',
  'reach',
  'conversions',
  'conversionValueMicros',
  'videoViews',
] as const

type Sum = (typeof SUMS)[number]

const negative = (r: { clicks: number; spendMicros: number }): number => (r.clicks < 0 || r.spendMicros < 0 ? 1 : 0)

/**
 * A CSV import slice's per-ad months (`ad_month`, `ad_month_days`), kept right in the slice's own
 * transaction after its rows are upserted (review 9: the import rebuilt them at its end, so between
 * its first slice and its end readers saw the new day rows with the old months). It reads no month
 * back from the rows except where it must:
 *  - a row on a key that had none is added to its month (`AdMonthRollup.add`, as a sync's backfill
 *    chunk: its sums added, its day appended to the month's packed text);
 *  - a row that replaced one of the same ad set and campaign adds the difference to its month's sums
 *    (the day count, first and last days unchanged) and replaces that day's entry in the packed text;
 *  - anything else (the replaced row had another ad set or campaign, the month's row or the day's
 *    entry is not where it should be) rebuilds that ad's month from its rows (`refreshAds` of one ad).
 * An account whose packed days are not built yet gets only its `ad_month` kept (the build packs the rest).
 * Each month then equals what `AdMonthRollup.refresh` rebuilds (conversions to rounding: a difference
 * added to a sum of reals), and the slice reads at most its own ads' month texts.
 */
export class ImportMonths {
  private readonly rollup: AdMonthRollup
  private readonly addDiff
  private readonly readDays
  private readonly writeDays

  constructor(sqlite: Sqlite) {
    this.rollup = new AdMonthRollup(sqlite)
    this.addDiff = sqlite.prepare(
      `UPDATE ad_month SET spend_micros = spend_micros + ?, impressions = impressions + ?, clicks = clicks + ?,
         reach = reach + ?, conversions = conversions + ?, conversion_value_micros = conversion_value_micros + ?,
         video_views = video_views + ?, negative_rows = negative_rows + ?
       WHERE account_id = ? AND month = ? AND ad_id = ? AND ad_set_id = ? AND campaign_id = ?`,
    )
    this.readDays = sqlite
      .prepare('SELECT days FROM ad_month_days WHERE account_id = ? AND month = ? AND ad_id = ?')
      .pluck()
    this.writeDays = sqlite.prepare(
      'UPDATE ad_month_days SET days = ? WHERE account_id = ? AND month = ? AND ad_id = ?',
    )
  }

  /**
   * `rows`: one account's rows of a slice, just upserted, in date order; `replaced[i]`: what `rows[i]`
   * replaced. Call in the slice's transaction.
   */
  apply(accountId: number, rows: DailyMetricInput[], replaced: (ReplacedRow | undefined)[]): void {
    if (!rows.length) return
    const dates = dateRange((rows[0] as DailyMetricInput).date, (rows.at(-1) as DailyMetricInput).date)
    const dayOf = new Map(dates.map((d, i) => [d, i]))
    const months = [...new Set(dates.map((d) => d.slice(0, 7)))]
    const monthOf = new Map(months.map((m, i) => [m, i]))
    const rebuild = new Set<string>()
    const monthAd = (r: DailyMetricInput): string => `${r.date.slice(0, 7)}|${r.adId}`
    // Replaced rows: the differences per month row, the new entries per month text.
    const diffs = new Map<string, { month: string; r: DailyMetricInput; d: number[] }>()
    const entries = new Map<string, { month: string; adId: number; days: Map<string, string> }>()
    for (let i = 0; i < rows.length; i++) {
      const old = replaced[i]
      if (!old) continue
      const r = rows[i] as DailyMetricInput
      const month = r.date.slice(0, 7)
      if (old.adSetId !== r.adSetId || old.campaignId !== r.campaignId) {
        rebuild.add(monthAd(r))
        continue
      }
      const k = `${month}|${r.adId}|${r.adSetId}|${r.campaignId}`
      let g = diffs.get(k)
      if (!g) diffs.set(k, (g = { month, r, d: [0, 0, 0, 0, 0, 0, 0, 0] }))
      for (let j = 0; j < SUMS.length; j++) {
        const f = SUMS[j] as Sum
        g.d[j] = (g.d[j] as number) + r[f] - old[f]
      }
      g.d[7] = (g.d[7] as number) + negative(r) - negative(old)
      let e = entries.get(monthAd(r))
      if (!e) entries.set(monthAd(r), (e = { month, adId: r.adId, days: new Map() }))
      e.days.set(r.date.slice(8, 10), `${r.impressions}:${r.clicks}`)
    }
    for (const { month, r, d } of diffs.values()) {
      if (rebuild.has(monthAd(r))) continue
      const changed = this.addDiff.run(...d, accountId, month, r.adId, r.adSetId, r.campaignId).changes
      if (changed !== 1) rebuild.add(monthAd(r))
    }
    // An account whose packed days are still to be built (`ad_month_days_pending`): its texts are left
    // to the build, moved back to the slice's first month (as `add` and `refreshAds` do).
    const packed = entries.size > 0 && !this.rollup.daysPending(accountId, months[0] as string)
    for (const [k, e] of packed ? entries : []) {
      if (rebuild.has(k)) continue
      const text = this.readDays.get(accountId, e.month, e.adId) as string | undefined
      const found = new Set<string>()
      let twice = false
      const next = (text ?? '').split(',').map((day) => {
        const dd = day.slice(0, day.indexOf(':'))
        const v = e.days.get(dd)
        if (v === undefined) return day
        if (found.has(dd)) twice = true
        found.add(dd)
        return `${dd}:${v}`
      })
      // Each replaced day's entry exactly once (the text holds one entry per row of the month).
      if (text === undefined || twice || found.size !== e.days.size) rebuild.add(k)
      else this.writeDays.run(next.join(','), accountId, e.month, e.adId)
    }
    // Rows on new keys, added (in date order, as `AdMonthSums` wants them).
    const sums = new AdMonthSums(months, dates)
    const values = new Float64Array(SUMS.length)
    let added = 0
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as DailyMetricInput
      if (replaced[i] || rebuild.has(monthAd(r))) continue
      for (let j = 0; j < SUMS.length; j++) values[j] = r[SUMS[j] as Sum]
      sums.add(
        monthOf.get(r.date.slice(0, 7)) as number,
        dayOf.get(r.date) as number,
        r.adId,
        r.adSetId,
        r.campaignId,
        values,
        0,
      )
      added++
    }
    if (added) this.rollup.add(accountId, sums)
    // Last: these read the rows, so whatever else this slice did to their months is rebuilt over.
    for (const k of rebuild) {
      const [month, ad] = k.split('|')
      this.rollup.refreshAds(accountId, month as string, Number(ad), Number(ad))
    }
  }
}
