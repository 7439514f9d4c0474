import { availableParallelism } from 'node:os'
import type { Worker } from 'node:worker_threads'
import { intFromEnv } from '../../env-settings'
import { startWorker, workerEntryUrl } from '../../worker-entry'
import { BodyBuffers } from './body-buffers'
import { decodePage } from './decoders'
import { decodeList, type ListDecodeOutcome, type ListDecodeRequest } from './list-decode'
import type { DecodeOutcome, DecodeRequest, DecodeRunner } from './page-decode'
import { reportError } from '../../logging'
import { backgroundNice } from '../../thread-priority'

export type { DecodeRunner }

/** Where a page is decoded: on the pool's worker threads or on the calling thread. */
export type DecodeMode = 'worker' | 'inline'

interface Slot {
  worker: Worker
  /** Requests posted and not yet answered. */
  inflight: Map<number, (out: DecodeOutcome & ListDecodeOutcome) => void>
  dead: boolean
  /** Whether the worker ever answered: one that dies before its first answer cannot start here. */
  answered: boolean
  /** Stops the worker when it has had nothing to do for IDLE_STOP_MS. */
  idle: ReturnType<typeof setTimeout> | null
}

/**
 * An idle worker stops after this long, handing back its heap (issue 18: the decoders' memory stayed
 * resident after a sync until the core closed); the next page starts one again (about 100 ms).
 */
export const IDLE_STOP_MS = 5_000

/**
 * Worker threads of the pool: max(2, min(4, cores - 2)), cores beyond the main thread and the
 * sync's writer thread, and at least two: decoding is the heaviest stage of a sync, and on two cores
 * two decoders still finish a backfill sooner than one (the ingest bench: 33 s instead of 39 s, all
 * threads then busy). ME_DECODE_WORKERS (1-8) overrides it.
 */
export function decodePoolSize(): number {
  const forced = intFromEnv('ME_DECODE_WORKERS', 1, 8)
  return forced ?? Math.max(2, Math.min(4, availableParallelism() - 2))
}

/**
 * The page-decode worker pool. One per core (the core creates it and closes it on shutdown);
 * workers start lazily up to the pool size and idle ones never keep the process alive.
 */
export class DecodePool implements DecodeRunner {
  private slots: Slot[] = []
  /** Set when a worker could not start (e.g. a broken bundle): pages are then decoded inline. */
  private unusable: string | null = null
  private nextId = 1
  /** Pages decoded per mode since start (tests check the worker path is really taken). */
  private readonly counts = { worker: 0, inline: 0 }
  /** Page bodies' buffers, handed back by the workers with their answers (see BodyBuffers). */
  readonly buffers = new BodyBuffers()

  /** `entry`: the worker entry (default: `decode-worker` beside this module; null decodes inline). */
  constructor(private readonly entry: URL | null = workerEntryUrl(import.meta.url, 'decode-worker')) {}

  /** Pages and lists decoded on worker threads and inline so far, the live workers, and why workers cannot start (if so). */
  stats(): { worker: number; inline: number; workers: number; unusable: string | null } {
    return { ...this.counts, workers: this.slots.filter((s) => !s.dead).length, unusable: this.unusable }
  }

  /**
   * Decode a daily report page on a worker thread (its bytes are transferred; the batch's buffers
   * come back transferred), or inline when no worker entry exists beside the code (a bundle that
   * did not emit one) or a worker died before its first answer (it cannot start here; that page
   * fails as transient and is fetched again). Same outcome either way.
   */
  decode(req: DecodeRequest): Promise<DecodeOutcome> {
    const url = this.unusable === null ? this.entry : null
    if (!url) {
      this.counts.inline++
      return Promise.resolve(decodePage(req))
    }
    const slot = this.pick(url)
    const id = this.nextId++
    this.counts.worker++
    return new Promise((resolve) => {
      this.busy(slot)
      slot.inflight.set(id, resolve)
      slot.worker.postMessage({ id, req }, [req.body])
    })
  }

  /**
   * Decode an entity list's body (list-decode.ts) on a worker thread (its bytes transferred, handed
   * back like a page's), or inline when workers cannot run here. Same outcome either way.
   */
  decodeList(req: ListDecodeRequest): Promise<ListDecodeOutcome> {
    const url = this.unusable === null ? this.entry : null
    if (!url) {
      this.counts.inline++
      return Promise.resolve(decodeList(req))
    }
    const slot = this.pick(url)
    const id = this.nextId++
    this.counts.worker++
    return new Promise((resolve) => {
      this.busy(slot)
      slot.inflight.set(id, resolve)
      slot.worker.postMessage({ id, list: req }, [req.body])
    })
  }

  /** Stop the pool's workers (pending decodes fail as transient); a later decode starts new workers. */
  async close(): Promise<void> {
    const stopping = this.slots
    this.slots = []
    for (const s of stopping) {
      // Counted as answered so a deliberate stop never marks the pool unusable.
      s.answered = true
      this.failAll(s, 'decode pool shut down')
    }
    this.buffers.clear()
    await Promise.all(stopping.map((s) => s.worker.terminate()))
  }

  /** A request goes to `slot`: it keeps the process alive while busy and does not stop. */
  private busy(slot: Slot): void {
    if (slot.inflight.size === 0) slot.worker.ref()
    if (slot.idle) clearTimeout(slot.idle)
    slot.idle = null
  }

  /** `slot` answered its last request: idle workers never keep the process alive, and stop after a while. */
  private idle(slot: Slot): void {
    slot.worker.unref()
    if (slot.idle) clearTimeout(slot.idle)
    slot.idle = setTimeout(() => {
      if (slot.inflight.size > 0 || slot.dead) return
      slot.dead = true
      this.slots = this.slots.filter((s) => s !== slot)
      void slot.worker.terminate()
    }, IDLE_STOP_MS)
    slot.idle.unref?.()
  }

  private failAll(slot: Slot, why: string): void {
    if (slot.idle) clearTimeout(slot.idle)
    slot.idle = null
    if (slot.dead) return
    slot.dead = true
    if (!slot.answered) this.unusable = why
    this.slots = this.slots.filter((s) => s !== slot)
    for (const resolve of slot.inflight.values())
      // The body went to the dead worker: a transient error makes HttpClient fetch the page again.
      resolve({ ok: false, error: { kind: 'transient', message: `page decoder stopped: ${why}`, code: 'decoder' } })
    slot.inflight.clear()
  }

  private spawn(url: URL): Slot {
    const worker = startWorker(url, { nice: backgroundNice() })
    const slot: Slot = { worker, inflight: new Map(), dead: false, answered: false, idle: null }
    // Idle workers never keep the process alive; a busy one does (see decode()).
    worker.unref()
    worker.on('message', (m: { id: number; outcome: DecodeOutcome & ListDecodeOutcome; body?: ArrayBuffer }) => {
      slot.answered = true
      if (m.body) this.buffers.give(m.body)
      const resolve = slot.inflight.get(m.id)
      if (!resolve) return
      slot.inflight.delete(m.id)
      if (slot.inflight.size === 0) this.idle(slot)
      resolve(m.outcome)
    })
    worker.on('error', (err) => {
      reportError('A page-decode worker crashed', err)
      this.failAll(slot, err instanceof Error ? err.message : String(err))
    })
    worker.on('exit', (code) => this.failAll(slot, `worker exited with code ${code}`))
    return slot
  }

  /** The least busy live worker, starting workers lazily up to the pool size. */
  private pick(url: URL): Slot {
    let best: Slot | undefined
    for (const s of this.slots) if (!best || s.inflight.size < best.inflight.size) best = s
    if (best && (best.inflight.size === 0 || this.slots.length >= decodePoolSize())) return best
    const slot = this.spawn(url)
    this.slots.push(slot)
    return slot
  }
}

/** Decoding on the calling thread (connectors built without a pool, tests, diagnostics). */
export const inlineDecoder: DecodeRunner = { decode: (req) => Promise.resolve(decodePage(req)) }
