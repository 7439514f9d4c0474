import { z } from 'zod'

/**
 * What `doctor` and the Diagnostics page report (issue 14 item 5). Keys are snake_case: the JSON of
 * `npm run cli -- doctor --json` is an interface (`version`, `schema_version`, `db_mb`, `integrity`,
 * `jobs`, `accounts`, `channels` at least).
 */
export const DiagnosticsProblemSchema = z.object({
  level: z.enum(['warning', 'error']),
  /** What is wrong and what to do, in plain language. */
  message: z.string(),
})

export const DiagnosticsSchema = z.object({
  healthy: z.boolean(),
  problems: z.array(DiagnosticsProblemSchema),
  checked_at: z.string(),
  version: z.string(),
  host: z.string(),
  schema_version: z.number().int(),
  /** Migrations shipped with this version; more than applied means the store is behind. */
  schema_latest: z.number().int(),
  data_dir: z.string(),
  db_mb: z.number(),
  wal_mb: z.number(),
  /** 'ok', what integrity_check found, or 'not checked' (it reads the whole file: on demand). */
  integrity: z.string(),
  jobs: z.object({
    queued: z.number().int(),
    running: z.number().int(),
    failed_24h: z.number().int(),
    failed: z.array(
      z.object({ id: z.number().int(), kind: z.string(), finished_at: z.string().nullable(), error: z.string() }),
    ),
  }),
  accounts: z.array(
    z.object({
      id: z.number().int(),
      workspace_id: z.number().int(),
      name: z.string(),
      platform: z.string(),
      status: z.string(),
      last_success_at: z.string().nullable(),
      last_error: z.string().nullable(),
      healthy: z.boolean(),
    }),
  ),
  channels: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      kind: z.string(),
      enabled: z.boolean(),
      disabled_reason: z.string().nullable(),
      delivered: z.number().int(),
      failed: z.number().int(),
      pending: z.number().int(),
      last_delivered_at: z.string().nullable(),
      healthy: z.boolean(),
    }),
  ),
  alerts: z.object({ unread_warning_plus: z.number().int(), pending_deliveries: z.number().int() }),
  process: z.object({
    rss_mb: z.number(),
    heap_used_mb: z.number(),
    cpu_user_s: z.number(),
    cpu_system_s: z.number(),
    uptime_s: z.number(),
    node: z.string(),
  }),
  disk_free_mb: z.number().nullable(),
  log_file: z.string().nullable(),
  /** Optional Sentry reporting: off (nothing leaves the computer) unless a DSN is set; where to, never the key. */
  error_reporting: z.object({ enabled: z.boolean(), destination: z.string().nullable() }),
})
export type Diagnostics = z.infer<typeof DiagnosticsSchema>
