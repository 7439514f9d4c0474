import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { simulatedFetch } from '../simulated'
import { HttpClient, readBytes, retryAfterHeaderMs, type PlatformProtocol } from './http'
import { classifyStatus } from './http'
import { ConnectorError, type ConnectorContext } from './types'

const URL_ = 'https://api.example.test/thing'
const protocol: PlatformProtocol = {
  platform: 'snapchat',
  classify: (ex) => classifyStatus(ex.status, `HTTP ${ex.status}`),
}
const Schema = z.looseObject({ ok: z.literal(true) })

function client(
  handler: () => Response | Promise<Response>,
  extra: Partial<ConnectorContext> = {},
  random = (): number => 0.5,
): HttpClient {
  const ctx: ConnectorContext = {
    fetch: simulatedFetch([http.get(URL_, handler)]),
    baseUrl: 'https://api.example.test',
    credentials: {},
    retry: { maxAttempts: 3, baseDelayMs: 2, maxDelayMs: 50, timeoutMs: 100 },
    ...extra,
  }
  return new HttpClient(ctx, protocol, random)
}

describe('HttpClient', () => {
  it('uses full-jitter exponential backoff capped at maxDelayMs and honours Retry-After', () => {
    const c = client(
      () => HttpResponse.json({ ok: true }),
      {},
      () => 0.999,
    )
    expect(c.backoff(1)).toBe(1)
    expect(c.backoff(3)).toBe(7)
    expect(c.backoff(10)).toBe(49)
    expect(c.backoff(1, 30)).toBe(30)
    expect(c.backoff(1, 51)).toBeNull()
    expect(retryAfterHeaderMs(new Headers({ 'retry-after': '2' }))).toBe(2000)
    expect(
      retryAfterHeaderMs(new Headers({ 'retry-after': new Date(Date.now() + 5000).toUTCString() })),
    ).toBeGreaterThan(3000)
  })

  it('retries 5xx and then succeeds, reporting each retry', async () => {
    let n = 0
    const retries: number[] = []
    const c = client(() => (++n < 3 ? HttpResponse.json({}, { status: 502 }) : HttpResponse.json({ ok: true })), {
      onRetry: (i) => retries.push(i.attempt),
    })
    await expect(c.request({ method: 'GET', url: URL_, schema: Schema, what: 'thing' })).resolves.toEqual({ ok: true })
    expect(retries).toEqual([1, 2])
  })

  it('turns a body of the wrong shape into invalid_response naming the field', async () => {
    const c = client(() => HttpResponse.json({ ok: 'yes' }))
    const err = await c.request({ method: 'GET', url: URL_, schema: Schema, what: 'thing' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectorError)
    expect(err).toMatchObject({ kind: 'invalid_response', detail: { code: 'invalid_shape' } })
    expect((err as Error).message).toMatch(/at ok/)
  })

  it('does not retry bad requests', async () => {
    let n = 0
    const c = client(() => (n++, HttpResponse.json({}, { status: 400 })))
    await expect(c.request({ method: 'GET', url: URL_, schema: Schema, what: 'thing' })).rejects.toMatchObject({
      kind: 'bad_request',
    })
    expect(n).toBe(1)
  })

  it('times out hanging requests as transient, but a caller abort propagates as the abort itself', async () => {
    const hang = (): Promise<Response> => new Promise(() => undefined)
    await expect(
      client(hang).request({ method: 'GET', url: URL_, schema: Schema, what: 'thing' }),
    ).rejects.toMatchObject({ kind: 'transient', detail: { code: 'timeout' } })
    const ac = new AbortController()
    const p = client(hang, { signal: ac.signal }).request({ method: 'GET', url: URL_, schema: Schema, what: 'thing' })
    setTimeout(() => ac.abort(new Error('cancelled by user')), 20)
    await expect(p).rejects.toThrow('cancelled by user')
  })
})

describe('readBytes', () => {
  const streamed = (chunks: Uint8Array[]): Response =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(c) {
          for (const x of chunks) c.enqueue(x)
          c.close()
        },
      }),
    )

  it('puts a body of many chunks, and one of several MB, together byte for byte', async () => {
    const big = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) % 251)
    const parts = [big.subarray(0, 5), big.subarray(5, 70_000), big.subarray(70_000)]
    for (const chunks of [parts, [big]]) {
      const got = new Uint8Array(await readBytes(streamed(chunks)))
      expect(got.byteLength).toBe(big.byteLength)
      expect(Buffer.compare(got, big)).toBe(0)
    }
    expect((await readBytes(streamed([]))).byteLength).toBe(0)
    expect((await readBytes(new Response(null))).byteLength).toBe(0)
    // Its own buffer, so it can be transferred to a decode thread.
    const own = await readBytes(streamed(parts))
    expect(own.byteLength).toBe(big.byteLength)
    expect(own.buffer.byteLength).toBe(big.byteLength)
  })

  it('copies into the buffer it is given (a reused, larger one) and answers the body as a view at its start', async () => {
    const body = new Uint8Array(70_000).map((_, i) => (i * 7) % 253)
    const given = new ArrayBuffer(1 << 17)
    new Uint8Array(given).fill(9)
    const got = await readBytes(streamed([body.subarray(0, 1000), body.subarray(1000)]), (size) => {
      expect(size).toBe(body.byteLength)
      return given
    })
    expect(got.buffer).toBe(given)
    expect(got.byteOffset).toBe(0)
    expect(Buffer.compare(got, body)).toBe(0)
  })
})
