import { useEffect, useRef, useState, type JSX } from 'react'
import type { Rule, RuleDefinition } from '../../../../shared/domain/rules'
import type { RuleTemplate } from '../../../../shared/ipc/contracts/automation'
import { getClient } from '../../api/client'
import { PageFrame } from '../../components/PageFrame'
import { TabList } from '../../components/TabList'
import { ErrorState, Skeleton } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { usePageData, type DataTable } from '../../lib/page-data'
import { useWorkspaceStore } from '../../stores/workspace-store'
import { ApprovalsPanel } from './ApprovalsPanel'
import { HistoryPanel, type HistoryFocus } from './HistoryPanel'
import { RuleEditor } from './RuleEditor'
import { RulesPanel, TemplatePicker } from './RulesPanel'
import { blankRule, toDraft } from './rule-text'
import './automation.css'

/** What the page reads: rules and their runs, the change outbox (approvals), the paused flag, accounts. */
export const AUTOMATION_TABLES: readonly DataTable[] = [
  'automation_rules',
  'rule_versions',
  'rule_runs',
  'changes',
  'settings',
  'ad_accounts',
  'workspaces',
]

const TABS = [
  { id: 'rules', label: 'Rules' },
  { id: 'approvals', label: 'Approvals' },
  { id: 'history', label: 'History' },
] as const
type TabId = (typeof TABS)[number]['id']

type View =
  | { kind: 'tabs' }
  | { kind: 'templates' }
  | { kind: 'edit'; rule?: Rule; initial: RuleDefinition; template?: RuleTemplate }

/**
 * Links into the page: `#/automation?rule=12` (an alert's link) opens that rule's history,
 * `#/automation?tab=approvals` (the tray's "Review proposed changes") the inbox.
 */
function linked(hash: string): { ruleId: number | null; tab: TabId | null } {
  const rule = /[?&]rule=(\d+)/.exec(hash)
  const tab = /[?&]tab=(\w+)/.exec(hash)?.[1]
  return {
    ruleId: rule ? Number(rule[1]) : null,
    tab: rule ? 'history' : TABS.some((t) => t.id === tab) ? (tab as TabId) : null,
  }
}

export function AutomationPage(): JSX.Element {
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const workspace = useWorkspaceStore((s) => s.workspaces.find((w) => w.id === s.workspaceId))
  const currency = workspace?.reportingCurrency ?? 'USD'
  const link = useRef(linked(window.location.hash))
  const [tab, setTab] = useState<TabId>(link.current.tab ?? 'rules')
  const [view, setView] = useState<View>({ kind: 'tabs' })
  const [focus, setFocus] = useState<HistoryFocus>({ kind: 'rule', ruleId: link.current.ruleId, runId: null })

  // A link followed while the page is open (the tray, an alert) switches to its tab.
  useEffect(() => {
    const onHash = (): void => {
      const l = linked(window.location.hash)
      if (!l.tab) return
      setView({ kind: 'tabs' })
      setTab(l.tab)
      if (l.ruleId !== null) setFocus({ kind: 'rule', ruleId: l.ruleId, runId: null })
    }
    window.addEventListener('hashchange', onHash)
    return () => window.removeEventListener('hashchange', onHash)
  }, [])
  const [pauseError, setPauseError] = useState<string | null>(null)
  const [pausing, setPausing] = useState(false)

  const data = usePageData({
    key: workspaceId === null ? null : String(workspaceId),
    tables: AUTOMATION_TABLES,
    workspaceId,
    load: async () => {
      const api = getClient()
      const id = workspaceId as number
      const [list, proposals, accounts] = await Promise.all([
        api.invoke('rules:list', { workspaceId: id }),
        api.invoke('changes:list', { workspaceId: id, state: 'proposed', limit: 500, offset: 0 }),
        api.invoke('accounts:list', { workspaceId: id }),
      ])
      return { ...list, proposals: proposals.items, accounts }
    },
  })

  const setPaused = async (paused: boolean): Promise<void> => {
    setPausing(true)
    setPauseError(null)
    try {
      await getClient().invoke('automation:setPaused', { paused })
      data.reload()
    } catch (err) {
      setPauseError(errorMessage(err))
    } finally {
      setPausing(false)
    }
  }

  const d = data.data
  const paused = d?.paused ?? false

  let body: JSX.Element
  if (data.status === 'error')
    body = (
      <div className="card">
        <ErrorState title="Could not load automation" message={errorMessage(data.error)} onRetry={data.reload} />
      </div>
    )
  else if (data.status === 'loading' || !d || workspaceId === null)
    body = (
      <div className="card card__body" aria-busy="true" aria-label="Loading automation" data-state="loading">
        <Skeleton height={28} />
        <Skeleton height={220} style={{ marginTop: 12 }} />
      </div>
    )
  else if (view.kind === 'templates')
    body = (
      <TemplatePicker
        workspaceId={workspaceId}
        onPick={(t) => setView({ kind: 'edit', initial: toDraft(t.rule), template: t })}
        onBlank={() => setView({ kind: 'edit', initial: blankRule(workspaceId) })}
        onCancel={() => setView({ kind: 'tabs' })}
      />
    )
  else if (view.kind === 'edit')
    body = (
      <RuleEditor
        key={view.rule ? `${view.rule.id}@${view.rule.version}` : (view.template?.id ?? 'blank')}
        {...(view.rule ? { rule: view.rule } : {})}
        {...(view.template ? { template: view.template } : {})}
        initial={view.initial}
        accounts={d.accounts}
        currency={currency}
        onSaved={(r) => {
          setView({ kind: 'tabs' })
          setTab('rules')
          void r
          data.reload()
        }}
        onCancel={() => setView({ kind: 'tabs' })}
      />
    )
  else {
    const panel =
      tab === 'rules' ? (
        <RulesPanel
          rules={d.rules}
          paused={paused}
          currency={currency}
          now={new Date()}
          onNew={() => setView({ kind: 'templates' })}
          onEdit={(r) => setView({ kind: 'edit', rule: r, initial: toDraft(r.definition) })}
          onHistory={(ruleId) => {
            setFocus({ kind: 'rule', ruleId, runId: null })
            setTab('history')
          }}
          onApprovals={() => setTab('approvals')}
          onChanged={data.reload}
        />
      ) : tab === 'approvals' ? (
        <ApprovalsPanel proposals={d.proposals} accounts={d.accounts} rules={d.rules} onChanged={data.reload} />
      ) : (
        <HistoryPanel rules={d.rules} accounts={d.accounts} currency={currency} focus={focus} onFocus={setFocus} />
      )
    body = (
      <div>
        <div className="automation-head">
          <TabList
            name="automation"
            label="Automation"
            value={tab}
            onChange={setTab}
            tabs={TABS.map((t) => ({
              id: t.id,
              label: (
                <>
                  {t.label}
                  {t.id === 'approvals' && d.proposals.length ? (
                    <span className="badge badge--accent tab-count" data-testid="approvals-count">
                      {d.proposals.length}
                    </span>
                  ) : null}
                </>
              ),
            }))}
          />
          {paused ? null : (
            <button
              type="button"
              className="btn btn--sm"
              disabled={pausing}
              onClick={() => void setPaused(true)}
              data-testid="pause-all"
              title="Stops every rule from running on its schedule or after a sync, until resumed"
            >
              Pause all automation
            </button>
          )}
        </div>
        <div id="automation-panel" role="tabpanel" aria-labelledby={`automation-tab-${tab}`}>
          {panel}
        </div>
      </div>
    )
  }

  return (
    <PageFrame
      id="automation"
      meta={
        d ? (
          <span className={`badge ${paused ? 'badge--warning' : 'badge--positive'}`} data-testid="automation-state">
            {paused ? 'All automation paused' : 'Automation on'}
          </span>
        ) : null
      }
    >
      {d && paused ? (
        <div className="note note--warning automation-banner" role="status" data-testid="paused-banner">
          <span>
            <strong>All automation is paused.</strong> No rule runs on its schedule or after a sync until you resume;
            previews and the approvals inbox still work.
          </span>
          <button
            type="button"
            className="btn btn--primary btn--sm"
            disabled={pausing}
            onClick={() => void setPaused(false)}
            data-testid="resume-all"
          >
            Resume automation
          </button>
        </div>
      ) : null}
      {pauseError ? (
        <p className="note note--warning" role="alert">
          {pauseError}
        </p>
      ) : null}
      {body}
    </PageFrame>
  )
}
