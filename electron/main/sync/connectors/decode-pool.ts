import { availableParallelism } from 'node:os'
import type { Worker } from 'node:worker_threads'
import { intFromEnv } from '../../env-settings'
import { startWorker, workerEntryUrl } from '../../worker-entry'
import { decodePage } from './decoders'
import type { DecodeOutcome, DecodeRequest } from './page-decode'

/** Where a page is decoded: on the pool's worker threads or on the calling thread. */
export type DecodeMode = 'worker' | 'inline'

interface Slot {
  worker: Worker
  /** Requests posted and not yet answered. */
  inflight: Map<number, (out: DecodeOutcome) => void>
  dead: boolean
  /** Whether the worker ever answered: one that dies before its first answer cannot start here. */
  answered: boolean
}

let slots: Slot[] = []
/** Set when a worker could not start (e.g. a broken bundle): pages are then decoded inline. */
let unusable: string | null = null
let nextId = 1
/** The worker entry beside this module (looked up once), or null: decode inline. */
let entry: URL | null | undefined
function entryUrl(): URL | null {
  if (entry === undefined) entry = workerEntryUrl(import.meta.url, 'decode-worker')
  return entry
}
/** Pages decoded per mode since start (tests check the worker path is really taken). */
const counts = { worker: 0, inline: 0 }

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

/** Pages decoded on worker threads and inline so far, the live workers, and why workers cannot start (if so). */
export function decodePoolStats(): { worker: number; inline: number; workers: number; unusable: string | null } {
  return { ...counts, workers: slots.filter((s) => !s.dead).length, unusable }
}

function failAll(slot: Slot, why: string): void {
  if (slot.dead) return
  slot.dead = true
  if (!slot.answered) unusable = why
  slots = slots.filter((s) => s !== slot)
  for (const resolve of slot.inflight.values())
    // The body went to the dead worker: a transient error makes HttpClient fetch the page again.
    resolve({ ok: false, error: { kind: 'transient', message: `page decoder stopped: ${why}`, code: 'decoder' } })
  slot.inflight.clear()
}

function spawn(url: URL): Slot {
  const worker = startWorker(url)
  const slot: Slot = { worker, inflight: new Map(), dead: false, answered: false }
  // Idle workers never keep the process alive; a busy one does (see post()).
  worker.unref()
  worker.on('message', (m: { id: number; outcome: DecodeOutcome }) => {
    slot.answered = true
    const resolve = slot.inflight.get(m.id)
    if (!resolve) return
    slot.inflight.delete(m.id)
    if (slot.inflight.size === 0) worker.unref()
    resolve(m.outcome)
  })
  worker.on('error', (err) => failAll(slot, err instanceof Error ? err.message : String(err)))
  worker.on('exit', (code) => failAll(slot, `worker exited with code ${code}`))
  return slot
}

/** The least busy live worker, starting workers lazily up to the pool size. */
function pick(url: URL): Slot {
  let best: Slot | undefined
  for (const s of slots) if (!best || s.inflight.size < best.inflight.size) best = s
  if (best && (best.inflight.size === 0 || slots.length >= decodePoolSize())) return best
  const slot = spawn(url)
  slots.push(slot)
  return slot
}

/**
 * Decode a daily report page on the decode pool (its bytes are transferred; the batch's buffers
 * come back transferred), or inline when `mode` is 'inline', no worker entry exists beside the
 * code (a bundle that did not emit one) or a worker died before its first answer (it cannot
 * start here; that page fails as transient and is fetched again). Same outcome either way.
 */
export function decodeOffThread(req: DecodeRequest, mode: DecodeMode = 'worker'): Promise<DecodeOutcome> {
  const url = mode === 'worker' && unusable === null ? entryUrl() : null
  if (!url) {
    counts.inline++
    return Promise.resolve(decodePage(req))
  }
  const slot = pick(url)
  const id = nextId++
  counts.worker++
  return new Promise((resolve) => {
    if (slot.inflight.size === 0) slot.worker.ref()
    slot.inflight.set(id, resolve)
    slot.worker.postMessage({ id, req }, [req.body])
  })
}

/** Stop the pool's workers (pending decodes fail as transient); the next decode starts a new pool. */
export async function shutdownDecodePool(): Promise<void> {
  const stopping = slots
  slots = []
  for (const s of stopping) {
    // Counted as answered so a deliberate stop never marks the pool unusable.
    s.answered = true
    failAll(s, 'decode pool shut down')
  }
  await Promise.all(stopping.map((s) => s.worker.terminate()))
}
