import type { EventChannel, InvokeChannel } from '../../../shared/ipc/channels'
import type { ChannelInput, ChannelOutput, EventPayload } from '../../../shared/ipc/contract'
import type { Envelope, ErrorCode } from '../../../shared/ipc/result'
import type { ElectronApi } from './electron-api'

/** `TRANSPORT` is renderer-only: the core could not be reached or answered something unreadable. */
export type ApiErrorCode = ErrorCode | 'TRANSPORT'

export class ApiError extends Error {
  readonly code: ApiErrorCode
  readonly details?: unknown
  constructor(code: ApiErrorCode, message: string, details?: unknown) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.details = details
  }
}

/** The untyped wire: both hosts speak envelopes, the client adds the types. */
export interface Transport {
  invoke(channel: InvokeChannel, input: unknown): Promise<Envelope<unknown>>
  on(channel: EventChannel, cb: (payload: unknown) => void): () => void
}

export interface ApiClient {
  invoke<C extends InvokeChannel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>
  on<E extends EventChannel>(event: E, cb: (payload: EventPayload<E>) => void): () => void
}

export function createClient(transport: Transport): ApiClient {
  return {
    async invoke<C extends InvokeChannel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
      const env = await transport.invoke(channel, input)
      if (!env.ok) throw new ApiError(env.error.code, env.error.message, env.error.details)
      // The core validated the output against the contract before sending it.
      return env.value as ChannelOutput<C>
    },
    on<E extends EventChannel>(event: E, cb: (payload: EventPayload<E>) => void): () => void {
      return transport.on(event, (payload) => cb(payload as EventPayload<E>))
    },
  }
}

function isEnvelope(x: unknown): x is Envelope<unknown> {
  if (typeof x !== 'object' || x === null || !('ok' in x)) return false
  if (x.ok === true) return 'value' in x
  return x.ok === false && 'error' in x && typeof x.error === 'object' && x.error !== null
}

export function electronTransport(api: ElectronApi): Transport {
  return {
    async invoke(channel, input) {
      try {
        return await api.invoke(channel, input)
      } catch (err) {
        // The preload only rejects when IPC itself broke (the main process never throws across it).
        throw new ApiError('TRANSPORT', err instanceof Error ? err.message : String(err))
      }
    },
    on: (channel, cb) => api.on(channel, cb),
  }
}

export interface HttpTransportOptions {
  token: string
  baseUrl?: string
  fetch?: typeof fetch
  /** Wait before reopening a dropped event stream (ms); tests shrink it. */
  reconnectMs?: number
}

/** One parsed server-sent event (`event:` name and the joined `data:` lines). */
export interface SseEvent {
  event: string
  data: string
}

/** Incremental `text/event-stream` parser: feed it text as it arrives, get the complete events. */
export function sseParser(): (chunk: string) => SseEvent[] {
  let buffer = ''
  return (chunk) => {
    buffer += chunk.replace(/\r\n?/g, '\n')
    const out: SseEvent[] = []
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      let event = 'message'
      const data: string[] = []
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue
        const colon = line.indexOf(':')
        const field = colon < 0 ? line : line.slice(0, colon)
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (field === 'event') event = value
        else if (field === 'data') data.push(value)
      }
      if (data.length > 0) out.push({ event, data: data.join('\n') })
    }
    return out
  }
}

export function httpTransport(opts: HttpTransportOptions): Transport {
  const base = opts.baseUrl ?? ''
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init))
  const reconnectMs = opts.reconnectMs ?? 2000
  const headers = { 'content-type': 'application/json', 'x-me-token': opts.token }
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  let stream: AbortController | null = null

  const deliver = (ev: SseEvent): void => {
    const set = listeners.get(ev.event)
    if (!set) return
    let payload: unknown
    try {
      payload = JSON.parse(ev.data)
    } catch {
      return
    }
    for (const cb of set) cb(payload)
  }

  /**
   * The event stream is read with fetch (not EventSource) so the token goes in a header, never in
   * a URL; a dropped stream is reopened while anyone listens.
   */
  const open = (ctl: AbortController): void => {
    void (async () => {
      while (!ctl.signal.aborted) {
        try {
          const res = await doFetch(`${base}/api/events`, { headers, signal: ctl.signal })
          if (res.ok && res.body) {
            const parse = sseParser()
            const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
            for (;;) {
              const { value, done } = await reader.read()
              if (done) break
              for (const ev of parse(value)) deliver(ev)
            }
          }
        } catch {
          // dropped or refused: try again below unless closed
        }
        if (ctl.signal.aborted) return
        await new Promise((r) => setTimeout(r, reconnectMs))
      }
    })()
  }

  return {
    async invoke(channel, input) {
      let res: Response
      try {
        res = await doFetch(`${base}/api/${channel}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(input ?? {}),
        })
      } catch (err) {
        throw new ApiError(
          'TRANSPORT',
          `Could not reach the Marketing Engine core (${err instanceof Error ? err.message : String(err)})`,
        )
      }
      // The server answers envelopes on 4xx/5xx too; anything else is a broken hop (proxy, crash).
      const body: unknown = await res.json().catch(() => null)
      if (isEnvelope(body)) return body
      throw new ApiError('TRANSPORT', `Unexpected response from the core (HTTP ${res.status})`)
    },
    on(channel, cb) {
      // One shared stream for all subscriptions; closed again when the last one leaves.
      let set = listeners.get(channel)
      if (!set) listeners.set(channel, (set = new Set()))
      const mine = (p: unknown): void => cb(p)
      set.add(mine)
      if (!stream) {
        stream = new AbortController()
        open(stream)
      }
      return () => {
        set.delete(mine)
        if (set.size === 0) listeners.delete(channel)
        if (listeners.size === 0 && stream) {
          stream.abort()
          stream = null
        }
      }
    },
  }
}

const TOKEN_KEY = 'me-token'

/**
 * The web host hands the session token in `?token=` once; keep it for reloads in this tab and
 * take it out of the address bar so it is not bookmarked, shared or left in history.
 */
export function readToken(loc: Location = window.location, storage: Storage = window.sessionStorage): string {
  const url = new URL(loc.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl)
    url.searchParams.delete('token')
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`)
    return fromUrl
  }
  return storage.getItem(TOKEN_KEY) ?? ''
}

let current: ApiClient | null = null

/** The app-wide client: Electron IPC when the preload exposed `window.api`, else HTTP. */
export function getClient(): ApiClient {
  current ??= createClient(window.api ? electronTransport(window.api) : httpTransport({ token: readToken() }))
  return current
}

/** Tests (and previews) swap the client before rendering; `null` goes back to auto-detection. */
export function setClient(client: ApiClient | null): void {
  current = client
}
