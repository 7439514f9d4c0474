import { z } from 'zod'
import { dsnProblem } from './error-reporting'

/** User settings (persisted by the shell: electron-store in the app, a JSON file under Node). */
export const SettingsSchema = z.object({
  /** ISO 4217 code that cross-currency totals are converted into. */
  reportingCurrency: z.string().regex(/^[A-Z]{3}$/, 'Use a 3-letter ISO currency code such as USD'),
  /** Hours between automatic syncs while the app runs (0 = manual only). */
  syncIntervalHours: z.number().int().min(0).max(48),
  theme: z.enum(['system', 'light', 'dark']),
  notifications: z.boolean(),
  /** Automatic daily backups kept (the newest N), and weekly ones kept beyond them (the newest of each older week). */
  backupKeepDaily: z.number().int().min(1, 'Keep at least 1 daily backup').max(365, 'Keep at most 365 daily backups'),
  backupKeepWeekly: z.number().int().min(0).max(104, 'Keep at most 104 weekly backups'),
  /**
   * A Sentry DSN: errors and crashes are reported there, secrets scrubbed. Null (the default): off,
   * nothing leaves the computer.
   */
  errorReportingDsn: z
    .string()
    .trim()
    .max(500)
    .superRefine((v, ctx) => {
      const problem = dsnProblem(v)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    })
    .nullable(),
})
export type Settings = z.infer<typeof SettingsSchema>

export const SettingsPatchSchema = SettingsSchema.partial().strict()
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>

export const DEFAULT_SETTINGS: Settings = {
  reportingCurrency: 'USD',
  syncIntervalHours: 4,
  theme: 'system',
  notifications: true,
  backupKeepDaily: 7,
  backupKeepWeekly: 4,
  errorReportingDsn: null,
}
