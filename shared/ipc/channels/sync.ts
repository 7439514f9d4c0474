// Zero-dependency channel names of the sync domain (see ../channels.ts).
export const SYNC_INVOKE_CHANNELS = [
  'connections:list',
  'connections:connect',
  'connections:connectGoogle',
  'connections:remove',
  'sync:start',
  'sync:getStatus',
  'sync:listRuns',
  'sync:getConfig',
  'sync:updateConfig',
  'entities:setStatus',
  'entities:setBudget',
  'import:preview',
  'import:commit',
] as const
export const SYNC_EVENT_CHANNELS = ['sync:finished'] as const
