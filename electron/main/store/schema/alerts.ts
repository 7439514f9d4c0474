import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { workspaces } from './core'

/**
 * Alerts (issue 14): the alerts with their history, the delivery channels, routing rules, the
 * per-channel delivery records (the outbox) and the sends that rate limits count. JSON columns hold
 * values validated by the zod schemas of shared/domain/alerts.ts. Secrets are never stored here.
 */

export const alerts = sqliteTable(
  'alerts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: integer('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** anomaly | sync | budget | automation | report | ml | system */
    source: text('source').notNull(),
    /** info | warning | error | critical */
    severity: text('severity').notNull(),
    entityLevel: text('entity_level'),
    entityId: integer('entity_id'),
    entityName: text('entity_name'),
    entityAccountId: integer('entity_account_id'),
    title: text('title').notNull(),
    body: text('body').notNull(),
    /** JSON AlertNumber[]. */
    numbers: text('numbers').notNull().default('[]'),
    dedupeKey: text('dedupe_key').notNull(),
    link: text('link').notNull(),
    /** Raises folded into this alert by the dedupe window. */
    count: integer('count').notNull().default(1),
    raisedAt: text('raised_at').notNull(),
    lastRaisedAt: text('last_raised_at').notNull(),
    acknowledgedAt: text('acknowledged_at'),
    snoozedUntil: text('snoozed_until'),
    resolvedAt: text('resolved_at'),
  },
  (t) => [
    index('alerts_ws_raised_idx').on(t.workspaceId, t.lastRaisedAt),
    index('alerts_dedupe_idx').on(t.workspaceId, t.dedupeKey, t.lastRaisedAt),
  ],
)

export const alertChannels = sqliteTable('alert_channels', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  /** desktop | email | slack | webhook */
  kind: text('kind').notNull(),
  /** JSON ChannelSettings (no secrets). */
  settings: text('settings').notNull(),
  /** JSON ChannelPolicy: quiet hours, rate limit. */
  policy: text('policy').notNull().default('{}'),
  /** Key of the channel's secret in platform.secrets (SMTP password, Slack URL, signing secret). */
  secretRef: text('secret_ref'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  /** Why the app disabled it (kept failing), for the user. */
  disabledReason: text('disabled_reason'),
  createdAt: text('created_at').notNull(),
})

export const alertRoutes = sqliteTable('alert_routes', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  minSeverity: text('min_severity').notNull(),
  /** JSON lists; empty means any. */
  sources: text('sources').notNull().default('[]'),
  workspaceIds: text('workspace_ids').notNull().default('[]'),
  accountIds: text('account_ids').notNull().default('[]'),
  channelIds: text('channel_ids').notNull(),
})

/** One alert's delivery to one channel: the outbox row the delivery engine works through. */
export const alertDeliveries = sqliteTable(
  'alert_deliveries',
  {
    alertId: integer('alert_id')
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    channelId: integer('channel_id')
      .notNull()
      .references(() => alertChannels.id, { onDelete: 'cascade' }),
    channelKind: text('channel_kind').notNull(),
    /** pending | held | delivered | failed | skipped */
    status: text('status').notNull(),
    /** Idempotency key sent to the receiver (webhook-id). */
    messageId: text('message_id').notNull(),
    /** JSON DeliveryAttempt[]. */
    attempts: text('attempts').notNull().default('[]'),
    nextAttemptAt: text('next_attempt_at'),
    deliveredAt: text('delivered_at'),
    note: text('note'),
  },
  (t) => [
    primaryKey({ columns: [t.alertId, t.channelId] }),
    index('alert_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('alert_deliveries_channel_idx').on(t.channelId, t.status),
  ],
)

/** Messages sent per channel (rate limits count them); old rows are pruned. */
export const alertChannelSends = sqliteTable(
  'alert_channel_sends',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    channelId: integer('channel_id')
      .notNull()
      .references(() => alertChannels.id, { onDelete: 'cascade' }),
    sentAt: text('sent_at').notNull(),
  },
  (t) => [index('alert_channel_sends_idx').on(t.channelId, t.sentAt)],
)
