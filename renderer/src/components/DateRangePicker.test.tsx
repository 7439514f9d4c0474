// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { localToday, presetRange } from '../lib/date-presets'
import { useWorkspaceStore } from '../stores/workspace-store'
import { DateRangePicker } from './DateRangePicker'

afterEach(cleanup)

describe('DateRangePicker', () => {
  it('applies a preset, and Escape closes the panel and returns focus to the trigger', () => {
    render(<DateRangePicker />)
    const trigger = screen.getByTestId('date-range-trigger')
    fireEvent.click(trigger)
    expect(trigger.getAttribute('aria-expanded')).toBe('true')
    fireEvent.click(screen.getByTestId('preset-last7'))
    expect(useWorkspaceStore.getState().preset).toBe('last7')
    expect(useWorkspaceStore.getState().range).toEqual(presetRange('last7', localToday()))

    fireEvent.click(trigger)
    fireEvent.keyDown(screen.getByTestId('preset-last14'), { key: 'Escape' })
    expect(trigger.getAttribute('aria-expanded')).toBe('false')
    expect(document.activeElement).toBe(trigger)
  })

  it('validates a custom range before applying it', () => {
    render(<DateRangePicker />)
    fireEvent.click(screen.getByTestId('date-range-trigger'))
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2025-03-10' } })
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2025-03-01' } })
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }))
    expect(screen.getByRole('alert').textContent).toMatch(/on or before/)
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2025-03-20' } })
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }))
    expect(useWorkspaceStore.getState()).toMatchObject({
      preset: 'custom',
      range: { from: '2025-03-10', to: '2025-03-20' },
    })
  })
})
