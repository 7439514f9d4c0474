import { useState, type JSX } from 'react'
import type { Change } from '../../../../shared/domain/changes'
import { formatMoney } from '../../../../shared/domain/money'
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
  const c = r.change
  return `Change the daily budget of “${r.name}” from ${c.currentMicros === null ? 'its current value' : formatMoney(c.currentMicros, c.currency)} to ${formatMoney(c.dailyBudgetMicros, c.currency)} on the ad platform?`
}

/** What became of a change, in words: applied (with the value read back), failed (with the platform's message) or waiting. */
export function changeOutcome(c: Change, currency: string | null): { tone: 'ok' | 'error' | 'pending'; text: string } {
  const value = (v: Change['applied']): string =>
    typeof v === 'number' ? (currency ? formatMoney(v, currency) : String(v)) : String(v ?? 'nothing')
  const what = c.field === 'status' ? 'status' : 'daily budget'
  switch (c.state) {
    case 'applied':
    case 'undone':
      return {
        tone: 'ok',
        text:
          `Applied on the platform: the ${what} read back as ${value(c.applied ?? c.requested)}` +
          (c.writes === 0 ? ' (it already had this value, so nothing was sent).' : '.') +
          ` Change #${c.id} is in the audit log.`,
      }
    case 'failed':
      return { tone: 'error', text: `The platform did not apply change #${c.id}: ${c.error ?? 'no reason given'}` }
    case 'rejected':
      return { tone: 'error', text: `Change #${c.id} was rejected${c.error ? `: ${c.error}` : '.'}` }
    case 'proposed':
      return {
        tone: 'pending',
        text: `Change #${c.id} (${what} to ${value(c.requested)}) is waiting for approval; nothing has been sent yet.`,
      }
    case 'approved':
    case 'applying':
      return {
        tone: 'pending',
        text:
          `Change #${c.id} (${what} to ${value(c.requested)}) is still being applied` +
          (c.error ? ` (last attempt: ${c.error})` : '') +
          '; the change log shows when it lands.',
      }
  }
}

/**
 * Confirmation for a write-back to the ad platform. Nothing is sent before the user confirms;
 * the change pipeline applies it, reads the value back and records it in the audit log. The
 * change as it settled (applied, failed, or still waiting) goes back through `onClose`.
 */
export function WriteBackDialog({
  request,
  onClose,
}: {
  request: WriteBackRequest | null
  onClose: (result: Change | null) => void
}): JSX.Element | null {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  if (!request) return null
  const confirm = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      let result: Change | null = null
      if ('status' in request.change) {
        result = await getClient().invoke('entities:setStatus', {
          entityType: request.entityType,
          entityId: request.entityId,
          status: request.change.status,
        })
      } else if (request.entityType !== 'ad') {
        result = await getClient().invoke('entities:setBudget', {
          entityType: request.entityType,
          entityId: request.entityId,
          dailyBudgetMicros: request.change.dailyBudgetMicros,
        })
      }
      onClose(result)
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
      onCancel={() => onClose(null)}
    >
      <p>{describe(request)}</p>
      <p className="field__hint">This changes live delivery and is recorded in the audit log.</p>
      {error ? <p className="field__error">{error}</p> : null}
    </ConfirmDialog>
  )
}
