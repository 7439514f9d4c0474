import { describe, expect, it } from 'vitest'
import { BackgroundLane, runSteps, runStepsSliced, sliceBudget, yieldNow, type Steps } from './slices'

/** Busy-waits `ms` on the thread (the work a slice stands for). */
function spin(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    /* work */
  }
}

describe('sliceBudget', () => {
  it('yields only once a slice has used its time, and lets other callbacks run then', async () => {
    const budget = sliceBudget(20)
    let ran = 0
    setImmediate(() => ran++)
    await budget.maybeYield() // fresh slice: no yield
    expect(budget.yields).toBe(0)
    expect(ran).toBe(0)
    spin(25)
    await budget.maybeYield()
    expect(budget.yields).toBe(1)
    expect(ran).toBe(1)
  })

  it('yields in a long loop, and not after every step', async () => {
    const budget = sliceBudget(10)
    for (let i = 0; i < 40; i++) {
      spin(2)
      await budget.maybeYield()
    }
    // 80 ms of work in 10 ms slices: at least 5 turns, at most one per 5 steps (a step is 2 ms).
    expect(budget.yields).toBeGreaterThanOrEqual(5)
    expect(budget.yields).toBeLessThanOrEqual(8)
  })
})

describe('steps', () => {
  function* summing(n: number): Steps<number> {
    let total = 0
    for (let i = 1; i <= n; i++) {
      spin(1)
      total += i
      yield
    }
    return total
  }

  it('gives the same result at once and sliced, and the sliced run yields', async () => {
    expect(runSteps(summing(30))).toBe(465)
    const budget = sliceBudget(5)
    expect(await runStepsSliced(summing(30), budget)).toBe(465)
    expect(budget.yields).toBeGreaterThanOrEqual(3)
  })

  it('stops at the next slice once its signal is aborted', async () => {
    const ac = new AbortController()
    const budget = sliceBudget(1, ac.signal)
    ac.abort(new Error('core closing'))
    await expect(runStepsSliced(summing(30), budget)).rejects.toThrow('core closing')
  })
})

describe('BackgroundLane', () => {
  it('runs tasks in order, one at a time, and idle() waits for tasks queued meanwhile', async () => {
    const lane = new BackgroundLane()
    const seen: string[] = []
    lane.add(async () => {
      seen.push('a:start')
      await yieldNow()
      seen.push('a:end')
      lane.add(() => {
        seen.push('c')
      })
    })
    lane.add(() => {
      seen.push('b')
    })
    expect(lane.size).toBe(2)
    await lane.idle()
    expect(seen).toEqual(['a:start', 'a:end', 'b', 'c'])
    expect(lane.size).toBe(0)
  })

  it('reports a failing task and runs the next ones', async () => {
    const errors: unknown[] = []
    const lane = new BackgroundLane((e) => errors.push(e))
    let after = false
    lane.add(() => {
      throw new Error('boom')
    })
    lane.add(() => {
      after = true
    })
    await lane.idle()
    expect(after).toBe(true)
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom'])
  })
})
