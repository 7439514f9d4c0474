import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { addDays, localDateIn } from '../../../shared/domain/dates'
import type { PlatformId } from '../../../shared/domain/entities'
import { createConnector } from './connectors'
import type { Connector, ConnectorContext } from './connectors/types'
import { createSimulatedPlatforms, simulatedFetch, type SimWrittenState } from './simulated'
import { benchConfig, demoConfig } from './simulator'
import type { SimulatedFetchFactory } from './sync-service'

/** The real platform connectors by platform (they speak each platform's HTTP API). */
export const realConnector: (platform: PlatformId, ctx: ConnectorContext) => Connector = createConnector

/** The file in the data folder that keeps the demo's simulated platforms' write-backs. */
export const SIMULATED_STATE_FILE = 'simulated-platforms.json'

/**
 * Fetch for demo connections: msw handlers of the simulated platforms over the same world the
 * demo was built from, reporting as of the host's today (so late conversions keep arriving).
 * One simulated state per world and day is kept (building a world costs ~100 ms). With a data
 * folder, what write-backs changed (statuses, budgets) is kept in `simulated-platforms.json`
 * per world and loaded by the next process, so a change approved in one CLI call can be read
 * back and undone in the next.
 */
export function demoSimulatedFetch(dataDir?: string): SimulatedFetchFactory {
  const cache = new Map<string, typeof fetch>()
  const file = dataDir ? join(dataDir, SIMULATED_STATE_FILE) : null
  const load = (): Record<string, SimWrittenState> => {
    if (!file) return {}
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, SimWrittenState>
    } catch {
      return {}
    }
  }
  return (sim, now) => {
    const today = localDateIn(Intl.DateTimeFormat().resolvedOptions().timeZone, now)
    const first = addDays(sim.endDate, 1)
    const asOf = today > first ? today : first
    const world = JSON.stringify(sim)
    const key = `${world}|${asOf}`
    let f = cache.get(key)
    if (!f) {
      const base = sim.preset === 'bench' ? benchConfig(sim.endDate, sim.campaigns, sim.days) : demoConfig(sim.endDate)
      const config = { ...base, seed: sim.seed, campaigns: sim.campaigns, days: sim.days }
      const platforms = createSimulatedPlatforms({ config, asOf })
      const kept = load()[world]
      if (kept) platforms.state.applyWrittenState(kept)
      const inner = simulatedFetch(platforms.handlers)
      f = file
        ? async (input, init) => {
            const res = await inner(input, init)
            const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase()
            if (method !== 'GET') {
              const all = load()
              all[world] = platforms.state.writtenState()
              const tmp = `${file}.${process.pid}.tmp`
              writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 })
              renameSync(tmp, file)
            }
            return res
          }
        : inner
      cache.clear()
      cache.set(key, f)
    }
    return f
  }
}
