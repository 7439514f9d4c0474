import { useState, type JSX } from 'react'
import { getClient } from '../../api/client'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { JobRow } from '../../components/JobsPanel'
import { errorMessage } from '../../lib/errors'
import { useJobsStore } from '../../stores/jobs-store'

/** Rebuilds only the demo workspace, as a job whose progress shows inline and in the Jobs panel. */
export function DemoReset(): JSX.Element {
  const [confirming, setConfirming] = useState(false)
  const [starting, setStarting] = useState(false)
  const [jobId, setJobId] = useState<number | null>(null)
  const [error, setError] = useState<string | null>(null)
  const job = useJobsStore((s) => (jobId === null ? undefined : s.jobs.find((j) => j.id === jobId)))
  const running = job ? job.status === 'queued' || job.status === 'running' : starting

  const start = async (): Promise<void> => {
    setStarting(true)
    setError(null)
    try {
      const res = await getClient().invoke('demo:reset', {})
      setJobId(res.jobId)
      setConfirming(false)
      await useJobsStore.getState().loadJobs()
    } catch (err) {
      setError(errorMessage(err))
      setConfirming(false)
    } finally {
      setStarting(false)
    }
  }

  return (
    <div className="settings-list">
      <div className="settings-row">
        <div className="settings-row__text">
          <p className="settings-row__label">Reset demo workspace</p>
          <p className="settings-row__hint">
            Regenerates the demo workspace’s sample accounts, campaigns and daily numbers. Other workspaces are not
            touched.
          </p>
        </div>
        <div className="settings-row__control">
          <button
            type="button"
            className="btn"
            onClick={() => setConfirming(true)}
            disabled={running}
            data-testid="reset-demo"
          >
            {running ? 'Resetting…' : 'Reset demo'}
          </button>
        </div>
      </div>
      {job ? (
        <ul className="job-list job-list--inline" aria-live="polite">
          <JobRow job={job} />
        </ul>
      ) : null}
      {error ? (
        <p className="field__error" role="alert">
          Could not start the reset: {error}
        </p>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title="Reset the demo workspace?"
        confirmLabel={starting ? 'Starting…' : 'Reset demo'}
        danger
        busy={starting}
        onConfirm={() => void start()}
        onCancel={() => setConfirming(false)}
      >
        All demo data is deleted and generated again from the simulator. This takes a few seconds; the dashboard
        refreshes when it is done. Your other workspaces stay as they are.
      </ConfirmDialog>
    </div>
  )
}
