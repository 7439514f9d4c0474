// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { computeDelta, formatKpi } from '../lib/format'
import { KpiTile } from './KpiTile'

afterEach(cleanup)

describe('formatKpi', () => {
  it('formats each KPI the way marketers read it', () => {
    expect(formatKpi('spend', 12345.678, 'USD')).toBe('$12,345.68')
    expect(formatKpi('revenue', 1000, 'EUR')).toBe('€1,000.00')
    expect(formatKpi('cpa', 1234, 'JPY')).toBe('¥1,234')
    expect(formatKpi('roas', 3.4167, 'USD')).toBe('3.42x')
    expect(formatKpi('ctr', 0.012345, 'USD')).toBe('1.23%')
    expect(formatKpi('conversions', 12345, 'USD')).toBe('12,345')
    expect(formatKpi('conversions', 12.34, 'USD')).toBe('12.3')
    expect(formatKpi('cpm', null, 'USD')).toBe('—')
  })
})

describe('computeDelta', () => {
  it('colours a rising CPA as bad and a falling one as good', () => {
    expect(computeDelta('cpa', 12, 10)).toMatchObject({ direction: 'up', tone: 'negative', label: '+20.0%' })
    expect(computeDelta('cpa', 8, 10)).toMatchObject({ direction: 'down', tone: 'positive', label: '−20.0%' })
  })
  it('colours rising revenue and ROAS as good', () => {
    expect(computeDelta('revenue', 150, 100).tone).toBe('positive')
    expect(computeDelta('roas', 2, 3).tone).toBe('negative')
  })
  it('keeps spend neutral either way', () => {
    expect(computeDelta('spend', 200, 100)).toMatchObject({ direction: 'up', tone: 'neutral' })
  })
  it('has no delta without a usable previous value', () => {
    expect(computeDelta('cpc', 1, 0).ratio).toBeNull()
    expect(computeDelta('cpc', 1, null).ratio).toBeNull()
    expect(computeDelta('cpc', null, 1).ratio).toBeNull()
  })
})

describe('KpiTile', () => {
  it('renders the formatted value, the raw value and a bad-news delta for higher CPA', () => {
    render(<KpiTile kpi="cpa" value={24.561} previous={20} currency="USD" previousLabel="Feb 1 – Feb 28, 2025" />)
    const tile = screen.getByTestId('kpi-cpa')
    expect(tile.getAttribute('data-value')).toBe('24.561')
    expect(tile.getAttribute('title')).toBe('Previous period (Feb 1 – Feb 28, 2025): $20.00')
    expect(tile.textContent).toContain('$24.56')
    const delta = screen.getByTestId('kpi-cpa-delta')
    expect(delta.getAttribute('data-tone')).toBe('negative')
    expect(delta.className).toContain('kpi__delta--negative')
    expect(delta.textContent).toContain('22.8%')
    expect(delta.textContent).toContain('up')
  })

  it('shows ROAS with an x and a good-news delta when it rises', () => {
    render(<KpiTile kpi="roas" value={3.42} previous={3} currency="USD" />)
    expect(screen.getByTestId('kpi-roas').textContent).toContain('3.42x')
    expect(screen.getByTestId('kpi-roas-delta').getAttribute('data-tone')).toBe('positive')
  })

  it('omits the delta when comparison is off and shows a dash for a missing ratio', () => {
    render(<KpiTile kpi="ctr" value={null} currency="USD" />)
    const tile = screen.getByTestId('kpi-ctr')
    expect(tile.getAttribute('data-value')).toBe('')
    expect(tile.textContent).toContain('—')
    expect(screen.queryByTestId('kpi-ctr-delta')).toBeNull()
  })
})
