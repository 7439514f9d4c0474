import type { JSX } from 'react'
import { PageFrame } from '../../components/PageFrame'
import { ErrorState, Skeleton } from '../../components/States'
import { useSettingsStore } from '../../stores/settings-store'
import { AboutPanel } from './AboutPanel'
import { BackupsPanel } from './BackupsPanel'
import { DemoReset } from './DemoReset'
import { ExchangeRates } from '../analytics/ExchangeRates'
import { PreferencesForm } from './PreferencesForm'
import { SecurityPanel } from './SecurityPanel'

export function SettingsPage(): JSX.Element {
  const { settings, status, error, loadSettings } = useSettingsStore()

  return (
    <PageFrame id="settings">
      <section className="card" aria-labelledby="settings-prefs">
        <div className="card__header">
          <h2 id="settings-prefs">Preferences</h2>
        </div>
        <div className="card__body">
          {status === 'error' ? (
            <ErrorState
              title="Could not load settings"
              message={error ?? 'Unknown error'}
              onRetry={() => void loadSettings()}
            />
          ) : settings ? (
            <PreferencesForm settings={settings} />
          ) : (
            <div aria-busy="true">
              <Skeleton height={32} />
              <Skeleton height={32} style={{ marginTop: 12 }} />
              <Skeleton height={32} style={{ marginTop: 12 }} />
            </div>
          )}
        </div>
      </section>

      <section className="card" aria-labelledby="settings-fx">
        <div className="card__header">
          <h2 id="settings-fx">Exchange rates</h2>
        </div>
        <div className="card__body">
          <ExchangeRates />
        </div>
      </section>

      <section className="card" aria-labelledby="settings-backups" data-testid="settings-backups">
        <div className="card__header">
          <h2 id="settings-backups">Backups</h2>
        </div>
        <div className="card__body">
          <BackupsPanel />
        </div>
      </section>

      <section className="card" aria-labelledby="settings-security">
        <div className="card__header">
          <h2 id="settings-security">Security</h2>
        </div>
        <div className="card__body">
          <SecurityPanel />
        </div>
      </section>

      <section className="card" aria-labelledby="settings-demo">
        <div className="card__header">
          <h2 id="settings-demo">Demo data</h2>
        </div>
        <div className="card__body">
          <DemoReset />
        </div>
      </section>

      <section className="card" aria-labelledby="settings-about">
        <div className="card__header">
          <h2 id="settings-about">About</h2>
        </div>
        <div className="card__body">
          <AboutPanel />
        </div>
      </section>
    </PageFrame>
  )
}
