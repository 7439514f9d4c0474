import type {
  Alert,
  ChannelKind,
  ChannelPolicy,
  ChannelSettings,
  DeliveryResult,
} from '../../../../shared/domain/alerts'
import type { Platform } from '../../platform/types'
import type { SmtpTimeouts } from '../../email/smtp-transport'
import type { ChannelTarget } from '../delivery'
import type { AlertMessage, Channel, RenderOptions } from '../types'
import { createDesktopChannel } from './desktop'
import { createEmailChannel, type EmailChannelConfig } from './email'
import type { HttpDeps } from './http'
import { createSlackChannel, type SlackChannelConfig } from './slack'
import { createWebhookChannel, type WebhookChannelConfig } from './webhook'

/** One sender per channel kind, sharing the host's clock, fetch and rendering options. */
export interface ChannelSet {
  desktop: Channel<null>
  email: Channel<EmailChannelConfig>
  slack: Channel<SlackChannelConfig>
  webhook: Channel<WebhookChannelConfig>
}

export function createChannels(deps: {
  platform: Pick<Platform, 'notify' | 'settings' | 'clock' | 'appName' | 'appVersion'>
  render: RenderOptions
  fetch?: typeof globalThis.fetch
  smtpTimeouts?: Partial<SmtpTimeouts>
  httpTimeoutMs?: number
}): ChannelSet {
  const http: HttpDeps = {
    fetch: deps.fetch ?? globalThis.fetch,
    now: () => deps.platform.clock.now(),
    ...(deps.httpTimeoutMs ? { timeoutMs: deps.httpTimeoutMs } : {}),
  }
  return {
    desktop: createDesktopChannel(deps.platform, deps.render),
    email: createEmailChannel(deps.render, deps.smtpTimeouts ? { timeouts: deps.smtpTimeouts } : {}),
    slack: createSlackChannel(deps.render, http),
    webhook: createWebhookChannel(deps.render, {
      ...http,
      userAgent: `${deps.platform.appName.replace(/\s+/g, '-')}/${deps.platform.appVersion}`,
    }),
  }
}

/** A channel as stored: non-secret settings and policy; the secret is read from the secret store. */
export interface StoredChannel {
  id: number
  name: string
  settings: ChannelSettings
  policy: ChannelPolicy
}

const MISSING_SECRET: Record<ChannelKind, string> = {
  desktop: '',
  email: 'The SMTP password of this channel is missing from the secret store: enter it again',
  slack: 'The Slack webhook URL of this channel is missing from the secret store: paste it again',
  webhook: 'The signing secret of this channel is missing from the secret store: create a new one',
}

/**
 * The engine's view of a stored channel: its secret joined in at send time. A missing secret is a
 * permanent error naming what to re-enter (an email channel without a login needs none).
 */
export function channelTarget(stored: StoredChannel, secret: string | null, set: ChannelSet): ChannelTarget {
  const missing = (): DeliveryResult => ({
    ok: false,
    latencyMs: 0,
    statusCode: null,
    errorKind: 'permanent',
    error: MISSING_SECRET[stored.settings.kind],
    retryAfterMs: null,
  })
  const s = stored.settings
  const send = async (message: AlertMessage, signal: AbortSignal): Promise<DeliveryResult> => {
    switch (s.kind) {
      case 'desktop':
        return set.desktop.send(message, null, signal)
      case 'email':
        if (s.smtp.username && !secret) return missing()
        return set.email.send(message, { smtp: { ...s.smtp, password: secret }, to: s.to }, signal)
      case 'slack':
        return secret ? set.slack.send(message, { url: secret }, signal) : missing()
      case 'webhook':
        return secret ? set.webhook.send(message, { url: s.url, secret }, signal) : missing()
    }
  }
  return { id: stored.id, kind: s.kind, policy: stored.policy, send }
}

/**
 * The message of "send a test": an INFO alert that says what it is, with a sample number, so the
 * user sees the real layout in their inbox, Slack channel or receiver.
 */
export function testMessage(channelName: string, now: Date): AlertMessage {
  const at = now.toISOString()
  const alert: Alert = {
    id: 0,
    source: 'system',
    severity: 'info',
    workspaceId: 0,
    entity: null,
    title: `Test alert for "${channelName}"`,
    body: 'This is a test from Marketing Engine. If you can read it, alerts will reach you here.',
    numbers: [{ label: 'Sample spend', value: 1_234_500_000, unit: 'money_micros', currency: 'USD' }],
    dedupeKey: `test:${at}`,
    link: '/alerts',
    state: 'open',
    count: 1,
    raisedAt: at,
    lastRaisedAt: at,
    acknowledgedAt: null,
    snoozedUntil: null,
    resolvedAt: null,
    deliveries: [],
  }
  return { id: `test-${now.getTime()}`, alerts: [alert], digest: false }
}
