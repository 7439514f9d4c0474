import { sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { adAccounts, workspaces } from './core'

const nowIso = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`

/** Key/value settings owned by the core (JSON values). Shell settings live in electron-store. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: text('updated_at').notNull().default(nowIso),
})

/** Persisted job queue: sync, backfill, import, training, report rendering. */
export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind').notNull(),
    /** JSON payload validated by the job kind's zod schema. */
    payload: text('payload').notNull(),
    /** queued | running | succeeded | failed | cancelled */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(1),
    step: text('step'),
    current: integer('current').notNull().default(0),
    total: integer('total').notNull().default(0),
    message: text('message'),
    /** JSON result on success. */
    result: text('result'),
    error: text('error'),
    /** Job-defined resume point (e.g. the last committed sync chunk). JSON. */
    checkpoint: text('checkpoint'),
    createdAt: text('created_at').notNull().default(nowIso),
    startedAt: text('started_at'),
    finishedAt: text('finished_at'),
    runAfter: text('run_after'),
    /** Lease token of the store owner that claimed the job (store_lease.token); null while queued. */
    owner: text('owner'),
  },
  (t) => [index('jobs_status_idx').on(t.status, t.id)],
)

/**
 * Who owns the store: the one process that runs jobs and the change pipeline (at most one row,
 * id 1). Taken and renewed in BEGIN IMMEDIATE transactions; see store/ownership.ts.
 */
export const storeLease = sqliteTable('store_lease', {
  id: integer('id').primaryKey(),
  /** Random per process; jobs.owner names it. */
  token: text('token').notNull(),
  pid: integer('pid').notNull(),
  hostname: text('hostname').notNull(),
  /** What the owner is, for messages: "the desktop app", "npm run web", "CLI sync". */
  label: text('label').notNull(),
  startedAt: text('started_at').notNull(),
  heartbeatAt: text('heartbeat_at').notNull(),
})

export const syncRuns = sqliteTable(
  'sync_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: integer('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    jobId: integer('job_id'),
    /** backfill | incremental | import */
    mode: text('mode').notNull(),
    /** running | succeeded | partial | failed | cancelled */
    status: text('status').notNull(),
    startedAt: text('started_at').notNull().default(nowIso),
    finishedAt: text('finished_at'),
    rowsWritten: integer('rows_written').notNull().default(0),
    durationMs: integer('duration_ms'),
    /** JSON: per-account outcome `{ accountId, status, rows, error }[]`. */
    accounts: text('accounts').notNull().default('[]'),
    error: text('error'),
  },
  (t) => [index('sync_runs_ws_idx').on(t.workspaceId, t.startedAt)],
)

/** Model registry: one row per trained model version. */
export const models = sqliteTable(
  'models',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    version: integer('version').notNull(),
    workspaceId: integer('workspace_id').references(() => workspaces.id, { onDelete: 'cascade' }),
    /** JSON list of feature names. */
    features: text('features').notNull(),
    dataFrom: text('data_from'),
    dataTo: text('data_to'),
    /** JSON: MAE, MAPE, R2, interval coverage. */
    metrics: text('metrics').notNull(),
    /** Serialised model (JSON). */
    artifact: text('artifact').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(false),
    trainedAt: text('trained_at').notNull().default(nowIso),
  },
  (t) => [index('models_name_idx').on(t.name, t.version)],
)

export const predictions = sqliteTable(
  'predictions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    modelId: integer('model_id')
      .notNull()
      .references(() => models.id, { onDelete: 'cascade' }),
    entityType: text('entity_type').notNull(),
    entityId: integer('entity_id').notNull(),
    horizonDays: integer('horizon_days').notNull(),
    /** JSON: point, lower, upper per metric, and the spend plan used. */
    value: text('value').notNull(),
    createdAt: text('created_at').notNull().default(nowIso),
  },
  (t) => [index('predictions_entity_idx').on(t.entityType, t.entityId)],
)

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: text('at').notNull().default(nowIso),
    /** Who asked: a principal label (`user:ana (desktop)`, `rule:7@3`, `system:scheduler`; see shared/domain/caller). */
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    entityType: text('entity_type'),
    entityId: integer('entity_id'),
    accountId: integer('account_id').references(() => adAccounts.id, { onDelete: 'set null' }),
    /** JSON: before/after and any platform response. */
    detail: text('detail').notNull().default('{}'),
  },
  (t) => [index('audit_log_at_idx').on(t.at)],
)

/**
 * Per-account sync cursor: how far the backfill reached and the last day synced, so an
 * incremental sync knows where to start and a crashed backfill where to resume.
 */
export const syncState = sqliteTable('sync_state', {
  accountId: integer('account_id')
    .primaryKey()
    .references(() => adAccounts.id, { onDelete: 'cascade' }),
  /** Earliest account-local date the backfill covers. */
  backfillFrom: text('backfill_from'),
  /** Last account-local date written by a completed chunk. */
  syncedThrough: text('synced_through'),
  /** Days re-pulled on every incremental sync (null = the platform default). */
  restatementDays: integer('restatement_days'),
  lastSuccessAt: text('last_success_at'),
  lastError: text('last_error'),
  nextSyncAt: text('next_sync_at'),
})
