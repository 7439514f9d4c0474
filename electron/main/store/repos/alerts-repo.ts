import {
  alertStateAt,
  AlertNumberSchema,
  ChannelPolicySchema,
  ChannelSettingsSchema,
  DeliveryAttemptSchema,
  RoutingRuleSchema,
  type Alert,
  type AlertDraft,
  type AlertSeverity,
  type AlertSource,
  type AlertState,
  type ChannelKind,
  type ChannelPolicy,
  type ChannelSettings,
  type DeliveryRecord,
  type RoutingRule,
} from '../../../../shared/domain/alerts'
import type { DeliveryStore, DueDelivery } from '../../alerts/delivery'
import type { Sqlite } from '../db'

/** The `open` state at a time (bound as the one `?`): not resolved, not acknowledged, no snooze running. */
export const OPEN_AT_SQL =
  '(resolved_at IS NULL AND (snoozed_until IS NULL OR snoozed_until <= ?) AND acknowledged_at IS NULL)'

/**
 * Alerts, channels, routing rules and the delivery outbox in SQLite (migration 0006). Implements
 * the delivery engine's `DeliveryStore`. JSON columns are parsed with the shared zod schemas, so a
 * damaged row fails loudly instead of sending garbage.
 */

interface AlertRow {
  id: number
  workspace_id: number
  source: string
  severity: string
  entity_level: string | null
  entity_id: number | null
  entity_name: string | null
  entity_account_id: number | null
  title: string
  body: string
  numbers: string
  dedupe_key: string
  link: string
  count: number
  raised_at: string
  last_raised_at: string
  acknowledged_at: string | null
  snoozed_until: string | null
  resolved_at: string | null
}

interface DeliveryRow {
  alert_id: number
  channel_id: number
  channel_kind: string
  status: string
  message_id: string
  attempts: string
  next_attempt_at: string | null
  delivered_at: string | null
  note: string | null
}

export interface StoredChannelRow {
  id: number
  name: string
  settings: ChannelSettings
  policy: ChannelPolicy
  secretRef: string | null
  enabled: boolean
  disabledReason: string | null
  createdAt: string
}

export interface AlertFilter {
  workspaceId?: number
  severities?: AlertSeverity[]
  sources?: AlertSource[]
  states?: AlertState[]
  /** Alerts last raised before this instant (paging, newest first). */
  before?: string
  limit: number
}

const parseJson = (s: string): unknown => JSON.parse(s) as unknown

function toDelivery(r: DeliveryRow): DeliveryRecord {
  return {
    channelId: r.channel_id,
    channelKind: r.channel_kind as ChannelKind,
    status: r.status as DeliveryRecord['status'],
    messageId: r.message_id,
    attempts: DeliveryAttemptSchema.array().parse(parseJson(r.attempts)),
    nextAttemptAt: r.next_attempt_at,
    deliveredAt: r.delivered_at,
    note: r.note,
  }
}

export class AlertsRepo implements DeliveryStore {
  constructor(private readonly sqlite: Sqlite) {}

  private toAlert(r: AlertRow, now: Date, deliveries: DeliveryRecord[]): Alert {
    const times = { acknowledgedAt: r.acknowledged_at, snoozedUntil: r.snoozed_until, resolvedAt: r.resolved_at }
    return {
      id: r.id,
      source: r.source as AlertSource,
      severity: r.severity as AlertSeverity,
      workspaceId: r.workspace_id,
      entity:
        r.entity_level && r.entity_id !== null
          ? {
              level: r.entity_level as NonNullable<Alert['entity']>['level'],
              id: r.entity_id,
              name: r.entity_name ?? '',
              ...(r.entity_account_id !== null ? { accountId: r.entity_account_id } : {}),
            }
          : null,
      title: r.title,
      body: r.body,
      numbers: AlertNumberSchema.array().parse(parseJson(r.numbers)),
      dedupeKey: r.dedupe_key,
      link: r.link,
      state: alertStateAt(times, now),
      count: r.count,
      raisedAt: r.raised_at,
      lastRaisedAt: r.last_raised_at,
      ...times,
      deliveries,
    }
  }

  private deliveriesOf(ids: number[]): Map<number, DeliveryRecord[]> {
    const out = new Map<number, DeliveryRecord[]>()
    if (!ids.length) return out
    const rows = this.sqlite
      .prepare(`SELECT * FROM alert_deliveries WHERE alert_id IN (${ids.map(() => '?').join(',')}) ORDER BY channel_id`)
      .all(...ids) as DeliveryRow[]
    for (const r of rows) {
      const list = out.get(r.alert_id) ?? []
      list.push(toDelivery(r))
      out.set(r.alert_id, list)
    }
    return out
  }

  // ── Alerts ──

  insert(draft: AlertDraft, now: Date): number {
    const at = now.toISOString()
    const r = this.sqlite
      .prepare(
        `INSERT INTO alerts (workspace_id, source, severity, entity_level, entity_id, entity_name, entity_account_id,
           title, body, numbers, dedupe_key, link, count, raised_at, last_raised_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
      )
      .run(
        draft.workspaceId,
        draft.source,
        draft.severity,
        draft.entity?.level ?? null,
        draft.entity?.id ?? null,
        draft.entity?.name ?? null,
        draft.entity?.accountId ?? null,
        draft.title,
        draft.body,
        JSON.stringify(draft.numbers),
        draft.dedupeKey,
        draft.link,
        at,
        at,
      )
    return Number(r.lastInsertRowid)
  }

  /** The newest alert of a dedupe key (resolved or not: the caller's dedupe decision reads both). */
  latestByKey(workspaceId: number, dedupeKey: string, now: Date): Alert | null {
    const r = this.sqlite
      .prepare(
        'SELECT * FROM alerts WHERE workspace_id = ? AND dedupe_key = ? ORDER BY last_raised_at DESC, id DESC LIMIT 1',
      )
      .get(workspaceId, dedupeKey) as AlertRow | undefined
    return r ? this.toAlert(r, now, []) : null
  }

  /** Fold a raise into an existing alert: count + 1, newer numbers and text, maybe a higher severity. */
  merge(id: number, draft: AlertDraft, severity: AlertSeverity, now: Date): void {
    this.sqlite
      .prepare(
        `UPDATE alerts SET count = count + 1, last_raised_at = ?, severity = ?, title = ?, body = ?, numbers = ?
         WHERE id = ?`,
      )
      .run(now.toISOString(), severity, draft.title, draft.body, JSON.stringify(draft.numbers), id)
  }

  get(id: number, now: Date): Alert | null {
    const r = this.sqlite.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as AlertRow | undefined
    return r ? this.toAlert(r, now, this.deliveriesOf([id]).get(id) ?? []) : null
  }

  /** Alerts newest first with their deliveries; state filters are applied at `now`. */
  list(filter: AlertFilter, now: Date): Alert[] {
    const where: string[] = []
    const args: Array<string | number> = []
    if (filter.workspaceId !== undefined) {
      where.push('workspace_id = ?')
      args.push(filter.workspaceId)
    }
    if (filter.severities?.length) {
      where.push(`severity IN (${filter.severities.map(() => '?').join(',')})`)
      args.push(...filter.severities)
    }
    if (filter.sources?.length) {
      where.push(`source IN (${filter.sources.map(() => '?').join(',')})`)
      args.push(...filter.sources)
    }
    if (filter.before) {
      where.push('last_raised_at < ?')
      args.push(filter.before)
    }
    if (filter.states?.length) {
      const at = now.toISOString()
      const conds: string[] = []
      for (const s of filter.states) {
        if (s === 'resolved') conds.push('resolved_at IS NOT NULL')
        if (s === 'snoozed') {
          conds.push('(resolved_at IS NULL AND snoozed_until > ?)')
          args.push(at)
        }
        if (s === 'acknowledged') {
          conds.push(
            '(resolved_at IS NULL AND (snoozed_until IS NULL OR snoozed_until <= ?) AND acknowledged_at IS NOT NULL)',
          )
          args.push(at)
        }
        if (s === 'open') {
          conds.push(OPEN_AT_SQL)
          args.push(at)
        }
      }
      where.push(`(${conds.join(' OR ')})`)
    }
    const rows = this.sqlite
      .prepare(
        `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY last_raised_at DESC, id DESC LIMIT ?`,
      )
      .all(...args, filter.limit) as AlertRow[]
    const deliveries = this.deliveriesOf(rows.map((r) => r.id))
    return rows.map((r) => this.toAlert(r, now, deliveries.get(r.id) ?? []))
  }

  /** Set acknowledged; returns the ids that changed (already acknowledged or resolved ones do not). */
  acknowledge(ids: number[], now: Date): number[] {
    const stmt = this.sqlite.prepare(
      'UPDATE alerts SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL AND resolved_at IS NULL',
    )
    return ids.filter((id) => stmt.run(now.toISOString(), id).changes > 0)
  }

  snooze(id: number, until: Date): boolean {
    return (
      this.sqlite
        .prepare('UPDATE alerts SET snoozed_until = ? WHERE id = ? AND resolved_at IS NULL')
        .run(until.toISOString(), id).changes > 0
    )
  }

  resolve(id: number, now: Date): boolean {
    return (
      this.sqlite
        .prepare('UPDATE alerts SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL')
        .run(now.toISOString(), id).changes > 0
    )
  }

  /** Resolve the open alerts of a condition that cleared (e.g. the account synced again). */
  resolveByKey(workspaceId: number, dedupeKey: string, now: Date): number[] {
    const ids = (
      this.sqlite
        .prepare('SELECT id FROM alerts WHERE workspace_id = ? AND dedupe_key = ? AND resolved_at IS NULL')
        .all(workspaceId, dedupeKey) as Array<{ id: number }>
    ).map((r) => r.id)
    for (const id of ids) this.resolve(id, now)
    return ids
  }

  // ── Channels and routes ──

  addChannel(
    c: { name: string; settings: ChannelSettings; policy: ChannelPolicy; secretRef: string | null },
    now: Date,
  ): number {
    const settings = ChannelSettingsSchema.parse(c.settings)
    return Number(
      this.sqlite
        .prepare(
          'INSERT INTO alert_channels (name, kind, settings, policy, secret_ref, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          c.name,
          settings.kind,
          JSON.stringify(settings),
          JSON.stringify(ChannelPolicySchema.parse(c.policy)),
          c.secretRef,
          now.toISOString(),
        ).lastInsertRowid,
    )
  }

  channels(): StoredChannelRow[] {
    return (
      this.sqlite.prepare('SELECT * FROM alert_channels ORDER BY id').all() as Array<{
        id: number
        name: string
        settings: string
        policy: string
        secret_ref: string | null
        enabled: number
        disabled_reason: string | null
        created_at: string
      }>
    ).map((r) => ({
      id: r.id,
      name: r.name,
      settings: ChannelSettingsSchema.parse(parseJson(r.settings)),
      policy: ChannelPolicySchema.parse(parseJson(r.policy)),
      secretRef: r.secret_ref,
      enabled: r.enabled === 1,
      disabledReason: r.disabled_reason,
      createdAt: r.created_at,
    }))
  }

  setChannelEnabled(id: number, enabled: boolean, reason: string | null): void {
    this.sqlite
      .prepare('UPDATE alert_channels SET enabled = ?, disabled_reason = ? WHERE id = ?')
      .run(enabled ? 1 : 0, reason, id)
  }

  /** Rename, or change settings and policy (the secret stays in the secret store). */
  updateChannel(id: number, c: { name: string; settings: ChannelSettings; policy: ChannelPolicy }): boolean {
    const settings = ChannelSettingsSchema.parse(c.settings)
    return (
      this.sqlite
        .prepare('UPDATE alert_channels SET name = ?, kind = ?, settings = ?, policy = ? WHERE id = ?')
        .run(c.name, settings.kind, JSON.stringify(settings), JSON.stringify(ChannelPolicySchema.parse(c.policy)), id)
        .changes > 0
    )
  }

  setChannelSecretRef(id: number, ref: string | null): void {
    this.sqlite.prepare('UPDATE alert_channels SET secret_ref = ? WHERE id = ?').run(ref, id)
  }

  /** A channel's most recent delivery records, oldest first (for "keeps failing"). */
  recentDeliveries(channelId: number, limit: number): DeliveryRecord[] {
    return (
      this.sqlite
        .prepare(
          `SELECT * FROM (
             SELECT d.*, a.last_raised_at AS at FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
             WHERE d.channel_id = ? ORDER BY a.last_raised_at DESC, d.alert_id DESC LIMIT ?
           ) ORDER BY at, alert_id`,
        )
        .all(channelId, limit) as DeliveryRow[]
    ).map(toDelivery)
  }

  /** Delivery counts per channel and status, and each channel's last success and last failure. */
  deliveryHealth(): Array<{
    channelId: number
    counts: Partial<Record<DeliveryRecord['status'], number>>
    lastDeliveredAt: string | null
  }> {
    const rows = this.sqlite
      .prepare(
        `SELECT channel_id, status, count(*) AS n, max(delivered_at) AS last FROM alert_deliveries GROUP BY channel_id, status`,
      )
      .all() as Array<{ channel_id: number; status: DeliveryRecord['status']; n: number; last: string | null }>
    const out = new Map<
      number,
      { channelId: number; counts: Partial<Record<DeliveryRecord['status'], number>>; lastDeliveredAt: string | null }
    >()
    for (const r of rows) {
      const e = out.get(r.channel_id) ?? { channelId: r.channel_id, counts: {}, lastDeliveredAt: null }
      e.counts[r.status] = r.n
      if (r.status === 'delivered') e.lastDeliveredAt = r.last
      out.set(r.channel_id, e)
    }
    return [...out.values()]
  }

  /** Delivery records not finished (pending or held), over every channel. */
  pendingCount(): number {
    return (
      this.sqlite.prepare("SELECT count(*) AS n FROM alert_deliveries WHERE status IN ('pending', 'held')").get() as {
        n: number
      }
    ).n
  }

  removeChannel(id: number): boolean {
    return this.sqlite.prepare('DELETE FROM alert_channels WHERE id = ?').run(id).changes > 0
  }

  /** Replace the routing rules (the settings form saves them as a whole). */
  setRoutes(rules: Array<Omit<RoutingRule, 'id'>>): void {
    const tx = this.sqlite.transaction(() => {
      this.sqlite.prepare('DELETE FROM alert_routes').run()
      const ins = this.sqlite.prepare(
        'INSERT INTO alert_routes (enabled, min_severity, sources, workspace_ids, account_ids, channel_ids) VALUES (?, ?, ?, ?, ?, ?)',
      )
      for (const r of rules)
        ins.run(
          r.enabled ? 1 : 0,
          r.minSeverity,
          JSON.stringify(r.sources),
          JSON.stringify(r.workspaceIds),
          JSON.stringify(r.accountIds),
          JSON.stringify(r.channelIds),
        )
    })
    tx.immediate()
  }

  routes(): RoutingRule[] {
    return (
      this.sqlite.prepare('SELECT * FROM alert_routes ORDER BY id').all() as Array<{
        id: number
        enabled: number
        min_severity: string
        sources: string
        workspace_ids: string
        account_ids: string
        channel_ids: string
      }>
    ).map((r) =>
      RoutingRuleSchema.parse({
        id: r.id,
        enabled: r.enabled === 1,
        minSeverity: r.min_severity,
        sources: parseJson(r.sources),
        workspaceIds: parseJson(r.workspace_ids),
        accountIds: parseJson(r.account_ids),
        channelIds: parseJson(r.channel_ids),
      }),
    )
  }

  // ── DeliveryStore ──

  add(alertId: number, record: DeliveryRecord): void {
    this.sqlite
      .prepare(
        `INSERT INTO alert_deliveries (alert_id, channel_id, channel_kind, status, message_id, attempts, next_attempt_at, delivered_at, note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (alert_id, channel_id) DO NOTHING`,
      )
      .run(
        alertId,
        record.channelId,
        record.channelKind,
        record.status,
        record.messageId,
        JSON.stringify(record.attempts),
        record.nextAttemptAt,
        record.deliveredAt,
        record.note,
      )
  }

  update(alertId: number, record: DeliveryRecord): void {
    this.sqlite
      .prepare(
        `UPDATE alert_deliveries SET status = ?, message_id = ?, attempts = ?, next_attempt_at = ?, delivered_at = ?, note = ?
         WHERE alert_id = ? AND channel_id = ?`,
      )
      .run(
        record.status,
        record.messageId,
        JSON.stringify(record.attempts),
        record.nextAttemptAt,
        record.deliveredAt,
        record.note,
        alertId,
        record.channelId,
      )
  }

  due(now: Date): DueDelivery[] {
    return (
      this.sqlite
        .prepare(
          `SELECT * FROM alert_deliveries
           WHERE status IN ('pending', 'held') AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
           ORDER BY next_attempt_at, alert_id`,
        )
        .all(now.toISOString()) as DeliveryRow[]
    ).map((r) => ({ alertId: r.alert_id, record: toDelivery(r) }))
  }

  alerts(ids: number[]): Alert[] {
    if (!ids.length) return []
    const rows = this.sqlite
      .prepare(`SELECT * FROM alerts WHERE id IN (${ids.map(() => '?').join(',')})`)
      .all(...ids) as AlertRow[]
    // State at the alerts' own last raise is enough for rendering; `resolvedAt` is what delivery reads.
    return rows.map((r) => this.toAlert(r, new Date(r.last_raised_at), []))
  }

  sendsSince(channelId: number, since: Date): Date[] {
    return (
      this.sqlite
        .prepare('SELECT sent_at FROM alert_channel_sends WHERE channel_id = ? AND sent_at >= ? ORDER BY sent_at')
        .all(channelId, since.toISOString()) as Array<{ sent_at: string }>
    ).map((r) => new Date(r.sent_at))
  }

  noteSend(channelId: number, at: Date): void {
    this.sqlite
      .prepare('INSERT INTO alert_channel_sends (channel_id, sent_at) VALUES (?, ?)')
      .run(channelId, at.toISOString())
  }

  /** Drop send records older than any rate-limit window (a day). */
  pruneSends(before: Date): number {
    return this.sqlite.prepare('DELETE FROM alert_channel_sends WHERE sent_at < ?').run(before.toISOString()).changes
  }

  nextWakeAt(): Date | null {
    const r = this.sqlite
      .prepare("SELECT min(next_attempt_at) AS at FROM alert_deliveries WHERE status IN ('pending', 'held')")
      .get() as { at: string | null }
    return r.at ? new Date(r.at) : null
  }
}
