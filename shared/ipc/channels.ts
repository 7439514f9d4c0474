// Zero-dependency channel lists: the sandboxed preload allowlists exactly these.
// Adding a channel: add it here (or to the domain's file under channels/), then to the contract
// (a compile error tells you where).
import { ALERTS_INVOKE_CHANNELS } from './channels/alerts'
import { ANALYTICS_EVENT_CHANNELS, ANALYTICS_INVOKE_CHANNELS } from './channels/analytics'
import { AUTOMATION_INVOKE_CHANNELS } from './channels/automation'
import { CHANGES_INVOKE_CHANNELS } from './channels/changes'
import { EXPERIMENTS_INVOKE_CHANNELS } from './channels/experiments'
import { ML_EVENT_CHANNELS, ML_INVOKE_CHANNELS } from './channels/ml'
import { RECOMMENDATIONS_INVOKE_CHANNELS } from './channels/recommendations'
import { REPORTS_INVOKE_CHANNELS } from './channels/reports'
import { SECURITY_INVOKE_CHANNELS } from './channels/security'
import { SYNC_EVENT_CHANNELS, SYNC_INVOKE_CHANNELS } from './channels/sync'

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
  'backups:list',
  'backups:create',
  'backups:restore',
  ...SYNC_INVOKE_CHANNELS,
  ...ANALYTICS_INVOKE_CHANNELS,
  ...ML_INVOKE_CHANNELS,
  ...CHANGES_INVOKE_CHANNELS,
  ...REPORTS_INVOKE_CHANNELS,
  ...AUTOMATION_INVOKE_CHANNELS,
  ...EXPERIMENTS_INVOKE_CHANNELS,
  ...RECOMMENDATIONS_INVOKE_CHANNELS,
  ...SECURITY_INVOKE_CHANNELS,
  ...ALERTS_INVOKE_CHANNELS,
] as const

export const EVENT_CHANNELS = [
  'job:progress',
  'job:finished',
  'data:changed',
  'settings:changed',
  'backups:restoreScheduled',
  'alert:raised',
  ...SYNC_EVENT_CHANNELS,
  ...ANALYTICS_EVENT_CHANNELS,
  ...ML_EVENT_CHANNELS,
] as const

export type InvokeChannel = (typeof INVOKE_CHANNELS)[number]
export type EventChannel = (typeof EVENT_CHANNELS)[number]

export function isInvokeChannel(name: string): name is InvokeChannel {
  return (INVOKE_CHANNELS as readonly string[]).includes(name)
}

export function isEventChannel(name: string): name is EventChannel {
  return (EVENT_CHANNELS as readonly string[]).includes(name)
}
