import { addDays, localDateIn } from '../shared/domain/dates'
import type { Connector } from '../electron/main/sync/connectors/types'
import { chunkWindows } from '../electron/main/sync/sync-engine/plan'

interface Recorded {
  status: number
  headers: [string, string][]
  /** Kept as UTF-8 bytes off the JS heap (a full-size run records ~2 GB); decoding is timed, as on a network. */
  body: Buffer
}

/**
 * Pre-rendered simulated API: the bench's pages are produced by the simulator before the timer
 * starts (building them is the platforms' work, not our pipeline's) and served from memory in
 * the timed sync. Requests are keyed by method, URL and body and replayed in recorded order, so
 * stateful exchanges (Meta async report runs and their polls) replay exactly; anything not
 * recorded falls through to the live simulated API.
 */
export class PageReplay {
  private readonly recorded = new Map<string, Recorded[]>()
  /** Response bytes recorded. */
  bytes = 0
  replayed = 0
  live = 0

  constructor(private readonly live_: typeof fetch) {}

  private static async key(input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<string> {
    const req = new Request(input, init)
    const body = req.body ? await req.text() : ''
    return `${req.method} ${req.url} ${body}`
  }

  /** A fetch that forwards to the live API and keeps every response. */
  readonly record: typeof fetch = async (input, init) => {
    const res = await this.live_(input, init)
    const body = Buffer.from(await res.arrayBuffer())
    const key = await PageReplay.key(input, init)
    const list = this.recorded.get(key) ?? []
    list.push({ status: res.status, headers: [...res.headers], body })
    this.recorded.set(key, list)
    this.bytes += body.length
    return new Response(body, { status: res.status, headers: res.headers })
  }

  /** A fetch that serves recorded responses (each once, in order), else the live API. */
  readonly replay: typeof fetch = async (input, init) => {
    init?.signal?.throwIfAborted()
    const key = await PageReplay.key(input, init)
    const hit = this.recorded.get(key)?.shift()
    if (!hit) {
      this.live++
      return this.live_(input, init)
    }
    this.replayed++
    // Streamed as one chunk, the way a network body arrives: reading it copies it once (as
    // concatenating a socket's chunks does); a Uint8Array body would be copied twice.
    const body = hit.body
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(body)
        c.close()
      },
    })
    return new Response(stream, { status: hit.status, headers: hit.headers })
  }
}

/**
 * Issue the requests the sync engine will make for a full sync from `since` (structure, then
 * daily rows in the engine's chunk windows) so their responses get recorded.
 */
export async function prefetchSync(connector: Connector, ids: string[], since: string, now: Date): Promise<void> {
  for (const account of await connector.listAccounts(ids)) {
    await connector.listCampaigns(account)
    await connector.listAdSets(account)
    await connector.listAds(account)
    const to = addDays(localDateIn(account.timeZone, now), -1)
    for (const w of chunkWindows(since, to, Math.min(connector.maxWindowDays, 31))) {
      for await (const page of connector.fetchDaily(account, w.from, w.to)) void page
    }
  }
}
