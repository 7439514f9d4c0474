import { describe, expect, it } from 'vitest'
import { BodyBuffers } from './body-buffers'

describe('BodyBuffers', () => {
  it('hands back the smallest kept buffer that fits, and new ones rounded up to a power of two', () => {
    const b = new BodyBuffers(3, 16 << 20, 60_000)
    const first = b.take(300_000)
    expect(first.byteLength).toBe(512 << 10)
    b.give(first)
    const big = b.take(3 << 20)
    expect(big.byteLength).toBe(4 << 20)
    b.give(big)
    expect(b.keptBytes()).toBe((512 << 10) + (4 << 20))
    expect(b.take(400_000)).toBe(first)
    expect(b.take(1 << 20)).toBe(big)
    expect(b.reused).toBe(2)
    expect(b.keptBytes()).toBe(0)
    b.clear()
  })

  it('keeps no small buffers, and at most maxKept buffers and maxBytes, the oldest let go first', () => {
    const b = new BodyBuffers(2, 3 << 20, 60_000)
    b.give(new ArrayBuffer(1024))
    expect(b.keptBytes()).toBe(0)
    const [x, y, z] = [b.take(1 << 20), b.take(1 << 20), b.take(1 << 20)]
    b.give(x)
    b.give(y)
    b.give(z)
    expect(b.keptBytes()).toBe(2 << 20)
    expect(b.take(1 << 20)).not.toBe(x)
    b.give(new ArrayBuffer(8 << 20))
    expect(b.keptBytes()).toBeLessThanOrEqual(3 << 20)
    b.clear()
    expect(b.keptBytes()).toBe(0)
  })
})
