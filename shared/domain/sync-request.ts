import { z } from 'zod'
import { IsoDateSchema } from './metrics'

/**
 * The one shape of "sync this workspace": the `sync:start` IPC input, the `sync:run` job's
 * payload, the sync schedule's and the CLI's requests and the sync engine's argument.
 */
export const SyncRequestSchema = z
  .object({
    workspaceId: z.number().int().positive(),
    /** Only these accounts (default: every connected account of the workspace). */
    accountIds: z.array(z.number().int().positive()).max(500).optional(),
    /** incremental re-pulls the restatement window; full re-pulls the backfill span. */
    mode: z.enum(['incremental', 'full']).default('incremental'),
    /** Earliest day to pull (a full sync from a date). */
    since: IsoDateSchema.optional(),
  })
  .strict()
/** A sync request as callers write it (`mode` may be left out). */
export type SyncRequestInput = z.input<typeof SyncRequestSchema>
/** A validated sync request (`mode` filled in). */
export type SyncRequest = z.output<typeof SyncRequestSchema>
