import { useCallback, useEffect, useState, type JSX } from 'react'
import type { AppInfo, StoreStatus } from '../../../../shared/ipc/contract'
import { getClient } from '../../api/client'
import { ErrorState, Skeleton } from '../../components/States'
import { formatRange } from '../../lib/date-presets'
import { errorMessage } from '../../lib/errors'
import { formatBytes, formatInteger } from '../../lib/format'

const HOST_LABELS: Record<string, string> = {
  electron: 'Desktop app',
  web: 'Browser preview',
  cli: 'Command line',
  test: 'Test harness',
}

export function AboutPanel(): JSX.Element {
  const [info, setInfo] = useState<AppInfo | null>(null)
  const [store, setStore] = useState<StoreStatus | null>(null)
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(async (): Promise<void> => {
    setError(null)
    try {
      const client = getClient()
      const [i, s] = await Promise.all([client.invoke('app:getInfo', {}), client.invoke('store:getStatus', {})])
      setInfo(i)
      setStore(s)
    } catch (err) {
      setError(errorMessage(err))
    }
  }, [])

  useEffect(() => {
    void load()
    // Row counts change after a demo reset or sync.
    return getClient().on('data:changed', () => void load())
  }, [load])

  if (error) return <ErrorState title="Could not load app details" message={error} onRetry={() => void load()} />
  if (!info || !store) {
    return (
      <div className="card__body" aria-busy="true">
        <Skeleton width="40%" />
        <Skeleton width="60%" style={{ marginTop: 10 }} />
        <Skeleton width="50%" style={{ marginTop: 10 }} />
      </div>
    )
  }

  return (
    <div className="about" data-testid="about">
      <dl className="facts">
        <dt>Version</dt>
        <dd data-testid="about-version">
          {info.name} {info.version}
        </dd>
        <dt>Running as</dt>
        <dd>
          {HOST_LABELS[info.host] ?? info.host} · {info.os}
        </dd>
        <dt>Data folder</dt>
        <dd className="mono">{info.dataDir}</dd>
        <dt>Database</dt>
        <dd>
          <span className="tabular">{formatBytes(store.dbBytes)}</span> · schema v{store.schemaVersion} ·{' '}
          <span className="mono">{store.dbPath}</span>
        </dd>
      </dl>
      {store.workspaces.length ? (
        <div className="table-wrap">
          <table className="table" data-testid="store-status">
            <caption className="visually-hidden">Stored rows per workspace</caption>
            <thead>
              <tr>
                <th scope="col">Workspace</th>
                <th scope="col" className="num">
                  Accounts
                </th>
                <th scope="col" className="num">
                  Campaigns
                </th>
                <th scope="col" className="num">
                  Ad sets
                </th>
                <th scope="col" className="num">
                  Ads
                </th>
                <th scope="col" className="num">
                  Daily rows
                </th>
                <th scope="col">Dates</th>
              </tr>
            </thead>
            <tbody>
              {store.workspaces.map((w) => (
                <tr key={w.id}>
                  <th scope="row">
                    {w.name} {w.isDemo ? <span className="badge">Demo</span> : null}
                  </th>
                  <td className="num">{formatInteger(w.accounts)}</td>
                  <td className="num">{formatInteger(w.campaigns)}</td>
                  <td className="num">{formatInteger(w.adSets)}</td>
                  <td className="num">{formatInteger(w.ads)}</td>
                  <td className="num">{formatInteger(w.dailyRows)}</td>
                  <td className="tabular">
                    {w.firstDate && w.lastDate ? formatRange({ from: w.firstDate, to: w.lastDate }) : 'No data'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="field__hint">No workspaces are stored yet.</p>
      )}
    </div>
  )
}
