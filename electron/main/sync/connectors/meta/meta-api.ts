import type { z } from 'zod'
import type { DailyBatch } from '../daily-batch'
import { HttpClient, joinUrl, withQuery } from '../http'
import type { DecodedPage } from '../page-decode'
import type { ConnectorContext } from '../types'
import type { MetaEnvelope, MetaPageArgs } from './meta-page-decoder'
import { META_PROTOCOL } from './meta-protocol'
import { metaPageSchema } from './meta-rows'

export { metaPageSchema } from './meta-rows'

/** Thin Graph API client: Bearer auth, form-encoded POSTs, `paging.next` cursor paging. */
export class MetaApi {
  readonly http: HttpClient

  constructor(private readonly ctx: ConnectorContext) {
    this.http = new HttpClient(ctx, META_PROTOCOL)
  }

  /** The caller's cancellation signal. */
  get signal(): AbortSignal | undefined {
    return this.ctx.signal
  }

  url(path: string, params: Record<string, string | number | undefined> = {}): string {
    return withQuery(joinUrl(this.ctx.baseUrl, path), params)
  }

  private headers(): Record<string, string> {
    const token = this.ctx.credentials.accessToken
    return token ? { authorization: `Bearer ${token}` } : {}
  }

  /** GET a node or edge and validate it with `schema`. */
  get<T>(url: string, schema: z.ZodType<T>, what: string): Promise<T> {
    return this.http.request({ method: 'GET', url, headers: this.headers(), schema, what })
  }

  /** POST form fields to a node (writes, async report runs). */
  post<T>(
    path: string,
    fields: Record<string, string>,
    schema: z.ZodType<T>,
    what: string,
    opts: { write?: boolean } = {},
  ): Promise<T> {
    return this.http.request({
      ...(opts.write ? { write: true } : {}),
      method: 'POST',
      url: joinUrl(this.ctx.baseUrl, path),
      headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      schema,
      what,
    })
  }

  /**
   * Every page of a list edge, following `paging.next` until it is absent. Items are validated
   * inside the request, so a page with a malformed item is retried like a malformed body.
   */
  async *pages<T>(firstUrl: string, what: string, item: z.ZodType<T>): AsyncGenerator<T[]> {
    const schema = metaPageSchema(item)
    let url: string | undefined = firstUrl
    let page = 1
    while (url !== undefined) {
      const body: { data: T[]; paging?: { next?: string | undefined } | undefined } = await this.get(
        url,
        schema,
        `${what} (page ${page})`,
      )
      yield body.data
      url = body.paging?.next
      page++
    }
  }

  /**
   * Every insights page as a DailyBatch, following `paging.next`: each page is decoded off the
   * main thread (see decode-pool.ts); `what` prefixes row errors, "(page n)" is added for requests.
   */
  async *insightPages(
    firstUrl: string,
    what: string,
    purchaseTypes: string[],
    windows?: string[],
  ): AsyncGenerator<DailyBatch> {
    let url: string | undefined = firstUrl
    for (let page = 1; url !== undefined; page++) {
      const args: MetaPageArgs = { purchaseTypes, what, ...(windows ? { windows } : {}) }
      const decoded: DecodedPage<MetaEnvelope> = await this.http.requestPage<MetaEnvelope>({
        method: 'GET',
        url,
        headers: this.headers(),
        what: `${what} (page ${page})`,
        decode: { decoder: 'meta-insights', args },
      })
      yield decoded.batch
      url = decoded.envelope.next
    }
  }

  /** All items of a list edge parsed with `item`. */
  async list<T>(firstUrl: string, item: z.ZodType<T>, what: string): Promise<T[]> {
    const out: T[] = []
    for await (const data of this.pages(firstUrl, what, item)) out.push(...data)
    return out
  }
}
