// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Envelope } from '../../../shared/ipc/result'
import {
  ApiError,
  createClient,
  electronTransport,
  httpTransport,
  readToken,
  sseParser,
  type Transport,
} from './client'

function transportAnswering(env: Envelope<unknown>): Transport & { invoke: ReturnType<typeof vi.fn> } {
  return { invoke: vi.fn(async () => env), on: vi.fn(() => () => undefined) }
}

describe('createClient', () => {
  it('returns the value of an ok envelope', async () => {
    const t = transportAnswering({ ok: true, value: { cancelled: true } })
    const client = createClient(t)
    await expect(client.invoke('jobs:cancel', { jobId: 3 })).resolves.toEqual({ cancelled: true })
    expect(t.invoke).toHaveBeenCalledWith('jobs:cancel', { jobId: 3 })
  })

  it('throws an ApiError carrying the code and message of a failed envelope', async () => {
    const client = createClient(
      transportAnswering({ ok: false, error: { code: 'VALIDATION', message: 'Use a 3-letter code', details: [] } }),
    )
    const err = await client.invoke('settings:update', { reportingCurrency: 'us' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ code: 'VALIDATION', message: 'Use a 3-letter code' })
  })

  it('passes event payloads through the typed on()', () => {
    let push: (p: unknown) => void = () => undefined
    const t: Transport = {
      invoke: async () => ({ ok: true, value: null }),
      on: (_channel, cb) => {
        push = cb
        return () => undefined
      },
    }
    const seen: number[] = []
    createClient(t).on('job:progress', (p) => seen.push(p.current))
    push({ jobId: 1, kind: 'demo_reset', step: 'x', current: 4, total: 10, message: '' })
    expect(seen).toEqual([4])
  })
})

describe('electronTransport', () => {
  it('forwards to window.api and maps a broken IPC into a TRANSPORT error', async () => {
    const api = { invoke: vi.fn(async () => Promise.reject(new Error('gone'))), on: vi.fn(() => () => undefined) }
    const client = createClient(electronTransport(api))
    await expect(client.invoke('settings:get', {})).rejects.toMatchObject({ code: 'TRANSPORT' })
    expect(api.invoke).toHaveBeenCalledWith('settings:get', {})
  })
})

describe('httpTransport', () => {
  it('POSTs the input to /api/<channel> with the token header and parses the envelope', async () => {
    const fetchMock = vi.fn(
      async (_url: RequestInfo | URL, _init?: RequestInit) =>
        new Response(JSON.stringify({ ok: true, value: [{ id: 1 }] }), { status: 200 }),
    )
    const client = createClient(httpTransport({ token: 'sekret', fetch: fetchMock }))
    await expect(client.invoke('jobs:list', { limit: 5 })).resolves.toEqual([{ id: 1 }])
    const [url, init] = fetchMock.mock.calls[0] ?? []
    expect(url).toBe('/api/jobs:list')
    expect(init?.method).toBe('POST')
    expect(new Headers(init?.headers).get('x-me-token')).toBe('sekret')
    expect(init?.body).toBe(JSON.stringify({ limit: 5 }))
  })

  it('reads the error envelope of a 4xx answer', async () => {
    const fetchMock = vi.fn(
      async () =>
        new Response(JSON.stringify({ ok: false, error: { code: 'UNAUTHORIZED', message: 'Bad token' } }), {
          status: 401,
        }),
    )
    const client = createClient(httpTransport({ token: 'x', fetch: fetchMock }))
    await expect(client.invoke('settings:get', {})).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Bad token',
    })
  })

  it('turns a non-envelope answer into a TRANSPORT error', async () => {
    const fetchMock = vi.fn(async () => new Response('<html>Bad gateway</html>', { status: 502 }))
    const client = createClient(httpTransport({ token: 'x', fetch: fetchMock }))
    await expect(client.invoke('settings:get', {})).rejects.toMatchObject({ code: 'TRANSPORT' })
  })

  it('reads named server-sent events with the token in a header (never in the URL) and parses their JSON', async () => {
    let push: (text: string) => void = () => undefined
    let signal: AbortSignal | undefined
    const fetchMock = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      signal = init?.signal ?? undefined
      const body = new ReadableStream<Uint8Array>({
        start(ctl) {
          push = (text) => ctl.enqueue(new TextEncoder().encode(text))
        },
      })
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
    })
    const t = httpTransport({ token: 'a b', fetch: fetchMock })
    const got: unknown[] = []
    const seen = new Promise<void>((resolve) => {
      t.on('data:changed', (p) => {
        got.push(p)
        resolve()
      })
    })
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalled())
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit]
    expect(url).toBe('/api/events')
    expect(new Headers(init.headers).get('x-me-token')).toBe('a b')
    push(': connected\n\nevent: job:finished\ndata: {}\n\nevent: data:cha')
    push('nged\ndata: {"tables":["daily"]}\n\n')
    await seen
    expect(got).toEqual([{ tables: ['daily'] }])
    expect(signal?.aborted).toBe(false)
  })

  it('closes the stream when the last listener leaves', async () => {
    let signal: AbortSignal | undefined
    const fetchMock = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      signal = init?.signal ?? undefined
      return new Response(new ReadableStream<Uint8Array>(), { headers: { 'content-type': 'text/event-stream' } })
    })
    const t = httpTransport({ token: 'x', fetch: fetchMock })
    const offA = t.on('data:changed', () => undefined)
    const offB = t.on('job:finished', () => undefined)
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1))
    offA()
    expect(signal?.aborted).toBe(false)
    offB()
    expect(signal?.aborted).toBe(true)
  })
})

describe('sseParser', () => {
  it('joins data lines, skips comments and keeps partial events for the next chunk', () => {
    const parse = sseParser()
    expect(parse(': hi\r\nevent: a\r\ndata: 1\r\ndata: 2\r\n\r\nevent: b\ndata')).toEqual([
      { event: 'a', data: '1\n2' },
    ])
    expect(parse(': 7\n\n')).toEqual([{ event: 'b', data: '7' }])
    expect(parse('data: plain\n\n')).toEqual([{ event: 'message', data: 'plain' }])
  })
})

describe('readToken', () => {
  afterEach(() => {
    sessionStorage.clear()
    window.history.replaceState(null, '', '/')
  })

  it('takes the token from the URL, stores it and removes it from the address bar', () => {
    window.history.replaceState(null, '', '/?token=abc123&x=1#/settings')
    expect(readToken()).toBe('abc123')
    expect(sessionStorage.getItem('me-token')).toBe('abc123')
    expect(window.location.search).toBe('?x=1')
    expect(window.location.hash).toBe('#/settings')
  })

  it('falls back to the token kept in sessionStorage after a reload', () => {
    sessionStorage.setItem('me-token', 'kept')
    expect(readToken()).toBe('kept')
  })
})
