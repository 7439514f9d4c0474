import type { Alert, ChannelKind, DeliveryResult } from '../../../shared/domain/alerts'

/**
 * What a channel sends: one alert, or a digest of alerts held back by quiet hours or the channel's
 * rate limit. `id` is the idempotency key the receiver sees (`webhook-id`, an email header): the
 * same message retried keeps its id, so a receiver can drop duplicates.
 */
export interface AlertMessage {
  id: string
  alerts: Alert[]
  digest: boolean
}

/** `alert-42` for one alert; a digest is named by its channel and the alerts it carries. */
export function messageIdFor(alerts: Pick<Alert, 'id'>[], channelId: number | null, digest: boolean): string {
  if (!digest && alerts.length === 1) return `alert-${alerts[0]!.id}`
  const ids = alerts.map((a) => a.id).sort((a, b) => a - b)
  return `digest-${channelId ?? 0}-${ids[0] ?? 0}-${ids[ids.length - 1] ?? 0}-${ids.length}`
}

/** How links and times are written in messages that leave the app. */
export interface RenderOptions {
  /** Base of absolute app links (`marketing-engine://open/`, or the web preview's address). */
  appUrl: string
  appName: string
  /** The user's time zone for "raised at". */
  timeZone: string
}

/**
 * A delivery channel: the same interface for email, Slack, webhooks and the desktop. `send` never
 * throws: every outcome, including bad settings, is a `DeliveryResult` with transient/permanent.
 */
export interface Channel<C> {
  kind: ChannelKind
  send(message: AlertMessage, config: C, signal: AbortSignal): Promise<DeliveryResult>
}
