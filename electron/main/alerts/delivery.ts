import type { Alert, ChannelKind, ChannelPolicy, DeliveryRecord, DeliveryResult } from '../../../shared/domain/alerts'
import { DEFAULT_RETRY, planChannel, quietHold, recordAttempt, type RetryPolicy, type Waiting } from './routing'
import { messageIdFor, type AlertMessage } from './types'

/**
 * The delivery engine: turns routed alerts into per-channel delivery records (the outbox), and on
 * each `tick(now)` sends what is due — first sends planned by the channel's quiet hours and rate
 * limit (digests), retries resent with their original message id — recording every attempt.
 * At-least-once: a record stays pending until its attempt is recorded, so a crash between sending
 * and recording resends the same message id, which receivers use to drop the duplicate.
 *
 * Storage is an interface (`DeliveryStore`): SQLite in the app, memory in tests and benches.
 * Time comes in as `now`; a host runs `tick` at `nextWakeAt()` (a timer) and after each raise.
 */

export interface DueDelivery {
  alertId: number
  record: DeliveryRecord
}

/** What the engine needs from storage. Records are keyed by (alertId, channelId). */
export interface DeliveryStore {
  add(alertId: number, record: DeliveryRecord): void
  update(alertId: number, record: DeliveryRecord): void
  /** Pending or held records whose `nextAttemptAt` has come (null counts as now), oldest first. */
  due(now: Date): DueDelivery[]
  alerts(ids: number[]): Alert[]
  /** When this channel sent messages since `since` (for its rate limit). */
  sendsSince(channelId: number, since: Date): Date[]
  noteSend(channelId: number, at: Date): void
  /** The earliest `nextAttemptAt` of any pending or held record. */
  nextWakeAt(): Date | null
}

/** A configured channel as the engine sees it: its policy and a way to send (config and secret resolved). */
export interface ChannelTarget {
  id: number
  kind: ChannelKind
  policy: ChannelPolicy
  send(message: AlertMessage, signal: AbortSignal): Promise<DeliveryResult>
}

export interface TickReport {
  /** Messages sent (each to one channel), with their outcome. */
  sent: Array<{ channelId: number; messageId: string; alertIds: number[]; result: DeliveryResult }>
  /** Records newly held by quiet hours or the rate limit. */
  held: number
  nextWakeAt: Date | null
}

export interface DeliveryEngineOptions {
  retry?: RetryPolicy
  random?: () => number
  /** The longest window any channel's rate limit uses (sends older than this are not read). */
  maxRateWindowMs?: number
  /** Messages in flight per channel (default 4). */
  concurrency?: number
}

/** Run `fn` over `items` with at most `limit` at a time; results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker))
  return out
}

export class DeliveryEngine {
  private running: Promise<TickReport> | null = null
  private readonly retry: RetryPolicy
  private readonly random: () => number

  constructor(
    private readonly store: DeliveryStore,
    private readonly channel: (id: number) => ChannelTarget | null,
    private readonly opts: DeliveryEngineOptions = {},
  ) {
    this.retry = opts.retry ?? DEFAULT_RETRY
    this.random = opts.random ?? Math.random
  }

  /**
   * Queue an alert for its channels: one pending record per channel, or held until the end of the
   * channel's quiet hours. Returns the records (the caller stores them with the alert).
   */
  enqueue(alert: Pick<Alert, 'id' | 'severity'>, channelIds: number[], now: Date): DeliveryRecord[] {
    const out: DeliveryRecord[] = []
    for (const id of channelIds) {
      const target = this.channel(id)
      if (!target) continue
      const until = quietHold(alert.severity, target.policy, now)
      const record: DeliveryRecord = {
        channelId: id,
        channelKind: target.kind,
        status: until ? 'held' : 'pending',
        messageId: messageIdFor([alert], id, false),
        attempts: [],
        nextAttemptAt: (until ?? now).toISOString(),
        deliveredAt: null,
        note: until
          ? target.policy.dailyDigest && !(alert.severity === 'critical' && target.policy.dailyDigest.criticalAtOnce)
            ? `Waits for the daily digest at ${target.policy.dailyDigest.at} (${target.policy.dailyDigest.timeZone}), ${until.toISOString()}`
            : `Quiet hours until ${until.toISOString()}`
          : null,
      }
      this.store.add(alert.id, record)
      out.push(record)
    }
    return out
  }

  /** Send everything due at `now`. Ticks never overlap: a second call waits for the first. */
  async tick(now: Date, signal: AbortSignal = new AbortController().signal): Promise<TickReport> {
    while (this.running) await this.running.catch(() => undefined)
    this.running = this.run(now, signal)
    try {
      return await this.running
    } finally {
      this.running = null
    }
  }

  private async run(now: Date, signal: AbortSignal): Promise<TickReport> {
    const report: TickReport = { sent: [], held: 0, nextWakeAt: null }
    const byChannel = new Map<number, DueDelivery[]>()
    for (const d of this.store.due(now)) {
      const list = byChannel.get(d.record.channelId) ?? []
      list.push(d)
      byChannel.set(d.record.channelId, list)
    }
    const alertIds = [...new Set([...byChannel.values()].flat().map((d) => d.alertId))]
    const alerts = new Map(this.store.alerts(alertIds).map((a) => [a.id, a]))
    const windowMs = this.opts.maxRateWindowMs ?? 24 * 3600_000

    const work: Array<{
      channelId: number
      target: ChannelTarget
      messages: Array<{ id: string; items: DueDelivery[]; digest: boolean }>
    }> = []
    for (const [channelId, due] of byChannel) {
      const target = this.channel(channelId)
      if (!target) {
        for (const d of due)
          this.store.update(d.alertId, {
            ...d.record,
            status: 'skipped',
            nextAttemptAt: null,
            note: 'The channel was removed',
          })
        continue
      }
      // A resolved alert that has not gone out yet is not worth a message any more.
      const live: DueDelivery[] = []
      for (const d of due) {
        const alert = alerts.get(d.alertId)
        if (!alert || (alert.resolvedAt && d.record.attempts.length === 0))
          this.store.update(d.alertId, {
            ...d.record,
            status: 'skipped',
            nextAttemptAt: null,
            note: alert ? 'Resolved before it was sent' : 'The alert no longer exists',
          })
        else live.push(d)
      }
      const messages: Array<{ id: string; items: DueDelivery[]; digest: boolean }> = []
      // Retries keep their message (same id, same alerts).
      const retries = new Map<string, DueDelivery[]>()
      for (const d of live.filter((x) => x.record.attempts.length > 0)) {
        const list = retries.get(d.record.messageId) ?? []
        list.push(d)
        retries.set(d.record.messageId, list)
      }
      for (const [id, items] of retries) messages.push({ id, items, digest: id.startsWith('digest-') })
      // First sends are planned: quiet hours were applied at enqueue; the rate limit and digests here.
      const first = live.filter((x) => x.record.attempts.length === 0)
      if (first.length) {
        const waiting: Waiting[] = first.map((d) => ({
          alertId: d.alertId,
          severity: alerts.get(d.alertId)!.severity,
          raisedAt: alerts.get(d.alertId)!.lastRaisedAt,
          notBefore: null,
          held: d.record.status === 'held',
        }))
        const sent = this.store.sendsSince(channelId, new Date(now.getTime() - windowMs))
        for (let i = 0; i < messages.length; i++) sent.push(now)
        const plan = planChannel(waiting, sent, target.policy, now)
        const byAlert = new Map(first.map((d) => [d.alertId, d]))
        for (const m of plan.send) {
          const items = m.alertIds.map((id) => byAlert.get(id)!)
          messages.push({
            // A single alert keeps the id it was queued with (`alert-<id>`, or `alert-<id>-<n>` when
            // a higher severity sends it again); a digest gets one naming what it carries.
            id:
              !m.digest && items.length === 1
                ? items[0]!.record.messageId
                : messageIdFor(
                    items.map((d) => ({ id: d.alertId })),
                    channelId,
                    m.digest,
                  ),
            items,
            digest: m.digest,
          })
        }
        for (const alertId of plan.hold) {
          const d = byAlert.get(alertId)!
          this.store.update(alertId, {
            ...d.record,
            status: 'held',
            nextAttemptAt: (plan.wakeAt ?? now).toISOString(),
            note: `Held by the channel's rate limit until ${(plan.wakeAt ?? now).toISOString()}`,
          })
          report.held++
        }
      }
      work.push({ channelId, target, messages })
    }

    // Channels go out side by side (a slow SMTP server never delays a webhook); within a channel
    // at most `concurrency` messages are in flight. Reports list each channel's messages in plan order.
    const perChannel = await Promise.all(
      work.map(({ channelId, target, messages }) =>
        mapLimit(messages, this.opts.concurrency ?? 4, async (m) => {
          if (signal.aborted) return null
          const message: AlertMessage = {
            id: m.id,
            alerts: m.items.map((d) => alerts.get(d.alertId)!),
            digest: m.digest,
          }
          const result = await target.send(message, signal)
          this.store.noteSend(channelId, now)
          for (const d of m.items) {
            const record = recordAttempt({ ...d.record, messageId: m.id }, result, now, this.retry, this.random)
            this.store.update(d.alertId, record)
          }
          return { channelId, messageId: m.id, alertIds: m.items.map((d) => d.alertId), result }
        }),
      ),
    )
    for (const list of perChannel) for (const entry of list) if (entry) report.sent.push(entry)
    report.nextWakeAt = this.store.nextWakeAt()
    return report
  }
}

/** A DeliveryStore in memory (tests, benches, and the shape the SQLite repo follows). */
export class MemoryDeliveryStore implements DeliveryStore {
  readonly records = new Map<string, { alertId: number; record: DeliveryRecord }>()
  private readonly sends = new Map<number, Date[]>()
  constructor(private readonly lookup: (ids: number[]) => Alert[]) {}

  private key(alertId: number, channelId: number): string {
    return `${alertId}:${channelId}`
  }
  add(alertId: number, record: DeliveryRecord): void {
    this.records.set(this.key(alertId, record.channelId), { alertId, record })
  }
  update(alertId: number, record: DeliveryRecord): void {
    this.records.set(this.key(alertId, record.channelId), { alertId, record })
  }
  due(now: Date): DueDelivery[] {
    return [...this.records.values()]
      .filter(
        (r) =>
          (r.record.status === 'pending' || r.record.status === 'held') &&
          (r.record.nextAttemptAt === null || Date.parse(r.record.nextAttemptAt) <= now.getTime()),
      )
      .sort(
        (a, b) => (a.record.nextAttemptAt ?? '').localeCompare(b.record.nextAttemptAt ?? '') || a.alertId - b.alertId,
      )
  }
  alerts(ids: number[]): Alert[] {
    return this.lookup(ids)
  }
  sendsSince(channelId: number, since: Date): Date[] {
    return (this.sends.get(channelId) ?? []).filter((t) => t.getTime() >= since.getTime())
  }
  noteSend(channelId: number, at: Date): void {
    const list = this.sends.get(channelId) ?? []
    list.push(at)
    this.sends.set(channelId, list)
  }
  nextWakeAt(): Date | null {
    let min: number | null = null
    for (const { record } of this.records.values()) {
      if ((record.status !== 'pending' && record.status !== 'held') || !record.nextAttemptAt) continue
      const t = Date.parse(record.nextAttemptAt)
      if (min === null || t < min) min = t
    }
    return min === null ? null : new Date(min)
  }
}
