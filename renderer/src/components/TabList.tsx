import { useRef, type JSX, type KeyboardEvent, type ReactNode } from 'react'

export interface TabSpec<T extends string> {
  id: T
  label: ReactNode
}

/**
 * The design system's tab row (WAI-ARIA tabs: arrow keys, Home and End move and select; only the
 * selected tab is in the tab order). Tab `x` of `name` is `#<name>-tab-x` (test id the same) and
 * controls `#<name>-panel`, which the page renders with role="tabpanel".
 */
export function TabList<T extends string>({
  name,
  label,
  tabs,
  value,
  onChange,
}: {
  name: string
  /** The tab row's accessible name. */
  label: string
  tabs: readonly TabSpec<T>[]
  value: T
  onChange: (id: T) => void
}): JSX.Element {
  const refs = useRef<Partial<Record<T, HTMLButtonElement | null>>>({})
  const onKey = (e: KeyboardEvent, i: number): void => {
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0
    if (!d && e.key !== 'Home' && e.key !== 'End') return
    e.preventDefault()
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : (i + d + tabs.length) % tabs.length
    const t = tabs[next]
    if (!t) return
    onChange(t.id)
    refs.current[t.id]?.focus()
  }
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t, i) => (
        <button
          key={t.id}
          ref={(el) => {
            refs.current[t.id] = el
          }}
          type="button"
          role="tab"
          id={`${name}-tab-${t.id}`}
          aria-selected={value === t.id}
          aria-controls={`${name}-panel`}
          tabIndex={value === t.id ? 0 : -1}
          className="tab"
          onClick={() => onChange(t.id)}
          onKeyDown={(e) => onKey(e, i)}
          data-testid={`${name}-tab-${t.id}`}
        >
          {t.label}
        </button>
      ))}
    </div>
  )
}
