// Zero-dependency channel names of automation rules (see ../channels.ts).
export const AUTOMATION_INVOKE_CHANNELS = [
  'rules:list',
  'rules:get',
  'rules:create',
  'rules:update',
  'rules:delete',
  'rules:preview',
  'rules:run',
  'rules:getRun',
  'rules:undoRun',
  'rules:entityHistory',
  'rules:explain',
  'rules:templates',
  'automation:setPaused',
] as const
