import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  fixMmapThreshold,
  loadMallocTrim,
  MMAP_THRESHOLD_KIB,
  MemoryRelease,
  tuneMalloc,
  memoryReleaseSupported,
  releaseFreedMemory,
  type ReleaseResult,
} from './memory-release'
import { createTestCore, TEST_CALLER } from './test-support'

// Freed memory goes back to the system after big jobs (issue 18 item 4): glibc's malloc_trim on
// Linux, nothing elsewhere or when the FFI module cannot load.
const done: ReleaseResult = { supported: true, released: true, ms: 0 }
/** This machine: Linux with glibc (the process report names glibc's runtime version; musl has none). */
const isGlibc = (): boolean =>
  process.platform === 'linux' &&
  Boolean((process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime)

/** koffi, the FFI module the core calls glibc through, for reading what malloc did. */
type Fn = (...args: unknown[]) => unknown
const koffiHere = (): { load(path: string): { func(signature: string): Fn } } =>
  createRequire(import.meta.url)('koffi') as { load(path: string): { func(signature: string): Fn } }

describe('releasing freed memory', () => {
  it.runIf(isGlibc())('calls malloc_trim on Linux with glibc', async () => {
    expect(memoryReleaseSupported()).toBe(true)
    // Freed blocks to give back: a few MB allocated and dropped by this thread's allocator.
    let blocks: Buffer[] | null = Array.from({ length: 64 }, () => Buffer.allocUnsafeSlow(64 * 1024).fill(1))
    expect(blocks.length).toBe(64)
    blocks = null
    const r = await releaseFreedMemory()
    expect(r.supported).toBe(true)
    expect(r.ms).toBeGreaterThanOrEqual(0)
  })

  it('is a no-op where it is not supported', async () => {
    let required = 0
    const notLinux = loadMallocTrim(
      () => false,
      () => {
        required++
        throw new Error('not reached')
      },
    )
    expect(notLinux).toEqual({ reason: expect.stringMatching(/not Linux/) })
    expect(required).toBe(0)
    // The FFI module missing (a package without it): a reason, no exception.
    const missing = loadMallocTrim(
      () => true,
      () => {
        throw new Error("Cannot find module 'koffi'")
      },
    )
    expect(missing).toEqual({ reason: "Cannot find module 'koffi'" })
    // Linux with another C library (musl): libc loads but has no gnu_get_libc_version, so no
    // malloc_trim is looked up nor called.
    const looked: string[] = []
    const musl = loadMallocTrim(
      () => true,
      () => ({
        load: () => ({
          func: (signature: string) => {
            looked.push(signature)
            if (signature.includes('gnu_get_libc_version'))
              throw new Error('Cannot find function "gnu_get_libc_version" in shared library')
            throw new Error('not reached')
          },
        }),
      }),
    )
    expect(musl).toEqual({ reason: expect.stringMatching(/gnu_get_libc_version/) })
    expect(looked).toEqual(['const char *gnu_get_libc_version()'])
    if (!isGlibc()) {
      expect(memoryReleaseSupported()).toBe(false)
      expect(await releaseFreedMemory()).toEqual({ supported: false, released: false, ms: 0 })
    }
  })

  it('releases once per burst of requests, after the follow-ups settle', async () => {
    let calls = 0
    let settle: () => void = () => undefined
    let settledAsked = 0
    let before = 0
    const r = new MemoryRelease({
      delayMs: 60_000,
      before: () => {
        // Caches are freed just before each release, never when it is skipped.
        expect(calls).toBe(before)
        before++
      },
      settled: () => {
        settledAsked++
        return new Promise<void>((resolve) => (settle = resolve))
      },
      release: () => (calls++, Promise.resolve(done)),
    })
    r.request()
    r.request()
    r.request()
    expect(r.requested).toBe(true)
    const flushed = r.flush()
    // It waits for the follow-ups before releasing.
    await Promise.resolve()
    expect(settledAsked).toBe(1)
    expect(calls).toBe(0)
    settle()
    await flushed
    expect(calls).toBe(1)
    expect(r.count).toBe(1)
    expect(r.requested).toBe(false)
    // A request while the follow-ups run: the release waits for them again.
    r.request()
    const again = r.flush()
    settle()
    await again
    expect(calls).toBe(2)
    expect(before).toBe(2)
    // Closed: requests do nothing.
    r.close()
    r.request()
    expect(r.requested).toBe(false)
  })

  it('waits for the UI to be quiet before releasing', async () => {
    let calls = 0
    let sinceCall = 0
    const r = new MemoryRelease({
      delayMs: 60_000,
      quietMs: 10_000,
      quietFor: () => sinceCall,
      release: () => (calls++, Promise.resolve(done)),
    })
    r.request()
    await r.flush()
    // A call 0 ms ago: the release is put off, not dropped.
    expect(calls).toBe(0)
    expect(r.requested).toBe(true)
    sinceCall = 10_000
    await r.flush()
    expect(calls).toBe(1)
    r.close()
  })

  it('a UI in constant use puts the release off for QUIET_WAIT_MAX_MS at most, counted from the first try', async () => {
    let calls = 0
    let clock = 0
    const r = new MemoryRelease({
      delayMs: 60_000,
      quietMs: 10_000,
      quietWaitMaxMs: 30_000,
      now: () => clock,
      // The UI asked 0 ms ago at every try.
      quietFor: () => 0,
      release: () => (calls++, Promise.resolve(done)),
    })
    r.request()
    await r.flush()
    expect(calls).toBe(0)
    clock = 20_000
    // Another big job's end meanwhile does not restart the wait.
    r.request()
    await r.flush()
    expect(calls).toBe(0)
    expect(r.requested).toBe(true)
    clock = 30_000
    await r.flush()
    expect(calls).toBe(1)
    expect(r.requested).toBe(false)
    // The next release waits afresh.
    r.request()
    await r.flush()
    expect(calls).toBe(1)
    clock = 59_999
    await r.flush()
    expect(calls).toBe(1)
    clock = 60_000
    await r.flush()
    expect(calls).toBe(2)
    r.close()
  })

  it('waits while a job writes the store (its end asks again)', async () => {
    let calls = 0
    let writing = true
    const r = new MemoryRelease({
      delayMs: 60_000,
      writing: () => writing,
      release: () => (calls++, Promise.resolve(done)),
    })
    r.request()
    await r.flush()
    expect(calls).toBe(0)
    writing = false
    r.request()
    await r.flush()
    expect(calls).toBe(1)
    r.close()
  })

  it.runIf(isGlibc())('the core counts a call from the UI as use: the release waits for a quiet spell', async () => {
    const d = mkdtempSync(join(tmpdir(), 'memory-release-'))
    const c = createTestCore({ dbPath: join(d, 'store.db') })
    try {
      const env = await c.dispatch('workspaces:list', {}, TEST_CALLER)
      expect(env.ok).toBe(true)
      c.memoryRelease.request()
      await c.memoryRelease.flush()
      expect(c.memoryRelease.count).toBe(0)
      expect(c.memoryRelease.requested).toBe(true)
    } finally {
      await c.close()
      rmSync(d, { recursive: true, force: true })
    }
  })

  it('the core asks for a release when a big job ends, not for other jobs', async () => {
    const d = mkdtempSync(join(tmpdir(), 'memory-release-'))
    const c = createTestCore({ dbPath: join(d, 'store.db') })
    try {
      c.events.emit('job:finished', { jobId: 0, kind: 'pages:prepare', status: 'succeeded', error: null })
      expect(c.memoryRelease.requested).toBe(false)
      c.events.emit('job:finished', { jobId: 0, kind: 'sync:run', status: 'succeeded', error: null })
      expect(c.memoryRelease.requested).toBe(isGlibc())
      await c.memoryRelease.flush()
      expect(c.memoryRelease.count).toBe(isGlibc() ? 1 : 0)
      c.events.emit('job:finished', { jobId: 0, kind: 'ml:train', status: 'failed', error: 'boom' })
      expect(c.memoryRelease.requested).toBe(isGlibc())
    } finally {
      await c.close()
      rmSync(d, { recursive: true, force: true })
    }
    // Closed with the core: no release after it.
    expect(c.memoryRelease.requested).toBe(false)
  })
})

// Blocks of 16 MB or more get mappings of their own (given back when freed) instead of glibc's threshold
// rising to 32 MB after the first such block is freed (issue 18 item 4).
describe("glibc's mmap threshold", () => {
  const saved = process.env.ME_MALLOC_MMAP_KIB
  const restore = (): void => {
    if (saved === undefined) delete process.env.ME_MALLOC_MMAP_KIB
    else process.env.ME_MALLOC_MMAP_KIB = saved
  }

  it.runIf(isGlibc())('is fixed through mallopt on Linux with glibc', () => {
    // Whether glibc serves a block of `bytes` with a mapping of its own: an mmapped chunk spans whole
    // pages, so its usable size plus the 16-byte header is a multiple of the page (a heap chunk's is
    // not). glibc maps a block only when the heap's free top cannot hold it, so the top is trimmed first.
    const libc = koffiHere().load('libc.so.6')
    const malloc = libc.func('void *malloc(size_t size)')
    const free = libc.func('void free(void *ptr)')
    const usableSize = libc.func('size_t malloc_usable_size(void *ptr)')
    const trim = libc.func('int malloc_trim(size_t pad)')
    // A free chunk already in the thread's arena can serve a block above the threshold without a
    // mapping (the test failed once so at 2 MB), so four blocks are held at once: above the
    // threshold at least one gets a mapping; below it none ever does.
    // Free chunks in the arena can serve several blocks (the test failed once so at 256 kB under CI
    // load), so 64 MB of blocks are held, four at least.
    const mapped = (bytes: number): boolean => {
      trim(0)
      const blocks = Array.from({ length: Math.max(4, Math.ceil((64 << 20) / bytes)) }, () => malloc(bytes))
      try {
        return blocks.some((b) => (Number(usableSize(b)) + 16) % 4096 === 0)
      } finally {
        for (const b of blocks) free(b)
      }
    }
    const block = 8 * 1024 * 1024
    try {
      // At the core's 16 MB an 8 MB block comes from the heap and a 32 MB one gets its own mapping; at
      // 1 MB an 8 MB and a 2 MB block get mappings, a 256 kB block comes from the heap (mapped at 128 kB).
      expect(fixMmapThreshold(MMAP_THRESHOLD_KIB)).toBe(true)
      expect(mapped(block)).toBe(false)
      expect(mapped(4 * block)).toBe(true)
      expect(fixMmapThreshold(1024)).toBe(true)
      expect(mapped(block)).toBe(true)
      expect(mapped(2 * 1024 * 1024)).toBe(true)
      expect(mapped(256 * 1024)).toBe(false)
      expect(fixMmapThreshold(128)).toBe(true)
      expect(mapped(256 * 1024)).toBe(true)
    } finally {
      fixMmapThreshold(MMAP_THRESHOLD_KIB)
    }
  })

  it('is set once per value, at ME_MALLOC_MMAP_KIB when given (0: left to glibc), and says when it could not be', () => {
    try {
      const asked: number[] = []
      process.env.ME_MALLOC_MMAP_KIB = '256'
      expect(tuneMalloc((k) => (asked.push(k), true))).toBe(256)
      expect(tuneMalloc((k) => (asked.push(k), true))).toBe(256)
      expect(asked).toEqual([256])
      process.env.ME_MALLOC_MMAP_KIB = '0'
      expect(tuneMalloc((k) => (asked.push(k), true))).toBe(0)
      expect(asked).toEqual([256])
      delete process.env.ME_MALLOC_MMAP_KIB
      // Not Linux with glibc: nothing in force.
      expect(tuneMalloc(() => false)).toBe(0)
      expect(tuneMalloc((k) => (asked.push(k), true))).toBe(MMAP_THRESHOLD_KIB)
      process.env.ME_MALLOC_MMAP_KIB = 'big'
      expect(() => tuneMalloc()).toThrow(/ME_MALLOC_MMAP_KIB must be a whole number/)
    } finally {
      restore()
    }
  })
})
