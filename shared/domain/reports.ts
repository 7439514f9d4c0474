import { z } from 'zod'
import { addDays } from './dates'
import { DateRangeSchema } from './metrics'

/** The report templates a user starts from; each is an ordered list of sections they can change. */
export const REPORT_TEMPLATES = ['weekly', 'monthly', 'campaign', 'creative', 'executive'] as const
export const ReportTemplateSchema = z.enum(REPORT_TEMPLATES)
export type ReportTemplate = z.infer<typeof ReportTemplateSchema>

/** Sections a report can hold, in any order. */
export const REPORT_SECTIONS = [
  'kpis',
  'trend',
  'platforms',
  'top_campaigns',
  'bottom_campaigns',
  'campaign_table',
  'anomalies',
  'creatives',
  'pacing',
  'forecast',
  'recommendations',
  'commentary',
] as const
export const ReportSectionSchema = z.enum(REPORT_SECTIONS)
export type ReportSection = z.infer<typeof ReportSectionSchema>

export const REPORT_SECTION_TITLES: Record<ReportSection, string> = {
  kpis: 'Key figures',
  trend: 'Spend and revenue',
  platforms: 'Platform split',
  top_campaigns: 'Top campaigns',
  bottom_campaigns: 'Campaigns to review',
  campaign_table: 'All campaigns',
  anomalies: 'Anomalies',
  creatives: 'Creatives',
  pacing: 'Budget pacing',
  forecast: 'Forecast',
  recommendations: 'Recommendations',
  commentary: 'Commentary',
}

export const TEMPLATE_SECTIONS: Record<ReportTemplate, readonly ReportSection[]> = {
  weekly: [
    'kpis',
    'trend',
    'platforms',
    'top_campaigns',
    'bottom_campaigns',
    'anomalies',
    'recommendations',
    'commentary',
  ],
  monthly: [
    'kpis',
    'trend',
    'platforms',
    'top_campaigns',
    'bottom_campaigns',
    'pacing',
    'anomalies',
    'creatives',
    'forecast',
    'recommendations',
    'campaign_table',
    'commentary',
  ],
  campaign: ['kpis', 'trend', 'campaign_table', 'anomalies', 'forecast'],
  creative: ['kpis', 'creatives', 'platforms'],
  executive: ['kpis', 'trend', 'platforms', 'top_campaigns', 'commentary'],
}

export const REPORT_TEMPLATE_TITLES: Record<ReportTemplate, string> = {
  weekly: 'Weekly performance summary',
  monthly: 'Monthly report',
  campaign: 'Campaign deep-dive',
  creative: 'Creative report',
  executive: 'Executive summary',
}

/** Hex colour such as #1f3a8a. */
const Hex = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour as #rrggbb')

export const BrandingSchema = z
  .object({
    companyName: z.string().trim().min(1).max(120).optional(),
    /** Primary colour: cover band, headings, first chart series. */
    primaryColor: Hex.optional(),
    /** Accent colour: the second chart series. */
    accentColor: Hex.optional(),
    footerText: z.string().max(200).optional(),
    /** Absolute path of a PNG or SVG logo (checked when the branding is saved). */
    logoPath: z.string().max(4096).optional(),
  })
  .strict()
export type Branding = z.infer<typeof BrandingSchema>

export const ReportSpecSchema = z
  .object({
    workspaceId: z.number().int().positive(),
    template: ReportTemplateSchema,
    range: DateRangeSchema,
    /** The period the deltas compare against. */
    comparison: z.enum(['previous', 'none']).default('previous'),
    accountIds: z.array(z.number().int().positive()).max(500).optional(),
    /** Override the template's sections (order kept; duplicates refused). */
    sections: z
      .array(ReportSectionSchema)
      .min(1)
      .max(REPORT_SECTIONS.length)
      .refine((s) => new Set(s).size === s.length, 'A section appears twice')
      .optional(),
    commentary: z.string().max(5000).optional(),
    paper: z.enum(['a4', 'letter']).default('a4'),
    orientation: z.enum(['portrait', 'landscape']).default('portrait'),
    /** Rows of the all-campaigns table (highest spend first). */
    maxTableRows: z.number().int().min(1).max(2000).default(200),
    branding: BrandingSchema.optional(),
  })
  .strict()
export type ReportSpec = z.input<typeof ReportSpecSchema>
export type ParsedReportSpec = z.output<typeof ReportSpecSchema>

export const ReportResultSchema = z.object({
  file: z.string(),
  pages: z.number().int(),
  charts: z.number().int(),
  bytes: z.number().int(),
  ms: z.number(),
  /** Charts drawn as PNG because they could not be drawn as vectors. */
  rasterCharts: z.number().int(),
  /** Plain-language notes: text in scripts the embedded font lacks, sections without data. */
  warnings: z.array(z.string()),
})
export type ReportResult = z.infer<typeof ReportResultSchema>

// ── Saved templates, branding, schedules and history (the Reports page, schedules, email) ──────

/**
 * What a saved template keeps beside its base template: everything of a spec except workspace, range
 * and branding (stored per workspace).
 */
export const ReportOptionsSchema = ReportSpecSchema.omit({
  workspaceId: true,
  template: true,
  range: true,
  branding: true,
})
export type ReportOptions = z.output<typeof ReportOptionsSchema>

const TemplateName = z.string().trim().min(1, 'Give the template a name').max(80)

/** A workspace's saved template: a base template with its sections and options. */
export const SavedTemplateSchema = z.object({
  id: z.number().int(),
  workspaceId: z.number().int(),
  name: z.string(),
  template: ReportTemplateSchema,
  options: ReportOptionsSchema,
  updatedAt: z.string(),
})
export type SavedTemplate = z.infer<typeof SavedTemplateSchema>

export const SavedTemplateInputSchema = z
  .object({
    workspaceId: z.number().int().positive(),
    /** Absent: a new template. */
    id: z.number().int().positive().optional(),
    name: TemplateName,
    template: ReportTemplateSchema,
    options: ReportOptionsSchema,
  })
  .strict()

/** Branding stored per workspace (the logo is a copy in the data folder, checked at upload). */
export const StoredBrandingSchema = z.object({
  companyName: z.string().optional(),
  primaryColor: z.string().optional(),
  accentColor: z.string().optional(),
  footerText: z.string().optional(),
  /** File name of the uploaded logo, shown on the page; null: no logo. */
  logoName: z.string().nullable(),
})
export type StoredBranding = z.infer<typeof StoredBrandingSchema>

/** How long generated reports (rows and files) are kept. */
export const RETENTION_DAYS = { min: 7, max: 3650, default: 180 } as const

export const ReportSettingsSchema = z.object({
  branding: StoredBrandingSchema,
  retentionDays: z.number().int(),
  /** SMTP server scheduled reports are sent through (the password sits in the secret store). */
  email: z
    .object({
      host: z.string(),
      port: z.number().int(),
      security: z.enum(['tls', 'starttls', 'none']),
      username: z.string().optional(),
      from: z.string(),
      hasPassword: z.boolean(),
    })
    .nullable(),
})
export type ReportSettings = z.infer<typeof ReportSettingsSchema>

export const SCHEDULE_CADENCES = ['weekly', 'monthly'] as const
export type ScheduleCadence = (typeof SCHEDULE_CADENCES)[number]
/** ISO weekdays, 1 = Monday … 7 = Sunday. */
export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const

const EmailAddress = z.string().trim().max(254).email('Expected an email address such as boss@example.com')

export const ScheduleInputSchema = z
  .object({
    workspaceId: z.number().int().positive(),
    id: z.number().int().positive().optional(),
    name: TemplateName,
    template: ReportTemplateSchema,
    options: ReportOptionsSchema,
    /** weekly: the previous full ISO week; monthly: the previous calendar month. */
    cadence: z.enum(SCHEDULE_CADENCES),
    /** weekly: ISO weekday 1 (Monday) … 7 (Sunday). */
    weekday: z.number().int().min(1).max(7).default(1),
    /** monthly: day of the month 1 … 28 (every month has it). */
    dayOfMonth: z.number().int().min(1).max(28).default(1),
    /** Local time HH:MM in `timeZone`. */
    time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Expected a time as HH:MM'),
    /** IANA time zone; default: the workspace's first ad account's. */
    timeZone: z.string().min(1).max(64).optional(),
    recipients: z.array(EmailAddress).min(1, 'Add at least one recipient').max(50),
    enabled: z.boolean().default(true),
  })
  .strict()
export type ScheduleInput = z.input<typeof ScheduleInputSchema>

export const ScheduleSchema = z.object({
  id: z.number().int(),
  workspaceId: z.number().int(),
  name: z.string(),
  template: ReportTemplateSchema,
  options: ReportOptionsSchema,
  cadence: z.enum(SCHEDULE_CADENCES),
  weekday: z.number().int(),
  dayOfMonth: z.number().int(),
  time: z.string(),
  timeZone: z.string(),
  recipients: z.array(z.string()),
  enabled: z.boolean(),
  /** UTC instant of the next run; null when disabled. */
  nextRunAt: z.string().nullable(),
  lastRunAt: z.string().nullable(),
})
export type Schedule = z.infer<typeof ScheduleSchema>

export const DELIVERY_STATES = ['not_sent', 'sent', 'failed'] as const
export type DeliveryState = (typeof DELIVERY_STATES)[number]

/** One generated report (by a person or a schedule) and what became of its email. */
export const HistoryEntrySchema = z.object({
  id: z.number().int(),
  workspaceId: z.number().int(),
  scheduleId: z.number().int().nullable(),
  template: ReportTemplateSchema,
  title: z.string(),
  range: DateRangeSchema,
  fileName: z.string(),
  /** False once retention or a person removed the file. */
  fileExists: z.boolean(),
  bytes: z.number().int(),
  pages: z.number().int(),
  charts: z.number().int(),
  warnings: z.array(z.string()),
  requestedBy: z.string(),
  createdAt: z.string(),
  recipients: z.array(z.string()),
  delivery: z.enum(DELIVERY_STATES),
  deliveryError: z.string().nullable(),
  sentAt: z.string().nullable(),
})
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>

/** The last full calendar month before `today`. */
export function lastFullMonth(today: string): { from: string; to: string } {
  const to = addDays(`${today.slice(0, 7)}-01`, -1)
  return { from: `${to.slice(0, 7)}-01`, to }
}

/** The last full ISO week (Monday to Sunday) before `today`'s week. */
export function lastFullWeek(today: string): { from: string; to: string } {
  const dow = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7
  const monday = addDays(today, -dow)
  return { from: addDays(monday, -7), to: addDays(monday, -1) }
}

/** The default period of a template: the last full month (monthly) or ISO week (the others). */
export function templateRange(
  template: ReportTemplate | 'weekly' | 'monthly',
  today: string,
): { from: string; to: string } {
  return template === 'monthly' ? lastFullMonth(today) : lastFullWeek(today)
}
