// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseHash, routeForDigit } from '../lib/routes'
import { routeForShortcut } from '../lib/shortcuts'
import { startHashRouting, useRouterStore } from './router-store'

describe('parseHash', () => {
  it('maps hashes to routes and unknown ones to the dashboard', () => {
    expect(parseHash('#/campaigns')).toBe('campaigns')
    expect(parseHash('#/settings/about')).toBe('settings')
    expect(parseHash('')).toBe('dashboard')
    expect(parseHash('#/nope')).toBe('dashboard')
  })
})

describe('shortcuts', () => {
  const key = { altKey: true, ctrlKey: false, metaKey: false, shiftKey: false }
  it('maps Alt+1..9 and Alt+0 to the nav items in order', () => {
    expect(routeForDigit(1)).toBe('dashboard')
    expect(routeForDigit(9)).toBe('connections')
    expect(routeForDigit(0)).toBe('settings')
    expect(routeForShortcut({ ...key, code: 'Digit2' })).toBe('campaigns')
    expect(routeForShortcut({ ...key, altKey: false, ctrlKey: true, code: 'Digit0' })).toBe('settings')
  })
  it('ignores AltGr (Ctrl+Alt), Shift and plain digits', () => {
    expect(routeForShortcut({ ...key, ctrlKey: true, code: 'Digit7' })).toBeUndefined()
    expect(routeForShortcut({ ...key, shiftKey: true, code: 'Digit1' })).toBeUndefined()
    expect(routeForShortcut({ ...key, altKey: false, code: 'Digit1' })).toBeUndefined()
  })
})

describe('useRouterStore', () => {
  let stop: () => void = () => undefined
  beforeEach(() => {
    window.location.hash = ''
    useRouterStore.setState({ route: 'dashboard', navCount: 0 })
    stop = startHashRouting()
  })
  afterEach(() => stop())

  it('navigate() updates the route and the address bar', () => {
    useRouterStore.getState().navigate('reports')
    expect(useRouterStore.getState().route).toBe('reports')
    expect(window.location.hash).toBe('#/reports')
    expect(useRouterStore.getState().navCount).toBe(1)
  })

  it('follows hash changes from back/forward or typed URLs', () => {
    window.location.hash = '#/alerts'
    window.dispatchEvent(new HashChangeEvent('hashchange'))
    expect(useRouterStore.getState().route).toBe('alerts')
  })
})
