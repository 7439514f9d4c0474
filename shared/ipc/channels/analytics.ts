// Zero-dependency channel names of the analytics domain (see ../channels.ts).
export const ANALYTICS_INVOKE_CHANNELS = [] as const
export const ANALYTICS_EVENT_CHANNELS = [] as const
