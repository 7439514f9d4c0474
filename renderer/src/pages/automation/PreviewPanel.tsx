import { useEffect, useRef, useState, type JSX } from 'react'
import type { RuleDefinition, RuleRunResult } from '../../../../shared/domain/rules'
import { getClient } from '../../api/client'
import { ErrorState, Skeleton } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { RequestSequence } from '../../lib/request-sequence'
import { DecisionList } from './Decisions'

/** How long the editor waits after the last keystroke before asking for a new dry run. */
export const PREVIEW_DEBOUNCE_MS = 500

type State =
  | { kind: 'idle' }
  | { kind: 'loading'; last: RuleRunResult | null }
  | { kind: 'ready'; result: RuleRunResult }
  | { kind: 'error'; message: string; last: RuleRunResult | null }

/**
 * The live preview: re-runs the dry run of the draft (debounced) as it is edited and lists every
 * entity the rule would consider, matched or skipped, with the values and reasons. Changes and
 * stores nothing. An invalid draft is not sent: the fields to fix are named instead.
 */
export function PreviewPanel({
  draft,
  ruleId,
  invalid,
  accountCurrency,
  onResult,
}: {
  draft: RuleDefinition
  /** The stored rule being edited: the draft is judged with its cooldowns and last changes. */
  ruleId?: number | undefined
  /** Fields the draft still gets wrong (validated like the core does). */
  invalid: number
  accountCurrency: (accountId: number | null) => string
  /** The latest answer (the editor fixes "only these entities" from it). */
  onResult?: (r: RuleRunResult) => void
}): JSX.Element {
  const report = useRef(onResult)
  useEffect(() => {
    report.current = onResult
  })
  const [state, setState] = useState<State>({ kind: 'idle' })
  const [nonce, setNonce] = useState(0)
  const sequence = useRef(new RequestSequence())
  const key = JSON.stringify(draft)

  useEffect(() => {
    if (invalid > 0) return undefined
    const seq = sequence.current
    const timer = setTimeout(() => {
      const ticket = seq.next()
      setState((s) => ({ kind: 'loading', last: s.kind === 'ready' ? s.result : 'last' in s ? s.last : null }))
      getClient()
        .invoke(
          'rules:preview',
          ruleId !== undefined
            ? { id: ruleId, rule: JSON.parse(key) as RuleDefinition }
            : { rule: JSON.parse(key) as RuleDefinition },
        )
        .then(
          (result) => {
            if (!ticket.isLatest()) return
            setState({ kind: 'ready', result })
            report.current?.(result)
          },
          (err: unknown) => {
            if (ticket.isLatest())
              setState((s) => ({
                kind: 'error',
                message: errorMessage(err),
                last: s.kind === 'ready' ? s.result : 'last' in s ? s.last : null,
              }))
          },
        )
    }, PREVIEW_DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [key, invalid, nonce, ruleId])

  const result = state.kind === 'ready' ? state.result : state.kind !== 'idle' ? state.last : null
  const busy = state.kind === 'loading' || (state.kind === 'idle' && invalid === 0)

  return (
    <section className="card rule-preview" aria-labelledby="rule-preview-title" data-testid="rule-preview">
      <div className="card__header">
        <div>
          <h2 id="rule-preview-title" className="rule-section__title">
            Live preview
          </h2>
          <p>
            What this rule would do right now
            {ruleId !== undefined ? ', with its cooldowns and earlier changes' : ''}. Nothing is changed or stored.
          </p>
        </div>
        <button type="button" className="btn btn--sm" onClick={() => setNonce((n) => n + 1)} disabled={invalid > 0}>
          Re-run
        </button>
      </div>
      <div className="card__body" aria-live="polite" aria-busy={busy}>
        {invalid > 0 ? (
          <p className="note note--warning" data-testid="preview-invalid">
            Fix the {invalid === 1 ? 'field' : `${invalid} fields`} marked in red to see the preview.
          </p>
        ) : null}
        {state.kind === 'error' ? (
          <ErrorState title="The preview failed" message={state.message} onRetry={() => setNonce((n) => n + 1)} />
        ) : null}
        {result ? (
          <div className={busy ? 'rule-preview__stale' : undefined}>
            <dl className="rule-preview__counts" data-testid="preview-counts">
              <div>
                <dt>Considered</dt>
                <dd>{result.run.considered}</dd>
              </div>
              <div>
                <dt>Matched</dt>
                <dd data-testid="preview-matched">{result.run.matched}</dd>
              </div>
              <div>
                <dt>Skipped</dt>
                <dd>{result.run.skipped}</dd>
              </div>
              <div>
                <dt>Would act</dt>
                <dd>{result.run.actions}</dd>
              </div>
            </dl>
            {result.decisions.length === 0 ? (
              <p className="field__hint">No entity is in this rule’s scope: widen the level, accounts or filters.</p>
            ) : (
              <DecisionList
                decisions={result.decisions}
                currency={result.currency}
                accountCurrency={accountCurrency}
                testId="preview-decisions"
              />
            )}
          </div>
        ) : busy ? (
          <div aria-label="Running the preview">
            <Skeleton height={18} />
            <Skeleton height={18} style={{ marginTop: 8 }} />
            <Skeleton height={18} style={{ marginTop: 8 }} />
          </div>
        ) : null}
        {busy && result ? (
          <p className="field__hint" role="status">
            Updating…
          </p>
        ) : null}
      </div>
    </section>
  )
}
