import { sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { workspaces } from './core'

const nowIso = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`

/** A workspace's saved report templates: a base template with its sections and options (JSON). */
export const reportTemplates = sqliteTable(
  'report_templates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: integer('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** weekly | monthly | campaign | creative | executive */
    template: text('template').notNull(),
    /** JSON ReportOptions (shared/domain/reports.ts). */
    options: text('options').notNull(),
    createdAt: text('created_at').notNull().default(nowIso),
    updatedAt: text('updated_at').notNull().default(nowIso),
  },
  (t) => [uniqueIndex('report_templates_ws_name_idx').on(t.workspaceId, t.name)],
)

/** Reports generated and emailed on a weekly or monthly schedule, in the schedule's time zone. */
export const reportSchedules = sqliteTable(
  'report_schedules',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: integer('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    template: text('template').notNull(),
    /** JSON ReportOptions. */
    options: text('options').notNull(),
    /** weekly | monthly */
    cadence: text('cadence').notNull(),
    /** ISO weekday 1-7 (weekly). */
    weekday: integer('weekday').notNull(),
    /** 1-28 (monthly). */
    dayOfMonth: integer('day_of_month').notNull(),
    /** Local HH:MM. */
    time: text('time').notNull(),
    /** IANA time zone. */
    timeZone: text('time_zone').notNull(),
    /** JSON array of email addresses. */
    recipients: text('recipients').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    /** UTC ISO instant; null when disabled. */
    nextRunAt: text('next_run_at'),
    lastRunAt: text('last_run_at'),
    createdAt: text('created_at').notNull().default(nowIso),
    updatedAt: text('updated_at').notNull().default(nowIso),
  },
  (t) => [index('report_schedules_due_idx').on(t.enabled, t.nextRunAt)],
)

/** Generated reports (by a person or a schedule): the file, its figures and its email delivery. */
export const reports = sqliteTable(
  'reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: integer('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    scheduleId: integer('schedule_id').references(() => reportSchedules.id, { onDelete: 'set null' }),
    template: text('template').notNull(),
    title: text('title').notNull(),
    rangeFrom: text('range_from').notNull(),
    rangeTo: text('range_to').notNull(),
    /** Absolute path inside the data folder's reports folder. */
    file: text('file').notNull(),
    bytes: integer('bytes').notNull(),
    pages: integer('pages').notNull(),
    charts: integer('charts').notNull(),
    /** JSON array of the generation's warnings. */
    warnings: text('warnings').notNull(),
    /** Principal label of who asked (user:…, system:report-schedule:3). */
    requestedBy: text('requested_by').notNull(),
    createdAt: text('created_at').notNull(),
    /** JSON array of the addresses it was (or was to be) sent to. */
    recipients: text('recipients').notNull(),
    /** not_sent | sent | failed */
    delivery: text('delivery').notNull(),
    deliveryError: text('delivery_error'),
    sentAt: text('sent_at'),
  },
  (t) => [index('reports_ws_created_idx').on(t.workspaceId, t.createdAt)],
)
