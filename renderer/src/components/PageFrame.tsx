import { useEffect, useRef, type JSX, type ReactNode } from 'react'
import type { Job } from '../../../shared/domain/jobs'
import { ROUTE_TITLES, ROUTE_USES_RANGE, type RouteId } from '../lib/routes'
import { isActive, useJobsStore } from '../stores/jobs-store'
import { useRouterStore } from '../stores/router-store'
import { useWorkspaceStore } from '../stores/workspace-store'
import { CompareToggle, DateRangePicker } from './DateRangePicker'

interface PageFrameProps {
  id: RouteId
  /** Small text next to the title (e.g. the workspace or a status). */
  meta?: ReactNode
  children: ReactNode
}

/** Every page: its test id, a sticky header holding the <h1> and the global range controls. */
export function PageFrame({ id, meta, children }: PageFrameProps): JSX.Element {
  const heading = useRef<HTMLHeadingElement>(null)
  const navCount = useRouterStore((s) => s.navCount)

  useEffect(() => {
    // After an in-app navigation, move focus to the new page so screen readers announce it;
    // not on first load, where focus should stay at the top of the document.
    if (navCount > 0) heading.current?.focus({ preventScroll: true })
  }, [navCount])

  return (
    <div className="page-root" data-testid={`page-${id}`}>
      <header className="header">
        <div className="header__title">
          <h1 ref={heading} tabIndex={-1}>
            {ROUTE_TITLES[id]}
          </h1>
          {meta ? <span className="header__meta">{meta}</span> : null}
        </div>
        {ROUTE_USES_RANGE[id] ? (
          <div className="header__controls">
            <CompareToggle />
            <DateRangePicker />
          </div>
        ) : null}
      </header>
      <div className="page" id="main-content" tabIndex={-1}>
        <DemoRebuildNote />
        {children}
      </div>
    </div>
  )
}

/**
 * While the demo workspace is rebuilt (a start after its last day, or Settings → Reset demo), its old
 * days are removed piece by piece and the new ones written: every page of the demo says so, since its
 * figures change until the build ends. Only once the workspaces are loaded and the demo is the one
 * shown (a first start's build, with no workspace yet, is the dashboard's empty state). The sentence
 * is announced once; the step and share done change with every progress event and are not.
 */
function DemoRebuildNote(): JSX.Element | null {
  const demoShown = useWorkspaceStore(
    (s) => s.status === 'ready' && (s.workspaces.find((w) => w.id === s.workspaceId)?.isDemo ?? false),
  )
  const build = useActiveDemoBuild()
  if (!demoShown || !build) return null
  return (
    // One flex item (the note spaces its items apart): the live sentence, then the rest.
    <p className="note note--info" data-testid="demo-rebuild-note">
      <span>
        <span role="status">The demo workspace is being rebuilt.</span>
        {` ${buildProgress(build)}Its figures change until the build ends; the jobs panel shows its progress.`}
      </span>
    </p>
  )
}

/** The demo build queued or running, if any. */
export function useActiveDemoBuild(): Job | undefined {
  return useJobsStore((s) => s.jobs.find((j) => j.kind === 'demo:build' && isActive(j)))
}

/** "Generating daily rows, 79 %. " for a running build with a step; empty otherwise. */
export function buildProgress(build: Job): string {
  if (build.status !== 'running' || !build.step) return ''
  const done = build.total > 1 ? Math.min(99, Math.floor((100 * build.current) / build.total)) : null
  return `${build.step}${done !== null ? `, ${done}%` : ''}. `
}
