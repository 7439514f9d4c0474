import type { ErrorReporter, ErrorReporterOptions } from './types'

/**
 * The Node side of error reporting (browser preview, CLI, tests): one `@sentry/node` client of its
 * own (no global `Sentry.init`, no auto-instrumentation, no default integrations: the app's own
 * handlers catch uncaught errors and hand them to `capture`), sending envelopes over
 * `makeNodeTransport`. `@sentry/node` is imported here, on the first DSN, never at start-up.
 */
export async function startNodeErrorReporter(opts: ErrorReporterOptions): Promise<ErrorReporter> {
  const Sentry = await import('@sentry/node')
  const client = new Sentry.NodeClient({
    dsn: opts.dsn,
    release: opts.release,
    environment: opts.environment,
    transport: Sentry.makeNodeTransport,
    stackParser: Sentry.defaultStackParser,
    integrations: [],
    sendDefaultPii: false,
    sendClientReports: false,
    beforeSend: (event) => opts.beforeSend(event as unknown as Record<string, unknown>) as typeof event | null,
  })
  const scope = new Sentry.Scope()
  scope.setClient(client)
  client.init()
  return {
    capture({ error, tags }) {
      const s = scope.clone()
      s.setTags(tags)
      s.captureException(error)
    },
    async flush(timeoutMs) {
      return client.flush(timeoutMs)
    },
    async close(timeoutMs) {
      await client.close(timeoutMs)
    },
  }
}
