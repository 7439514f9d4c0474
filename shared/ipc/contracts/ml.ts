import type { z } from 'zod'
import type { ML_EVENT_CHANNELS, ML_INVOKE_CHANNELS } from '../channels/ml'
import type { ChannelSpec } from '../spec'

type Invoke = (typeof ML_INVOKE_CHANNELS)[number]
type Event = (typeof ML_EVENT_CHANNELS)[number]

/** Invoke channels of the ml domain: zod input and output per channel. */
export const mlContract = {} satisfies Record<Invoke, ChannelSpec>

/** Event payloads of the ml domain. */
export const mlEvents = {} satisfies Record<Event, z.ZodType>
