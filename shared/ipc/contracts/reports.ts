import { z } from 'zod'
import { SmtpSettingsSchema } from '../../domain/alerts'
import { DateRangeSchema } from '../../domain/metrics'
import {
  HistoryEntrySchema,
  RETENTION_DAYS,
  ReportOptionsSchema,
  ReportResultSchema,
  ReportSectionSchema,
  ReportSettingsSchema,
  ReportTemplateSchema,
  SavedTemplateInputSchema,
  SavedTemplateSchema,
  ScheduleInputSchema,
  ScheduleSchema,
} from '../../domain/reports'
import type { REPORTS_INVOKE_CHANNELS } from '../channels/reports'
import { ADMIN, EDIT, READ, type ChannelSpec } from '../spec'

type Invoke = (typeof REPORTS_INVOKE_CHANNELS)[number]

const WorkspaceId = z.number().int().positive()
const Id = z.number().int().positive()
const Ref = z.object({ workspaceId: WorkspaceId, id: Id }).strict()
const Hex = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour as #rrggbb')

/** Largest PDF the page reads back (base64 in JSON: about 4/3 of it travels). */
export const MAX_REPORT_FILE_BYTES = 25 * 1024 * 1024
/** Largest logo accepted at upload. */
export const MAX_LOGO_BYTES = 2 * 1024 * 1024

const EmailResultSchema = z.object({ ok: z.boolean(), message: z.string() })

/** Invoke channels of PDF reports: templates, branding, generation, schedules with email, history. */
export const reportsContract = {
  /** The built-in templates with their sections, and the workspace's saved templates. */
  'reports:listTemplates': {
    ...READ,
    input: z.object({ workspaceId: WorkspaceId }).strict(),
    output: z.object({
      builtIn: z.array(
        z.object({ template: ReportTemplateSchema, title: z.string(), sections: z.array(ReportSectionSchema) }),
      ),
      saved: z.array(SavedTemplateSchema),
    }),
  },
  /** Create or update a saved template (names are unique per workspace). */
  'reports:saveTemplate': { ...EDIT, input: SavedTemplateInputSchema, output: SavedTemplateSchema },
  'reports:deleteTemplate': { ...EDIT, input: Ref, output: z.object({ deleted: z.boolean() }) },
  /**
   * Render a report with the workspace's branding into the data folder's reports folder and record it
   * in the history. A viewer may: the figures are read as the caller, as on the dashboard.
   */
  'reports:generate': {
    ...READ,
    input: z
      .object({
        workspaceId: WorkspaceId,
        template: ReportTemplateSchema,
        range: DateRangeSchema,
        options: ReportOptionsSchema,
      })
      .strict(),
    output: ReportResultSchema.omit({ file: true }).extend({ historyId: z.number().int(), fileName: z.string() }),
  },
  /** Branding, retention and the email server of a workspace's reports. */
  'reports:getSettings': {
    ...READ,
    input: z.object({ workspaceId: WorkspaceId }).strict(),
    output: ReportSettingsSchema,
  },
  /**
   * Branding: company, colours, footer, logo. `logo`: a PNG or SVG as base64 (checked now: a broken
   * file is refused with the reason and the old logo kept), null to remove it, absent to keep it.
   */
  'reports:saveBranding': {
    ...EDIT,
    input: z
      .object({
        workspaceId: WorkspaceId,
        companyName: z.string().trim().max(120).optional(),
        primaryColor: Hex.optional(),
        accentColor: Hex.optional(),
        footerText: z.string().max(200).optional(),
        logo: z
          .object({
            fileName: z.string().min(1).max(255),
            base64: z.string().max(Math.ceil((MAX_LOGO_BYTES * 4) / 3) + 4),
          })
          .strict()
          .nullable()
          .optional(),
      })
      .strict(),
    output: ReportSettingsSchema,
  },
  /**
   * The SMTP server scheduled reports go out through and how long reports are kept. `password`:
   * a new one, null to remove it, absent to keep it (kept in the secret store, never returned).
   */
  'reports:saveDelivery': {
    ...ADMIN,
    input: z
      .object({
        workspaceId: WorkspaceId,
        smtp: SmtpSettingsSchema.nullable().optional(),
        password: z.string().max(1000).nullable().optional(),
        retentionDays: z.number().int().min(RETENTION_DAYS.min).max(RETENTION_DAYS.max).optional(),
      })
      .strict(),
    output: ReportSettingsSchema,
  },
  /** Send a short test email through the workspace's report SMTP server. */
  'reports:testEmail': {
    ...ADMIN,
    input: z.object({ workspaceId: WorkspaceId, to: z.string().trim().email().max(254) }).strict(),
    output: EmailResultSchema,
  },
  'reports:listSchedules': {
    ...READ,
    input: z.object({ workspaceId: WorkspaceId }).strict(),
    output: z.array(ScheduleSchema),
  },
  /** Create or update a schedule; its next run is computed in its time zone. */
  'reports:saveSchedule': { ...EDIT, input: ScheduleInputSchema, output: ScheduleSchema },
  'reports:deleteSchedule': { ...EDIT, input: Ref, output: z.object({ deleted: z.boolean() }) },
  /** Generate and email a schedule's report now (its regular runs stay as they are). */
  'reports:runSchedule': { ...EDIT, input: Ref, output: HistoryEntrySchema },
  /** Generated reports, newest first. */
  'reports:listHistory': {
    ...READ,
    input: z
      .object({
        workspaceId: WorkspaceId,
        limit: z.number().int().min(1).max(500).default(100),
        scheduleId: Id.optional(),
      })
      .strict(),
    output: z.array(HistoryEntrySchema),
  },
  /** A generated PDF's bytes (base64) for preview and download; at most MAX_REPORT_FILE_BYTES. */
  'reports:getFile': {
    ...READ,
    input: Ref,
    output: z.object({ fileName: z.string(), bytes: z.number().int(), base64: z.string() }),
  },
  /**
   * Open a generated PDF with the system's PDF viewer (desktop app only: the browser preview and the
   * CLI answer FORBIDDEN, and the page offers its download there).
   */
  'reports:openFile': {
    ...READ,
    input: Ref,
    output: z.object({ file: z.string() }),
  },
  /** Email a generated report again (to its recipients, or to the ones given). */
  'reports:resend': {
    ...EDIT,
    input: z
      .object({
        workspaceId: WorkspaceId,
        id: Id,
        recipients: z.array(z.string().trim().email().max(254)).min(1).max(50).optional(),
      })
      .strict(),
    output: HistoryEntrySchema,
  },
} satisfies Record<Invoke, ChannelSpec>
