import { afterEach, describe, expect, it } from 'vitest'
import type { Core } from '../core'
import { realConnector } from './real-connectors'
import type { SimConfig } from './simulator'
import { syncNow } from './sync-engine/testing/setup'
import { FAST_RETRY, simWorkspace } from './testing/sim-setup'

const CONFIG: SimConfig = { seed: 7, campaigns: 8, days: 120, endDate: '2026-05-31' }
const NOW = new Date('2026-06-01T18:00:00Z')

let core: Core | null = null
afterEach(async () => {
  await core?.close()
  core = null
})

describe('rate-limit manners', () => {
  it("waits out Meta's estimated_time_to_regain_access instead of failing, showing the wait in the job message", async () => {
    const w = await simWorkspace(['meta'], { config: CONFIG }, { now: () => NOW })
    core = w.core
    const slept: number[] = []
    w.useConnectors((platform, ctx) =>
      realConnector(platform, {
        ...ctx,
        fetch: w.fetch,
        retry: FAST_RETRY,
        sleep: async (ms) => void slept.push(ms),
      }),
    )
    const messages: string[] = []
    w.core.events.on('job:progress', (p) => void messages.push(p.message))
    // The next Meta request is throttled for 5 minutes (error 80000 with the usage header).
    w.state.faults.set({ script: ['rate_limit'], metaRegainMinutes: 5 })
    const run = await syncNow(w.core, w.workspaceId, { mode: 'full' })
    expect(run.status).toBe('succeeded')
    expect(slept).toContain(300_000)
    expect(
      messages.some((m) => /Rate-limited: waiting for Meta until 18:05 UTC \(5 min\), as the platform asked/.test(m)),
    ).toBe(true)
    expect(w.state.faults.injected.rate_limit).toBe(1)
  })

  it('Snapchat lists ads and ad squads once per sync, not once per date window', async () => {
    const w = await simWorkspace(['snapchat'], { config: CONFIG }, { now: () => NOW })
    core = w.core
    const listed: string[] = []
    const f = w.fetch
    w.useConnectors((platform, ctx) =>
      realConnector(platform, {
        ...ctx,
        retry: FAST_RETRY,
        fetch: async (input, init) => {
          const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
          if (/\/adaccounts\/[^/]+\/(ads|adsquads)$/.test(url.pathname) && !url.searchParams.has('cursor'))
            listed.push(url.pathname.split('/').pop() as string)
          return f(input, init)
        },
      }),
    )
    const run = await syncNow(w.core, w.workspaceId, { mode: 'full' })
    expect(run.status).toBe('succeeded')
    const accounts = w.state.accountsOf('snapchat').length
    // 120 days are 4+ windows per account; each list is requested once per account.
    expect(listed.filter((x) => x === 'ads')).toHaveLength(accounts)
    expect(listed.filter((x) => x === 'adsquads')).toHaveLength(accounts)
  })
})
