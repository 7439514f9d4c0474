import type { Sqlite } from '../../store/db'
import { MetricsRepo, RollupAccumulator, sortByKey, type DailyMetricInput } from '../../store/repos/metrics-repo'
import type { RemoteDailyRow } from '../connectors/types'
import type { EntityIds } from './entity-writer'

export interface ChunkWrite {
  accountId: number
  from: string
  to: string
  /** Days on or after this account-local date are provisional (inside the restatement window). */
  provisionalFrom: string
  rows: RemoteDailyRow[]
  ids: EntityIds
}

/**
 * Writes one (account, date window) chunk as a replacement: in ONE transaction it deletes the
 * account's ad-days in [from, to] (synced or imported), inserts the pulled rows, replaces the
 * rollups from the same rows and runs `afterWrite` (sync cursor, job checkpoint) so the resume
 * point commits atomically with the data. Re-running a chunk is idempotent, and a restated day
 * that lost a row loses it here too.
 */
export class ChunkWriter {
  private readonly metrics: MetricsRepo
  private readonly delRows
  private readonly finalRows
  private readonly finalCampaign
  private readonly finalAccount

  constructor(private readonly sqlite: Sqlite) {
    this.metrics = new MetricsRepo(sqlite)
    // `ad_id IN (...)` seeks the (ad_id, date) primary key per ad instead of scanning the table.
    this.delRows = sqlite.prepare(
      'DELETE FROM daily_metrics WHERE ad_id IN (SELECT id FROM ads WHERE account_id = ?) AND date BETWEEN ? AND ?',
    )
    this.finalRows = sqlite.prepare(
      `UPDATE daily_metrics SET provisional = 0
       WHERE ad_id IN (SELECT id FROM ads WHERE account_id = ?) AND date >= ? AND date < ? AND provisional = 1`,
    )
    this.finalCampaign = sqlite.prepare(
      'UPDATE campaign_daily SET provisional = 0 WHERE account_id = ? AND date >= ? AND date < ? AND provisional = 1',
    )
    this.finalAccount = sqlite.prepare(
      'UPDATE account_daily SET provisional = 0 WHERE account_id = ? AND date >= ? AND date < ? AND provisional = 1',
    )
  }

  /** Normalised rows -> store rows; throws on a row naming an ad the structure sync did not return. */
  toInputs(w: ChunkWrite, source: DailyMetricInput['source'] = 'sync'): DailyMetricInput[] {
    const out: DailyMetricInput[] = new Array(w.rows.length)
    for (let i = 0; i < w.rows.length; i++) {
      const r = w.rows[i] as RemoteDailyRow
      const adId = w.ids.ads.get(r.adExternalId)
      const adSetId = w.ids.adSets.get(r.adSetExternalId)
      const campaignId = w.ids.campaigns.get(r.campaignExternalId)
      if (adId === undefined || adSetId === undefined || campaignId === undefined) {
        throw new Error(`Daily row for unknown ad ${r.adExternalId} on ${r.date}: the structure sync did not list it`)
      }
      if (r.date < w.from || r.date > w.to)
        throw new Error(`Daily row dated ${r.date} outside the requested ${w.from}..${w.to}`)
      out[i] = {
        adId,
        date: r.date,
        accountId: w.accountId,
        campaignId,
        adSetId,
        spendMicros: r.spendMicros,
        impressions: r.impressions,
        clicks: r.clicks,
        reach: r.reach,
        conversions: r.conversions,
        conversionValueMicros: r.conversionValueMicros,
        videoViews: r.videoViews,
        provisional: r.date >= w.provisionalFrom,
        source,
      }
    }
    return out
  }

  /** Replace the chunk's window; returns the rows written. A duplicate ad-day in `rows` is refused. */
  write(w: ChunkWrite, afterWrite?: () => void): number {
    // Key order (ad, date) makes duplicates adjacent and B-tree inserts local.
    const inputs = sortByKey(this.toInputs(w))
    for (let i = 1; i < inputs.length; i++) {
      const a = inputs[i - 1] as DailyMetricInput
      const b = inputs[i] as DailyMetricInput
      if (a.adId === b.adId && a.date === b.date)
        throw new Error(`The platform returned ad-day ${b.adId}|${b.date} twice in ${w.from}..${w.to}`)
    }
    const acc = new RollupAccumulator()
    for (const r of inputs) acc.add(r)
    let n = 0
    this.sqlite.transaction(() => {
      this.delRows.run(w.accountId, w.from, w.to)
      n = this.metrics.upsert(inputs, true)
      this.metrics.replaceRollups(w.accountId, w.from, w.to, acc)
      afterWrite?.()
    })()
    return n
  }

  /** Days before `provisionalFrom` have left the restatement window: mark them final. */
  finalizeBefore(accountId: number, provisionalFrom: string, lookbackFrom: string): void {
    this.sqlite.transaction(() => {
      this.finalRows.run(accountId, lookbackFrom, provisionalFrom)
      this.finalCampaign.run(accountId, lookbackFrom, provisionalFrom)
      this.finalAccount.run(accountId, lookbackFrom, provisionalFrom)
    })()
  }
}
