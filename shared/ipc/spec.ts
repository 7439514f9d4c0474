import type { z } from 'zod'

/** A channel's input and output schemas. */
export interface ChannelSpec {
  input: z.ZodType
  output: z.ZodType
}
