/** One request's ticket: `isLatest()` stays true until a newer request starts or the owner goes away. */
export interface RequestTicket {
  /** Aborted as soon as the request is superseded; pass it to anything that can stop early. */
  readonly signal: AbortSignal
  isLatest(): boolean
}

/**
 * Request sequencing for a loader: every request takes a ticket and only the newest ticket may
 * write its answer. A slow answer to an older query (the range the user just left, a refetch
 * overtaken by another) is dropped instead of painting over the newer one.
 */
export class RequestSequence {
  private seq = 0
  private controller: AbortController | null = null

  next(): RequestTicket {
    this.controller?.abort()
    const controller = new AbortController()
    this.controller = controller
    const mine = ++this.seq
    return { signal: controller.signal, isLatest: () => mine === this.seq }
  }

  /** Invalidate the request in flight (the page unmounted). */
  cancel(): void {
    this.controller?.abort()
    this.controller = null
    this.seq++
  }
}
