import { PLATFORMS } from '../../../shared/domain/entities'
import { daysBetween } from '../../../shared/domain/dates'
import type { Sqlite } from '../store/db'
import { StatusRepo } from '../store/repos/status-repo'
import { DemoBuildPayloadSchema } from '../scheduler/job-kinds'
import type { ConnectionConfig, SyncRepo } from '../store/repos/sync-repo'

type SimRef = NonNullable<ConnectionConfig['simulated']>

/** The world the current demo was built from (seed, size, last day), from its last build job. */
export function demoWorldRef(sqlite: Sqlite): SimRef | null {
  const job = new StatusRepo(sqlite).lastSucceededJob('demo:build')
  if (!job) return null
  const p = DemoBuildPayloadSchema.safeParse(JSON.parse(job.payload))
  const r = JSON.parse(job.result) as { campaigns: number; from: string; to: string; worldTo?: string }
  if (!p.success) return null
  // The world's own last day, not the last stored one: a demo built with later days held back
  // (`through`) gets them from its simulated platforms on the next sync.
  const end = r.worldTo ?? r.to
  return {
    seed: p.data.seed ?? 42,
    campaigns: r.campaigns,
    days: daysBetween(r.from, end) + 1,
    endDate: end,
    preset: p.data.preset ?? 'demo',
  }
}

/**
 * Give the demo workspace one simulated connection per platform, so "Sync now" in the demo runs
 * the real connectors against the simulated platforms. Idempotent; returns connections made.
 */
export function ensureDemoConnections(sqlite: Sqlite, repo: SyncRepo): number {
  const demo = new StatusRepo(sqlite).demoWorkspace()
  if (demo === null) return 0
  const ws = { id: demo }
  const loose = repo.accounts(ws.id).filter((a) => a.connectionId === null)
  if (loose.length === 0) return 0
  const sim = demoWorldRef(sqlite)
  if (!sim) return 0
  let made = 0
  sqlite
    .transaction(() => {
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
    })
    .immediate()
  return made
}
