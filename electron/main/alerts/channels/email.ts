import type { DeliveryResult } from '../../../../shared/domain/alerts'
import { createSmtpTransport, type SmtpConfig, type SmtpTimeouts } from '../../email/smtp-transport'
import { alertHtml, alertSubject, alertText, digestOrder } from '../render'
import type { AlertMessage, Channel, RenderOptions } from '../types'

/** An email channel: SMTP settings (password resolved from the secret store) and recipients. */
export interface EmailChannelConfig {
  smtp: SmtpConfig
  to: string[]
}

/** Alerts by email through the shared SMTP transport (one connection per message). */
export function createEmailChannel(
  render: RenderOptions,
  opts: { timeouts?: Partial<SmtpTimeouts> } = {},
): Channel<EmailChannelConfig> {
  return {
    kind: 'email',
    async send(message: AlertMessage, config, signal): Promise<DeliveryResult> {
      const ordered = message.digest ? { ...message, alerts: digestOrder(message.alerts) } : message
      const transport = createSmtpTransport(config.smtp, opts)
      try {
        return await transport.send(
          {
            to: config.to,
            subject: alertSubject(ordered, render),
            text: alertText(ordered, render),
            html: alertHtml(ordered, render),
            headers: { 'X-Marketing-Engine-Message-Id': message.id },
          },
          signal,
        )
      } finally {
        transport.close()
      }
    },
  }
}
