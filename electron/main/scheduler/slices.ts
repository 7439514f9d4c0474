/**
 * Cooperative slicing for long work on the core's thread (after-sync checks, rule cycles,
 * recommendation drafts): call `await budget.maybeYield()` inside loops; it gives the event loop a
 * turn (setImmediate, so IPC calls and timers run) once the current slice has run `maxMs`.
 * Keep the work between two calls well under the budget (chunk reads too), so no stretch on the
 * thread exceeds ~50 ms (issue 18's `ipc_p99_busy_ms`).
 */

/**
 * Sliced work waiting for its next turn, oldest first. Every piece of sliced work on this thread
 * takes turns here: each turn of the event loop resumes ONE of them. With one `setImmediate` each,
 * every waiting piece resumed in the same turn (Node runs all immediates queued before the check
 * phase together), so the after-sync work (anomaly scan, rules cycle, recommendations, response
 * curves: four slices of 30 ms, as slices were until session 13) held the thread ~120 ms between two reads of the IPC and timers.
 * Module state on purpose: what it shares is this thread's event loop (a worker has its own).
 */
const waiting: (() => void)[] = []
let pumping = false

function pump(): void {
  const resume = waiting.shift()
  // The next one resumes in the next turn (an immediate queued now runs after the poll phase).
  if (waiting.length) setImmediate(pump)
  else pumping = false
  resume?.()
}

/**
 * One turn of the event loop: pending I/O callbacks (IPC, HTTP) and timers run before we resume,
 * and so does any other sliced work that was waiting before us (one piece per turn).
 */
export const yieldNow = (): Promise<void> =>
  new Promise((resolve) => {
    waiting.push(resolve)
    if (!pumping) {
      pumping = true
      setImmediate(pump)
    }
  })

/**
 * The default slice: 20 ms of work, then a turn of the event loop. A block is the slice plus the
 * step that crosses it (and any garbage collection inside): with 30 ms, the rules' sliced cycle at
 * 10,000 campaigns had blocks of 43-50 ms of main-thread CPU at load 6; with 20 ms, 34-44 ms.
 */
export const SLICE_MS = 20

export interface SliceBudget {
  /** Yields (one event-loop turn) when the current slice has used its time; otherwise resolves at once. */
  maybeYield(): Promise<void>
  /** Yields unconditionally and starts a new slice. */
  yield(): Promise<void>
  /** Milliseconds used by the current slice so far. */
  elapsed(): number
  /** How many times this budget yielded (for tests and benches). */
  readonly yields: number
}

/**
 * A budget of `maxMs` per slice (default SLICE_MS), measured with performance.now(). With a
 * `signal`, a yield that finds it aborted throws its reason (work stops at the next slice: core
 * shutdown, a newer request).
 */
export function sliceBudget(
  maxMs: number = SLICE_MS,
  signal?: AbortSignal,
  /** The clock slices are measured on (tests pass their own). */
  now: () => number = () => performance.now(),
): SliceBudget {
  let start = now()
  let yields = 0
  const turn = async (): Promise<void> => {
    yields++
    await yieldNow()
    signal?.throwIfAborted()
    start = now()
  }
  return {
    maybeYield: () => (now() - start >= maxMs ? turn() : Promise.resolve()),
    yield: turn,
    elapsed: () => now() - start,
    get yields() {
      return yields
    },
  }
}

/** A budget that never yields: the same code run synchronously-in-spirit (CLI, one-off calls). */
export const NO_YIELD: SliceBudget = {
  maybeYield: () => Promise.resolve(),
  yield: () => Promise.resolve(),
  elapsed: () => 0,
  yields: 0,
}

/**
 * Work written once as a generator of steps (`yield` between bounded pieces, `return` the result)
 * runs either at once (`runSteps`: CLI, sync callers, a cached answer's first computation) or
 * sliced (`runStepsSliced`: background work, IPC handlers), with the same result.
 */
export type Steps<T> = Generator<void, T, void>

/** Runs every step at once and returns the result. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next()
    if (r.done) return r.value
  }
}

/** Runs the steps, giving the event loop a turn whenever the budget's slice is used up. */
export async function runStepsSliced<T>(steps: Steps<T>, budget: SliceBudget = sliceBudget()): Promise<T> {
  for (;;) {
    const r = steps.next()
    if (r.done) return r.value
    await budget.maybeYield()
  }
}

/**
 * Background work run one task at a time, in order, each after an event-loop turn; `idle()`
 * resolves when everything queued so far (and anything queued meanwhile) has finished, so tests
 * wait for after-sync work without sleeps. A failing task is reported to `onError` and never stops
 * the tasks after it.
 */
export class BackgroundLane {
  private tail: Promise<void> = Promise.resolve()
  private pending = 0

  constructor(private readonly onError: (err: unknown) => void = (err) => console.error(err)) {}

  /** Queue `task`; it starts after the tasks queued before it. */
  add(task: () => Promise<void> | void): void {
    this.pending++
    this.tail = this.tail.then(async () => {
      try {
        await yieldNow()
        await task()
      } catch (err) {
        this.onError(err)
      } finally {
        this.pending--
      }
    })
  }

  /** Tasks queued or running. */
  get size(): number {
    return this.pending
  }

  /** Resolves once the lane is empty (tasks queued while waiting are waited for too). */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.tail
  }
}
