import { readdirSync, readFileSync } from 'node:fs'
import { getPriority } from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { DecodePool } from './sync/connectors/decode-pool'
import { backgroundNice, lowerThreadPriority } from './thread-priority'

/** Nice values of this process's threads (Linux: field 19 of /proc/self/task/<tid>/stat). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
  })
}

describe('background thread priority', () => {
  afterEach(() => {
    delete process.env.ME_BACKGROUND_NICE
  })

  it('reads ME_BACKGROUND_NICE (default 10) and names a wrong value', () => {
    expect(backgroundNice()).toBe(10)
    process.env.ME_BACKGROUND_NICE = '0'
    expect(backgroundNice()).toBe(0)
    process.env.ME_BACKGROUND_NICE = '25'
    expect(() => backgroundNice()).toThrow(/ME_BACKGROUND_NICE must be a whole number from 0 to 19; it is "25"/)
  })

  it('never lowers the main thread', () => {
    const before = getPriority()
    expect(lowerThreadPriority(10)).toBe(false)
    expect(getPriority()).toBe(before)
  })

  // A runner already at nice 19 has no lower priority to give (every thread is at 19): nothing to see there.
  it.runIf(process.platform === 'linux' && getPriority() < 19)(
    'runs the page decoders below the core thread (Linux)',
    async () => {
      const pool = new DecodePool()
      try {
        const body = new TextEncoder().encode('{"data":[]}')
        const out = await pool.decode({
          decoder: 'meta-insights',
          args: { purchaseTypes: [], what: 'm' },
          status: 200,
          headers: [],
          body: body.buffer as ArrayBuffer,
        })
        expect(out.ok).toBe(true)
        const base = getPriority()
        // A decoder thread at base + 10 (capped at 19), which is lower than the core's thread whatever the runner's nice.
        const lowered = Math.min(19, base + 10)
        expect(lowered).toBeGreaterThan(base)
        expect(threadNices().filter((n) => n === lowered).length).toBeGreaterThanOrEqual(1)
        expect(getPriority()).toBe(base)
      } finally {
        await pool.close()
      }
    },
  )
})
