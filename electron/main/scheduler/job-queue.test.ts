import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { EventBus } from '../events'
import { openStore, type Store } from '../store/db'
import {
  CancelledError,
  JobQueue,
  MAX_GIVE_WAY,
  MAX_HOLD_MS,
  RunLaterError,
  throwIfAborted,
  type JobContext,
} from './job-queue'
import { sourceResourcesDir } from '../platform/node'
import { join } from 'node:path'
import { mkdtempSync, rmSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import Database from 'better-sqlite3'
import { StoreOwnership } from '../store/ownership'
import { JobsRepo } from '../store/repos/jobs-repo'
import { mlTrainJob } from '../ml/module'
import type { ForecastService } from '../ml/forecast-service'

const migrationsFolder = join(sourceResourcesDir(), 'migrations')
/** The tests' own job kinds (the app's are in JOB_KINDS). */
const TEST_KINDS = {
  count: z.object({ n: z.number() }),
  k: z.object({ n: z.number() }).partial(),
  slow: z.object({}),
  flaky: z.object({ okOn: z.number() }),
  resume: z.object({}),
  busy: z.object({}),
  check: z.object({ n: z.number() }),
}
type TestQueue = JobQueue<typeof TEST_KINDS>
let store: Store | null = null
const queues: TestQueue[] = []
afterEach(async () => {
  for (const q of queues.splice(0)) await q.stop()
  store?.close()
})

/** A queue over `sqlite` whose process owns the store (no lease timer: tests tick by hand). */
function queueOn(
  sqlite: Store['sqlite'],
  events: EventBus,
  opts: { now?: () => Date; retentionDays?: number; ownership?: StoreOwnership; concurrency?: number } = {},
): TestQueue {
  const now = opts.now ?? ((): Date => new Date())
  const ownership = opts.ownership ?? new StoreOwnership(sqlite, { label: 'a test', timer: false })
  const q = new JobQueue(
    new JobsRepo(sqlite),
    events,
    ownership,
    { now, retentionDays: opts.retentionDays, concurrency: opts.concurrency },
    TEST_KINDS,
  )
  queues.push(q)
  return q
}

function setup(concurrency?: number): { q: TestQueue; events: EventBus; store: Store } {
  store = openStore({ path: ':memory:', migrationsFolder })
  const events = new EventBus()
  const q = queueOn(store.sqlite, events, { concurrency })
  return { q, events, store }
}

/**
 * Waits for a queue's state without polling: `until(check)` resolves once `check()` holds, tested at once,
 * at every event of the bus and at every `poke()` (the tests' run functions poke as they start or stop).
 * No timeout of its own: the test's timeout applies, so a slow machine waits longer instead of failing.
 */
function watch(events: EventBus): { until: (check: () => boolean) => Promise<void>; poke: () => void } {
  const waiting = new Set<() => void>()
  const poke = (): void => {
    for (const test of [...waiting]) test()
  }
  events.onAny(poke)
  return {
    poke,
    until: (check) =>
      new Promise<void>((resolve) => {
        const test = (): void => {
          if (!check()) return
          waiting.delete(test)
          resolve()
        }
        waiting.add(test)
        test()
      }),
  }
}

/** A 'busy' kind whose every run waits for its gate (on `gates` before it pokes), noting its start in `log`. */
function registerBusy(q: TestQueue, poke: () => void, gates: (() => void)[], log?: string[]): void {
  q.register({
    kind: 'busy',
    maxAttempts: 1,
    run: async () => {
      log?.push('busy')
      const gate = new Promise<void>((r) => gates.push(r))
      poke()
      await gate
    },
  })
}

/**
 * A queue of two slots on an in-memory store with the clock `clock.now`: a 'slow' kind that gives way
 * to 'busy' jobs (gated by `gates`), both noting their starts in `started`, and a 'count' kind.
 */
function heldQueue(clock: { now: Date }): {
  q: TestQueue
  events: EventBus
  until: (check: () => boolean) => Promise<void>
  started: string[]
  gates: (() => void)[]
} {
  store = openStore({ path: ':memory:', migrationsFolder })
  const events = new EventBus()
  const { until, poke } = watch(events)
  const q = queueOn(store.sqlite, events, { now: () => clock.now, concurrency: 2 })
  const started: string[] = []
  const gates: (() => void)[] = []
  q.register({
    kind: 'slow',
    maxAttempts: 1,
    yieldsTo: { kinds: ['busy'], message: 'Waiting for the busy job' },
    run: async () => {
      started.push('slow')
      poke()
    },
  })
  registerBusy(q, poke, gates, started)
  q.register({ kind: 'count', maxAttempts: 1, run: async ({ n }) => n })
  return { q, events, until, started, gates }
}

describe('JobQueue', () => {
  it('runs a job, stores its result and throttles progress events', async () => {
    const { q, events } = setup()
    const progress: number[] = []
    events.on('job:progress', (p) => progress.push(p.current))
    q.register({
      kind: 'count',
      maxAttempts: 1,
      run: async ({ n }, ctx) => {
        for (let i = 1; i <= n; i++) ctx.progress('Counting', i, n, `at ${i}`)
        return { sum: (n * (n + 1)) / 2 }
      },
    })
    q.start()
    const id = q.enqueue('count', { n: 10_000 })
    const job = await q.waitFor(id)
    expect(job.status).toBe('succeeded')
    expect(q.result(id)).toEqual({ sum: 50_005_000 })
    // 10,000 progress calls inside 200 ms windows collapse to a handful, and the last one is final.
    expect(progress.length).toBeLessThan(20)
    expect(progress.at(-1)).toBe(10_000)
    expect(q.get(id)?.current).toBe(10_000)
  })

  it('progress reported after a job ended (a worker message still in flight) changes nothing, even once the store is closed', async () => {
    const { q, events, store: st } = setup()
    let late: JobContext | null = null
    q.register({
      kind: 'count',
      maxAttempts: 1,
      run: async ({ n }, ctx) => {
        late = ctx
        ctx.progress('Counting', n, n, 'done')
        return null
      },
    })
    q.start()
    const id = q.enqueue('count', { n: 3 })
    expect((await q.waitFor(id)).status).toBe('succeeded')
    const after: string[] = []
    events.on('job:progress', (p) => after.push(p.step))
    const ctx = late as unknown as JobContext
    // A final report (current = total) is written at once, whatever the throttle.
    ctx.progress('Late', 5, 5, 'after the end')
    expect(after).toEqual([])
    expect(q.get(id)).toMatchObject({ step: 'Counting', current: 3, total: 3 })
    await q.stop()
    st.close()
    expect(() => ctx.progress('Later', 5, 5)).not.toThrow()
    expect(after).toEqual([])
  })

  it('refuses an invalid payload at enqueue, naming the kind and the field, and stores nothing', () => {
    const { q, store } = setup()
    q.register({ kind: 'k', maxAttempts: 1, run: async () => null })
    // @ts-expect-error -- a wrong payload type does not compile either
    expect(() => q.enqueue('k', { n: 'x' })).toThrow(
      'Invalid k payload at n: Invalid input: expected number, received string',
    )
    // @ts-expect-error -- nor does a kind outside the table
    expect(() => q.enqueue('nope', {})).toThrow('Unknown job kind "nope" (kinds: count, k, slow')
    expect(() => q.enqueue('count', { n: 1 })).toThrow('No handler for job kind "count" is registered in this process')
    expect(store.sqlite.prepare('SELECT COUNT(*) FROM jobs').pluck().get()).toBe(0)
    // @ts-expect-error -- registering a kind outside the table does not compile, and throws
    expect(() => q.register({ kind: 'other', maxAttempts: 1, run: async () => null })).toThrow(
      'Job kind "other" is not in the table of job kinds',
    )
    expect(() => q.register({ kind: 'k', maxAttempts: 1, run: async () => null })).toThrow('registered twice')
  })

  it('fails a stored job whose payload no longer matches its schema, with the reason', async () => {
    const { q, store } = setup()
    const ran: unknown[] = []
    q.register({ kind: 'count', maxAttempts: 1, run: async (p) => ran.push(p) })
    store.sqlite
      .prepare(
        `INSERT INTO jobs (kind, payload, status, attempts, max_attempts) VALUES ('count', '{"n":"7"}', 'queued', 0, 1)`,
      )
      .run()
    q.start()
    const job = await q.waitFor(1)
    expect(job.status).toBe('failed')
    expect(job.error).toBe('Invalid count payload at n: Invalid input: expected number, received string')
    expect(ran).toEqual([])
  })

  it('cancels a running job through its AbortSignal and a queued one at once', async () => {
    const { q, events } = setup()
    const { until, poke } = watch(events)
    const finished: string[] = []
    events.on('job:finished', (f) => finished.push(`${f.jobId}:${f.status}`))
    q.register({
      kind: 'slow',
      maxAttempts: 3,
      run: async (_p, ctx) => {
        poke()
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()))
        throwIfAborted(ctx.signal)
      },
    })
    q.start()
    const a = q.enqueue('slow', {})
    const b = q.enqueue('slow', {})
    await until(() => q.get(a)?.status === 'running')
    expect(q.cancel(b)).toBe(true)
    expect(q.get(b)?.status).toBe('cancelled')
    expect(q.cancel(a)).toBe(true)
    const job = await q.waitFor(a)
    expect(job.status).toBe('cancelled')
    // a cancelled job is not retried
    expect(job.attempts).toBe(1)
    expect(finished).toContain(`${a}:cancelled`)
    expect(q.cancel(a)).toBe(false)
  })

  it('retries up to the kind limit, then fails with the last error', async () => {
    const { q } = setup()
    let calls = 0
    q.register({
      kind: 'flaky',
      maxAttempts: 3,
      retryDelayMs: () => 5,
      run: async ({ okOn }) => {
        calls++
        if (calls < okOn) throw new Error(`boom ${calls}`)
        return 'done'
      },
    })
    q.start()
    const good = await q.waitFor(q.enqueue('flaky', { okOn: 3 }))
    expect(good.status).toBe('succeeded')
    expect(good.attempts).toBe(3)
    calls = 0
    const bad = await q.waitFor(q.enqueue('flaky', { okOn: 99 }))
    expect(bad.status).toBe('failed')
    expect(bad.attempts).toBe(3)
    expect(bad.error).toBe('boom 3')
  })

  it('a job told to run later goes back to the queue until then, keeps its checkpoint and its attempts', async () => {
    store = openStore({ path: ':memory:', migrationsFolder })
    let now = new Date('2026-06-01T12:00:00Z')
    const events = new EventBus()
    const { until } = watch(events)
    const q = queueOn(store.sqlite, events, { now: () => now })
    const runs: { attempt: number; checkpoint: unknown }[] = []
    q.register({
      kind: 'flaky',
      maxAttempts: 1,
      run: async (_p, ctx) => {
        runs.push({ attempt: ctx.attempt, checkpoint: ctx.checkpoint() })
        if (runs.length === 1) {
          ctx.saveCheckpoint({ done: 1 })
          throw new RunLaterError(new Date('2026-06-01T14:00:00Z'), 'Waiting for the platform until 14:00 UTC')
        }
        return 'done'
      },
    })
    q.start()
    const id = q.enqueue('flaky', { okOn: 1 })
    await until(() => q.get(id)?.message === 'Waiting for the platform until 14:00 UTC')
    expect(q.get(id)?.status).toBe('queued')
    expect(runs).toHaveLength(1)
    now = new Date('2026-06-01T14:00:01Z')
    q.wake()
    const done = await q.waitFor(id)
    expect(done.status).toBe('succeeded')
    // The wait did not use up the only attempt, and the second run resumed from the checkpoint.
    expect(runs).toEqual([
      { attempt: 1, checkpoint: null },
      { attempt: 1, checkpoint: { done: 1 } },
    ])
  })

  it('a background kind runs beside the slots, one at a time: a job queued after it does not wait', async () => {
    const { q, events } = setup()
    const { until, poke } = watch(events)
    const gates: (() => void)[] = []
    const started: string[] = []
    q.register({
      kind: 'check',
      maxAttempts: 1,
      background: true,
      run: async ({ n }) => {
        started.push(`check ${n}`)
        const gate = new Promise<void>((r) => gates.push(r))
        poke()
        await gate
      },
    })
    q.register({
      kind: 'count',
      maxAttempts: 1,
      run: async ({ n }) => {
        started.push(`count ${n}`)
        return n
      },
    })
    q.start()
    try {
      const c1 = q.enqueue('check', { n: 1 })
      const c2 = q.enqueue('check', { n: 2 })
      // The queue's one slot is free for the count while the first check runs; the second check waits for the first.
      expect((await q.waitFor(q.enqueue('count', { n: 3 }))).status).toBe('succeeded')
      await until(() => gates.length > 0)
      expect([...started].sort()).toEqual(['check 1', 'count 3'])
      expect(q.get(c2)?.status).toBe('queued')
      gates.shift()?.()
      expect((await q.waitFor(c1)).status).toBe('succeeded')
      await until(() => gates.length > 0)
      expect(started.at(-1)).toBe('check 2')
      gates.shift()?.()
      expect((await q.waitFor(c2)).status).toBe('succeeded')
    } finally {
      for (const g of gates) g()
    }
  })

  it('a kind that gives way waits while the other kind is queued or running, and a run of it stops and queues again when one starts', async () => {
    const { q, events } = setup(2)
    const { until, poke } = watch(events)
    const started: string[] = []
    const gates: (() => void)[] = []
    const stopped: number[] = []
    q.register({
      kind: 'slow',
      maxAttempts: 1,
      yieldsTo: { kinds: ['busy'], message: 'Waiting for the busy job' },
      run: async (_p, ctx) => {
        started.push(`slow ${ctx.attempt}`)
        poke()
        if (started.filter((s) => s.startsWith('slow')).length > 1) return 'trained'
        await new Promise<void>((resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            stopped.push(ctx.jobId)
            reject(new Error('Cancelled'))
          })
        })
      },
    })
    registerBusy(q, poke, gates, started)
    q.register({ kind: 'count', maxAttempts: 1, run: async ({ n }) => n })
    q.start()
    try {
      const slow = q.enqueue('slow', {})
      await until(() => q.get(slow)?.status === 'running')
      // The other kind starts: the running job stops and goes back to the queue, its one attempt not used up.
      const busy = q.enqueue('busy', {})
      await until(() => q.get(slow)?.message === 'Waiting for the busy job')
      expect(stopped).toEqual([slow])
      expect(q.get(slow)?.status).toBe('queued')
      expect(q.get(busy)?.status).toBe('running')
      // Held while the other runs, though a slot is free (another kind still runs in it).
      expect((await q.waitFor(q.enqueue('count', { n: 1 }))).status).toBe('succeeded')
      expect(q.get(slow)?.status).toBe('queued')
      gates.shift()?.()
      expect((await q.waitFor(busy)).status).toBe('succeeded')
      const done = await q.waitFor(slow)
      expect(done.status).toBe('succeeded')
      expect(done.attempts).toBe(1)
      expect(q.result(slow)).toBe('trained')
      expect(started).toEqual(['slow 1', 'busy', 'slow 1'])
    } finally {
      for (const g of gates) g()
    }
  })

  it('a job the other kind keeps holding starts MAX_HOLD_MS after it was queued, and is stopped at most MAX_GIVE_WAY times', async () => {
    store = openStore({ path: ':memory:', migrationsFolder })
    let now = new Date('2026-06-01T12:00:00Z')
    const events = new EventBus()
    const { until, poke } = watch(events)
    const q = queueOn(store.sqlite, events, { now: () => now, concurrency: 3 })
    const gates: (() => void)[] = []
    let runs = 0
    let finishSlow: (() => void) | null = null
    q.register({
      kind: 'slow',
      maxAttempts: 1,
      yieldsTo: { kinds: ['busy'], message: 'Waiting for the busy job' },
      run: async (_p, ctx) => {
        runs++
        poke()
        await new Promise<void>((resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('Cancelled')))
          finishSlow = resolve
        })
        return 'done'
      },
    })
    registerBusy(q, poke, gates)
    q.start()
    try {
      const slow = q.enqueue('slow', {})
      await until(() => q.get(slow)?.status === 'running')
      // Each busy job is queued while the one before still runs: the job never sees a gap.
      let busy = q.enqueue('busy', {})
      await until(() => q.get(slow)?.status === 'queued')
      for (let i = 0; i < 3; i++) {
        const next = q.enqueue('busy', {})
        gates.shift()?.()
        expect((await q.waitFor(busy)).status).toBe('succeeded')
        busy = next
        await until(() => q.get(busy)?.status === 'running')
        expect(q.get(slow)?.status).toBe('queued')
      }
      expect(runs).toBe(1)
      // An hour after it was queued it starts beside the busy job, and a new one does not stop it.
      now = new Date(now.getTime() + MAX_HOLD_MS)
      q.wake()
      await until(() => q.get(slow)?.status === 'running')
      const another = q.enqueue('busy', {})
      await until(() => q.get(another)?.status === 'running')
      expect(q.get(slow)?.status).toBe('running')
      ;(finishSlow as (() => void) | null)?.()
      expect((await q.waitFor(slow)).status).toBe('succeeded')
      expect(runs).toBe(2)
    } finally {
      for (const g of gates) g()
    }
  })

  it('a job gives way at most MAX_GIVE_WAY times, then runs on beside the other kind', async () => {
    const { q, events } = setup(2)
    const { until, poke } = watch(events)
    const gates: (() => void)[] = []
    let runs = 0
    let stops = 0
    let finishSlow: (() => void) | null = null
    q.register({
      kind: 'slow',
      maxAttempts: 1,
      yieldsTo: { kinds: ['busy'], message: 'Waiting for the busy job' },
      run: async (_p, ctx) => {
        runs++
        poke()
        await new Promise<void>((resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            stops++
            poke()
            reject(new Error('Cancelled'))
          })
          finishSlow = resolve
        })
        return 'done'
      },
    })
    registerBusy(q, poke, gates)
    q.start()
    try {
      const slow = q.enqueue('slow', {})
      for (let i = 1; i <= MAX_GIVE_WAY; i++) {
        await until(() => q.get(slow)?.status === 'running')
        const busy = q.enqueue('busy', {})
        await until(() => stops === i)
        // After its last stop it is not held either: it starts again while the other kind still runs.
        if (i === MAX_GIVE_WAY) await until(() => q.get(slow)?.status === 'running')
        gates.shift()?.()
        expect((await q.waitFor(busy)).status).toBe('succeeded')
      }
      await until(() => q.get(slow)?.status === 'running')
      expect(runs).toBe(MAX_GIVE_WAY + 1)
      const busy = q.enqueue('busy', {})
      await until(() => q.get(busy)?.status === 'running')
      expect(q.get(slow)?.status).toBe('running')
      ;(finishSlow as (() => void) | null)?.()
      expect((await q.waitFor(slow)).status).toBe('succeeded')
      expect(runs).toBe(MAX_GIVE_WAY + 1)
    } finally {
      for (const g of gates) g()
    }
  })

  it('a job gives way only to the jobs its predicate names, and is held at most MAX_HOLD_MS after it was queued', async () => {
    store = openStore({ path: ':memory:', migrationsFolder })
    let now = new Date('2026-06-01T12:00:00Z')
    const events = new EventBus()
    const { until, poke } = watch(events)
    const q = queueOn(store.sqlite, events, { now: () => now, concurrency: 3 })
    const gates: (() => void)[] = []
    const started: string[] = []
    q.register({
      kind: 'count',
      maxAttempts: 1,
      yieldsTo: {
        kinds: ['check'],
        message: 'Waiting',
        same: (mine, other) => (other.payload as { n: number }).n === mine.n,
      },
      run: async ({ n }) => {
        started.push(`count ${n}`)
        poke()
        return n
      },
    })
    q.register({
      kind: 'check',
      maxAttempts: 1,
      run: async ({ n }) => {
        started.push(`check ${n}`)
        poke()
        await new Promise<void>((r) => gates.push(r))
      },
    })
    q.start()
    try {
      q.enqueue('check', { n: 1 })
      await until(() => started.includes('check 1'))
      // Another "workspace": not held.
      expect((await q.waitFor(q.enqueue('count', { n: 2 }))).status).toBe('succeeded')
      // The same one: held while check 1 runs, until it has waited MAX_HOLD_MS.
      const held = q.enqueue('count', { n: 1 })
      // A count of the other workspace queued after it runs through: the queue looked at both, and held this one.
      expect((await q.waitFor(q.enqueue('count', { n: 2 }))).status).toBe('succeeded')
      expect(q.get(held)?.status).toBe('queued')
      now = new Date(now.getTime() + MAX_HOLD_MS)
      q.wake()
      expect((await q.waitFor(held)).status).toBe('succeeded')
    } finally {
      for (const g of gates) g()
    }
  })

  it('a job held back does not make the queue look again and again: its next look is when its wait runs out', async () => {
    const { q, events } = setup(2)
    const { until, poke } = watch(events)
    const gates: (() => void)[] = []
    q.register({
      kind: 'slow',
      maxAttempts: 1,
      yieldsTo: { kinds: ['busy'], message: 'Waiting for the busy job' },
      run: async (_p, ctx) => {
        poke()
        await new Promise<void>((resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('Cancelled')))
          gates.push(resolve)
        })
      },
    })
    registerBusy(q, poke, gates)
    q.register({ kind: 'count', maxAttempts: 1, run: async ({ n }) => n })
    const delays: number[] = []
    const schedule = (q as unknown as { schedulePump: (ms: number) => void }).schedulePump.bind(q)
    ;(q as unknown as { schedulePump: (ms: number) => void }).schedulePump = (ms) => {
      delays.push(ms)
      schedule(ms)
      poke()
    }
    q.start()
    try {
      const slow = q.enqueue('slow', {})
      await until(() => q.get(slow)?.status === 'running')
      const busy = q.enqueue('busy', {})
      await until(() => q.get(slow)?.message === 'Waiting for the busy job' && q.get(slow)?.status === 'queued')
      // Once the stopped run has ended, the queue plans its next look for when the held job's hour is up ...
      await until(() => delays.some((ms) => ms > MAX_HOLD_MS - 60_000))
      // ... and every other look was at once (an enqueue, an end), never a short timer.
      expect(delays.filter((ms) => ms > 0 && ms < MAX_HOLD_MS - 60_000)).toEqual([])
      expect((await q.waitFor(q.enqueue('count', { n: 1 }))).status).toBe('succeeded')
      expect(q.get(slow)?.status).toBe('queued')
      gates.splice(0).forEach((g) => g())
      expect((await q.waitFor(busy)).status).toBe('succeeded')
      await until(() => q.get(slow)?.status === 'running')
    } finally {
      for (const g of gates) g()
    }
  })

  it('a job left queued by an earlier run is held for a fresh wait, not let through by its age', async () => {
    const clock = { now: new Date('2026-06-01T12:00:00Z') }
    const { q, until, started, gates } = heldQueue(clock)
    // Queued two hours before this run of the app starts, with a sync queued at the start.
    const slow = q.enqueue('slow', {})
    clock.now = new Date('2026-06-01T14:00:00Z')
    const busy = q.enqueue('busy', {})
    q.start()
    try {
      await until(() => q.get(busy)?.status === 'running')
      expect((await q.waitFor(q.enqueue('count', { n: 1 }))).status).toBe('succeeded')
      expect(q.get(slow)?.status).toBe('queued')
      expect(started).toEqual(['busy'])
      // Its wait starts now: an hour later it runs beside the busy job.
      clock.now = new Date(clock.now.getTime() + MAX_HOLD_MS)
      q.wake()
      expect((await q.waitFor(slow)).status).toBe('succeeded')
      expect(q.get(busy)?.status).toBe('running')
    } finally {
      for (const g of gates) g()
    }
  })

  it("a kind that gives way waits for the work the other job's end started (followUp), at most MAX_HOLD_MS", async () => {
    const clock = { now: new Date('2026-06-01T12:00:00Z') }
    const { q, events, until, started, gates } = heldQueue(clock)
    // As the app's modules do after a sync: each busy job's end starts work that ends when its gate opens.
    const afterWork: (() => void)[] = []
    events.on('job:finished', (f) => {
      if (f.kind === 'busy') q.followUp('busy', {}, new Promise<void>((r) => afterWork.push(r)), 'after busy')
    })
    q.start()
    try {
      const busy = q.enqueue('busy', {})
      await until(() => q.get(busy)?.status === 'running')
      const slow = q.enqueue('slow', {})
      gates.shift()?.()
      expect((await q.waitFor(busy)).status).toBe('succeeded')
      // The busy job has ended but its follow-up work has not: the queue runs other jobs, not this one.
      expect((await q.waitFor(q.enqueue('count', { n: 1 }))).status).toBe('succeeded')
      expect(q.get(slow)?.status).toBe('queued')
      afterWork.shift()?.()
      expect((await q.waitFor(slow)).status).toBe('succeeded')
      expect(started).toEqual(['busy', 'slow'])
      // Bounded like the hold: follow-up work that never ends holds a job MAX_HOLD_MS from its first hold.
      const busy2 = q.enqueue('busy', {})
      await until(() => q.get(busy2)?.status === 'running')
      const slow2 = q.enqueue('slow', {})
      gates.shift()?.()
      expect((await q.waitFor(busy2)).status).toBe('succeeded')
      expect((await q.waitFor(q.enqueue('count', { n: 2 }))).status).toBe('succeeded')
      expect(q.get(slow2)?.status).toBe('queued')
      clock.now = new Date(clock.now.getTime() + MAX_HOLD_MS)
      q.wake()
      expect((await q.waitFor(slow2)).status).toBe('succeeded')
      expect(afterWork).toHaveLength(1)
    } finally {
      for (const g of [...gates, ...afterWork]) g()
    }
  })

  it("a training gives way to its own workspace's sync and import and to any demo build, not to another workspace's", () => {
    const same = mlTrainJob({} as ForecastService).yieldsTo?.same
    const mine = { workspaceId: 1, model: 'forecast' as const }
    expect(same?.(mine, { kind: 'sync:run', payload: { workspaceId: 1 } })).toBe(true)
    expect(same?.(mine, { kind: 'import:csv', payload: { workspaceId: 1, path: 'a.csv' } })).toBe(true)
    expect(same?.(mine, { kind: 'sync:run', payload: { workspaceId: 2 } })).toBe(false)
    expect(same?.(mine, { kind: 'demo:build', payload: { campaigns: 40 } })).toBe(true)
  })

  it('a kind that gives way does not start while the other kind is queued, though older', async () => {
    const { q, events } = setup(2)
    const { until, poke } = watch(events)
    const order: string[] = []
    const gates: (() => void)[] = []
    q.register({
      kind: 'slow',
      maxAttempts: 1,
      yieldsTo: { kinds: ['busy'], message: 'Waiting for the busy job' },
      run: async (_p, ctx) => {
        order.push('slow')
        poke()
        await new Promise<void>((resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('Cancelled')))
          gates.push(resolve)
        })
      },
    })
    registerBusy(q, poke, gates, order)
    // Both queued before the queue looks: the one that gives way is older but the other goes first.
    const slow = q.enqueue('slow', {})
    const busy = q.enqueue('busy', {})
    q.start()
    try {
      await until(() => q.get(busy)?.status === 'running')
      expect(q.get(slow)?.status).toBe('queued')
      gates.shift()?.()
      expect((await q.waitFor(busy)).status).toBe('succeeded')
      await until(() => q.get(slow)?.status === 'running')
      expect(order).toEqual(['busy', 'slow'])
      // Cancelled by the user, it ends cancelled (not queued again).
      expect(q.cancel(slow)).toBe(true)
      expect((await q.waitFor(slow)).status).toBe('cancelled')
    } finally {
      for (const g of gates) g()
    }
  })

  it('a job that cancels itself with a reason ends cancelled, not failed, and keeps the reason', async () => {
    const { q } = setup()
    q.register({
      kind: 'flaky',
      maxAttempts: 3,
      run: async () => {
        throw new CancelledError('Nothing left to resume')
      },
    })
    q.start()
    const job = await q.waitFor(q.enqueue('flaky', { okOn: 1 }))
    expect(job.status).toBe('cancelled')
    expect(job.attempts).toBe(1)
    expect(job.error).toBe('Nothing left to resume')
  })

  it('puts a job left running by a crash back in the queue and resumes from its checkpoint', async () => {
    const { q, store, events } = setup()
    // Simulate a crash: a job row marked running with a checkpoint, no live runner.
    store.sqlite
      .prepare(
        `INSERT INTO jobs (kind, payload, status, attempts, max_attempts, checkpoint) VALUES ('resume', '{}', 'running', 1, 1, '{"done":3}')`,
      )
      .run()
    void events
    const seen: (number | null)[] = []
    const q2 = q
    q2.register({
      kind: 'resume',
      maxAttempts: 1,
      run: async (_p, ctx) => {
        const cp = ctx.checkpoint<{ done: number }>()
        seen.push(cp?.done ?? null)
        for (let i = (cp?.done ?? 0) + 1; i <= 5; i++) ctx.saveCheckpoint({ done: i })
        return ctx.checkpoint()
      },
    })
    q2.start()
    const job = await q2.waitFor(1)
    expect(job.status).toBe('succeeded')
    expect(seen).toEqual([3])
    expect(q2.result(1)).toEqual({ done: 5 })
  })

  it('keeps a job running when another connection holds the write lock while it reports progress', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-jobs-'))
    const path = join(dir, 'me.db')
    try {
      store = openStore({ path, migrationsFolder })
      store.sqlite.pragma('busy_timeout = 50')
      const events = new EventBus()
      const q = queueOn(store.sqlite, events)
      const other = new Database(path)
      const reported: string[] = []
      events.on('job:progress', (p) => reported.push(p.message))
      q.register({
        kind: 'busy',
        maxAttempts: 1,
        run: async (_p, ctx) => {
          // A writer thread's transaction: the progress row cannot be written meanwhile.
          other.exec('BEGIN IMMEDIATE')
          ctx.progress('Working', 1, 2, 'while locked')
          other.exec('COMMIT')
          ctx.progress('Working', 2, 2, 'after')
          return 'done'
        },
      })
      q.start()
      const job = await q.waitFor(q.enqueue('busy', {}))
      other.close()
      expect(job.status).toBe('succeeded')
      expect(reported).toEqual(['while locked', 'after'])
      expect(store.sqlite.prepare('SELECT message FROM jobs WHERE id = ?').pluck().get(job.id)).toBe('after')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('JobQueue ownership and housekeeping', () => {
  /** A lease row for another process on this computer (pid 424242). */
  function otherOwner(sqlite: Store['sqlite'], token: string): void {
    const at = new Date().toISOString()
    sqlite
      .prepare(
        `INSERT OR REPLACE INTO store_lease (id, token, pid, hostname, label, started_at, heartbeat_at) VALUES (1, ?, 424242, ?, 'the desktop app', ?, ?)`,
      )
      .run(token, hostname(), at, at)
  }

  it('leaves a live owner its running jobs, refuses to queue naming it, and takes over once it is gone', async () => {
    store = openStore({ path: ':memory:', migrationsFolder })
    const events = new EventBus()
    otherOwner(store.sqlite, 'other')
    store.sqlite
      .prepare(
        `INSERT INTO jobs (kind, payload, status, attempts, max_attempts, owner) VALUES ('k', '{}', 'running', 1, 2, 'other')`,
      )
      .run()
    let otherAlive = true
    const ownership = new StoreOwnership(store.sqlite, {
      label: 'CLI sync',
      timer: false,
      isAlive: (pid) => pid === process.pid || (pid === 424242 && otherAlive),
    })
    const q = queueOn(store.sqlite, events, { ownership })
    const runs: number[] = []
    q.register({ kind: 'k', maxAttempts: 2, run: async (_p, ctx) => runs.push(ctx.jobId) })
    q.start()
    expect(ownership.isOwner).toBe(false)
    expect(() => q.enqueue('k', {})).toThrow(
      /Cannot start k: this data folder is in use by the desktop app \(pid 424242 on this computer, since /,
    )
    ownership.tick()
    expect(q.get(1)?.status).toBe('running')
    expect(runs).toEqual([])

    otherAlive = false
    ownership.tick()
    expect(ownership.isOwner).toBe(true)
    const job = await q.waitFor(1)
    expect(job.status).toBe('succeeded')
    expect(job.attempts).toBe(1)
    expect(runs).toEqual([1])
  })

  it('an owner whose lease was taken over stops its jobs and cannot overwrite them', async () => {
    store = openStore({ path: ':memory:', migrationsFolder })
    const events = new EventBus()
    const ownership = new StoreOwnership(store.sqlite, { label: 'a test', timer: false })
    const q = queueOn(store.sqlite, events, { ownership })
    let release: () => void = () => undefined
    let started: () => void = () => undefined
    const running = new Promise<void>((r) => (started = r))
    q.register({
      kind: 'k',
      maxAttempts: 1,
      run: (_p, ctx) =>
        new Promise((r) => {
          release = () => r(ctx.jobId)
          started()
        }),
    })
    q.start()
    const id = q.enqueue('k', {})
    await running
    expect(q.get(id)?.status).toBe('running')
    // Another process took the lease over (this one stalled past its lease) and queued the job again.
    otherOwner(store.sqlite, 'other')
    store.sqlite.prepare(`UPDATE jobs SET status = 'queued', owner = NULL WHERE id = ?`).run(id)
    ownership.tick()
    expect(ownership.isOwner).toBe(false)
    release()
    await q.stop()
    expect(q.get(id)?.status).toBe('queued')
  })

  it('prunes finished jobs after the retention period by the injected clock', async () => {
    store = openStore({ path: ':memory:', migrationsFolder })
    let now = new Date('2026-03-01T00:00:00Z')
    const q = queueOn(store.sqlite, new EventBus(), { now: () => now, retentionDays: 30 })
    q.register({ kind: 'k', maxAttempts: 1, run: async () => 'ok' })
    q.start()
    const old = q.enqueue('k', {})
    await q.waitFor(old)
    now = new Date('2026-03-20T00:00:00Z')
    const recent = q.enqueue('k', {})
    await q.waitFor(recent)
    await q.stop()
    const waiting = q.enqueue('k', {})
    now = new Date('2026-03-31T00:00:01Z')
    expect(q.prune()).toBe(1)
    expect(q.get(old)).toBeNull()
    expect(q.get(recent)?.status).toBe('succeeded')
    expect(q.get(waiting)?.status).toBe('queued')
    now = new Date('2026-05-01T00:00:00Z')
    expect(q.prune()).toBe(1)
    expect(q.get(waiting)?.status).toBe('queued')
  })
})
