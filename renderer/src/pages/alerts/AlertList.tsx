import { Fragment, useEffect, useState, type JSX } from 'react'
import {
  ALERT_SEVERITIES,
  ALERT_SOURCES,
  formatAlertNumber,
  type Alert,
  type AlertSeverity,
  type AlertSource,
  type AlertState,
} from '../../../../shared/domain/alerts'
import type { ChannelView } from '../../../../shared/ipc/contracts/alerts'
import { getClient } from '../../api/client'
import { EmptyState, ErrorState, Skeleton } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { formatTimestamp } from '../../lib/format'
import { usePageData, type DataTable } from '../../lib/page-data'
import { useWorkspaceStore } from '../../stores/workspace-store'
import {
  ALERT_SOURCE_LABELS,
  SEVERITY_BADGE,
  SEVERITY_LABELS,
  SNOOZE_CHOICES,
  STATE_LABELS,
  alertHistory,
  entityText,
  linkLabel,
  snoozeUntil,
  timeAgo,
  type SnoozeChoice,
} from './alert-format'

/** The list reads the alerts, their deliveries and the channel names. */
export const ALERT_LIST_TABLES: readonly DataTable[] = ['alerts', 'alert_deliveries', 'alert_channels']

const STATE_FILTERS = [
  { id: 'active', label: 'Needs attention', states: ['open', 'acknowledged'] },
  { id: 'open', label: 'Open', states: ['open'] },
  { id: 'acknowledged', label: 'Acknowledged', states: ['acknowledged'] },
  { id: 'snoozed', label: 'Snoozed', states: ['snoozed'] },
  { id: 'resolved', label: 'Resolved', states: ['resolved'] },
  { id: 'all', label: 'All', states: [] },
] as const satisfies readonly { id: string; label: string; states: readonly AlertState[] }[]
type StateFilter = (typeof STATE_FILTERS)[number]['id']

const PAGE = 100

/** `#/alerts?id=12` (a notification's or toast's link) opens that alert. */
function linkedAlertId(): number | null {
  const m = /[?&]id=(\d+)/.exec(window.location.hash)
  return m ? Number(m[1]) : null
}

function toLocalInput(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`
}

/** Acknowledge / snooze / resolve for one alert or a selection. */
function AlertActions({
  alerts,
  busy,
  onAct,
  idPrefix,
}: {
  alerts: Alert[]
  busy: boolean
  onAct: (action: 'acknowledge' | 'resolve' | 'snooze', until?: Date) => void
  idPrefix: string
}): JSX.Element {
  const [choice, setChoice] = useState<SnoozeChoice | ''>('')
  const [custom, setCustom] = useState(() => toLocalInput(new Date(Date.now() + 86_400_000)))
  const anyOpen = alerts.some((a) => a.state === 'open' || a.state === 'snoozed')
  const anyUnresolved = alerts.some((a) => a.state !== 'resolved')
  return (
    <div className="alert-actions" role="group" aria-label="Alert actions">
      <button
        type="button"
        className="btn btn--sm"
        disabled={busy || !anyOpen}
        onClick={() => onAct('acknowledge')}
        data-testid={`${idPrefix}-ack`}
      >
        Acknowledge
      </button>
      <label className="visually-hidden" htmlFor={`${idPrefix}-snooze`}>
        Snooze
      </label>
      <select
        id={`${idPrefix}-snooze`}
        className="select select--sm"
        value={choice}
        disabled={busy || !anyUnresolved}
        data-testid={`${idPrefix}-snooze`}
        onChange={(e) => {
          const v = e.target.value as SnoozeChoice | ''
          if (v === '' || v === 'custom') {
            setChoice(v)
            return
          }
          setChoice('')
          onAct('snooze', snoozeUntil(v, new Date()))
        }}
      >
        <option value="">Snooze…</option>
        {SNOOZE_CHOICES.map((c) => (
          <option key={c.id} value={c.id}>
            {c.label}
          </option>
        ))}
      </select>
      {choice === 'custom' ? (
        <span className="alert-actions__custom">
          <label className="visually-hidden" htmlFor={`${idPrefix}-until`}>
            Snooze until
          </label>
          <input
            id={`${idPrefix}-until`}
            type="datetime-local"
            className="input input--sm"
            value={custom}
            min={toLocalInput(new Date())}
            onChange={(e) => setCustom(e.target.value)}
            data-testid={`${idPrefix}-until`}
          />
          <button
            type="button"
            className="btn btn--sm"
            disabled={busy || !custom}
            onClick={() => {
              setChoice('')
              onAct('snooze', new Date(custom))
            }}
          >
            Snooze
          </button>
        </span>
      ) : null}
      <button
        type="button"
        className="btn btn--sm"
        disabled={busy || !anyUnresolved}
        onClick={() => onAct('resolve')}
        data-testid={`${idPrefix}-resolve`}
      >
        Resolve
      </button>
    </div>
  )
}

function AlertDetail({
  alert,
  channels,
  busy,
  onAct,
}: {
  alert: Alert
  channels: ChannelView[]
  busy: boolean
  onAct: (ids: number[], action: 'acknowledge' | 'resolve' | 'snooze', until?: Date) => void
}): JSX.Element {
  const history = alertHistory(alert, channels)
  return (
    <div className="alert-detail" data-testid={`alert-detail-${alert.id}`}>
      <div className="alert-detail__main">
        <p className="alert-detail__body">{alert.body}</p>
        {alert.numbers.length ? (
          <dl className="alert-numbers">
            {alert.numbers.map((n, i) => (
              <div key={i} className="alert-numbers__item">
                <dt>{n.label}</dt>
                <dd>{formatAlertNumber(n)}</dd>
              </div>
            ))}
          </dl>
        ) : null}
        <div className="alert-detail__actions">
          <a className="btn btn--sm btn--primary" href={`#${alert.link}`} data-testid="alert-link">
            {linkLabel(alert.link)}
          </a>
          <AlertActions
            alerts={[alert]}
            busy={busy}
            idPrefix={`alert-${alert.id}`}
            onAct={(action, until) => onAct([alert.id], action, until)}
          />
        </div>
      </div>
      <div className="alert-detail__history">
        <h3 className="alert-detail__heading">History</h3>
        <ol className="alert-history" data-testid="alert-history">
          {history.map((h, i) => (
            <li
              key={i}
              className={`alert-history__item alert-history__item--${h.kind}${h.ok === false ? ' alert-history__item--failed' : ''}`}
            >
              <time dateTime={h.at}>{formatTimestamp(h.at)}</time>
              <span className="alert-history__text">{h.text}</span>
              {h.detail ? <span className="alert-history__detail">{h.detail}</span> : null}
            </li>
          ))}
          {alert.deliveries.length === 0 ? (
            <li className="alert-history__item alert-history__item--next">
              <span className="alert-history__text">
                Not routed to any channel (in-app only). Add a channel or a route under Channels &amp; routing.
              </span>
            </li>
          ) : null}
        </ol>
      </div>
    </div>
  )
}

export function AlertList({ onOpenChannels }: { onOpenChannels: () => void }): JSX.Element {
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const workspaces = useWorkspaceStore((s) => s.workspaces)
  const [severities, setSeverities] = useState<AlertSeverity[]>([])
  const [source, setSource] = useState<AlertSource | ''>('')
  const [stateFilter, setStateFilter] = useState<StateFilter>(() => (linkedAlertId() !== null ? 'all' : 'active'))
  const [allWorkspaces, setAllWorkspaces] = useState(false)
  const [limit, setLimit] = useState(PAGE)
  const [open, setOpen] = useState<number | null>(linkedAlertId)
  const [selected, setSelected] = useState<Set<number>>(new Set())
  const [busy, setBusy] = useState(false)
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null)
  const [now, setNow] = useState(() => new Date())

  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 60_000)
    return () => clearInterval(t)
  }, [])

  const states = STATE_FILTERS.find((f) => f.id === stateFilter)?.states ?? []
  const query = {
    ...(allWorkspaces || workspaceId === null ? {} : { workspaceId }),
    ...(severities.length ? { severity: severities } : {}),
    ...(source ? { source: [source] } : {}),
    ...(states.length ? { state: [...states] } : {}),
    limit,
  }
  const data = usePageData({
    key: workspaceId === null ? null : JSON.stringify(query),
    tables: ALERT_LIST_TABLES,
    workspaceId: allWorkspaces ? null : workspaceId,
    load: async () => {
      const api = getClient()
      const [alerts, channels] = await Promise.all([api.invoke('alerts:list', query), api.invoke('channels:list', {})])
      // A linked alert outside the filters is still shown.
      const linked = open !== null && !alerts.some((a) => a.id === open) ? await loadOne(open) : null
      return { alerts: linked ? [linked, ...alerts] : alerts, channels }
    },
  })

  const act = async (ids: number[], action: 'acknowledge' | 'resolve' | 'snooze', until?: Date): Promise<void> => {
    setBusy(true)
    setNotice(null)
    try {
      const api = getClient()
      const changed =
        action === 'snooze'
          ? await api.invoke('alerts:snooze', { ids, until: (until as Date).toISOString() })
          : await api.invoke(action === 'acknowledge' ? 'alerts:acknowledge' : 'alerts:resolve', { ids })
      const verb = action === 'acknowledge' ? 'Acknowledged' : action === 'resolve' ? 'Resolved' : 'Snoozed'
      const what = `${changed.length} alert${changed.length === 1 ? '' : 's'}`
      setNotice({
        text:
          action === 'snooze' && until
            ? `${verb} ${what} until ${formatTimestamp(until.toISOString())}`
            : changed.length < ids.length
              ? `${verb} ${what}; ${ids.length - changed.length} already were`
              : `${verb} ${what}`,
        error: false,
      })
      setSelected(new Set())
      data.reload()
    } catch (err) {
      setNotice({ text: errorMessage(err), error: true })
    } finally {
      setBusy(false)
    }
  }

  const toggleSeverity = (s: AlertSeverity): void =>
    setSeverities((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]))

  const filters = (
    <div className="alert-filters" role="group" aria-label="Filters">
      <div className="alert-filters__group" role="group" aria-label="Severity">
        {ALERT_SEVERITIES.map((s) => (
          <button
            key={s}
            type="button"
            className={`chip chip--${s}`}
            aria-pressed={severities.includes(s)}
            onClick={() => toggleSeverity(s)}
            data-testid={`filter-severity-${s}`}
          >
            {SEVERITY_LABELS[s]}
          </button>
        ))}
      </div>
      <label className="alert-filters__field">
        <span>Source</span>
        <select
          className="select"
          value={source}
          onChange={(e) => setSource(e.target.value as AlertSource | '')}
          data-testid="filter-source"
        >
          <option value="">All sources</option>
          {ALERT_SOURCES.map((s) => (
            <option key={s} value={s}>
              {ALERT_SOURCE_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <label className="alert-filters__field">
        <span>State</span>
        <select
          className="select"
          value={stateFilter}
          onChange={(e) => setStateFilter(e.target.value as StateFilter)}
          data-testid="filter-state"
        >
          {STATE_FILTERS.map((f) => (
            <option key={f.id} value={f.id}>
              {f.label}
            </option>
          ))}
        </select>
      </label>
      {workspaces.length > 1 ? (
        <label className="switch">
          <input
            type="checkbox"
            checked={allWorkspaces}
            onChange={(e) => setAllWorkspaces(e.target.checked)}
            data-testid="filter-all-workspaces"
          />
          All workspaces
        </label>
      ) : null}
    </div>
  )

  let body: JSX.Element
  if (data.status === 'error')
    body = (
      <div className="card">
        <ErrorState title="Could not load alerts" message={errorMessage(data.error)} onRetry={data.reload} />
      </div>
    )
  else if (data.status === 'loading' || !data.data)
    body = (
      <div className="card card__body" aria-busy="true" aria-label="Loading alerts" data-state="loading">
        <Skeleton height={44} />
        <Skeleton height={44} style={{ marginTop: 8 }} />
        <Skeleton height={44} style={{ marginTop: 8 }} />
      </div>
    )
  else {
    const { alerts, channels } = data.data
    const filtered = severities.length > 0 || source !== '' || stateFilter !== 'active'
    if (alerts.length === 0)
      body = (
        <div className="card" data-testid="alerts-empty">
          {filtered ? (
            <EmptyState title="No alerts match these filters" icon="alerts">
              Clear a filter to see more.
            </EmptyState>
          ) : (
            <EmptyState
              title="Nothing needs your attention"
              icon="alerts"
              actions={
                channels.length === 0 ? (
                  <button type="button" className="btn" onClick={onOpenChannels}>
                    Set up email, Slack or a webhook
                  </button>
                ) : undefined
              }
            >
              Anomalies, sync problems, budget pacing, automation and report failures show up here as they happen.
            </EmptyState>
          )}
        </div>
      )
    else {
      const selectedAlerts = alerts.filter((a) => selected.has(a.id))
      const allSelected = alerts.length > 0 && alerts.every((a) => selected.has(a.id))
      body = (
        <div className="card alert-card">
          <div className="alert-bulk" aria-live="polite">
            {selectedAlerts.length ? (
              <>
                <span data-testid="alerts-selected">{selectedAlerts.length} selected</span>
                <AlertActions
                  alerts={selectedAlerts}
                  busy={busy}
                  idPrefix="bulk"
                  onAct={(action, until) =>
                    void act(
                      selectedAlerts.map((a) => a.id),
                      action,
                      until,
                    )
                  }
                />
                <button type="button" className="btn btn--sm btn--ghost" onClick={() => setSelected(new Set())}>
                  Clear selection
                </button>
              </>
            ) : (
              <span className="alert-bulk__hint">
                {alerts.length} alert{alerts.length === 1 ? '' : 's'}
                {data.refreshing ? ' · updating…' : ''} · select several to act on them together
              </span>
            )}
          </div>
          <div className="table-wrap">
            <table className="table alert-table" data-testid="alerts-table">
              <thead>
                <tr>
                  <th className="alert-table__check">
                    <input
                      type="checkbox"
                      aria-label="Select all alerts shown"
                      checked={allSelected}
                      onChange={() => setSelected(allSelected ? new Set() : new Set(alerts.map((a) => a.id)))}
                      data-testid="alerts-select-all"
                    />
                  </th>
                  <th>Severity</th>
                  <th>Alert</th>
                  <th>Source</th>
                  <th>Raised</th>
                  <th>State</th>
                  <th>
                    <span className="visually-hidden">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {alerts.map((a) => {
                  const expanded = open === a.id
                  const entity = entityText(a)
                  const failed = a.deliveries.filter((d) => d.status === 'failed').length
                  return (
                    <Fragment key={a.id}>
                      <tr
                        className={`alert-row alert-row--${a.state}`}
                        aria-selected={selected.has(a.id)}
                        data-testid={`alert-row-${a.id}`}
                      >
                        <td className="alert-table__check">
                          <input
                            type="checkbox"
                            aria-label={`Select: ${a.title}`}
                            checked={selected.has(a.id)}
                            onChange={() =>
                              setSelected((cur) => {
                                const next = new Set(cur)
                                if (next.has(a.id)) next.delete(a.id)
                                else next.add(a.id)
                                return next
                              })
                            }
                          />
                        </td>
                        <td>
                          <span className={SEVERITY_BADGE[a.severity]}>{SEVERITY_LABELS[a.severity]}</span>
                        </td>
                        <td className="alert-row__title">
                          <button
                            type="button"
                            className="alert-row__open"
                            aria-expanded={expanded}
                            aria-controls={`alert-detail-row-${a.id}`}
                            onClick={() => setOpen(expanded ? null : a.id)}
                          >
                            {a.title}
                          </button>
                          <div className="alert-row__meta">
                            {entity ? <span>{entity}</span> : null}
                            {a.numbers[0] ? (
                              <span>
                                {a.numbers[0].label}: {formatAlertNumber(a.numbers[0])}
                              </span>
                            ) : null}
                            {a.count > 1 ? (
                              <span title={`Raised ${a.count} times; the row shows the latest`}>seen {a.count}×</span>
                            ) : null}
                            {failed ? (
                              <span className="alert-row__failed">
                                {failed} deliver{failed === 1 ? 'y' : 'ies'} failed
                              </span>
                            ) : null}
                          </div>
                        </td>
                        <td>{ALERT_SOURCE_LABELS[a.source]}</td>
                        <td>
                          <time dateTime={a.lastRaisedAt} title={formatTimestamp(a.lastRaisedAt)}>
                            {timeAgo(a.lastRaisedAt, now)}
                          </time>
                        </td>
                        <td>
                          <span className={`alert-state alert-state--${a.state}`}>{STATE_LABELS[a.state]}</span>
                          {a.state === 'snoozed' && a.snoozedUntil ? (
                            <div className="field__hint">until {formatTimestamp(a.snoozedUntil)}</div>
                          ) : null}
                        </td>
                        <td>
                          <button
                            type="button"
                            className="btn btn--sm btn--ghost"
                            aria-expanded={expanded}
                            aria-label={`${expanded ? 'Hide' : 'Show'} details: ${a.title}`}
                            onClick={() => setOpen(expanded ? null : a.id)}
                            data-testid={`alert-toggle-${a.id}`}
                          >
                            {expanded ? 'Hide' : 'Details'}
                          </button>
                        </td>
                      </tr>
                      {expanded ? (
                        <tr id={`alert-detail-row-${a.id}`} className="alert-detail-row">
                          <td colSpan={7}>
                            <AlertDetail
                              alert={a}
                              channels={channels}
                              busy={busy}
                              onAct={(ids, action, until) => void act(ids, action, until)}
                            />
                          </td>
                        </tr>
                      ) : null}
                    </Fragment>
                  )
                })}
              </tbody>
            </table>
          </div>
          {alerts.length >= limit && limit < 500 ? (
            <div className="alert-more">
              <button type="button" className="btn btn--sm" onClick={() => setLimit((l) => Math.min(500, l + PAGE))}>
                Show more
              </button>
            </div>
          ) : null}
        </div>
      )
    }
  }

  return (
    <div className="alert-stack">
      {filters}
      {notice ? (
        <p
          className={`note ${notice.error ? 'note--warning' : 'note--info'}`}
          role={notice.error ? 'alert' : 'status'}
          data-testid="alerts-notice"
        >
          {notice.text}
        </p>
      ) : null}
      {body}
    </div>
  )
}

async function loadOne(id: number): Promise<Alert | null> {
  try {
    return await getClient().invoke('alerts:get', { id })
  } catch {
    return null
  }
}
