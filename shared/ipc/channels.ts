// Zero-dependency channel lists: the sandboxed preload allowlists exactly these.
// Adding a channel: add it here, then to the contract (a compile error tells you where).

export const INVOKE_CHANNELS = [
  'app:getInfo',
  'store:getStatus',
  'workspaces:list',
  'accounts:list',
  'dashboard:getSummary',
  'dashboard:getTrend',
  'jobs:list',
  'jobs:cancel',
  'demo:reset',
  'settings:get',
  'settings:update',
] as const

export const EVENT_CHANNELS = [
  'job:progress',
  'job:finished',
  'data:changed',
  'settings:changed',
  'alert:raised',
] as const

export type InvokeChannel = (typeof INVOKE_CHANNELS)[number]
export type EventChannel = (typeof EVENT_CHANNELS)[number]

export function isInvokeChannel(name: string): name is InvokeChannel {
  return (INVOKE_CHANNELS as readonly string[]).includes(name)
}

export function isEventChannel(name: string): name is EventChannel {
  return (EVENT_CHANNELS as readonly string[]).includes(name)
}
