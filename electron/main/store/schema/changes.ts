import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { adAccounts, workspaces } from './core'

/**
 * The change pipeline's outbox: one row per write to an ad platform, persisted before anything is
 * sent (shared/domain/changes.ts has the states and transitions; ChangeRepo all of the SQL).
 * Values are stored as text: a status word or a budget in integer micros.
 */
export const changes = sqliteTable(
  'changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: integer('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => adAccounts.id, { onDelete: 'cascade' }),
    /** campaign | ad_set | ad */
    entityType: text('entity_type').notNull(),
    entityId: integer('entity_id').notNull(),
    externalId: text('external_id').notNull(),
    /** JSON ChangeAction: pause | enable | set_budget | change_budget_pct | change_budget_amount. */
    action: text('action').notNull(),
    /** status | daily_budget */
    field: text('field').notNull(),
    /** Value known when proposed (null: none). */
    beforeValue: text('before_value'),
    requestedValue: text('requested_value').notNull(),
    /** Platform value read before the first write (written before that write is sent). */
    platformBefore: text('platform_before'),
    /** Platform value read back after applying. */
    appliedValue: text('applied_value'),
    /** proposed | approved | applying | applied | failed | rejected | undone */
    state: text('state').notNull(),
    /** user | rule | recommendation | system */
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id').notNull(),
    actorLabel: text('actor_label').notNull(),
    reason: text('reason'),
    /** JSON: the metric values the caller attached. */
    metrics: text('metrics').notNull().default('{}'),
    idempotencyKey: text('idempotency_key').notNull(),
    batchId: text('batch_id').notNull(),
    /** The change this one undoes. */
    undoOf: integer('undo_of'),
    /** The undo change of this one. */
    undoneBy: integer('undone_by'),
    attempts: integer('attempts').notNull().default(0),
    /** Write requests started for this change (committed before each is sent). */
    writes: integer('writes').notNull().default(0),
    error: text('error'),
    /** JSON string[] (e.g. shared Google budgets). */
    warnings: text('warnings').notNull().default('[]'),
    decidedBy: text('decided_by'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    appliedAt: text('applied_at'),
    nextAttemptAt: text('next_attempt_at'),
  },
  (t) => [
    uniqueIndex('changes_idempotency_uq').on(t.idempotencyKey),
    index('changes_state_idx').on(t.state, t.id),
    index('changes_ws_idx').on(t.workspaceId, t.id),
    index('changes_batch_idx').on(t.batchId),
    index('changes_entity_idx').on(t.entityType, t.entityId),
  ],
)
