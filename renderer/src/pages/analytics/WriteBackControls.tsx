import { useEffect, useId, useState, type JSX } from 'react'
import { decimalToMicros } from '../../../../shared/domain/money'
import type { EntityRow } from '../../../../shared/ipc/contracts/analytics-schemas'
import { getClient } from '../../api/client'
import { changeOutcome, WriteBackDialog, type WriteBackRequest } from '../connections/WriteBackDialog'

/**
 * Pause/enable and daily-budget changes sent to the ad platform from the explorer's drawer. Every
 * change goes through the confirmation dialog; the core reads the value back and audits it.
 */
export function WriteBackControls({
  workspaceId,
  row,
  onChanged,
}: {
  workspaceId: number
  row: EntityRow
  onChanged?: () => void
}): JSX.Element | null {
  const [request, setRequest] = useState<WriteBackRequest | null>(null)
  const [currency, setCurrency] = useState<string | null>(null)
  const [budget, setBudget] = useState('')
  const [budgetError, setBudgetError] = useState<string | null>(null)
  const [done, setDone] = useState<ReturnType<typeof changeOutcome> | null>(null)
  const budgetId = useId()
  const entityType = row.level === 'campaign' || row.level === 'ad_set' || row.level === 'ad' ? row.level : null

  // Budgets are written in the account's own currency, not the reporting currency.
  useEffect(() => {
    let live = true
    if (row.accountId === null) return
    getClient()
      .invoke('accounts:list', { workspaceId })
      .then((accounts) => {
        if (live) setCurrency(accounts.find((a) => a.id === row.accountId)?.currency ?? null)
      })
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [workspaceId, row.accountId])

  if (entityType === null) return null
  const paused = row.status === 'paused'
  const base = { entityType, entityId: Number(row.id), name: row.name }

  const askBudget = (): void => {
    setBudgetError(null)
    if (!currency) return
    let micros: number
    try {
      micros = decimalToMicros(budget.trim())
    } catch {
      setBudgetError('Enter an amount such as 150 or 149.50')
      return
    }
    if (micros <= 0) {
      setBudgetError('The daily budget must be more than zero')
      return
    }
    setRequest({ ...base, change: { dailyBudgetMicros: micros, currency, currentMicros: null } })
  }

  return (
    <section className="writeback" aria-label="Change on the ad platform" data-testid="writeback">
      <div className="toolbar">
        <button
          type="button"
          className="btn btn--sm"
          onClick={() => setRequest({ ...base, change: { status: paused ? 'active' : 'paused' } })}
          data-testid="writeback-status"
        >
          {paused ? 'Enable on platform' : 'Pause on platform'}
        </button>
        {entityType !== 'ad' && currency ? (
          <form
            className="writeback__budget"
            onSubmit={(e) => {
              e.preventDefault()
              askBudget()
            }}
          >
            <label htmlFor={budgetId} className="field__hint">
              Daily budget ({currency})
            </label>
            <input
              id={budgetId}
              className="input"
              inputMode="decimal"
              value={budget}
              onChange={(e) => setBudget(e.target.value)}
              aria-invalid={budgetError !== null}
              data-testid="writeback-budget"
            />
            <button type="submit" className="btn btn--sm" disabled={budget.trim() === ''}>
              Set budget
            </button>
          </form>
        ) : null}
      </div>
      {budgetError ? (
        <p className="field__error" role="alert">
          {budgetError}
        </p>
      ) : null}
      {done ? (
        <p
          className={done.tone === 'error' ? 'field__error' : 'field__hint'}
          role={done.tone === 'error' ? 'alert' : 'status'}
          data-testid="writeback-result"
          data-tone={done.tone}
        >
          {done.text}
        </p>
      ) : null}
      <WriteBackDialog
        request={request}
        onClose={(result) => {
          if (result) {
            setDone(changeOutcome(result, currency))
            if (result.state === 'applied') setBudget('')
            onChanged?.()
          }
          setRequest(null)
        }}
      />
    </section>
  )
}
