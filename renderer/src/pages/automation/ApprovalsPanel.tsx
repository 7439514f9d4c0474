import { useState, type JSX } from 'react'
import type { Change } from '../../../../shared/domain/changes'
import type { Account } from '../../../../shared/ipc/contract'
import { getClient } from '../../api/client'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { EmptyState } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { formatTimestamp } from '../../lib/format'
import type { RuleSummary } from './RulesPanel'
import { actorText, changeText, changeValue } from './rule-text'

const LEVEL_WORD = { campaign: 'Campaign', ad_set: 'Ad set', ad: 'Ad' } as const
const PLATFORM_WORD: Record<string, string> = {
  meta: 'Meta',
  google_ads: 'Google Ads',
  tiktok: 'TikTok',
  snapchat: 'Snapchat',
}

/** What happened to a change after a decision, in words (applied and read back, failed, rejected...). */
export function outcomeText(c: Change, currency: string): string {
  switch (c.state) {
    case 'applied':
      return c.writes === 0
        ? `Already at ${changeValue(c.applied ?? c.requested, currency)} on the platform: nothing written.`
        : `Applied: the platform reads back ${changeValue(c.applied ?? null, currency)}${c.platformBefore !== undefined ? ` (was ${changeValue(c.platformBefore, currency)})` : ''}.`
    case 'failed':
      return `Failed: ${c.error ?? 'the platform refused it'}.`
    case 'rejected':
      return 'Rejected: nothing was changed.'
    case 'undone':
      return 'Undone.'
    case 'approved':
    case 'applying':
      return 'Approved: the change worker is applying it.'
    default:
      return c.state
  }
}

function Metrics({ metrics }: { metrics: Change['metrics'] }): JSX.Element | null {
  const entries = Object.entries(metrics).filter(([k]) => !k.endsWith('(against)'))
  if (!entries.length) return null
  const fmt = (v: unknown): string =>
    typeof v === 'number'
      ? Math.abs(v) >= 100
        ? Math.round(v).toLocaleString('en-US')
        : String(Math.round(v * 1000) / 1000)
      : String(v)
  return (
    <ul className="approval__metrics">
      {entries.map(([k, v]) => {
        const against = metrics[`${k} (against)`]
        return (
          <li key={k}>
            <span>{k}</span> <strong className="tabular">{fmt(v)}</strong>
            {against !== undefined && against !== null ? <span className="field__hint"> vs {fmt(against)}</span> : null}
          </li>
        )
      })}
    </ul>
  )
}

/**
 * The approvals inbox: changes proposed by rules (and other app actors) waiting for a person, with
 * who asked, why and the numbers; approve or reject one or all; the result read back from the
 * platform, and undo.
 */
export function ApprovalsPanel({
  proposals,
  accounts,
  rules,
  onChanged,
}: {
  proposals: Change[]
  accounts: Account[]
  rules: RuleSummary[]
  onChanged: () => void
}): JSX.Element {
  const [busy, setBusy] = useState<number | 'all' | null>(null)
  const [results, setResults] = useState<Change[]>([])
  const [error, setError] = useState<string | null>(null)
  const [confirmAll, setConfirmAll] = useState<'approve' | 'reject' | null>(null)
  const [who, setWho] = useState<string>('all')
  const actors = [...new Set(proposals.map((c) => `${c.actor.kind}:${c.actor.id}`))]
  // Once the last proposal of the chosen actor is decided, show everyone's again.
  const shown = actors.includes(who) ? proposals.filter((c) => `${c.actor.kind}:${c.actor.id}` === who) : proposals
  const currencyOf = (c: Change): string => accounts.find((a) => a.id === c.accountId)?.currency ?? 'USD'

  const record = (c: Change): void => setResults((rs) => [c, ...rs.filter((x) => x.id !== c.id)].slice(0, 50))

  const decide = async (c: Change, how: 'approve' | 'reject'): Promise<void> => {
    setBusy(c.id)
    setError(null)
    try {
      record(
        how === 'approve'
          ? await getClient().invoke('changes:approve', { id: c.id, wait: true })
          : await getClient().invoke('changes:reject', { id: c.id, reason: 'Rejected in the approvals inbox' }),
      )
    } catch (err) {
      setError(`Change #${c.id}: ${errorMessage(err)}`)
    } finally {
      setBusy(null)
      onChanged()
    }
  }

  const decideAll = async (how: 'approve' | 'reject'): Promise<void> => {
    setConfirmAll(null)
    setBusy('all')
    setError(null)
    const failed: string[] = []
    for (const c of shown) {
      try {
        record(
          how === 'approve'
            ? await getClient().invoke('changes:approve', { id: c.id, wait: true })
            : await getClient().invoke('changes:reject', { id: c.id, reason: 'Rejected in the approvals inbox (all)' }),
        )
      } catch (err) {
        failed.push(`#${c.id}: ${errorMessage(err)}`)
      }
    }
    if (failed.length) setError(`Not every change went through: ${failed.join('; ')}`)
    setBusy(null)
    onChanged()
  }

  const undo = async (c: Change): Promise<void> => {
    setBusy(c.id)
    setError(null)
    try {
      const u = await getClient().invoke('changes:undo', { id: c.id, wait: true })
      record({ ...c, state: 'undone', undoneBy: u.id })
      record(u)
    } catch (err) {
      setError(`Undo of change #${c.id}: ${errorMessage(err)}`)
    } finally {
      setBusy(null)
      onChanged()
    }
  }

  return (
    <div className="rule-stack" data-testid="approvals">
      {proposals.length ? (
        <div className="rule-toolbar">
          <p className="field__hint">
            {proposals.length} change{proposals.length === 1 ? '' : 's'} waiting. Nothing moves on a platform until it
            is approved; each approved change is read back from the platform and can be undone.
          </p>
          <span className="approval__tools">
            {actors.length > 1 ? (
              <select
                className="select"
                aria-label="Asked by"
                value={actors.includes(who) ? who : 'all'}
                onChange={(e) => setWho(e.target.value)}
                data-testid="approvals-filter"
              >
                <option value="all">Everyone ({proposals.length})</option>
                {actors.map((k) => {
                  const c = proposals.find((x) => `${x.actor.kind}:${x.actor.id}` === k) as Change
                  const n = proposals.filter((x) => `${x.actor.kind}:${x.actor.id}` === k).length
                  return (
                    <option key={k} value={k}>
                      {actorText(c.actor, rules)} ({n})
                    </option>
                  )
                })}
              </select>
            ) : null}
            <button
              type="button"
              className="btn"
              disabled={busy !== null}
              onClick={() => setConfirmAll('reject')}
              data-testid="reject-all"
            >
              Reject {actors.includes(who) ? 'these' : 'all'}
            </button>{' '}
            <button
              type="button"
              className="btn btn--primary"
              disabled={busy !== null}
              onClick={() => setConfirmAll('approve')}
              data-testid="approve-all"
            >
              Approve {actors.includes(who) ? 'these' : 'all'}
            </button>
          </span>
        </div>
      ) : null}
      {error ? (
        <p className="note note--warning" role="alert">
          {error}
        </p>
      ) : null}
      {proposals.length === 0 ? (
        <div className="card">
          <EmptyState title="Nothing waits for approval" icon="check">
            Rules in approval mode propose their changes here. Run one from the Rules tab, or wait for the next sync.
          </EmptyState>
        </div>
      ) : (
        <ul className="approval-list">
          {shown.map((c) => {
            const cur = currencyOf(c)
            return (
              <li key={c.id} className="card approval" data-testid="approval" data-change-id={c.id}>
                <div className="card__body approval__body">
                  <div className="approval__main">
                    <h3 className="approval__title">{c.entityName ?? `${LEVEL_WORD[c.entityType]} ${c.entityId}`}</h3>
                    <span className="field__hint">
                      {LEVEL_WORD[c.entityType]} · {PLATFORM_WORD[c.platform] ?? c.platform} ·{' '}
                      {accounts.find((a) => a.id === c.accountId)?.name ?? `account ${c.accountId}`} · change #{c.id}
                    </span>
                    <p className="approval__why">
                      {c.reason ?? 'No reason given.'}
                      <span className="field__hint">
                        {' '}
                        Asked by {actorText(c.actor, rules)}, {formatTimestamp(c.createdAt)}.
                      </span>
                    </p>
                    <Metrics metrics={c.metrics} />
                    {c.warnings.length ? <p className="note note--warning">{c.warnings.join(' ')}</p> : null}
                  </div>
                  <div className="approval__side">
                    <strong className="approval__what tabular" data-testid="approval-what">
                      {changeText(c, cur)}
                    </strong>
                    <div className="approval__actions">
                      <button
                        type="button"
                        className="btn btn--sm"
                        disabled={busy !== null}
                        onClick={() => void decide(c, 'reject')}
                        aria-label={`Reject change ${c.id}`}
                      >
                        Reject
                      </button>
                      <button
                        type="button"
                        className="btn btn--primary btn--sm"
                        disabled={busy !== null}
                        onClick={() => void decide(c, 'approve')}
                        aria-label={`Approve change ${c.id}`}
                        data-testid="approve"
                      >
                        {busy === c.id ? 'Applying…' : 'Approve'}
                      </button>
                    </div>
                  </div>
                </div>
              </li>
            )
          })}
        </ul>
      )}
      {results.length ? (
        <section className="card" aria-labelledby="decided-title" data-testid="decided">
          <div className="card__header">
            <h2 id="decided-title" className="rule-section__title">
              Decided just now
            </h2>
          </div>
          <ul className="card__body decided-list" aria-live="polite">
            {results.map((c) => {
              const cur = currencyOf(c)
              return (
                <li key={c.id} data-testid="decided-change" data-state={c.state}>
                  <span>
                    <strong>{c.entityName ?? c.entityId}</strong> — {changeText(c, cur)}
                    {c.undoOf ? ` (undo of #${c.undoOf})` : ''}
                  </span>
                  <span className="field__hint" data-testid="decided-outcome">
                    {outcomeText(c, cur)}
                  </span>
                  {c.state === 'applied' && c.undoneBy === null && c.writes > 0 && c.undoOf === null ? (
                    <button
                      type="button"
                      className="btn btn--sm"
                      disabled={busy !== null}
                      onClick={() => void undo(c)}
                      data-testid="undo-change"
                    >
                      Undo
                    </button>
                  ) : null}
                </li>
              )
            })}
          </ul>
        </section>
      ) : null}
      <ConfirmDialog
        open={confirmAll !== null}
        title={
          confirmAll === 'approve'
            ? `Approve the ${shown.length} changes shown?`
            : `Reject the ${shown.length} changes shown?`
        }
        confirmLabel={confirmAll === 'approve' ? 'Approve all' : 'Reject all'}
        danger={confirmAll === 'reject'}
        onConfirm={() => void decideAll(confirmAll ?? 'reject')}
        onCancel={() => setConfirmAll(null)}
      >
        {confirmAll === 'approve'
          ? 'Each change is applied to its platform one by one, read back, and can be undone afterwards.'
          : 'Nothing is changed on the platforms; the rules may propose them again on a later run.'}
      </ConfirmDialog>
    </div>
  )
}
