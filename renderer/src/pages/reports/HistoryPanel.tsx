import { useState, type FormEvent, type JSX } from 'react'
import type { HistoryEntry } from '../../../../shared/domain/reports'
import { getClient } from '../../api/client'
import { EmptyState } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { formatBytes, formatTimestamp } from '../../lib/format'
import { ReportViewer } from './shared-ui'

const DELIVERY: Record<HistoryEntry['delivery'], { label: string; badge: string }> = {
  not_sent: { label: 'Not sent', badge: 'badge' },
  sent: { label: 'Sent', badge: 'badge badge--positive' },
  failed: { label: 'Failed', badge: 'badge badge--negative' },
}

/** Generated reports, newest first: preview, download, re-send (to the same or other recipients). */
export function HistoryPanel({
  workspaceId,
  history,
  retentionDays,
  focusId,
  onChanged,
}: {
  workspaceId: number
  history: HistoryEntry[]
  retentionDays: number
  focusId: number | null
  onChanged: () => void
}): JSX.Element {
  const [viewing, setViewing] = useState<number | null>(focusId)
  const [resending, setResending] = useState<HistoryEntry | null>(null)
  const [to, setTo] = useState('')
  const [busy, setBusy] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)

  const resend = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    if (!resending) return
    setBusy(true)
    try {
      const recipients = to
        .split(/[,;\s]+/)
        .map((r) => r.trim())
        .filter(Boolean)
      const h = await getClient().invoke('reports:resend', {
        workspaceId,
        id: resending.id,
        ...(recipients.length ? { recipients } : {}),
      })
      setNotice(
        h.delivery === 'sent'
          ? `Sent to ${h.recipients.join(', ')}`
          : `Not delivered: ${h.deliveryError ?? 'unknown error'}`,
      )
      setResending(null)
      onChanged()
    } catch (err) {
      setNotice(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const shown = history.find((h) => h.id === viewing) ?? null
  if (history.length === 0)
    return (
      <div className="card">
        <EmptyState title="No reports generated yet" icon="reports">
          Reports you generate and the ones schedules send are kept here for {retentionDays} days, with their delivery.
        </EmptyState>
      </div>
    )
  return (
    <div className="report-stack">
      {notice ? (
        <p className="note note--info" role="status" data-testid="history-notice">
          {notice}
        </p>
      ) : null}
      <div className="card">
        <div className="card__header">History · kept {retentionDays} days</div>
        <div className="table-wrap">
          <table className="table" data-testid="history-table">
            <thead>
              <tr>
                <th>Generated</th>
                <th>Report</th>
                <th>Period</th>
                <th>Pages</th>
                <th>Size</th>
                <th>By</th>
                <th>Delivery</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={h.id} aria-selected={h.id === viewing}>
                  <td>{formatTimestamp(h.createdAt)}</td>
                  <td>{h.title}</td>
                  <td>
                    {h.range.from} – {h.range.to}
                  </td>
                  <td>{h.pages}</td>
                  <td>{formatBytes(h.bytes)}</td>
                  <td className="report-by">{h.requestedBy}</td>
                  <td>
                    <span className={DELIVERY[h.delivery].badge}>{DELIVERY[h.delivery].label}</span>
                    {h.delivery === 'failed' && h.deliveryError ? (
                      <div className="field__error report-error">{h.deliveryError}</div>
                    ) : null}
                    {h.delivery === 'sent' ? <div className="field__hint">to {h.recipients.join(', ')}</div> : null}
                  </td>
                  <td className="report-row-actions">
                    {h.fileExists ? (
                      <>
                        <button
                          type="button"
                          className="btn btn--sm"
                          aria-expanded={h.id === viewing}
                          onClick={() => setViewing(h.id === viewing ? null : h.id)}
                        >
                          {h.id === viewing ? 'Hide' : 'View'}
                        </button>
                        <button
                          type="button"
                          className="btn btn--sm"
                          onClick={() => {
                            setResending(h)
                            setTo(h.recipients.join(', '))
                          }}
                        >
                          {h.delivery === 'not_sent' ? 'Send…' : 'Re-send…'}
                        </button>
                      </>
                    ) : (
                      <span className="field__hint">File removed</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      {resending ? (
        <form className="card card__body report-form" onSubmit={(e) => void resend(e)} data-testid="resend-form">
          <label className="field">
            <span className="field__label">
              Send “{resending.title}” ({resending.range.from} – {resending.range.to}) to
            </span>
            <input
              className="input"
              required
              autoFocus
              value={to}
              placeholder="boss@example.com, client@example.org"
              onChange={(e) => setTo(e.target.value)}
            />
          </label>
          <div className="report-form__actions">
            <button type="submit" className="btn btn--primary" disabled={busy}>
              {busy ? 'Sending…' : 'Send'}
            </button>
            <button type="button" className="btn" onClick={() => setResending(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {shown && shown.fileExists ? (
        <div className="card card__body">
          <ReportViewer workspaceId={workspaceId} entry={shown} />
        </div>
      ) : null}
    </div>
  )
}
