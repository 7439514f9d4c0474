// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Job } from '../../../shared/domain/jobs'
import { setClient } from '../api/client'
import { startLiveUpdates } from '../lib/live-events'
import { useJobsStore } from '../stores/jobs-store'
import { createFakeClient } from '../test/fake-client'
import { JobsPanel } from './JobsPanel'

const running: Job = {
  id: 5,
  kind: 'demo_reset',
  status: 'running',
  attempts: 1,
  maxAttempts: 1,
  step: 'Generating',
  current: 1,
  total: 10,
  message: 'Meta account',
  error: null,
  createdAt: '2025-03-01T10:00:00Z',
  startedAt: '2025-03-01T10:00:00Z',
  finishedAt: null,
}

beforeEach(() => useJobsStore.setState({ jobs: [], panelOpen: false, cancelling: [], error: null }))
afterEach(() => {
  cleanup()
  setClient(null)
})

describe('JobsPanel', () => {
  it('shows a live count, progress from events and cancels a running job', async () => {
    let jobs: Job[] = [running]
    const client = createFakeClient({
      'jobs:list': () => jobs,
      'jobs:cancel': () => {
        jobs = [{ ...running, status: 'cancelled', finishedAt: '2025-03-01T10:01:00Z' }]
        return { cancelled: true }
      },
    })
    setClient(client)
    const stop = startLiveUpdates()
    await act(async () => {
      await useJobsStore.getState().loadJobs()
    })
    render(<JobsPanel />)
    expect(screen.getByTestId('jobs-button').textContent).toContain('1')

    fireEvent.click(screen.getByTestId('jobs-button'))
    act(() =>
      client.emit('job:progress', {
        jobId: 5,
        kind: 'demo_reset',
        step: 'Writing',
        current: 7,
        total: 10,
        message: 'TikTok',
      }),
    )
    const bar = await screen.findByRole('progressbar')
    expect(bar.getAttribute('aria-valuenow')).toBe('7')
    expect(screen.getByTestId('job-5').textContent).toContain('Writing')

    fireEvent.click(screen.getByRole('button', { name: 'Cancel Demo reset' }))
    await waitFor(() => expect(screen.getByTestId('job-5').getAttribute('data-status')).toBe('cancelled'))
    expect(client.calls.some((c) => c.channel === 'jobs:cancel')).toBe(true)

    fireEvent.keyDown(screen.getByTestId('jobs-panel'), { key: 'Escape' })
    expect(screen.queryByTestId('jobs-panel')).toBeNull()
    stop()
  })

  it('shows a job that went back to the queue (a training giving way to a sync) as queued with its reason', async () => {
    const client = createFakeClient({ 'jobs:list': () => [{ ...running, id: 6, kind: 'ml:train' }] })
    setClient(client)
    const stop = startLiveUpdates()
    await act(async () => {
      await useJobsStore.getState().loadJobs()
    })
    render(<JobsPanel />)
    fireEvent.click(screen.getByTestId('jobs-button'))
    const wait = 'Waiting for the sync, import or demo build to finish, to train on the new data'
    act(() =>
      client.emit('job:progress', { jobId: 6, kind: 'ml:train', step: 'waiting', current: 0, total: 0, message: wait }),
    )
    await waitFor(() => expect(screen.getByTestId('job-6').getAttribute('data-status')).toBe('queued'))
    expect(screen.getByTestId('job-6').textContent).toContain('Queued')
    expect(screen.getByTestId('job-6').textContent).toContain(wait)
    stop()
  })
})
