import type { z } from 'zod'
import type { ANALYTICS_EVENT_CHANNELS, ANALYTICS_INVOKE_CHANNELS } from '../channels/analytics'
import type { ChannelSpec } from '../spec'

type Invoke = (typeof ANALYTICS_INVOKE_CHANNELS)[number]
type Event = (typeof ANALYTICS_EVENT_CHANNELS)[number]

/** Invoke channels of the analytics domain: zod input and output per channel. */
export const analyticsContract = {} satisfies Record<Invoke, ChannelSpec>

/** Event payloads of the analytics domain. */
export const analyticsEvents = {} satisfies Record<Event, z.ZodType>
