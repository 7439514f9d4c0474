// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deriveKpis } from '../../../../shared/domain/metrics'
import type { EntityRow } from '../../../../shared/ipc/contracts/analytics-schemas'
import type { ChannelOutput } from '../../../../shared/ipc/contract'
import { setClient } from '../../api/client'
import { useWorkspaceStore } from '../../stores/workspace-store'
import { createFakeClient, type FakeClient } from '../../test/fake-client'
import { CampaignsPage } from './CampaignsPage'

type Breakdown = ChannelOutput<'analytics:getBreakdown'>

function rows(n: number): EntityRow[] {
  return Array.from({ length: n }, (_, i) => {
    const totals = {
      spendMicros: (i + 1) * 1e6,
      revenueMicros: 0,
      impressions: 10,
      clicks: 1,
      conversions: 0,
      videoViews: 0,
    }
    return {
      level: 'campaign',
      id: String(i + 1),
      name: `Campaign ${i + 1}`,
      platform: 'meta',
      accountId: 1,
      campaignId: i + 1,
      adSetId: null,
      status: 'active',
      objective: null,
      period: null,
      totals,
      kpis: deriveKpis(totals),
      previousTotals: null,
      previousKpis: null,
      provisional: false,
    }
  })
}

function breakdown(n: number): Breakdown {
  return {
    currency: 'USD',
    convertedFrom: [],
    range: { from: '2026-01-01', to: '2026-01-30' },
    previousRange: null,
    rows: rows(n),
  }
}

let client: FakeClient

function makeClient(getBreakdown: () => Breakdown | Promise<Breakdown>): FakeClient {
  return createFakeClient({
    'analytics:getBreakdown': getBreakdown,
    'ml:listEntityForecasts': () => [],
  })
}

const breakdownCalls = (): number => client.calls.filter((c) => c.channel === 'analytics:getBreakdown').length

beforeEach(() => {
  useWorkspaceStore.setState({ workspaceId: 7, status: 'ready', preset: 'last30', compare: false })
})

afterEach(() => {
  cleanup()
  setClient(null)
})

describe('CampaignsPage', () => {
  it('refetches on a data:changed for the campaigns or their metrics in its workspace only', async () => {
    client = makeClient(() => breakdown(3))
    setClient(client)
    render(<CampaignsPage />)
    await waitFor(() => expect(screen.getByTestId('explorer-count').textContent).toContain('3 campaigns'))
    const before = breakdownCalls()

    act(() => client.emit('data:changed', { tables: ['connections'], workspaceId: 7 }))
    act(() => client.emit('data:changed', { tables: ['orders'], workspaceId: 7 }))
    act(() => client.emit('data:changed', { tables: ['campaigns'], workspaceId: 9 }))
    expect(breakdownCalls()).toBe(before)

    act(() => client.emit('data:changed', { tables: ['campaigns', 'audit_log'], workspaceId: 7 }))
    await waitFor(() => expect(breakdownCalls()).toBe(before + 1))
    act(() => client.emit('data:changed', { tables: ['daily_metrics'] }))
    await waitFor(() => expect(breakdownCalls()).toBe(before + 2))
  })

  it('keeps the newer answer when an older request for another range resolves last', async () => {
    const pending: ((b: Breakdown) => void)[] = []
    client = makeClient(() => new Promise<Breakdown>((resolve) => pending.push(resolve)))
    setClient(client)
    render(<CampaignsPage />)
    await waitFor(() => expect(pending).toHaveLength(1))
    act(() => useWorkspaceStore.getState().setPreset('last7'))
    await waitFor(() => expect(pending).toHaveLength(2))

    await act(async () => pending[1]?.(breakdown(2)))
    await waitFor(() => expect(screen.getByTestId('explorer-count').textContent).toContain('2 campaigns'))
    await act(async () => pending[0]?.(breakdown(5)))
    expect(screen.getByTestId('explorer-count').textContent).toContain('2 campaigns')
  })
})
