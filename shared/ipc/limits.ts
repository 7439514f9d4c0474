import { z } from 'zod'
import { contract } from './contract'

/** Body limit of a channel whose input holds no large bounded value (1 MiB). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024
/** Room for JSON punctuation, keys and small fields beside the large values. */
const SLACK = 64 * 1024

type JsonSchema = {
  type?: string | string[]
  maxLength?: number
  maxItems?: number
  items?: JsonSchema
  properties?: Record<string, JsonSchema>
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  allOf?: JsonSchema[]
}

/**
 * Largest JSON size in bytes a value of `s` can have, counting only what the schema bounds:
 * a string of n characters is at most 3n bytes of UTF-8 (JSON escapes of control characters
 * aside), arrays multiply by their maxItems, unions take their largest member.
 */
function boundedBytes(s: JsonSchema | undefined): number {
  if (!s || typeof s !== 'object') return 0
  let n = 0
  if (s.maxLength !== undefined) n = Math.max(n, s.maxLength * 3 + 2)
  if (s.items && s.maxItems !== undefined) n = Math.max(n, s.maxItems * (boundedBytes(s.items) + 1))
  if (s.properties)
    n = Math.max(
      n,
      Object.entries(s.properties).reduce((sum, [k, v]) => sum + k.length + 3 + boundedBytes(v), 2),
    )
  for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) n = Math.max(n, boundedBytes(alt))
  for (const part of s.allOf ?? []) n += boundedBytes(part)
  return n
}

const cache = new Map<string, number>()

/**
 * The largest request body the web host accepts for `channel`, derived from the contract so the
 * two cannot disagree: at least 1 MiB, more where the input schema allows large values (the CSV
 * of `import:commit`, the orders of `ml:importOrders`). A larger body is answered 413.
 */
export function maxBodyBytes(channel: string): number {
  const hit = cache.get(channel)
  if (hit !== undefined) return hit
  const spec = (contract as Record<string, { input: z.ZodType } | undefined>)[channel]
  let limit = DEFAULT_BODY_LIMIT
  if (spec) {
    const schema = z.toJSONSchema(spec.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema
    limit = Math.max(DEFAULT_BODY_LIMIT, boundedBytes(schema) + SLACK)
  }
  cache.set(channel, limit)
  return limit
}
