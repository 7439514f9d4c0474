import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import { intFromEnv } from './env-settings'

/**
 * Gives memory the process has freed back to the system, after big jobs (issue 18 item 4).
 *
 * On Linux with glibc, memory freed by a sync, a training or an import stays resident: glibc keeps
 * the free pages of the main thread's heap when a live block sits above them, and keeps the arenas
 * of worker threads that have exited (the sync's writer and decoders, the training thread) for the
 * next thread. `malloc_trim(0)` returns the free pages of every arena, dead threads' included. It is
 * called through `koffi` (an FFI module with prebuilt binaries) on Linux with glibc only; elsewhere,
 * or when the module cannot load, releasing is a silent no-op (logged once). macOS's and Windows'
 * allocators return freed memory on their own schedule and have no such call here.
 * `ME_MEMORY_RELEASE=0` turns off the releases after big jobs (benches compare with and without).
 */

/**
 * Calls malloc_trim(0) on a thread of libuv's pool; resolves whether it released anything. It takes
 * each arena's lock in turn, the main thread's too: a malloc on the core's thread meanwhile waits
 * (up to the whole trim, 160-490 ms at load 7-9 after a sync), hence MemoryRelease's quiet wait.
 */
export type Trim = () => Promise<boolean>

type KoffiFunc = ((pad: number) => number) & {
  async(pad: number, done: (err: unknown, result: number) => void): void
}

interface Koffi {
  load(path: string): { func(signature: string): KoffiFunc }
}

/** Linux only: glibc (and its malloc_trim) is looked up through koffi (musl has no libc.so.6 nor gnu_get_libc_version). */
const onLinux = (): boolean => process.platform === 'linux'

/**
 * glibc's malloc_trim through koffi, or why it is not available: not Linux, not glibc (its
 * `gnu_get_libc_version` missing), or the FFI module failed to load (the app runs on without it).
 * The arguments are for tests.
 */
export function loadMallocTrim(
  linux: () => boolean = onLinux,
  requireKoffi: () => Koffi = () => createRequire(import.meta.url)('koffi') as Koffi,
): { trim: Trim; mallopt: (param: number, value: number) => number } | { reason: string } {
  if (!linux()) return { reason: `not Linux (${process.platform})` }
  try {
    const libc = requireKoffi().load('libc.so.6')
    libc.func('const char *gnu_get_libc_version()')
    const fn = libc.func('int malloc_trim(size_t pad)')
    const opt = libc.func('int mallopt(int param, int value)') as unknown as (param: number, value: number) => number
    return {
      mallopt: opt,
      trim: () =>
        new Promise<boolean>((resolve, reject) =>
          fn.async(0, (err, r) => (err ? reject(err as Error) : resolve(r === 1))),
        ),
    }
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) }
  }
}

let loaded: ReturnType<typeof loadMallocTrim> | undefined

function trimHere(): Trim | null {
  if (!loaded) {
    loaded = loadMallocTrim()
    // Logged once: a missing module on Linux is worth knowing; elsewhere there is nothing to say.
    if ('reason' in loaded && process.platform === 'linux')
      console.warn(`[memory] freed memory is not returned to the system after big jobs: ${loaded.reason}`)
  }
  return 'trim' in loaded ? loaded.trim : null
}

/** glibc's mallopt parameters (malloc.h). */
const M_TRIM_THRESHOLD = -1
const M_MMAP_THRESHOLD = -3

/**
 * Fixes glibc's mmap threshold at `kib` (and the heap's trim threshold with it): blocks of that size
 * or more get mappings of their own, returned to the system when freed. Without it glibc raises the
 * threshold (up to 32 MB) each time such a block is freed, after which blocks of that size come from
 * the heaps and stay resident once freed (response bodies, decoded pages, SQLite's sorter).
 * Returns whether it was set (Linux with glibc only).
 */
export function fixMmapThreshold(kib: number): boolean {
  trimHere()
  if (!loaded || !('mallopt' in loaded)) return false
  const bytes = kib * 1024
  return loaded.mallopt(M_MMAP_THRESHOLD, bytes) === 1 && loaded.mallopt(M_TRIM_THRESHOLD, bytes) === 1
}

/**
 * The mmap threshold the core fixes (kB), kept from rising. 16 MB: the sync's response bodies and
 * decoded pages that glibc's rising threshold left resident still come back; smaller fixed values
 * cost CPU in the page faults of every fresh mapping: 128 kB made the pages' cold reads 10-30 % dearer,
 * and 1-4 MB still cost the recommendations' generation about 1 s of CPU out of 6 at 10,000 campaigns
 * (docs/performance.md, session 16).
 */
export const MMAP_THRESHOLD_KIB = 16_384

let tuned: number | undefined

/**
 * Fixes glibc's mmap threshold once per process (`fixMmapThreshold`), at `ME_MALLOC_MMAP_KIB` or
 * MMAP_THRESHOLD_KIB (0: glibc's rising threshold is left alone). Returns the threshold in force, kB
 * (0 where nothing was set: not Linux with glibc, or 0 asked). The setter is for tests.
 */
export function tuneMalloc(set: (kib: number) => boolean = fixMmapThreshold): number {
  const kib = intFromEnv('ME_MALLOC_MMAP_KIB', 0, 1_048_576) ?? MMAP_THRESHOLD_KIB
  if (tuned === kib) return kib
  tuned = kib
  if (kib > 0 && !set(kib)) tuned = 0
  return tuned
}

/** The mmap threshold `tuneMalloc` fixed in this process, kB (0: none; undefined before the first core). */
export function mmapThresholdKib(): number | undefined {
  return tuned
}

/** Whether releasing works here (Linux with glibc and the FFI module loaded). */
export function memoryReleaseSupported(): boolean {
  return trimHere() !== null
}

export interface ReleaseResult {
  /** false where releasing is not supported (nothing was called). */
  supported: boolean
  /** Whether some memory was returned to the system. */
  released: boolean
  /** How long the release took, ms (on a pool thread; the core's thread may wait on the heap's lock meanwhile). */
  ms: number
}

/** Returns the free pages of every malloc arena to the system (the call runs on a libuv pool thread). */
export async function releaseFreedMemory(): Promise<ReleaseResult> {
  const trim = trimHere()
  if (!trim) return { supported: false, released: false, ms: 0 }
  const t0 = performance.now()
  const released = await trim()
  return { supported: true, released, ms: performance.now() - t0 }
}

/** How long after the last big job's end the memory is released: the jobs' follow-ups start meanwhile. */
export const RELEASE_DELAY_MS = 2000

/** The release waits until the UI has made no call for this long (the trim can hold the core's thread). */
export const QUIET_MS = 10_000

/**
 * The longest a release is put off for a UI in use, from its first try: a window that keeps asking
 * (a dashboard refreshed through a sync and the training after it) would otherwise keep what the sync
 * freed resident under the training's peak (issue 18 item 4; docs/performance.md, session 18). Equal to
 * QUIET_MS: a release runs at most 10 s after a big job whether the UI is in use or not (a click during
 * the trim may wait for it: 146–248 ms measured), traded for the training's peak (30 s left the sync's
 * memory resident under the training's first phase).
 */
export const QUIET_WAIT_MAX_MS = 10_000

export interface MemoryReleaseOptions {
  delayMs?: number
  /** Work to wait for before releasing (the after-sync checks and the recommendations' generation). */
  settled?: () => Promise<unknown>
  /**
   * Whether a job that writes the store runs now (a sync, an import, a demo build): the release waits
   * for its end (which asks again) rather than empty the page cache and hold the heaps' locks under it.
   */
  writing?: () => boolean
  /** Milliseconds since the UI's last call (the release waits for QUIET_MS of it); default: always quiet. */
  quietFor?: () => number
  quietMs?: number
  /** The longest the release is put off for the UI (QUIET_WAIT_MAX_MS); then it runs all the same. */
  quietWaitMaxMs?: number
  /** The clock of that wait, ms (tests). */
  now?: () => number
  /** Run just before the release: frees caches whose memory it then returns (the core connection's page cache). */
  before?: () => void
  /** The release itself (tests count calls). */
  release?: () => Promise<ReleaseResult>
}

/**
 * Releases freed memory after big work: `request()` (a sync, a training, an import ended) starts a
 * timer of `delayMs`, a later request restarts it; when it fires, the release waits for `settled()`
 * (the jobs' follow-ups) and for the UI to be quiet, then runs unless a job writes the store (its end
 * asks again). One release per burst of ends, never on a hot path. Does nothing where releasing is
 * unsupported.
 */
export class MemoryRelease {
  private timer: NodeJS.Timeout | null = null
  private closed = false
  private pending: Promise<void> = Promise.resolve()
  /** When the pending release was first put off for the UI (null: not put off). */
  private putOffAt: number | null = null
  /** Releases done (tests, benches). */
  count = 0
  last: ReleaseResult | null = null

  constructor(private readonly opts: MemoryReleaseOptions = {}) {}

  request(): void {
    if (this.closed || (!this.opts.release && (process.env.ME_MEMORY_RELEASE === '0' || !memoryReleaseSupported())))
      return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      this.pending = this.run()
    }, this.opts.delayMs ?? RELEASE_DELAY_MS)
    this.timer.unref()
  }

  /** Whether a release is asked for and its delay still running. */
  get requested(): boolean {
    return this.timer !== null
  }

  /**
   * Runs a requested release now instead of at its timer, and resolves once it ran, was skipped, or
   * (the UI not quiet yet) was put off to a new timer (tests, benches).
   */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = null
      this.pending = this.run()
    }
    await this.pending
  }

  close(): void {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private async run(): Promise<void> {
    try {
      await this.opts.settled?.()
    } catch {
      // A follow-up that failed was reported where it ran; memory is released all the same.
    }
    // A request made while waiting has its own timer.
    if (this.closed || this.timer) return
    // The UI is in use: try again once it has been quiet long enough, but not past the longest wait
    // (counted from the first time this release was put off; later requests do not restart it).
    const wait = (this.opts.quietMs ?? QUIET_MS) - (this.opts.quietFor?.() ?? Infinity)
    const at = this.opts.now ? this.opts.now() : performance.now()
    const left = (this.opts.quietWaitMaxMs ?? QUIET_WAIT_MAX_MS) - (at - (this.putOffAt ?? at))
    if (wait > 0 && left > 0) {
      this.putOffAt ??= at
      this.timer = setTimeout(
        () => {
          this.timer = null
          this.pending = this.run()
        },
        Math.min(wait, left),
      )
      this.timer.unref()
      return
    }
    this.putOffAt = null
    // A training still running (one that started after the sync) does not stop it: what the sync
    // freed goes back before the training's peak. A job that writes the store does: its end asks again.
    if (this.opts.writing?.()) return
    try {
      this.opts.before?.()
    } catch (err) {
      console.warn('[memory] freeing caches before the release failed:', err)
    }
    this.last = await (this.opts.release ?? releaseFreedMemory)()
    if (this.last.supported) this.count++
  }
}
