// Zero-dependency channel names of the change pipeline (see ../channels.ts).
export const CHANGES_INVOKE_CHANNELS = [
  'changes:list',
  'changes:get',
  'changes:propose',
  'changes:approve',
  'changes:reject',
  'changes:undo',
  'changes:undoBatch',
  'changes:getPolicy',
  'changes:setPolicy',
] as const
