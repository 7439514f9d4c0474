// Zero-dependency channel names of the reports domain (see ../channels.ts).
export const REPORTS_INVOKE_CHANNELS = [
  'reports:listTemplates',
  'reports:saveTemplate',
  'reports:deleteTemplate',
  'reports:generate',
  'reports:getSettings',
  'reports:saveBranding',
  'reports:saveDelivery',
  'reports:testEmail',
  'reports:listSchedules',
  'reports:saveSchedule',
  'reports:deleteSchedule',
  'reports:runSchedule',
  'reports:listHistory',
  'reports:getFile',
  'reports:openFile',
  'reports:resend',
] as const
