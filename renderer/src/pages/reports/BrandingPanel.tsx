import { useEffect, useState, type FormEvent, type JSX } from 'react'
import type { ReportSettings } from '../../../../shared/domain/reports'
import { RETENTION_DAYS } from '../../../../shared/domain/reports'
import { getClient } from '../../api/client'
import { errorMessage } from '../../lib/errors'

const DEFAULT_PRIMARY = '#3b47c4'
const DEFAULT_ACCENT = '#0f9f8f'

function toBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''))
    r.onerror = () => reject(new Error(`Could not read ${file.name}`))
    r.readAsDataURL(file)
  })
}

/** A colour as a picker and as its hex code, both editing the same value. */
function ColourField({
  label,
  value,
  onChange,
}: {
  label: string
  value: string
  onChange: (v: string) => void
}): JSX.Element {
  return (
    <label className="field">
      <span className="field__label">{label}</span>
      <span className="report-colour">
        <input
          type="color"
          value={value}
          onChange={(ev) => onChange(ev.target.value)}
          aria-label={`Pick the ${label.toLowerCase()}`}
        />
        <input className="input input--code" value={value} onChange={(ev) => onChange(ev.target.value)} maxLength={7} />
      </span>
    </label>
  )
}

/** Branding (company, colours, footer, logo) and delivery (SMTP server, retention) of a workspace's reports. */
export function BrandingPanel({
  workspaceId,
  settings,
  onChanged,
}: {
  workspaceId: number
  settings: ReportSettings
  onChanged: () => void
}): JSX.Element {
  const b = settings.branding
  const [company, setCompany] = useState(b.companyName ?? '')
  const [primary, setPrimary] = useState(b.primaryColor ?? DEFAULT_PRIMARY)
  const [accent, setAccent] = useState(b.accentColor ?? DEFAULT_ACCENT)
  const [footer, setFooter] = useState(b.footerText ?? '')
  const [logo, setLogo] = useState<File | null>(null)
  const [removeLogo, setRemoveLogo] = useState(false)
  const [brandMsg, setBrandMsg] = useState<{ ok: boolean; text: string } | null>(null)

  const e = settings.email
  const [host, setHost] = useState(e?.host ?? '')
  const [port, setPort] = useState(e?.port ?? 587)
  const [security, setSecurity] = useState<'tls' | 'starttls' | 'none'>(e?.security ?? 'starttls')
  const [username, setUsername] = useState(e?.username ?? '')
  const [password, setPassword] = useState('')
  const [from, setFrom] = useState(e?.from ?? '')
  const [retention, setRetention] = useState(settings.retentionDays)
  const [testTo, setTestTo] = useState('')
  const [deliveryMsg, setDeliveryMsg] = useState<{ ok: boolean; text: string } | null>(null)

  useEffect(() => setRetention(settings.retentionDays), [settings.retentionDays])

  const saveBranding = async (ev: FormEvent): Promise<void> => {
    ev.preventDefault()
    setBrandMsg(null)
    try {
      await getClient().invoke('reports:saveBranding', {
        workspaceId,
        companyName: company,
        primaryColor: primary,
        accentColor: accent,
        footerText: footer,
        ...(removeLogo ? { logo: null } : logo ? { logo: { fileName: logo.name, base64: await toBase64(logo) } } : {}),
      })
      setLogo(null)
      setRemoveLogo(false)
      setBrandMsg({ ok: true, text: 'Branding saved: the next report uses it.' })
      onChanged()
    } catch (err) {
      setBrandMsg({ ok: false, text: errorMessage(err) })
    }
  }

  const saveDelivery = async (ev: FormEvent): Promise<void> => {
    ev.preventDefault()
    setDeliveryMsg(null)
    try {
      await getClient().invoke('reports:saveDelivery', {
        workspaceId,
        retentionDays: retention,
        ...(host.trim()
          ? {
              smtp: {
                host: host.trim(),
                port,
                security,
                ...(username.trim() ? { username: username.trim() } : {}),
                from: from.trim(),
              },
              ...(password ? { password } : {}),
            }
          : { smtp: null }),
      })
      setPassword('')
      setDeliveryMsg({ ok: true, text: 'Delivery settings saved.' })
      onChanged()
    } catch (err) {
      setDeliveryMsg({ ok: false, text: errorMessage(err) })
    }
  }

  const sendTest = async (): Promise<void> => {
    setDeliveryMsg(null)
    try {
      const r = await getClient().invoke('reports:testEmail', { workspaceId, to: testTo })
      setDeliveryMsg({ ok: r.ok, text: r.message })
    } catch (err) {
      setDeliveryMsg({ ok: false, text: errorMessage(err) })
    }
  }

  return (
    <div className="report-columns">
      <form
        className="card card__body report-form"
        onSubmit={(ev) => void saveBranding(ev)}
        data-testid="branding-form"
      >
        <h2 className="report-h2">Branding</h2>
        <label className="field">
          <span className="field__label">Company name (on the cover and in the header)</span>
          <input className="input" maxLength={120} value={company} onChange={(ev) => setCompany(ev.target.value)} />
        </label>
        <div className="report-form__row">
          <ColourField label="Primary colour" value={primary} onChange={setPrimary} />
          <ColourField label="Accent colour" value={accent} onChange={setAccent} />
        </div>
        <label className="field">
          <span className="field__label">Footer text</span>
          <input
            className="input"
            maxLength={200}
            value={footer}
            placeholder="Confidential · prepared for Acme Ltd"
            onChange={(ev) => setFooter(ev.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">Logo (PNG or SVG, up to 2 MB){b.logoName ? ` · now: ${b.logoName}` : ''}</span>
          <input
            className="input"
            type="file"
            accept=".png,.svg,image/png,image/svg+xml"
            onChange={(ev) => setLogo(ev.target.files?.[0] ?? null)}
            data-testid="branding-logo"
          />
        </label>
        {b.logoName ? (
          <label className="report-check">
            <input type="checkbox" checked={removeLogo} onChange={(ev) => setRemoveLogo(ev.target.checked)} />
            Remove the logo
          </label>
        ) : null}
        <div className="report-form__actions">
          <button type="submit" className="btn btn--primary" data-testid="branding-save">
            Save branding
          </button>
        </div>
        {brandMsg ? (
          <p className={brandMsg.ok ? 'field__hint' : 'field__error'} role={brandMsg.ok ? 'status' : 'alert'}>
            {brandMsg.text}
          </p>
        ) : null}
      </form>
      <form
        className="card card__body report-form"
        onSubmit={(ev) => void saveDelivery(ev)}
        data-testid="delivery-form"
      >
        <h2 className="report-h2">Delivery</h2>
        <p className="field__hint">
          Scheduled reports are emailed through this SMTP server. TLS or STARTTLS is required unless the server runs on
          this computer. The password is kept in the system&apos;s secret store.
        </p>
        <div className="report-form__row">
          <label className="field">
            <span className="field__label">SMTP host</span>
            <input
              className="input"
              value={host}
              placeholder="smtp.example.com"
              onChange={(ev) => setHost(ev.target.value)}
            />
          </label>
          <label className="field report-field--narrow">
            <span className="field__label">Port</span>
            <input
              className="input"
              type="number"
              min={1}
              max={65535}
              value={port}
              onChange={(ev) => setPort(Number(ev.target.value))}
            />
          </label>
          <label className="field">
            <span className="field__label">Security</span>
            <select
              className="select"
              value={security}
              onChange={(ev) => setSecurity(ev.target.value as typeof security)}
            >
              <option value="starttls">STARTTLS (587)</option>
              <option value="tls">TLS (465)</option>
              <option value="none">None (this computer only)</option>
            </select>
          </label>
        </div>
        <div className="report-form__row">
          <label className="field">
            <span className="field__label">User name</span>
            <input
              className="input"
              value={username}
              autoComplete="off"
              onChange={(ev) => setUsername(ev.target.value)}
            />
          </label>
          <label className="field">
            <span className="field__label">Password{e?.hasPassword ? ' (saved; type to replace)' : ''}</span>
            <input
              className="input"
              type="password"
              value={password}
              autoComplete="new-password"
              onChange={(ev) => setPassword(ev.target.value)}
            />
          </label>
        </div>
        <label className="field">
          <span className="field__label">From</span>
          <input
            className="input"
            value={from}
            placeholder="Marketing reports <reports@example.com>"
            onChange={(ev) => setFrom(ev.target.value)}
          />
        </label>
        <label className="field report-field--narrow">
          <span className="field__label">Keep reports (days)</span>
          <input
            className="input"
            type="number"
            min={RETENTION_DAYS.min}
            max={RETENTION_DAYS.max}
            value={retention}
            onChange={(ev) => setRetention(Number(ev.target.value))}
          />
          <span className="field__hint">
            {RETENTION_DAYS.min}–{RETENTION_DAYS.max}; older reports and their files are removed
          </span>
        </label>
        <div className="report-form__actions">
          <button type="submit" className="btn btn--primary">
            Save delivery
          </button>
        </div>
        {e ? (
          <div className="report-form__row report-form__test">
            <label className="field">
              <span className="field__label">Send a test email to</span>
              <input className="input" type="email" value={testTo} onChange={(ev) => setTestTo(ev.target.value)} />
            </label>
            <button type="button" className="btn" disabled={!testTo.trim()} onClick={() => void sendTest()}>
              Send test
            </button>
          </div>
        ) : null}
        {deliveryMsg ? (
          <p className={deliveryMsg.ok ? 'field__hint' : 'field__error'} role={deliveryMsg.ok ? 'status' : 'alert'}>
            {deliveryMsg.text}
          </p>
        ) : null}
      </form>
    </div>
  )
}
