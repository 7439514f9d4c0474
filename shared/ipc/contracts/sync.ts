import { z } from 'zod'
import { AttributionChoicesSchema, MetaAttributionSchema, SnapchatAttributionSchema } from '../../domain/attribution'
import { ChangeSchema } from '../../domain/changes'
import { AccountStatusSchema, BudgetLevelSchema, EntityLevelSchema, PlatformIdSchema } from '../../domain/entities'
import { IsoDateSchema } from '../../domain/metrics'
import { SyncRequestSchema } from '../../domain/sync-request'
import type { SYNC_EVENT_CHANNELS, SYNC_INVOKE_CHANNELS } from '../channels/sync'
import { ADMIN, EDIT, READ, type ChannelSpec } from '../spec'

type Invoke = (typeof SYNC_INVOKE_CHANNELS)[number]
type Event = (typeof SYNC_EVENT_CHANNELS)[number]

const Id = z.number().int().positive()
const WorkspaceRef = z.object({ workspaceId: Id }).strict()
const ids = z.array(z.string().trim().min(1)).min(1).max(200)
const secret = z.string().trim().min(1)

/** Per-platform credentials; validated against the platform before saving, never sent back. */
export const ConnectCredentialsSchema = z.discriminatedUnion('platform', [
  z.object({ platform: z.literal('meta'), accessToken: secret, accountIds: ids }).strict(),
  z
    .object({
      platform: z.literal('google_ads'),
      developerToken: secret,
      clientId: secret,
      clientSecret: secret,
      refreshToken: secret,
      loginCustomerId: z.string().optional(),
      customerIds: ids,
    })
    .strict(),
  z.object({ platform: z.literal('tiktok'), accessToken: secret, advertiserIds: ids }).strict(),
  z
    .object({
      platform: z.literal('snapchat'),
      clientId: secret,
      clientSecret: secret,
      refreshToken: secret,
      adAccountIds: ids,
    })
    .strict(),
])

/** One ad account as the Connections page shows it (dates account-local, instants ISO UTC). */
export const ConnectedAccountSchema = z.object({
  id: z.number().int(),
  platform: PlatformIdSchema,
  externalId: z.string(),
  name: z.string(),
  currency: z.string(),
  timeZone: z.string(),
  status: AccountStatusSchema,
  /** A specific error with what to do about it, when the last sync failed. */
  statusMessage: z.string().nullable(),
  lastSyncedAt: z.string().nullable(),
  nextSyncAt: z.string().nullable(),
  syncedThrough: IsoDateSchema.nullable(),
  /** First provisional (still restatable) day, from the platform's restatement window. */
  provisionalFrom: IsoDateSchema.nullable(),
  restatementDays: z.number().int(),
  rows: z.number().int(),
})

export const ConnectionSchema = z.object({
  id: z.number().int(),
  workspaceId: z.number().int(),
  platform: PlatformIdSchema,
  label: z.string(),
  status: z.string(),
  lastError: z.string().nullable(),
  /** Demo connections are served by the simulated platforms. */
  simulated: z.boolean(),
  baseUrl: z.string(),
  /** The platform API version the connection speaks (shared/domain/api-versions.ts). */
  apiVersion: z.string(),
  /** Within 60 days of that version's sunset (warning) or after it (error): what to do. */
  apiNotice: z.object({ level: z.enum(['warning', 'error']), message: z.string() }).nullable(),
  createdAt: z.string(),
  accounts: z.array(ConnectedAccountSchema),
})
export type Connection = z.infer<typeof ConnectionSchema>

export const AccountOutcomeSchema = z.object({
  accountId: z.number().int(),
  name: z.string(),
  platform: PlatformIdSchema,
  status: z.enum(['succeeded', 'failed', 'needs_reconnect', 'cancelled', 'skipped']),
  rows: z.number().int(),
  chunks: z.number().int(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  error: z.string().nullable(),
  /** The connector's error class when it failed (auth, rate_limit, permission, ...). */
  errorKind: z.string().optional(),
})

export const SyncRunSchema = z.object({
  id: z.number().int(),
  workspaceId: z.number().int(),
  jobId: z.number().int().nullable(),
  mode: z.string(),
  status: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  rowsWritten: z.number().int(),
  durationMs: z.number().int().nullable(),
  accounts: z.array(AccountOutcomeSchema),
  error: z.string().nullable(),
})
export type SyncRun = z.infer<typeof SyncRunSchema>

const PerPlatformNumber = z.object({
  meta: z.number(),
  google_ads: z.number(),
  tiktok: z.number(),
  snapchat: z.number(),
})
const PerPlatformOptional = <T extends z.ZodType>(
  t: T,
): z.ZodObject<{
  meta: z.ZodOptional<T>
  google_ads: z.ZodOptional<T>
  tiktok: z.ZodOptional<T>
  snapchat: z.ZodOptional<T>
}> => z.object({ meta: t.optional(), google_ads: t.optional(), tiktok: t.optional(), snapchat: t.optional() }).strict()

export const SyncConfigViewSchema = z.object({
  backfillMonths: z.number().int(),
  restatementDays: PerPlatformOptional(z.number().int()),
  baseUrls: PerPlatformOptional(z.string()),
  tokenUrls: PerPlatformOptional(z.string()),
  /** Advanced: API versions picked instead of the platforms' current ones. */
  apiVersions: PerPlatformOptional(z.string()),
  /** Developer setting: API overrides on loopback addresses (local test doubles) allowed. */
  developerLoopbackApis: z.boolean().optional(),
  /** Attribution windows pinned where the platform's API takes them (Snapchat). */
  attribution: AttributionChoicesSchema.optional(),
  /** What is in effect after platform defaults and ME_*_BASE_URL overrides. */
  effective: z.object({
    restatementDays: PerPlatformNumber,
    baseUrls: z.record(z.string(), z.string()),
    apiVersions: z.record(z.string(), z.string()),
    /** Per platform: the attribution new syncs count conversions with (code and plain label). */
    attribution: z.record(z.string(), z.object({ code: z.string(), label: z.string() })),
  }),
  /** The versions each platform's connector can speak, with the platform's sunset date (null = not announced). */
  apiVersionChoices: z.record(
    z.string(),
    z.array(z.object({ version: z.string(), sunset: z.string().nullable(), current: z.boolean() })),
  ),
})

const ColumnMap = z
  .object({
    date: z.string(),
    campaign: z.string(),
    adSet: z.string().optional(),
    ad: z.string().optional(),
    campaignId: z.string().optional(),
    adSetId: z.string().optional(),
    adId: z.string().optional(),
    spend: z.string().optional(),
    impressions: z.string().optional(),
    clicks: z.string().optional(),
    reach: z.string().optional(),
    conversions: z.string().optional(),
    conversionValue: z.string().optional(),
    videoViews: z.string().optional(),
    currency: z.string().optional(),
  })
  .strict()

/** How CSV columns map to fields (the wizard edits this; detected for Meta and Google exports). */
export const CsvMappingSchema = z
  .object({
    kind: z.enum(['meta', 'google', 'custom']),
    platform: PlatformIdSchema,
    columns: ColumnMap,
    dateFormat: z.enum(['YYYY-MM-DD', 'MM/DD/YYYY', 'DD/MM/YYYY', 'DD.MM.YYYY', 'YYYYMMDD']),
    /** ISO code used when there is no currency column. */
    currency: z.string().regex(/^[A-Z]{3}$/),
    level: EntityLevelSchema,
    /** Money columns in currency units ("12.34") or integer micros. */
    moneyUnit: z.enum(['units', 'micros']),
  })
  .strict()
export type CsvMappingDto = z.infer<typeof CsvMappingSchema>

/** Most CSV text an import call may carry inline (characters); larger files go by `path`. */
export const IMPORT_CONTENT_MAX_CHARS = 50_000_000
/** Largest CSV file an import reads by `path` (bytes). */
export const IMPORT_FILE_MAX_BYTES = 250_000_000

const ImportInput = z
  .object({
    workspaceId: Id,
    fileName: z.string().max(500).default('import.csv'),
    /** The CSV text (at most IMPORT_CONTENT_MAX_CHARS); give this or `path`. */
    content: z.string().max(IMPORT_CONTENT_MAX_CHARS).optional(),
    /**
     * An absolute path to a .csv, .tsv or .txt file on this computer (at most IMPORT_FILE_MAX_BYTES):
     * the CLI and large imports in the browser preview send the file by path instead of its content.
     */
    path: z
      .string()
      .max(4096)
      .regex(/\.(csv|tsv|txt)$/i, 'The file must end in .csv, .tsv or .txt')
      .optional(),
    /** 'auto' detects Meta/Google exports; an object is the wizard's mapping. */
    mapping: z.union([z.enum(['auto', 'meta', 'google']), CsvMappingSchema]).default('auto'),
  })
  .strict()
  .refine((i) => (i.content === undefined) !== (i.path === undefined), 'Give either content or path (one of them)')

export const ImportPreviewSchema = z.object({
  mapping: CsvMappingSchema.nullable(),
  headers: z.array(z.string()),
  /** Parsed rows before aggregation (breakdown rows of one ad-day are summed on import). */
  rowCount: z.number().int(),
  /** Ad-days that would be written. */
  adDays: z.number().int(),
  /** Ad-days already synced from the platform (skipped: synced data wins). */
  skippedSynced: z.number().int(),
  sample: z.array(z.record(z.string(), z.string())),
  errors: z.array(z.object({ row: z.number().int(), column: z.string().nullable(), message: z.string() })),
  totals: z
    .object({
      spend: z.string(),
      impressions: z.number().int(),
      clicks: z.number().int(),
      conversions: z.number(),
      conversionValue: z.string(),
      currency: z.string(),
    })
    .nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
})

/** Invoke channels of the sync domain: zod input and output per channel. */
export const syncContract = {
  /** Connections of a workspace with each account's state, last/next sync, rows and error. */
  'connections:list': { ...READ, input: WorkspaceRef, output: z.array(ConnectionSchema) },
  /** Validate credentials against the platform, then store them in platform.secrets (never returned). */
  'connections:connect': {
    ...ADMIN,
    input: z
      .object({
        workspaceId: Id,
        credentials: ConnectCredentialsSchema,
        label: z.string().max(200).optional(),
        baseUrl: z.url().optional(),
      })
      .strict(),
    output: z.object({
      connectionId: z.number().int(),
      accounts: z.array(z.object({ id: z.number().int(), name: z.string(), externalId: z.string() })),
    }),
  },
  /**
   * Google Ads sign-in for installed apps: opens the consent page, receives the code on a loopback
   * port (PKCE), exchanges it for a refresh token, validates and saves like connections:connect.
   */
  'connections:connectGoogle': {
    ...ADMIN,
    input: z
      .object({
        workspaceId: Id,
        developerToken: secret,
        clientId: secret,
        clientSecret: secret,
        loginCustomerId: z.string().optional(),
        customerIds: ids,
      })
      .strict(),
    output: z.object({
      connectionId: z.number().int(),
      accounts: z.array(z.object({ id: z.number().int(), name: z.string(), externalId: z.string() })),
    }),
  },
  /** Delete a connection and its secret; accounts keep their data and show as disconnected. */
  'connections:remove': {
    ...ADMIN,
    input: z.object({ connectionId: Id }).strict(),
    output: z.object({ removed: z.boolean() }),
  },
  /** Queue a sync job (incremental re-pulls the restatement window; full re-pulls the backfill span). */
  'sync:start': {
    ...EDIT,
    input: SyncRequestSchema,
    output: z.object({ jobId: z.number().int(), alreadyRunning: z.boolean() }),
  },
  /** The running sync job (if any), the last run and the next scheduled sync. */
  'sync:getStatus': {
    ...READ,
    input: WorkspaceRef,
    output: z.object({
      running: z
        .object({
          jobId: z.number().int(),
          step: z.string().nullable(),
          current: z.number().int(),
          total: z.number().int(),
          message: z.string().nullable(),
        })
        .nullable(),
      lastRun: SyncRunSchema.nullable(),
      nextSyncAt: z.string().nullable(),
      intervalHours: z.number().int(),
    }),
  },
  /** Recorded runs (rows written, duration, per-account outcome, errors), newest first. */
  'sync:listRuns': {
    ...READ,
    input: z.object({ workspaceId: Id, limit: z.number().int().min(1).max(200).default(20) }).strict(),
    output: z.array(SyncRunSchema),
  },
  /** Backfill length, restatement windows and API base URLs (with what is in effect). */
  'sync:getConfig': { ...READ, input: z.object({}).strict(), output: SyncConfigViewSchema },
  /** Change sync settings (validated); returns the new view. */
  'sync:updateConfig': {
    ...ADMIN,
    input: z
      .object({
        backfillMonths: z.number().int().min(1).max(37).optional(),
        restatementDays: PerPlatformOptional(z.number().int().min(1).max(90)).optional(),
        apiVersions: PerPlatformOptional(z.string().regex(/^v\d+(\.\d+)?$/)).optional(),
        /**
         * Pin Meta's click/view or Snapchat's swipe/view attribution windows; null returns to the
         * platform's own setting (each ad set's on Meta, the ad account's on Snapchat).
         */
        attribution: z
          .object({
            meta: MetaAttributionSchema.nullable().optional(),
            snapchat: SnapchatAttributionSchema.nullable().optional(),
          })
          .strict()
          .optional(),
        /** API base URL overrides: https (loopback only with developerLoopbackApis); null removes one. */
        baseUrls: PerPlatformOptional(z.url().nullable()).optional(),
        /** OAuth token endpoint overrides, same rules. */
        tokenUrls: PerPlatformOptional(z.url().nullable()).optional(),
        /** Developer setting: allow loopback API overrides (local test doubles). Audited. */
        developerLoopbackApis: z.boolean().optional(),
        /**
         * Required (true) when an override moves a platform that has saved credentials to another
         * host: the credentials would be sent there. The change is written to the audit log.
         */
        confirmCredentialHostChange: z.boolean().optional(),
      })
      .strict(),
    output: SyncConfigViewSchema,
  },
  /**
   * Pause or enable a campaign, ad set or ad on the platform (after the UI confirmed): an approved
   * change in the change pipeline; answers the change once it settled (or as it is after 30 s).
   */
  'entities:setStatus': {
    ...EDIT,
    input: z.object({ entityType: EntityLevelSchema, entityId: Id, status: z.enum(['active', 'paused']) }).strict(),
    output: ChangeSchema,
  },
  /** Set a daily budget (integer micros of the account currency) on the platform, as a change (above). */
  'entities:setBudget': {
    ...EDIT,
    input: z
      .object({
        entityType: BudgetLevelSchema,
        entityId: Id,
        dailyBudgetMicros: z.number().int().positive(),
      })
      .strict(),
    output: ChangeSchema,
  },
  /** Parse and validate a CSV without writing: detected mapping, row-level errors, totals. */
  'import:preview': { ...READ, input: ImportInput, output: ImportPreviewSchema },
  /** Import a CSV as a job, all or nothing (refused when the preview has errors). */
  'import:commit': { ...EDIT, input: ImportInput, output: z.object({ jobId: z.number().int() }) },
} satisfies Record<Invoke, ChannelSpec>

/** Event payloads of the sync domain. */
export const syncEvents = {
  /** A sync run ended (status succeeded | partial | failed | cancelled). */
  'sync:finished': z.object({
    workspaceId: z.number().int(),
    runId: z.number().int().nullable(),
    status: z.string(),
    rowsWritten: z.number().int(),
  }),
} satisfies Record<Event, z.ZodType>
