import { useEffect, useState, type JSX } from 'react'
import type { Change } from '../../../../shared/domain/changes'
import type { EntityLevel } from '../../../../shared/domain/entities'
import {
  RUN_DECISIONS_PAGE,
  RUN_HISTORY_DAYS,
  RUN_HISTORY_KEEP,
  type RuleDecision,
  type RuleExplanation,
  type RuleRun,
} from '../../../../shared/domain/rules'
import type { Account } from '../../../../shared/ipc/contract'
import { getClient } from '../../api/client'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { Pager } from '../../components/Pager'
import { LoadState } from '../../components/LoadState'
import { EmptyState } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { formatTimestamp } from '../../lib/format'
import { usePageData, type DataTable } from '../../lib/page-data'
import { outcomeText } from './ApprovalsPanel'
import { DecisionDetail, DecisionList, type DecisionFilter } from './Decisions'
import type { RuleSummary } from './RulesPanel'
import { MODE_LABELS, changeText } from './rule-text'

const HISTORY_TABLES: readonly DataTable[] = [
  'rule_runs',
  'rule_decisions',
  'rule_decision_sets',
  'changes',
  'automation_rules',
]

/** Recompute a stored run's compactly recorded decision about an entity. */
const explainIn =
  (runId: number) =>
  (d: RuleDecision): Promise<RuleExplanation> =>
    getClient().invoke('rules:explain', { runId, entityType: d.entityType, entityId: d.entityId })
const TRIGGER_WORDS: Record<RuleRun['trigger'], string> = {
  schedule: 'On schedule',
  after_sync: 'After a sync',
  manual: 'Run by hand',
  preview: 'Preview',
}
const LEVEL_WORD = { campaign: 'Campaign', ad_set: 'Ad set', ad: 'Ad' } as const

export type HistoryFocus =
  | { kind: 'rule'; ruleId: number | null; runId: number | null }
  | { kind: 'entity'; entityType: EntityLevel; entityId: number; name: string }

function runLine(r: RuleRun): string {
  const acted = r.dryRun ? 'dry run, nothing acted' : `${r.actions} action${r.actions === 1 ? '' : 's'}`
  return `${r.considered} considered · ${r.matched} matched · ${r.skipped} skipped · ${acted}`
}

/** Applied changes can be undone (unless already undone); the undo itself is a change too. */
function undoable(c: Change): boolean {
  return c.state === 'applied' && c.undoneBy === null && c.undoOf === null && c.writes > 0
}

function ChangeRows({
  changes,
  currencyOf,
  onUndo,
  busy,
}: {
  changes: Change[]
  currencyOf: (c: Change) => string
  onUndo: (c: Change) => void
  busy: boolean
}): JSX.Element {
  return (
    <ul className="decided-list" data-testid="history-changes">
      {changes.map((c) => (
        <li key={c.id} data-testid="history-change" data-state={c.state}>
          <span>
            <span
              className={`badge ${c.state === 'applied' ? 'badge--positive' : c.state === 'failed' ? 'badge--negative' : 'badge--info'}`}
            >
              {c.state}
            </span>{' '}
            <strong>{c.entityName ?? c.entityId}</strong> — {changeText(c, currencyOf(c))}
            {c.undoOf ? ` (undo of #${c.undoOf})` : ''}
          </span>
          <span className="field__hint">
            #{c.id} · {c.actor.label} · {formatTimestamp(c.appliedAt ?? c.updatedAt)}
            {c.decidedBy ? ` · decided by ${c.decidedBy}` : ''} · {outcomeText(c, currencyOf(c))}
          </span>
          {undoable(c) ? (
            <button
              type="button"
              className="btn btn--sm"
              disabled={busy}
              onClick={() => onUndo(c)}
              data-testid="history-undo-change"
            >
              Undo
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  )
}

/**
 * History: a rule's runs, each with every entity it considered and why (matched, not matched,
 * skipped with the reason and numbers) and the changes it made, undoable one by one or as a run;
 * and one entity's timeline across rules.
 */
export function HistoryPanel({
  rules,
  accounts,
  currency,
  focus,
  onFocus,
}: {
  rules: RuleSummary[]
  accounts: Account[]
  /** The workspace reporting currency (condition values). */
  currency: string
  focus: HistoryFocus
  onFocus: (f: HistoryFocus) => void
}): JSX.Element {
  const [notice, setNotice] = useState<{ text: string; tone: 'info' | 'warning' } | null>(null)
  const [busy, setBusy] = useState(false)
  const [confirmRun, setConfirmRun] = useState<RuleRun | null>(null)
  /** Bumped after an undo: the open run or entity reloads at once with the changes' new states. */
  const [nonce, setNonce] = useState(0)
  const currencyOf = (c: Change): string => accounts.find((a) => a.id === c.accountId)?.currency ?? 'USD'
  const accountCurrency = (id: number | null): string => accounts.find((a) => a.id === id)?.currency ?? 'USD'

  const undoChange = async (c: Change): Promise<void> => {
    setBusy(true)
    setNotice(null)
    try {
      const u = await getClient().invoke('changes:undo', { id: c.id, wait: true })
      setNotice({ text: `Change #${c.id} undone: ${outcomeText(u, currencyOf(c))}`, tone: 'info' })
    } catch (err) {
      setNotice({ text: `Undo of change #${c.id}: ${errorMessage(err)}`, tone: 'warning' })
    } finally {
      setBusy(false)
      setNonce((n) => n + 1)
    }
  }

  const undoRun = async (run: RuleRun): Promise<void> => {
    setConfirmRun(null)
    setBusy(true)
    setNotice(null)
    try {
      const res = await getClient().invoke('rules:undoRun', { runId: run.id })
      const undone = res.changes.filter((c) => c.undoOf !== null).length
      const withdrawn = res.changes.filter((c) => c.state === 'rejected').length
      setNotice({
        text: `Run ${run.id} undone: ${undone} change${undone === 1 ? '' : 's'} reverted, ${withdrawn} proposal${withdrawn === 1 ? '' : 's'} withdrawn, ${res.labelsRemoved} label${res.labelsRemoved === 1 ? '' : 's'} removed.`,
        tone: 'info',
      })
    } catch (err) {
      setNotice({ text: `Undo of run ${run.id}: ${errorMessage(err)}`, tone: 'warning' })
    } finally {
      setBusy(false)
      setNonce((n) => n + 1)
    }
  }

  const openEntity = (d: RuleDecision): void =>
    onFocus({ kind: 'entity', entityType: d.entityType, entityId: d.entityId, name: d.entityName })

  return (
    <div className="rule-stack" data-testid="history">
      {notice ? (
        <p className={`note note--${notice.tone}`} role="status" data-testid="history-notice">
          {notice.text}
        </p>
      ) : null}
      {focus.kind === 'rule' ? (
        <RuleHistory
          rules={rules}
          ruleId={focus.ruleId ?? rules[0]?.id ?? null}
          runId={focus.runId}
          nonce={nonce}
          busy={busy}
          onPick={(ruleId, runId) => onFocus({ kind: 'rule', ruleId, runId })}
          onEntity={openEntity}
          onUndoRun={(r) => setConfirmRun(r)}
          onUndoChange={(c) => void undoChange(c)}
          currencyOf={currencyOf}
          accountCurrency={accountCurrency}
        />
      ) : (
        <EntityHistory
          focus={focus}
          currency={currency}
          rules={rules}
          nonce={nonce}
          busy={busy}
          onBack={() => onFocus({ kind: 'rule', ruleId: null, runId: null })}
          onUndoChange={(c) => void undoChange(c)}
          currencyOf={currencyOf}
          accountCurrency={accountCurrency}
        />
      )}
      <ConfirmDialog
        open={confirmRun !== null}
        title={`Undo run ${confirmRun?.id ?? ''}?`}
        confirmLabel="Undo the run"
        danger
        onConfirm={() => confirmRun && void undoRun(confirmRun)}
        onCancel={() => setConfirmRun(null)}
      >
        Every change this run applied is reverted on its platform (all or none), its proposals still waiting are
        withdrawn and the labels it added are removed. A change made on the platform since is not overwritten.
      </ConfirmDialog>
    </div>
  )
}

function RuleHistory({
  rules,
  ruleId,
  runId,
  nonce,
  busy,
  onPick,
  onEntity,
  onUndoRun,
  onUndoChange,
  currencyOf,
  accountCurrency,
}: {
  rules: RuleSummary[]
  ruleId: number | null
  runId: number | null
  nonce: number
  busy: boolean
  onPick: (ruleId: number, runId: number | null) => void
  onEntity: (d: RuleDecision) => void
  onUndoRun: (r: RuleRun) => void
  onUndoChange: (c: Change) => void
  currencyOf: (c: Change) => string
  accountCurrency: (id: number | null) => string
}): JSX.Element {
  const runs = usePageData({
    key: ruleId === null ? null : String(ruleId),
    tables: HISTORY_TABLES,
    workspaceId: null,
    load: () => getClient().invoke('rules:get', { id: ruleId as number }),
  })
  if (ruleId === null)
    return (
      <div className="card">
        <EmptyState title="No history yet" icon="inbox">
          Once a rule runs, every run lists each entity it considered and why it was or was not touched.
        </EmptyState>
      </div>
    )
  return (
    <div className="history-layout">
      <section className="card history-runs" aria-labelledby="runs-title">
        <div className="card__header">
          <h2 id="runs-title" className="rule-section__title">
            Runs
          </h2>
        </div>
        <div className="card__body rule-stack">
          <label className="field">
            <span className="field__label">Rule</span>
            <select
              className="select"
              value={ruleId}
              data-testid="history-rule"
              onChange={(e) => onPick(Number(e.target.value), null)}
            >
              {rules.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.definition.name}
                </option>
              ))}
              {rules.some((r) => r.id === ruleId) ? null : <option value={ruleId}>Rule {ruleId} (deleted)</option>}
            </select>
          </label>
          <LoadState state={runs} what="the runs" loading={<div className="skeleton" style={{ height: 200 }} />}>
            {(d) =>
              d.runs.length === 0 ? (
                <p className="field__hint">
                  This rule has not run yet. Preview it in the editor or run it from the list.
                </p>
              ) : (
                <ol className="run-list" data-testid="run-list">
                  {d.runs.map((r) => {
                    const selected = (runId ?? d.runs[0]?.id) === r.id
                    return (
                      <li key={r.id}>
                        <button
                          type="button"
                          className={`run-item${selected ? ' run-item--selected' : ''}`}
                          aria-current={selected || undefined}
                          onClick={() => onPick(ruleId, r.id)}
                          data-testid="run-item"
                        >
                          <span className="run-item__top">
                            <strong>{formatTimestamp(r.startedAt)}</strong>
                            <span
                              className={`badge ${r.status === 'failed' ? 'badge--negative' : r.dryRun ? 'badge--info' : 'badge--accent'}`}
                            >
                              {r.status === 'failed' ? 'Failed' : r.dryRun ? 'Dry run' : MODE_LABELS[r.mode]}
                            </span>
                          </span>
                          <span className="field__hint">
                            Run {r.id} · {TRIGGER_WORDS[r.trigger]} · v{r.version}
                          </span>
                          <span className="field__hint">{runLine(r)}</span>
                        </button>
                      </li>
                    )
                  })}
                </ol>
              )
            }
          </LoadState>
          <p className="field__hint" data-testid="run-retention">
            Runs that acted are kept. Other runs are kept while among the rule’s newest {RUN_HISTORY_KEEP} and for{' '}
            {RUN_HISTORY_DAYS} days.
          </p>
        </div>
      </section>
      {runs.data && runs.data.runs.length ? (
        <RunDetail
          key={runId ?? runs.data.runs[0]?.id}
          runId={runId ?? (runs.data.runs[0] as RuleRun).id}
          nonce={nonce}
          busy={busy}
          onEntity={onEntity}
          onUndoRun={onUndoRun}
          onUndoChange={onUndoChange}
          currencyOf={currencyOf}
          accountCurrency={accountCurrency}
        />
      ) : null}
    </div>
  )
}

function RunDetail({
  runId,
  nonce,
  busy,
  onEntity,
  onUndoRun,
  onUndoChange,
  currencyOf,
  accountCurrency,
}: {
  runId: number
  nonce: number
  busy: boolean
  onEntity: (d: RuleDecision) => void
  onUndoRun: (r: RuleRun) => void
  onUndoChange: (c: Change) => void
  currencyOf: (c: Change) => string
  accountCurrency: (id: number | null) => string
}): JSX.Element {
  const data = usePageData({
    key: String(runId),
    tables: HISTORY_TABLES,
    workspaceId: null,
    load: async () => {
      // The run itself (its decisions come a page at a time, below).
      const res = await getClient().invoke('rules:getRun', { runId, page: { offset: 0, limit: 1 } })
      const changes = res.run.batchId
        ? (await getClient().invoke('changes:list', { batchId: res.run.batchId, limit: 500, offset: 0 })).items
        : []
      // The undo changes of this run's changes (their own batch) show too.
      const undoIds = changes.map((c) => c.undoneBy).filter((x): x is number => x !== null)
      const undos = await Promise.all(undoIds.map((id) => getClient().invoke('changes:get', { id })))
      return { ...res, changes: [...changes, ...undos.map((u) => u.change)] }
    },
  })
  const reload = data.reload
  useEffect(() => {
    if (nonce > 0) reload()
  }, [nonce, reload])
  return (
    <section className="card history-run" aria-labelledby="run-title" data-testid="run-detail">
      <LoadState state={data} what="the run" loading={<div className="skeleton" style={{ height: 300 }} />}>
        {(d) => {
          const canUndo = d.changes.some((c) => undoable(c) || c.state === 'proposed')
          return (
            <>
              <div className="card__header">
                <div>
                  <h2 id="run-title" className="rule-section__title">
                    Run {d.run.id}, {formatTimestamp(d.run.startedAt)}
                  </h2>
                  <p>
                    {TRIGGER_WORDS[d.run.trigger]} · version {d.run.version} · {MODE_LABELS[d.run.mode]}
                    {d.run.dryRun ? ' · dry run' : ''} · {runLine(d.run)}
                  </p>
                  {d.run.message ? <p className="field__error">{d.run.message}</p> : null}
                </div>
                {canUndo ? (
                  <button
                    type="button"
                    className="btn"
                    disabled={busy}
                    onClick={() => onUndoRun(d.run)}
                    data-testid="undo-run"
                  >
                    Undo this run
                  </button>
                ) : null}
              </div>
              <div className="card__body rule-stack">
                {d.changes.length ? (
                  <div>
                    <h3 className="history-subtitle">Changes of this run</h3>
                    <ChangeRows changes={d.changes} currencyOf={currencyOf} onUndo={onUndoChange} busy={busy} />
                  </div>
                ) : null}
                <div>
                  <h3 className="history-subtitle">Every entity considered, and why</h3>
                  {d.changes.length ? (
                    <p className="field__hint">
                      Actions are shown as the run recorded them; the changes above show where they stand now.
                    </p>
                  ) : null}
                  <RunDecisions runId={d.run.id} nonce={nonce} accountCurrency={accountCurrency} onEntity={onEntity} />
                </div>
              </div>
            </>
          )
        }}
      </LoadState>
    </section>
  )
}

/**
 * A stored run's decisions one page at a time (RUN_DECISIONS_PAGE rows): the core filters, orders
 * and counts, the page renders only what it shows (a run over 10,000 campaigns has 10,000 of them).
 */
function RunDecisions({
  runId,
  nonce,
  accountCurrency,
  onEntity,
}: {
  runId: number
  nonce: number
  accountCurrency: (id: number | null) => string
  onEntity: (d: RuleDecision) => void
}): JSX.Element {
  const [filter, setFilter] = useState<DecisionFilter>('all')
  const [offset, setOffset] = useState(0)
  const data = usePageData({
    key: `${runId}:${filter}:${offset}`,
    tables: HISTORY_TABLES,
    workspaceId: null,
    load: async () => {
      const res = await getClient().invoke('rules:getRun', {
        runId,
        page: { outcome: filter, offset, limit: RUN_DECISIONS_PAGE },
      })
      if (!('page' in res)) throw new Error('The run came back without its page')
      return res
    },
  })
  const reload = data.reload
  useEffect(() => {
    if (nonce > 0) reload()
  }, [nonce, reload])
  return (
    <LoadState state={data} what="the decisions" loading={<div className="skeleton" style={{ height: 240 }} />}>
      {(d) => {
        const { total } = d.page
        const footer =
          total > RUN_DECISIONS_PAGE ? (
            <Pager
              label="Decisions pages"
              testId="run-decisions"
              offset={offset}
              shown={d.decisions.length}
              total={total}
              size={RUN_DECISIONS_PAGE}
              onOffset={setOffset}
            />
          ) : null
        return (
          <DecisionList
            decisions={d.decisions}
            currency={d.currency}
            accountCurrency={accountCurrency}
            onEntity={onEntity}
            explain={explainIn(runId)}
            testId="run-decisions"
            paged={{
              counts: d.page.counts,
              filter,
              onFilter: (f) => {
                setFilter(f)
                setOffset(0)
              },
            }}
            footer={footer}
          />
        )
      }}
    </LoadState>
  )
}

function EntityHistory({
  focus,
  currency,
  rules,
  nonce,
  busy,
  onBack,
  onUndoChange,
  currencyOf,
  accountCurrency,
}: {
  focus: Extract<HistoryFocus, { kind: 'entity' }>
  currency: string
  rules: RuleSummary[]
  nonce: number
  busy: boolean
  onBack: () => void
  onUndoChange: (c: Change) => void
  currencyOf: (c: Change) => string
  accountCurrency: (id: number | null) => string
}): JSX.Element {
  const data = usePageData({
    key: `${focus.entityType}:${focus.entityId}`,
    tables: HISTORY_TABLES,
    workspaceId: null,
    load: async () => {
      const [decisions, changes] = await Promise.all([
        getClient().invoke('rules:entityHistory', { entityType: focus.entityType, entityId: focus.entityId }),
        getClient().invoke('changes:list', {
          entityType: focus.entityType,
          entityId: focus.entityId,
          limit: 100,
          offset: 0,
        }),
      ])
      return { decisions, changes: changes.items }
    },
  })
  const reload = data.reload
  useEffect(() => {
    if (nonce > 0) reload()
  }, [nonce, reload])
  const ruleName = (id: number): string => rules.find((r) => r.id === id)?.definition.name ?? `Rule ${id} (deleted)`
  return (
    <section className="card" aria-labelledby="entity-title" data-testid="entity-history">
      <div className="card__header">
        <div>
          <h2 id="entity-title" className="rule-section__title">
            {LEVEL_WORD[focus.entityType]} “{focus.name}”
          </h2>
          <p>Every rule decision about it and every change made to it, newest first.</p>
        </div>
        <button type="button" className="btn" onClick={onBack}>
          Back to runs
        </button>
      </div>
      <div className="card__body rule-stack">
        <LoadState state={data} what="the entity’s history">
          {(d) => (
            <>
              {d.changes.length ? (
                <div>
                  <h3 className="history-subtitle">Changes</h3>
                  <ChangeRows changes={d.changes} currencyOf={currencyOf} onUndo={onUndoChange} busy={busy} />
                </div>
              ) : (
                <p className="field__hint">No change was ever made to it through the app.</p>
              )}
              <div>
                <h3 className="history-subtitle">Rule decisions</h3>
                {d.decisions.length === 0 ? (
                  <p className="field__hint">No rule has considered it yet.</p>
                ) : (
                  <ol className="timeline" data-testid="entity-decisions">
                    {d.decisions.map((x) => (
                      <li key={`${x.runId}`} className="timeline__item" data-outcome={x.outcome}>
                        <span className="timeline__when">{formatTimestamp(x.at)}</span>
                        <div>
                          <p>
                            <strong>{ruleName(x.ruleId)}</strong> (v{x.version}, run {x.runId}):{' '}
                            {x.outcome === 'matched' ? 'matched' : x.outcome === 'skipped' ? 'skipped' : 'not matched'}
                          </p>
                          <DecisionDetail
                            d={x}
                            currency={currency}
                            accountCurrency={accountCurrency(x.accountId)}
                            explain={explainIn(x.runId)}
                          />
                        </div>
                      </li>
                    ))}
                  </ol>
                )}
              </div>
            </>
          )}
        </LoadState>
      </div>
    </section>
  )
}
