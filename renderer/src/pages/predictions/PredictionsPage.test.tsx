// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Forecast, ModelVersion } from '../../../../shared/ipc/contracts/ml'
import { ApiError, setClient } from '../../api/client'
import { usePredictionsStore } from '../../stores/predictions-store'
import { useWorkspaceStore } from '../../stores/workspace-store'
import { createFakeClient, type FakeClient } from '../../test/fake-client'
import { PredictionsPage } from './PredictionsPage'

vi.mock('../../components/Chart', () => ({
  Chart: ({ ariaLabel }: { ariaLabel: string }) => <div data-testid="chart" aria-label={ariaLabel} />,
}))

const summary = { n: 500, mae: 8.4, mape: 0.27, r2: 0.93, coverage: 0.811, naiveMae: 16 }
const model: ModelVersion = {
  id: 1,
  name: 'forecast',
  version: 3,
  active: true,
  features: ['horizon_days'],
  dataFrom: '2025-01-01',
  dataTo: '2025-06-30',
  metrics: {
    conversions: summary,
    revenue: { ...summary, coverage: 0.802 },
    trainRows: 1,
    calibrationRows: 1,
    testRows: 500,
    intervalLevel: 0.8,
  },
  trainedAt: '2025-07-01T10:00:00Z',
}

function forecast(dailySpendMicros: number): Forecast {
  const scale = dailySpendMicros / 100_000_000
  const band = (p: number): { point: number; lower: number; upper: number } => ({
    point: p,
    lower: p * 0.8,
    upper: p * 1.2,
  })
  return {
    entityType: 'campaign',
    entityId: 11,
    name: 'Prospecting',
    currency: 'USD',
    startDate: '2025-07-01',
    days: 14,
    currentDailySpendMicros: 100_000_000,
    plannedDailySpendMicros: dailySpendMicros,
    conversions: band(140 * scale),
    revenueMicros: band(7_000_000_000 * scale),
    roas: band(5),
    path: [],
    history: [],
    model: { version: 3, trainedAt: model.trainedAt, metrics: model.metrics },
  }
}

let client: FakeClient

function makeClient(models: ModelVersion[]): FakeClient {
  return createFakeClient({
    'workspaces:list': () => [
      { id: 7, name: 'Demo', reportingCurrency: 'USD', isDemo: true, accountCount: 1, createdAt: '2025-01-01' },
    ],
    'ml:listEntities': () => [
      { entityType: 'campaign', entityId: 11, name: 'Prospecting', campaignId: 11, platform: 'meta' },
    ],
    'ml:listModels': () => models,
    'ml:getDrivers': () => ({ rows: 0, currency: null, nodes: [] }),
    'ml:getForecast': (i) => forecast(i.dailySpendMicros ?? 100_000_000),
    'ml:getResponseCurve': () => {
      throw new ApiError('NOT_FOUND', 'Not enough spend days')
    },
    'ml:train': () => ({ jobId: 42 }),
    'ml:getLtv': () => {
      throw new ApiError('NOT_FOUND', 'No orders imported')
    },
    'ml:getValuePerConversion': () => ({
      from: '2025-01-01',
      to: '2025-06-30',
      byPlatform: [
        {
          key: 'meta',
          currency: 'USD',
          conversions: 10,
          revenueMicros: 500_000_000,
          revenuePerConversionMicros: 50_000_000,
          weekly: [],
        },
      ],
      byCampaign: [],
    }),
  })
}

async function renderPage(): Promise<void> {
  await act(async () => {
    await useWorkspaceStore.getState().loadWorkspaces()
  })
  render(<PredictionsPage />)
}

beforeEach(() => {
  usePredictionsStore.setState({
    workspaceId: null,
    status: 'idle',
    models: [],
    entities: [],
    forecast: null,
    selected: null,
    plannedMicros: null,
    curve: null,
    trainingJobId: null,
  })
  useWorkspaceStore.setState({ workspaces: [], workspaceId: null, status: 'idle' })
})

afterEach(() => {
  cleanup()
  setClient(null)
})

describe('PredictionsPage', () => {
  it('shows the forecast with its interval, the held-out metrics, and redraws on a what-if spend', async () => {
    client = makeClient([model])
    setClient(client)
    await renderPage()
    const f = await screen.findByTestId('forecast')
    expect(f.textContent).toContain('140')
    expect(f.textContent).toContain('(112 – 168)')
    expect(screen.getByTestId('model-metrics').textContent).toContain('81.1%')
    fireEvent.change(screen.getByTestId('spend-slider'), { target: { value: '200000000' } })
    await waitFor(() => expect(screen.getByTestId('forecast').textContent).toContain('280'))
    const last = client.calls.filter((c) => c.channel === 'ml:getForecast').pop()
    expect(last?.input).toMatchObject({ dailySpendMicros: 200_000_000, days: 14 })
    // The curve's failure is shown where the curve would be, not as a page error.
    expect(screen.getByTestId('response-curve').textContent).toContain('Not enough spend days')
    // Without orders the value card falls back to revenue per conversion from ad data.
    await waitFor(() => expect(screen.getByTestId('ltv-card').textContent).toContain('$50.00'))
  })

  it('offers Retrain when no model exists yet', async () => {
    client = makeClient([])
    setClient(client)
    await renderPage()
    fireEvent.click(await screen.findByTestId('retrain'))
    await waitFor(() => expect(client.calls.some((c) => c.channel === 'ml:train')).toBe(true))
    expect(await screen.findByText(/Training has started/)).toBeTruthy()
  })
})
