import { z } from 'zod'
import { humanizeKind } from './format'

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const
export const JobStatusSchema = z.enum(JOB_STATUSES)
export type JobStatus = z.infer<typeof JobStatusSchema>

export const JobSchema = z.object({
  id: z.number().int(),
  kind: z.string(),
  status: JobStatusSchema,
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  step: z.string().nullable(),
  current: z.number().int(),
  total: z.number().int(),
  message: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
})
export type Job = z.infer<typeof JobSchema>

/** Throttled progress of a running job (at most one event per job every 200 ms). */
export const JobProgressSchema = z.object({
  jobId: z.number().int(),
  kind: z.string(),
  step: z.string(),
  current: z.number().int(),
  total: z.number().int(),
  message: z.string(),
})
export type JobProgress = z.infer<typeof JobProgressSchema>

export const JobFinishedSchema = z.object({
  jobId: z.number().int(),
  kind: z.string(),
  status: JobStatusSchema,
  error: z.string().nullable(),
})
export type JobFinished = z.infer<typeof JobFinishedSchema>

/** What the jobs panel calls each kind of job (a kind not listed is shown from its name). */
const JOB_TITLES: Record<string, string> = {
  'demo:build': 'Demo build',
  'sync:run': 'Sync',
  'import:csv': 'CSV import',
  'ml:train': 'Model training',
  'store:check': 'Store check',
  'store:upgrade': 'Finishing the data update',
  'pages:prepare': 'Preparing pages',
}

export function jobTitle(kind: string): string {
  return JOB_TITLES[kind] ?? humanizeKind(kind)
}
