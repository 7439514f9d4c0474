import { z } from 'zod'
import { SyncRequestSchema } from '../../../shared/domain/sync-request'
import { CsvMappingSchema } from '../../../shared/ipc/contracts/sync'

const Id = z.number().int().positive()

/** `demo:build`: create or reset the demo workspace from the simulator. */
export const DemoBuildPayloadSchema = z
  .object({
    campaigns: z.number().int().min(1).max(50_000).optional(),
    days: z.number().int().min(1).max(1_100).optional(),
    seed: z.number().int().optional(),
    /** Last simulated date; default: yesterday on the host clock. */
    endDate: z.string().optional(),
    /** 'bench': one ad set and one ad per campaign, every campaign delivering every day. */
    preset: z.enum(['demo', 'bench']).optional(),
    /**
     * Store only the days up to this date, as reported the day after (the recommend bench holds
     * the simulated future back from the engine); default: every day to `endDate`.
     */
    through: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
  })
  .strict()
export type DemoBuildPayload = z.infer<typeof DemoBuildPayloadSchema>

/** `import:csv`: commit a planned CSV import, by a reference to the file copied into the import area. */
export const ImportJobPayloadSchema = z
  .object({
    workspaceId: Id,
    fileName: z.string(),
    /** File name inside the import area (see ImportFiles). */
    file: z.string().regex(/^[A-Za-z0-9-]+\.csv$/),
    mapping: z.union([z.enum(['auto', 'meta', 'google']), CsvMappingSchema]),
  })
  .strict()

/** `ml:train`: train a workspace's model (in a worker thread). */
export const MlTrainPayloadSchema = z
  .object({
    workspaceId: Id,
    model: z.enum(['forecast']).default('forecast'),
    /** Trees per point model (quantile models get half); tests and the CLI use fewer. */
    trees: z.number().int().min(10).max(1000).optional(),
  })
  .strict()
export type MlTrainPayload = z.infer<typeof MlTrainPayloadSchema>

/** `store:check`: the store's integrity check on a worker thread (large stores, after the start). */
export const StoreCheckPayloadSchema = z.object({}).strict()

/**
 * `store:upgrade`: data a migration left to build after the start (migration 0022: each ad's packed
 * days, `ad_month_days`, of the accounts in `ad_month_days_pending`), on a worker thread with its own
 * connection (sliced on the core's thread for in-memory stores).
 */
export const StoreUpgradePayloadSchema = z.object({}).strict()

/** `pages:prepare`: the slow page reads computed ahead after the start and each sync, import or demo build (page-reads.ts). */
export const PagesPreparePayloadSchema = z.object({}).strict()

/**
 * Every job kind the app runs, with the schema of its payload: the one table. `JobQueue.enqueue`
 * and `register` are typed by it (a misspelt kind or a wrong payload does not compile) and
 * enqueue refuses a payload its schema rejects. Add a kind here when a module starts a new job.
 */
export const JOB_KINDS = {
  'demo:build': DemoBuildPayloadSchema,
  'sync:run': SyncRequestSchema,
  'import:csv': ImportJobPayloadSchema,
  'ml:train': MlTrainPayloadSchema,
  'store:check': StoreCheckPayloadSchema,
  'store:upgrade': StoreUpgradePayloadSchema,
  'pages:prepare': PagesPreparePayloadSchema,
} as const

/** A table of job kinds: name → payload schema. */
export type JobKindTable = Record<string, z.ZodType>
export type AppJobKinds = typeof JOB_KINDS
export type JobKindName = keyof AppJobKinds
/** What a caller passes to enqueue a job of kind `K` (defaults not yet applied). */
export type JobPayloadInput<K extends JobKindName> = z.input<AppJobKinds[K]>
/** What the job's handler receives (validated, defaults applied). */
export type JobPayload<K extends JobKindName> = z.output<AppJobKinds[K]>
