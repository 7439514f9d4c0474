import { afterEach, describe, expect, it } from 'vitest'
import { HEAP_GROWING_PERCENT, heapGrowingPercent, limitHeapGrowth } from './heap-growth'
import { createTestCore } from './test-support'

// V8 collects the core's garbage before its old generation reaches 1.5x what is alive (issue 18 item 4).
describe('heap growth', () => {
  const saved = process.env.ME_HEAP_GROWING_PERCENT
  afterEach(() => {
    if (saved === undefined) delete process.env.ME_HEAP_GROWING_PERCENT
    else process.env.ME_HEAP_GROWING_PERCENT = saved
    limitHeapGrowth()
  })

  it('a core sets V8 heap growth for the process', async () => {
    delete process.env.ME_HEAP_GROWING_PERCENT
    const c = createTestCore()
    try {
      expect(heapGrowingPercent()).toBe(HEAP_GROWING_PERCENT)
    } finally {
      await c.close()
    }
  })

  it('sets the flag once per value; ME_HEAP_GROWING_PERCENT overrides it, 0 gives V8 its own factor back', () => {
    const set: string[] = []
    delete process.env.ME_HEAP_GROWING_PERCENT
    expect(limitHeapGrowth((f) => set.push(f))).toBe(HEAP_GROWING_PERCENT)
    set.length = 0
    process.env.ME_HEAP_GROWING_PERCENT = '0'
    expect(limitHeapGrowth((f) => set.push(f))).toBe(0)
    expect(limitHeapGrowth((f) => set.push(f))).toBe(0)
    expect(set).toEqual(['--heap-growing-percent=0'])
    process.env.ME_HEAP_GROWING_PERCENT = 'lots'
    expect(() => limitHeapGrowth((f) => set.push(f))).toThrow(/ME_HEAP_GROWING_PERCENT must be a whole number/)
  })
})
