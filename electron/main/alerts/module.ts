import type { CoreModule } from '../module'
import { AlertService } from './alert-service'

/**
 * Alerts: the `alerts` service (raise, history, acknowledge/snooze/resolve, channels, routes) and
 * its delivery timer. Sources (sync health, anomalies, budget pacing, reports, ML, automation) call
 * `alerts.raise`; only the store's owner delivers.
 */
export const alertsModule: CoreModule<'alerts', never, never> = {
  name: 'alerts',
  provides: ['alerts'],
  requires: [],
  create(core) {
    const alerts = new AlertService(core)
    return {
      handlers: {},
      services: { alerts },
      start: () => alerts.start(),
      stop: () => alerts.close(),
    }
  },
}
