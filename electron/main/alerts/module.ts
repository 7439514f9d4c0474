import type { ALERTS_INVOKE_CHANNELS } from '../../../shared/ipc/channels/alerts'
import { diagnosticsBundle, storedSecrets } from '../diagnostics/bundle'
import { ErrorReporting } from '../diagnostics/error-reporting'
import { diagnose, recentLogLines } from '../diagnostics/diagnostics'
import { setErrorSink, startLogging, type AppLogging } from '../logging'
import type { CoreModule } from '../module'
import { AlertService } from './alert-service'
import { ErrorAlerts } from './error-alerts'

type Channel = (typeof ALERTS_INVOKE_CHANNELS)[number]

/** The alert title of an error a window reported, by kind. */
const RENDERER_ERROR_TITLES = {
  error: 'The window hit an error',
  unhandledrejection: 'The window hit an unhandled promise rejection',
  render: 'A page failed to draw',
} as const

/**
 * Alerts: the `alerts` service (raise, history, acknowledge/snooze/resolve, channels, routes), its
 * delivery timer, the diagnostics channel, and — in the long-running hosts (desktop app, browser
 * preview) — the rotated JSON logs in the data folder with uncaught errors raised as ERROR alerts.
 * Sources (sync health, anomalies, budget pacing, reports, ML, automation) call `alerts.raise`;
 * only the store's owner delivers.
 */
export const alertsModule: CoreModule<'alerts', never, Channel> = {
  name: 'alerts',
  provides: ['alerts'],
  requires: [],
  create(core) {
    const alerts = new AlertService(core)
    // Optional Sentry reporting: nothing is loaded or sent until the user enters a DSN.
    const reporting = new ErrorReporting(core, () => storedSecrets(core, alerts))
    const errors = new ErrorAlerts(
      alerts,
      () => core.platform.clock.now(),
      (e) =>
        reporting.capture({
          origin: e.origin,
          where: e.where,
          message: e.message,
          ...(e.stack ? { stack: e.stack } : {}),
          ...(e.route ? { route: e.route } : {}),
        }),
    )
    let logging: AppLogging | null = null
    let offSettings: (() => void) | null = null
    return {
      services: { alerts },
      handlers: {
        'alerts:list': (q, ctx) => alerts.list(q, ctx),
        'alerts:get': ({ id }, ctx) => alerts.get(id, ctx),
        'alerts:acknowledge': ({ ids }, ctx) => alerts.acknowledge(ids, ctx),
        'alerts:snooze': ({ ids, until }, ctx) => alerts.snooze(ids, new Date(until), ctx),
        'alerts:resolve': ({ ids }, ctx) => alerts.resolve(ids, ctx),
        'alerts:getSettings': () => alerts.settings(),
        'alerts:updateSettings': (patch, ctx) => alerts.updateSettings(patch, ctx),
        'channels:list': () => alerts.channels(),
        'channels:add': (input, ctx) =>
          alerts.addChannel(
            {
              name: input.name,
              settings: input.settings,
              ...(input.policy !== undefined ? { policy: input.policy } : {}),
              ...(input.secret !== undefined ? { secret: input.secret } : {}),
            },
            ctx,
          ),
        'channels:update': ({ id, ...rest }, ctx) =>
          alerts.updateChannel(
            id,
            Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Parameters<
              AlertService['updateChannel']
            >[1],
            ctx,
          ),
        'channels:remove': ({ id }, ctx) => alerts.removeChannel(id, ctx),
        'channels:test': async ({ id }) => {
          const r = await alerts.testChannel(id)
          return r.ok
            ? {
                ok: true,
                latencyMs: r.latencyMs,
                statusCode: r.statusCode,
                detail: r.detail,
                error: null,
                errorKind: null,
              }
            : {
                ok: false,
                latencyMs: r.latencyMs,
                statusCode: r.statusCode,
                detail: null,
                error: r.error,
                errorKind: r.errorKind,
              }
        },
        'alertRoutes:list': () => alerts.routes(),
        'alertRoutes:set': ({ routes }, ctx) => alerts.setRoutes(routes, ctx),
        'diagnostics:get': ({ integrity }) => diagnose(core, alerts, { integrity }),
        'diagnostics:logs': ({ lines }) => recentLogLines(core.platform.paths.dataDir, lines),
        'diagnostics:bundle': async ({ integrity }) => {
          const b = await diagnosticsBundle(core, alerts, { integrity })
          return { fileName: b.fileName, base64: Buffer.from(b.bytes).toString('base64'), files: b.files }
        },
        'diagnostics:reportError': (e) =>
          errors.report({
            origin: 'renderer',
            where: RENDERER_ERROR_TITLES[e.kind],
            message: e.message,
            ...(e.stack !== undefined ? { stack: e.stack } : {}),
            ...(e.source !== undefined ? { source: e.source } : {}),
            ...(e.route !== undefined ? { route: e.route } : {}),
          }),
      },
      start() {
        const host = core.platform.host
        if (host === 'electron' || host === 'web') {
          logging = startLogging({ dataDir: core.platform.paths.dataDir, host })
          setErrorSink((where, err) =>
            errors.report({
              origin: 'main',
              where,
              message: err instanceof Error ? err.message : String(err),
              ...(err instanceof Error && err.stack ? { stack: err.stack } : {}),
            }),
          )
        }
        alerts.start()
        void reporting.apply(core.platform.settings.get().errorReportingDsn)
        offSettings = core.events.on('settings:changed', (next) => void reporting.apply(next.errorReportingDsn))
      },
      async stop() {
        offSettings?.()
        offSettings = null
        await reporting.close()
        await alerts.close()
        setErrorSink(null)
        logging?.close()
        logging = null
      },
    }
  },
}
