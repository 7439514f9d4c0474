import type { ANALYTICS_INVOKE_CHANNELS } from '../../../shared/ipc/channels/analytics'
import type { CoreServices } from '../core-services'
import type { CoreModule, ModuleParts } from '../module'
import { AnalyticsRepo } from '../store/repos/analytics-repo'
import { AnalyticsService, BREAKDOWN_TABLES } from './analytics-service'
import { ANOMALY_SOURCE_TABLES, AnomalyService } from './anomaly-service'
import { AnomalyRepo } from '../store/repos/anomaly-repo'
import { CreativesRepo } from '../store/repos/creatives-repo'
import { benchmarkPositions, loadBenchmarks } from './benchmarks'
import { CreativesService } from './creatives-service'
import { FxService } from './fx-service'
import { pacing } from './pacing'

type Channel = (typeof ANALYTICS_INVOKE_CHANNELS)[number]

type Provides = 'analytics' | 'anomalies'

/** The analytics domain: queries, anomalies, creatives, benchmarks and exchange rates. */
export const analyticsModule: CoreModule<Provides, never, Channel> = {
  name: 'analytics',
  provides: ['analytics', 'anomalies'],
  requires: [],
  create: createAnalyticsModule,
}

function createAnalyticsModule(services: CoreServices): ModuleParts<Provides, Channel> {
  const repo = new AnalyticsRepo(services.store.sqlite)
  const analytics = new AnalyticsService(repo, services.workspaces, services.fx)
  const anomalies = new AnomalyService(new AnomalyRepo(services.store.sqlite), analytics, () =>
    services.platform.clock.now(),
  )
  const creatives = new CreativesService(new CreativesRepo(services.store.sqlite), repo, analytics)
  const fx = new FxService(services.workspaces, services.fx)
  let benchmarks: ReturnType<typeof loadBenchmarks> | null = null
  const table = (): ReturnType<typeof loadBenchmarks> =>
    (benchmarks ??= loadBenchmarks(services.platform.paths.resourcesDir))
  let off: (() => void) | null = null
  const fxChanged = (workspaceId: number): void => {
    analytics.invalidate()
    anomalies.invalidate()
    creatives.invalidate()
    services.events.emit('data:changed', { tables: ['fx_rates', 'workspaces'], workspaceId })
  }

  return {
    services: { analytics, anomalies },
    handlers: {
      'analytics:getBreakdown': (input) => analytics.breakdown(input),
      'analytics:getTop': (input) => analytics.top(input),
      'analytics:getTrend': (input) => analytics.trend(input),
      'analytics:getPacing': (input) => pacing(repo, input.workspaceId, services.platform.clock.now()),
      'analytics:listAnomalies': (input) => anomalies.listSliced(input),
      'analytics:getMetricSeries': (input) =>
        anomalies.series(input.workspaceId, input.level, input.entityId, input.metric, input.range),
      'analytics:listBenchmarks': () => table(),
      'analytics:getBenchmarkPositions': (input) =>
        benchmarkPositions(analytics, table(), input.workspaceId, input.range),
      // Seconds of aggregation over every ad at 10,000 campaigns: on the page-reads worker, kept per data change.
      'analytics:listCreatives': ({ workspaceId, range, limit, window }) =>
        window
          ? services.pageReads.creativesWindow({ workspaceId, range, window })
          : services.pageReads.get('analytics:listCreatives', { workspaceId, range, limit }),
      'analytics:compareFormats': ({ workspaceId, range }) =>
        services.pageReads.get('analytics:compareFormats', { workspaceId, range }),
      'analytics:getFatigue': (input) => creatives.fatigue(input.workspaceId, input.adId),
      'analytics:compareEntities': (input) => creatives.compare(input),
      'analytics:listFxRates': (input) => fx.table(input.workspaceId),
      'analytics:setFxRates': (input) => {
        const out = fx.set(input)
        fxChanged(input.workspaceId)
        return out
      },
      'analytics:setReportingCurrency': (input) => {
        const out = fx.setReportingCurrency(input.workspaceId, input.currency)
        fxChanged(input.workspaceId)
        return out
      },
    },
    start() {
      off = services.events.on('data:changed', (e) => {
        if (e.tables.some((t) => BREAKDOWN_TABLES.includes(t))) analytics.invalidate()
        if (e.tables.some((t) => ANOMALY_SOURCE_TABLES.includes(t))) anomalies.invalidate()
        creatives.invalidate()
      })
    },
    stop() {
      off?.()
      return anomalies.stop()
    },
  }
}
