import { useState, type JSX } from 'react'
import type { Rule } from '../../../../shared/domain/rules'
import type { RuleTemplate } from '../../../../shared/ipc/contracts/automation'
import type { z } from 'zod'
import type { RuleSummarySchema } from '../../../../shared/ipc/contracts/automation'
import { getClient } from '../../api/client'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { LoadState } from '../../components/LoadState'
import { Sparkline } from '../../components/Sparkline'
import { EmptyState } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { formatTimestamp } from '../../lib/format'
import { usePageData } from '../../lib/page-data'
import { MODE_LABELS, actionText, dailySeries, groupText, scheduleText } from './rule-text'

export type RuleSummary = z.infer<typeof RuleSummarySchema>

const LEVEL_WORDS = { campaign: 'campaigns', ad_set: 'ad sets', ad: 'ads' } as const

function nextRunText(r: RuleSummary, paused: boolean): string {
  const d = r.definition
  if (!d.enabled) return 'Paused'
  if (d.mode === 'preview') return 'Preview only: never runs by itself'
  if (paused) return 'Automation is paused'
  if (d.schedule.kind === 'after_sync') return 'After the next sync'
  if (d.schedule.kind === 'manual') return 'When run by hand'
  return formatTimestamp(r.nextRunAt)
}

/** The rule list: state, mode, last and next run, matches, actions taken (with a sparkline), pending approvals. */
export function RulesPanel({
  rules,
  paused,
  currency,
  now,
  onNew,
  onEdit,
  onHistory,
  onChanged,
  onApprovals,
}: {
  rules: RuleSummary[]
  paused: boolean
  currency: string
  now: Date
  onNew: () => void
  onEdit: (r: Rule) => void
  onHistory: (ruleId: number) => void
  onChanged: () => void
  onApprovals: () => void
}): JSX.Element {
  const [deleting, setDeleting] = useState<RuleSummary | null>(null)
  const [busy, setBusy] = useState<number | null>(null)
  const [notice, setNotice] = useState<{ text: string; tone: 'info' | 'warning' } | null>(null)

  const act = async (r: RuleSummary, what: () => Promise<string>): Promise<void> => {
    setBusy(r.id)
    setNotice(null)
    try {
      setNotice({ text: await what(), tone: 'info' })
      onChanged()
    } catch (err) {
      setNotice({ text: errorMessage(err), tone: 'warning' })
    } finally {
      setBusy(null)
    }
  }

  const toggle = (r: RuleSummary): Promise<void> =>
    act(r, async () => {
      const enabled = !r.definition.enabled
      const saved = await getClient().invoke('rules:update', { id: r.id, rule: { ...r.definition, enabled } })
      return `“${r.definition.name}” ${enabled ? 'resumed' : 'paused'} (version ${saved.version}).`
    })

  const runNow = (r: RuleSummary): Promise<void> =>
    act(r, async () => {
      const res = await getClient().invoke('rules:run', { id: r.id })
      const what =
        r.definition.mode === 'approval'
          ? `${res.run.actions} action${res.run.actions === 1 ? '' : 's'} proposed for approval`
          : r.definition.mode === 'automatic'
            ? `${res.run.actions} action${res.run.actions === 1 ? '' : 's'} taken`
            : 'nothing changed (preview mode)'
      return `Run ${res.run.id} of “${r.definition.name}”: ${res.run.considered} considered, ${res.run.matched} matched, ${res.run.skipped} skipped; ${what}.${res.run.message ? ` ${res.run.message}` : ''}`
    })

  const remove = async (): Promise<void> => {
    const r = deleting
    setDeleting(null)
    if (r)
      await act(r, async () => {
        await getClient().invoke('rules:delete', { id: r.id })
        return `“${r.definition.name}” deleted. Its runs stay in the history.`
      })
  }

  return (
    <div className="rule-stack">
      <div className="rule-toolbar">
        <p className="field__hint">
          Rules watch your accounts and act through the change pipeline: every change is recorded with the rule that
          asked and why, and can be undone.
        </p>
        <button type="button" className="btn btn--primary" onClick={onNew} data-testid="rule-new">
          New rule from a template
        </button>
      </div>
      {notice ? (
        <p className={`note note--${notice.tone}`} role="status" data-testid="rules-notice">
          {notice.text}
        </p>
      ) : null}
      {rules.length === 0 ? (
        <div className="card">
          <EmptyState
            title="No rules yet"
            icon="automation"
            actions={
              <button type="button" className="btn btn--primary" onClick={onNew}>
                Start from a template
              </button>
            }
          >
            Start from a template such as “Pause poor performers”: its defaults are explained, and the preview shows
            what it would do before anything runs.
          </EmptyState>
        </div>
      ) : (
        <div className="card table-wrap">
          <table className="table rule-table" data-testid="rules-table">
            <caption className="visually-hidden">Automation rules</caption>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">State</th>
                <th scope="col">Mode</th>
                <th scope="col">Last run</th>
                <th scope="col">Next run</th>
                <th scope="col" className="num">
                  Matched
                </th>
                <th scope="col">Actions, 30 days</th>
                <th scope="col">
                  <span className="visually-hidden">Manage</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rules.map((r) => {
                const d = r.definition
                const series = dailySeries(r.actionsByDay, now)
                const total = series.reduce((a, b) => a + b, 0)
                return (
                  <tr key={r.id} data-testid="rule-row" data-rule-id={r.id}>
                    <th scope="row" className="rule-table__name">
                      <button type="button" className="link-button" onClick={() => onEdit(r)}>
                        {d.name}
                      </button>
                      <span className="field__hint">
                        {LEVEL_WORDS[d.scope.level]} · {groupText(d.conditions, currency)} →{' '}
                        {d.actions.map((a) => actionText(a, currency)).join(', ')}
                      </span>
                      <span className="field__hint">
                        {scheduleText(d.schedule)} · v{r.version}
                      </span>
                    </th>
                    <td>
                      <span
                        className={`badge ${d.enabled ? 'badge--positive' : 'badge--warning'}`}
                        data-testid="rule-state"
                      >
                        {d.enabled ? (paused ? 'Active (held)' : 'Active') : 'Paused'}
                      </span>
                    </td>
                    <td data-testid="rule-mode">{MODE_LABELS[d.mode]}</td>
                    <td>
                      {r.lastRunAt ? formatTimestamp(r.lastRunAt) : 'Never'}
                      {r.lastRun?.status === 'failed' ? <span className="badge badge--negative"> failed</span> : null}
                    </td>
                    <td>{nextRunText(r, paused)}</td>
                    <td className="num tabular">{r.lastRun ? r.lastRun.matched : '—'}</td>
                    <td>
                      <div className="rule-table__spark">
                        <span className="tabular">{total}</span>
                        <Sparkline
                          values={series}
                          label={`Actions per day over 30 days, ${total} in all`}
                          height={22}
                        />
                      </div>
                      {r.pending ? (
                        <button type="button" className="link-button field__hint" onClick={onApprovals}>
                          {r.pending} waiting for approval
                        </button>
                      ) : null}
                    </td>
                    <td className="rule-table__actions">
                      <button type="button" className="btn btn--sm" onClick={() => onEdit(r)}>
                        Edit
                      </button>
                      <button
                        type="button"
                        className="btn btn--sm"
                        disabled={busy === r.id}
                        onClick={() => void runNow(r)}
                        data-testid="rule-run"
                      >
                        Run now
                      </button>
                      <button
                        type="button"
                        className="btn btn--sm"
                        disabled={busy === r.id}
                        onClick={() => void toggle(r)}
                        data-testid="rule-toggle"
                      >
                        {d.enabled ? 'Pause' : 'Resume'}
                      </button>
                      <button type="button" className="btn btn--sm" onClick={() => onHistory(r.id)}>
                        History
                      </button>
                      <button
                        type="button"
                        className="btn btn--ghost btn--sm"
                        aria-label={`Delete ${d.name}`}
                        onClick={() => setDeleting(r)}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this rule?"
        confirmLabel="Delete rule"
        danger
        onConfirm={() => void remove()}
        onCancel={() => setDeleting(null)}
      >
        “{deleting?.definition.name}” stops running. Its runs, decisions and changes stay readable in the history, and
        changes it made can still be undone there.
        {deleting?.pending ? ` Its ${deleting.pending} proposals waiting for approval stay in the inbox.` : ''}
      </ConfirmDialog>
    </div>
  )
}

/**
 * Pick a template: its summary and why each default is what it is. Loaded when opened (targets
 * come from the workspace's last 30 days, so they are computed on demand, not with the list).
 */
export function TemplatePicker({
  workspaceId,
  onPick,
  onBlank,
  onCancel,
}: {
  workspaceId: number
  onPick: (t: RuleTemplate) => void
  onBlank: () => void
  onCancel: () => void
}): JSX.Element {
  const templates = usePageData({
    key: String(workspaceId),
    tables: [],
    workspaceId,
    load: () => getClient().invoke('rules:templates', { workspaceId }),
  })
  return (
    <section className="rule-stack" aria-labelledby="templates-title" data-testid="template-picker">
      <div className="rule-toolbar">
        <h2 id="templates-title" className="rule-section__title">
          New rule from a template
        </h2>
        <span>
          <button type="button" className="btn" onClick={onBlank}>
            Blank rule
          </button>{' '}
          <button type="button" className="btn btn--ghost" onClick={onCancel}>
            Cancel
          </button>
        </span>
      </div>
      <LoadState state={templates} what="the templates" loading={<div className="skeleton" style={{ height: 200 }} />}>
        {(list) => (
          <ul className="template-grid">
            {list.map((t) => (
              <li key={t.id} className="card template" data-testid={`template-${t.id}`}>
                <div className="card__body">
                  <h3>{t.name}</h3>
                  <p>{t.summary}</p>
                  <details>
                    <summary>Why these defaults</summary>
                    <ul className="template__why">
                      {t.explanations.map((e, i) => (
                        <li key={i}>{e.text}</li>
                      ))}
                    </ul>
                  </details>
                  <button type="button" className="btn btn--primary btn--sm" onClick={() => onPick(t)}>
                    Use this template
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </LoadState>
    </section>
  )
}
