import { z } from 'zod'
import { AlertRaisedSchema } from '../domain/alerts'
import { AccountStatusSchema, PlatformIdSchema } from '../domain/entities'
import { JobFinishedSchema, JobProgressSchema, JobSchema } from '../domain/jobs'
import { DateRangeSchema, IsoDateSchema, KpisSchema, TotalsSchema } from '../domain/metrics'
import { SettingsPatchSchema, SettingsSchema } from '../domain/settings'
import { DataTableSchema } from '../domain/tables'
import type { EventChannel, InvokeChannel } from './channels'
import { analyticsContract, analyticsEvents } from './contracts/analytics'
import { automationContract } from './contracts/automation'
import { alertsContract } from './contracts/alerts'
import { changesContract } from './contracts/changes'
import { experimentsContract } from './contracts/experiments'
import { recommendationsContract } from './contracts/recommendations'
import { mlContract, mlEvents } from './contracts/ml'
import { reportsContract } from './contracts/reports'
import { securityContract } from './contracts/security'
import { syncContract, syncEvents } from './contracts/sync'
import { ADMIN, EDIT, READ, type ChannelSpec } from './spec'

export type { ChannelSpec }

const Empty = z.object({}).strict()
const WorkspaceRef = z.object({ workspaceId: z.number().int().positive() }).strict()

export const WorkspaceSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  reportingCurrency: z.string(),
  isDemo: z.boolean(),
  accountCount: z.number().int(),
  createdAt: z.string(),
})
export type Workspace = z.infer<typeof WorkspaceSchema>

export const AccountSchema = z.object({
  id: z.number().int(),
  workspaceId: z.number().int(),
  platform: PlatformIdSchema,
  externalId: z.string(),
  name: z.string(),
  currency: z.string(),
  timeZone: z.string(),
  status: AccountStatusSchema,
  statusMessage: z.string().nullable(),
  lastSyncedAt: z.string().nullable(),
  campaignCount: z.number().int(),
  firstDate: IsoDateSchema.nullable(),
  lastDate: IsoDateSchema.nullable(),
})
export type Account = z.infer<typeof AccountSchema>

const SummaryInput = z
  .object({
    workspaceId: z.number().int().positive(),
    range: DateRangeSchema,
    /** Also compute the same-length period just before `range`. */
    compare: z.boolean().default(true),
    accountIds: z.array(z.number().int().positive()).max(500).optional(),
  })
  .strict()

/** Totals for a range in the workspace reporting currency (converted at monthly rates). */
export const SummarySchema = z.object({
  currency: z.string(),
  /** Currencies that were converted into `currency` (empty when all accounts share it). */
  convertedFrom: z.array(z.string()),
  range: DateRangeSchema,
  previousRange: DateRangeSchema.nullable(),
  totals: TotalsSchema,
  previousTotals: TotalsSchema.nullable(),
  kpis: KpisSchema,
  previousKpis: KpisSchema.nullable(),
  /** Days of the range still inside a restatement window (numbers may still change). */
  provisionalDays: z.number().int(),
  /**
   * How the range's synced conversions were attributed, per platform (shared/domain/attribution.ts):
   * one entry per attribution used, with the account-days counted with it. Two entries for one
   * platform mean the setting changed inside the range.
   */
  attribution: z.array(
    z.object({ platform: PlatformIdSchema, code: z.string(), label: z.string(), days: z.number().int() }),
  ),
})
export type Summary = z.infer<typeof SummarySchema>

export const TrendPointSchema = z.object({
  date: IsoDateSchema,
  spendMicros: z.number().int(),
  revenueMicros: z.number().int(),
  impressions: z.number().int(),
  clicks: z.number().int(),
  conversions: z.number(),
  provisional: z.boolean(),
})
export type TrendPoint = z.infer<typeof TrendPointSchema>

export const StoreStatusSchema = z.object({
  dataDir: z.string(),
  dbPath: z.string(),
  dbBytes: z.number().int(),
  schemaVersion: z.number().int(),
  workspaces: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      isDemo: z.boolean(),
      accounts: z.number().int(),
      campaigns: z.number().int(),
      adSets: z.number().int(),
      ads: z.number().int(),
      dailyRows: z.number().int(),
      firstDate: z.string().nullable(),
      lastDate: z.string().nullable(),
    }),
  ),
})
export type StoreStatus = z.infer<typeof StoreStatusSchema>

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  /** electron | web | cli | test */
  host: z.string(),
  os: z.string(),
  dataDir: z.string(),
})
export type AppInfo = z.infer<typeof AppInfoSchema>

export const BackupSchema = z.object({
  /** File name inside the data folder's backups folder. */
  file: z.string(),
  path: z.string(),
  kind: z.enum(['daily', 'manual', 'pre-restore']),
  bytes: z.number().int(),
  createdAt: z.string(),
})
export type Backup = z.infer<typeof BackupSchema>

/** Every invoke channel with its input and output schema. */
export const contract = {
  /** Name, version and host of the running core. */
  'app:getInfo': { ...READ, input: Empty, output: AppInfoSchema },
  /** Database location, size and per-workspace row counts and date span. */
  'store:getStatus': { ...READ, input: Empty, output: StoreStatusSchema },
  /** All workspaces, demo first. */
  'workspaces:list': { ...READ, input: Empty, output: z.array(WorkspaceSchema) },
  /** Ad accounts of a workspace with their synced date span (account-local dates). */
  'accounts:list': { ...READ, input: WorkspaceRef, output: z.array(AccountSchema) },
  /** KPI totals for a range of account-local dates, with the previous period when asked. */
  'dashboard:getSummary': { ...READ, input: SummaryInput, output: SummarySchema },
  /**
   * Daily totals in the reporting currency, one point per date of the range limited to the days the
   * data covers (gaps inside are zero); at most MAX_RANGE_DAYS.
   */
  'dashboard:getTrend': {
    ...READ,
    input: z
      .object({
        workspaceId: z.number().int().positive(),
        range: DateRangeSchema,
        accountIds: z.array(z.number().int().positive()).max(500).optional(),
      })
      .strict(),
    output: z.object({ currency: z.string(), points: z.array(TrendPointSchema) }),
  },
  /** Running and recent jobs, newest first. */
  'jobs:list': {
    ...READ,
    input: z.object({ limit: z.number().int().min(1).max(200).default(30) }).strict(),
    output: z.array(JobSchema),
  },
  /** Ask a queued or running job to stop; idempotent. */
  'jobs:cancel': {
    ...EDIT,
    input: z.object({ jobId: z.number().int().positive() }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  /** Rebuild the demo workspace from the simulator as a job (replaces only demo data). */
  'demo:reset': { ...ADMIN, input: Empty, output: z.object({ jobId: z.number().int() }) },
  /** Current user settings. */
  'settings:get': { ...READ, input: Empty, output: SettingsSchema },
  /** Validate and persist a partial settings change; returns the full settings. */
  'settings:update': { ...ADMIN, input: SettingsPatchSchema, output: SettingsSchema },
  /** Backups in the data folder's backups folder, newest first, with the retention in force. */
  'backups:list': {
    ...READ,
    input: Empty,
    output: z.object({
      dir: z.string(),
      backups: z.array(BackupSchema),
      keep: z.object({ daily: z.number().int(), weekly: z.number().int() }),
      /** The retention comes from ME_BACKUP_KEEP_DAILY / ME_BACKUP_KEEP_WEEKLY, not from the settings. */
      keepFromEnv: z.boolean(),
    }),
  },
  /** Back the store up now (SQLite online backup, verified with integrity_check). */
  'backups:create': { ...ADMIN, input: Empty, output: BackupSchema },
  /**
   * Restore a backup of the backups folder: verified now, applied when the app restarts (the current
   * file is moved aside, never deleted; a pre-restore backup is taken first). Needs `confirm: true`.
   */
  'backups:restore': {
    ...ADMIN,
    input: z
      .object({
        file: z.string().regex(/^marketing-engine-\d{8}T\d{6}Z-(daily|manual|pre-restore)\.db$/),
        confirm: z.literal(true),
      })
      .strict(),
    output: z.object({ restartRequired: z.literal(true), preRestoreBackup: z.string(), message: z.string() }),
  },
  ...syncContract,
  ...analyticsContract,
  ...mlContract,
  ...changesContract,
  ...alertsContract,
  ...reportsContract,
  ...automationContract,
  ...experimentsContract,
  ...recommendationsContract,
  ...securityContract,
} satisfies Record<InvokeChannel, ChannelSpec>

/** Every event channel with its payload schema. */
export const events = {
  'job:progress': JobProgressSchema,
  'job:finished': JobFinishedSchema,
  /** Tables whose content changed; renderer stores refetch what they show. */
  'data:changed': z.object({ tables: z.array(DataTableSchema), workspaceId: z.number().int().optional() }),
  'settings:changed': SettingsSchema,
  /** A restore waits for the next start; the desktop shell restarts the app at once. */
  'backups:restoreScheduled': z.object({ file: z.string() }),
  /** A source raised an alert (the tray, the Alerts page and toasts refresh). */
  'alert:raised': AlertRaisedSchema,
  ...syncEvents,
  ...analyticsEvents,
  ...mlEvents,
} satisfies Record<EventChannel, z.ZodType>

export type Contract = typeof contract
export type ChannelInput<C extends InvokeChannel> = z.input<Contract[C]['input']>
export type ChannelParsedInput<C extends InvokeChannel> = z.output<Contract[C]['input']>
export type ChannelOutput<C extends InvokeChannel> = z.output<Contract[C]['output']>
export type EventPayload<E extends EventChannel> = z.output<(typeof events)[E]>

export { IsoDateSchema, WorkspaceRef }
