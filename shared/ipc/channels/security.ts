// Zero-dependency channel names of the security domain (see ../channels.ts).
export const SECURITY_INVOKE_CHANNELS = ['security:getStatus', 'security:acceptWeakSecrets'] as const
