import { useState, type JSX, type ReactNode } from 'react'
import type { Diagnostics } from '../../../../shared/domain/diagnostics'
import { getClient } from '../../api/client'
import { PageFrame } from '../../components/PageFrame'
import { EmptyState, ErrorState, Skeleton } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { formatTimestamp } from '../../lib/format'
import { usePageData, type DataTable } from '../../lib/page-data'
import './diagnostics.css'

/** What the doctor reads: jobs, accounts and their sync runs, alert channels and deliveries. */
const DIAGNOSTICS_TABLES: readonly DataTable[] = [
  'ad_accounts',
  'sync_runs',
  'alerts',
  'alert_channels',
  'alert_deliveries',
  'connections',
]

const LOG_LINES = 200

function Stat({ label, value, testId }: { label: string; value: ReactNode; testId?: string }): JSX.Element {
  return (
    <div className="diag-stat" data-testid={testId}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  )
}

function Health({ ok }: { ok: boolean }): JSX.Element {
  return <span className={ok ? 'badge badge--positive' : 'badge badge--negative'}>{ok ? 'Healthy' : 'Needs you'}</span>
}

/** A pino line as "time LEVEL message"; anything else as it is. */
function logText(line: string): { level: string; text: string } {
  try {
    const o = JSON.parse(line) as { level?: number; time?: string; msg?: string; host?: string }
    const level =
      o.level === undefined ? '' : o.level >= 50 ? 'ERROR' : o.level >= 40 ? 'WARN' : o.level >= 30 ? 'INFO' : 'DEBUG'
    return { level, text: `${o.time ?? ''} ${level.padEnd(5)} ${o.msg ?? line}` }
  } catch {
    return { level: '', text: line }
  }
}

/** The report for a bug ticket: the doctor's JSON and the recent log lines (already redacted by the core). */
function bundleText(d: Diagnostics, log: { file: string | null; lines: string[] }): string {
  return JSON.stringify({ diagnostics: d, log_file: log.file, recent_log: log.lines }, null, 2)
}

export function DiagnosticsPage(): JSX.Element {
  const [integrity, setIntegrity] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const data = usePageData({
    key: integrity ? 'integrity' : 'quick',
    tables: DIAGNOSTICS_TABLES,
    workspaceId: null,
    load: async () => {
      const api = getClient()
      const [d, log] = await Promise.all([
        api.invoke('diagnostics:get', { integrity }),
        api.invoke('diagnostics:logs', { lines: LOG_LINES }),
      ])
      return { d, log }
    },
  })

  const copy = async (): Promise<void> => {
    if (!data.data) return
    const text = bundleText(data.data.d, data.data.log)
    let copied = false
    try {
      await navigator.clipboard.writeText(text)
      copied = true
    } catch {
      // No clipboard here (an insecure context, a denied permission): the zip still goes out.
    }
    try {
      // The zip: the same JSON and the newest logs, redacted again by the core.
      const b = await getClient().invoke('diagnostics:bundle', {})
      const bytes = Uint8Array.from(atob(b.base64), (c) => c.charCodeAt(0))
      const url = URL.createObjectURL(new Blob([bytes], { type: 'application/zip' }))
      const a = document.createElement('a')
      a.href = url
      a.download = b.fileName
      a.click()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
      setNotice(
        copied
          ? `Copied the diagnostics (secrets redacted) to the clipboard, and saved ${b.fileName} with the logs.`
          : `The clipboard is not available here; saved ${b.fileName} (diagnostics and logs, secrets redacted) instead.`,
      )
    } catch (err) {
      setNotice(
        `${copied ? 'Copied the diagnostics to the clipboard, but ' : ''}the zip could not be made: ${errorMessage(err)}`,
      )
    }
  }

  let body: JSX.Element
  if (data.status === 'error')
    body = (
      <div className="card">
        <ErrorState title="Could not run the checks" message={errorMessage(data.error)} onRetry={data.reload} />
      </div>
    )
  else if (data.status === 'loading' || !data.data)
    body = (
      <div className="card card__body" aria-busy="true" aria-label="Running the checks" data-state="loading">
        <Skeleton height={80} />
        <Skeleton height={200} style={{ marginTop: 12 }} />
      </div>
    )
  else {
    const { d, log } = data.data
    body = (
      <div className="diag">
        <section
          className={`card card__body diag-summary ${d.healthy ? 'diag-summary--ok' : 'diag-summary--bad'}`}
          aria-labelledby="diag-summary-title"
          data-testid="diag-summary"
          data-healthy={d.healthy}
        >
          <h2 id="diag-summary-title" className="diag-title">
            {d.healthy
              ? 'Everything checked is healthy'
              : `${d.problems.length} thing${d.problems.length === 1 ? '' : 's'} need${d.problems.length === 1 ? 's' : ''} attention`}
          </h2>
          {d.problems.length ? (
            <ul className="diag-problems" data-testid="diag-problems">
              {d.problems.map((p, i) => (
                <li key={i}>
                  <span className={p.level === 'error' ? 'badge badge--negative' : 'badge badge--warning'}>
                    {p.level === 'error' ? 'ERROR' : 'WARNING'}
                  </span>{' '}
                  {p.message}
                </li>
              ))}
            </ul>
          ) : null}
          <p className="field__hint">
            Checked {formatTimestamp(d.checked_at)} · the same checks as <code>npm run cli -- doctor</code>
          </p>
          <div className="diag-actions">
            <button type="button" className="btn" onClick={data.reload} disabled={data.refreshing}>
              {data.refreshing ? 'Checking…' : 'Check again'}
            </button>
            <button
              type="button"
              className="btn"
              onClick={() => (integrity ? data.reload() : setIntegrity(true))}
              data-testid="diag-integrity"
            >
              Run integrity check
            </button>
            <button type="button" className="btn btn--primary" onClick={() => void copy()} data-testid="diag-copy">
              Copy diagnostics
            </button>
          </div>
          {notice ? (
            <p className="note note--info" role="status" data-testid="diag-notice">
              {notice}
            </p>
          ) : null}
        </section>

        <div className="diag-grid">
          <section className="card card__body" aria-labelledby="diag-app">
            <h2 id="diag-app" className="diag-title">
              App and database
            </h2>
            <dl className="diag-stats">
              <Stat label="Version" value={d.version} />
              <Stat label="Host" value={d.host} />
              <Stat label="Schema" value={`${d.schema_version} of ${d.schema_latest}`} />
              <Stat label="Database" value={`${d.db_mb} MB`} testId="diag-db" />
              <Stat label="Write-ahead log" value={`${d.wal_mb} MB`} />
              <Stat label="Integrity" value={d.integrity} testId="diag-integrity-result" />
              <Stat
                label="Free disk"
                value={d.disk_free_mb === null ? '—' : `${d.disk_free_mb.toLocaleString('en-US')} MB`}
              />
              <Stat label="Data folder" value={<code className="diag-path">{d.data_dir}</code>} />
            </dl>
          </section>
          <section className="card card__body" aria-labelledby="diag-process">
            <h2 id="diag-process" className="diag-title">
              Process
            </h2>
            <dl className="diag-stats">
              <Stat label="Memory (resident)" value={`${d.process.rss_mb} MB`} />
              <Stat label="JS heap used" value={`${d.process.heap_used_mb} MB`} />
              <Stat label="CPU user / system" value={`${d.process.cpu_user_s} s / ${d.process.cpu_system_s} s`} />
              <Stat label="Up for" value={`${Math.round(d.process.uptime_s / 60)} min`} />
              <Stat label="Node" value={d.process.node} />
              <Stat label="Unread WARNING+ alerts" value={d.alerts.unread_warning_plus} />
              <Stat label="Deliveries waiting" value={d.alerts.pending_deliveries} />
            </dl>
          </section>
          <section className="card card__body" aria-labelledby="diag-jobs">
            <h2 id="diag-jobs" className="diag-title">
              Job queue
            </h2>
            <dl className="diag-stats">
              <Stat label="Queued" value={d.jobs.queued} />
              <Stat label="Running" value={d.jobs.running} />
              <Stat label="Failed in the last 24 h" value={d.jobs.failed_24h} />
            </dl>
            {d.jobs.failed.length ? (
              <ul className="diag-list">
                {d.jobs.failed.map((j) => (
                  <li key={j.id}>
                    <strong>
                      #{j.id} {j.kind}
                    </strong>{' '}
                    {formatTimestamp(j.finished_at)}: <span className="field__error">{j.error}</span>
                  </li>
                ))}
              </ul>
            ) : null}
          </section>
        </div>

        <section className="card" aria-labelledby="diag-accounts">
          <div className="card__header">
            <h2 id="diag-accounts" className="diag-title">
              Ad accounts
            </h2>
          </div>
          {d.accounts.length ? (
            <div className="table-wrap diag-table">
              <table className="table" data-testid="diag-accounts">
                <thead>
                  <tr>
                    <th>Account</th>
                    <th>Platform</th>
                    <th>Status</th>
                    <th>Last good sync</th>
                    <th>Last error</th>
                    <th>Health</th>
                  </tr>
                </thead>
                <tbody>
                  {d.accounts.map((a) => (
                    <tr key={a.id}>
                      <td>{a.name}</td>
                      <td>{a.platform}</td>
                      <td>{a.status}</td>
                      <td>{formatTimestamp(a.last_success_at)}</td>
                      <td className="diag-error">{a.last_error ?? '—'}</td>
                      <td>
                        <Health ok={a.healthy} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <EmptyState title="No ad accounts" icon="connections">
              Connect an account on the Connections page.
            </EmptyState>
          )}
        </section>

        <section className="card" aria-labelledby="diag-channels">
          <div className="card__header">
            <h2 id="diag-channels" className="diag-title">
              Alert delivery
            </h2>
          </div>
          {d.channels.length ? (
            <div className="table-wrap diag-table">
              <table className="table" data-testid="diag-channels">
                <thead>
                  <tr>
                    <th>Channel</th>
                    <th>Kind</th>
                    <th>Delivered</th>
                    <th>Failed</th>
                    <th>Waiting</th>
                    <th>Last delivered</th>
                    <th>Health</th>
                  </tr>
                </thead>
                <tbody>
                  {d.channels.map((c) => (
                    <tr key={c.id}>
                      <td>
                        {c.name}
                        {c.disabled_reason ? <div className="field__error">{c.disabled_reason}</div> : null}
                      </td>
                      <td>{c.kind}</td>
                      <td>{c.delivered}</td>
                      <td>{c.failed}</td>
                      <td>{c.pending}</td>
                      <td>{formatTimestamp(c.last_delivered_at)}</td>
                      <td>
                        <Health ok={c.healthy} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <EmptyState title="No alert channels" icon="alerts">
              Alerts stay in the app until a channel is added on the Alerts page.
            </EmptyState>
          )}
        </section>

        <section className="card" aria-labelledby="diag-log">
          <div className="card__header">
            <h2 id="diag-log" className="diag-title">
              Recent log
            </h2>
            <p>{log.file ? <code className="diag-path">{log.file}</code> : 'This host writes no log file.'}</p>
          </div>
          {log.lines.length ? (
            <pre className="diag-log" tabIndex={0} aria-label="Recent log lines" data-testid="diag-log">
              {log.lines.map((l, i) => {
                const t = logText(l)
                return (
                  <span key={i} className={`diag-log__line diag-log__line--${t.level.toLowerCase() || 'raw'}`}>
                    {t.text}
                    {'\n'}
                  </span>
                )
              })}
            </pre>
          ) : (
            <EmptyState title="Nothing logged yet" icon="info">
              Errors and warnings of the app are written here as they happen.
            </EmptyState>
          )}
        </section>
      </div>
    )
  }

  return <PageFrame id="diagnostics">{body}</PageFrame>
}
