// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS, type Settings } from '../../../../shared/domain/settings'
import { ApiError, setClient } from '../../api/client'
import { useSettingsStore } from '../../stores/settings-store'
import { createFakeClient } from '../../test/fake-client'
import { SettingsPage } from './SettingsPage'

afterEach(() => {
  cleanup()
  setClient(null)
  document.documentElement.removeAttribute('data-theme')
})

function setup(): void {
  let settings: Settings = { ...DEFAULT_SETTINGS }
  setClient(
    createFakeClient({
      'settings:get': () => settings,
      'settings:update': (patch) => {
        if (patch.reportingCurrency !== undefined && !/^[A-Z]{3}$/.test(patch.reportingCurrency)) {
          throw new ApiError('VALIDATION', 'Invalid settings', [
            { path: ['reportingCurrency'], message: 'Use a 3-letter ISO currency code such as USD' },
          ])
        }
        settings = { ...settings, ...patch }
        return settings
      },
      'app:getInfo': () => ({
        name: 'Marketing Engine',
        version: '0.1.0',
        host: 'web',
        os: 'linux',
        dataDir: '/tmp/me',
      }),
      'store:getStatus': () => ({
        dataDir: '/tmp/me',
        dbPath: '/tmp/me/me.db',
        dbBytes: 2_500_000,
        schemaVersion: 1,
        workspaces: [],
      }),
      'backups:list': () => ({
        dir: '/tmp/me/backups',
        backups: [...backups],
        keep: { daily: 7, weekly: 4 },
        keepFromEnv: false,
      }),
      'backups:create': () => {
        const b = {
          file: 'marketing-engine-20261204T120000Z-manual.db',
          path: '/tmp/me/backups/marketing-engine-20261204T120000Z-manual.db',
          kind: 'manual' as const,
          bytes: 3_000_000,
          createdAt: '2026-12-04T12:00:00Z',
        }
        backups.unshift(b)
        return b
      },
      'backups:restore': (input) => {
        restored.push(input.file)
        return {
          restartRequired: true as const,
          preRestoreBackup: '/tmp/me/backups/pre.db',
          message: `${input.file} will be restored when the app restarts; the current data is kept in pre.db.`,
        }
      },
      'security:getStatus': () => ({
        secrets: {
          backend: 'safeStorage:basic_text',
          strong: false,
          where: 'Electron safeStorage with its basic_text backend',
          warning: 'No OS keyring is available (basic_text). Credentials are not saved until you choose to proceed.',
          needsConsent: true,
        },
        dataDir: '/tmp/me',
        looseFiles: [],
      }),
    }),
  )
}
let backups: {
  file: string
  path: string
  kind: 'daily' | 'manual' | 'pre-restore'
  bytes: number
  createdAt: string
}[] = []
const restored: string[] = []

describe('SettingsPage', () => {
  it('backs up now, lists backups and restores one after a confirmation that says what happens next', async () => {
    backups = []
    setup()
    render(<SettingsPage />)
    expect(await screen.findByText('No backups yet.')).toBeTruthy()
    await act(async () => {
      fireEvent.click(screen.getByTestId('backup-now'))
    })
    expect((await screen.findByTestId('backups-notice')).textContent).toMatch(/Backed up and verified/)
    fireEvent.click(await screen.findByRole('button', { name: 'Restore…' }))
    const dialog = await screen.findByRole('alertdialog')
    expect(dialog.textContent).toMatch(/moved aside, never deleted/)
    expect(dialog.textContent).toMatch(/restarts/)
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Restore' }))
    })
    expect(restored).toEqual(['marketing-engine-20261204T120000Z-manual.db'])
    expect((await screen.findByTestId('backups-notice')).textContent).toMatch(/will be restored when the app restarts/)
    // Secrets protection: the weak-backend warning and the choice to proceed.
    expect((await screen.findByTestId('secrets-warning')).textContent).toMatch(/basic_text/)
    expect(screen.getByRole('button', { name: 'Proceed with weak protection…' })).toBeTruthy()
  })

  it('shows the core validation message for a bad currency', async () => {
    setup()
    await act(async () => {
      await useSettingsStore.getState().loadSettings()
    })
    render(<SettingsPage />)
    const input = screen.getByTestId('settings-currency')
    fireEvent.change(input, { target: { value: 'US' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    expect((await screen.findByTestId('settings-currency-error')).textContent).toBe(
      'Use a 3-letter ISO currency code such as USD',
    )
    expect(await screen.findByTestId('about-version')).toBeTruthy()
  })

  it('applies a forced theme to <html> immediately', async () => {
    setup()
    await act(async () => {
      await useSettingsStore.getState().loadSettings()
    })
    render(<SettingsPage />)
    await act(async () => {
      fireEvent.click(screen.getByRole('radio', { name: 'Dark' }))
    })
    expect(document.documentElement.getAttribute('data-theme')).toBe('dark')
    expect(useSettingsStore.getState().settings?.theme).toBe('dark')
  })

  it('the Desktop notifications switch is shown and saves the setting', async () => {
    setup()
    await act(async () => {
      await useSettingsStore.getState().loadSettings()
    })
    render(<SettingsPage />)
    const toggle = screen.getByRole('switch', { name: 'Desktop notifications' }) as HTMLInputElement
    expect(toggle.checked).toBe(true)
    await act(async () => {
      fireEvent.click(toggle)
    })
    expect(useSettingsStore.getState().settings?.notifications).toBe(false)
    expect((screen.getByTestId('settings-notifications') as HTMLInputElement).checked).toBe(false)
  })

  it('error reports to Sentry: off by default, a bad DSN is refused in words, a good one turns it on, Turn off clears it', async () => {
    setup()
    await act(async () => {
      await useSettingsStore.getState().loadSettings()
    })
    render(<SettingsPage />)
    expect(screen.getByTestId('settings-dsn-state').textContent).toMatch(/^Off: nothing leaves this computer\./)
    const input = screen.getByLabelText('Error reports to Sentry (optional)') as HTMLInputElement
    fireEvent.change(input, { target: { value: 'https://key:secret@o1.ingest.sentry.io/42' } })
    await act(async () => {
      fireEvent.click(screen.getByTestId('settings-dsn-save'))
    })
    expect(screen.getByTestId('settings-dsn-error').textContent).toMatch(/carries a secret key/)
    expect(useSettingsStore.getState().settings?.errorReportingDsn).toBeNull()

    fireEvent.change(input, { target: { value: ' https://0123abcd@o450.ingest.sentry.io/4507 ' } })
    await act(async () => {
      fireEvent.click(screen.getByTestId('settings-dsn-save'))
    })
    expect(useSettingsStore.getState().settings?.errorReportingDsn).toBe('https://0123abcd@o450.ingest.sentry.io/4507')
    expect(screen.getByTestId('settings-dsn-state').textContent).toContain(
      'On: errors and crashes go to o450.ingest.sentry.io, project 4507',
    )
    expect(screen.getByTestId('settings-dsn-state').textContent).not.toContain('0123abcd')

    await act(async () => {
      fireEvent.click(screen.getByTestId('settings-dsn-off'))
    })
    expect(useSettingsStore.getState().settings?.errorReportingDsn).toBeNull()
    expect(input.value).toBe('')
  })
})
