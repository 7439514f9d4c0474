import { z } from 'zod'
import { ALERT_SOURCES, type AlertSource } from './alerts'

/**
 * What the alert sources watch and whether each is on (issue 14). Stored by the core (the
 * `settings` table, key `alerts.settings`) and changed through the `mutation` wrapper.
 */
export const AlertSettingsSchema = z
  .object({
    /** A source turned off raises nothing. */
    sources: z.object(
      Object.fromEntries(ALERT_SOURCES.map((s) => [s, z.boolean()])) as Record<AlertSource, z.ZodBoolean>,
    ),
    /** Sync health: an account failing this many syncs in a row raises an ERROR. */
    syncFailuresInARow: z.number().int().min(1).max(50),
    /** Sync health: data older than this many hours (while syncs are scheduled) raises a WARNING. */
    staleDataHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30),
    /** Budget pacing: month-to-date spend this far (a fraction) over or under plan raises a WARNING. */
    pacingTolerance: z.number().min(0.01).max(5),
    /** Anomalies: the least severe anomaly that raises an alert. */
    anomalyMinSeverity: z.enum(['info', 'warning', 'critical']),
    /**
     * Anomalies: only those that ended within this many days of the last data day (older ones are
     * history; the first backfill would otherwise raise a year of them).
     */
    anomalyRecentDays: z.number().int().min(1).max(365),
    /** Forecast models: a retrained model this much (a fraction of MAPE) worse than the last raises a WARNING. */
    mlWorseBy: z.number().min(0).max(5),
  })
  .strict()
export type AlertSettings = z.infer<typeof AlertSettingsSchema>

export const AlertSettingsPatchSchema = AlertSettingsSchema.partial()
  .extend({ sources: AlertSettingsSchema.shape.sources.partial().optional() })
  .strict()
export type AlertSettingsPatch = z.infer<typeof AlertSettingsPatchSchema>

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  sources: { anomaly: true, sync: true, budget: true, automation: true, report: true, ml: true, system: true },
  syncFailuresInARow: 3,
  staleDataHours: 48,
  pacingTolerance: 0.15,
  anomalyMinSeverity: 'warning',
  anomalyRecentDays: 14,
  mlWorseBy: 0.1,
}
