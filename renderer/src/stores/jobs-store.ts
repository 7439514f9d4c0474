import { create } from 'zustand'
import type { Job, JobFinished, JobProgress } from '../../../shared/domain/jobs'
import { getClient } from '../api/client'
import { errorMessage } from '../lib/errors'

interface JobsState {
  jobs: Job[]
  error: string | null
  /** Cancel requests in flight, so the button can show it is working. */
  cancelling: number[]
  panelOpen: boolean
  loadJobs: () => Promise<void>
  cancelJob: (jobId: number) => Promise<void>
  applyProgress: (p: JobProgress) => void
  applyFinished: (f: JobFinished) => void
  setPanelOpen: (open: boolean) => void
}

const LIMIT = 30

export function isActive(job: Pick<Job, 'status'>): boolean {
  return job.status === 'queued' || job.status === 'running'
}

/**
 * The status a progress event implies: 'waiting' is sent by a job that went back to the queue (a
 * platform asked it to wait, or a training gave way to a sync), every other step by a running job.
 */
export const statusOfProgress = (p: Pick<JobProgress, 'step'>): 'queued' | 'running' =>
  p.step === 'waiting' ? 'queued' : 'running'

/** A job we only know from an event so far (the list refetch fills in the rest). */
function placeholder(p: JobProgress): Job {
  return {
    id: p.jobId,
    kind: p.kind,
    status: statusOfProgress(p),
    attempts: 1,
    maxAttempts: 1,
    step: p.step,
    current: p.current,
    total: p.total,
    message: p.message,
    error: null,
    createdAt: new Date().toISOString(),
    startedAt: new Date().toISOString(),
    finishedAt: null,
  }
}

let loadSeq = 0
/** Event counter, so a list fetched before an event cannot roll that event back. */
let eventSeq = 0
const lastEvent = new Map<number, { seq: number; patch: Partial<Job> }>()

function overlayNewerEvents(jobs: Job[], since: number): Job[] {
  return jobs.map((j) => {
    const ev = lastEvent.get(j.id)
    return ev && ev.seq > since ? { ...j, ...ev.patch } : j
  })
}

function remember(jobId: number, patch: Partial<Job>): void {
  const prev = lastEvent.get(jobId)?.patch
  lastEvent.set(jobId, { seq: ++eventSeq, patch: { ...prev, ...patch } })
}

export const useJobsStore = create<JobsState>()((set, get) => ({
  jobs: [],
  error: null,
  cancelling: [],
  panelOpen: false,

  loadJobs: async () => {
    const seq = ++loadSeq
    const since = eventSeq
    try {
      const jobs = await getClient().invoke('jobs:list', { limit: LIMIT })
      // A slower earlier request must not overwrite a newer answer, nor newer live events.
      if (seq === loadSeq) set({ jobs: overlayNewerEvents(jobs, since), error: null })
    } catch (err) {
      if (seq === loadSeq) set({ error: errorMessage(err) })
    }
  },
  cancelJob: async (jobId) => {
    set((s) => ({ cancelling: [...s.cancelling, jobId] }))
    try {
      await getClient().invoke('jobs:cancel', { jobId })
      await get().loadJobs()
    } catch (err) {
      set({ error: errorMessage(err) })
    } finally {
      set((s) => ({ cancelling: s.cancelling.filter((id) => id !== jobId) }))
    }
  },
  applyProgress: (p) => {
    const status = statusOfProgress(p)
    remember(p.jobId, { status, step: p.step, current: p.current, total: p.total, message: p.message })
    const known = get().jobs.some((j) => j.id === p.jobId)
    set((s) => ({
      jobs: known
        ? s.jobs.map((j) =>
            j.id === p.jobId
              ? { ...j, status, step: p.step, current: p.current, total: p.total, message: p.message }
              : j,
          )
        : [placeholder(p), ...s.jobs],
    }))
    if (!known) void get().loadJobs()
  },
  applyFinished: (f) => {
    remember(f.jobId, { status: f.status, error: f.error })
    set((s) => ({
      jobs: s.jobs.map((j) =>
        j.id === f.jobId ? { ...j, status: f.status, error: f.error, finishedAt: new Date().toISOString() } : j,
      ),
    }))
    void get().loadJobs()
  },
  setPanelOpen: (panelOpen) => set({ panelOpen }),
}))

export function selectActiveCount(s: JobsState): number {
  return s.jobs.filter(isActive).length
}
