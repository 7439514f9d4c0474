// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AlertRaised } from '../../../shared/domain/alerts'
import { DEFAULT_SETTINGS } from '../../../shared/domain/settings'
import { setClient } from '../api/client'
import { reportRendererError } from '../lib/error-reporting'
import { useSettingsStore } from '../stores/settings-store'
import { useToastStore } from '../stores/toast-store'
import { createFakeClient, type FakeClient } from '../test/fake-client'
import { Toasts } from './Toasts'

let client: FakeClient
beforeEach(() => {
  useToastStore.setState({ toasts: [], more: 0 })
  useSettingsStore.setState({ settings: { ...DEFAULT_SETTINGS }, status: 'ready', error: null })
  client = createFakeClient({ 'diagnostics:reportError': () => ({ alertId: 9, limited: false }) })
  setClient(client)
  window.location.hash = '#/dashboard'
})
afterEach(() => {
  cleanup()
  setClient(null)
})

const raised = (id: number, over: Partial<AlertRaised> = {}): AlertRaised => ({
  id,
  workspaceId: 1,
  source: 'budget',
  severity: 'warning',
  title: `Alert ${id}`,
  body: `Body of alert ${id}`,
  link: `/alerts?id=${id}`,
  count: 1,
  merged: false,
  ...over,
})

describe('toasts for new alerts', () => {
  it('new WARNING+ alerts only; at most three, the rest in one "more" toast; clicking opens the page', () => {
    render(<Toasts />)
    act(() => {
      client.emit('alert:raised', raised(1, { severity: 'info' }))
      client.emit('alert:raised', raised(2, { merged: true, count: 2 }))
      client.emit('alert:raised', raised(3, { severity: 'critical', link: '/campaigns?workspace=1&id=7' }))
      client.emit('alert:raised', raised(4))
      client.emit('alert:raised', raised(4))
      for (let i = 5; i < 12; i++) client.emit('alert:raised', raised(i, { severity: 'error' }))
    })
    expect(screen.queryByTestId('toast-1')).toBeNull()
    expect(screen.queryByTestId('toast-2')).toBeNull()
    expect(screen.getAllByTestId(/^toast-\d+$/).map((t) => t.dataset.testid)).toEqual(['toast-3', 'toast-4', 'toast-5'])
    expect(screen.getByTestId('toast-more').textContent).toContain('6 more new alerts')
    expect(screen.getByTestId('toast-3').textContent).toContain('CRITICAL')
    fireEvent.click(screen.getByTestId('toast-open-3'))
    expect(window.location.hash).toBe('#/campaigns?workspace=1&id=7')
    expect(screen.queryByTestId('toast-3')).toBeNull()
    fireEvent.click(screen.getByTestId('toast-more').querySelector('.toast__main')!)
    expect(window.location.hash).toBe('#/alerts')
    expect(screen.queryByTestId('toast-more')).toBeNull()
  })

  it('Escape dismisses the focused toast and focus moves to the next; the close button has a name', () => {
    render(<Toasts />)
    act(() => {
      client.emit('alert:raised', raised(1, { severity: 'error' }))
      client.emit('alert:raised', raised(2, { severity: 'error' }))
    })
    const first = screen.getByTestId('toast-open-1')
    first.focus()
    fireEvent.keyDown(first, { key: 'Escape' })
    expect(screen.queryByTestId('toast-1')).toBeNull()
    expect(screen.getByRole('button', { name: 'Dismiss ERROR alert: Alert 2' })).toBeTruthy()
    fireEvent.click(screen.getByTestId('toast-dismiss-2'))
    expect(screen.queryByTestId('toast-2')).toBeNull()
  })

  it('Settings › Desktop notifications off: no toasts, and the ones showing go away', () => {
    render(<Toasts />)
    act(() => client.emit('alert:raised', raised(1, { severity: 'error' })))
    expect(screen.getByTestId('toast-1')).toBeTruthy()
    act(() => useSettingsStore.setState({ settings: { ...DEFAULT_SETTINGS, notifications: false } }))
    expect(screen.queryByTestId('toast-1')).toBeNull()
    act(() => client.emit('alert:raised', raised(2, { severity: 'critical' })))
    expect(screen.queryByTestId('toast-2')).toBeNull()
  })

  it('renderer errors are reported once per message (deduped here as well as in the core)', () => {
    window.location.hash = '#/alerts?id=3'
    reportRendererError('error', new TypeError('x is undefined'), 'app.js:1:2')
    reportRendererError('error', new TypeError('x is undefined'), 'app.js:1:2')
    reportRendererError('unhandledrejection', 'network down')
    const sent = client.calls.filter((c) => c.channel === 'diagnostics:reportError').map((c) => c.input)
    expect(sent).toHaveLength(2)
    expect(sent[0]).toMatchObject({
      kind: 'error',
      message: 'TypeError: x is undefined',
      source: 'app.js:1:2',
      route: '/alerts?id=3',
    })
    expect(sent[1]).toMatchObject({ kind: 'unhandledrejection', message: 'network down' })
  })
})
