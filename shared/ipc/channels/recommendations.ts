// Zero-dependency channel names of the recommendations domain (see ../channels.ts).
export const RECOMMENDATIONS_INVOKE_CHANNELS = [
  'recommendations:list',
  'recommendations:reallocationRows',
  'recommendations:generate',
  'recommendations:apply',
  'recommendations:dismiss',
  'recommendations:snooze',
  'recommendations:getSettings',
  'recommendations:setSettings',
] as const
