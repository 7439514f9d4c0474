import { useEffect, useRef, type JSX, type ReactNode } from 'react'
import { ROUTE_TITLES, ROUTE_USES_RANGE, type RouteId } from '../lib/routes'
import { useRouterStore } from '../stores/router-store'
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
        {children}
      </div>
    </div>
  )
}
