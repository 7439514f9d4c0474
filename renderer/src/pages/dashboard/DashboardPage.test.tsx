// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Summary, TrendPoint } from '../../../../shared/ipc/contract'
import { ApiError, setClient } from '../../api/client'
import { useWorkspaceStore } from '../../stores/workspace-store'
import { createFakeClient, type FakeClient } from '../../test/fake-client'
import { DashboardPage } from './DashboardPage'

// Canvas does not exist in jsdom; the chart wrapper is covered by screenshots instead.
vi.mock('../../components/Chart', () => ({
  Chart: ({ ariaLabel }: { ariaLabel: string }) => <div data-testid="chart" aria-label={ariaLabel} />,
}))

const totals = {
  spendMicros: 1_234_567_890,
  revenueMicros: 4_000_000_000,
  impressions: 500_000,
  clicks: 10_000,
  conversions: 321,
  videoViews: 0,
}

function summary(over: Partial<Summary> = {}): Summary {
  return {
    currency: 'USD',
    convertedFrom: ['EUR'],
    range: { from: '2025-03-01', to: '2025-03-30' },
    previousRange: { from: '2025-01-30', to: '2025-02-28' },
    totals,
    previousTotals: totals,
    kpis: {
      spend: 1234.56789,
      revenue: 4000,
      roas: 3.24,
      conversions: 321,
      cpa: 3.846,
      ctr: 0.02,
      cpc: 0.1234,
      cpm: 2.469,
      cvr: 0.0321,
    },
    previousKpis: {
      spend: 1000,
      revenue: 4200,
      roas: 4.2,
      conversions: 300,
      cpa: 3.33,
      ctr: 0.02,
      cpc: 0.1,
      cpm: 2,
      cvr: 0.03,
    },
    provisionalDays: 3,
    attribution: [],
    ...over,
  }
}

const points: TrendPoint[] = [
  {
    date: '2025-03-29',
    spendMicros: 10_000_000,
    revenueMicros: 30_000_000,
    impressions: 1,
    clicks: 1,
    conversions: 1,
    provisional: false,
  },
  {
    date: '2025-03-30',
    spendMicros: 12_000_000,
    revenueMicros: 31_000_000,
    impressions: 1,
    clicks: 1,
    conversions: 1,
    provisional: true,
  },
]

let client: FakeClient

function makeClient(getSummary: (input: unknown) => Summary | Promise<Summary>): FakeClient {
  return createFakeClient({
    'workspaces:list': () => [
      { id: 7, name: 'Demo Store', reportingCurrency: 'USD', isDemo: true, accountCount: 3, createdAt: '2025-01-01' },
    ],
    'dashboard:getSummary': getSummary,
    'dashboard:getTrend': () => ({ currency: 'USD', points }),
    'accounts:list': () => [],
  })
}

async function renderDashboard(): Promise<void> {
  await act(async () => {
    await useWorkspaceStore.getState().loadWorkspaces()
  })
  render(<DashboardPage />)
}

beforeEach(() => {
  useWorkspaceStore.setState({ workspaces: [], workspaceId: null, status: 'idle', compare: true, preset: 'last30' })
})

afterEach(() => {
  cleanup()
  setClient(null)
})

describe('DashboardPage', () => {
  it('renders the eight KPI tiles from the core with raw values and deltas', async () => {
    client = makeClient(() => summary())
    setClient(client)
    await renderDashboard()

    const spend = await screen.findByTestId('kpi-spend')
    expect(spend.getAttribute('data-value')).toBe('1234.56789')
    expect(spend.textContent).toContain('$1,234.57')
    expect(screen.getByTestId('kpi-spend-delta').getAttribute('data-tone')).toBe('neutral')
    expect(screen.getByTestId('kpi-roas').textContent).toContain('3.24x')
    expect(screen.getByTestId('kpi-roas-delta').getAttribute('data-tone')).toBe('negative')
    expect(screen.getByTestId('kpi-cpa-delta').getAttribute('data-tone')).toBe('negative')
    expect(screen.getByTestId('kpi-ctr').textContent).toContain('2.00%')
    expect(screen.getByTestId('kpi-conversions').textContent).toContain('321')
    for (const k of ['spend', 'revenue', 'roas', 'conversions', 'cpa', 'ctr', 'cpc', 'cpm']) {
      expect(screen.getByTestId(`kpi-${k}`)).toBeTruthy()
    }
    expect(screen.getByTestId('note-converted').textContent).toContain('Converted from EUR to USD at monthly rates')
    expect(screen.getByTestId('note-provisional').textContent).toContain('3 recent days may still change')
    expect(await screen.findByTestId('chart')).toBeTruthy()

    const call = client.calls.find((c) => c.channel === 'dashboard:getSummary')
    expect(call?.input).toMatchObject({ workspaceId: 7, compare: true })
  })

  it('says which attribution the conversions follow, and warns where a platform counted the range two ways', async () => {
    client = makeClient(() =>
      summary({
        attribution: [
          {
            platform: 'meta',
            code: 'meta:ad_set',
            label: "each ad set's attribution setting, as in Ads Manager",
            days: 30,
          },
          { platform: 'snapchat', code: 'snapchat:account', label: "the ad account's attribution setting", days: 20 },
          {
            platform: 'snapchat',
            code: 'snapchat:7_DAY/NONE',
            label: '7-day swipe, no view-through (pinned)',
            days: 10,
          },
        ],
      }),
    )
    setClient(client)
    await renderDashboard()
    const note = await screen.findByTestId('note-attribution')
    expect(note.textContent).toContain(
      "Conversions counted with Meta: each ad set's attribution setting, as in Ads Manager.",
    )
    expect(note.textContent).not.toContain('Snapchat')
    const mixed = screen.getByTestId('note-attribution-mixed')
    expect(mixed.textContent).toContain(
      "Snapchat conversions in this range were counted two ways: 20 account-days with the ad account's attribution setting, 10 account-days with 7-day swipe, no view-through (pinned)",
    )
  })

  it('shows an error in plain words, never the core internal message, and retries', async () => {
    let fail = true
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    client = makeClient(() => {
      if (fail) throw new ApiError('INTERNAL', 'SqliteError: SQLITE_BUSY: database is locked')
      return summary()
    })
    setClient(client)
    await renderDashboard()

    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('Could not load the dashboard')
    expect(alert.textContent).toContain('unexpected problem')
    expect(alert.textContent).not.toMatch(/sqlite/i)
    logged.mockRestore()
    fail = false
    fireEvent.click(screen.getByRole('button', { name: /retry/i }))
    expect(await screen.findByTestId('kpi-spend')).toBeTruthy()
  })

  it('shows an empty state when the range has no data', async () => {
    const zero = { spendMicros: 0, revenueMicros: 0, impressions: 0, clicks: 0, conversions: 0, videoViews: 0 }
    client = makeClient(() =>
      summary({
        totals: zero,
        kpis: {
          spend: 0,
          revenue: 0,
          roas: null,
          conversions: 0,
          cpa: null,
          ctr: null,
          cpc: null,
          cpm: null,
          cvr: null,
        },
        previousKpis: null,
        previousRange: null,
        convertedFrom: [],
        provisionalDays: 0,
        attribution: [],
      }),
    )
    setClient(client)
    await renderDashboard()
    expect(await screen.findByText('No data in this date range')).toBeTruthy()
    expect(screen.queryByTestId('note-converted')).toBeNull()
    expect(screen.queryByTestId('kpi-spend-delta')).toBeNull()
  })

  it('refetches on a data:changed naming its tables in its workspace, and not on others', async () => {
    client = makeClient(() => summary())
    setClient(client)
    await renderDashboard()
    await screen.findByTestId('kpi-spend')
    const summaries = (): number => client.calls.filter((c) => c.channel === 'dashboard:getSummary').length
    const before = summaries()

    // Unrelated: a table the dashboard does not read, and the right table in another workspace.
    act(() => client.emit('data:changed', { tables: ['connections'], workspaceId: 7 }))
    act(() => client.emit('data:changed', { tables: ['daily_metrics'], workspaceId: 8 }))
    act(() => client.emit('data:changed', { tables: ['daily_metrics'], workspaceId: 7 }))
    await waitFor(() => expect(summaries()).toBe(before + 1))
    // The refresh runs over the tiles on screen (no skeleton), then settles.
    expect(screen.getByTestId('kpi-spend')).toBeTruthy()
    await waitFor(() => expect(screen.queryByText(/Updating/)).toBeNull())
    expect(summaries()).toBe(before + 1)
  })

  it('shows the newer range when an older request answers last', async () => {
    const pending: { input: unknown; resolve: (s: Summary) => void }[] = []
    client = makeClient((input) => new Promise<Summary>((resolve) => pending.push({ input, resolve })))
    setClient(client)
    await renderDashboard()
    await waitFor(() => expect(pending).toHaveLength(1))
    act(() => useWorkspaceStore.getState().setPreset('last7'))
    await waitFor(() => expect(pending).toHaveLength(2))
    const [older, newer] = pending
    expect(JSON.stringify(older?.input)).not.toBe(JSON.stringify(newer?.input))

    const spendOf = (spend: number): Summary => summary({ kpis: { ...summary().kpis, spend } })
    await act(async () => newer?.resolve(spendOf(777)))
    await waitFor(() => expect(screen.getByTestId('kpi-spend').getAttribute('data-value')).toBe('777'))
    await act(async () => older?.resolve(spendOf(111)))
    expect(screen.getByTestId('kpi-spend').getAttribute('data-value')).toBe('777')
  })
})
