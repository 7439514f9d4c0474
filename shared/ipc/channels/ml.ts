// Zero-dependency channel names of the ml domain (see ../channels.ts).
export const ML_INVOKE_CHANNELS = [] as const
export const ML_EVENT_CHANNELS = [] as const
