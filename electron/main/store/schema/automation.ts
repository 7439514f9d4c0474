import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { workspaces } from './core'

/**
 * Automation rules (shared/domain/rules.ts; RulesRepo holds all of the SQL). A rule's current
 * definition is copied on the row for listing; every edit adds a `rule_versions` row and bumps
 * `version`, and every run records the version it used.
 */
export const automationRules = sqliteTable(
  'automation_rules',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: integer('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** JSON RuleDefinition of the current version. */
    definition: text('definition').notNull(),
    version: integer('version').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    /** Soft delete: runs and versions stay readable. */
    deletedAt: text('deleted_at'),
    lastRunAt: text('last_run_at'),
    nextRunAt: text('next_run_at'),
  },
  (t) => [index('automation_rules_ws_idx').on(t.workspaceId)],
)

/** Every saved version of a rule (append-only). */
export const ruleVersions = sqliteTable(
  'rule_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ruleId: integer('rule_id')
      .notNull()
      .references(() => automationRules.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    definition: text('definition').notNull(),
    /** Principal label of who saved it. */
    createdBy: text('created_by').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('rule_versions_uq').on(t.ruleId, t.version)],
)

/** One evaluation of a rule (scheduled, after a sync, manual or a stored dry run). */
export const ruleRuns = sqliteTable(
  'rule_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ruleId: integer('rule_id')
      .notNull()
      .references(() => automationRules.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    workspaceId: integer('workspace_id').notNull(),
    /** schedule | after_sync | manual */
    trigger: text('trigger').notNull(),
    /** preview | approval | automatic */
    mode: text('mode').notNull(),
    dryRun: integer('dry_run', { mode: 'boolean' }).notNull(),
    /** succeeded | failed | skipped */
    status: text('status').notNull(),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at').notNull(),
    considered: integer('considered').notNull().default(0),
    matched: integer('matched').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    actions: integer('actions').notNull().default(0),
    /** The change pipeline batch of the run's changes. */
    batchId: text('batch_id'),
    message: text('message'),
    /**
     * JSON: what the evaluation saw beyond the rule version and the time (each account's first, last
     * and last settled day), so a decision recorded compactly can be recomputed as the run saw it.
     */
    inputs: text('inputs'),
  },
  (t) => [index('rule_runs_rule_idx').on(t.ruleId, t.id)],
)

/** Every entity a run considered: matched, not matched or skipped with the reason and numbers. */
export const ruleDecisions = sqliteTable(
  'rule_decisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: integer('run_id')
      .notNull()
      .references(() => ruleRuns.id, { onDelete: 'cascade' }),
    entityType: text('entity_type').notNull(),
    entityId: integer('entity_id').notNull(),
    entityName: text('entity_name').notNull(),
    accountId: integer('account_id'),
    /** matched | not_matched | skipped */
    outcome: text('outcome').notNull(),
    reason: text('reason'),
    detail: text('detail'),
    /** JSON ConditionResult[] */
    conditions: text('conditions').notNull().default('[]'),
    /** JSON DecisionAction[] */
    actions: text('actions').notNull().default('[]'),
  },
  (t) => [index('rule_decisions_run_idx').on(t.runId), index('rule_decisions_entity_idx').on(t.entityType, t.entityId)],
)

/**
 * The entities a run considered that did not act — not matched, skipped before their conditions
 * held (data minimum, provisional, learning, no forecast, deleted) or past the action limits —
 * recorded compactly: one row per (outcome, reason) with the entity ids (sorted, delta-varint
 * packed; see store/repos/id-pack.ts). Their numbers are recomputed on demand (`rules:explain`).
 * Matched entities and the other skips of matched ones (cooldown, conflict, budget limits) stay
 * full rows in rule_decisions (shared/domain/rules.ts COMPACT_SKIP_REASONS).
 */
export const ruleDecisionSets = sqliteTable(
  'rule_decision_sets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: integer('run_id')
      .notNull()
      .references(() => ruleRuns.id, { onDelete: 'cascade' }),
    entityType: text('entity_type').notNull(),
    /** not_matched | skipped */
    outcome: text('outcome').notNull(),
    reason: text('reason'),
    count: integer('count').notNull(),
    entityIds: blob('entity_ids', { mode: 'buffer' }).notNull(),
  },
  (t) => [
    index('rule_decision_sets_run_idx').on(t.runId),
    index('rule_decision_sets_type_idx').on(t.entityType, t.runId),
  ],
)

/** Local labels on campaigns, ad sets and ads (rules add them and filter on them). */
export const entityLabels = sqliteTable(
  'entity_labels',
  {
    workspaceId: integer('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    entityType: text('entity_type').notNull(),
    entityId: integer('entity_id').notNull(),
    label: text('label').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ name: 'entity_labels_pk', columns: [t.entityType, t.entityId, t.label] })],
)
