import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { format } from 'node:util'
import pino, { type Logger } from 'pino'
import pinoRoll from 'pino-roll'

/**
 * Structured JSON logs (pino) in `<dataDir>/logs`, rotated by pino-roll (10 MB a file, the newest
 * 5 kept, `current.log` links to the active one). Secrets are redacted twice: known fields by
 * path, and anything that looks like a secret in any string (`whsec_…`, Slack webhook paths, bearer
 * tokens, `password=`/`access_token=` values, SMTP passwords in URLs) just before the line is
 * written. The level comes from ME_LOG_LEVEL (default `info`) and can be changed at run time.
 * Uncaught errors in the main process and worker failures are logged and handed to the error sink
 * (the alert service raises an ERROR alert).
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export const logDir = (dataDir: string): string => join(dataDir, 'logs')

const REDACT_PATHS = [
  'password',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'clientSecret',
  'authorization',
  'apiKey',
  '*.password',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.clientSecret',
  '*.authorization',
  '*.apiKey',
  'headers.authorization',
  'headers.cookie',
]

const PATTERNS: Array<[RegExp, string]> = [
  [/whsec_[A-Za-z0-9+/=]+/g, 'whsec_[REDACTED]'],
  [/(hooks\.slack\.com\/services\/)[^\s"'\\]+/g, '$1[REDACTED]'],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[REDACTED]'],
  [
    /((?:password|passwd|pass|secret|access_token|refresh_token|client_secret|token)["']?\s*[=:]\s*["']?)[^\s"'&,}\\]+/gi,
    '$1[REDACTED]',
  ],
  [/(\/\/[^/\s:@"]+:)[^@\s/"]+@/g, '$1[REDACTED]@'],
]

/** Replace anything that looks like a secret in a string (log lines, error messages). */
export function redactText(s: string): string {
  let out = s
  for (const [re, to] of PATTERNS) out = out.replace(re, to)
  return out
}

export function parseLogLevel(v: string | undefined): LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(v ?? '') ? (v as LogLevel) : 'info'
}

/** A pino destination that buffers until the rotating file is open (pino-roll opens asynchronously). */
class PendingStream {
  private buffer: string[] = []
  private target: { write(s: string): boolean; end?(): void; flushSync?(): void } | null = null
  write(s: string): boolean {
    if (this.target) return this.target.write(s)
    this.buffer.push(s)
    return true
  }
  attach(target: { write(s: string): boolean; end?(): void; flushSync?(): void }): void {
    this.target = target
    for (const s of this.buffer.splice(0)) target.write(s)
  }
  flush(): void {
    try {
      this.target?.flushSync?.()
    } catch {
      // not ready or already closed
    }
  }
  end(): void {
    this.target?.end?.()
    this.target = null
  }
}

export interface AppLogging {
  logger: Logger
  dir: string
  /** Resolves once the log file is open (tests wait for it). */
  ready: Promise<void>
  setLevel(level: LogLevel): void
  close(): void
}

/** Errors that should reach the user: the alert service registers itself here. */
type ErrorSink = (where: string, err: unknown) => void
let sink: ErrorSink | null = null
let current: AppLogging | null = null

/** The process's logger (a silent one before `startLogging`). */
export function log(): Logger {
  return current?.logger ?? silent
}
const silent = pino({ level: 'silent' })

export function setErrorSink(fn: ErrorSink | null): void {
  sink = fn
}

/** An error the app survived but the user should hear about: logged, then handed to the sink (an ERROR alert). */
export function reportError(where: string, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err))
  log().error({ err: e, where }, `${where}: ${e.message}`)
  try {
    sink?.(where, e)
  } catch (inner) {
    log().error({ err: inner }, 'the error sink failed')
  }
}

/**
 * Start logging to `<dataDir>/logs`: console.error/warn are copied into the log (redacted), and
 * uncaught exceptions and unhandled rejections are logged and reported instead of dying silently.
 * Returns the logging handle; a second call returns the first.
 */
export function startLogging(opts: {
  dataDir: string
  level?: LogLevel
  host: string
  /** Size of one file before rotation (default 10m). */
  size?: string
  keep?: number
  /** Leave process handlers and console alone (tests). */
  installHandlers?: boolean
}): AppLogging {
  if (current) return current
  const dir = logDir(opts.dataDir)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const stream = new PendingStream()
  const logger = pino(
    {
      level: opts.level ?? parseLogLevel(process.env.ME_LOG_LEVEL),
      base: { pid: process.pid, host: opts.host },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: { streamWrite: redactText },
    },
    stream,
  )
  const ready = pinoRoll({
    file: join(dir, 'main'),
    size: opts.size ?? '10m',
    limit: { count: opts.keep ?? 5, removeOtherLogFiles: true },
    symlink: true,
    mkdir: true,
  }).then(
    (roll) => stream.attach(roll),
    (err: unknown) => {
      process.stderr.write(`Logging to ${dir} failed: ${err instanceof Error ? err.message : String(err)}\n`)
    },
  )
  const offs: Array<() => void> = []
  if (opts.installHandlers !== false) {
    const origError = console.error.bind(console)
    const origWarn = console.warn.bind(console)
    console.error = (...args: unknown[]) => {
      origError(...args)
      logger.error(redactText(format(...args)))
    }
    console.warn = (...args: unknown[]) => {
      origWarn(...args)
      logger.warn(redactText(format(...args)))
    }
    const onException = (err: Error): void => {
      origError('Uncaught exception:', err)
      reportError('Uncaught exception in the main process', err)
    }
    const onRejection = (reason: unknown): void => {
      origError('Unhandled rejection:', reason)
      reportError('Unhandled promise rejection in the main process', reason)
    }
    process.on('uncaughtException', onException)
    process.on('unhandledRejection', onRejection)
    offs.push(() => {
      console.error = origError
      console.warn = origWarn
      process.off('uncaughtException', onException)
      process.off('unhandledRejection', onRejection)
    })
  }
  logger.info({ dataDir: opts.dataDir }, 'logging started')
  const handle: AppLogging = {
    logger,
    dir,
    ready,
    setLevel(level) {
      logger.level = level
    },
    close() {
      offs.forEach((off) => off())
      stream.flush()
      stream.end()
      if (current === handle) current = null
    },
  }
  current = handle
  return handle
}
