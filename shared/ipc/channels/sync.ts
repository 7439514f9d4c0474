// Zero-dependency channel names of the sync domain (see ../channels.ts).
export const SYNC_INVOKE_CHANNELS = [] as const
export const SYNC_EVENT_CHANNELS = [] as const
