import { integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { adAccounts } from './core'

/**
 * Per-campaign running totals (prefix sums) of campaign_daily, dense from a campaign's first day
 * to its account's last day. Any date range's campaign totals are `cum(to) - cum(from - 1)`: two
 * key lookups per campaign instead of summing every day, which keeps "top campaigns over 30 days"
 * fast at 10,000 campaigns. Money in micros of the account currency. Maintained on write by
 * MetricsRepo (CumulativeRollup). WITHOUT ROWID (hand-added in the migration).
 */
export const campaignCum = sqliteTable(
  'campaign_cum',
  {
    accountId: integer('account_id')
      .notNull()
      .references(() => adAccounts.id, { onDelete: 'cascade' }),
    date: text('date').notNull(),
    campaignId: integer('campaign_id').notNull(),
    spendMicros: integer('spend_micros').notNull().default(0),
    impressions: integer('impressions').notNull().default(0),
    clicks: integer('clicks').notNull().default(0),
    conversions: real('conversions').notNull().default(0),
    conversionValueMicros: integer('conversion_value_micros').notNull().default(0),
    videoViews: integer('video_views').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'campaign_cum_pk', columns: [t.accountId, t.date, t.campaignId] })],
)
