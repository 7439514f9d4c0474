import { useEffect, useId, useState, type FormEvent, type JSX } from 'react'
import { dsnDestination, dsnProblem } from '../../../../shared/domain/error-reporting'
import type { Settings, SettingsPatch } from '../../../../shared/domain/settings'
import { errorMessage, fieldError } from '../../lib/errors'
import { applyThemeSetting } from '../../lib/theme'
import { useSettingsStore } from '../../stores/settings-store'

const INTERVALS = [0, 1, 2, 4, 6, 8, 12, 24, 48]
const THEMES: { value: Settings['theme']; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
]

function intervalLabel(h: number): string {
  if (h === 0) return 'Manual only'
  return h === 1 ? 'Every hour' : `Every ${h} hours`
}

export function PreferencesForm({ settings }: { settings: Settings }): JSX.Element {
  const ids = {
    currency: useId(),
    currencyMsg: useId(),
    interval: useId(),
    theme: useId(),
    notifications: useId(),
    notificationsHint: useId(),
    dsn: useId(),
    dsnHint: useId(),
    dsnMsg: useId(),
    status: useId(),
  }
  const updateSettings = useSettingsStore((s) => s.updateSettings)
  const [currency, setCurrency] = useState(settings.reportingCurrency)
  const [currencyError, setCurrencyError] = useState<string | null>(null)
  const [status, setStatus] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const [dsn, setDsn] = useState(settings.errorReportingDsn ?? '')
  const [dsnError, setDsnError] = useState<string | null>(null)

  // Follow changes made elsewhere (another window, the CLI) unless the user is mid-edit.
  useEffect(() => {
    setCurrency(settings.reportingCurrency)
  }, [settings.reportingCurrency])
  useEffect(() => {
    setDsn(settings.errorReportingDsn ?? '')
  }, [settings.errorReportingDsn])

  const saveDsn = async (next: string | null): Promise<void> => {
    const problem = next === null ? null : dsnProblem(next)
    if (problem) {
      setDsnError(problem)
      return
    }
    setSaving(true)
    setStatus(null)
    try {
      await updateSettings({ errorReportingDsn: next === null ? null : next.trim() })
      setDsnError(null)
      setStatus(next === null ? 'Saved. Error reporting is off.' : 'Saved. Errors are now reported to Sentry.')
    } catch (err) {
      setDsnError(fieldError(err, 'errorReportingDsn'))
    } finally {
      setSaving(false)
    }
  }

  const save = async (patch: SettingsPatch): Promise<boolean> => {
    setSaving(true)
    setStatus(null)
    try {
      await updateSettings(patch)
      setStatus('Saved')
      return true
    } catch (err) {
      setStatus(`Not saved: ${errorMessage(err)}`)
      return false
    } finally {
      setSaving(false)
    }
  }

  const submitCurrency = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    const code = currency.trim().toUpperCase()
    setCurrency(code)
    setSaving(true)
    setStatus(null)
    try {
      await updateSettings({ reportingCurrency: code })
      setCurrencyError(null)
      setStatus(`Saved. New workspaces will report in ${code}.`)
    } catch (err) {
      // The core owns the rule (3-letter ISO code); show its words.
      setCurrencyError(fieldError(err, 'reportingCurrency'))
    } finally {
      setSaving(false)
    }
  }

  const changeTheme = async (theme: Settings['theme']): Promise<void> => {
    const before = settings.theme
    applyThemeSetting(theme)
    if (!(await save({ theme }))) applyThemeSetting(before)
  }

  const intervals = INTERVALS.includes(settings.syncIntervalHours)
    ? INTERVALS
    : [...INTERVALS, settings.syncIntervalHours].sort((a, b) => a - b)
  const dirty = currency.trim().toUpperCase() !== settings.reportingCurrency

  return (
    <div className="settings-list">
      <form className="settings-row" onSubmit={(e) => void submitCurrency(e)} noValidate>
        <div className="settings-row__text">
          <label htmlFor={ids.currency} className="settings-row__label">
            Default reporting currency
          </label>
          <p className="settings-row__hint">
            Used for new workspaces. The current workspace’s own currency and rates are under Exchange rates.
          </p>
        </div>
        <div className="settings-row__control">
          <div className="inline-form">
            <input
              id={ids.currency}
              className="input input--code"
              value={currency}
              maxLength={3}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => {
                setCurrency(e.target.value.toUpperCase())
                setCurrencyError(null)
              }}
              aria-invalid={currencyError ? true : undefined}
              aria-describedby={currencyError ? ids.currencyMsg : undefined}
              data-testid="settings-currency"
            />
            <button type="submit" className="btn" disabled={!dirty || saving}>
              Save
            </button>
          </div>
          {currencyError ? (
            <p id={ids.currencyMsg} className="field__error" role="alert" data-testid="settings-currency-error">
              {currencyError}
            </p>
          ) : null}
        </div>
      </form>

      <div className="settings-row">
        <div className="settings-row__text">
          <label htmlFor={ids.interval} className="settings-row__label">
            Automatic sync
          </label>
          <p className="settings-row__hint">How often ad accounts are synced while the app is open.</p>
        </div>
        <div className="settings-row__control">
          <select
            id={ids.interval}
            className="select"
            value={settings.syncIntervalHours}
            onChange={(e) => void save({ syncIntervalHours: Number(e.target.value) })}
            data-testid="settings-interval"
          >
            {intervals.map((h) => (
              <option key={h} value={h}>
                {intervalLabel(h)}
              </option>
            ))}
          </select>
        </div>
      </div>

      <div className="settings-row" role="radiogroup" aria-labelledby={ids.theme}>
        <div className="settings-row__text">
          <p id={ids.theme} className="settings-row__label">
            Theme
          </p>
          <p className="settings-row__hint">System follows your operating system’s light or dark mode.</p>
        </div>
        <div className="settings-row__control">
          <div className="segmented" data-testid="settings-theme">
            {THEMES.map((t) => (
              <label key={t.value}>
                <input
                  type="radio"
                  name="theme"
                  value={t.value}
                  checked={settings.theme === t.value}
                  onChange={() => void changeTheme(t.value)}
                />
                {t.label}
              </label>
            ))}
          </div>
        </div>
      </div>

      <div className="settings-row">
        <div className="settings-row__text">
          <label htmlFor={ids.notifications} className="settings-row__label">
            Desktop notifications
          </label>
          <p id={ids.notificationsHint} className="settings-row__hint">
            Pop up new WARNING, ERROR and CRITICAL alerts: native notifications from the desktop app (for alert channels
            of the kind “This computer”) and toasts inside the window. Alerts are still listed on the Alerts page and
            sent by email, Slack and webhooks.
          </p>
        </div>
        <div className="settings-row__control">
          <span className="switch">
            <input
              id={ids.notifications}
              type="checkbox"
              role="switch"
              checked={settings.notifications}
              aria-describedby={ids.notificationsHint}
              onChange={(e) => void save({ notifications: e.target.checked })}
              data-testid="settings-notifications"
            />
            <span aria-hidden="true">{settings.notifications ? 'On' : 'Off'}</span>
          </span>
        </div>
      </div>

      <form
        className="settings-row"
        onSubmit={(e) => {
          e.preventDefault()
          void saveDsn(dsn.trim() === '' ? null : dsn)
        }}
        noValidate
      >
        <div className="settings-row__text">
          <label htmlFor={ids.dsn} className="settings-row__label">
            Error reports to Sentry (optional)
          </label>
          <p id={ids.dsnHint} className="settings-row__hint" data-testid="settings-dsn-state">
            {settings.errorReportingDsn
              ? `On: errors and crashes go to ${dsnDestination(settings.errorReportingDsn) ?? 'your Sentry project'}, with passwords, tokens, webhook secrets, your user and computer names removed.`
              : 'Off: nothing leaves this computer. Paste your Sentry project’s DSN (Project settings → Client Keys) to send errors and crashes there, with secrets removed.'}
          </p>
        </div>
        <div className="settings-row__control">
          <div className="inline-form">
            <input
              id={ids.dsn}
              className="input input--wide"
              value={dsn}
              placeholder="https://<key>@o123.ingest.sentry.io/456"
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => {
                setDsn(e.target.value)
                setDsnError(null)
              }}
              aria-invalid={dsnError ? true : undefined}
              aria-describedby={dsnError ? `${ids.dsnHint} ${ids.dsnMsg}` : ids.dsnHint}
              data-testid="settings-dsn"
            />
            <button
              type="submit"
              className="btn"
              disabled={saving || dsn.trim() === (settings.errorReportingDsn ?? '')}
              aria-label="Save the Sentry DSN"
              data-testid="settings-dsn-save"
            >
              Save
            </button>
            {settings.errorReportingDsn ? (
              <button
                type="button"
                className="btn btn--ghost"
                disabled={saving}
                onClick={() => void saveDsn(null)}
                aria-label="Turn off error reports"
                data-testid="settings-dsn-off"
              >
                Turn off
              </button>
            ) : null}
          </div>
          {dsnError ? (
            <p id={ids.dsnMsg} className="field__error" role="alert" data-testid="settings-dsn-error">
              {dsnError}
            </p>
          ) : null}
        </div>
      </form>

      <p id={ids.status} className="settings-status" role="status" aria-live="polite">
        {status}
      </p>
    </div>
  )
}
