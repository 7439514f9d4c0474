import { useEffect, useId, useRef, type JSX } from 'react'
import { jobTitle, type Job } from '../../../shared/domain/jobs'
import { formatInteger, formatTimestamp } from '../lib/format'
import { isActive, selectActiveCount, useJobsStore } from '../stores/jobs-store'
import { Icon } from './Icon'
import { ProgressBar } from './States'

const STATUS_BADGE: Record<Job['status'], string> = {
  queued: 'badge',
  running: 'badge badge--info',
  succeeded: 'badge badge--positive',
  failed: 'badge badge--negative',
  cancelled: 'badge',
}

const STATUS_LABEL: Record<Job['status'], string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
}

function duration(job: Job): string | null {
  if (!job.startedAt || !job.finishedAt) return null
  const ms = Date.parse(job.finishedAt) - Date.parse(job.startedAt)
  if (!Number.isFinite(ms) || ms < 0) return null
  const s = Math.round(ms / 1000)
  return s < 60 ? `Took ${Math.max(1, s)}s` : `Took ${Math.floor(s / 60)}m ${s % 60}s`
}

/** The last progress message is stale once a job ends; say how it ended instead. */
function outcome(job: Job): string {
  if (job.status === 'failed') return job.error ?? 'Failed'
  if (job.status === 'cancelled') return 'Stopped before finishing'
  return duration(job) ?? 'Finished'
}

export function JobRow({ job }: { job: Job }): JSX.Element {
  const cancelling = useJobsStore((s) => s.cancelling.includes(job.id))
  const cancelJob = useJobsStore((s) => s.cancelJob)
  const active = isActive(job)
  const title = jobTitle(job.kind)
  return (
    <li className="job" data-testid={`job-${job.id}`} data-status={job.status}>
      <div className="job__head">
        <span className="job__title">{title}</span>
        <span className={STATUS_BADGE[job.status]}>{STATUS_LABEL[job.status]}</span>
      </div>
      {active ? (
        <>
          <ProgressBar current={job.current} total={job.total} label={`${title} progress`} />
          <div className="job__meta">
            <span>
              {job.step ? <strong>{job.step}</strong> : 'Waiting to start'}
              {job.message ? ` · ${job.message}` : ''}
            </span>
            {job.total > 0 ? (
              <span className="tabular">
                {formatInteger(job.current)} / {formatInteger(job.total)}
              </span>
            ) : null}
          </div>
          <button
            type="button"
            className="btn btn--sm"
            onClick={() => void cancelJob(job.id)}
            disabled={cancelling}
            aria-label={`Cancel ${title}`}
          >
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        </>
      ) : (
        <div className="job__meta">
          <span className={job.status === 'failed' ? 'job__error' : undefined}>{outcome(job)}</span>
          <span>{formatTimestamp(job.finishedAt ?? job.createdAt)}</span>
        </div>
      )}
    </li>
  )
}

/** Sidebar-footer button with a live count, opening a non-modal panel of running and recent jobs. */
export function JobsPanel(): JSX.Element {
  const panelId = useId()
  const jobs = useJobsStore((s) => s.jobs)
  const error = useJobsStore((s) => s.error)
  const open = useJobsStore((s) => s.panelOpen)
  const setOpen = useJobsStore((s) => s.setPanelOpen)
  const loadJobs = useJobsStore((s) => s.loadJobs)
  const activeCount = useJobsStore(selectActiveCount)
  const root = useRef<HTMLDivElement>(null)
  const button = useRef<HTMLButtonElement>(null)

  useEffect(() => {
    if (!open) return undefined
    void loadJobs()
    const onDown = (e: PointerEvent): void => {
      if (root.current && e.target instanceof Node && !root.current.contains(e.target)) setOpen(false)
    }
    document.addEventListener('pointerdown', onDown)
    return () => document.removeEventListener('pointerdown', onDown)
  }, [open, loadJobs, setOpen])

  const active = jobs.filter(isActive)
  const recent = jobs.filter((j) => !isActive(j)).slice(0, 8)

  return (
    <div
      ref={root}
      className="jobs"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation()
          setOpen(false)
          button.current?.focus()
        }
      }}
    >
      <button
        ref={button}
        type="button"
        className="btn btn--ghost btn--block jobs-button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen(!open)}
        data-testid="jobs-button"
      >
        <Icon name="jobs" />
        <span className="jobs-button__label">Jobs</span>
        {activeCount > 0 ? (
          <span className="badge badge--accent" aria-label={`${activeCount} running`}>
            {activeCount}
          </span>
        ) : null}
      </button>
      {open ? (
        <section id={panelId} className="popover jobs-panel" aria-label="Jobs" data-testid="jobs-panel">
          <header className="jobs-panel__header">
            <h2>Jobs</h2>
            <button
              type="button"
              className="btn btn--ghost btn--sm"
              onClick={() => {
                setOpen(false)
                button.current?.focus()
              }}
              aria-label="Close jobs"
            >
              <Icon name="close" size={14} />
            </button>
          </header>
          {error ? <p className="field__error jobs-panel__error">{error}</p> : null}
          <div className="jobs-panel__body">
            <h3 className="jobs-panel__section">Running</h3>
            {active.length ? (
              <ul className="job-list">
                {active.map((j) => (
                  <JobRow key={j.id} job={j} />
                ))}
              </ul>
            ) : (
              <p className="jobs-panel__empty">Nothing running right now.</p>
            )}
            <h3 className="jobs-panel__section">Recent</h3>
            {recent.length ? (
              <ul className="job-list">
                {recent.map((j) => (
                  <JobRow key={j.id} job={j} />
                ))}
              </ul>
            ) : (
              <p className="jobs-panel__empty">Finished syncs, rebuilds and reports appear here.</p>
            )}
          </div>
        </section>
      ) : null}
    </div>
  )
}
