import type { DataTable } from '../../../shared/domain/tables'
import type { Sqlite } from '../store/db'
import { startWorker, workerEntryUrl } from '../worker-entry'
import { driversTree } from './drivers'

export type DriversResult = ReturnType<typeof driversTree>

/** The tables the drivers tree reads: a data:changed naming one of them forgets the kept trees. */
export const DRIVER_SOURCE_TABLES: readonly DataTable[] = [
  'workspaces',
  'ad_accounts',
  'connections',
  'campaigns',
  'ad_sets',
  'ads',
  'creatives',
  'daily_metrics',
  'account_daily',
  'campaign_daily',
  'ad_month',
]

/** Trees kept (workspace x days asked); the page asks one `days`. */
const MAX_KEPT = 8

/**
 * The Predictions page's drivers tree (issue 18): computed once per data change on a worker thread
 * with its own read-only connection (3-4.5 s of CPU at 10,000 campaigns: the 90-day aggregate read
 * and the exact CART), kept until a data:changed names a table it reads; callers asking while it is
 * computed wait for that computation. `warm` computes it in the background after a data change so the
 * page opens on a kept tree. In-memory stores (tests) compute inline.
 */
export class DriversService {
  private readonly kept = new Map<string, Promise<DriversResult>>()

  constructor(
    private readonly sqlite: Sqlite,
    private readonly path: string,
  ) {}

  tree(workspaceId: number, days: number): Promise<DriversResult> {
    const key = `${workspaceId}|${days}`
    const hit = this.kept.get(key)
    if (hit) return hit
    const computed = this.compute(workspaceId, days)
    if (this.kept.size >= MAX_KEPT) this.kept.delete(this.kept.keys().next().value as string)
    this.kept.set(key, computed)
    // A failure is not kept: the next ask tries again.
    computed.catch(() => {
      if (this.kept.get(key) === computed) this.kept.delete(key)
    })
    return computed
  }

  /** Compute in the background (after a sync or at start) so the page finds it kept. */
  warm(workspaceId: number, days: number): void {
    this.tree(workspaceId, days).catch((err: unknown) => console.error('[ml] drivers tree failed:', err))
  }

  /** Forget the kept trees (the data they were computed from changed). */
  invalidate(): void {
    this.kept.clear()
  }

  private compute(workspaceId: number, days: number): Promise<DriversResult> {
    const url = this.path === ':memory:' || this.path === '' ? null : workerEntryUrl(import.meta.url, 'drivers-worker')
    if (!url) return Promise.resolve().then(() => driversTree(this.sqlite, workspaceId, days))
    return new Promise<DriversResult>((resolve, reject) => {
      const w = startWorker(url, { path: this.path, workspaceId, days })
      w.once('message', (m: { ok: true; value: DriversResult } | { ok: false; message: string }) =>
        m.ok ? resolve(m.value) : reject(new Error(m.message)),
      )
      w.once('error', reject)
      w.once('exit', (code) => reject(new Error(`The drivers computation stopped (worker exit ${code})`)))
    })
  }
}
