// Zero-dependency channel names of alerts, alert channels, routes and diagnostics (see ../channels.ts).
export const ALERTS_INVOKE_CHANNELS = [
  'alerts:list',
  'alerts:get',
  'alerts:acknowledge',
  'alerts:snooze',
  'alerts:resolve',
  'alerts:getSettings',
  'alerts:updateSettings',
  'channels:list',
  'channels:add',
  'channels:update',
  'channels:remove',
  'channels:test',
  'alertRoutes:list',
  'alertRoutes:set',
  'diagnostics:get',
  'diagnostics:logs',
] as const
