// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Forecast, ModelVersion } from '../../../../shared/ipc/contracts/ml'
import { ApiError, setClient } from '../../api/client'
import { usePredictionsStore } from '../../stores/predictions-store'
import { useWorkspaceStore } from '../../stores/workspace-store'
import { createFakeClient, type FakeClient, type Handlers } from '../../test/fake-client'
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
    basis: {
      status: 'model',
      dataStatus: 'ok',
      methods: { conversions: 'model', revenue: 'model' },
      tier: 'mid',
      reasons: [],
    },
    spendResponse: dailySpendMicros === 100_000_000 ? 'current' : 'proportional',
  }
}

let client: FakeClient

function makeClient(models: ModelVersion[], overrides: Handlers = {}): FakeClient {
  return createFakeClient({
    ...baseHandlers(models),
    ...overrides,
  })
}

function baseHandlers(models: ModelVersion[]): Handlers {
  return {
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
  }
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

  it('shows why a forecast falls back to the baseline, coverage per spend tier, and hides a poor response curve', async () => {
    const tb = (cov: { low: number; mid: number; high: number }, better: boolean) => ({
      rows: 900,
      modelMae: 10,
      naiveMae: better ? 12 : 9,
      modelBetter: better,
      coverage: 0.79,
      coverageByTier: cov,
      baselineCoverageByTier: { low: 0.9, mid: 0.8, high: 0.78 },
      rowsByTier: { low: 300, mid: 300, high: 300 },
      entities: 60,
      entitiesOnBaseline: 20,
    })
    const withBacktest: ModelVersion = {
      ...model,
      metrics: {
        ...model.metrics,
        backtest: {
          cutoffs: [
            '2025-04-01',
            '2025-04-08',
            '2025-04-15',
            '2025-04-22',
            '2025-04-29',
            '2025-05-06',
            '2025-05-13',
            '2025-05-20',
          ],
          horizons: [7, 14, 28],
          tierBounds: [90, 180],
          conversions: tb({ low: 0.79, mid: 0.78, high: 0.62 }, true),
          revenue: tb({ low: 0.8, mid: 0.81, high: 0.77 }, false),
        },
      },
    }
    const reason = 'Paused: no spend since 2025-06-20. Seasonal baseline of its last 28 days before the pause.'
    client = makeClient([withBacktest], {
      'ml:getForecast': () => ({
        ...forecast(100_000_000),
        basis: {
          status: 'fallback',
          dataStatus: 'paused',
          methods: { conversions: 'baseline', revenue: 'baseline' },
          tier: 'high',
          reasons: [reason],
        },
      }),
      'ml:getResponseCurve': () => ({
        currency: 'USD',
        params: { theta: 0.2, s: 1, k: 300, beta: 900, r2: 0.05, r2Weekly: 0.12, days: 180 },
        currentDailySpendMicros: 100_000_000,
        points: [{ spendMicros: 0, revenueMicros: 0, conversions: 0, marginalRoas: 0 }],
        marginalRoasAtCurrent: 2,
        usable: false,
        problem: 'the response curve explains too little of the weekly outcomes (R² 0.12 < 0.5)',
        minR2: 0.5,
      }),
    })
    setClient(client)
    await renderPage()
    const basis = await screen.findByTestId('forecast-basis')
    expect(basis.textContent).toContain('Seasonal baseline')
    expect(basis.textContent).toContain(reason)
    const tiers = screen.getByTestId('coverage-by-tier')
    expect(tiers.textContent).toContain('High (> 180/day)')
    // The off-target tier is flagged, the others are not.
    const flagged = [...tiers.querySelectorAll('.badge--warning')].map((e) => e.textContent)
    expect(flagged).toEqual(['62.0%', '90.0%', '90.0%'])
    expect(screen.getByTestId('model-metrics').textContent).toContain('seasonal baseline')
    await waitFor(() => expect(screen.getByTestId('response-curve').textContent).toContain('Response curve not used'))
    expect(screen.getByTestId('response-curve').textContent).toContain('R² 0.12 < 0.5')
    expect(screen.queryAllByTestId('chart').length).toBeLessThanOrEqual(1)
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
