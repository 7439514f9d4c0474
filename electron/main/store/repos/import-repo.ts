import type { Sqlite } from '../db'
import { touchAccountData } from './ad-month-rollup'
import type { ReplacedRow } from './import-months'

/** An ad already synced into a workspace (CSV lines that name it are keyed to it). */
export interface SyncedAdRow {
  adId: number
  accountId: number
  campaignId: number
  adSetId: number
  externalId: string
  adName: string
  setName: string
  campaignName: string
  campaignExternalId: string
}

/** The ids an import created, so a failed import can remove them again. */
export interface CreatedSince {
  accounts: number
  campaigns: number
  adSets: number
  ads: number
  creatives: number
}

/** A written key of daily_metrics. */
export interface MetricKey {
  accountId: number
  date: string
  adId: number
}

/** Keys per statement of `journalRows` (a statement's rows are looked up by key). */
const JOURNAL_KEYS = 100

/** `journalRows`' key of an ad-day. */
export const journalKey = (date: string, adId: number): string => `${date}|${adId}`

const DAILY = `ad_id, date, account_id, campaign_id, ad_set_id, spend_micros, impressions, clicks, reach, conversions,
  conversion_value_micros, video_views, provisional, source`

/**
 * The CSV importer's reads and its undo journal. The journal is a TEMP table of this connection:
 * before a slice of an import overwrites rows it copies them there, so a failed or cancelled import
 * can put them back (a crash needs no undo: the import job runs again from its file at restart and
 * its writes are idempotent upserts).
 */
export class ImportRepo {
  constructor(private readonly sqlite: Sqlite) {}

  syncedAds(workspaceId: number, platform: string): SyncedAdRow[] {
    return this.sqlite
      .prepare(
        `SELECT x.id AS adId, x.account_id AS accountId, x.campaign_id AS campaignId, x.ad_set_id AS adSetId,
           x.external_id AS externalId, x.name AS adName, s.name AS setName, c.name AS campaignName,
           c.external_id AS campaignExternalId
         FROM ads x JOIN ad_sets s ON s.id = x.ad_set_id JOIN campaigns c ON c.id = x.campaign_id
         JOIN ad_accounts a ON a.id = x.account_id
         WHERE a.workspace_id = ? AND a.platform = ? AND a.connection_id IS NOT NULL`,
      )
      .all(workspaceId, platform) as SyncedAdRow[]
  }

  /** A statement: does a synced (not imported) row exist for this ad-day? */
  syncedRowExists(): (accountId: number, date: string, adId: number) => boolean {
    const st = this.sqlite.prepare(
      `SELECT 1 FROM daily_metrics WHERE account_id = ? AND date = ? AND ad_id = ? AND source != 'import'`,
    )
    return (accountId, date, adId) => st.get(accountId, date, adId) !== undefined
  }

  /** A statement: the account, campaign and ad set of an ad. */
  adParents(): (adId: number) => { accountId: number; campaignId: number; adSetId: number } {
    const st = this.sqlite.prepare(
      'SELECT account_id AS accountId, campaign_id AS campaignId, ad_set_id AS adSetId FROM ads WHERE id = ?',
    )
    return (adId) => st.get(adId) as { accountId: number; campaignId: number; adSetId: number }
  }

  /** Payloads of import jobs that are queued or running (their files must stay). */
  pendingJobPayloads(kind: string): string[] {
    return (
      this.sqlite.prepare(`SELECT payload FROM jobs WHERE kind = ? AND status IN ('queued', 'running')`).all(kind) as {
        payload: string
      }[]
    ).map((r) => r.payload)
  }

  /** SQLite's data_version: changes when another connection commits to the file. */
  dataVersion(): number {
    return this.sqlite.pragma('data_version', { simple: true }) as number
  }

  accountExists(accountId: number): boolean {
    return this.sqlite.prepare('SELECT 1 FROM ad_accounts WHERE id = ?').get(accountId) !== undefined
  }

  /** The highest ids now: anything above them was created after this call. */
  highestIds(): CreatedSince {
    const max = (t: string): number =>
      (this.sqlite.prepare(`SELECT coalesce(max(id), 0) AS n FROM ${t}`).get() as { n: number }).n
    return {
      accounts: max('ad_accounts'),
      campaigns: max('campaigns'),
      adSets: max('ad_sets'),
      ads: max('ads'),
      creatives: max('creatives'),
    }
  }

  /** Start an empty undo journal for one import. */
  beginJournal(): void {
    this.sqlite.exec(`CREATE TEMP TABLE IF NOT EXISTS import_undo AS SELECT ${DAILY} FROM daily_metrics WHERE 0`)
    this.sqlite.exec('DELETE FROM temp.import_undo')
  }

  /**
   * A statement: copy an account's current rows of some keys into the journal (call in the slice's
   * transaction, before the slice overwrites them), `JOURNAL_KEYS` keys per statement; returns the
   * rows it copied by `journalKey`. A statement per key (and a row object back for each) was ~1 s of
   * the core's CPU at 300,000 ad-days.
   */
  journalRows(): (accountId: number, keys: readonly { date: string; adId: number }[]) => Map<string, ReplacedRow> {
    const values = Array.from({ length: JOURNAL_KEYS }, () => '(?, ?)').join(', ')
    const st = this.sqlite.prepare(
      `WITH k (date, ad_id) AS (VALUES ${values})
       INSERT INTO temp.import_undo SELECT ${DAILY.split(',')
         .map((c) => `d.${c.trim()}`)
         .join(', ')}
       FROM k CROSS JOIN daily_metrics d WHERE d.account_id = ? AND d.date = k.date AND d.ad_id = k.ad_id
       RETURNING date, ad_id AS adId, ad_set_id AS adSetId, campaign_id AS campaignId, spend_micros AS spendMicros,
         impressions, clicks, reach, conversions, conversion_value_micros AS conversionValueMicros,
         video_views AS videoViews`,
    )
    const args: (string | number | null)[] = []
    return (accountId, keys) => {
      const out = new Map<string, ReplacedRow>()
      for (let at = 0; at < keys.length; at += JOURNAL_KEYS) {
        args.length = 0
        for (let j = at; j < at + JOURNAL_KEYS; j++) {
          const k = keys[j]
          // Past the last key: (NULL, NULL), which no row matches (a '' date is an error in PostgreSQL).
          if (k) args.push(k.date, k.adId)
          else args.push(null, null)
        }
        args.push(accountId)
        for (const r of st.all(...args) as (ReplacedRow & { date: string; adId: number })[])
          out.set(journalKey(r.date, r.adId), r)
      }
      return out
    }
  }

  /** Delete the rows of written keys (one slice of an undo; run in a transaction). */
  deleteKeys(keys: MetricKey[]): void {
    const st = this.sqlite.prepare('DELETE FROM daily_metrics WHERE account_id = ? AND date = ? AND ad_id = ?')
    for (const k of keys) st.run(k.accountId, k.date, k.adId)
    touchAccountData(
      this.sqlite,
      keys.map((k) => k.accountId),
    )
  }

  /** Put the journalled rows back (after `deleteKeys` of every written key). */
  restoreJournal(): void {
    const accounts = this.sqlite.prepare('SELECT DISTINCT account_id FROM temp.import_undo').pluck().all() as number[]
    touchAccountData(this.sqlite, accounts)
    this.sqlite.exec(`INSERT INTO daily_metrics (${DAILY}) SELECT ${DAILY} FROM temp.import_undo`)
    this.sqlite.exec('DELETE FROM temp.import_undo')
  }

  /**
   * Remove the entities of the import accounts (`csv:*` external ids) of a workspace created after
   * `since` (imports run one at a time, so those are this import's).
   */
  removeCreated(workspaceId: number, since: CreatedSince): void {
    const s = this.sqlite
    const accounts = `SELECT id FROM ad_accounts WHERE workspace_id = ? AND external_id LIKE 'csv:%'`
    s.prepare(`DELETE FROM ads WHERE id > ? AND account_id IN (${accounts})`).run(since.ads, workspaceId)
    s.prepare(`DELETE FROM creatives WHERE id > ? AND account_id IN (${accounts})`).run(since.creatives, workspaceId)
    s.prepare(`DELETE FROM ad_sets WHERE id > ? AND account_id IN (${accounts})`).run(since.adSets, workspaceId)
    s.prepare(`DELETE FROM campaigns WHERE id > ? AND account_id IN (${accounts})`).run(since.campaigns, workspaceId)
    s.prepare(`DELETE FROM ad_accounts WHERE id > ? AND workspace_id = ? AND external_id LIKE 'csv:%'`).run(
      since.accounts,
      workspaceId,
    )
  }
}
