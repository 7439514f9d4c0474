import { formatAlertNumber, SEVERITY_LABELS } from '../../../../shared/domain/alerts'
import type { Platform } from '../../platform/types'
import { alertSubject, digestOrder } from '../render'
import type { AlertMessage, Channel, RenderOptions } from '../types'

function cut(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** The notification for a message: the title, the first numbers, and the page to open. */
export function desktopNotification(
  message: AlertMessage,
  render: Pick<RenderOptions, 'appName'>,
): { title: string; body: string; link: string } {
  if (message.digest || message.alerts.length !== 1) {
    const alerts = digestOrder(message.alerts)
    return {
      title: alertSubject(message, render).replace(/^\[[A-Z]+\] /, ''),
      body: cut(
        alerts
          .slice(0, 3)
          .map((a) => `${SEVERITY_LABELS[a.severity]}: ${a.title}`)
          .join(' · '),
        240,
      ),
      link: '/alerts',
    }
  }
  const a = message.alerts[0]!
  const numbers = a.numbers.slice(0, 2).map((n) => `${n.label} ${formatAlertNumber(n)}`)
  return {
    title: cut(`${SEVERITY_LABELS[a.severity]}: ${a.title}`, 120),
    body: cut([numbers.join(' · '), a.body].filter(Boolean).join(' — '), 240),
    link: a.link,
  }
}

/**
 * Native notifications through the Platform (Electron's Notification in the app, a recorder under
 * Node); nothing is shown while the user has turned desktop notifications off in Settings.
 */
export function createDesktopChannel(
  platform: Pick<Platform, 'notify' | 'settings'>,
  render: Pick<RenderOptions, 'appName'>,
): Channel<null> {
  return {
    kind: 'desktop',
    async send(message) {
      if (!platform.settings.get().notifications)
        return {
          ok: true,
          latencyMs: 0,
          statusCode: null,
          detail: 'Desktop notifications are turned off in Settings',
          skipped: true,
        }
      try {
        platform.notify(desktopNotification(message, render))
        return { ok: true, latencyMs: 0, statusCode: null, detail: null }
      } catch (err) {
        return {
          ok: false,
          latencyMs: 0,
          statusCode: null,
          errorKind: 'permanent',
          error: `The desktop notification could not be shown: ${err instanceof Error ? err.message : String(err)}`,
          retryAfterMs: null,
        }
      }
    },
  }
}
