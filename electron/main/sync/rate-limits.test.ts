import { afterEach, describe, expect, it } from 'vitest'
import type { Core } from '../core'
import { realConnector } from './real-connectors'
import type { SimConfig } from './simulator'
import { syncNow } from './sync-engine/testing/setup'
import { checkIntegrity, FAST_RETRY, simWorkspace } from './testing/sim-setup'
import { TEST_CALLER } from '../test-support'

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

  it('sits out a throttle longer than an hour in the queue: the job waits, persisted, until the time Meta gave, then resumes', async () => {
    let now = NOW
    const w = await simWorkspace(['meta'], { config: CONFIG }, { now: () => now })
    core = w.core
    const slept: number[] = []
    w.useConnectors((platform, ctx) =>
      realConnector(platform, { ...ctx, fetch: w.fetch, retry: FAST_RETRY, sleep: async (ms) => void slept.push(ms) }),
    )
    // Meta asks to come back in 90 minutes: longer than a request sits out in place (one hour).
    w.state.faults.set({ script: ['rate_limit'], metaRegainMinutes: 90 })
    const waiting = new Promise<string>((resolve) => {
      w.core.events.on('job:progress', (p) => {
        if (p.step === 'waiting') resolve(p.message)
      })
    })
    const env = await w.core.dispatch('sync:start', { workspaceId: w.workspaceId, mode: 'full' }, TEST_CALLER)
    if (!env.ok) throw new Error(env.error.message)
    const { jobId } = env.value as { jobId: number }
    expect(await waiting).toMatch(
      /^Rate-limited: waiting until 19:30 UTC \(1 h 30 min\) as the platform asked, then Alder & Pine US, Alder & Pine Europe resume where they stopped\. Meta ad accounts/,
    )
    expect(slept).not.toContain(90 * 60_000)
    const job = w.core.jobs.get(jobId)
    expect(job?.status).toBe('queued')
    // The wait is in the job's row (a restart keeps it) and does not use up an attempt.
    const row = w.core.store.sqlite.prepare('SELECT run_after, attempts FROM jobs WHERE id = ?').get(jobId) as {
      run_after: string
      attempts: number
    }
    expect(row).toEqual({ run_after: '2026-06-01T19:30:00.000Z', attempts: 0 })
    for (const account of w.core.workspaces.accounts(w.workspaceId))
      expect(account.statusMessage).toMatch(/^Meta asked to wait until 19:30 UTC: this account's sync resumes then/)

    // The time comes (the queue's timer, or waking from sleep): the account resumes and finishes.
    now = new Date(NOW.getTime() + 91 * 60_000)
    w.core.jobs.wake()
    const done = await w.core.jobs.waitFor(jobId)
    expect(done.status).toBe('succeeded')
    expect(w.state.faults.injected.rate_limit).toBe(1)
    expect(w.core.workspaces.accounts(w.workspaceId).map((a) => a.statusMessage)).toEqual([null, null])
    expect(checkIntegrity(w.core, w.workspaceId)).toEqual({ duplicates: 0, rollupMismatches: 0 })
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
