import { useId, useState, type FormEvent, type JSX } from 'react'
import type { ChannelInput } from '../../../../shared/ipc/contract'
import { PLATFORM_LABELS, PLATFORMS, type PlatformId } from '../../../../shared/domain/entities'
import { getClient } from '../../api/client'
import { errorMessage } from '../../lib/errors'

type Credentials = ChannelInput<'connections:connect'>['credentials']

interface FieldSpec {
  key: string
  label: string
  secret?: boolean
  list?: boolean
  optional?: boolean
  hint?: string
}

/** What each platform needs (the same fields the CLI reads from ME_* variables). */
const FIELDS: Record<PlatformId, FieldSpec[]> = {
  meta: [
    {
      key: 'accessToken',
      label: 'System-user or long-lived access token',
      secret: true,
      hint: 'Business settings → System users → Generate token (ads_read, ads_management).',
    },
    { key: 'accountIds', label: 'Ad account ids', list: true, hint: 'Comma-separated, with or without act_.' },
  ],
  google_ads: [
    { key: 'developerToken', label: 'Developer token', secret: true },
    { key: 'clientId', label: 'OAuth client id (desktop app)' },
    { key: 'clientSecret', label: 'OAuth client secret', secret: true },
    {
      key: 'refreshToken',
      label: 'Refresh token',
      secret: true,
      hint: 'From the installed-app OAuth flow (loopback redirect + PKCE) or the CLI.',
    },
    { key: 'loginCustomerId', label: 'Manager (login) customer id', optional: true },
    { key: 'customerIds', label: 'Customer ids', list: true },
  ],
  tiktok: [
    { key: 'accessToken', label: 'Long-term access token', secret: true },
    { key: 'advertiserIds', label: 'Advertiser ids', list: true },
  ],
  snapchat: [
    { key: 'clientId', label: 'OAuth client id' },
    { key: 'clientSecret', label: 'OAuth client secret', secret: true },
    { key: 'refreshToken', label: 'Refresh token', secret: true },
    { key: 'adAccountIds', label: 'Ad account ids', list: true },
  ],
}

/** Connect a platform: credentials are validated by the core against the API before anything is saved. */
export function ConnectForm({
  workspaceId,
  onConnected,
}: {
  workspaceId: number
  onConnected: () => void
}): JSX.Element {
  const formId = useId()
  const [platform, setPlatform] = useState<PlatformId>('meta')
  const [values, setValues] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    setDone(null)
    const creds: Record<string, unknown> = { platform }
    for (const f of FIELDS[platform]) {
      const v = (values[f.key] ?? '').trim()
      if (!v && f.optional) continue
      creds[f.key] = f.list ? v.split(/[\s,]+/).filter(Boolean) : v
    }
    try {
      const res = await getClient().invoke('connections:connect', { workspaceId, credentials: creds as Credentials })
      setDone(`Connected ${res.accounts.map((a) => a.name).join(', ')}`)
      setValues({})
      onConnected()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  /** Google: sign in through the browser (loopback + PKCE in the core) instead of pasting a refresh token. */
  const googleSignIn = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    setDone(null)
    const v = (k: string): string => (values[k] ?? '').trim()
    try {
      const res = await getClient().invoke('connections:connectGoogle', {
        workspaceId,
        developerToken: v('developerToken'),
        clientId: v('clientId'),
        clientSecret: v('clientSecret'),
        ...(v('loginCustomerId') ? { loginCustomerId: v('loginCustomerId') } : {}),
        customerIds: v('customerIds')
          .split(/[\s,]+/)
          .filter(Boolean),
      })
      setDone(`Connected ${res.accounts.map((a) => a.name).join(', ')}`)
      setValues({})
      onConnected()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form
      className="settings-list"
      onSubmit={(e) => void submit(e)}
      aria-describedby={`${formId}-status`}
      data-testid="connect-form"
    >
      <label className="field">
        <span className="field__label">Platform</span>
        <select
          className="select"
          value={platform}
          onChange={(e) => {
            setPlatform(e.target.value as PlatformId)
            setError(null)
          }}
        >
          {PLATFORMS.map((p) => (
            <option key={p} value={p}>
              {PLATFORM_LABELS[p]}
            </option>
          ))}
        </select>
      </label>
      {FIELDS[platform].map((f) => (
        <label key={`${platform}-${f.key}`} className="field">
          <span className="field__label">
            {f.label}
            {f.optional ? ' (optional)' : ''}
          </span>
          <input
            className="input"
            type={f.secret ? 'password' : 'text'}
            autoComplete="off"
            required={!f.optional}
            value={values[f.key] ?? ''}
            onChange={(e) => setValues({ ...values, [f.key]: e.target.value })}
          />
          {f.hint ? <span className="field__hint">{f.hint}</span> : null}
        </label>
      ))}
      <div>
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? 'Validating…' : 'Validate and connect'}
        </button>{' '}
        {platform === 'google_ads' ? (
          <button type="button" className="btn" disabled={busy} onClick={() => void googleSignIn()}>
            Sign in with Google instead of a refresh token
          </button>
        ) : null}
      </div>
      <div id={`${formId}-status`} aria-live="polite">
        {error ? <p className="field__error">{error}</p> : null}
        {done ? <p className="field__hint">{done}</p> : null}
      </div>
      <p className="field__hint">Secrets are stored encrypted on this computer and never shown again.</p>
    </form>
  )
}
