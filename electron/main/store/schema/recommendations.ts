import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { workspaces } from './core'

/**
 * Recommendations (shared/domain/recommendations.ts; RecommendationsRepo holds all of the SQL).
 * One row per piece of advice, keyed per workspace by what makes it unique (kind + entities), so
 * a regeneration updates the row instead of adding a second one. Money in integer micros of
 * `currency`; the body (entities, evidence, proposed changes, reallocation table) is JSON.
 */
export const recommendations = sqliteTable(
  'recommendations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: integer('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** budget_reallocation | scaling | creative_refresh | audience_expansion | waste | structure | ab_test */
    kind: text('kind').notNull(),
    /** What makes it unique in the workspace, e.g. `waste:ad_set:42`. */
    key: text('key').notNull(),
    /** new | applied | dismissed | snoozed | expired */
    state: text('state').notNull(),
    title: text('title').notNull(),
    currency: text('currency').notNull(),
    /** Expected impact per week (point and 80% interval), micros of `currency`; null: not estimated. */
    impactMicros: integer('impact_micros'),
    impactLowerMicros: integer('impact_lower_micros'),
    impactUpperMicros: integer('impact_upper_micros'),
    confidence: real('confidence').notNull(),
    /** Impact (in the reporting currency) x confidence; the list's order. */
    priority: real('priority').notNull(),
    /** JSON RecommendationBody. */
    body: text('body').notNull(),
    snoozedUntil: text('snoozed_until'),
    /** The change batch of an applied recommendation. */
    batchId: text('batch_id'),
    /** JSON RecommendationFollowUp once applied. */
    followUp: text('follow_up'),
    /** Principal label of who applied, dismissed or snoozed it. */
    decidedBy: text('decided_by'),
    decidedAt: text('decided_at'),
    createdAt: text('created_at').notNull(),
    /** Last generation that still supported it. */
    seenAt: text('seen_at').notNull(),
  },
  (t) => [
    uniqueIndex('recommendations_key_uq').on(t.workspaceId, t.key),
    index('recommendations_ws_state_idx').on(t.workspaceId, t.state),
  ],
)
