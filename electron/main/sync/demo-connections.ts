import { PLATFORMS } from '../../../shared/domain/entities'
import { daysBetween } from '../../../shared/domain/dates'
import type { Sqlite } from '../store/db'
import { DemoBuildPayloadSchema } from './demo-service'
import type { ConnectionConfig, SyncRepo } from '../store/repos/sync-repo'

type SimRef = NonNullable<ConnectionConfig['simulated']>

/** The world the current demo was built from (seed, size, last day), from its last build job. */
export function demoWorldRef(sqlite: Sqlite): SimRef | null {
  const job = sqlite
    .prepare(
      `SELECT payload, result FROM jobs WHERE kind = 'demo:build' AND status = 'succeeded' ORDER BY id DESC LIMIT 1`,
    )
    .get() as { payload: string; result: string } | undefined
  if (!job) return null
  const p = DemoBuildPayloadSchema.safeParse(JSON.parse(job.payload))
  const r = JSON.parse(job.result) as { campaigns: number; from: string; to: string }
  if (!p.success) return null
  return {
    seed: p.data.seed ?? 42,
    campaigns: r.campaigns,
    days: daysBetween(r.from, r.to) + 1,
    endDate: r.to,
    preset: p.data.preset ?? 'demo',
  }
}

/**
 * Give the demo workspace one simulated connection per platform, so "Sync now" in the demo runs
 * the real connectors against the simulated platforms. Idempotent; returns connections made.
 */
export function ensureDemoConnections(sqlite: Sqlite, repo: SyncRepo): number {
  const ws = sqlite.prepare('SELECT id FROM workspaces WHERE is_demo = 1 ORDER BY id DESC LIMIT 1').get() as
    { id: number } | undefined
  if (!ws) return 0
  const loose = repo.accounts(ws.id).filter((a) => a.connectionId === null)
  if (loose.length === 0) return 0
  const sim = demoWorldRef(sqlite)
  if (!sim) return 0
  let made = 0
  sqlite.transaction(() => {
    for (const platform of PLATFORMS) {
      const accounts = loose.filter((a) => a.platform === platform)
      if (!accounts.length) continue
      const existing = repo.connections(ws.id).find((c) => c.platform === platform && c.config.simulated)
      const id =
        existing?.id ??
        repo.createConnection(ws.id, platform, `Demo (simulated ${platform})`, `demo:${platform}`, {
          simulated: sim,
          accountIds: accounts.map((a) => a.externalId),
        })
      if (!existing) made++
      for (const a of accounts) repo.attachAccount(a.id, id)
    }
  })()
  return made
}
