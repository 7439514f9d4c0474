// @vitest-environment jsdom
import type { JSX } from 'react'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PageBoundary } from './PageBoundary'

afterEach(cleanup)

let broken = true
function Flaky(): JSX.Element {
  if (broken) throw new TypeError("Cannot read properties of undefined (reading 'rows')")
  return <p>Campaign table</p>
}

describe('PageBoundary', () => {
  it('shows a plain error with the page frame instead of the crash, and Retry mounts the page again', () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    broken = true
    render(
      <PageBoundary route="campaigns">
        <Flaky />
      </PageBoundary>,
    )
    const alert = screen.getByRole('alert')
    expect(alert.textContent).toContain('This page could not be shown')
    expect(alert.textContent).not.toContain('Cannot read properties')
    expect(screen.getByTestId('page-campaigns')).toBeTruthy()
    expect(logged).toHaveBeenCalled()

    broken = false
    fireEvent.click(screen.getByRole('button', { name: /retry/i }))
    expect(screen.getByText('Campaign table')).toBeTruthy()
    expect(screen.queryByRole('alert')).toBeNull()
    logged.mockRestore()
  })

  it('stays on the error while the page keeps failing', () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    broken = true
    render(
      <PageBoundary route="anomalies">
        <Flaky />
      </PageBoundary>,
    )
    fireEvent.click(screen.getByRole('button', { name: /retry/i }))
    expect(screen.getByRole('alert').textContent).toContain('This page could not be shown')
    logged.mockRestore()
  })
})
