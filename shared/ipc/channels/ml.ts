// Zero-dependency channel names of the ml domain (see ../channels.ts).
export const ML_INVOKE_CHANNELS = [
  'ml:listModels',
  'ml:train',
  'ml:getForecast',
  'ml:getResponseCurve',
  'ml:getDrivers',
  'ml:listEntityForecasts',
  'ml:listEntities',
  'ml:importOrders',
  'ml:getLtv',
  'ml:getValuePerConversion',
] as const
export const ML_EVENT_CHANNELS = ['ml:modelTrained'] as const
