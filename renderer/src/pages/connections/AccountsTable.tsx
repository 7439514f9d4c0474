import type { JSX } from 'react'
import { PLATFORM_LABELS } from '../../../../shared/domain/entities'
import { formatInteger, formatTimestamp } from '../../lib/format'
import type { ConnectionView } from './ConnectionsPage'

type AccountView = ConnectionView['accounts'][number]

const STATUS: Record<AccountView['status'], { label: string; tone: string }> = {
  active: { label: 'Synced', tone: 'badge--positive' },
  needs_reconnect: { label: 'Needs reconnect', tone: 'badge--negative' },
  error: { label: 'Sync failed', tone: 'badge--warning' },
  disabled: { label: 'Disabled', tone: '' },
}

/** One row per ad account: state, last/next sync, rows, the provisional days and any error with its fix. */
export function AccountsTable({ accounts }: { accounts: AccountView[] }): JSX.Element {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="accounts-table">
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">State</th>
            <th scope="col">Last sync</th>
            <th scope="col">Next sync</th>
            <th scope="col" className="tabular">
              Rows
            </th>
            <th scope="col">Data through</th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((a) => {
            const s = STATUS[a.status]
            return (
              <tr key={a.id} data-testid={`account-${a.id}`}>
                <td>
                  <div>{a.name}</div>
                  <div className="field__hint mono">
                    {PLATFORM_LABELS[a.platform]} · {a.externalId} · {a.currency} · {a.timeZone}
                  </div>
                </td>
                <td>
                  <span className={`badge ${s.tone}`}>{s.label}</span>
                  {a.statusMessage ? (
                    <div className="field__error" role="note">
                      {a.statusMessage}
                    </div>
                  ) : null}
                </td>
                <td>{a.lastSyncedAt ? formatTimestamp(a.lastSyncedAt) : 'Never'}</td>
                <td>{a.nextSyncAt ? formatTimestamp(a.nextSyncAt) : 'Manual'}</td>
                <td className="tabular">{formatInteger(a.rows)}</td>
                <td>
                  {a.syncedThrough ?? '—'}
                  {a.provisionalFrom ? (
                    <div
                      className="field__hint"
                      title={`The platform may still restate the last ${a.restatementDays} days (late conversions).`}
                    >
                      <span className="badge badge--info">Provisional</span> from {a.provisionalFrom}
                    </div>
                  ) : null}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
