import type { z } from 'zod'
import { sliceBudget } from '../../scheduler/slices'
import { inlineDecoder, type DecodeMode } from './decode-pool'
import { parseJsonPreservingBigInts } from './json-text'
import { assembleList, listNameOf } from './list-decode'
import type { DecodedPage, DecoderName } from './page-decode'
import { parseBody, type ErrorSignal, type HttpExchange, type PlatformProtocol } from './protocol'
import type { PlatformId } from '../../../../shared/domain/entities'
import { ConnectorError, type ConnectorContext, type ConnectorErrorKind, type RetryPolicy } from './types'

/** Production retry policy: 5 attempts, 0.5 s .. 30 s full-jitter backoff, 60 s per request. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000, timeoutMs: 60_000 }

/** Longest platform-given throttle a request waits out by default (Meta's waits are minutes). */
export const THROTTLE_WAIT_MAX_MS = 60 * 60_000

/** Long waits one request sits out before giving up (a platform that keeps asking is failing). */
const MAX_LONG_WAITS = 3

/** "5 min", "2 h 30 min", "45 s". */
export function formatWait(ms: number): string {
  const s = Math.ceil(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.ceil(s / 60)
  if (m < 60) return `${m} min`
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`
}

/** "14:05 UTC" (with the date when not today). */
export function formatUntil(untilMs: number, nowMs: number): string {
  const iso = new Date(untilMs).toISOString()
  const day = iso.slice(0, 10) === new Date(nowMs).toISOString().slice(0, 10) ? '' : `${iso.slice(0, 10)} `
  return `${day}${iso.slice(11, 16)} UTC`
}

export { classifyStatus, retryAfterHeaderMs } from './protocol'
export type { ErrorSignal, HttpExchange, PlatformProtocol } from './protocol'

export interface RequestSpec<T> {
  method: 'GET' | 'POST' | 'PUT'
  url: string
  headers?: Record<string, string>
  body?: string | URLSearchParams
  /** Loose zod schema of the success body; a mismatch is `invalid_response`. */
  schema: z.ZodType<T>
  /** Short description for error messages ("Meta insights page"). */
  what: string
  /**
   * A write to the platform: sent once, never retried here. Its answer can be lost after the
   * platform applied it (a 5xx, a timeout), so the caller reads the value back before any new try
   * (the change pipeline does).
   */
  write?: boolean
}

/**
 * A request whose success body is a daily report page: instead of a schema, the body bytes go to a
 * registered page decoder (decoders.ts) on the decode pool's worker threads, which classifies,
 * validates and maps it into a DailyBatch plus the small paging envelope.
 */
export interface PageRequestSpec {
  method: 'GET' | 'POST' | 'PUT'
  url: string
  headers?: Record<string, string>
  body?: string | URLSearchParams
  /** Short description for error messages ("Meta insights ... (page 2)"). */
  what: string
  decode: {
    decoder: DecoderName
    /** Small structured-cloneable arguments of the decoder. */
    args: unknown
    /** 'inline' decodes on this thread; default: the context's decodeMode, else 'worker'. */
    mode?: DecodeMode
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: ErrorSignal; status?: number }

const RETRYABLE: ReadonlySet<ConnectorErrorKind> = new Set(['rate_limit', 'transient', 'invalid_response'])

/** Kinds the request helper retries itself (the rest are surfaced at once). */
export function isRetryable(kind: ConnectorErrorKind): boolean {
  return RETRYABLE.has(kind)
}

/**
 * Shared request helper: per-request timeout combined with the caller's signal, retries with
 * exponential backoff and full jitter (honouring Retry-After/retryDelay), classification into
 * `ConnectorError` kinds by the platform's own signals, and zod validation of the body.
 */
export class HttpClient {
  readonly policy: RetryPolicy
  private notBefore = 0
  /** The only origins this client sends anything to: the API base and the OAuth token endpoint. */
  private readonly origins: string[]

  constructor(
    private readonly ctx: ConnectorContext,
    private readonly protocol: PlatformProtocol,
    private readonly random: () => number = Math.random,
  ) {
    this.policy = { ...DEFAULT_RETRY, ...ctx.retry }
    this.origins = allowedOrigins(ctx)
  }

  /** Perform `spec` with retries; resolves to the validated body or throws a ConnectorError. */
  request<T>(spec: RequestSpec<T>): Promise<T> {
    return this.retrying(spec.what, () => this.once(spec), spec.write ? 1 : this.policy.maxAttempts)
  }

  /**
   * Perform a daily-page request with the same retries, decoding the body through the decode
   * pool; a row that cannot be normalised throws invalid_response at once (not retried).
   */
  requestPage<E>(spec: PageRequestSpec): Promise<DecodedPage<E>> {
    return this.retrying(spec.what, () => this.oncePage<E>(spec), this.policy.maxAttempts)
  }

  private async retrying<T>(what: string, once: () => Promise<Outcome<T>>, maxAttempts: number): Promise<T> {
    let longWaits = 0
    for (let attempt = 1; ; attempt++) {
      await this.waitThrottle()
      const outcome = await once()
      if (outcome.ok) return outcome.value
      const err = outcome.error
      const retryable = isRetryable(err.kind)
      if (!retryable || attempt >= maxAttempts) {
        const suffix = retryable ? ` (gave up after ${attempt} attempts)` : ''
        throw new ConnectorError(err.kind, this.protocol.platform, `${what}: ${err.message}${suffix}`, {
          ...(outcome.status !== undefined ? { status: outcome.status } : {}),
          ...(err.code !== undefined ? { code: err.code } : {}),
          ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
        })
      }
      const delayMs = this.backoff(attempt, err.retryAfterMs)
      if (delayMs === null) {
        // The platform gave a wait longer than a retry's backoff: sit it out (the job shows the
        // wait and resumes at the time given) unless it is longer than we may wait.
        const waitMs = err.retryAfterMs ?? 0
        const nowMs = (this.ctx.now?.() ?? new Date()).getTime()
        const until = formatUntil(nowMs + waitMs, nowMs)
        if (waitMs <= (this.ctx.maxThrottleWaitMs ?? THROTTLE_WAIT_MAX_MS) && longWaits < MAX_LONG_WAITS) {
          longWaits++
          attempt--
          this.ctx.onWait?.({ untilMs: nowMs + waitMs, delayMs: waitMs, reason: `${what}: ${err.message}` })
          await (this.ctx.sleep ?? sleep)(waitMs, this.ctx.signal)
          continue
        }
        throw new ConnectorError(
          err.kind,
          this.protocol.platform,
          `${what}: ${err.message} — the platform asks to wait ${formatWait(waitMs)} (until ${until})`,
          {
            ...(outcome.status !== undefined ? { status: outcome.status } : {}),
            ...(err.code !== undefined ? { code: err.code } : {}),
            retryAfterMs: waitMs,
          },
        )
      }
      this.ctx.onRetry?.({ attempt, delayMs, reason: `${what}: ${err.message}` })
      await sleep(delayMs, this.ctx.signal)
    }
  }

  /** Full-jitter delay before retry `attempt` (1-based); null when Retry-After exceeds maxDelayMs. */
  backoff(attempt: number, retryAfterMs?: number): number | null {
    const { baseDelayMs, maxDelayMs } = this.policy
    const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1))
    const jitter = Math.floor(this.random() * cap)
    if (retryAfterMs === undefined) return jitter
    if (retryAfterMs > maxDelayMs) return null
    return Math.max(retryAfterMs, jitter)
  }

  /** One fetch with the per-request timeout; the body read by `read` inside the timeout. */
  private async exchange<B>(
    spec: Pick<RequestSpec<unknown>, 'method' | 'url' | 'headers' | 'body' | 'what'>,
    read: (res: Response) => Promise<B>,
  ): Promise<{ ok: true; res: Response; body: B } | { ok: false; error: ErrorSignal }> {
    const parent = this.ctx.signal
    parent?.throwIfAborted()
    assertAllowedUrl(this.protocol.platform, this.origins, spec.url, spec.what)
    const timeout = AbortSignal.timeout(this.policy.timeoutMs)
    const signal = parent ? AbortSignal.any([parent, timeout]) : timeout
    try {
      const res = await this.ctx.fetch(spec.url, {
        method: spec.method,
        headers: spec.headers ?? {},
        ...(spec.body !== undefined ? { body: spec.body } : {}),
        // A redirect is not followed: custom headers (TikTok's Access-Token, Google's
        // developer-token) would go along to whatever host it names.
        redirect: 'manual',
        signal,
      })
      if (res.status >= 300 && res.status < 400) {
        const to = res.headers.get('location') ?? '(no Location)'
        throw new ConnectorError(
          'invalid_response',
          this.protocol.platform,
          `${spec.what}: the API answered a redirect (HTTP ${res.status} to ${to.slice(0, 200)}); not followed, so the credentials stay with the platform`,
          { status: res.status, code: 'redirect' },
        )
      }
      return { ok: true, res, body: await read(res) }
    } catch (e) {
      if (e instanceof ConnectorError) throw e
      if (parent?.aborted) throw parent.reason
      const timedOut = timeout.aborted
      const message = timedOut
        ? `timed out after ${this.policy.timeoutMs} ms`
        : `network error: ${e instanceof Error ? e.message : String(e)}`
      return { ok: false, error: { kind: 'transient', message, code: timedOut ? 'timeout' : 'network' } }
    }
  }

  private async oncePage<E>(spec: PageRequestSpec): Promise<Outcome<DecodedPage<E>>> {
    const mode = spec.decode.mode ?? this.ctx.decodeMode ?? 'worker'
    const decoder = mode === 'worker' ? (this.ctx.decoder ?? inlineDecoder) : inlineDecoder
    const buffers = decoder.buffers
    const got = await this.exchange(spec, (res) => readBytes(res, buffers && ((size) => buffers.take(size))))
    if (!got.ok) return got
    const { res, body } = got
    const out = await decoder.decode({
      decoder: spec.decode.decoder,
      args: spec.decode.args,
      status: res.status,
      headers: [...res.headers],
      body: body.buffer as ArrayBuffer,
      length: body.byteLength,
    })
    if (!out.ok) {
      if (out.fatal) throw new ConnectorError(out.error.kind, this.protocol.platform, out.error.message)
      return { ok: false, error: out.error, status: res.status }
    }
    this.throttleFromHeaders(res)
    return { ok: true, value: { batch: out.batch, envelope: out.envelope as E } }
  }

  /**
   * An entity list whose schema is registered in list-decode.ts, decoded on the decode pool's threads
   * (same checks and messages as `once`); null when this request is read here instead.
   */
  private async onceList<T>(spec: RequestSpec<T>): Promise<Outcome<T> | null> {
    const list = spec.write ? undefined : listNameOf(spec.schema)
    const decoder = (this.ctx.decodeMode ?? 'worker') === 'worker' ? this.ctx.decoder : undefined
    if (!list || !decoder?.decodeList) return null
    const buffers = decoder.buffers
    const got = await this.exchange(spec, (res) => readBytes(res, buffers && ((size) => buffers.take(size))))
    if (!got.ok) return got
    const { res, body } = got
    const out = await decoder.decodeList({
      list,
      status: res.status,
      headers: [...res.headers],
      body: body.buffer as ArrayBuffer,
      length: body.byteLength,
    })
    if (!out.ok) return { ok: false, error: out.error, status: res.status }
    const value = (await assembleList(out)) as T
    this.throttleFromHeaders(res)
    return { ok: true, value }
  }

  /** An answer decoded on a decode thread: the protocol's throttle sees its status and headers (its body stayed there). */
  private throttleFromHeaders(res: Response): void {
    const pause =
      this.protocol.throttleAfter?.(
        { status: res.status, headers: res.headers, text: '', json: undefined },
        this.policy,
      ) ?? 0
    if (pause > 0) this.notBefore = Math.max(this.notBefore, Date.now() + pause)
  }

  private async once<T>(spec: RequestSpec<T>): Promise<Outcome<T>> {
    const listed = await this.onceList(spec)
    if (listed) return listed
    const got = await this.exchange(spec, (res) => res.text())
    if (!got.ok) return got
    const text = got.body
    const ex: HttpExchange = { status: got.res.status, headers: got.res.headers, text, json: tryParse(text) }
    const signalled = this.protocol.classify(ex)
    if (signalled) return { ok: false, error: signalled, status: ex.status }
    const parsed = parseBody(spec.schema, ex.text, ex.json)
    if (!parsed.ok) return { ok: false, error: parsed.error, status: ex.status }
    const pause = this.protocol.throttleAfter?.(ex, this.policy) ?? 0
    if (pause > 0) this.notBefore = Math.max(this.notBefore, Date.now() + pause)
    return { ok: true, value: parsed.data }
  }

  private async waitThrottle(): Promise<void> {
    const wait = this.notBefore - Date.now()
    if (wait > 0) await sleep(wait, this.ctx.signal)
  }
}

/** Origins of the context's API base URL and OAuth token URL. */
export function allowedOrigins(ctx: Pick<ConnectorContext, 'baseUrl' | 'tokenUrl'>): string[] {
  const out: string[] = []
  for (const u of [ctx.baseUrl, ctx.tokenUrl]) {
    if (u === undefined) continue
    try {
      out.push(new URL(u).origin)
    } catch {
      // an unparsable base URL fails on its first request with its own message
    }
  }
  return out
}

/**
 * Credentials stay with their platform: every request of a connector goes to the API base or the
 * token endpoint it was configured with. A paging URL from a response (Meta `paging.next`,
 * Snapchat `paging.next_link`, any other) naming another host is refused before anything (the
 * token above all) is sent, and the error names both hosts. Not retried.
 */
export function assertAllowedUrl(platform: PlatformId, origins: readonly string[], url: string, what: string): void {
  let origin: string
  try {
    origin = new URL(url).origin
  } catch {
    throw new ConnectorError('invalid_response', platform, `${what}: ${JSON.stringify(url.slice(0, 200))} is not a URL`)
  }
  if (!origins.includes(origin))
    throw new ConnectorError(
      'invalid_response',
      platform,
      `${what}: refused to send a request to ${origin}, which is not the configured API (${origins.join(', ')}); ` +
        'a response pointed there (credentials are only sent to the platform)',
      { code: 'foreign_host' },
    )
}

/** Bytes copied between two looks at the clock while a body is put together. */
const COPY_PIECE = 1 << 20

/**
 * A response body in one buffer of its own (it is transferred to a decode thread), copied once from
 * the chunks as they arrived, in pieces with a turn of the event loop every SLICE_MS, so a multi-MB
 * page never holds the core's thread in one stretch. `Response.arrayBuffer()` concatenates the chunks
 * and then copies the result again into zero-filled memory, in one go: for report pages of 10 MB that
 * was most of the core thread's time in a sync, in stretches of 150-340 ms (issue 12, `ipc_p99_ms`).
 *
 * `take(size)` gives the buffer to copy into (the decode pool's `BodyBuffers`: buffers written before,
 * so the copy does not fault in fresh memory); it may be larger than the body. The answer is a view of
 * the body's bytes at the start of that buffer.
 */
export async function readBytes(
  res: Response,
  take: (size: number) => ArrayBuffer = (size) => new ArrayBuffer(size),
): Promise<Uint8Array> {
  // No stream: an empty body, or an answer that hands over one buffer (sim-thread answerResponse).
  if (!res.body) return new Uint8Array(await res.arrayBuffer())
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = res.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
  }
  const out = new Uint8Array(take(size), 0, size)
  const budget = sliceBudget()
  let at = 0
  for (const c of chunks)
    for (let from = 0; from < c.byteLength; from += COPY_PIECE) {
      const piece = c.subarray(from, from + COPY_PIECE)
      out.set(piece, at)
      at += piece.byteLength
      await budget.maybeYield()
    }
  return out
}

function tryParse(text: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return parseJsonPreservingBigInts(text)
  } catch {
    return undefined
  }
}

/** Sleep that rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve()
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(t)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** `url` with query parameters appended (values already strings; arrays must be JSON-encoded). */
export function withQuery(url: string, params: Record<string, string | number | undefined>): string {
  const u = new URL(url)
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, String(v))
  return u.toString()
}

/** Join a base URL and a path without doubling slashes. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`
}
