import type { Worker } from 'node:worker_threads'
import { choiceFromEnv } from '../env-settings'
import { reportError } from '../logging'
import { startWorker, workerEntryUrl } from '../worker-entry'
import { demoSimulatedFetch } from './real-connectors'
import type { SimulatedFetchFactory, SimulatedPlatformsStats } from './sync-service'

type SimRef = Parameters<SimulatedFetchFactory>[0]

/** One request to the simulated platforms, as posted to their thread. */
export interface SimRequest {
  id: number
  sim: SimRef
  /** The core's clock when the connector was made (ISO): the platforms' "today" follows it. */
  now: string
  method: string
  url: string
  headers: [string, string][]
  body: ArrayBuffer | null
}

/** The thread's answer: the response as plain data (its body transferred), or why it failed. */
export type SimAnswer =
  | {
      id: number
      ok: true
      status: number
      statusText: string
      headers: [string, string][]
      body: ArrayBuffer | null
      /** The thread's V8 heap in use after answering (MB): what the simulated world costs. */
      heapMb: number
    }
  | { id: number; ok: false; error: string }

/** Where the demo's simulated platforms answer: a worker thread (default) or the core's own thread. */
export type SimMode = 'thread' | 'inline'

/** The thread is stopped after this long without a request, giving back the world's memory. */
export const SIM_IDLE_MS = 60_000

/**
 * The demo's simulated platforms on their own worker thread. Building a report page of 128,000 ads
 * (the 10,000-campaign demo) costs the simulator seconds of CPU; on the core's thread that froze
 * every IPC answer during a demo sync (issue 18: ~120 s of a 290 s busy profile). Here the core only
 * copies requests and answers. The thread starts on the first request, is referenced only while a
 * request is in flight, and stops after `SIM_IDLE_MS` idle (its world is rebuilt on the next sync).
 * A request whose signal aborts is rejected at once; a thread that dies fails its requests like a
 * network error (the connectors retry) and the next request starts a new one. `ME_SIMULATOR=inline`
 * (or a build without the worker entry) answers on the calling thread with the same handlers.
 */
export class SimulatedPlatformsThread {
  private worker: Worker | null = null
  private readonly pending = new Map<number, { resolve: (r: Response) => void; reject: (e: Error) => void }>()
  private nextId = 1
  private idleTimer: NodeJS.Timeout | null = null
  private inline: SimulatedFetchFactory | null = null
  private readonly counts = { thread: 0, inline: 0, starts: 0, peakHeapMb: 0 }

  constructor(
    private readonly dataDir: string | undefined,
    private readonly entry: URL | null = workerEntryUrl(import.meta.url, 'sim-worker'),
    mode: SimMode = choiceFromEnv('ME_SIMULATOR', ['thread', 'inline'] as const) ?? 'thread',
    private readonly idleMs = SIM_IDLE_MS,
  ) {
    if (mode === 'inline' || !entry) this.inline = demoSimulatedFetch(dataDir)
  }

  /** Requests answered on the thread and inline, threads started, the thread's largest heap seen (MB), whether one runs. */
  stats(): SimulatedPlatformsStats {
    return { ...this.counts, running: this.worker !== null }
  }

  /** The factory the sync service uses for simulated connections. */
  readonly factory: SimulatedFetchFactory = (sim, now) => {
    if (this.inline) {
      const f = this.inline(sim, now)
      return (input, init) => {
        this.counts.inline++
        return f(input, init)
      }
    }
    const at = now.toISOString()
    return (input, init) => this.request(sim, at, new Request(input, init))
  }

  /** Stop the thread; requests in flight fail like a network error. */
  async close(): Promise<void> {
    const w = this.worker
    this.stopWorker('the simulated platforms were shut down')
    if (w) await w.terminate()
  }

  private async request(sim: SimRef, now: string, request: Request): Promise<Response> {
    const signal = request.signal
    signal.throwIfAborted()
    const method = request.method.toUpperCase()
    const body = method === 'GET' || method === 'HEAD' ? null : await request.arrayBuffer()
    signal.throwIfAborted()
    const id = this.nextId++
    const msg: SimRequest = { id, sim, now, method, url: request.url, headers: [...request.headers.entries()], body }
    const worker = this.ensureWorker()
    this.counts.thread++
    return new Promise<Response>((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.pending.delete(id)) return
        this.settled()
        reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)))
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.pending.set(id, {
        resolve: (r) => {
          signal.removeEventListener('abort', onAbort)
          resolve(r)
        },
        reject: (e) => {
          signal.removeEventListener('abort', onAbort)
          reject(e)
        },
      })
      if (this.idleTimer) clearTimeout(this.idleTimer)
      this.idleTimer = null
      worker.ref()
      worker.postMessage(msg, body ? [body] : [])
    })
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker
    const w = startWorker(this.entry as URL, { dataDir: this.dataDir })
    this.counts.starts++
    this.worker = w
    w.unref()
    w.on('message', (a: SimAnswer) => {
      const p = this.pending.get(a.id)
      if (!p) return
      this.pending.delete(a.id)
      this.settled()
      if (!a.ok) {
        p.reject(new TypeError(`fetch failed: the simulated platforms: ${a.error}`))
        return
      }
      this.counts.peakHeapMb = Math.max(this.counts.peakHeapMb, a.heapMb)
      p.resolve(answerResponse(a))
    })
    w.on('error', (err) => {
      reportError('The simulated platforms thread crashed', err)
      if (this.worker === w) this.stopWorker(err instanceof Error ? err.message : String(err))
    })
    w.on('exit', (code) => {
      if (this.worker === w) this.stopWorker(`the thread exited with code ${code}`)
    })
    return w
  }

  /** A request ended: with none left, let the process exit and stop the thread after the idle time. */
  private settled(): void {
    if (this.pending.size > 0 || !this.worker) return
    const w = this.worker
    w.unref()
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => {
      if (this.worker !== w || this.pending.size > 0) return
      this.stopWorker('idle')
      void w.terminate()
    }, this.idleMs)
    this.idleTimer.unref()
  }

  private stopWorker(why: string): void {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
    this.worker = null
    const failed = [...this.pending.values()]
    this.pending.clear()
    for (const p of failed) p.reject(new TypeError(`fetch failed: the simulated platforms stopped (${why})`))
  }
}

/**
 * The thread's answer as a Response that hands over the transferred body as is. `new Response(buffer)`
 * copies it and `arrayBuffer()` copies it again through a stream: for report pages of tens of MB
 * those copies were 1-1.4 s stretches of the core's thread in a demo sync's profile (issue 18).
 * `arrayBuffer`, `text` and `json` read the one buffer once, as a real body reads once; `body` (the
 * stream) is not offered.
 */
export function answerResponse(a: Extract<SimAnswer, { ok: true }>): Response {
  const nullBody = a.status === 204 || a.status === 205 || a.status === 304
  const res = new Response(null, { status: a.status, statusText: a.statusText, headers: a.headers })
  let used = false
  const take = (): ArrayBuffer => {
    if (used) throw new TypeError('Body is unusable: Body has already been read')
    used = true
    return nullBody || !a.body ? new ArrayBuffer(0) : a.body
  }
  const text = async (): Promise<string> => new TextDecoder().decode(take())
  Object.defineProperties(res, {
    bodyUsed: { get: () => used },
    arrayBuffer: { value: async () => take() },
    text: { value: text },
    json: { value: async () => JSON.parse(await text()) as unknown },
  })
  return res
}
