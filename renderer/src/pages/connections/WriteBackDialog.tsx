import { useState, type JSX } from 'react'
import { getClient } from '../../api/client'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { errorMessage } from '../../lib/errors'

export interface WriteBackRequest {
  entityType: 'campaign' | 'ad_set' | 'ad'
  entityId: number
  name: string
  /** Either a status change or a new daily budget in micros of `currency`. */
  change:
    { status: 'active' | 'paused' } | { dailyBudgetMicros: number; currency: string; currentMicros: number | null }
}

function describe(r: WriteBackRequest): string {
  if ('status' in r.change)
    return `${r.change.status === 'paused' ? 'Pause' : 'Enable'} “${r.name}” on the ad platform?`
  const fmt = (m: number, c: string): string =>
    new Intl.NumberFormat('en-US', { style: 'currency', currency: c }).format(m / 1e6)
  const c = r.change
  return `Change the daily budget of “${r.name}” from ${c.currentMicros === null ? 'its current value' : fmt(c.currentMicros, c.currency)} to ${fmt(c.dailyBudgetMicros, c.currency)} on the ad platform?`
}

/**
 * Confirmation for a write-back to the ad platform. Nothing is sent before the user confirms;
 * the core reads the result back and records before/after in the audit log.
 */
export function WriteBackDialog({
  request,
  onClose,
}: {
  request: WriteBackRequest | null
  onClose: (done: boolean) => void
}): JSX.Element | null {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  if (!request) return null
  const confirm = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      if ('status' in request.change) {
        await getClient().invoke('entities:setStatus', {
          entityType: request.entityType,
          entityId: request.entityId,
          status: request.change.status,
        })
      } else if (request.entityType !== 'ad') {
        await getClient().invoke('entities:setBudget', {
          entityType: request.entityType,
          entityId: request.entityId,
          dailyBudgetMicros: request.change.dailyBudgetMicros,
        })
      }
      onClose(true)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <ConfirmDialog
      open
      title="Change on the ad platform"
      confirmLabel={busy ? 'Sending…' : 'Confirm change'}
      busy={busy}
      onConfirm={() => void confirm()}
      onCancel={() => onClose(false)}
    >
      <p>{describe(request)}</p>
      <p className="field__hint">This changes live delivery and is recorded in the audit log.</p>
      {error ? <p className="field__error">{error}</p> : null}
    </ConfirmDialog>
  )
}
