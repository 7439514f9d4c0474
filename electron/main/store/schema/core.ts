import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

const createdAt = (): ReturnType<typeof text> =>
  text('created_at')
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`)

/** A workspace groups ad accounts; "Demo" is the embedded default. */
export const workspaces = sqliteTable('workspaces', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  /** ISO 4217 code totals are converted into. */
  reportingCurrency: text('reporting_currency').notNull().default('USD'),
  isDemo: integer('is_demo', { mode: 'boolean' }).notNull().default(false),
  createdAt: createdAt(),
})

/** Stored platform connections; secrets live in platform.secrets under `secretRef`, never here. */
export const connections = sqliteTable(
  'connections',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: integer('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    label: text('label').notNull(),
    secretRef: text('secret_ref').notNull(),
    /** Non-secret settings (API base URL override, login customer id, ...). JSON. */
    config: text('config').notNull().default('{}'),
    status: text('status').notNull().default('active'),
    lastError: text('last_error'),
    createdAt: createdAt(),
  },
  (t) => [index('connections_workspace_idx').on(t.workspaceId)],
)

export const adAccounts = sqliteTable(
  'ad_accounts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: integer('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    connectionId: integer('connection_id').references(() => connections.id, { onDelete: 'set null' }),
    platform: text('platform').notNull(),
    externalId: text('external_id').notNull(),
    name: text('name').notNull(),
    currency: text('currency').notNull(),
    /** IANA zone; every daily row of this account is keyed by its local date. */
    timeZone: text('time_zone').notNull(),
    status: text('status').notNull().default('active'),
    statusMessage: text('status_message'),
    /** Monthly budget in micros for pacing (null = derive from campaign daily budgets). */
    monthlyBudgetMicros: integer('monthly_budget_micros'),
    lastSyncedAt: text('last_synced_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('ad_accounts_ext_uq').on(t.workspaceId, t.platform, t.externalId)],
)

export const campaigns = sqliteTable(
  'campaigns',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => adAccounts.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    name: text('name').notNull(),
    objective: text('objective').notNull(),
    status: text('status').notNull(),
    /** Daily budget in micros of the account currency, or null when budgets live on ad sets. */
    dailyBudgetMicros: integer('daily_budget_micros'),
    startDate: text('start_date'),
    endDate: text('end_date'),
    updatedAt: text('updated_at'),
  },
  (t) => [
    uniqueIndex('campaigns_ext_uq').on(t.accountId, t.externalId),
    // The explorer's archived campaigns (and the active ones' budgets) by account without a scan of them all.
    index('campaigns_account_status_idx').on(t.accountId, t.status),
  ],
)

export const adSets = sqliteTable(
  'ad_sets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => adAccounts.id, { onDelete: 'cascade' }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    name: text('name').notNull(),
    status: text('status').notNull(),
    dailyBudgetMicros: integer('daily_budget_micros'),
    updatedAt: text('updated_at'),
  },
  (t) => [uniqueIndex('ad_sets_ext_uq').on(t.accountId, t.externalId), index('ad_sets_campaign_idx').on(t.campaignId)],
)

export const creatives = sqliteTable(
  'creatives',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => adAccounts.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    format: text('format').notNull(),
    headline: text('headline'),
    thumbnailUrl: text('thumbnail_url'),
  },
  (t) => [uniqueIndex('creatives_ext_uq').on(t.accountId, t.externalId)],
)

export const ads = sqliteTable(
  'ads',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => adAccounts.id, { onDelete: 'cascade' }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    adSetId: integer('ad_set_id')
      .notNull()
      .references(() => adSets.id, { onDelete: 'cascade' }),
    creativeId: integer('creative_id').references(() => creatives.id, { onDelete: 'set null' }),
    externalId: text('external_id').notNull(),
    name: text('name').notNull(),
    status: text('status').notNull(),
    /** Account-local launch date. */
    launchDate: text('launch_date'),
    updatedAt: text('updated_at'),
  },
  (t) => [
    uniqueIndex('ads_ext_uq').on(t.accountId, t.externalId),
    index('ads_ad_set_idx').on(t.adSetId),
    index('ads_campaign_idx').on(t.campaignId),
    // Deleting a creative sets its ads' creative_id to null: without this index SQLite scans every ad
    // per creative deleted (removing the large demo's workspace: 128,000 creatives x 128,000 ads, minutes).
    index('ads_creative_idx').on(t.creativeId),
  ],
)

/*
 * The three metric tables are WITHOUT ROWID with their key as the primary key (the migration SQL
 * adds `WITHOUT ROWID`, which drizzle-kit cannot express): one B-tree per table, about 2x faster
 * bulk upserts than a rowid table with a unique index.
 */

/**
 * One ad on one account-local day. Money in integer micros of the account currency. Keyed
 * (account_id, date, ad_id): a sync writes an account's days oldest first, so a backfill appends
 * to the B-tree, and replacing an account's date window is one key range. Upserted on that key:
 * re-syncing a day overwrites it. `provisional` marks days inside the platform's restatement
 * window (late conversions may still change them).
 *
 * `campaign_daily` (campaign-day sums) is a view over the running totals in `campaign_cum`
 * (migration 0003): one campaign-day is cum(d) - cum(d - 1), so the sync writes campaign
 * rollups once instead of twice.
 */
export const dailyMetrics = sqliteTable(
  'daily_metrics',
  {
    adId: integer('ad_id').notNull(),
    date: text('date').notNull(),
    accountId: integer('account_id')
      .notNull()
      .references(() => adAccounts.id, { onDelete: 'cascade' }),
    campaignId: integer('campaign_id').notNull(),
    adSetId: integer('ad_set_id').notNull(),
    spendMicros: integer('spend_micros').notNull().default(0),
    impressions: integer('impressions').notNull().default(0),
    clicks: integer('clicks').notNull().default(0),
    reach: integer('reach').notNull().default(0),
    conversions: real('conversions').notNull().default(0),
    conversionValueMicros: integer('conversion_value_micros').notNull().default(0),
    videoViews: integer('video_views').notNull().default(0),
    provisional: integer('provisional', { mode: 'boolean' }).notNull().default(false),
    /** 'sync' | 'import' | 'demo' */
    source: text('source').notNull().default('sync'),
  },
  (t) => [primaryKey({ name: 'daily_metrics_pk', columns: [t.accountId, t.date, t.adId] })],
)

/** Account-day rollup of daily_metrics, maintained on write (KPI tiles and trends). */
export const accountDaily = sqliteTable(
  'account_daily',
  {
    accountId: integer('account_id').notNull(),
    date: text('date').notNull(),
    spendMicros: integer('spend_micros').notNull().default(0),
    impressions: integer('impressions').notNull().default(0),
    clicks: integer('clicks').notNull().default(0),
    conversions: real('conversions').notNull().default(0),
    conversionValueMicros: integer('conversion_value_micros').notNull().default(0),
    videoViews: integer('video_views').notNull().default(0),
    provisional: integer('provisional', { mode: 'boolean' }).notNull().default(false),
    /** Ad rows (daily_metrics) of the account-day: a maintained counter for status views (no count(*) over rows). */
    adRows: integer('ad_rows').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'account_daily_pk', columns: [t.accountId, t.date] })],
)

/**
 * The attribution each synced account-day's conversions were counted with (a code from
 * shared/domain/attribution.ts), written with the chunk that wrote the day's rows. Days without a
 * row here were imported or generated (their conversions follow the file or the simulator).
 */
export const accountDayAttribution = sqliteTable(
  'account_day_attribution',
  {
    accountId: integer('account_id')
      .notNull()
      .references(() => adAccounts.id, { onDelete: 'cascade' }),
    date: text('date').notNull(),
    code: text('code').notNull(),
  },
  (t) => [primaryKey({ name: 'account_day_attribution_pk', columns: [t.accountId, t.date] })],
)

/** Monthly exchange rates: 1 unit of `currency` = `rate` units of the workspace reporting currency. */
export const fxRates = sqliteTable(
  'fx_rates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: integer('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    currency: text('currency').notNull(),
    /** `YYYY-MM` */
    month: text('month').notNull(),
    rate: real('rate').notNull(),
  },
  (t) => [uniqueIndex('fx_rates_uq').on(t.workspaceId, t.currency, t.month)],
)

/** Customer orders (CSV import) for lifetime-value models. */
export const orders = sqliteTable(
  'orders',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: integer('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    customerId: text('customer_id').notNull(),
    orderDate: text('order_date').notNull(),
    revenueMicros: integer('revenue_micros').notNull(),
    currency: text('currency').notNull(),
    campaignExternalId: text('campaign_external_id'),
    utmSource: text('utm_source'),
    utmCampaign: text('utm_campaign'),
  },
  (t) => [index('orders_customer_idx').on(t.workspaceId, t.customerId, t.orderDate)],
)

/** Ground truth of what the demo simulator injected (used by anomaly-detection tests). */
export const simulatorEvents = sqliteTable('simulator_events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  workspaceId: integer('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  kind: text('kind').notNull(),
  accountId: integer('account_id'),
  campaignId: integer('campaign_id'),
  metric: text('metric').notNull(),
  startDate: text('start_date').notNull(),
  endDate: text('end_date').notNull(),
  description: text('description').notNull(),
})
