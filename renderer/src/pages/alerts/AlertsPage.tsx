import { useRef, useState, type JSX, type KeyboardEvent } from 'react'
import { PageFrame } from '../../components/PageFrame'
import { AlertList } from './AlertList'
import { ChannelsPanel } from './ChannelsPanel'
import { SourcesPanel } from './SourcesPanel'
import './alerts.css'

const TABS = [
  { id: 'alerts', label: 'Alerts' },
  { id: 'channels', label: 'Channels & routing' },
  { id: 'sources', label: 'Sources' },
] as const
type TabId = (typeof TABS)[number]['id']

/** `#/alerts?tab=channels` (a disabled channel's alert links there) opens that tab. */
function linkedTab(): TabId {
  const m = /[?&]tab=([a-z]+)/.exec(window.location.hash)
  return TABS.find((t) => t.id === m?.[1])?.id ?? 'alerts'
}

export function AlertsPage(): JSX.Element {
  const [tab, setTab] = useState<TabId>(linkedTab)
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({})

  const onTabKey = (e: KeyboardEvent, i: number): void => {
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0
    if (!d && e.key !== 'Home' && e.key !== 'End') return
    e.preventDefault()
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : (i + d + TABS.length) % TABS.length
    const t = TABS[next]
    if (!t) return
    setTab(t.id)
    tabRefs.current[t.id]?.focus()
  }

  return (
    <PageFrame id="alerts">
      <div className="alert-tabs" role="tablist" aria-label="Alerts">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[t.id] = el
            }}
            type="button"
            role="tab"
            id={`alerts-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls="alerts-panel"
            tabIndex={tab === t.id ? 0 : -1}
            className="alert-tab"
            onClick={() => setTab(t.id)}
            onKeyDown={(e) => onTabKey(e, i)}
            data-testid={`alerts-tab-${t.id}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div id="alerts-panel" role="tabpanel" aria-labelledby={`alerts-tab-${tab}`}>
        {tab === 'alerts' ? (
          <AlertList onOpenChannels={() => setTab('channels')} />
        ) : tab === 'channels' ? (
          <ChannelsPanel />
        ) : (
          <SourcesPanel />
        )}
      </div>
    </PageFrame>
  )
}
