import { useCallback, useRef, useState, type JSX } from 'react'
import { getClient } from '../../api/client'
import { PageFrame } from '../../components/PageFrame'
import { TabList } from '../../components/TabList'
import { ErrorState, Skeleton } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { usePageData, type DataTable } from '../../lib/page-data'
import { useWorkspaceStore } from '../../stores/workspace-store'
import { BrandingPanel } from './BrandingPanel'
import { GeneratePanel } from './GeneratePanel'
import { HistoryPanel } from './HistoryPanel'
import { SchedulesPanel } from './SchedulesPanel'
import './reports.css'

/** What the page reads: saved templates, schedules, history, and the settings row (branding, delivery). */
export const REPORTS_TABLES: readonly DataTable[] = [
  'report_templates',
  'report_schedules',
  'reports',
  'settings',
  'ad_accounts',
]

const TABS = [
  { id: 'generate', label: 'Generate' },
  { id: 'schedules', label: 'Schedules' },
  { id: 'history', label: 'History' },
  { id: 'branding', label: 'Branding & delivery' },
] as const
type TabId = (typeof TABS)[number]['id']

/** `#/reports?history=12` (an alert's link) opens the history on that report. */
function linkedHistoryId(): number | null {
  const m = /[?&]history=(\d+)/.exec(window.location.hash)
  return m ? Number(m[1]) : null
}

export function ReportsPage(): JSX.Element {
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const focus = useRef(linkedHistoryId())
  const [tab, setTab] = useState<TabId>(focus.current !== null ? 'history' : 'generate')

  const data = usePageData({
    key: workspaceId === null ? null : String(workspaceId),
    tables: REPORTS_TABLES,
    workspaceId,
    load: async () => {
      const api = getClient()
      const id = workspaceId as number
      const [templates, schedules, history, settings, accounts] = await Promise.all([
        api.invoke('reports:listTemplates', { workspaceId: id }),
        api.invoke('reports:listSchedules', { workspaceId: id }),
        api.invoke('reports:listHistory', { workspaceId: id, limit: 100 }),
        api.invoke('reports:getSettings', { workspaceId: id }),
        api.invoke('accounts:list', { workspaceId: id }),
      ])
      return { templates, schedules, history, settings, accounts }
    },
  })
  const reload = data.reload
  const changed = useCallback(() => reload(), [reload])

  let body: JSX.Element
  if (data.status === 'error')
    body = (
      <div className="card">
        <ErrorState title="Could not load reports" message={errorMessage(data.error)} onRetry={reload} />
      </div>
    )
  else if (data.status === 'loading' || !data.data || workspaceId === null)
    body = (
      <div className="card card__body" aria-busy="true">
        <Skeleton height={360} />
      </div>
    )
  else {
    const d = data.data
    body =
      tab === 'generate' ? (
        <GeneratePanel workspaceId={workspaceId} saved={d.templates.saved} accounts={d.accounts} onSaved={changed} />
      ) : tab === 'schedules' ? (
        <SchedulesPanel
          workspaceId={workspaceId}
          schedules={d.schedules}
          saved={d.templates.saved}
          accounts={d.accounts}
          emailReady={d.settings.email !== null}
          onChanged={changed}
        />
      ) : tab === 'history' ? (
        <HistoryPanel
          workspaceId={workspaceId}
          history={d.history}
          retentionDays={d.settings.retentionDays}
          focusId={focus.current}
          onChanged={changed}
        />
      ) : (
        <BrandingPanel key={workspaceId} workspaceId={workspaceId} settings={d.settings} onChanged={changed} />
      )
  }

  return (
    <PageFrame id="reports">
      <TabList name="reports" label="Reports" tabs={TABS} value={tab} onChange={setTab} />
      <div id="reports-panel" role="tabpanel" aria-labelledby={`reports-tab-${tab}`}>
        {body}
      </div>
    </PageFrame>
  )
}
