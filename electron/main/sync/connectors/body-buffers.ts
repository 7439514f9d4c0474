/**
 * Buffers for report page bodies, used again instead of allocated per page (issue 12, `ipc_p99_ms`).
 *
 * The core's thread puts each report page's body together in one buffer and transfers it to a decode
 * thread (http.ts `readBytes`). A fresh multi-MB buffer is memory the process has not touched: writing
 * it costs a page fault per 4 kB, and on this project's machines that was 35-40 ms for a 10 MB body
 * against 0.7 ms for the same copy into a buffer written before (docs/performance.md, session 12).
 * The decode threads send each body's buffer back with their answer, and the next body is copied into
 * one of those.
 *
 * Only large buffers are kept (small ones come from the allocator's own free memory), at most
 * `maxKept` of them and `maxBytes` in all (8, 128 MB), and all are let go after `idleMs` (5 s) without use, so
 * an idle app holds none.
 */
export class BodyBuffers {
  private free: ArrayBuffer[] = []
  private kept = 0
  private timer: ReturnType<typeof setTimeout> | null = null
  /** Buffers handed out again (tests and benches). */
  reused = 0

  constructor(
    private readonly maxKept = 8,
    // Google's searchStream answers reach about 33 MB per 31 days at 10,000 campaigns (64 MB buffers): a
    // lower limit dropped every one of them and each page faulted in fresh memory again.
    private readonly maxBytes = 128 << 20,
    private readonly idleMs = 5_000,
  ) {}

  /** A buffer of at least `size` bytes (contents undefined): a kept one that fits, else a new one. */
  take(size: number): ArrayBuffer {
    if (size < MIN_KEPT) return new ArrayBuffer(size)
    let best = -1
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i] as ArrayBuffer
      if (b.byteLength >= size && (best < 0 || b.byteLength < (this.free[best] as ArrayBuffer).byteLength)) best = i
    }
    if (best >= 0) {
      const [b] = this.free.splice(best, 1) as [ArrayBuffer]
      this.kept -= b.byteLength
      this.reused++
      return b
    }
    // Rounded up to a power of two so a buffer fits the next pages of about the same size.
    return new ArrayBuffer(2 ** Math.ceil(Math.log2(size)))
  }

  /** Hand a buffer back (nothing may use it afterwards). */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength < MIN_KEPT || buffer.byteLength > this.maxBytes) return
    this.free.push(buffer)
    this.kept += buffer.byteLength
    // The oldest go first when over the limits.
    while (this.free.length > this.maxKept || this.kept > this.maxBytes)
      this.kept -= (this.free.shift() as ArrayBuffer).byteLength
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => this.clear(), this.idleMs)
    this.timer.unref?.()
  }

  /** Let every kept buffer go. */
  clear(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.free = []
    this.kept = 0
  }

  /** Bytes kept for reuse now. */
  keptBytes(): number {
    return this.kept
  }
}

/** Buffers below this size are not kept (the allocator reuses small blocks itself). */
const MIN_KEPT = 256 << 10
