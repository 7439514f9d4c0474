import { createHash } from 'node:crypto'
import type { ALERTS_INVOKE_CHANNELS } from '../../../shared/ipc/channels/alerts'
import { diagnose, recentLogLines } from '../diagnostics/diagnostics'
import { redactText, setErrorSink, startLogging, type AppLogging } from '../logging'
import type { CoreModule } from '../module'
import { AlertService } from './alert-service'

type Channel = (typeof ALERTS_INVOKE_CHANNELS)[number]

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
    let logging: AppLogging | null = null
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
      },
      start() {
        const host = core.platform.host
        if (host === 'electron' || host === 'web') {
          logging = startLogging({ dataDir: core.platform.paths.dataDir, host })
          setErrorSink((where, err) => {
            const message = redactText(err instanceof Error ? err.message : String(err))
            const digest = createHash('sha256').update(`${where}|${message}`).digest('hex').slice(0, 12)
            alerts.raiseSystem({
              severity: 'error',
              title: where,
              body: `${message.slice(0, 1500)}\nThe app kept running; the details are in the log file (Diagnostics page).`,
              dedupeKey: `system:error:${digest}`,
              link: '/diagnostics',
            })
          })
        }
        alerts.start()
      },
      async stop() {
        await alerts.close()
        setErrorSink(null)
        logging?.close()
        logging = null
      },
    }
  },
}
