import type { JSX, MouseEvent } from 'react'
import { ROUTE_IDS, ROUTE_TITLES, routeHash, type RouteId } from '../lib/routes'
import { useRouterStore } from '../stores/router-store'
import { Icon } from './Icon'
import { JobsPanel } from './JobsPanel'
import { WorkspaceSwitcher } from './WorkspaceSwitcher'

const SHORTCUT_KEY = /Mac|iPhone|iPad/.test(typeof navigator === 'undefined' ? '' : navigator.platform) ? '⌥' : 'Alt+'

function shortcutDigit(index: number): string {
  return index === 9 ? '0' : String(index + 1)
}

/** Grouped for scanning; the order matches the Alt+digit shortcuts. */
const SECTIONS: { label: string | null; routes: RouteId[] }[] = [
  { label: null, routes: ['dashboard', 'campaigns', 'creatives'] },
  { label: 'Insights', routes: ['anomalies', 'recommendations', 'experiments', 'predictions'] },
  { label: 'Operations', routes: ['automation', 'alerts', 'reports'] },
  { label: 'Workspace', routes: ['connections', 'settings', 'diagnostics'] },
]

export function Sidebar(): JSX.Element {
  const route = useRouterStore((s) => s.route)
  const navigate = useRouterStore((s) => s.navigate)

  const onClick = (e: MouseEvent<HTMLAnchorElement>, id: RouteId): void => {
    // Let modified clicks behave like links; plain clicks go through the store.
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return
    e.preventDefault()
    navigate(id)
  }

  return (
    <aside className="sidebar">
      <div className="sidebar__brand">
        <span className="brand-mark" aria-hidden="true">
          <svg width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="2">
            <path d="M2.5 12.5l3.5-4 3 2.5 4.5-6.5" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
        </span>
        <span>Marketing Engine</span>
      </div>
      <div className="sidebar__workspace">
        <WorkspaceSwitcher />
      </div>
      <nav className="sidebar__nav" aria-label="Main">
        {SECTIONS.map((section) => (
          <div key={section.label ?? 'main'}>
            {section.label ? (
              <p className="nav-section-label" aria-hidden="true">
                {section.label}
              </p>
            ) : null}
            <ul className="nav-list">
              {section.routes.map((id) => {
                // Only the first ten routes have an Alt+digit shortcut.
                const digit = ROUTE_IDS.indexOf(id) < 10 ? shortcutDigit(ROUTE_IDS.indexOf(id)) : null
                return (
                  <li key={id}>
                    <a
                      href={routeHash(id)}
                      className="nav-item"
                      aria-current={route === id ? 'page' : undefined}
                      aria-keyshortcuts={digit ? `Alt+${digit}` : undefined}
                      onClick={(e) => onClick(e, id)}
                      data-testid={`nav-${id}`}
                    >
                      <Icon name={id} />
                      <span className="nav-item__label">{ROUTE_TITLES[id]}</span>
                      {digit ? (
                        <kbd className="nav-item__key" aria-hidden="true">
                          {SHORTCUT_KEY}
                          {digit}
                        </kbd>
                      ) : null}
                    </a>
                  </li>
                )
              })}
            </ul>
          </div>
        ))}
      </nav>
      <div className="sidebar__footer">
        <JobsPanel />
      </div>
    </aside>
  )
}
