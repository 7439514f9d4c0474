import {
  AlertDraftSchema,
  ChannelPolicySchema,
  ChannelSettingsSchema,
  SEVERITY_LABELS,
  type Alert,
  type AlertDraftInput,
  type AlertSeverity,
  type AlertSource,
  type AlertState,
  type ChannelKind,
  type ChannelPolicy,
  type ChannelSettings,
  type DeliveryResult,
  type RoutingRule,
} from '../../../shared/domain/alerts'
import {
  AlertSettingsPatchSchema,
  AlertSettingsSchema,
  DEFAULT_ALERT_SETTINGS,
  type AlertSettings,
  type AlertSettingsPatch,
} from '../../../shared/domain/alert-settings'
import { inScope, type CallContext } from '../../../shared/domain/caller'
import { AppError } from '../../../shared/ipc/result'
import type { CoreServices } from '../core-services'
import { AlertsRepo, type StoredChannelRow } from '../store/repos/alerts-repo'
import { channelTarget, createChannels, testMessage, type ChannelSet } from './channels'
import { generateWebhookSecret, webhookSecretProblem } from './channels/webhook'
import { DeliveryEngine, type ChannelTarget, type DeliveryEngineOptions, type TickReport } from './delivery'
import { channelKeepsFailing, dedupeDecision, routeAlert } from './routing'
import type { RenderOptions } from './types'

/** Where alert settings live in the core's key/value table. */
export const ALERT_SETTINGS_KEY = 'alerts.settings'
/** Secret-store key of a channel's secret. */
export const channelSecretRef = (id: number): string => `alerts.channel.${id}`
/** How often the store's owner looks for deliveries queued by another process (the CLI). */
const POLL_MS = 15_000
/** Longest wait between ticks (the engine's next wake may be a day away; other processes add work). */
const MAX_SLEEP_MS = 60_000

/** A channel as the UI and CLI see it: settings and policy, whether its secret is set, never the secret. */
export interface ChannelView {
  id: number
  name: string
  kind: ChannelKind
  settings: ChannelSettings
  policy: ChannelPolicy
  enabled: boolean
  disabledReason: string | null
  hasSecret: boolean
  createdAt: string
}

export interface RaiseResult {
  alert: Alert
  /** Folded into an alert raised earlier within the dedupe window (its count went up). */
  merged: boolean
}

export interface AlertListQuery {
  workspaceId?: number
  severity?: AlertSeverity[]
  source?: AlertSource[]
  state?: AlertState[]
  before?: string
  limit?: number
}

export interface AlertServiceOptions {
  render?: Partial<RenderOptions>
  fetch?: typeof globalThis.fetch
  engine?: DeliveryEngineOptions
  /** Channel senders (tests and benches pass their own set). */
  channels?: ChannelSet
  /** Deliver on a timer while this process owns the store (default: true). */
  autoDeliver?: boolean
}

/**
 * The alert service: sources `raise` drafts; an alert is stored (deduped into a count), routed to
 * channels by the routing rules, queued in the persisted outbox (`alert_deliveries`) and delivered
 * by the engine at least once, with the alert's id as the message id (`webhook-id`). Acknowledge,
 * snooze, resolve and every channel or settings change go through the `mutation` wrapper (audited,
 * `data:changed`). Only the store's owner delivers; other processes store and leave the sending to it.
 */
export class AlertService {
  readonly repo: AlertsRepo
  private readonly channelSet: ChannelSet
  private readonly engine: DeliveryEngine
  private targets = new Map<number, ChannelTarget>()
  private targetsLoaded: Promise<void> | null = null
  private timer: NodeJS.Timeout | null = null
  private stopped = true
  private inFlight: Promise<unknown> = Promise.resolve()
  private readonly abort = new AbortController()
  readonly render: RenderOptions

  constructor(
    private readonly core: CoreServices,
    private readonly opts: AlertServiceOptions = {},
  ) {
    this.repo = new AlertsRepo(core.store.sqlite)
    this.render = {
      appUrl: opts.render?.appUrl ?? process.env.ME_APP_URL ?? 'marketing-engine://open/',
      appName: opts.render?.appName ?? core.platform.appName,
      timeZone: opts.render?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    }
    this.channelSet =
      opts.channels ??
      createChannels({
        platform: core.platform,
        render: this.render,
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
      })
    this.engine = new DeliveryEngine(this.repo, (id) => this.targets.get(id) ?? null, opts.engine)
  }

  private now(): Date {
    return this.core.platform.clock.now()
  }

  // ── Settings ──

  settings(): AlertSettings {
    const stored = this.core.kv.get<unknown>(ALERT_SETTINGS_KEY, null)
    const merged = AlertSettingsSchema.safeParse({
      ...DEFAULT_ALERT_SETTINGS,
      ...(stored && typeof stored === 'object' ? stored : {}),
      sources: {
        ...DEFAULT_ALERT_SETTINGS.sources,
        ...((stored as { sources?: object } | null)?.sources ?? {}),
      },
    })
    return merged.success ? merged.data : DEFAULT_ALERT_SETTINGS
  }

  async updateSettings(patch: AlertSettingsPatch, ctx: CallContext): Promise<AlertSettings> {
    return this.core.mutations.run({ action: 'alerts.settings', ctx, tables: [], detail: () => patch }, () => {
      const p = AlertSettingsPatchSchema.safeParse(patch)
      if (!p.success) throw new AppError('VALIDATION', p.error.issues[0]?.message ?? 'Invalid alert settings')
      const cur = this.settings()
      const next = AlertSettingsSchema.parse({ ...cur, ...p.data, sources: { ...cur.sources, ...p.data.sources } })
      this.core.kv.set(ALERT_SETTINGS_KEY, next)
      return next
    })
  }

  sourceEnabled(source: AlertSource): boolean {
    return this.settings().sources[source]
  }

  // ── Raising ──

  /**
   * Raise an alert: validated, deduped (same workspace and key within the window: count + 1, and
   * sent again only when the severity went up), stored, routed, queued for delivery and announced
   * with `alert:raised`. Returns null when the source is turned off in the alert settings.
   */
  raise(input: AlertDraftInput): RaiseResult | null {
    const parsed = AlertDraftSchema.safeParse(input)
    if (!parsed.success)
      throw new AppError('VALIDATION', `Invalid alert: ${parsed.error.issues[0]?.message ?? 'bad draft'}`, {
        issues: parsed.error.issues,
      })
    const draft = parsed.data
    if (!this.sourceEnabled(draft.source)) return null
    const now = this.now()
    const sqlite = this.core.store.sqlite
    const result = sqlite
      .transaction((): RaiseResult => {
        const existing = this.repo.latestByKey(draft.workspaceId, draft.dedupeKey, now)
        const decision = dedupeDecision(existing, draft.severity, now)
        if (decision.action === 'merge') {
          this.repo.merge(decision.id, draft, decision.severity, now)
          const alert = this.repo.get(decision.id, now)!
          if (decision.notify) this.requeue(alert, now)
          return { alert: this.repo.get(decision.id, now)!, merged: true }
        }
        const id = this.repo.insert(draft, now)
        const alert = this.repo.get(id, now)!
        this.engine.enqueue(alert, this.routeOf(alert), now)
        return { alert: this.repo.get(id, now)!, merged: false }
      })
      .immediate()
    const a = result.alert
    this.core.events.emit('alert:raised', {
      id: a.id,
      workspaceId: a.workspaceId,
      source: a.source,
      severity: a.severity,
      title: a.title,
      body: a.body,
      link: a.link,
      count: a.count,
      merged: result.merged,
    })
    this.core.events.emit('data:changed', { tables: ['alerts', 'alert_deliveries'], workspaceId: a.workspaceId })
    this.kick()
    return result
  }

  /**
   * Raise an app-health alert (a channel that keeps failing, an uncaught error). It belongs to the
   * first workspace (alerts always have one); with no workspace yet there is nothing to show it in.
   */
  raiseSystem(d: Omit<AlertDraftInput, 'workspaceId' | 'source'> & { workspaceId?: number }): RaiseResult | null {
    const ws = d.workspaceId ?? this.core.workspaces.list()[0]?.id
    if (ws === undefined) return null
    return this.raise({ ...d, source: 'system', workspaceId: ws })
  }

  /** Channels for an alert: the routing rules; with no rules at all, every enabled channel gets WARNING+. */
  private routeOf(alert: Alert): number[] {
    const enabled = new Set(
      this.repo
        .channels()
        .filter((c) => c.enabled)
        .map((c) => c.id),
    )
    const rules = this.repo.routes()
    const ids =
      rules.length > 0 ? routeAlert(alert, rules) : alert.severity === 'info' ? [] : [...enabled].sort((a, b) => a - b)
    return ids.filter((id) => enabled.has(id))
  }

  /** A merged raise whose severity went up is sent again, as a new message, to channels already done with it. */
  private requeue(alert: Alert, now: Date): void {
    const have = new Set(alert.deliveries.map((d) => d.channelId))
    for (const d of alert.deliveries) {
      if (d.status === 'pending' || d.status === 'held') continue
      this.repo.update(alert.id, {
        ...d,
        status: 'pending',
        messageId: `alert-${alert.id}-${alert.count}`,
        attempts: [],
        nextAttemptAt: now.toISOString(),
        deliveredAt: null,
        note: `Sent again: severity rose to ${SEVERITY_LABELS[alert.severity]}`,
      })
    }
    const fresh = this.routeOf(alert).filter((id) => !have.has(id))
    if (fresh.length) this.engine.enqueue(alert, fresh, now)
  }

  /** A condition that cleared by itself (the account synced again): its open alerts resolve. */
  resolveByKey(workspaceId: number, dedupeKey: string): number[] {
    const ids = this.repo.resolveByKey(workspaceId, dedupeKey, this.now())
    if (ids.length) this.core.events.emit('data:changed', { tables: ['alerts'], workspaceId })
    return ids
  }

  /** The open (not resolved) alert of a key, if any: sources use it to know a condition is live. */
  openByKey(workspaceId: number, dedupeKey: string): Alert | null {
    const a = this.repo.latestByKey(workspaceId, dedupeKey, this.now())
    return a && !a.resolvedAt ? a : null
  }

  // ── History ──

  list(q: AlertListQuery, ctx?: CallContext): Alert[] {
    if (q.workspaceId !== undefined && ctx && !inScope(ctx, q.workspaceId))
      throw new AppError('FORBIDDEN', `Workspace ${q.workspaceId} is outside this caller's scope`)
    const rows = this.repo.list(
      {
        ...(q.workspaceId !== undefined ? { workspaceId: q.workspaceId } : {}),
        ...(q.severity?.length ? { severities: q.severity } : {}),
        ...(q.source?.length ? { sources: q.source } : {}),
        ...(q.state?.length ? { states: q.state } : {}),
        ...(q.before ? { before: q.before } : {}),
        limit: q.limit ?? 100,
      },
      this.now(),
    )
    return ctx ? rows.filter((a) => inScope(ctx, a.workspaceId)) : rows
  }

  get(id: number, ctx?: CallContext): Alert {
    const a = this.repo.get(id, this.now())
    if (!a || (ctx && !inScope(ctx, a.workspaceId))) throw new AppError('NOT_FOUND', `No alert ${id}`)
    return a
  }

  private async changeAlerts(
    action: string,
    ids: number[],
    ctx: CallContext,
    fn: (id: number, now: Date) => boolean,
  ): Promise<number[]> {
    for (const id of ids) this.get(id, ctx)
    const ws = ids.length === 1 ? this.get(ids[0]!, ctx).workspaceId : undefined
    return this.core.mutations.run(
      {
        action,
        ctx,
        tables: ['alerts'],
        ...(ws !== undefined ? { workspaceId: ws } : {}),
        detail: (changed: number[]) => ({ ids, changed }),
      },
      () => {
        const now = this.now()
        return ids.filter((id) => fn(id, now))
      },
    )
  }

  /** Acknowledge: the alert stops counting as unread. Returns the ids that changed. */
  async acknowledge(ids: number[], ctx: CallContext): Promise<number[]> {
    return this.changeAlerts('alerts.acknowledge', ids, ctx, (id, now) => this.repo.acknowledge([id], now).length > 0)
  }

  /** Snooze until a time in the future: the alert counts as unread again after it. */
  async snooze(ids: number[], until: Date, ctx: CallContext): Promise<number[]> {
    if (!(until.getTime() > this.now().getTime()))
      throw new AppError('VALIDATION', 'A snooze ends in the future: pick a later time')
    return this.changeAlerts('alerts.snooze', ids, ctx, (id) => this.repo.snooze(id, until))
  }

  async resolve(ids: number[], ctx: CallContext): Promise<number[]> {
    return this.changeAlerts('alerts.resolve', ids, ctx, (id, now) => this.repo.resolve(id, now))
  }

  // ── Channels ──

  private view(c: StoredChannelRow, hasSecret: boolean): ChannelView {
    return {
      id: c.id,
      name: c.name,
      kind: c.settings.kind,
      settings: c.settings,
      policy: c.policy,
      enabled: c.enabled,
      disabledReason: c.disabledReason,
      hasSecret,
      createdAt: c.createdAt,
    }
  }

  async channels(): Promise<ChannelView[]> {
    const out: ChannelView[] = []
    for (const c of this.repo.channels())
      out.push(this.view(c, c.secretRef ? (await this.core.platform.secrets.get(c.secretRef)) !== null : false))
    return out
  }

  private async channelView(id: number): Promise<ChannelView> {
    const c = (await this.channels()).find((x) => x.id === id)
    if (!c) throw new AppError('NOT_FOUND', `No alert channel ${id}`)
    return c
  }

  private parseChannel(settings: unknown, policy: unknown): { settings: ChannelSettings; policy: ChannelPolicy } {
    const s = ChannelSettingsSchema.safeParse(settings)
    if (!s.success) {
      const i = s.error.issues[0]
      throw new AppError(
        'VALIDATION',
        `${i?.path.join('.') || 'settings'}: ${i?.message ?? 'invalid channel settings'}`,
      )
    }
    const p = ChannelPolicySchema.safeParse(policy ?? {})
    if (!p.success) {
      const i = p.error.issues[0]
      throw new AppError('VALIDATION', `${i?.path.join('.') || 'policy'}: ${i?.message ?? 'invalid channel policy'}`)
    }
    if (p.data.dailyDigest && s.data.kind !== 'email')
      throw new AppError('VALIDATION', 'dailyDigest: a daily digest is an option of email channels')
    return { settings: s.data, policy: p.data }
  }

  /** The secret a kind needs, checked: a Slack URL must be a Slack-style https URL (or loopback in tests). */
  private checkSecret(kind: ChannelKind, secret: string | undefined, required: boolean): string | null {
    if (secret === undefined || secret === '') {
      if (required && kind === 'slack')
        throw new AppError('VALIDATION', 'A Slack channel needs its incoming-webhook URL (https://hooks.slack.com/…)')
      return null
    }
    if (kind === 'desktop') throw new AppError('VALIDATION', 'A desktop channel has no secret')
    if (kind === 'slack') {
      const s = ChannelSettingsSchema.safeParse({ kind: 'webhook', url: secret })
      if (!s.success)
        throw new AppError('VALIDATION', `Slack webhook URL: ${s.error.issues[0]?.message ?? 'not a valid URL'}`)
    }
    if (kind === 'webhook') {
      const problem = webhookSecretProblem(secret)
      if (problem) throw new AppError('VALIDATION', `${problem} (leave it empty to create one)`)
    }
    return secret
  }

  /**
   * Add a channel. The secret (SMTP password, Slack URL, webhook signing secret) goes to the secret
   * store under `alerts.channel.<id>`; a webhook channel without one gets a new signing secret,
   * returned once so the receiver can be set up.
   */
  async addChannel(
    input: { name: string; settings: unknown; policy?: unknown; secret?: string },
    ctx: CallContext,
  ): Promise<{ channel: ChannelView; createdSecret: string | null }> {
    const { settings, policy } = this.parseChannel(input.settings, input.policy)
    const name = input.name.trim()
    if (!name) throw new AppError('VALIDATION', 'A channel needs a name')
    let secret = this.checkSecret(settings.kind, input.secret, true)
    let created: string | null = null
    if (settings.kind === 'webhook' && !secret) secret = created = generateWebhookSecret()
    return this.core.mutations.run(
      {
        action: 'alerts.channel.add',
        ctx,
        tables: ['alert_channels'],
        detail: (r: { channel: ChannelView }) => ({ id: r.channel.id, name, kind: settings.kind }),
      },
      async () => {
        const id = this.repo.addChannel({ name, settings, policy, secretRef: null }, this.now())
        if (secret) {
          await this.core.platform.secrets.set(channelSecretRef(id), secret)
          this.repo.setChannelSecretRef(id, channelSecretRef(id))
        }
        await this.reloadTargets()
        return { channel: await this.channelView(id), createdSecret: created }
      },
    )
  }

  async updateChannel(
    id: number,
    input: { name?: string; settings?: unknown; policy?: unknown; secret?: string; enabled?: boolean },
    ctx: CallContext,
  ): Promise<ChannelView> {
    const cur = this.repo.channels().find((c) => c.id === id)
    if (!cur) throw new AppError('NOT_FOUND', `No alert channel ${id}`)
    const { settings, policy } = this.parseChannel(input.settings ?? cur.settings, input.policy ?? cur.policy)
    if (settings.kind !== cur.settings.kind)
      throw new AppError('VALIDATION', 'A channel keeps its kind: remove it and add a new one')
    const secret = this.checkSecret(settings.kind, input.secret, false)
    const name = (input.name ?? cur.name).trim()
    return this.core.mutations.run(
      {
        action: 'alerts.channel.update',
        ctx,
        tables: ['alert_channels'],
        detail: () => ({ id, name, secretChanged: secret !== null, enabled: input.enabled ?? cur.enabled }),
      },
      async () => {
        this.repo.updateChannel(id, { name, settings, policy })
        if (secret) {
          await this.core.platform.secrets.set(channelSecretRef(id), secret)
          this.repo.setChannelSecretRef(id, channelSecretRef(id))
        }
        if (input.enabled !== undefined) this.repo.setChannelEnabled(id, input.enabled, null)
        await this.reloadTargets()
        return this.channelView(id)
      },
    )
  }

  async removeChannel(id: number, ctx: CallContext): Promise<{ removed: boolean }> {
    const cur = this.repo.channels().find((c) => c.id === id)
    if (!cur) throw new AppError('NOT_FOUND', `No alert channel ${id}`)
    return this.core.mutations.run(
      { action: 'alerts.channel.remove', ctx, tables: ['alert_channels'], detail: () => ({ id, name: cur.name }) },
      async () => {
        const removed = this.repo.removeChannel(id)
        // Routes naming it keep their other channels; a route left with none goes.
        const routes = this.repo.routes()
        if (routes.some((r) => r.channelIds.includes(id)))
          this.repo.setRoutes(
            routes
              .map((r) => ({ ...r, channelIds: r.channelIds.filter((c) => c !== id) }))
              .filter((r) => r.channelIds.length > 0),
          )
        if (cur.secretRef) await this.core.platform.secrets.delete(cur.secretRef)
        await this.reloadTargets()
        return { removed }
      },
    )
  }

  /** Send a test message through a channel now (not through the outbox); the result says what failed. */
  async testChannel(id: number): Promise<DeliveryResult> {
    const c = this.repo.channels().find((x) => x.id === id)
    if (!c) throw new AppError('NOT_FOUND', `No alert channel ${id}`)
    const secret = c.secretRef ? await this.core.platform.secrets.get(c.secretRef) : null
    const target = channelTarget(c, secret, this.channelSet)
    return target.send(testMessage(c.name, this.now()), AbortSignal.timeout(60_000))
  }

  routes(): RoutingRule[] {
    return this.repo.routes()
  }

  async setRoutes(rules: Array<Omit<RoutingRule, 'id'>>, ctx: CallContext): Promise<RoutingRule[]> {
    const known = new Set(this.repo.channels().map((c) => c.id))
    for (const r of rules)
      for (const c of r.channelIds)
        if (!known.has(c)) throw new AppError('VALIDATION', `A route names channel ${c}, which does not exist`)
    return this.core.mutations.run(
      { action: 'alerts.routes', ctx, tables: ['alert_routes'], detail: () => rules },
      () => {
        this.repo.setRoutes(rules)
        return this.repo.routes()
      },
    )
  }

  // ── Delivery ──

  /** Load enabled channels with their secrets for the engine (after any channel change). */
  reloadTargets(): Promise<void> {
    const load = async (): Promise<void> => {
      const next = new Map<number, ChannelTarget>()
      for (const c of this.repo.channels()) {
        if (!c.enabled) continue
        const secret = c.secretRef ? await this.core.platform.secrets.get(c.secretRef) : null
        next.set(c.id, channelTarget(c, secret, this.channelSet))
      }
      this.targets = next
    }
    this.targetsLoaded = load()
    return this.targetsLoaded
  }

  /**
   * Send what is due now (only the store's owner sends). After a tick, a channel whose recent
   * deliveries keep failing is disabled and an alert says so.
   */
  async deliverDue(): Promise<TickReport | null> {
    if (!this.core.ownership.isOwner || !this.core.store.sqlite.open) return null
    await (this.targetsLoaded ?? this.reloadTargets())
    const report = await this.engine.tick(this.now(), this.abort.signal)
    const failing = new Set(report.sent.filter((s) => !s.result.ok).map((s) => s.channelId))
    for (const channelId of failing) this.checkKeepsFailing(channelId)
    if (report.sent.length) this.core.events.emit('data:changed', { tables: ['alert_deliveries'] })
    return report
  }

  private checkKeepsFailing(channelId: number): void {
    const c = this.repo.channels().find((x) => x.id === channelId)
    if (!c || !c.enabled) return
    const now = this.now()
    if (!channelKeepsFailing(this.repo.recentDeliveries(channelId, 50), now)) return
    const recent = this.repo.recentDeliveries(channelId, 1)[0]
    const lastError = [...(recent?.attempts ?? [])].reverse().find((a) => !a.ok)?.error ?? 'unknown error'
    const reason = `Disabled on ${now.toISOString()} after repeated failures; last error: ${lastError}`
    this.repo.setChannelEnabled(channelId, false, reason)
    this.targets.delete(channelId)
    this.core.events.emit('data:changed', { tables: ['alert_channels'] })
    this.raiseSystem({
      severity: 'error',
      entity: { level: 'channel', id: channelId, name: c.name },
      title: `Alert channel "${c.name}" was turned off: it keeps failing`,
      body: `Alerts could not be delivered to "${c.name}" (${c.settings.kind}). ${lastError}. Fix the settings, send a test, then turn the channel on again.`,
      dedupeKey: `system:channel-failing:${channelId}`,
      link: '/alerts?tab=channels',
    })
  }

  /** Deliver soon (after a raise): one tick at a time; the timer re-arms at the engine's next wake. */
  kick(): void {
    if (this.stopped) return
    this.schedule(0)
  }

  private schedule(ms: number): void {
    if (this.stopped) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      const run = this.deliverDue()
        .then((report) => {
          const now = this.now().getTime()
          const wake = report?.nextWakeAt ? report.nextWakeAt.getTime() - now : MAX_SLEEP_MS
          this.schedule(Math.max(50, Math.min(wake, this.core.ownership.isOwner ? MAX_SLEEP_MS : POLL_MS)))
        })
        .catch((err: unknown) => {
          console.error('[alerts] delivery tick failed:', err)
          this.schedule(POLL_MS)
        })
      this.inFlight = run
    }, ms)
    this.timer.unref?.()
  }

  /** Start delivering (the module's start). */
  start(): void {
    if (this.opts.autoDeliver === false) return
    this.stopped = false
    this.schedule(0)
  }

  /** Stop the timer and wait for the tick in flight (the module's stop). */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.inFlight.catch(() => undefined)
  }

  /** Stop and abort sends in flight (process shutdown). */
  async close(): Promise<void> {
    this.abort.abort()
    await this.stop()
  }
}
