import type { z } from 'zod'
import type { SYNC_EVENT_CHANNELS, SYNC_INVOKE_CHANNELS } from '../channels/sync'
import type { ChannelSpec } from '../spec'

type Invoke = (typeof SYNC_INVOKE_CHANNELS)[number]
type Event = (typeof SYNC_EVENT_CHANNELS)[number]

/** Invoke channels of the sync domain: zod input and output per channel. */
export const syncContract = {} satisfies Record<Invoke, ChannelSpec>

/** Event payloads of the sync domain. */
export const syncEvents = {} satisfies Record<Event, z.ZodType>
