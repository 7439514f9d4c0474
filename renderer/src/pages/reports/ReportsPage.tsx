import { useCallback, useRef, useState, type JSX, type KeyboardEvent } from 'react'
import { getClient } from '../../api/client'
import { PageFrame } from '../../components/PageFrame'
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
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({})

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
      <div className="report-tabs" role="tablist" aria-label="Reports">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[t.id] = el
            }}
            type="button"
            role="tab"
            id={`reports-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls="reports-panel"
            tabIndex={tab === t.id ? 0 : -1}
            className="report-tab"
            onClick={() => setTab(t.id)}
            onKeyDown={(e) => onTabKey(e, i)}
            data-testid={`reports-tab-${t.id}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div id="reports-panel" role="tabpanel" aria-labelledby={`reports-tab-${tab}`}>
        {body}
      </div>
    </PageFrame>
  )
}
