import { blob, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { adAccounts } from './core'

/**
 * Per-campaign running totals (prefix sums of the campaign-day sums), packed per account-day: the
 * row of (account, date) holds every campaign of the account that has a row on or before that day
 * (`campaign_ids`, ascending Int32 little-endian) and its running totals through that day (`sums`,
 * Float64 little-endian, CUM_N per campaign in the order spend micros, impressions, clicks,
 * conversions, value micros, video views). Dense from the account's first day to its last day.
 * Any date range's campaign totals are `cum(to) - cum(from - 1)`: two rows per account instead
 * of summing every day, which keeps "top campaigns over 30 days" fast at 10,000 campaigns.
 * One row per account-day (not per campaign-day) keeps the sync's write of it about the size of
 * one statement per day. Money in micros of the account currency. Maintained on write by
 * MetricsRepo (CumulativeRollup). A rowid table (rows of kilobytes read slowly from WITHOUT ROWID).
 */
export const campaignCum = sqliteTable(
  'campaign_cum',
  {
    accountId: integer('account_id')
      .notNull()
      .references(() => adAccounts.id, { onDelete: 'cascade' }),
    date: text('date').notNull(),
    campaignIds: blob('campaign_ids', { mode: 'buffer' }).notNull(),
    sums: blob('sums', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ name: 'campaign_cum_pk', columns: [t.accountId, t.date] })],
)

/**
 * A version per ad account, moved in the same transaction as every write of its metrics
 * (`touchAccountData`: `MetricsRepo.upsert`, `AdMonthRollup.refresh`/`add`, an import's undo). Reads
 * split over several snapshots (the rules' read-ahead, the recommendations' windows) compare it to know
 * they saw one state of the account's metrics; writes elsewhere (a job's progress, another account)
 * do not move it.
 */
export const accountDataMarks = sqliteTable('account_data_marks', {
  accountId: integer('account_id')
    .primaryKey()
    .references(() => adAccounts.id, { onDelete: 'cascade' }),
  version: integer('version').notNull().default(0),
})

/**
 * Per-ad monthly sums of `daily_metrics` (one row per account, month, ad and the ad set and campaign
 * its rows carry), money in micros of the account currency, `conversions` unrounded, `reach` the sum
 * of daily reach, `days` the rows summed and their first and last date. Long windows at the ad and
 * ad-set level (automation's "lifetime", creatives lists) read whole months here instead of every
 * ad-day row. `negative_rows` counts the rows summed that have negative clicks or spend (a platform's
 * refund or credit, stored as sent; migration 0019): the A/B candidates' bounds hold only where it is
 * 0. Maintained on write in the same transaction as the rows by every metrics writer
 * (`AdMonthRollup.refresh` rebuilds the months a write touched from the rows); `WITHOUT ROWID`
 * (hand-added to the generated SQL), keyed so one account's months are one key range.
 */
export const adMonth = sqliteTable(
  'ad_month',
  {
    accountId: integer('account_id')
      .notNull()
      .references(() => adAccounts.id, { onDelete: 'cascade' }),
    month: text('month').notNull(),
    adId: integer('ad_id').notNull(),
    adSetId: integer('ad_set_id').notNull(),
    campaignId: integer('campaign_id').notNull(),
    spendMicros: integer('spend_micros').notNull().default(0),
    impressions: integer('impressions').notNull().default(0),
    clicks: integer('clicks').notNull().default(0),
    reach: integer('reach').notNull().default(0),
    conversions: real('conversions').notNull().default(0),
    conversionValueMicros: integer('conversion_value_micros').notNull().default(0),
    videoViews: integer('video_views').notNull().default(0),
    days: integer('days').notNull().default(0),
    negativeRows: integer('negative_rows').notNull().default(0),
    firstDate: text('first_date').notNull(),
    lastDate: text('last_date').notNull(),
  },
  (t) => [primaryKey({ name: 'ad_month_pk', columns: [t.accountId, t.month, t.adId, t.adSetId, t.campaignId] })],
)

/**
 * Each ad's daily impressions and clicks packed per (account, month, ad): `days` is the text
 * `DD:impressions:clicks` of every `daily_metrics` row of that ad in that month, comma-separated
 * (not necessarily in date order: a backfill chunk appends its days). Readers of an ad's days (the
 * fatigue fits of the Creatives page, reports, rules and recommendations) read one row per ad and
 * month, on a few pages, instead of one key lookup per ad-day on a page of its own (issue 18).
 * Maintained with `ad_month` by `AdMonthRollup` (`refresh` rebuilds the months from the rows, `add`
 * appends a backfill's days; a CSV import's slices add theirs or replace a day's entry, `ImportMonths`),
 * in the writer's transaction, except the demo build, which refreshes both at its end; `WITHOUT ROWID`
 * (hand-added), keyed so one account's months are one key range. Migration 0021 adds it empty; 0022
 * marks the accounts that had days then (`ad_month_days_pending`), built by the `store:upgrade` job
 * after the start.
 */
export const adMonthDays = sqliteTable(
  'ad_month_days',
  {
    accountId: integer('account_id')
      .notNull()
      .references(() => adAccounts.id, { onDelete: 'cascade' }),
    month: text('month').notNull(),
    adId: integer('ad_id').notNull(),
    days: text('days').notNull(),
  },
  (t) => [primaryKey({ name: 'ad_month_days_pk', columns: [t.accountId, t.month, t.adId] })],
)

/**
 * Accounts whose `ad_month_days` is not built yet (migration 0022: every account with day rows and no
 * packed days when it ran, i.e. a store migrated to 0021 whose rows were never packed). The
 * `store:upgrade` job builds them after the start (`AdMonthDaysBuild`), a piece of one month's ads per
 * transaction, and removes the account in the transaction that builds its last piece. `month` and
 * `ad_from` say how far it got: the months before `month` are built, and of `month` the ads with ids
 * below `ad_from` (NULL: nothing yet). Meanwhile the writers keep `ad_month` but not the account's
 * packed days, moving the build back to the first month they touched, and `packedAdDays` reads the
 * account's days from `daily_metrics`.
 */
export const adMonthDaysPending = sqliteTable('ad_month_days_pending', {
  accountId: integer('account_id')
    .primaryKey()
    .references(() => adAccounts.id, { onDelete: 'cascade' }),
  month: text('month'),
  adFrom: integer('ad_from'),
})
