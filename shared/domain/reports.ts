import { z } from 'zod'
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
  commentary: 'Commentary',
}

export const TEMPLATE_SECTIONS: Record<ReportTemplate, readonly ReportSection[]> = {
  weekly: ['kpis', 'trend', 'platforms', 'top_campaigns', 'bottom_campaigns', 'anomalies', 'commentary'],
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
