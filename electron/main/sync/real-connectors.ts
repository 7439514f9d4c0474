import { addDays, localDateIn } from '../../../shared/domain/dates'
import type { PlatformId } from '../../../shared/domain/entities'
import { createConnector } from './connectors'
import type { Connector, ConnectorContext } from './connectors/types'
import { createSimulatedPlatforms, simulatedFetch } from './simulated'
import { benchConfig, demoConfig } from './simulator'
import type { SimulatedFetchFactory } from './sync-service'

/** The real platform connectors by platform (they speak each platform's HTTP API). */
export const realConnector: (platform: PlatformId, ctx: ConnectorContext) => Connector = createConnector

/**
 * Fetch for demo connections: msw handlers of the simulated platforms over the same world the
 * demo was built from, reporting as of the host's today (so late conversions keep arriving).
 * One simulated state per world and day is kept (building a world costs ~100 ms).
 */
export function demoSimulatedFetch(): SimulatedFetchFactory {
  const cache = new Map<string, typeof fetch>()
  return (sim, now) => {
    const today = localDateIn(Intl.DateTimeFormat().resolvedOptions().timeZone, now)
    const first = addDays(sim.endDate, 1)
    const asOf = today > first ? today : first
    const key = `${JSON.stringify(sim)}|${asOf}`
    let f = cache.get(key)
    if (!f) {
      const base = sim.preset === 'bench' ? benchConfig(sim.endDate, sim.campaigns, sim.days) : demoConfig(sim.endDate)
      const config = { ...base, seed: sim.seed, campaigns: sim.campaigns, days: sim.days }
      f = simulatedFetch(createSimulatedPlatforms({ config, asOf }).handlers)
      cache.clear()
      cache.set(key, f)
    }
    return f
  }
}
