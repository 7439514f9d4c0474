// Zero-dependency channel names of the experiments domain (see ../channels.ts).
export const EXPERIMENTS_INVOKE_CHANNELS = [
  'experiments:listEntities',
  'experiments:analyzeEntities',
  'experiments:analyzeCsv',
  'experiments:suggest',
  'experiments:plan',
] as const
