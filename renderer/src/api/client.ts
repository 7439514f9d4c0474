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
  /** Injected in tests; defaults to the browser's EventSource. */
  eventSource?: (url: string) => EventSource
}

export function httpTransport(opts: HttpTransportOptions): Transport {
  const base = opts.baseUrl ?? ''
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init))
  const openSource = opts.eventSource ?? ((url: string) => new EventSource(url))
  let source: EventSource | null = null
  let listeners = 0

  return {
    async invoke(channel, input) {
      let res: Response
      try {
        res = await doFetch(`${base}/api/${channel}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-me-token': opts.token },
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
      source ??= openSource(`${base}/api/events?token=${encodeURIComponent(opts.token)}`)
      const current = source
      const handler = (ev: MessageEvent<string>): void => {
        let payload: unknown
        try {
          payload = JSON.parse(ev.data)
        } catch {
          return
        }
        cb(payload)
      }
      current.addEventListener(channel, handler)
      listeners++
      return () => {
        current.removeEventListener(channel, handler)
        listeners--
        if (listeners === 0 && source === current) {
          current.close()
          source = null
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
