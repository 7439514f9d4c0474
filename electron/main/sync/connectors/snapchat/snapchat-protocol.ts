import { z } from 'zod'
import {
  classifyStatus,
  retryAfterHeaderMs,
  type ErrorSignal,
  type HttpExchange,
  type PlatformProtocol,
} from '../protocol'

const ErrorBodySchema = z.looseObject({
  request_status: z.string(),
  msg: z.string().optional(),
  debug_message: z.string().optional(),
  display_message: z.string().optional(),
  error_code: z.string().optional(),
})

/** Snap answers `{"request_status":"ERROR","msg":...}` with 401 (token), 403, 429 (rate) or 5xx. */
export function classifySnapchat(ex: HttpExchange): ErrorSignal | null {
  const p = ErrorBodySchema.safeParse(ex.json)
  const isError = p.success && p.data.request_status.toUpperCase() === 'ERROR'
  const ok = ex.status >= 200 && ex.status < 300
  if (ok && !isError) return null
  const msg = p.success
    ? (p.data.debug_message ?? p.data.msg ?? p.data.display_message ?? 'request failed')
    : `HTTP ${ex.status}`
  const message = `HTTP ${ex.status}: ${msg}`
  if (ex.status === 429) {
    const retryAfterMs = retryAfterHeaderMs(ex.headers)
    return { kind: 'rate_limit', message, code: 429, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }
  }
  if (ok) return { kind: 'bad_request', message, code: p.success ? (p.data.error_code ?? 'ERROR') : 'ERROR' }
  return classifyStatus(ex.status, message)
}

export const SNAPCHAT_PROTOCOL: PlatformProtocol = { platform: 'snapchat', classify: classifySnapchat }

/**
 * `{"request_status":"SUCCESS","<plural>":[{"sub_request_status","<singular>":{...}}],"paging":{"next_link"}}`.
 * Items are validated with `item` inside the request, so a malformed item is retried like a malformed body.
 */
export function collectionSchema<T = unknown>(
  plural: string,
  item?: z.ZodType<T>,
): z.ZodType<{ items: T[]; next?: string }> {
  // One schema per (plural, item): an entity list's schema is known to the decode threads by identity
  // (list-decode.ts).
  if (!item) return buildCollection(plural, item)
  const byItem = collections.get(plural) ?? new WeakMap<z.ZodType, z.ZodType>()
  collections.set(plural, byItem)
  let s = byItem.get(item) as z.ZodType<{ items: T[]; next?: string }> | undefined
  if (!s) {
    s = buildCollection(plural, item)
    byItem.set(item, s)
  }
  return s
}
const collections = new Map<string, WeakMap<z.ZodType, z.ZodType>>()

function buildCollection<T>(plural: string, item?: z.ZodType<T>): z.ZodType<{ items: T[]; next?: string }> {
  return z
    .looseObject({ request_status: z.string(), paging: z.looseObject({ next_link: z.string().optional() }).optional() })
    .transform((b, ctx) => {
      const raw = (b as Record<string, unknown>)[plural]
      const parsed = z.array(item ?? z.unknown()).safeParse(raw)
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          ctx.addIssue({ code: 'custom', message: issue.message, path: [plural, ...issue.path] })
        return z.NEVER
      }
      return { items: parsed.data as T[], ...(b.paging?.next_link ? { next: b.paging.next_link } : {}) }
    })
}
