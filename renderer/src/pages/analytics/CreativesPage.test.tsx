// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { deriveKpis } from '../../../../shared/domain/metrics'
import type { ChannelOutput } from '../../../../shared/ipc/contract'
import { setClient } from '../../api/client'
import type * as ExportModule from '../../lib/export'
import { useWorkspaceStore } from '../../stores/workspace-store'
import { createFakeClient, type FakeClient } from '../../test/fake-client'
import { CreativesPage } from './CreativesPage'

type List = ChannelOutput<'analytics:listCreatives'>
type Creative = List['rows'][number]

// The CSV export: captured instead of saved.
const downloads: { rows: readonly unknown[] }[] = []
vi.mock('../../lib/export', async (importOriginal) => ({
  ...(await importOriginal<typeof ExportModule>()),
  downloadCsv: (_name: string, _cols: unknown, rows: readonly unknown[]) => downloads.push({ rows }),
}))

function ad(i: number): Creative {
  const totals = {
    spendMicros: (i + 1) * 1e6,
    revenueMicros: 0,
    impressions: 100,
    clicks: 2,
    conversions: 0,
    videoViews: 0,
  }
  return {
    adId: i + 1,
    name: `Ad ${i + 1}`,
    status: 'active',
    campaignId: 1,
    campaignName: 'Campaign',
    adSetId: 1,
    adSetName: 'Ad set',
    platform: 'meta',
    format: 'image',
    headline: null,
    thumbnailUrl: null,
    launchDate: null,
    totals,
    kpis: deriveKpis(totals),
    fatigue: {
      state: 'stable',
      initialCtr: null,
      currentCtr: null,
      decayPerMillion: null,
      daysUntilFatigue: null,
      explanation: '',
    },
  }
}

let client: FakeClient
/** The data's generation the core answers windows from (a sync bumps it). */
let generation = 1
/** Called as a window is asked; a promise it returns holds that window's answer. */
let onWindow: (offset: number) => Promise<void> | void = () => undefined

function makeClient(total: number): FakeClient {
  const all = Array.from({ length: total }, (_, i) => ad(i))
  const answer = (offset: number, limit: number): List => ({
    currency: 'USD',
    convertedFrom: [],
    rows: all.slice(offset, offset + limit),
    total,
    offset,
    generation,
  })
  return createFakeClient({
    'analytics:listCreatives': (input: { window?: { offset?: number; limit: number } }): List | Promise<List> => {
      const offset = input.window?.offset ?? 0
      const limit = input.window?.limit ?? 300
      const hold = onWindow(offset)
      return hold ? hold.then(() => answer(offset, limit)) : answer(offset, limit)
    },
    'analytics:compareFormats': () => ({ currency: 'USD', rows: [] }),
  })
}

const exportAsks = (): { offset: number; limit: number }[] =>
  client.calls
    .filter((c) => c.channel === 'analytics:listCreatives')
    .map((c) => (c.input as { window: { offset: number; limit: number } }).window)
    .filter((w) => w.limit === 500)

beforeEach(() => {
  downloads.length = 0
  generation = 1
  onWindow = () => undefined
  useWorkspaceStore.setState({ workspaceId: 7, status: 'ready', preset: 'last30', compare: false })
})

afterEach(() => {
  cleanup()
  setClient(null)
})

describe('CreativesPage export', () => {
  it('exports every ad once, window by window', async () => {
    client = makeClient(1234)
    setClient(client)
    render(<CreativesPage />)
    await waitFor(() => expect(screen.getByTestId('creative-count').textContent).toBe('1,234 ads'))
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }))
    await waitFor(() => expect(downloads).toHaveLength(1))
    expect(exportAsks().map((w) => w.offset)).toEqual([0, 500, 1000])
    const ids = (downloads[0]?.rows as Creative[]).map((r) => r.adId)
    expect(ids).toHaveLength(1234)
    expect(new Set(ids).size).toBe(1234)
  })

  it('stops with a message, and saves nothing, when the data changes between two windows', async () => {
    client = makeClient(1234)
    setClient(client)
    render(<CreativesPage />)
    await waitFor(() => expect(screen.getByTestId('creative-count').textContent).toBe('1,234 ads'))
    // A sync lands after the first export window: the next one is cut from a new order.
    onWindow = (offset) => {
      if (offset === 500) generation = 2
    }
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }))
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/data changed during the export/))
    expect(downloads).toHaveLength(0)
  })

  it('stops too when the change is told by an event before the next window', async () => {
    let release: () => void = () => undefined
    client = makeClient(1234)
    setClient(client)
    render(<CreativesPage />)
    await waitFor(() => expect(screen.getByTestId('creative-count').textContent).toBe('1,234 ads'))
    // The second window is answered only after the event came (its generation unchanged: only the event tells).
    const gate = new Promise<void>((r) => (release = r))
    onWindow = (offset) => (offset === 500 ? gate : undefined)
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }))
    await waitFor(() => expect(exportAsks().length).toBe(2))
    act(() => client.emit('data:changed', { tables: ['daily_metrics'], workspaceId: 7 }))
    release()
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/data changed during the export/))
    expect(downloads).toHaveLength(0)
  })
})
