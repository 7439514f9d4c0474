// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Job } from '../../../shared/domain/jobs'
import type { Workspace } from '../../../shared/ipc/contract'
import { useJobsStore } from '../stores/jobs-store'
import { useWorkspaceStore } from '../stores/workspace-store'
import { PageFrame } from './PageFrame'

const build: Job = {
  id: 9,
  kind: 'demo:build',
  status: 'running',
  attempts: 1,
  maxAttempts: 1,
  step: 'Generating daily rows',
  current: 400,
  total: 1000,
  message: 'Meta account',
  error: null,
  createdAt: '2026-12-06T10:00:00Z',
  startedAt: '2026-12-06T10:00:00Z',
  finishedAt: null,
}
const demo = { id: 1, name: 'Demo', isDemo: true } as Workspace
const shop = { id: 2, name: 'Shop', isDemo: false } as Workspace

beforeEach(() => {
  useJobsStore.setState({ jobs: [], panelOpen: false, cancelling: [], error: null })
  useWorkspaceStore.setState({ workspaces: [demo, shop], workspaceId: 1, status: 'ready' })
})
afterEach(cleanup)

const page = (): void => {
  render(
    <PageFrame id="dashboard">
      <p>figures</p>
    </PageFrame>,
  )
}

describe('the demo rebuild note (review 10, finding 16)', () => {
  it('says on the demo’s pages that its figures change while a demo build runs, with the step and share done', () => {
    useJobsStore.setState({ jobs: [build] })
    page()
    expect(screen.getByTestId('demo-rebuild-note').textContent).toBe(
      'The demo workspace is being rebuilt. Generating daily rows, 40%. Its figures change until the build ends; the jobs panel shows its progress.',
    )
    // Announced once: only the sentence is in the live region, not the share that changes with every event.
    expect(screen.getByRole('status').textContent).toBe('The demo workspace is being rebuilt.')
  })

  it('is gone once the build ends, and never shown on another workspace', () => {
    useJobsStore.setState({ jobs: [build] })
    page()
    expect(screen.queryByTestId('demo-rebuild-note')).not.toBeNull()
    act(() => useJobsStore.setState({ jobs: [{ ...build, status: 'succeeded', finishedAt: '2026-12-06T10:02:00Z' }] }))
    expect(screen.queryByTestId('demo-rebuild-note')).toBeNull()
    act(() => useJobsStore.setState({ jobs: [build] }))
    expect(screen.queryByTestId('demo-rebuild-note')).not.toBeNull()
    act(() => useWorkspaceStore.setState({ workspaceId: 2 }))
    expect(screen.queryByTestId('demo-rebuild-note')).toBeNull()
  })

  it('is not shown before the workspaces are loaded, nor with no workspace (a first start: the dashboard says it)', () => {
    useJobsStore.setState({ jobs: [build] })
    useWorkspaceStore.setState({ status: 'loading', workspaceId: 1 })
    page()
    expect(screen.queryByTestId('demo-rebuild-note')).toBeNull()
    act(() => useWorkspaceStore.setState({ status: 'ready', workspaces: [], workspaceId: null }))
    expect(screen.queryByTestId('demo-rebuild-note')).toBeNull()
    act(() => useWorkspaceStore.setState({ workspaces: [demo], workspaceId: 1 }))
    expect(screen.queryByTestId('demo-rebuild-note')).not.toBeNull()
  })

  it('shows a queued build without a step', () => {
    useJobsStore.setState({ jobs: [{ ...build, status: 'queued', step: null, current: 0, total: 0 }] })
    page()
    expect(screen.getByTestId('demo-rebuild-note').textContent).toBe(
      'The demo workspace is being rebuilt. Its figures change until the build ends; the jobs panel shows its progress.',
    )
  })
})

describe('the dashboard on a first start (review 11, finding 1)', () => {
  it('says the demo is being built, not "No workspaces yet — rebuild the demo", while its first build runs', async () => {
    const { DashboardPage } = await import('../pages/dashboard/DashboardPage')
    useWorkspaceStore.setState({ status: 'ready', workspaces: [], workspaceId: null })
    useJobsStore.setState({ jobs: [build] })
    render(<DashboardPage />)
    expect(screen.getByText('Building the demo workspace')).not.toBeNull()
    expect(screen.getByText(/Generating daily rows, 40%\. It appears here when the build ends/)).not.toBeNull()
    expect(screen.queryByText('No workspaces yet')).toBeNull()
    expect(screen.queryByTestId('demo-rebuild-note')).toBeNull()
    act(() => useJobsStore.setState({ jobs: [] }))
    expect(screen.getByText('No workspaces yet')).not.toBeNull()
  })
})
