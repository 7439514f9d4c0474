import { createTransport } from 'nodemailer'
import type { DeliveryResult, ErrorKind, SmtpSettings } from '../../../shared/domain/alerts'
import { SmtpSettingsSchema } from '../../../shared/domain/alerts'

/**
 * The one SMTP email transport of the app: alert emails (issue 14) and scheduled reports (issue 15)
 * both send through it. TLS is required (implicit TLS or STARTTLS) except to a server on this
 * machine; certificates are always verified (a company CA can be added as PEM). Errors come back
 * classified: transient (worth a retry) or permanent (needs the user), with a specific message.
 */

/** SMTP settings plus the password from the secret store. */
export interface SmtpConfig extends SmtpSettings {
  password?: string | null
}

export interface EmailAttachment {
  filename: string
  content: Uint8Array
  contentType: string
}

export interface EmailMessage {
  to: string[]
  subject: string
  /** Plain-text body (always sent: some clients and every filter read it). */
  text: string
  /** HTML body; every platform- or user-provided string in it must already be escaped. */
  html?: string
  attachments?: EmailAttachment[]
  /** Extra headers such as `X-Marketing-Engine-Alert`. */
  headers?: Record<string, string>
}

export interface SmtpTimeouts {
  /** Connecting (TCP + TLS). */
  connectionMs: number
  /** Waiting for the server's greeting. */
  greetingMs: number
  /** Silence on an open connection. */
  socketMs: number
}

const DEFAULT_TIMEOUTS: SmtpTimeouts = { connectionMs: 15_000, greetingMs: 15_000, socketMs: 60_000 }

export interface SmtpTransport {
  /** Send one message; never throws (the outcome says what happened). */
  send(message: EmailMessage, signal?: AbortSignal): Promise<DeliveryResult>
  /** Connect, upgrade to TLS and log in without sending ("send a test" for the settings form). */
  verify(): Promise<DeliveryResult>
  close(): void
}

interface NodemailerError extends Error {
  code?: string
  responseCode?: number
  response?: string
  command?: string
  cause?: unknown
}

const CERT_ERROR = /certificate|self[- ]signed|CERT_|unable to verify|altname/i

function causeCode(err: NodemailerError): string {
  const own = (err as { errno?: unknown; syscall?: unknown } & NodemailerError).message
  const cause = err.cause as { code?: string } | undefined
  return cause?.code ?? /\b(E[A-Z]{4,})\b/.exec(own)?.[1] ?? ''
}

/** Turn a nodemailer error into a transient/permanent class and a message a marketer can act on. */
export function classifySmtpError(
  err: unknown,
  config: Pick<SmtpConfig, 'host' | 'port' | 'username'>,
): { errorKind: ErrorKind; error: string; statusCode: number | null } {
  const e = (err instanceof Error ? err : new Error(String(err))) as NodemailerError
  const where = `${config.host}:${config.port}`
  const reply = e.response ? ` (server said: ${e.response.trim().slice(0, 200)})` : ''
  const statusCode = typeof e.responseCode === 'number' ? e.responseCode : null
  const inner = causeCode(e)
  switch (e.code) {
    case 'EAUTH':
      return {
        errorKind: 'permanent',
        statusCode,
        error: `The SMTP server ${where} refused the login for "${config.username ?? ''}": check the user name and password${reply}`,
      }
    case 'ENOAUTH':
      return { errorKind: 'permanent', statusCode, error: `The SMTP server ${where} needs a user name and password` }
    case 'EDNS':
      return {
        errorKind: 'transient',
        statusCode,
        error: `Could not find the SMTP host "${config.host}" (${inner || 'DNS lookup failed'}): check the host name, or the network`,
      }
    case 'ETLS':
    case 'EREQUIRETLS':
      return {
        errorKind: 'permanent',
        statusCode,
        error: `Could not secure the connection to ${where}: ${e.message}${reply}. The server must offer TLS or STARTTLS as chosen in the settings`,
      }
    case 'EABORT':
      return { errorKind: 'transient', statusCode, error: `Sending to ${where} was cancelled` }
    case 'ETIMEDOUT':
      return { errorKind: 'transient', statusCode, error: `No answer from the SMTP server ${where} in time` }
  }
  if (CERT_ERROR.test(e.message) || CERT_ERROR.test(inner)) {
    return {
      errorKind: 'permanent',
      statusCode,
      error: `The TLS certificate of ${where} was refused (${e.message}): use the server's real host name, or add its CA certificate`,
    }
  }
  if (inner === 'ECONNREFUSED')
    return {
      errorKind: 'transient',
      statusCode,
      error: `Could not connect to the SMTP server ${where}: connection refused (is the host and port right, is the server up?)`,
    }
  if (inner === 'ECONNRESET' || e.code === 'ECONNECTION' || e.code === 'ESOCKET')
    return {
      errorKind: 'transient',
      statusCode,
      error: `The connection to the SMTP server ${where} failed: ${e.message}`,
    }
  if (statusCode !== null) {
    // RFC 5321: 5yz permanent, 4yz transient; 503 is a bad command sequence, fine on a new session.
    const permanent = statusCode >= 500 && statusCode < 600 && statusCode !== 503
    const what = e.code === 'EENVELOPE' ? 'refused the sender or a recipient' : 'refused the message'
    return {
      errorKind: permanent ? 'permanent' : 'transient',
      statusCode,
      error: `The SMTP server ${where} ${what}${reply}`,
    }
  }
  return { errorKind: 'transient', statusCode, error: `Sending through ${where} failed: ${e.message}` }
}

/** Check settings before any connection: a clear message instead of a socket error. */
export function smtpConfigProblem(config: SmtpConfig): string | null {
  const { password: _password, ...settings } = config
  const parsed = SmtpSettingsSchema.safeParse(settings)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return `SMTP settings: ${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'}`
  }
  if (config.username && !config.password) return `SMTP settings: a password is needed for user "${config.username}"`
  return null
}

export function createSmtpTransport(
  config: SmtpConfig,
  opts: { timeouts?: Partial<SmtpTimeouts>; now?: () => number } = {},
): SmtpTransport {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts }
  const clock = opts.now ?? ((): number => performance.now())
  const problem = smtpConfigProblem(config)
  const transport = problem
    ? null
    : createTransport({
        host: config.host,
        port: config.port,
        secure: config.security === 'tls',
        requireTLS: config.security === 'starttls',
        ignoreTLS: config.security === 'none',
        ...(config.username ? { auth: { user: config.username, pass: config.password ?? '' } } : {}),
        tls: {
          rejectUnauthorized: true,
          minVersion: 'TLSv1.2',
          servername: config.host,
          ...(config.caPem ? { ca: config.caPem } : {}),
        },
        connectionTimeout: timeouts.connectionMs,
        greetingTimeout: timeouts.greetingMs,
        socketTimeout: timeouts.socketMs,
        disableFileAccess: true,
        disableUrlAccess: true,
      })

  const fail = (err: unknown, started: number): DeliveryResult => ({
    ok: false,
    latencyMs: Math.round(clock() - started),
    retryAfterMs: null,
    ...classifySmtpError(err, config),
  })
  const refused = (): DeliveryResult => ({
    ok: false,
    latencyMs: 0,
    statusCode: null,
    errorKind: 'permanent',
    error: problem ?? 'SMTP settings are invalid',
    retryAfterMs: null,
  })

  return {
    async send(message, signal) {
      if (!transport) return refused()
      if (message.to.length === 0) return { ...refused(), error: 'The email has no recipients' }
      const started = clock()
      try {
        const info = await transport.sendMail({
          from: config.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.html !== undefined ? { html: message.html } : {}),
          attachments: (message.attachments ?? []).map((a) => ({
            filename: a.filename,
            content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
            contentType: a.contentType,
          })),
          ...(message.headers ? { headers: message.headers } : {}),
          ...(signal ? { signal } : {}),
        })
        const rejected = (info.rejected ?? []).map(String)
        const response = String(info.response ?? '')
        return {
          ok: true,
          latencyMs: Math.round(clock() - started),
          statusCode: Number.parseInt(response.slice(0, 3), 10) || null,
          detail: rejected.length ? `${response}; refused recipients: ${rejected.join(', ')}` : response || null,
        }
      } catch (err) {
        return fail(err, started)
      }
    },
    async verify() {
      if (!transport) return refused()
      const started = clock()
      try {
        await transport.verify()
        return {
          ok: true,
          latencyMs: Math.round(clock() - started),
          statusCode: null,
          detail: `Connected to ${config.host}:${config.port}${config.username ? ` and logged in as ${config.username}` : ''}`,
        }
      } catch (err) {
        return fail(err, started)
      }
    },
    close() {
      transport?.close()
    },
  }
}
