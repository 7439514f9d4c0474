// Zero-dependency channel names of the analytics domain (see ../channels.ts).
export const ANALYTICS_INVOKE_CHANNELS = [
  'analytics:getBreakdown',
  'analytics:getTop',
  'analytics:getTrend',
  'analytics:getPacing',
  'analytics:listAnomalies',
  'analytics:getMetricSeries',
  'analytics:listBenchmarks',
  'analytics:getBenchmarkPositions',
  'analytics:listCreatives',
  'analytics:compareFormats',
  'analytics:getFatigue',
  'analytics:compareEntities',
  'analytics:listFxRates',
  'analytics:setFxRates',
  'analytics:setReportingCurrency',
] as const
export const ANALYTICS_EVENT_CHANNELS = [] as const
