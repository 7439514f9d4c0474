import { useState, type JSX } from 'react'
import {
  SKIP_REASON_LABELS,
  type DecisionOutcome,
  type RuleDecision,
  type RuleExplanation,
} from '../../../../shared/domain/rules'
import { formatMoney } from '../../../../shared/domain/money'
import { errorMessage } from '../../lib/errors'
import { formatMetric } from './rule-text'

const OUTCOME_BADGE: Record<DecisionOutcome, { cls: string; label: string }> = {
  matched: { cls: 'badge--accent', label: 'Matched' },
  not_matched: { cls: 'badge--info', label: 'Not matched' },
  skipped: { cls: 'badge--warning', label: 'Skipped' },
}

const LEVEL_WORD = { campaign: 'Campaign', ad_set: 'Ad set', ad: 'Ad' } as const

const ACTION_OUTCOME_WORD: Record<string, string> = {
  would: 'would',
  planned: 'would',
  proposed: 'proposed',
  approved: 'approved',
  applying: 'applying',
  applied: 'applied',
  failed: 'failed',
  rejected: 'rejected',
  undone: 'undone',
  done: 'done',
  not_proposed: 'not proposed',
}

/** A decision's action: "Daily budget $120.00 → $138.00 (would)". Budgets are in the account's currency. */
function actionLine(a: RuleDecision['actions'][number], accountCurrency: string): string {
  const money = (v: unknown): string => (typeof v === 'number' ? formatMoney(v, accountCurrency) : String(v ?? '—'))
  let what: string
  switch (a.kind) {
    case 'change_budget':
    case 'set_budget':
      what = `Daily budget ${money(a.before)} → ${money(a.after)}`
      break
    case 'pause':
    case 'enable':
      what = `${a.kind === 'pause' ? 'Pause' : 'Enable'} (${String(a.before ?? '—')} → ${String(a.after ?? '—')})`
      break
    case 'notify':
      what = `Alert (${String(a.after)})`
      break
    case 'add_label':
      what = `Label “${String(a.after)}”`
      break
    default:
      what = a.kind
  }
  return `${what} — ${ACTION_OUTCOME_WORD[a.outcome] ?? a.outcome}${a.note ? ` (${a.note})` : ''}`
}

/** Recomputes a stored run's decision about one entity (`rules:explain`). */
export type ExplainFn = (d: RuleDecision) => Promise<RuleExplanation>

/**
 * A decision the run recorded compactly (outcome and reason, no numbers): a button recomputes the
 * numbers from the run's rule version, time and account days, and says that it is a recomputation.
 */
function CompactExplain({
  d,
  currency,
  accountCurrency,
  explain,
}: {
  d: RuleDecision
  currency: string
  accountCurrency: string
  explain: ExplainFn
}): JSX.Element {
  const [state, setState] = useState<
    { kind: 'idle' } | { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'done'; ex: RuleExplanation }
  >({ kind: 'idle' })
  if (state.kind === 'done') {
    const ex = state.ex
    return (
      <div data-testid="decision-explained">
        <p className={ex.sameAsRecorded ? 'field__hint' : 'field__error'} data-testid="decision-recomputed-note">
          {ex.note}
        </p>
        <DecisionDetail
          d={ex.decision}
          currency={currency}
          accountCurrency={accountCurrency}
          // The recorded outcome is already stated above; repeat it only when the recomputation differs.
          hideReason={ex.decision.outcome === d.outcome && ex.decision.reason === d.reason}
        />
      </div>
    )
  }
  return (
    <p className="field__hint">
      This run recorded the outcome only, not the numbers.{' '}
      <button
        type="button"
        className="btn btn--ghost btn--sm"
        disabled={state.kind === 'loading'}
        data-testid="decision-explain"
        onClick={() => {
          setState({ kind: 'loading' })
          explain(d).then(
            (ex) => setState({ kind: 'done', ex }),
            (e: unknown) => setState({ kind: 'error', message: errorMessage(e) }),
          )
        }}
      >
        {state.kind === 'loading' ? 'Recomputing…' : 'Recompute the numbers'}
      </button>
      {state.kind === 'error' ? (
        <span className="field__error" role="alert">
          {' '}
          {state.message}
        </span>
      ) : null}
    </p>
  )
}

/** Why an entity was or was not touched, with the numbers behind it. */
export function DecisionDetail({
  d,
  currency,
  accountCurrency,
  explain,
  hideReason = false,
}: {
  d: RuleDecision
  currency: string
  accountCurrency: string
  /** For a compactly recorded decision: recompute its numbers. */
  explain?: ExplainFn
  /** Leave out the reason line (a recomputation shown under the recorded decision's own). */
  hideReason?: boolean
}): JSX.Element {
  return (
    <div className="decision__detail">
      {hideReason ? null : d.reason ? (
        <p className="decision__reason" data-testid="decision-reason">
          <strong>{SKIP_REASON_LABELS[d.reason]}</strong>
          {d.detail ? `: ${d.detail}` : ''}
        </p>
      ) : d.outcome === 'not_matched' ? (
        <p className="decision__reason" data-testid="decision-reason">
          <strong>Conditions not met</strong>
          {d.detail ? `: ${d.detail}` : ''}
        </p>
      ) : null}
      {d.conditions.length ? (
        <ul className="decision__conds">
          {d.conditions.map((c) => (
            <li key={c.path} data-result={c.result === null ? 'unknown' : c.result ? 'true' : 'false'}>
              <span className="decision__mark" aria-hidden="true">
                {c.result === null ? '?' : c.result ? '✓' : '✗'}
              </span>
              <span className="visually-hidden">{c.result === null ? 'unknown' : c.result ? 'holds' : 'fails'}: </span>
              <span>{c.label}</span>
              <span className="decision__nums tabular">
                {formatMetric(c.metric, c.value, currency)}
                {c.against !== null ? ` vs ${formatMetric(c.metric, c.against, currency)}` : ''}
              </span>
              {c.note ? <span className="field__hint"> {c.note}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {d.compact && explain ? (
        <CompactExplain d={d} currency={currency} accountCurrency={accountCurrency} explain={explain} />
      ) : null}
      {d.actions.length ? (
        <ul className="decision__actions">
          {d.actions.map((a, i) => (
            <li key={i} data-testid="decision-action">
              {actionLine(a, accountCurrency)}
              {a.changeId ? <span className="field__hint"> · change #{a.changeId}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

/** One line of why: the skip reason, or the first condition that failed with its numbers. */
export function whyShort(d: RuleDecision, currency: string): string {
  if (d.reason) return SKIP_REASON_LABELS[d.reason]
  if (d.outcome === 'matched') return 'all conditions held'
  const failed = d.conditions.find((c) => c.result === false) ?? d.conditions.find((c) => c.result === null)
  if (!failed) return 'conditions not met'
  const v = formatMetric(failed.metric, failed.value, currency)
  const a = failed.against !== null ? ` vs ${formatMetric(failed.metric, failed.against, currency)}` : ''
  return `${failed.label} failed (${v}${a})`
}

export type DecisionFilter = 'all' | DecisionOutcome

/**
 * Every entity a run or a preview considered: filter by outcome, each row expands to the reason
 * and the condition values. `onEntity` opens an entity's own history.
 */
export function DecisionList({
  decisions,
  currency,
  accountCurrency,
  onEntity,
  explain,
  testId,
  paged,
  footer,
}: {
  decisions: RuleDecision[]
  currency: string
  accountCurrency: (accountId: number | null) => string
  onEntity?: (d: RuleDecision) => void
  /** A stored run's compactly recorded decisions: recompute their numbers when expanded. */
  explain?: ExplainFn
  testId?: string
  /**
   * One page of a stored run, filtered and ordered by the core: the counts per outcome come from
   * it and a filter asks it again.
   */
  paged?: { counts: Record<DecisionFilter, number>; filter: DecisionFilter; onFilter: (f: DecisionFilter) => void }
  /** Under the list (the page controls). */
  footer?: JSX.Element | null
}): JSX.Element {
  const [ownFilter, setOwnFilter] = useState<DecisionFilter>('all')
  const filter = paged ? paged.filter : ownFilter
  const setFilter = paged ? paged.onFilter : setOwnFilter
  const [open, setOpen] = useState<string | null>(null)
  const count = (o: DecisionFilter): number =>
    paged ? paged.counts[o] : o === 'all' ? decisions.length : decisions.filter((d) => d.outcome === o).length
  // Matched first, then skipped, then the rest: what a person wants to read first.
  // Entities deleted on the platform go last: there is nothing to decide about them.
  const rank = (d: RuleDecision): number =>
    d.outcome === 'matched' ? 0 : d.outcome === 'skipped' ? (d.reason === 'deleted' ? 3 : 1) : 2
  const shown = paged
    ? decisions
    : decisions.filter((d) => filter === 'all' || d.outcome === filter).sort((a, b) => rank(a) - rank(b))
  const filters: { id: DecisionFilter; label: string }[] = [
    { id: 'all', label: `All ${count('all')}` },
    { id: 'matched', label: `Matched ${count('matched')}` },
    { id: 'skipped', label: `Skipped ${count('skipped')}` },
    { id: 'not_matched', label: `Not matched ${count('not_matched')}` },
  ]
  return (
    <div className="decisions" data-testid={testId}>
      <span className="segmented" role="radiogroup" aria-label="Show">
        {filters.map((f) => (
          <label key={f.id}>
            <input
              type="radio"
              name={`${testId ?? 'decisions'}-filter`}
              checked={filter === f.id}
              onChange={() => setFilter(f.id)}
            />
            {f.label}
          </label>
        ))}
      </span>
      {shown.length === 0 ? (
        <p className="field__hint">No entity here.</p>
      ) : (
        <ul className="decision-list">
          {shown.map((d) => {
            const key = `${d.entityType}:${d.entityId}`
            const expanded = open === key
            const badge = OUTCOME_BADGE[d.outcome]
            return (
              <li key={key} className="decision" data-outcome={d.outcome} data-testid="decision">
                <div className="decision__head">
                  <button
                    type="button"
                    className="decision__toggle"
                    aria-expanded={expanded}
                    onClick={() => setOpen(expanded ? null : key)}
                  >
                    <span className={`badge ${badge.cls}`}>{badge.label}</span>
                    <span className="decision__name">{d.entityName}</span>
                    <span className="field__hint">
                      {LEVEL_WORD[d.entityType]} · {whyShort(d, currency)}
                    </span>
                  </button>
                  {onEntity ? (
                    <button type="button" className="btn btn--ghost btn--sm" onClick={() => onEntity(d)}>
                      Entity history
                    </button>
                  ) : null}
                </div>
                {expanded || d.outcome === 'matched' ? (
                  <DecisionDetail
                    d={d}
                    currency={currency}
                    accountCurrency={accountCurrency(d.accountId)}
                    {...(explain ? { explain } : {})}
                  />
                ) : null}
              </li>
            )
          })}
        </ul>
      )}
      {footer ?? null}
    </div>
  )
}
