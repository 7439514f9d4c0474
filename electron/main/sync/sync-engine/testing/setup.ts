import { principalLabel } from '../../../../../shared/domain/caller'
import type { PlatformId } from '../../../../../shared/domain/entities'
import type { Core } from '../../../core'
import { createTestCore, TEST_CALLER } from '../../../test-support'
import type { ConnectorFactory } from '../../connector-factory'
import type { Credentials } from '../../credentials'
import { FakeConnector, type FakeAccount, type FakeOptions } from './fake-connector'

/** Placeholder credentials per platform for fake-connector tests. */
export function fakeCredentials(platform: PlatformId, ids: string[]): Credentials {
  switch (platform) {
    case 'meta':
      return { platform, accessToken: 'test-token-123', accountIds: ids }
    case 'google_ads':
      return {
        platform,
        developerToken: 'dev-token-123',
        clientId: 'cid',
        clientSecret: 'secret',
        refreshToken: 'refresh-123',
        customerIds: ids,
      }
    case 'tiktok':
      return { platform, accessToken: 'test-token-123', advertiserIds: ids }
    case 'snapchat':
      return { platform, clientId: 'cid', clientSecret: 'secret', refreshToken: 'refresh-123', adAccountIds: ids }
  }
}

export interface FakeWorld {
  core: Core
  workspaceId: number
  connectors: Map<PlatformId, FakeConnector>
  /** Build this core's connectors with another factory from now on. */
  useConnectors(factory: ConnectorFactory): void
}

/** A test core with a workspace whose accounts are connected to fake connectors. */
export async function fakeWorld(
  byPlatform: Map<PlatformId, FakeAccount[]>,
  opts: FakeOptions & { now?: () => Date; dbPath?: string } = {},
): Promise<FakeWorld> {
  const connectors = new Map<PlatformId, FakeConnector>()
  for (const [p, accounts] of byPlatform) connectors.set(p, new FakeConnector(p, accounts, opts))
  let factory: ConnectorFactory = (platform) => {
    const c = connectors.get(platform)
    if (!c) throw new Error(`no fake ${platform}`)
    return c
  }
  const core = createTestCore({
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.dbPath ? { dbPath: opts.dbPath } : {}),
    connectors: (platform, ctx, connection) => factory(platform, ctx, connection),
  })
  const workspaceId = core.workspaces.create('Test', 'USD')
  const { sync } = core.services
  for (const [p, accounts] of byPlatform) {
    await sync.connect(
      workspaceId,
      fakeCredentials(
        p,
        accounts.map((a) => a.account.externalId),
      ) as never,
      principalLabel(TEST_CALLER.principal),
    )
  }
  return {
    core,
    workspaceId,
    connectors,
    useConnectors: (f) => {
      factory = f
    },
  }
}

/** Sum of the store's rows for an account (daily_metrics) and of its rollup (account_daily). */
export function accountTotals(
  core: Core,
  accountId: number,
): { rows: number; spend: number; conv: number; rollupSpend: number; rollupConv: number } {
  const s = core.store.sqlite
  const a = s
    .prepare(
      'SELECT count(*) AS rows, coalesce(sum(spend_micros),0) AS spend, coalesce(sum(conversions),0) AS conv FROM daily_metrics WHERE account_id = ?',
    )
    .get(accountId) as { rows: number; spend: number; conv: number }
  const r = s
    .prepare(
      'SELECT coalesce(sum(spend_micros),0) AS spend, coalesce(sum(conversions),0) AS conv FROM account_daily WHERE account_id = ?',
    )
    .get(accountId) as { spend: number; conv: number }
  return {
    ...a,
    conv: Math.round(a.conv * 1e4) / 1e4,
    rollupSpend: r.spend,
    rollupConv: Math.round(r.conv * 1e4) / 1e4,
  }
}

/** Start a sync through IPC and wait for the job. */
export async function syncNow(
  core: Core,
  workspaceId: number,
  extra: Record<string, unknown> = {},
): Promise<{ status: string; jobId: number; error: string | null }> {
  const env = await core.dispatch('sync:start', { workspaceId, ...extra }, TEST_CALLER)
  if (!env.ok) throw new Error(env.error.message)
  const { jobId } = env.value as { jobId: number }
  const job = await core.jobs.waitFor(jobId)
  return { status: job.status, jobId, error: job.error }
}
