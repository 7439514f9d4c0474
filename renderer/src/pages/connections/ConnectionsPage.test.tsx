// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiError, setClient } from '../../api/client'
import { useWorkspaceStore } from '../../stores/workspace-store'
import { createFakeClient, type FakeClient } from '../../test/fake-client'
import { ConnectionsPage } from './ConnectionsPage'

afterEach(() => {
  cleanup()
  setClient(null)
})

const account = {
  id: 7,
  platform: 'meta' as const,
  externalId: 'act_123',
  name: 'Alder US',
  currency: 'USD',
  timeZone: 'America/Los_Angeles',
  status: 'needs_reconnect' as const,
  statusMessage: 'Token expired — reconnect this account on the Connections page.',
  lastSyncedAt: '2026-06-14T10:00:00.000Z',
  nextSyncAt: null,
  syncedThrough: '2026-06-14',
  provisionalFrom: '2026-05-18',
  restatementDays: 28,
  rows: 1234,
}

async function setup(): Promise<FakeClient> {
  const client = createFakeClient({
    'workspaces:list': () => [
      { id: 1, name: 'Demo', reportingCurrency: 'USD', isDemo: true, accountCount: 1, createdAt: '2026-01-01' },
    ],
    'connections:list': () => [
      {
        id: 3,
        workspaceId: 1,
        platform: 'meta',
        label: 'Alder',
        status: 'active',
        lastError: null,
        simulated: false,
        baseUrl: 'https://graph.facebook.com/v25.0',
        apiVersion: 'v25.0',
        apiNotice: {
          level: 'warning' as const,
          message: 'Meta Marketing API v25.0 will be retired on 2027-02-23 (in 30 days): switch to v27.0 …',
        },
        createdAt: '2026-01-01',
        accounts: [account],
      },
    ],
    'sync:listRuns': () => [],
    'sync:getConfig': () => ({
      backfillMonths: 13,
      restatementDays: {},
      baseUrls: {},
      tokenUrls: {},
      apiVersions: { meta: 'v25.0' },
      effective: {
        restatementDays: { meta: 28, google_ads: 30, tiktok: 28, snapchat: 28 },
        baseUrls: {},
        apiVersions: { meta: 'v25.0', google_ads: 'v26', tiktok: 'v1.3', snapchat: 'v1' },
        attribution: {
          meta: { code: 'meta:ad_set', label: "each ad set's attribution setting, as in Ads Manager" },
          tiktok: { code: 'tiktok:ad_group', label: "each ad group's attribution setting, as in TikTok Ads Manager" },
          snapchat: { code: 'snapchat:account', label: "the ad account's attribution setting, as in Ads Manager" },
        },
      },
      apiVersionChoices: {
        meta: [
          { version: 'v25.0', sunset: '2027-02-23', current: false },
          { version: 'v27.0', sunset: null, current: true },
        ],
      },
    }),
    'sync:updateConfig': (input: unknown) => ({
      backfillMonths: 13,
      restatementDays: {},
      baseUrls: {},
      tokenUrls: {},
      apiVersions: {},
      attribution: {
        ...((input as { attribution?: { snapchat?: unknown } }).attribution?.snapchat
          ? { snapchat: { swipe: '7_DAY' as const, view: 'NONE' as const } }
          : {}),
        ...((input as { attribution?: { meta?: unknown } }).attribution?.meta
          ? { meta: { click: '1d_click' as const, view: 'none' as const } }
          : {}),
      },
      effective: {
        restatementDays: { meta: 28, google_ads: 30, tiktok: 28, snapchat: 28 },
        baseUrls: {},
        apiVersions: {},
        attribution: {},
      },
      apiVersionChoices: {},
    }),
    'sync:getStatus': () => ({ running: null, lastRun: null, nextSyncAt: null, intervalHours: 4 }),
    'sync:start': () => ({ jobId: 42, alreadyRunning: false }),
    'jobs:list': () => [],
    'connections:connect': () => {
      throw new ApiError('UNAUTHORIZED', 'Could not validate the meta credentials: Invalid OAuth access token')
    },
  })
  setClient(client)
  await act(async () => {
    await useWorkspaceStore.getState().loadWorkspaces()
  })
  return client
}

describe('ConnectionsPage', () => {
  it('shows each account with its state, the fix for its error and its provisional days', async () => {
    await setup()
    render(<ConnectionsPage />)
    const row = await screen.findByTestId('account-7')
    expect(row.textContent).toContain('Needs reconnect')
    expect(row.textContent).toContain('Token expired — reconnect this account')
    expect(row.textContent).toContain('Provisional from 2026-05-18')
    expect(row.textContent).toContain('1,234')
    expect((await screen.findByTestId('api-notice-meta')).textContent).toContain('will be retired on 2027-02-23')
    expect(screen.getByTestId('connection-meta').textContent).toContain('API v25.0')
    const pick = (await screen.findByLabelText('Meta API version')) as HTMLSelectElement
    expect(pick.value).toBe('v25.0')
    // No sync run yet, but the account holds data: the header says as of when, not "not synced".
    expect(screen.getByText(/^Data as of .+ · no sync run yet$/)).toBeTruthy()
  })

  it("says which attribution each platform's conversions follow and pins Meta's and Snapchat's windows", async () => {
    const client = await setup()
    render(<ConnectionsPage />)
    expect((await screen.findByTestId('attribution-tiktok')).textContent).toBe(
      "each ad group's attribution setting, as in TikTok Ads Manager",
    )
    const meta = (await screen.findByLabelText('Meta attribution window')) as HTMLSelectElement
    expect(meta.value).toBe('')
    fireEvent.change(meta, { target: { value: '1d_click/none' } })
    await act(async () => undefined)
    expect(client.calls.filter((c) => c.channel === 'sync:updateConfig').map((c) => c.input)).toEqual([
      { attribution: { meta: { click: '1d_click', view: 'none' } } },
    ])
    expect(meta.value).toBe('1d_click/none')
    const snap = (await screen.findByLabelText('Snapchat attribution window')) as HTMLSelectElement
    expect(snap.value).toBe('')
    fireEvent.change(snap, { target: { value: '7_DAY/NONE' } })
    await act(async () => undefined)
    expect(client.calls.filter((c) => c.channel === 'sync:updateConfig').at(-1)?.input).toEqual({
      attribution: { snapchat: { swipe: '7_DAY', view: 'NONE' } },
    })
    expect(snap.value).toBe('7_DAY/NONE')
  })

  it('starts a sync and shows the validation error of a failed connect without clearing the form', async () => {
    const client = await setup()
    render(<ConnectionsPage />)
    // Sync now is enabled once the page knows the workspace has a connection.
    await screen.findByTestId('account-7')
    fireEvent.click(screen.getByTestId('sync-now'))
    await act(async () => undefined)
    expect(client.calls.find((c) => c.channel === 'sync:start')?.input).toEqual({ workspaceId: 1, mode: 'incremental' })
    const form = screen.getByTestId('connect-form')
    const inputs = form.querySelectorAll('input')
    fireEvent.change(inputs[0] as HTMLInputElement, { target: { value: 'EAAB-not-valid' } })
    fireEvent.change(inputs[1] as HTMLInputElement, { target: { value: '123, act_456' } })
    fireEvent.submit(form)
    expect(await screen.findByText(/Invalid OAuth access token/)).toBeTruthy()
    expect(client.calls.find((c) => c.channel === 'connections:connect')?.input).toEqual({
      workspaceId: 1,
      credentials: { platform: 'meta', accessToken: 'EAAB-not-valid', accountIds: ['123', 'act_456'] },
    })
    expect((inputs[1] as HTMLInputElement).value).toBe('123, act_456')
  })
})
