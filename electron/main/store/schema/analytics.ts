import { blob, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
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
