import { useState, type FormEvent, type JSX } from 'react'
import type { AlertSettings } from '../../../../shared/domain/alert-settings'
import { ALERT_SOURCES, type AlertSource } from '../../../../shared/domain/alerts'
import { getClient } from '../../api/client'
import { ErrorState, Skeleton } from '../../components/States'
import { errorMessage } from '../../lib/errors'
import { usePageData } from '../../lib/page-data'
import { ALERT_SOURCE_LABELS } from './alert-format'

const SOURCE_HINTS: Record<AlertSource, string> = {
  anomaly: 'Unusual spend, conversions, CPA, CTR or ROAS found after each sync, with the explanation.',
  sync: 'An account that needs reconnecting, keeps failing, ran out of rate limit, or has stale data.',
  budget: 'Month-to-date spend on course to end above or below the account’s budget.',
  automation: 'Rules that notify, wait for approval, or whose change failed or was refused.',
  report: 'A scheduled report that could not be generated or delivered.',
  ml: 'A retrained forecast model that scores worse than the one in use.',
  system: 'Errors inside the app itself and channels it had to turn off.',
}

/** Which sources raise alerts, and their thresholds. */
function SourcesForm({ settings, onSaved }: { settings: AlertSettings; onSaved: () => void }): JSX.Element {
  const [s, setS] = useState(settings)
  const [busy, setBusy] = useState(false)
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null)

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    setStatus(null)
    try {
      const saved = await getClient().invoke('alerts:updateSettings', s)
      setS(saved)
      setStatus({ text: 'Saved', error: false })
      onSaved()
    } catch (err) {
      setStatus({ text: errorMessage(err), error: true })
    } finally {
      setBusy(false)
    }
  }
  const num = (k: 'syncFailuresInARow' | 'staleDataHours' | 'anomalyRecentDays', v: string): void =>
    setS((cur) => ({ ...cur, [k]: Number(v) }))

  return (
    <form className="alert-stack" onSubmit={(e) => void save(e)} data-testid="sources-form">
      <section className="card" aria-labelledby="sources-title">
        <div className="card__header">
          <h2 id="sources-title" className="channel-section-title">
            What raises alerts
          </h2>
          <p>A source turned off raises nothing; alerts it raised before stay in the list.</p>
        </div>
        <ul className="source-list">
          {ALERT_SOURCES.map((src) => (
            <li key={src} className="source-row">
              <label className="switch">
                <input
                  type="checkbox"
                  checked={s.sources[src]}
                  onChange={(e) => setS((cur) => ({ ...cur, sources: { ...cur.sources, [src]: e.target.checked } }))}
                  data-testid={`source-${src}`}
                />
                <span className="source-row__name">{ALERT_SOURCE_LABELS[src]}</span>
              </label>
              <span className="field__hint">{SOURCE_HINTS[src]}</span>
            </li>
          ))}
        </ul>
      </section>
      <section className="card card__body channel-form" aria-labelledby="thresholds-title">
        <h2 id="thresholds-title" className="channel-section-title">
          Thresholds
        </h2>
        <div className="channel-form__grid">
          <label className="field">
            <span className="field__label">Failed syncs in a row before an ERROR</span>
            <input
              className="input"
              type="number"
              min={1}
              max={50}
              required
              value={s.syncFailuresInARow}
              onChange={(e) => num('syncFailuresInARow', e.target.value)}
            />
          </label>
          <label className="field">
            <span className="field__label">Data older than (hours) is stale</span>
            <input
              className="input"
              type="number"
              min={1}
              max={720}
              required
              value={s.staleDataHours}
              onChange={(e) => num('staleDataHours', e.target.value)}
            />
          </label>
          <label className="field">
            <span className="field__label">Budget pacing tolerance (%)</span>
            <input
              className="input"
              type="number"
              min={1}
              max={500}
              required
              value={Math.round(s.pacingTolerance * 100)}
              onChange={(e) => setS((cur) => ({ ...cur, pacingTolerance: Number(e.target.value) / 100 }))}
            />
          </label>
          <label className="field">
            <span className="field__label">Least severe anomaly that alerts</span>
            <select
              className="select"
              value={s.anomalyMinSeverity}
              onChange={(e) =>
                setS((cur) => ({ ...cur, anomalyMinSeverity: e.target.value as AlertSettings['anomalyMinSeverity'] }))
              }
            >
              <option value="info">Info</option>
              <option value="warning">Warning</option>
              <option value="critical">Critical</option>
            </select>
          </label>
          <label className="field">
            <span className="field__label">Anomalies from the last (days of data)</span>
            <input
              className="input"
              type="number"
              min={1}
              max={365}
              required
              value={s.anomalyRecentDays}
              onChange={(e) => num('anomalyRecentDays', e.target.value)}
            />
          </label>
          <label className="field">
            <span className="field__label">Retrained model worse by (% of MAPE)</span>
            <input
              className="input"
              type="number"
              min={0}
              max={500}
              required
              value={Math.round(s.mlWorseBy * 100)}
              onChange={(e) => setS((cur) => ({ ...cur, mlWorseBy: Number(e.target.value) / 100 }))}
            />
          </label>
        </div>
        <div className="channel-form__actions">
          <button type="submit" className="btn btn--primary" disabled={busy} data-testid="sources-save">
            {busy ? 'Saving…' : 'Save'}
          </button>
          {status ? (
            <span
              className={status.error ? 'field__error' : 'field__hint'}
              role={status.error ? 'alert' : 'status'}
              data-testid="sources-status"
            >
              {status.text}
            </span>
          ) : null}
        </div>
      </section>
    </form>
  )
}

export function SourcesPanel(): JSX.Element {
  const data = usePageData({
    key: 'alert-settings',
    tables: ['settings'],
    workspaceId: null,
    load: () => getClient().invoke('alerts:getSettings', {}),
  })
  if (data.status === 'error')
    return (
      <div className="card">
        <ErrorState title="Could not load alert settings" message={errorMessage(data.error)} onRetry={data.reload} />
      </div>
    )
  if (data.status === 'loading' || !data.data)
    return (
      <div className="card card__body" aria-busy="true" aria-label="Loading alert settings" data-state="loading">
        <Skeleton height={200} />
      </div>
    )
  return <SourcesForm key={JSON.stringify(data.data)} settings={data.data} onSaved={data.reload} />
}
