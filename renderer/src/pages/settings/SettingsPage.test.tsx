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
    }),
  )
}

describe('SettingsPage', () => {
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
})
