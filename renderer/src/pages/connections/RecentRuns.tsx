import type { JSX } from 'react'
import { formatInteger, formatTimestamp } from '../../lib/format'
import type { ChannelOutput } from '../../../../shared/ipc/contract'

type SyncRunView = ChannelOutput<'sync:listRuns'>[number]

const TONE: Record<string, string> = {
  succeeded: 'badge--positive',
  partial: 'badge--warning',
  failed: 'badge--negative',
  running: 'badge--info',
}

/** Recorded sync and import runs: rows written, duration, per-account outcome. */
export function RecentRuns({ runs }: { runs: SyncRunView[] }): JSX.Element {
  if (runs.length === 0) return <p className="field__hint">No sync has run in this workspace yet.</p>
  return (
    <div className="table-wrap">
      <table className="table" data-testid="runs-table">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Kind</th>
            <th scope="col">Result</th>
            <th scope="col" className="tabular">
              Rows
            </th>
            <th scope="col" className="tabular">
              Duration
            </th>
            <th scope="col">Accounts</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <td>{formatTimestamp(r.startedAt)}</td>
              <td>{r.mode}</td>
              <td>
                <span className={`badge ${TONE[r.status] ?? ''}`}>{r.status}</span>
              </td>
              <td className="tabular">{formatInteger(r.rowsWritten)}</td>
              <td className="tabular">{r.durationMs === null ? '—' : `${(r.durationMs / 1000).toFixed(1)} s`}</td>
              <td>
                {r.accounts.length === 0
                  ? '—'
                  : r.accounts.map((a) => (
                      <div key={a.accountId} className={a.error ? 'field__error' : 'field__hint'}>
                        {a.name}: {a.status}
                        {a.error ? ` — ${a.error}` : ` (${formatInteger(a.rows)} rows)`}
                      </div>
                    ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
