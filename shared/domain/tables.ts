import { z } from 'zod'

/**
 * The store's tables and views by their SQL names: what a `data:changed` event can name. A
 * misspelt or invented name is a compile error where the event is emitted or listened to, and
 * `electron/main/vocabulary.test.ts` checks each name against a migrated store. Add a table here with its migration.
 */
export const DATA_TABLES = [
  'workspaces',
  'ad_accounts',
  'campaigns',
  'ad_sets',
  'ads',
  'creatives',
  'daily_metrics',
  'account_daily',
  'campaign_cum',
  /** Per-ad monthly sums of daily_metrics. */
  'ad_month',
  /** A view over daily_metrics. */
  'campaign_daily',
  'fx_rates',
  'connections',
  'sync_state',
  'sync_runs',
  'audit_log',
  'jobs',
  'settings',
  'models',
  'predictions',
  'orders',
  /** Automation rules, their versions, runs and per-entity decisions; local entity labels. */
  'automation_rules',
  'rule_versions',
  'rule_runs',
  'rule_decisions',
  'rule_decision_sets',
  'entity_labels',
  'recommendations',
  'alerts',
  'alert_channels',
  'alert_routes',
  'alert_deliveries',
  'alert_channel_sends',
  'reports',
  'report_schedules',
  'report_templates',
  /** The change pipeline's outbox. */
  'changes',
] as const
export const DataTableSchema = z.enum(DATA_TABLES)
export type DataTable = z.infer<typeof DataTableSchema>

/** Tables a sync or an import rewrites (metrics, their rollups and the accounts' sync state). */
export const METRIC_TABLES = [
  'daily_metrics',
  'campaign_daily',
  'account_daily',
  'ad_accounts',
] as const satisfies readonly DataTable[]
