import type { PlatformId } from '../../../../shared/domain/entities'
import type { Core, CoreOptions } from '../../core'
import { adMonthMismatches } from '../../store/repos/testing'
import { createTestCore, TEST_CALLER } from '../../test-support'
import type { ConnectorFactory } from '../connector-factory'
import type { RetryPolicy } from '../connectors/types'
import { realConnector } from '../real-connectors'
import {
  createSimulatedPlatforms,
  simulatedFetch,
  type SimulatedPlatformsOptions,
  type SimulatedState,
} from '../simulated'
import { fakeCredentials } from '../sync-engine/testing/setup'
import type { Credentials } from '../credentials'

/** Retry policy for tests: same classification and attempts, millisecond delays. */
export const FAST_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 300 }

export interface SimWorkspace {
  core: Core
  workspaceId: number
  state: SimulatedState
  /** Fetch answered by the simulated platforms (for tests that wrap it). */
  fetch: typeof fetch
  /** Switch the connectors' retry policy (e.g. generous timeouts for a clean run on a busy machine). */
  useRetry(policy: RetryPolicy): void
  /** Build this core's connectors with another factory from now on. */
  useConnectors(factory: ConnectorFactory): void
}

/**
 * A test core whose workspace is connected (through `connections:connect`, i.e. validated) to
 * the simulated platforms; the real connectors talk to msw handlers through `simulatedFetch`.
 */
export async function simWorkspace(
  platforms: PlatformId[],
  sim: SimulatedPlatformsOptions,
  opts: { now: () => Date; retry?: RetryPolicy; coreOptions?: CoreOptions },
): Promise<SimWorkspace> {
  const { handlers, state } = createSimulatedPlatforms(sim)
  const f = simulatedFetch(handlers)
  let factory: ConnectorFactory = () => {
    throw new Error('not wired')
  }
  const useRetry = (retry: RetryPolicy): void => {
    factory = (platform, ctx) => realConnector(platform, { ...ctx, fetch: f, retry })
  }
  useRetry(opts.retry ?? FAST_RETRY)
  const core = createTestCore({ ...opts.coreOptions, now: opts.now, connectors: (p, ctx, c) => factory(p, ctx, c) })
  const workspaceId = core.workspaces.create('Sim', 'USD')
  for (const p of platforms) {
    const ids = state.accounts.filter((a) => a.platform === p).map((a) => a.externalId)
    if (ids.length === 0) continue
    const env = await core.dispatch(
      'connections:connect',
      {
        workspaceId,
        credentials: fakeCredentials(p, ids) satisfies Credentials,
      },
      TEST_CALLER,
    )
    if (!env.ok) throw new Error(`connect ${p}: ${env.error.message}`)
  }
  const useConnectors = (next: ConnectorFactory): void => {
    factory = next
  }
  return { core, workspaceId, state, fetch: f, useRetry, useConnectors }
}

/** Every stored ad-day of a workspace keyed by account external id, ad external id and date. */
export function storedRows(core: Core, workspaceId: number): Map<string, string> {
  const rows = core.store.sqlite
    .prepare(
      `SELECT a.external_id AS acc, x.external_id AS ad, d.date, d.spend_micros, d.impressions, d.clicks, d.conversions, d.conversion_value_micros
       FROM daily_metrics d JOIN ads x ON x.id = d.ad_id JOIN ad_accounts a ON a.id = d.account_id WHERE a.workspace_id = ?`,
    )
    .all(workspaceId) as Record<string, string | number>[]
  return new Map(
    rows.map((r) => [
      `${r.acc}|${r.ad}|${r.date}`,
      `${r.spend_micros}|${r.impressions}|${r.clicks}|${Number(r.conversions).toFixed(4)}|${r.conversion_value_micros}`,
    ]),
  )
}

/** Integrity of a workspace's metric tables: no duplicate ad-day, rollups (sums and the row counter) equal to the rows. */
export function checkIntegrity(core: Core, workspaceId: number): { duplicates: number; rollupMismatches: number } {
  const s = core.store.sqlite
  const dup = s
    .prepare(
      `SELECT count(*) AS n FROM (SELECT ad_id, date FROM daily_metrics WHERE account_id IN (SELECT id FROM ad_accounts WHERE workspace_id = ?)
       GROUP BY ad_id, date HAVING count(*) > 1)`,
    )
    .get(workspaceId) as { n: number }
  const mism = s
    .prepare(
      `SELECT count(*) AS n FROM (
         SELECT d.account_id, d.date, sum(d.spend_micros) AS s, sum(d.impressions) AS i, count(*) AS n FROM daily_metrics d
         WHERE d.account_id IN (SELECT id FROM ad_accounts WHERE workspace_id = ?) GROUP BY d.account_id, d.date) x
       FULL OUTER JOIN (SELECT account_id, date, spend_micros AS s, impressions AS i, ad_rows AS n FROM account_daily
         WHERE account_id IN (SELECT id FROM ad_accounts WHERE workspace_id = ?)) y
       ON x.account_id = y.account_id AND x.date = y.date
       WHERE x.s IS NOT y.s OR x.i IS NOT y.i OR x.n IS NOT y.n`,
    )
    .get(workspaceId, workspaceId) as { n: number }
  // The per-ad monthly sums (ad_month) against the rows, for the whole store.
  return { duplicates: dup.n, rollupMismatches: mism.n + adMonthMismatches(s).length }
}
