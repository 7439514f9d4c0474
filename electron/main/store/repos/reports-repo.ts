import type {
  DeliveryState,
  ReportOptions,
  ReportTemplate,
  SavedTemplate,
  Schedule,
} from '../../../../shared/domain/reports'
import type { Sqlite } from '../db'

/** A generated report as stored (the file's existence is checked by the service). */
export interface ReportRow {
  id: number
  workspaceId: number
  scheduleId: number | null
  template: ReportTemplate
  title: string
  range: { from: string; to: string }
  file: string
  bytes: number
  pages: number
  charts: number
  warnings: string[]
  requestedBy: string
  createdAt: string
  recipients: string[]
  delivery: DeliveryState
  deliveryError: string | null
  sentAt: string | null
}

export type NewReport = Omit<ReportRow, 'id' | 'deliveryError' | 'sentAt'>

/** A schedule as written: everything but its id and the time of its last run. */
export type ScheduleFields = Omit<Schedule, 'id' | 'lastRunAt'>

interface TemplateDb {
  id: number
  workspace_id: number
  name: string
  template: string
  options: string
  updated_at: string
}

interface ScheduleDb {
  id: number
  workspace_id: number
  name: string
  template: string
  options: string
  cadence: string
  weekday: number
  day_of_month: number
  time: string
  time_zone: string
  recipients: string
  enabled: number
  next_run_at: string | null
  last_run_at: string | null
}

interface ReportDb {
  id: number
  workspace_id: number
  schedule_id: number | null
  template: string
  title: string
  range_from: string
  range_to: string
  file: string
  bytes: number
  pages: number
  charts: number
  warnings: string
  requested_by: string
  created_at: string
  recipients: string
  delivery: string
  delivery_error: string | null
  sent_at: string | null
}

const template = (r: TemplateDb): SavedTemplate => ({
  id: r.id,
  workspaceId: r.workspace_id,
  name: r.name,
  template: r.template as ReportTemplate,
  options: JSON.parse(r.options) as ReportOptions,
  updatedAt: r.updated_at,
})

const schedule = (r: ScheduleDb): Schedule => ({
  id: r.id,
  workspaceId: r.workspace_id,
  name: r.name,
  template: r.template as ReportTemplate,
  options: JSON.parse(r.options) as ReportOptions,
  cadence: r.cadence as Schedule['cadence'],
  weekday: r.weekday,
  dayOfMonth: r.day_of_month,
  time: r.time,
  timeZone: r.time_zone,
  recipients: JSON.parse(r.recipients) as string[],
  enabled: r.enabled === 1,
  nextRunAt: r.next_run_at,
  lastRunAt: r.last_run_at,
})

const report = (r: ReportDb): ReportRow => ({
  id: r.id,
  workspaceId: r.workspace_id,
  scheduleId: r.schedule_id,
  template: r.template as ReportTemplate,
  title: r.title,
  range: { from: r.range_from, to: r.range_to },
  file: r.file,
  bytes: r.bytes,
  pages: r.pages,
  charts: r.charts,
  warnings: JSON.parse(r.warnings) as string[],
  requestedBy: r.requested_by,
  createdAt: r.created_at,
  recipients: JSON.parse(r.recipients) as string[],
  delivery: r.delivery as ReportRow['delivery'],
  deliveryError: r.delivery_error,
  sentAt: r.sent_at,
})

/** Saved report templates, schedules and the history of generated reports. */
export class ReportsRepo {
  constructor(private readonly sqlite: Sqlite) {}

  // ── saved templates ──

  listTemplates(workspaceId: number): SavedTemplate[] {
    return (
      this.sqlite
        .prepare('SELECT * FROM report_templates WHERE workspace_id = ? ORDER BY name')
        .all(workspaceId) as TemplateDb[]
    ).map(template)
  }

  getTemplate(workspaceId: number, id: number): SavedTemplate | null {
    const r = this.sqlite
      .prepare('SELECT * FROM report_templates WHERE workspace_id = ? AND id = ?')
      .get(workspaceId, id) as TemplateDb | undefined
    return r ? template(r) : null
  }

  templateNamed(workspaceId: number, name: string): SavedTemplate | null {
    const r = this.sqlite
      .prepare('SELECT * FROM report_templates WHERE workspace_id = ? AND name = ?')
      .get(workspaceId, name) as TemplateDb | undefined
    return r ? template(r) : null
  }

  insertTemplate(t: { workspaceId: number; name: string; template: string; options: ReportOptions }, at: string) {
    const id = this.sqlite
      .prepare(
        `INSERT INTO report_templates (workspace_id, name, template, options, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(t.workspaceId, t.name, t.template, JSON.stringify(t.options), at, at).lastInsertRowid
    return Number(id)
  }

  updateTemplate(
    id: number,
    t: { workspaceId: number; name: string; template: string; options: ReportOptions },
    at: string,
  ): boolean {
    return (
      this.sqlite
        .prepare(
          `UPDATE report_templates SET name = ?, template = ?, options = ?, updated_at = ?
           WHERE id = ? AND workspace_id = ?`,
        )
        .run(t.name, t.template, JSON.stringify(t.options), at, id, t.workspaceId).changes > 0
    )
  }

  deleteTemplate(workspaceId: number, id: number): boolean {
    return (
      this.sqlite.prepare('DELETE FROM report_templates WHERE workspace_id = ? AND id = ?').run(workspaceId, id)
        .changes > 0
    )
  }

  // ── schedules ──

  listSchedules(workspaceId: number): Schedule[] {
    return (
      this.sqlite
        .prepare('SELECT * FROM report_schedules WHERE workspace_id = ? ORDER BY name, id')
        .all(workspaceId) as ScheduleDb[]
    ).map(schedule)
  }

  getSchedule(workspaceId: number, id: number): Schedule | null {
    const r = this.sqlite
      .prepare('SELECT * FROM report_schedules WHERE workspace_id = ? AND id = ?')
      .get(workspaceId, id) as ScheduleDb | undefined
    return r ? schedule(r) : null
  }

  /** Enabled schedules whose next run is at or before `now` (ISO), oldest first. */
  dueSchedules(now: string): Schedule[] {
    return (
      this.sqlite
        .prepare(
          `SELECT * FROM report_schedules WHERE enabled = 1 AND next_run_at IS NOT NULL AND next_run_at <= ?
           ORDER BY next_run_at, id`,
        )
        .all(now) as ScheduleDb[]
    ).map(schedule)
  }

  /** The earliest next run of any enabled schedule (ISO), or null. */
  nextDue(): string | null {
    const r = this.sqlite
      .prepare('SELECT MIN(next_run_at) AS t FROM report_schedules WHERE enabled = 1 AND next_run_at IS NOT NULL')
      .get() as { t: string | null }
    return r.t
  }

  insertSchedule(s: ScheduleFields, at: string): number {
    const id = this.sqlite
      .prepare(
        `INSERT INTO report_schedules (workspace_id, name, template, options, cadence, weekday, day_of_month,
           time, time_zone, recipients, enabled, next_run_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...scheduleValues(s), at, at).lastInsertRowid
    return Number(id)
  }

  updateSchedule(id: number, s: ScheduleFields, at: string): boolean {
    return (
      this.sqlite
        .prepare(
          `UPDATE report_schedules SET workspace_id = ?, name = ?, template = ?, options = ?, cadence = ?, weekday = ?,
             day_of_month = ?, time = ?, time_zone = ?, recipients = ?, enabled = ?, next_run_at = ?, updated_at = ?
           WHERE id = ? AND workspace_id = ?`,
        )
        .run(...scheduleValues(s), at, id, s.workspaceId).changes > 0
    )
  }

  /** Record a run: when it ran and when the next one is due. */
  markRun(id: number, ranAt: string, nextRunAt: string | null): void {
    this.sqlite
      .prepare('UPDATE report_schedules SET last_run_at = ?, next_run_at = ? WHERE id = ?')
      .run(ranAt, nextRunAt, id)
  }

  deleteSchedule(workspaceId: number, id: number): boolean {
    return (
      this.sqlite.prepare('DELETE FROM report_schedules WHERE workspace_id = ? AND id = ?').run(workspaceId, id)
        .changes > 0
    )
  }

  // ── history ──

  insertReport(r: NewReport): number {
    const id = this.sqlite
      .prepare(
        `INSERT INTO reports (workspace_id, schedule_id, template, title, range_from, range_to, file, bytes, pages,
           charts, warnings, requested_by, created_at, recipients, delivery)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.workspaceId,
        r.scheduleId,
        r.template,
        r.title,
        r.range.from,
        r.range.to,
        r.file,
        r.bytes,
        r.pages,
        r.charts,
        JSON.stringify(r.warnings),
        r.requestedBy,
        r.createdAt,
        JSON.stringify(r.recipients),
        r.delivery,
      ).lastInsertRowid
    return Number(id)
  }

  getReport(workspaceId: number, id: number): ReportRow | null {
    const r = this.sqlite.prepare('SELECT * FROM reports WHERE workspace_id = ? AND id = ?').get(workspaceId, id) as
      ReportDb | undefined
    return r ? report(r) : null
  }

  listReports(workspaceId: number, limit: number, scheduleId?: number): ReportRow[] {
    const rows =
      scheduleId === undefined
        ? this.sqlite
            .prepare('SELECT * FROM reports WHERE workspace_id = ? ORDER BY created_at DESC, id DESC LIMIT ?')
            .all(workspaceId, limit)
        : this.sqlite
            .prepare(
              `SELECT * FROM reports WHERE workspace_id = ? AND schedule_id = ?
               ORDER BY created_at DESC, id DESC LIMIT ?`,
            )
            .all(workspaceId, scheduleId, limit)
    return (rows as ReportDb[]).map(report)
  }

  setDelivery(
    id: number,
    d: { recipients: string[]; delivery: ReportRow['delivery']; error: string | null; sentAt: string | null },
  ): void {
    this.sqlite
      .prepare('UPDATE reports SET recipients = ?, delivery = ?, delivery_error = ?, sent_at = ? WHERE id = ?')
      .run(JSON.stringify(d.recipients), d.delivery, d.error, d.sentAt, id)
  }

  /** Reports of a workspace created before `before` (ISO): what retention removes. */
  reportsBefore(workspaceId: number, before: string): ReportRow[] {
    return (
      this.sqlite
        .prepare('SELECT * FROM reports WHERE workspace_id = ? AND created_at < ? ORDER BY id')
        .all(workspaceId, before) as ReportDb[]
    ).map(report)
  }

  deleteReports(ids: number[]): void {
    const del = this.sqlite.prepare('DELETE FROM reports WHERE id = ?')
    this.sqlite
      .transaction(() => {
        for (const id of ids) del.run(id)
      })
      .immediate()
  }
}

function scheduleValues(s: ScheduleFields): (string | number | null)[] {
  return [
    s.workspaceId,
    s.name,
    s.template,
    JSON.stringify(s.options),
    s.cadence,
    s.weekday,
    s.dayOfMonth,
    s.time,
    s.timeZone,
    JSON.stringify(s.recipients),
    s.enabled ? 1 : 0,
    s.nextRunAt,
  ]
}
