import { useState, type FormEvent, type JSX } from 'react'
import {
  ALERT_SEVERITIES,
  ALERT_SOURCES,
  CHANNEL_SECRETS,
  type AlertSeverity,
  type AlertSource,
  type ChannelKind,
  type ChannelPolicy,
  type RoutingRule,
} from '../../../../shared/domain/alerts'
import type { ChannelView } from '../../../../shared/ipc/contracts/alerts'
import type { ChannelOutput } from '../../../../shared/ipc/contract'
import { getClient } from '../../api/client'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { EmptyState, ErrorState, Skeleton } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { usePageData, type DataTable } from '../../lib/page-data'
import { ALERT_SOURCE_LABELS, SEVERITY_LABELS } from './alert-format'

export const CHANNELS_TABLES: readonly DataTable[] = ['alert_channels', 'alert_routes', 'alert_deliveries']

type TestResult = ChannelOutput<'channels:test'>

const KIND_LABELS: Record<ChannelKind, string> = {
  desktop: 'Desktop notification',
  email: 'Email (SMTP)',
  slack: 'Slack',
  webhook: 'Webhook (signed)',
}

/** Where a channel sends, without its secret. */
function target(c: ChannelView): string {
  switch (c.settings.kind) {
    case 'desktop':
      return 'This computer (notifications and tray)'
    case 'email':
      return `${c.settings.to.join(', ')} via ${c.settings.smtp.host}:${c.settings.smtp.port} (${c.settings.smtp.security.toUpperCase()})`
    case 'slack':
      return c.hasSecret ? 'Incoming webhook (stored in the secret store)' : 'No webhook URL stored'
    case 'webhook':
      return c.settings.url
  }
}

function policyText(p: ChannelPolicy): string | null {
  const parts: string[] = []
  if (p.quietHours)
    parts.push(
      `quiet ${p.quietHours.start}–${p.quietHours.end} ${p.quietHours.timeZone}${p.quietHours.criticalBreaksThrough ? ' (CRITICAL breaks through)' : ''}`,
    )
  if (p.rateLimit) parts.push(`at most ${p.rateLimit.max} per ${p.rateLimit.perMinutes} min, then a digest`)
  if (p.dailyDigest)
    parts.push(
      `one digest a day at ${p.dailyDigest.at} ${p.dailyDigest.timeZone}${p.dailyDigest.criticalAtOnce ? ' (CRITICAL at once)' : ''}`,
    )
  return parts.length ? parts.join(' · ') : null
}

interface Draft {
  kind: ChannelKind
  name: string
  host: string
  port: string
  security: 'tls' | 'starttls' | 'none'
  username: string
  from: string
  to: string
  url: string
  secret: string
  quiet: boolean
  quietStart: string
  quietEnd: string
  quietTz: string
  criticalBreaksThrough: boolean
  limit: boolean
  limitMax: string
  limitMinutes: string
  digest: boolean
  digestAt: string
  digestTz: string
  digestCriticalAtOnce: boolean
}

function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone
  } catch {
    return 'UTC'
  }
}

function emptyDraft(kind: ChannelKind): Draft {
  return {
    kind,
    name: '',
    host: '',
    port: '587',
    security: 'starttls',
    username: '',
    from: '',
    to: '',
    url: '',
    secret: '',
    quiet: false,
    quietStart: '22:00',
    quietEnd: '07:00',
    quietTz: localTimeZone(),
    criticalBreaksThrough: true,
    limit: false,
    limitMax: '10',
    limitMinutes: '60',
    digest: false,
    digestAt: '08:00',
    digestTz: localTimeZone(),
    digestCriticalAtOnce: true,
  }
}

function draftOf(c: ChannelView): Draft {
  const d = { ...emptyDraft(c.kind), name: c.name }
  if (c.settings.kind === 'email') {
    const s = c.settings.smtp
    Object.assign(d, {
      host: s.host,
      port: String(s.port),
      security: s.security,
      username: s.username ?? '',
      from: s.from,
      to: c.settings.to.join(', '),
    })
  }
  if (c.settings.kind === 'webhook') d.url = c.settings.url
  const q = c.policy.quietHours
  if (q)
    Object.assign(d, {
      quiet: true,
      quietStart: q.start,
      quietEnd: q.end,
      quietTz: q.timeZone,
      criticalBreaksThrough: q.criticalBreaksThrough,
    })
  const r = c.policy.rateLimit
  if (r) Object.assign(d, { limit: true, limitMax: String(r.max), limitMinutes: String(r.perMinutes) })
  const g = c.policy.dailyDigest
  if (g)
    Object.assign(d, { digest: true, digestAt: g.at, digestTz: g.timeZone, digestCriticalAtOnce: g.criticalAtOnce })
  return d
}

function settingsOf(d: Draft): unknown {
  switch (d.kind) {
    case 'desktop':
      return { kind: 'desktop' }
    case 'slack':
      return { kind: 'slack' }
    case 'webhook':
      return { kind: 'webhook', url: d.url.trim() }
    case 'email':
      return {
        kind: 'email',
        smtp: {
          host: d.host.trim(),
          port: Number(d.port),
          security: d.security,
          ...(d.username.trim() ? { username: d.username.trim() } : {}),
          from: d.from.trim(),
        },
        to: d.to
          .split(/[,;\s]+/)
          .map((s) => s.trim())
          .filter(Boolean),
      }
  }
}

function policyOf(d: Draft): ChannelPolicy {
  return {
    quietHours: d.quiet
      ? {
          start: d.quietStart,
          end: d.quietEnd,
          timeZone: d.quietTz.trim(),
          criticalBreaksThrough: d.criticalBreaksThrough,
        }
      : null,
    rateLimit: d.limit ? { max: Number(d.limitMax), perMinutes: Number(d.limitMinutes) } : null,
    dailyDigest:
      d.kind === 'email' && d.digest
        ? { at: d.digestAt, timeZone: d.digestTz.trim(), criticalAtOnce: d.digestCriticalAtOnce }
        : null,
  }
}

function TestOutcome({ result }: { result: TestResult }): JSX.Element {
  const code = result.statusCode !== null ? ` · status ${result.statusCode}` : ''
  return result.ok ? (
    <p className="note note--info" role="status" data-testid="channel-test-result" data-ok="true">
      Test delivered in {Math.round(result.latencyMs)} ms{code}
      {result.detail ? ` — ${result.detail}` : ''}
    </p>
  ) : (
    <p className="note note--warning" role="alert" data-testid="channel-test-result" data-ok="false">
      Test failed ({result.errorKind === 'transient' ? 'temporary, worth retrying' : 'needs a fix'}){code}:{' '}
      {result.error}
    </p>
  )
}

/** Add or edit a channel. Secrets are write-only: an edit leaves the stored one unless a new one is typed. */
function ChannelForm({
  editing,
  onDone,
  onCancel,
}: {
  editing: ChannelView | null
  onDone: (message: string, createdSecret: string | null) => void
  onCancel: () => void
}): JSX.Element {
  const [d, setD] = useState<Draft>(() => (editing ? draftOf(editing) : emptyDraft('email')))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const set = <K extends keyof Draft>(k: K, v: Draft[K]): void => setD((cur) => ({ ...cur, [k]: v }))
  const secretLabel = CHANNEL_SECRETS[d.kind]

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const api = getClient()
      const secret = d.secret.trim() ? { secret: d.secret.trim() } : {}
      if (editing) {
        await api.invoke('channels:update', {
          id: editing.id,
          name: d.name,
          settings: settingsOf(d),
          policy: policyOf(d),
          ...secret,
        })
        onDone(`Saved “${d.name.trim()}”`, null)
      } else {
        const r = await api.invoke('channels:add', {
          name: d.name,
          settings: settingsOf(d),
          policy: policyOf(d),
          ...secret,
        })
        onDone(`Added “${r.channel.name}”`, r.createdSecret)
      }
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="card card__body channel-form" onSubmit={(e) => void submit(e)} data-testid="channel-form">
      <h2 className="channel-form__title">{editing ? `Edit ${editing.name}` : 'Add a channel'}</h2>
      <div className="channel-form__grid">
        <label className="field">
          <span className="field__label">Kind</span>
          <select
            className="select"
            value={d.kind}
            disabled={editing !== null}
            onChange={(e) => setD({ ...emptyDraft(e.target.value as ChannelKind), name: d.name })}
            data-testid="channel-kind"
          >
            {(Object.keys(KIND_LABELS) as ChannelKind[]).map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">Name</span>
          <input
            className="input"
            required
            maxLength={100}
            value={d.name}
            placeholder={d.kind === 'email' ? 'Marketing team' : d.kind === 'slack' ? '#ads-alerts' : 'Ops webhook'}
            onChange={(e) => set('name', e.target.value)}
            data-testid="channel-name"
          />
        </label>
        {d.kind === 'email' ? (
          <>
            <label className="field">
              <span className="field__label">SMTP server</span>
              <input
                className="input"
                required
                value={d.host}
                placeholder="smtp.example.com"
                onChange={(e) => set('host', e.target.value)}
                data-testid="channel-host"
              />
            </label>
            <label className="field channel-form__short">
              <span className="field__label">Port</span>
              <input
                className="input"
                required
                inputMode="numeric"
                pattern="[0-9]{1,5}"
                value={d.port}
                onChange={(e) => set('port', e.target.value)}
                data-testid="channel-port"
              />
            </label>
            <label className="field">
              <span className="field__label">Security</span>
              <select
                className="select"
                value={d.security}
                onChange={(e) => set('security', e.target.value as Draft['security'])}
                data-testid="channel-security"
              >
                <option value="starttls">STARTTLS (port 587)</option>
                <option value="tls">TLS (port 465)</option>
                <option value="none">None (a mail catcher on this computer only)</option>
              </select>
            </label>
            <label className="field">
              <span className="field__label">User name</span>
              <input
                className="input"
                autoComplete="off"
                value={d.username}
                onChange={(e) => set('username', e.target.value)}
                data-testid="channel-username"
              />
            </label>
            <label className="field">
              <span className="field__label">From</span>
              <input
                className="input"
                required
                value={d.from}
                placeholder="Marketing Engine <alerts@example.com>"
                onChange={(e) => set('from', e.target.value)}
                data-testid="channel-from"
              />
            </label>
            <label className="field channel-form__wide">
              <span className="field__label">To</span>
              <input
                className="input"
                required
                value={d.to}
                placeholder="ana@example.com, team@example.com"
                onChange={(e) => set('to', e.target.value)}
                data-testid="channel-to"
              />
            </label>
          </>
        ) : null}
        {d.kind === 'webhook' ? (
          <label className="field channel-form__wide">
            <span className="field__label">URL</span>
            <input
              className="input"
              required
              type="url"
              value={d.url}
              placeholder="https://example.com/hooks/marketing-engine"
              onChange={(e) => set('url', e.target.value)}
              data-testid="channel-url"
            />
            <span className="field__hint">https, or http to this computer. Signed per Standard Webhooks.</span>
          </label>
        ) : null}
        {secretLabel ? (
          <label className="field channel-form__wide">
            <span className="field__label">{secretLabel}</span>
            <input
              className="input"
              type="password"
              autoComplete="new-password"
              required={!editing && d.kind === 'slack'}
              value={d.secret}
              placeholder={
                editing?.hasSecret
                  ? 'Stored — leave empty to keep it'
                  : d.kind === 'webhook'
                    ? 'Leave empty to create one'
                    : d.kind === 'slack'
                      ? 'https://hooks.slack.com/services/…'
                      : ''
              }
              onChange={(e) => set('secret', e.target.value)}
              data-testid="channel-secret"
            />
            <span className="field__hint">Kept in the secret store; never shown again.</span>
          </label>
        ) : null}
      </div>
      <fieldset className="channel-form__policy">
        <legend>Delivery</legend>
        <label className="switch">
          <input type="checkbox" checked={d.quiet} onChange={(e) => set('quiet', e.target.checked)} />
          Quiet hours
        </label>
        {d.quiet ? (
          <div className="channel-form__row">
            <label className="field channel-form__short">
              <span className="field__label">From</span>
              <input
                className="input"
                type="time"
                required
                value={d.quietStart}
                onChange={(e) => set('quietStart', e.target.value)}
              />
            </label>
            <label className="field channel-form__short">
              <span className="field__label">To</span>
              <input
                className="input"
                type="time"
                required
                value={d.quietEnd}
                onChange={(e) => set('quietEnd', e.target.value)}
              />
            </label>
            <label className="field">
              <span className="field__label">Time zone</span>
              <input className="input" required value={d.quietTz} onChange={(e) => set('quietTz', e.target.value)} />
            </label>
            <label className="switch">
              <input
                type="checkbox"
                checked={d.criticalBreaksThrough}
                onChange={(e) => set('criticalBreaksThrough', e.target.checked)}
              />
              CRITICAL breaks through
            </label>
          </div>
        ) : null}
        <label className="switch">
          <input type="checkbox" checked={d.limit} onChange={(e) => set('limit', e.target.checked)} />
          Rate limit (what is held back goes out as one digest)
        </label>
        {d.limit ? (
          <div className="channel-form__row">
            <label className="field channel-form__short">
              <span className="field__label">At most</span>
              <input
                className="input"
                inputMode="numeric"
                required
                pattern="[0-9]{1,4}"
                value={d.limitMax}
                onChange={(e) => set('limitMax', e.target.value)}
              />
            </label>
            <label className="field channel-form__short">
              <span className="field__label">messages per minutes</span>
              <input
                className="input"
                inputMode="numeric"
                required
                pattern="[0-9]{1,4}"
                value={d.limitMinutes}
                onChange={(e) => set('limitMinutes', e.target.value)}
              />
            </label>
          </div>
        ) : null}
        {d.kind === 'email' ? (
          <label className="switch">
            <input
              type="checkbox"
              checked={d.digest}
              onChange={(e) => set('digest', e.target.checked)}
              data-testid="channel-digest"
            />
            Daily digest (one mail a day instead of one per alert)
          </label>
        ) : null}
        {d.kind === 'email' && d.digest ? (
          <div className="channel-form__row">
            <label className="field channel-form__short">
              <span className="field__label">At</span>
              <input
                className="input"
                type="time"
                required
                value={d.digestAt}
                onChange={(e) => set('digestAt', e.target.value)}
                data-testid="channel-digest-at"
              />
            </label>
            <label className="field">
              <span className="field__label">Time zone</span>
              <input className="input" required value={d.digestTz} onChange={(e) => set('digestTz', e.target.value)} />
            </label>
            <label className="switch">
              <input
                type="checkbox"
                checked={d.digestCriticalAtOnce}
                onChange={(e) => set('digestCriticalAtOnce', e.target.checked)}
              />
              CRITICAL at once
            </label>
          </div>
        ) : null}
      </fieldset>
      {error ? (
        <p className="note note--warning" role="alert" data-testid="channel-form-error">
          {error}
        </p>
      ) : null}
      <div className="channel-form__actions">
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="channel-save">
          {busy ? 'Saving…' : editing ? 'Save' : 'Add channel'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}

type RouteDraft = Omit<RoutingRule, 'id'>

/** Routing rules: (minimum severity, sources) → channels. Saved as a whole. */
function RoutesEditor({
  routes,
  channels,
  onSaved,
}: {
  routes: RoutingRule[]
  channels: ChannelView[]
  onSaved: (message: string) => void
}): JSX.Element {
  const [rows, setRows] = useState<RouteDraft[]>(() => routes.map(({ id: _id, ...r }) => r))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const update = (i: number, patch: Partial<RouteDraft>): void =>
    setRows((cur) => cur.map((r, k) => (k === i ? { ...r, ...patch } : r)))
  const toggle = <T,>(list: T[], v: T): T[] => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v])

  const save = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      const empty = rows.findIndex((r) => r.channelIds.length === 0)
      if (empty >= 0) throw new Error(`Route ${empty + 1} sends to no channel: tick at least one`)
      await getClient().invoke('alertRoutes:set', { routes: rows })
      onSaved(rows.length ? `Saved ${rows.length} route${rows.length === 1 ? '' : 's'}` : 'Routes cleared')
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="card" aria-labelledby="routes-title" data-testid="routes">
      <div className="card__header">
        <h2 id="routes-title" className="channel-section-title">
          Routing
        </h2>
        <p>
          {rows.length === 0
            ? 'No routes: every enabled channel gets WARNING and above. Add a route to choose by severity and source.'
            : 'An alert goes to the channels of every route it matches.'}
        </p>
      </div>
      <div className="card__body routes">
        {rows.map((r, i) => (
          <fieldset key={i} className="route" data-testid={`route-${i}`}>
            <legend>Route {i + 1}</legend>
            <label className="switch">
              <input type="checkbox" checked={r.enabled} onChange={(e) => update(i, { enabled: e.target.checked })} />
              On
            </label>
            <label className="alert-filters__field">
              <span>Severity at least</span>
              <select
                className="select"
                value={r.minSeverity}
                onChange={(e) => update(i, { minSeverity: e.target.value as AlertSeverity })}
                data-testid={`route-${i}-severity`}
              >
                {ALERT_SEVERITIES.map((s) => (
                  <option key={s} value={s}>
                    {SEVERITY_LABELS[s]}
                  </option>
                ))}
              </select>
            </label>
            <div className="route__list" role="group" aria-label={`Route ${i + 1} sources (none ticked: all)`}>
              <span className="route__label">Sources</span>
              {ALERT_SOURCES.map((s: AlertSource) => (
                <label key={s} className="route__check">
                  <input
                    type="checkbox"
                    checked={r.sources.includes(s)}
                    onChange={() => update(i, { sources: toggle(r.sources, s) })}
                  />
                  {ALERT_SOURCE_LABELS[s]}
                </label>
              ))}
              {r.sources.length === 0 ? <span className="field__hint">(all)</span> : null}
            </div>
            <div className="route__list" role="group" aria-label={`Route ${i + 1} channels`}>
              <span className="route__label">To</span>
              {channels.map((c) => (
                <label key={c.id} className="route__check">
                  <input
                    type="checkbox"
                    checked={r.channelIds.includes(c.id)}
                    onChange={() => update(i, { channelIds: toggle(r.channelIds, c.id) })}
                    data-testid={`route-${i}-channel-${c.id}`}
                  />
                  {c.name}
                </label>
              ))}
            </div>
            <button
              type="button"
              className="btn btn--sm btn--ghost"
              onClick={() => setRows((cur) => cur.filter((_, k) => k !== i))}
            >
              Remove route {i + 1}
            </button>
          </fieldset>
        ))}
        {error ? (
          <p className="note note--warning" role="alert">
            {error}
          </p>
        ) : null}
        <div className="channel-form__actions">
          <button
            type="button"
            className="btn"
            disabled={channels.length === 0}
            onClick={() =>
              setRows((cur) => [
                ...cur,
                {
                  enabled: true,
                  minSeverity: 'warning',
                  sources: [],
                  workspaceIds: [],
                  accountIds: [],
                  channelIds: [],
                },
              ])
            }
            data-testid="route-add"
          >
            Add a route
          </button>
          <button
            type="button"
            className="btn btn--primary"
            disabled={busy}
            onClick={() => void save()}
            data-testid="routes-save"
          >
            {busy ? 'Saving…' : 'Save routes'}
          </button>
        </div>
      </div>
    </section>
  )
}

export function ChannelsPanel(): JSX.Element {
  const data = usePageData({
    key: 'channels',
    tables: CHANNELS_TABLES,
    workspaceId: null,
    load: async () => {
      const api = getClient()
      const [channels, routes] = await Promise.all([
        api.invoke('channels:list', {}),
        api.invoke('alertRoutes:list', {}),
      ])
      return { channels, routes }
    },
  })
  const [form, setForm] = useState<{ editing: ChannelView | null } | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [createdSecret, setCreatedSecret] = useState<string | null>(null)
  const [tests, setTests] = useState<Record<number, TestResult | 'running' | { error: string }>>({})
  const [removing, setRemoving] = useState<ChannelView | null>(null)
  const [busy, setBusy] = useState(false)
  const [routesVersion, setRoutesVersion] = useState(0)

  const test = async (c: ChannelView): Promise<void> => {
    setTests((t) => ({ ...t, [c.id]: 'running' }))
    try {
      const r = await getClient().invoke('channels:test', { id: c.id })
      setTests((t) => ({ ...t, [c.id]: r }))
    } catch (err) {
      setTests((t) => ({ ...t, [c.id]: { error: errorMessage(err) } }))
    }
  }

  const setEnabled = async (c: ChannelView, enabled: boolean): Promise<void> => {
    try {
      await getClient().invoke('channels:update', { id: c.id, enabled })
      setNotice(`${enabled ? 'Turned on' : 'Turned off'} “${c.name}”`)
      data.reload()
    } catch (err) {
      setNotice(errorMessage(err))
    }
  }

  const remove = async (): Promise<void> => {
    if (!removing) return
    setBusy(true)
    try {
      await getClient().invoke('channels:remove', { id: removing.id })
      setNotice(`Removed “${removing.name}”`)
      setRemoving(null)
      data.reload()
      setRoutesVersion((v) => v + 1)
    } catch (err) {
      setNotice(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  if (data.status === 'error')
    return (
      <div className="card">
        <ErrorState title="Could not load channels" message={errorMessage(data.error)} onRetry={data.reload} />
      </div>
    )
  if (data.status === 'loading' || !data.data)
    return (
      <div className="card card__body" aria-busy="true" aria-label="Loading channels" data-state="loading">
        <Skeleton height={120} />
      </div>
    )
  const { channels, routes } = data.data

  return (
    <div className="alert-stack">
      {notice ? (
        <p className="note note--info" role="status" data-testid="channels-notice">
          {notice}
        </p>
      ) : null}
      {createdSecret ? (
        <div className="note note--warning" role="status" data-testid="created-secret">
          <p>
            The webhook’s signing secret, shown this once: give it to the receiver to verify the{' '}
            <code>webhook-signature</code> header.
          </p>
          <code className="created-secret">{createdSecret}</code>
          <button type="button" className="btn btn--sm" onClick={() => setCreatedSecret(null)}>
            I have copied it
          </button>
        </div>
      ) : null}
      <section className="card" aria-labelledby="channels-title">
        <div className="card__header channel-header">
          <div>
            <h2 id="channels-title" className="channel-section-title">
              Channels
            </h2>
            <p>Where alerts are delivered besides this page. “Send a test” sends a real message now.</p>
          </div>
          {form === null ? (
            <button
              type="button"
              className="btn btn--primary"
              onClick={() => setForm({ editing: null })}
              data-testid="channel-add"
            >
              Add a channel
            </button>
          ) : null}
        </div>
        {channels.length === 0 ? (
          <EmptyState title="No channels yet" icon="alerts">
            Alerts are listed in the app. Add email, Slack or a webhook to hear about them elsewhere.
          </EmptyState>
        ) : (
          <ul className="channel-list" data-testid="channel-list">
            {channels.map((c) => {
              const t = tests[c.id]
              const policy = policyText(c.policy)
              return (
                <li key={c.id} className="channel" data-testid={`channel-${c.id}`}>
                  <div className="channel__main">
                    <div className="channel__name">
                      <strong>{c.name}</strong>
                      <span className="badge">{KIND_LABELS[c.kind]}</span>
                      {c.enabled ? null : <span className="badge badge--warning">Off</span>}
                      {CHANNEL_SECRETS[c.kind] && !c.hasSecret && c.kind !== 'email' ? (
                        <span className="badge badge--negative">No secret stored</span>
                      ) : null}
                    </div>
                    <div className="channel__target">{target(c)}</div>
                    {policy ? <div className="field__hint">{policy}</div> : null}
                    {c.disabledReason ? (
                      <div className="field__error" data-testid="channel-disabled-reason">
                        Turned off by the app: {c.disabledReason}
                      </div>
                    ) : null}
                  </div>
                  <div className="channel__actions">
                    <button
                      type="button"
                      className="btn btn--sm"
                      disabled={t === 'running'}
                      onClick={() => void test(c)}
                      data-testid={`channel-test-${c.id}`}
                    >
                      {t === 'running' ? 'Sending…' : 'Send a test'}
                    </button>
                    <button
                      type="button"
                      className="btn btn--sm"
                      onClick={() => setForm({ editing: c })}
                      data-testid={`channel-edit-${c.id}`}
                    >
                      Edit
                    </button>
                    <label className="switch">
                      <input
                        type="checkbox"
                        checked={c.enabled}
                        onChange={(e) => void setEnabled(c, e.target.checked)}
                        data-testid={`channel-enabled-${c.id}`}
                      />
                      <span className="visually-hidden">Deliver to {c.name}</span>
                      On
                    </label>
                    <button
                      type="button"
                      className="btn btn--sm btn--ghost"
                      onClick={() => setRemoving(c)}
                      data-testid={`channel-remove-${c.id}`}
                    >
                      Remove
                    </button>
                  </div>
                  {t && t !== 'running' ? (
                    <div className="channel__test">
                      {'error' in t && !('ok' in t) ? (
                        <p className="note note--warning" role="alert" data-testid="channel-test-result">
                          {t.error}
                        </p>
                      ) : (
                        <TestOutcome result={t as TestResult} />
                      )}
                    </div>
                  ) : null}
                </li>
              )
            })}
          </ul>
        )}
      </section>
      {form ? (
        <ChannelForm
          key={form.editing?.id ?? 'new'}
          editing={form.editing}
          onCancel={() => setForm(null)}
          onDone={(message, secret) => {
            setForm(null)
            setNotice(message)
            setCreatedSecret(secret)
            data.reload()
          }}
        />
      ) : null}
      <RoutesEditor
        key={`${routesVersion}:${JSON.stringify(routes)}`}
        routes={routes}
        channels={channels}
        onSaved={(m) => {
          setNotice(m)
          data.reload()
        }}
      />
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.name ?? 'channel'}?`}
        confirmLabel="Remove"
        danger
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setRemoving(null)}
      >
        Alerts stop going to this channel and its stored secret is deleted. Routes keep their other channels.
      </ConfirmDialog>
    </div>
  )
}
