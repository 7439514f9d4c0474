// @vitest-environment jsdom
import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { kpiSeries } from '../lib/kpi-series'
import { Sparkline } from './Sparkline'

const day = (
  date: string,
  spend: number,
  revenue: number,
  clicks: number,
  impressions: number,
  conversions: number,
): never =>
  ({
    date,
    spendMicros: spend * 1e6,
    revenueMicros: revenue * 1e6,
    clicks,
    impressions,
    conversions,
    provisional: false,
  }) as never

describe('KPI sparklines', () => {
  it('derives each day from that day’s summed parts, null where the denominator is zero', () => {
    const points = [
      day('2026-01-01', 100, 300, 10, 1000, 2),
      day('2026-01-02', 0, 0, 0, 0, 0),
      day('2026-01-03', 50, 25, 5, 500, 1),
    ]
    expect(kpiSeries(points, 'roas')).toEqual([3, null, 0.5])
    expect(kpiSeries(points, 'cpa')).toEqual([50, null, 50])
    expect(kpiSeries(points, 'spend')).toEqual([100, 0, 50])
  })

  it('draws a line with a gap for missing days and labels it', () => {
    render(<Sparkline values={[1, 2, null, 4]} label="ROAS by day" />)
    const svg = screen.getByRole('img', { name: 'ROAS by day' })
    const d = svg.querySelector('path')?.getAttribute('d') ?? ''
    expect(d.match(/M/g)).toHaveLength(2)
    expect(d.match(/L/g)).toHaveLength(1)
  })

  it('renders nothing with fewer than two values', () => {
    const { container } = render(<Sparkline values={[null, 3]} label="x" />)
    expect(container.innerHTML).toBe('')
  })
})
