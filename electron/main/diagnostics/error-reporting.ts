import { dsnDestination } from '../../../shared/domain/error-reporting'
import type { CoreServices } from '../core-services'
import { log, redactText } from '../logging'
import type { ErrorReporter, ErrorReportEvent } from '../platform/types'

/** What the error came from and where (tags on the report). */
export interface ReportableError {
  origin: 'main' | 'renderer'
  where: string
  message: string
  stack?: string
  route?: string
}

/** Fields of an event that name the person or the computer: never sent. */
const DROPPED_KEYS = new Set(['user', 'server_name', 'cookies'])
/** Request headers that carry credentials. */
const DROPPED_HEADERS = /^(authorization|cookie|set-cookie|x-api-key|proxy-authorization)$/i

/**
 * Every string of an event with secrets replaced: the log's patterns (bearer tokens, `whsec_…`,
 * Slack webhook paths, `password=`/`access_token=` values, credentials in URLs), every stored
 * secret (`known`, e.g. an SMTP password that matches no pattern), and the user's home folder.
 * Keys that identify the person or the computer are dropped.
 */
export function scrubEvent(event: ErrorReportEvent, known: readonly string[], home: string | null): ErrorReportEvent {
  const text = (s: string): string => {
    let out = redactText(s)
    for (const k of known) out = out.split(k).join('[REDACTED]')
    if (home && home.length > 1) out = out.split(home).join('~')
    return out
  }
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return text(v)
    if (depth > 12 || v === null || typeof v !== 'object') return v
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1))
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (DROPPED_KEYS.has(k) || DROPPED_HEADERS.test(k)) continue
      out[text(k)] = walk(x, depth + 1)
    }
    return out
  }
  return walk(event, 0) as ErrorReportEvent
}

/**
 * Optional error reporting (issue 14 item 5): off by default; when the user enters a DSN
 * (Settings › Error reports, `settings.errorReportingDsn`), errors the app survived — uncaught in
 * main, crashed workers, errors a window reported — are sent to that Sentry project, scrubbed.
 * Without a DSN no SDK is loaded and nothing leaves the computer. The client itself comes from
 * the platform (`@sentry/electron` in the desktop app, `@sentry/node` elsewhere).
 */
export class ErrorReporting {
  private reporter: ErrorReporter | null = null
  private dsn: string | null = null
  /** Changes of DSN run one after another (close the old client, start the new). */
  private chain: Promise<void> = Promise.resolve()
  private known: string[] = []
  /** The DSN last asked for (reports wait for a pending change; none when it is null). */
  private wanted: string | null = null

  constructor(
    private readonly core: Pick<CoreServices, 'platform'>,
    /** Stored secrets to scrub (alert-channel secrets), read before each report. */
    private readonly secrets: () => Promise<string[]>,
  ) {}

  /** Where reports go ("o1.ingest.sentry.io, project 42"), or null when off. */
  destination(): string | null {
    return this.reporter && this.dsn ? dsnDestination(this.dsn) : null
  }

  /** Turn reporting on for `dsn`, off for null; waits until the change is done. */
  apply(dsn: string | null): Promise<void> {
    this.wanted = dsn
    return this.enqueue(async () => {
      if (dsn === this.dsn && (dsn === null) === (this.reporter === null)) return
      const old = this.reporter
      this.reporter = null
      this.dsn = null
      if (old) await old.close(2000)
      if (!dsn) return
      const p = this.core.platform
      try {
        this.reporter = await p.startErrorReporter({
          dsn,
          release: `marketing-engine@${p.appVersion}`,
          environment: p.host,
          beforeSend: (e) => scrubEvent(e, this.known, homeDir()),
        })
        this.dsn = dsn
        log().info({ to: dsnDestination(dsn) }, 'error reporting on')
      } catch (err) {
        log().error({ err }, 'error reporting could not start')
      }
    })
  }

  /**
   * Send one error when reporting is on (in order with DSN changes: an error reported after the
   * DSN was removed is never sent). Never throws: reporting must not take the error path down.
   */
  capture(e: ReportableError): void {
    if (this.wanted === null) return
    void this.enqueue(async () => {
      const reporter = this.reporter
      if (!reporter) return
      this.known = await this.secrets()
      const error = new Error(e.message)
      error.name = e.where.length <= 80 ? e.where : 'Error'
      if (e.stack) error.stack = e.stack
      reporter.capture({
        error,
        tags: { origin: e.origin, host: this.core.platform.host, ...(e.route ? { route: e.route } : {}) },
      })
    })
  }

  /** Wait for reports in flight (tests, shutdown). */
  async flush(timeoutMs = 2000): Promise<boolean> {
    await this.chain
    return this.reporter ? this.reporter.flush(timeoutMs) : true
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn)
    this.chain = next.catch((err: unknown) => log().error({ err }, 'error reporting failed'))
    return next
  }

  async close(): Promise<void> {
    await this.apply(null)
  }
}

function homeDir(): string | null {
  return process.env.HOME ?? process.env.USERPROFILE ?? null
}
