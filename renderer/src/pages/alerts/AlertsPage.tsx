import { useState, type JSX } from 'react'
import { PageFrame } from '../../components/PageFrame'
import { TabList } from '../../components/TabList'
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
  return (
    <PageFrame id="alerts">
      <TabList name="alerts" label="Alerts" tabs={TABS} value={tab} onChange={setTab} />
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
