import { randomBytes } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { absoluteAppLink, formatAlertNumber, type WebhookPayload } from '../../../../shared/domain/alerts'
import type { AlertMessage, Channel, RenderOptions } from '../types'
import { classifyHttp, describeUrl, postJson, refusedUrl, type HttpDeps } from './http'

/** Receiver URL (stored) and signing secret (`whsec_` + base64, from the secret store). */
export interface WebhookChannelConfig {
  url: string
  secret: string
}

/** A new signing secret in the Standard Webhooks format (24 random bytes). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`
}

/** Why a signing secret is unusable, or null. */
export function webhookSecretProblem(secret: string): string | null {
  const raw = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) return 'The signing secret must be base64, optionally prefixed with whsec_'
  if (Buffer.from(raw, 'base64').length < 16) return 'The signing secret is too short (at least 16 bytes)'
  return null
}

export function webhookPayload(message: AlertMessage, render: RenderOptions, now: Date): WebhookPayload {
  return {
    type: message.digest ? 'alert.digest' : 'alert.raised',
    timestamp: now.toISOString(),
    data: {
      schemaVersion: 1,
      alerts: message.alerts.map((a) => ({
        id: a.id,
        source: a.source,
        severity: a.severity,
        workspaceId: a.workspaceId,
        entity: a.entity,
        title: a.title,
        body: a.body,
        numbers: a.numbers.map((n) => ({
          label: n.label,
          value: n.value,
          unit: n.unit,
          currency: n.currency ?? null,
          previous: n.previous ?? null,
          text: formatAlertNumber(n),
        })),
        dedupeKey: a.dedupeKey,
        count: a.count,
        state: a.state,
        raisedAt: a.raisedAt,
        lastRaisedAt: a.lastRaisedAt,
        link: a.link,
        url: absoluteAppLink(a.link, render.appUrl),
      })),
    },
  }
}

/**
 * Signed per the Standard Webhooks specification: `webhook-id` is the message's idempotency key
 * (the same on every retry, so receivers drop duplicates), `webhook-timestamp` the send time in
 * seconds, `webhook-signature` `v1,<base64 HMAC-SHA256 of id.timestamp.body>`.
 */
export function signWebhook(
  message: AlertMessage,
  body: string,
  secret: string,
  now: Date,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const signature = new Webhook(secret).sign(message.id, now, body)
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signature,
  }
}

export function createWebhookChannel(
  render: RenderOptions,
  deps: HttpDeps & { userAgent?: string },
): Channel<WebhookChannelConfig> {
  return {
    kind: 'webhook',
    async send(message, config, signal) {
      const refused = refusedUrl(config.url, 'Webhook URL')
      if (refused) return refused
      const secretProblem = webhookSecretProblem(config.secret)
      if (secretProblem)
        return {
          ok: false,
          latencyMs: 0,
          statusCode: null,
          errorKind: 'permanent',
          error: secretProblem,
          retryAfterMs: null,
        }
      const now = deps.now()
      const body = JSON.stringify(webhookPayload(message, render, now))
      const headers = {
        ...signWebhook(message, body, config.secret, now),
        'user-agent': deps.userAgent ?? `${render.appName.replace(/\s+/g, '-')}-Webhooks/1`,
      }
      const out = await postJson(config.url, body, headers, signal, deps)
      return classifyHttp(out, 'Webhook', describeUrl(config.url), (status) =>
        status === 410
          ? `Webhook: ${describeUrl(config.url)} answered 410 Gone: the receiver asked to stop; remove or change this channel`
          : null,
      )
    },
  }
}
