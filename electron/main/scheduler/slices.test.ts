import { describe, expect, it } from 'vitest'
import { BackgroundLane, runSteps, runStepsSliced, sliceBudget, yieldNow, type Steps } from './slices'

/** The clock the budgets measure: each step of work below advances it. */
let clock = 0
const fakeClock = (): number => clock

describe('sliceBudget', () => {
  it('yields only once a slice has used its time, and lets other callbacks run then', async () => {
    clock = 0
    const budget = sliceBudget(20, undefined, fakeClock)
    let ran = 0
    setImmediate(() => ran++)
    clock = 19
    await budget.maybeYield() // within the slice: no yield
    expect(budget.yields).toBe(0)
    expect(ran).toBe(0)
    clock = 25
    await budget.maybeYield()
    expect(budget.yields).toBe(1)
    expect(ran).toBe(1)
    expect(budget.elapsed()).toBe(0)
  })

  it('yields in a long loop once per slice, not after every step', async () => {
    clock = 0
    const budget = sliceBudget(10, undefined, fakeClock)
    for (let i = 0; i < 40; i++) {
      clock += 2 // a step of 2 ms
      await budget.maybeYield()
    }
    // 80 ms of work in 10 ms slices: a turn after every fifth step.
    expect(budget.yields).toBe(8)
  })
})

describe('sliced work running side by side', () => {
  it('resumes one piece of sliced work per turn of the event loop, in turn', async () => {
    // A ticker that runs once per turn of the event loop (an immediate queued by an immediate
    // runs in the next turn) numbers the turns.
    let turn = 0
    let on = true
    const tick = (): void => {
      turn++
      if (on) setImmediate(tick)
    }
    setImmediate(tick)
    const resumed: { task: string; turn: number }[] = []
    const work = async (task: string): Promise<void> => {
      const budget = sliceBudget(0) // a turn at every step
      for (let i = 0; i < 5; i++) {
        await budget.maybeYield()
        resumed.push({ task, turn })
      }
    }
    await Promise.all([work('a'), work('b'), work('c')])
    on = false
    expect(resumed).toHaveLength(15)
    // Each turn resumed at most one of them (with an immediate each, all three resumed every turn).
    expect(new Set(resumed.map((r) => r.turn)).size).toBe(15)
    // They take turns: a, b, c, a, b, c, ...
    expect(resumed.map((r) => r.task).join('')).toBe('abcabcabcabcabc')
  })
})

describe('steps', () => {
  function* summing(n: number): Steps<number> {
    let total = 0
    for (let i = 1; i <= n; i++) {
      clock += 1 // a step of 1 ms
      total += i
      yield
    }
    return total
  }

  it('gives the same result at once and sliced, and the sliced run yields', async () => {
    expect(runSteps(summing(30))).toBe(465)
    const budget = sliceBudget(5, undefined, fakeClock)
    expect(await runStepsSliced(summing(30), budget)).toBe(465)
    expect(budget.yields).toBe(6)
  })

  it('stops at the next slice once its signal is aborted', async () => {
    const ac = new AbortController()
    const budget = sliceBudget(1, ac.signal, fakeClock)
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
