import { createHash } from 'node:crypto'
import { log, redactText } from '../logging'
import type { AlertService } from './alert-service'

/** At most this many error alerts per window; the rest are logged and counted. */
export const ERROR_ALERTS_PER_WINDOW = 10
export const ERROR_ALERT_WINDOW_MS = 60_000

/** Where an error came from: the main process (uncaught, a crashed worker) or a window. */
export type ErrorOrigin = 'main' | 'renderer'

export interface ReportedError {
  origin: ErrorOrigin
  /** What failed, in words: "Uncaught exception in the main process", "The window hit an error". */
  where: string
  message: string
  stack?: string
  /** Renderer: the script and line, and the page it was on. */
  source?: string
  route?: string
}

export interface ErrorReportResult {
  alertId: number | null
  /** Not raised as an alert: too many errors in the last minute (it is in the log). */
  limited: boolean
}

/**
 * Errors the app survived, surfaced as ERROR alerts linking to the Diagnostics page: logged first
 * (redacted), then raised with a dedupe key from where and the message, so the same error repeating
 * is one alert with a count. A storm of different errors is held to ERROR_ALERTS_PER_WINDOW alerts
 * a minute; the next alert after a storm says how many were only logged.
 */
export class ErrorAlerts {
  private sent: number[] = []
  private suppressed = 0

  constructor(
    private readonly alerts: Pick<AlertService, 'raiseSystem'>,
    private readonly now: () => Date,
    /** Also told of every error that is raised (the optional Sentry reporting). */
    private readonly forward?: (e: ReportedError & { message: string; stack?: string }) => void,
  ) {}

  report(e: ReportedError): ErrorReportResult {
    const message = redactText(e.message).slice(0, 2000) || 'Unknown error'
    const stack = e.stack ? redactText(e.stack).slice(0, 8000) : undefined
    log().error(
      {
        origin: e.origin,
        where: e.where,
        ...(stack ? { stack } : {}),
        ...(e.source ? { source: redactText(e.source) } : {}),
        ...(e.route ? { route: e.route } : {}),
      },
      `${e.where}: ${message}`,
    )
    const t = this.now().getTime()
    this.sent = this.sent.filter((s) => s > t - ERROR_ALERT_WINDOW_MS)
    if (this.sent.length >= ERROR_ALERTS_PER_WINDOW) {
      this.suppressed++
      return { alertId: null, limited: true }
    }
    this.sent.push(t)
    try {
      this.forward?.({ ...e, message, ...(stack ? { stack } : {}) })
    } catch (err) {
      log().error({ err }, 'the error could not be forwarded')
    }
    const digest = createHash('sha256').update(`${e.origin}|${e.where}|${message}`).digest('hex').slice(0, 12)
    const held = this.suppressed
    this.suppressed = 0
    const lines = [
      message.slice(0, 1500),
      e.origin === 'renderer'
        ? `The window kept running${e.route ? ` (it was on ${e.route})` : ''}; the details are in the log file (Diagnostics page).`
        : 'The app kept running; the details are in the log file (Diagnostics page).',
      ...(held > 0
        ? [
            `${held} more error${held === 1 ? ' was' : 's were'} only logged in the minute before (too many to raise as alerts).`,
          ]
        : []),
    ]
    try {
      const r = this.alerts.raiseSystem({
        severity: 'error',
        title: `${e.where}: ${message}`.slice(0, 200),
        body: lines.join('\n'),
        dedupeKey: `system:error:${digest}`,
        link: '/diagnostics',
      })
      return { alertId: r?.alert.id ?? null, limited: false }
    } catch (err) {
      // Raising must never take the error path down with it (a closed store at shutdown).
      log().error({ err }, 'the error alert could not be raised')
      return { alertId: null, limited: false }
    }
  }
}
