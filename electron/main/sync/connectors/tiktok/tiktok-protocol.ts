import { z } from 'zod'
import { classifyStatus, type ErrorSignal, type HttpExchange, type PlatformProtocol } from '../protocol'

const EnvelopeSchema = z.looseObject({ code: z.union([z.number(), z.string()]), message: z.string().optional() })

/**
 * TikTok answers errors with HTTP 200 and `code != 0`: 40100/40133 throttling, 40001/40002-style
 * permission and parameter errors, 40105 bad token, 40067 query too large, 5xxxx system errors.
 */
export function classifyTikTok(ex: HttpExchange): ErrorSignal | null {
  const p = EnvelopeSchema.safeParse(ex.json)
  if (!p.success) {
    if (ex.status >= 200 && ex.status < 300) return null
    return classifyStatus(ex.status, `HTTP ${ex.status}`)
  }
  const code = Number(p.data.code)
  if (code === 0 && ex.status >= 200 && ex.status < 300) return null
  const message = `code ${code}: ${p.data.message ?? 'TikTok API error'}`
  if (code === 40100 || code === 40133 || /too many requests/i.test(p.data.message ?? ''))
    return { kind: 'rate_limit', message, code }
  if (code === 40067) return { kind: 'too_large', message, code }
  if (code === 40105 || code === 40104 || code === 40102) return { kind: 'auth', message, code }
  if (code === 40001) return { kind: 'permission', message, code }
  // 40002 is documented both as "parameter error" and "insufficient permission": the message decides.
  if (code === 40002 && /permission/i.test(p.data.message ?? '')) return { kind: 'permission', message, code }
  if (code >= 50000 || ex.status >= 500) return { kind: 'transient', message, code }
  if (code === 0) return classifyStatus(ex.status, message)
  return { kind: 'bad_request', message, code }
}

export const TIKTOK_PROTOCOL: PlatformProtocol = { platform: 'tiktok', classify: classifyTikTok }

/** `{"code":0,"data":{...}}` with a loose data object. */
export function envelope<T extends z.ZodType>(data: T): z.ZodType<{ code: number | string; data: z.infer<T> }> {
  return z.looseObject({ code: z.union([z.number(), z.string()]), data }) as unknown as z.ZodType<{
    code: number | string
    data: z.infer<T>
  }>
}

export const PageInfoSchema = z.looseObject({
  page: z.number().optional(),
  page_size: z.number().optional(),
  total_number: z.number().optional(),
  total_page: z.number(),
})

export const ListDataSchema = z.looseObject({ list: z.array(z.unknown()), page_info: PageInfoSchema.optional() })
