import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { contract } from '../../../shared/ipc/contract'
import { createTestCore } from '../test-support'
import type { RecommendationDraft } from '../store/repos/recommendations-repo'
import { AccountDrafter, type AccountDrafts } from './account-draft'
import { DraftThread } from './draft-thread'

/*
 * A generation on a store file drafts accounts on the core's thread and on a draft worker at once;
 * the drafts must be those of drafting every account on the core's thread, in the same order.
 */
type TestCore = ReturnType<typeof createTestCore>
let core: TestCore
let dir = ''
let workspaceId = 0

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'me-draft-worker-'))
  core = createTestCore({ dbPath: join(dir, 'store.db'), now: () => new Date('2026-06-21T12:00:00Z') })
  const id = core.jobs.enqueue('demo:build', { campaigns: 24, days: 120, endDate: '2026-06-28', through: '2026-06-20' })
  const job = await core.jobs.waitFor(id)
  expect(job.status).toBe('succeeded')
  workspaceId = (core.jobs.result(id) as { workspaceId: number }).workspaceId
  // The build queued a generation and a training: neither runs beside the drafts compared here.
  await core.services.recommendations.idle()
  await core.jobs.stop()
}, 120_000)

afterAll(async () => {
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

/** The A/B test suggestions of the workspace computed on the core's thread (the Experiments page's defaults). */
const suggestionsHere = () =>
  core.services.experiments.suggest(contract['experiments:suggest'].input.parse({ workspaceId }))

/**
 * The worker's account answers held until `release()` (each drafted by the worker as it is asked);
 * `asked`: the accounts it was asked for. Restore with `slow.mockRestore()`.
 */
function holdWorkerAccounts() {
  let release = (): void => undefined
  const held = new Promise<void>((r) => (release = r))
  const asked: number[] = []
  const ask = DraftThread.prototype.account
  const slow = vi.spyOn(DraftThread.prototype, 'account').mockImplementation(async function (this: DraftThread, r) {
    asked.push(r.account.id)
    const p = ask.call(this, r)
    await held
    return p
  })
  return { asked, release: () => release(), slow }
}

describe('draft worker', () => {
  it('computes the A/B test suggestions the core computes', async () => {
    const thread = DraftThread.start(join(dir, 'store.db'))
    expect(thread).not.toBeNull()
    try {
      const input = contract['experiments:suggest'].input.parse({ workspaceId })
      const got = await thread?.suggest(input)
      expect(got?.length).toBeGreaterThan(0)
      expect(got).toEqual(suggestionsHere())
    } finally {
      await thread?.close()
    }
  })

  it('gives the drafts of a generation on one thread, in the same order', async () => {
    const svc = core.services.recommendations
    // The build's generation gave its suggestions to the page reads: forgotten, as after a sync.
    core.events.emit('data:changed', { tables: ['daily_metrics'], workspaceId })
    // The suggestions answered at once (the same as the worker's, test above), so the worker
    // takes an account before the core's thread has drafted them all on this small store.
    const suggested = vi.spyOn(DraftThread.prototype, 'suggest').mockResolvedValue(suggestionsHere())
    // The worker's answers by account; the core's thread starts an account the worker was asked for
    // (its race for the worker's last task) only once the worker has answered it, so the drafts
    // compared below hold the worker's own drafts of those accounts.
    const answers = new Map<number, Promise<AccountDrafts | null>>()
    const ask = DraftThread.prototype.account
    const onWorker = vi.spyOn(DraftThread.prototype, 'account').mockImplementation(function (this: DraftThread, r) {
      const p = ask.call(this, r)
      answers.set(r.account.id, p)
      return p
    })
    const draftHere = AccountDrafter.prototype.draft
    const here = vi.spyOn(AccountDrafter.prototype, 'draft').mockImplementation(async function (
      this: AccountDrafter,
      ...args: Parameters<AccountDrafter['draft']>
    ) {
      await answers.get(args[1].id)?.catch(() => null)
      return draftHere.apply(this, args)
    })
    const both = await svc.draft(workspaceId)
    expect(suggested).toHaveBeenCalledTimes(1)
    here.mockRestore()
    onWorker.mockRestore()
    suggested.mockRestore()
    // Each account the worker was asked for was answered by it (a draft, or null: no settled data).
    expect(answers.size).toBeGreaterThan(0)
    const fromWorker = await Promise.all([...answers.values()])
    expect(fromWorker.some((r) => r !== null && r.drafts.length > 0)).toBe(true)
    const start = vi.spyOn(DraftThread, 'start').mockReturnValue(null)
    const one = await svc.draft(workspaceId)
    start.mockRestore()
    expect(one.drafts.length).toBeGreaterThan(10)
    expect(one.drafts.some((d) => d.kind === 'ab_test')).toBe(true)
    expect(JSON.stringify(both)).toBe(JSON.stringify(one))
    // The worker's drafts are in the result as drafted there.
    for (const r of fromWorker)
      for (const d of r?.drafts ?? [])
        expect(both.drafts.some((x) => JSON.stringify(x) === JSON.stringify(d))).toBe(true)
  })

  it("gives the suggestions it computed to the page reads (the Experiments page's answer), or lets them compute it if it failed", async () => {
    const svc = core.services.recommendations
    const input = contract['experiments:suggest'].input.parse({ workspaceId })
    // Nothing kept: a data change forgets the page reads' answers.
    core.events.emit('data:changed', { tables: ['daily_metrics'], workspaceId })
    expect(core.pageReads.has('experiments:suggest', input)).toBe(false)
    let answered: unknown = null
    const suggested = vi.spyOn(DraftThread.prototype, 'suggest').mockImplementation(async function (this: DraftThread) {
      // Kept (being computed) while the worker computes them: a page asking now waits for this answer.
      expect(core.pageReads.has('experiments:suggest', input)).toBe(true)
      answered = suggestionsHere()
      return answered as ReturnType<typeof suggestionsHere>
    })
    const drafted = await svc.draft(workspaceId)
    suggested.mockRestore()
    expect(drafted.drafts.filter((d) => d.kind === 'ab_test').length).toBeGreaterThan(0)
    // The page's answer is the generation's own (the same object: not computed again).
    expect(await core.pageReads.get('experiments:suggest', input)).toBe(answered)

    // A draft that fails leaves the read to the page reads, which compute it: a page already waiting
    // for the generation's answer when the draft fails gets theirs.
    core.events.emit('data:changed', { tables: ['daily_metrics'], workspaceId })
    let waiting: Promise<unknown> | null = null
    const fail = vi.spyOn(AccountDrafter.prototype, 'draft').mockImplementation(() => {
      expect(core.pageReads.has('experiments:suggest', input)).toBe(true)
      waiting ??= core.pageReads.get('experiments:suggest', input)
      return Promise.reject(new Error('a read failed'))
    })
    const never = vi.spyOn(DraftThread.prototype, 'suggest').mockReturnValue(new Promise<never>(() => {}))
    await expect(svc.draft(workspaceId)).rejects.toThrow('a read failed')
    fail.mockRestore()
    never.mockRestore()
    expect(waiting).not.toBeNull()
    expect(await waiting).toEqual(suggestionsHere())
  })

  it("gives the page reads the worker's suggestions as soon as they are known, before an account is drafted", async () => {
    const svc = core.services.recommendations
    const input = contract['experiments:suggest'].input.parse({ workspaceId })
    core.events.emit('data:changed', { tables: ['daily_metrics'], workspaceId })
    const answer = suggestionsHere()
    const suggested = vi.spyOn(DraftThread.prototype, 'suggest').mockResolvedValue(answer)
    // The core's thread's accounts wait until the page has its answer, or until the worker has
    // answered an account (then the page waited for the drafts: the order below fails at once, no
    // deadlock).
    const order: string[] = []
    let open = (): void => undefined
    const gate = new Promise<void>((resolve) => (open = resolve))
    const draftHere = AccountDrafter.prototype.draft
    const held = vi.spyOn(AccountDrafter.prototype, 'draft').mockImplementation(async function (
      this: AccountDrafter,
      ...args: Parameters<AccountDrafter['draft']>
    ) {
      await gate
      return draftHere.apply(this, args)
    })
    const ask = DraftThread.prototype.account
    const onWorker = vi.spyOn(DraftThread.prototype, 'account').mockImplementation(function (this: DraftThread, r) {
      return ask.call(this, r).finally(() => {
        order.push('worker drafted an account')
        open()
      })
    })
    try {
      const draft = svc.draft(workspaceId).then((r) => {
        order.push('drafted')
        return r
      })
      const page = core.pageReads.get('experiments:suggest', input).then((v) => {
        order.push('page')
        open()
        return v
      })
      expect((await draft).drafts.filter((d) => d.kind === 'ab_test').length).toBeGreaterThan(0)
      const got = await page
      expect(order[0]).toBe('page')
      expect(got).toBe(answer)
    } finally {
      open()
      held.mockRestore()
      onWorker.mockRestore()
      suggested.mockRestore()
    }
  })

  it("gives the page reads the suggestions computed in the race for the worker's last task, and on the core's thread alone", async () => {
    const svc = core.services.recommendations
    const input = contract['experiments:suggest'].input.parse({ workspaceId })
    // The suggestions this thread computes (the race's, or the core thread's after the accounts).
    const here: unknown[] = []
    const service = svc as unknown as { suggestionsSliced: (...args: unknown[]) => Promise<unknown> }
    const sliced = service.suggestionsSliced
    const computedHere = vi.spyOn(service, 'suggestionsSliced').mockImplementation(async function (
      this: unknown,
      ...args: unknown[]
    ) {
      const v = await sliced.apply(this, args)
      here.push(v)
      return v
    })
    try {
      // The worker never answers the suggestions: the core's thread computes them in the race.
      core.events.emit('data:changed', { tables: ['daily_metrics'], workspaceId })
      const never = vi.spyOn(DraftThread.prototype, 'suggest').mockReturnValue(new Promise<never>(() => {}))
      const draft = svc.draft(workspaceId)
      const page = core.pageReads.get('experiments:suggest', input)
      await draft
      never.mockRestore()
      expect(here.length).toBe(1)
      // The race's own answer (the same object), not one the page reads computed after the draft.
      expect(await page).toBe(here[0])

      // No worker: the core's thread computes them after its accounts.
      core.events.emit('data:changed', { tables: ['daily_metrics'], workspaceId })
      const start = vi.spyOn(DraftThread, 'start').mockReturnValue(null)
      const alone = svc.draft(workspaceId)
      const pageAlone = core.pageReads.get('experiments:suggest', input)
      await alone
      start.mockRestore()
      expect(here.length).toBe(2)
      expect(await pageAlone).toBe(here[1])
    } finally {
      computedHere.mockRestore()
    }
  })

  it('stops the worker when a draft fails on the core thread', async () => {
    const svc = core.services.recommendations
    const close = vi.spyOn(DraftThread.prototype, 'close')
    const fail = vi.spyOn(AccountDrafter.prototype, 'draft').mockRejectedValue(new Error('a read failed'))
    await expect(svc.draft(workspaceId)).rejects.toThrow('a read failed')
    fail.mockRestore()
    expect(close).toHaveBeenCalledTimes(1)
    close.mockRestore()
  })

  it('drafts here what a failed worker did not answer', async () => {
    const svc = core.services.recommendations
    const start = vi.spyOn(DraftThread, 'start').mockReturnValue(null)
    const one = await svc.draft(workspaceId)
    start.mockRestore()
    const suggested = vi.spyOn(DraftThread.prototype, 'suggest').mockResolvedValue(suggestionsHere())
    const fail = vi.spyOn(DraftThread.prototype, 'account').mockRejectedValue(new Error('worker gone'))
    const failed = await svc.draft(workspaceId)
    expect(fail).toHaveBeenCalled()
    fail.mockRestore()
    suggested.mockRestore()
    expect(JSON.stringify(failed)).toBe(JSON.stringify(one))
  })
  it("overtakes a worker that does not answer: its task is done here too, after RACE_AFTER times this thread's pace for an account", async () => {
    const svc = core.services.recommendations
    const start = vi.spyOn(DraftThread, 'start').mockReturnValue(null)
    const one = await svc.draft(workspaceId)
    start.mockRestore()
    const never = new Promise<never>(() => {})
    // A worker still on the suggestions when the core's thread has drafted every account.
    const slowSuggest = vi.spyOn(DraftThread.prototype, 'suggest').mockReturnValue(never)
    expect(JSON.stringify(await svc.draft(workspaceId))).toBe(JSON.stringify(one))
    // A worker still on its account (the smallest) when the core's thread has drafted the others.
    slowSuggest.mockResolvedValue(suggestionsHere())
    const slowAccount = vi.spyOn(DraftThread.prototype, 'account').mockReturnValue(never)
    expect(JSON.stringify(await svc.draft(workspaceId))).toBe(JSON.stringify(one))
    expect(slowAccount).toHaveBeenCalledTimes(1)
    slowAccount.mockRestore()
    slowSuggest.mockRestore()
  })

  it("lets the caller work on the drafts made so far while it waits for the worker's last account, and a generation saves the bodies of every draft", async () => {
    const svc = core.services.recommendations
    const start = vi.spyOn(DraftThread, 'start').mockReturnValue(null)
    const one = await svc.draft(workspaceId)
    start.mockRestore()
    const suggested = vi.spyOn(DraftThread.prototype, 'suggest').mockResolvedValue(suggestionsHere())
    // The worker's accounts are answered only once the caller's work has run.
    const { asked, release, slow } = holdWorkerAccounts()
    const given: (readonly RecommendationDraft[])[] = []
    const both = await svc.draft(workspaceId, undefined, async (drafts) => {
      given.push(drafts)
      release()
    })
    slow.mockRestore()
    suggested.mockRestore()
    expect(JSON.stringify(both)).toBe(JSON.stringify(one))
    // Called once, with drafts of the accounts this thread drafted (the same objects as returned).
    expect(given).toHaveLength(1)
    const first = given[0] ?? []
    expect(first.length).toBeGreaterThan(0)
    expect(asked.length).toBeGreaterThan(0)
    for (const d of first) {
      expect(both.drafts.includes(d)).toBe(true)
      for (const e of d.body.entities) expect(asked).not.toContain(e.accountId)
    }

    // A generation (bodies serialised in part while it waits) saves every draft's body as drafted.
    const generated = await svc.generate(workspaceId)
    expect(generated.inserted + generated.updated).toBe(one.drafts.length)
    const saved = svc.list(workspaceId, undefined, { limit: 1_000 }).items
    for (const d of one.drafts) {
      const s = saved.find((r) => r.key === d.key)
      expect(s?.body.summary).toBe(d.body.summary)
    }
  })

  it('does not race a worker that is on time for its last account', async () => {
    const svc = core.services.recommendations
    const start = vi.spyOn(DraftThread, 'start').mockReturnValue(null)
    const one = await svc.draft(workspaceId)
    start.mockRestore()
    // The suggestions forgotten (as after a sync): the worker computes them first.
    core.events.emit('data:changed', { tables: ['daily_metrics'], workspaceId })
    // A clock that moves only as this thread drafts its first four accounts (10 s each); the
    // worker's suggestions are answered then, so it starts its (last) account at 40 s, and it
    // answers as soon as this thread has nothing left: well within twice this thread's pace.
    let now = 0
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now)
    let four = (): void => undefined
    const fourDrafted = new Promise<void>((r) => (four = r))
    const suggested = vi
      .spyOn(DraftThread.prototype, 'suggest')
      .mockImplementation(() => fourDrafted.then(() => suggestionsHere()))
    const draftHere = AccountDrafter.prototype.draft
    const draftedHere: number[] = []
    const here = vi.spyOn(AccountDrafter.prototype, 'draft').mockImplementation(async function (
      this: AccountDrafter,
      ...args: Parameters<AccountDrafter['draft']>
    ) {
      const r = await draftHere.apply(this, args)
      draftedHere.push(args[1].id)
      if (draftedHere.length <= 4) now += 10_000
      if (draftedHere.length === 4) four()
      return r
    })
    const { asked, release, slow } = holdWorkerAccounts()
    try {
      const both = await svc.draft(workspaceId, undefined, async () => release())
      expect(JSON.stringify(both)).toBe(JSON.stringify(one))
    } finally {
      slow.mockRestore()
      here.mockRestore()
      clock.mockRestore()
      suggested.mockRestore()
    }
    expect(asked).toHaveLength(1)
    // Every account was drafted once: the worker's not here too.
    expect(draftedHere).toHaveLength(one.drafts.length > 0 ? 5 : 0)
    expect(draftedHere).not.toContain(asked[0])
  })
})
